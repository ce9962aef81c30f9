import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DhcpParser, MAX_OPTIONS, osFromVendorClass } from './dhcp.js';
import type { AppEventRecord, AppRecord, AppSink, AppValue, HostFactRecord, StreamInfo } from './types.js';

const INFO: StreamInfo = { stream: 0, client: { addr: '0.0.0.0', port: 68 }, server: { addr: '255.255.255.255', port: 67 } };

class Sink implements AppSink {
  fields: [string, AppValue][] = [];
  cols: [string, string][] = [];
  anomalies: string[] = [];
  records: AppRecord[] = [];
  field(n: string, v: AppValue): void {
    this.fields.push([n, v]);
  }
  columns(p: string, i: string): void {
    this.cols.push([p, i]);
  }
  anomaly(l: string, d: string): void {
    this.anomalies.push(`${l}: ${d}`);
  }
  record(r: AppRecord): void {
    this.records.push(r);
  }
  get(name: string): AppValue[] {
    return this.fields.filter(([n]) => n === name).map(([, v]) => v);
  }
}

/**
 * A BOOTP message (RFC 2131 §2): op, htype 1, hlen 6, hops 0, xid, secs 0, flags, ciaddr,
 * yiaddr, siaddr, giaddr, chaddr (MAC + 10 pad), sname[64], file[128], cookie, options.
 */
function message(op: number, xid: number, opts: number[], o: { yiaddr?: number[]; ciaddr?: number[]; mac?: number[]; cookie?: boolean } = {}): Uint8Array {
  const b = new Uint8Array(240 + opts.length);
  b.set([op, 1, 6, 0, xid >>> 24, (xid >>> 16) & 255, (xid >>> 8) & 255, xid & 255, 0, 0, 0x80, 0]);
  b.set(o.ciaddr ?? [0, 0, 0, 0], 12);
  b.set(o.yiaddr ?? [0, 0, 0, 0], 16);
  b.set(o.mac ?? [0x90, 0xb1, 0x1c, 0x99, 0x49, 0x29], 28);
  if (o.cookie !== false) b.set([99, 130, 83, 99], 236);
  b.set(opts, 240);
  return b;
}
const str = (s: string): number[] => [...new TextEncoder().encode(s)];

function feed(bytes: Uint8Array, p = new DhcpParser(INFO)): Sink {
  const sink = new Sink();
  p.datagram(0, bytes, { frame: 7, tsSec: 0, tsNsec: 0, sink });
  return sink;
}

