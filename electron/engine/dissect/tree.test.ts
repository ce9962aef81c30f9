/** TreeBuilder, the "Frame N" node of dissectTree, and address text forms. */
import { describe, expect, it } from 'vitest';
import { parseIpv6, tcpFrame, TCP_SYN } from '../synth/packet.js';
import { bits, ip6Text, macText, padRight } from './format.js';
import { dissectTree, DissectState, LINKTYPE } from './frame.js';
import { TreeBuilder } from './tree.js';

describe('TreeBuilder', () => {
  it('nests open/close and adds leaves to the open node', () => {
    const t = new TreeBuilder();
    t.open('A', 0, 10, 'a');
    t.add('A.1', 0, 2, 'a.one', 1);
    t.open('A.2', 2, 4);
    t.add('A.2.x', 2, 1, 'a.x', true);
    t.close();
    t.close();
    t.add('B', 10, 1, 'b', 'v');
    expect(t.roots).toEqual([
      { label: 'A', offset: 0, length: 10, field: 'a', children: [{ label: 'A.1', offset: 0, length: 2, field: 'a.one', value: 1 }, { label: 'A.2', offset: 2, length: 4, children: [{ label: 'A.2.x', offset: 2, length: 1, field: 'a.x', value: true }] }] },
      { label: 'B', offset: 10, length: 1, field: 'b', value: 'v' },
    ]);
    t.open('C', 0, 0);
    expect(t.depth).toBe(1);
    t.closeAll();
    expect(t.depth).toBe(0);
  });
});

describe('dissectTree', () => {
  const f = tcpFrame({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', sport: 51234, dport: 80, seq: 1000, ack: 0, flags: TCP_SYN, win: 64240, options: [{ kind: 'mss', value: 1460 }] });
  it('starts with comments and a Wireshark-like frame node with frame.* fields', () => {
    const tree = dissectTree(f, LINKTYPE.ETHERNET, new DissectState(), 7, {
      caplen: f.length, origlen: 1000, tsSec: 1700000000, tsNsec: 5, interfaceId: 2, interfaceName: 'eth0', comments: ['first', 'second'],
    });
    expect(tree[0]!.label).toBe('Packet comments');
    expect(tree[0]!.children!.map((c) => [c.field, c.value])).toEqual([['frame.comment', 'first'], ['frame.comment', 'second']]);
    const fr = tree[1]!;
    expect(fr.label).toBe(`Frame 7: 1000 bytes on wire (8000 bits), ${f.length} bytes captured (${f.length * 8} bits) on interface eth0, id 2`);
    const v = Object.fromEntries(fr.children!.filter((c) => c.field).map((c) => [c.field, c.value]));
    expect(v).toMatchObject({
      'frame.interface_id': 2, 'frame.encap_type': 1, 'frame.time_epoch': '1700000000.000000005', 'frame.number': 7,
      'frame.len': 1000, 'frame.cap_len': f.length, 'frame.protocols': 'eth:ethertype:ip:tcp',
    });
    expect(fr.children!.find((c) => c.field === 'frame.time')!.label).toBe('Arrival Time: Nov 14, 2023 22:13:20.000000005 UTC');
    expect(tree.slice(2).map((n) => n.field)).toEqual(['eth', 'ip', 'tcp']);
    const tcp = tree[4]!;
    expect(tcp.label).toBe('Transmission Control Protocol, Src Port: 51234, Dst Port: 80, Seq: 1000, Len: 0');
    expect(tcp.offset).toBe(34);
    const opts = tcp.children!.find((c) => c.field === 'tcp.options')!;
    expect(opts.label).toBe('Options: (4 bytes), Maximum segment size');
    expect(opts.children![0]!.children!.find((c) => c.field === 'tcp.options.mss_val')).toMatchObject({ value: 1460, offset: 56, length: 2 });
  });
  it('labels and offsets follow Wireshark for the IP header', () => {
    const tree = dissectTree(f, LINKTYPE.ETHERNET, new DissectState(), 1, { origlen: f.length, tsSec: 0, tsNsec: 0 });
    const ip = tree.find((n) => n.field === 'ip')!;
    expect(ip.label).toBe('Internet Protocol Version 4, Src: 10.0.0.1, Dst: 10.0.0.2');
    const byField = Object.fromEntries(ip.children!.map((c) => [c.field, c]));
    expect(byField['ip.src']).toMatchObject({ label: 'Source Address: 10.0.0.1', offset: 26, length: 4, value: '10.0.0.1' });
    expect(byField['ip.flags']!.label).toBe("010. .... = Flags: 0x2, Don't fragment");
    expect(byField['ip.hdr_len']!.label).toBe('.... 0101 = Header Length: 20 bytes (5)');
    expect(byField['ip.checksum']!.label).toMatch(/^Header Checksum: 0x[0-9a-f]{4} \[validation disabled\]$/);
  });
  it('a truncated frame gets a top-level "[Packet size limited during capture: TCP truncated]" node', () => {
    const tree = dissectTree(f.subarray(0, 40), LINKTYPE.ETHERNET, new DissectState(), 1, { origlen: f.length, tsSec: 0, tsNsec: 0 });
    const last = tree[tree.length - 1]!;
    expect(last).toMatchObject({ label: '[Packet size limited during capture: TCP truncated]', field: '_ws.short', anomaly: 'truncated', offset: 34 });
  });
  it('an unsupported link type still gets its frame node and an anomaly node', () => {
    const tree = dissectTree(new Uint8Array(4), 147, new DissectState(), 1, { origlen: 4, tsSec: 0, tsNsec: 0 });
    expect(tree[0]!.children!.find((c) => c.label.startsWith('Encapsulation'))!.label).toBe('Encapsulation type: Unknown (link type 147)');
    expect(tree[1]).toMatchObject({ anomaly: 'unsupported' });
  });
});

describe('address text', () => {
  it.each([
    ['2001:db8::1', '2001:db8::1'],
    ['::', '::'],
    ['::1', '::1'],
    ['::2', '::2'],
    ['fe80::', 'fe80::'],
    ['1:0:0:1:0:0:0:1', '1:0:0:1::1'],
    ['1:0:1:0:1:0:1:0', '1:0:1:0:1:0:1:0'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['::ffff:1.2.3.4', '::ffff:1.2.3.4'],
    ['::1.2.3.4', '::1.2.3.4'],
    ['::ffff:0:1.2.3.4', '::ffff:0:102:304'],
    ['64:ff9b::1.2.3.4', '64:ff9b::102:304'],
    ['ff02::1:ff00:2', 'ff02::1:ff00:2'],
    ['2001:DB8:AAAA:BBBB:CCCC:DDDD:EEEE:0001', '2001:db8:aaaa:bbbb:cccc:dddd:eeee:1'],
  ])('%s → %s (RFC 5952, as tshark prints it)', (input, text) => {
    expect(ip6Text(parseIpv6(input), 0)).toBe(text);
  });
  it('MAC text, bit patterns, padding', () => {
    expect(macText(new Uint8Array([0, 0x1b, 0x21, 0xa, 0xff, 0x10]), 0)).toBe('00:1b:21:0a:ff:10');
    expect(bits(0x45, 0xf0, 8)).toBe('0100 .... = ');
    expect(bits(0x4000, 0x1fff, 16)).toBe('...0 0000 0000 0000 = ');
    expect(padRight('Redirect', 20)).toBe('Redirect            ');
  });
});