describe('DhcpParser', () => {
  it('REQUEST: header fields, options and the Info column as Wireshark shows them', () => {
    const s = feed(message(1, 0x7c0, [53, 1, 3, 50, 4, 192, 168, 211, 194, 12, 13, ...str('btest.is.cool'), 60, 8, ...str('MSFT 5.0'), 55, 3, 1, 3, 6, 255, 0, 0]));
    expect(s.cols).toEqual([['DHCP', 'DHCP Request  - Transaction ID 0x7c0']]);
    expect(s.get('dhcp.id')).toEqual([0x7c0]);
    expect(s.get('dhcp.flags.bc')).toEqual([1]);
    expect(s.get('dhcp.hw.mac_addr')).toEqual([new Uint8Array([0x90, 0xb1, 0x1c, 0x99, 0x49, 0x29])]);
    expect(s.get('dhcp.option.type')).toEqual([53, 50, 12, 60, 55, 0]);
    expect(s.get('dhcp.option.dhcp')).toEqual([3]);
    expect(s.get('dhcp.option.requested_ip_address')).toEqual([0xc0a8d3c2]);
    expect(s.get('dhcp.option.hostname')).toEqual(['btest.is.cool']);
    expect(s.get('dhcp.option.request_list_item')).toEqual([1, 3, 6]);
    expect(s.get('dhcp.option.end')).toEqual([255]);
    expect(s.get('dhcp.option.padding')).toEqual([new Uint8Array(2)]);
    const facts = s.records.filter((r): r is HostFactRecord => r.kind === 'host.fact').map((f) => [f.addr, f.fact, f.value]);
    expect(facts).toEqual([
      ['192.168.211.194', 'mac', '90:b1:1c:99:49:29'],
      ['192.168.211.194', 'name.dhcp', 'btest.is.cool'],
      ['192.168.211.194', 'os', 'Windows'],
    ]);
    expect(s.anomalies).toEqual([]);
  });

  it('ACK: a lease event and the MAC bound to yiaddr; the client name learnt from the same conversation', () => {
    const p = new DhcpParser(INFO);
    feed(message(1, 9, [53, 1, 1, 12, 3, ...str('pc1'), 255]), p);
    const s = feed(message(2, 9, [53, 1, 5, 54, 4, 10, 0, 0, 1, 51, 4, 0, 0, 14, 16, 255], { yiaddr: [10, 0, 0, 42] }), p);
    expect(s.cols[0]![1]).toBe('DHCP ACK      - Transaction ID 0x9');
    const ev = s.records.find((r): r is AppEventRecord => r.kind === 'app.event')!;
    expect(ev).toMatchObject({ event: 'lease', protocol: 'dhcp', details: { ip: '10.0.0.42', hostname: 'pc1', server: '10.0.0.1', leaseSeconds: '3600' } });
    const facts = s.records.filter((r): r is HostFactRecord => r.kind === 'host.fact').map((f) => [f.addr, f.fact, f.value]);
    expect(facts).toEqual([
      ['10.0.0.42', 'mac', '90:b1:1c:99:49:29'],
      ['10.0.0.42', 'name.dhcp', 'pc1'],
    ]);
  });

  it('reads options overloaded into the file field (RFC 2132 §9.3)', () => {
    const b = message(1, 1, [53, 1, 8, 52, 1, 1, 255]);
    b.set([12, 2, ...str('ov'), 255], 108);
    const s = feed(b);
    expect(s.get('dhcp.file')).toEqual([]);
    expect(s.get('dhcp.option.hostname')).toEqual(['ov']);
  });

  it('plain BOOTP (no cookie), short and lying options are anomalies, never exceptions', () => {
    expect(feed(message(1, 1, [], { cookie: false })).cols).toEqual([['BOOTP', 'Boot Request']]);
    expect(feed(new Uint8Array(100)).anomalies.length).toBe(1);
    const lie = feed(message(1, 1, [53, 1, 1, 12, 200, 65]));
    expect(lie.anomalies.some((a) => a.includes('runs past'))).toBe(true);
    const many = feed(message(1, 1, [...new Array<number>(MAX_OPTIONS + 10).fill(0).flatMap(() => [12, 0]), 255]));
    expect(many.anomalies.some((a) => a.includes(`more than ${MAX_OPTIONS}`))).toBe(true);
  });

  it('maps vendor classes to OS families', () => {
    expect(osFromVendorClass('MSFT 5.0')).toBe('Windows');
    expect(osFromVendorClass('android-dhcp-13')).toBe('Android');
    expect(osFromVendorClass('udhcp 1.30.1')).toBe('Linux (BusyBox udhcpc)');
    expect(osFromVendorClass('something')).toBeNull();
  });

  it('random and mutated messages never throw (fast-check)', () => {
    const base = message(1, 5, [53, 1, 3, 50, 4, 1, 2, 3, 4, 12, 2, 65, 66, 81, 5, 4, 0, 0, 1, 97, 61, 7, 1, 1, 2, 3, 4, 5, 6, 255]);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 20 }), (rnd, muts) => {
        const m = base.slice();
        for (const [i, v] of muts) m[i] = v;
        for (const b of [rnd, m]) expect(feed(b).anomalies.filter((a) => a.includes('dissector error'))).toEqual([]);
      }),
    );
  });
});
