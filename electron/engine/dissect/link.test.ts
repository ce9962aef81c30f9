/**
 * Link layers, named by input: every supported LINKTYPE, and one we do not support.
 * Expected columns are what tshark 4.0 prints for the same bytes.
 */
import { describe, expect, it } from 'vitest';
import { ipv4, ipv6, nullLoopback, sll, sll2, udp, arp } from '../synth/packet.js';
import { dissectFrame, DissectState, LINKTYPE } from './frame.js';
import { newSummary, type FrameSummary } from './types.js';

function dis(data: Uint8Array, linktype: number, origLen?: number): FrameSummary {
  const s = newSummary();
  dissectFrame(data, linktype, s, null, new DissectState(), 1, origLen);
  return s;
}

const A = '10.0.0.1';
const B = '10.0.0.2';
const X = '2001:db8::1';
const Y = '2001:db8::2';
const udp4 = ipv4({ src: A, dst: B, proto: 17 }, udp({ sport: 1, dport: 2 }, new Uint8Array(4), { src: A, dst: B }));
const udp6 = ipv6({ src: X, dst: Y, nextHeader: 17 }, udp({ sport: 1, dport: 2 }, new Uint8Array(4), { src: X, dst: Y }));

describe('Linux SLL (113)', () => {
  it('IPv4 unicast-to-us with a source MAC', () => {
    const s = dis(sll({ pkttype: 0, addr: 'aa:bb:cc:dd:ee:01', protocol: 0x0800 }, udp4), LINKTYPE.LINUX_SLL);
    expect(s.layers).toBe('sll:ethertype:ip:udp');
    expect([s.protocol, s.info]).toEqual(['UDP', '1 → 2 Len=4']);
    expect(s.ethSrc).toBe(0xaabbccddee01);
    expect(s.ethDst).toBe(-1);
    expect(s.l3).toBe(4);
  });
  it('unknown ethertype keeps the packet type as Info and names the ethertype', () => {
    const s = dis(sll({ pkttype: 2, hatype: 772, protocol: 0x1234 }, new Uint8Array(4)), LINKTYPE.LINUX_SLL);
    expect([s.protocol, s.info]).toEqual(['0x1234', 'Multicast']);
    expect(s.anomalies).toEqual([]);
  });
  it('ARP sent as broadcast', () => {
    const s = dis(sll({ pkttype: 1, protocol: 0x0806 }, arp({ op: 1, senderMac: 'aa:bb:cc:dd:ee:01', senderIp: B, targetMac: '00:00:00:00:00:00', targetIp: A })), LINKTYPE.LINUX_SLL);
    expect([s.protocol, s.info]).toEqual(['ARP', 'Who has 10.0.0.1? Tell 10.0.0.2']);
  });
  it('802.2 LLC protocol value', () => {
    const s = dis(sll({ pkttype: 3, protocol: 4 }, new Uint8Array([0xf0, 0xf0, 3, 0, 0])), LINKTYPE.LINUX_SLL);
    expect(s.layers).toBe('sll:llc');
    expect(s.protocol).toBe('NetBIOS');
  });
});

describe('Linux SLL2 (276)', () => {
  it('IPv4 and IPv6', () => {
    const s = dis(sll2({ pkttype: 0, addr: 'aa:bb:cc:dd:ee:01', protocol: 0x0800, ifindex: 3 }, udp4), LINKTYPE.LINUX_SLL2);
    expect(s.layers).toBe('sll:ethertype:ip:udp');
    expect(s.info).toBe('1 → 2 Len=4');
    const s6 = dis(sll2({ pkttype: 4, protocol: 0x86dd }, udp6), LINKTYPE.LINUX_SLL2);
    expect(s6.layers).toBe('sll:ethertype:ipv6:udp');
    expect(s6.ip6Src).toBe(X);
  });
});

describe('raw IP', () => {
  it.each([LINKTYPE.RAW, LINKTYPE.RAW_BSD12, LINKTYPE.RAW_BSD14])('link type %i picks IPv4 or IPv6 by version', (lt) => {
    expect(dis(udp4, lt).layers).toBe('raw:ip:udp');
    expect(dis(udp6, lt).layers).toBe('raw:ipv6:udp');
  });
  it('101 with a version nibble of 5 is malformed (tshark: "Raw packet data[Malformed Packet]")', () => {
    const s = dis(new Uint8Array([0x55, 1, 2, 3]), LINKTYPE.RAW);
    expect([s.protocol, s.info]).toEqual(['N/A', 'Raw packet data[Malformed Packet]']);
    expect(s.anomalies[0]).toMatchObject({ kind: 'malformed', layer: 'raw', offset: 0 });
  });
  it('an empty raw frame is malformed, not a crash', () => {
    expect(dis(new Uint8Array(0), LINKTYPE.RAW).anomalies[0]?.kind).toBe('malformed');
  });
  it('228 is IPv4 without a "raw" layer; IPv6 in it is handed to IPv6 and flagged', () => {
    expect(dis(udp4, LINKTYPE.IPV4).layers).toBe('ip:udp');
    const s = dis(udp6, LINKTYPE.IPV4);
    expect(s.layers).toBe('ip:ipv6:udp');
    expect(s.info).toBe('1 → 2 Len=4');
    expect(s.anomalies[0]?.detail).toBe('Bogus IPv4 version (6, must be 4)');
  });
  it('229 is IPv6; IPv4 in it is a bogus version', () => {
    expect(dis(udp6, LINKTYPE.IPV6).layers).toBe('ipv6:udp');
    const s = dis(udp4, LINKTYPE.IPV6);
    expect([s.protocol, s.info]).toEqual(['IPv6', 'Bogus IPv6 version (4, must be 6)']);
    expect(s.l3).toBe(0);
  });
});

describe('BSD loopback', () => {
  it('NULL (0): family in host order, either byte order, and every BSD AF_INET6', () => {
    for (const [fam, order, layers] of [
      [2, 'le', 'null:ip:udp'],
      [2, 'be', 'null:ip:udp'],
      [24, 'le', 'null:ipv6:udp'],
      [28, 'le', 'null:ipv6:udp'],
      [30, 'be', 'null:ipv6:udp'],
    ] as const) {
      const s = dis(nullLoopback(fam, fam === 2 ? udp4 : udp6, order), LINKTYPE.NULL);
      expect(s.layers).toBe(layers);
      expect(s.info).toBe('1 → 2 Len=4');
    }
  });
  it('NULL with an ethertype instead of a family', () => {
    expect(dis(nullLoopback(0x0800, udp4, 'be'), LINKTYPE.NULL).layers).toBe('null:ip:udp');
  });
  it('NULL with an unknown family (Linux AF_INET6 = 10): N/A, recorded, not fatal', () => {
    const s = dis(nullLoopback(10, udp6), LINKTYPE.NULL);
    expect([s.protocol, s.info]).toEqual(['N/A', 'Null/Loopback']);
    expect(s.anomalies[0]).toMatchObject({ kind: 'unsupported', layer: 'null' });
  });
  it('LOOP (108): family always in network order', () => {
    expect(dis(nullLoopback(2, udp4, 'be'), LINKTYPE.LOOP).layers).toBe('null:ip:udp');
    expect(dis(nullLoopback(24, udp6, 'be'), LINKTYPE.LOOP).layers).toBe('null:ipv6:udp');
  });
});

describe('unsupported link type', () => {
  it('147 (DLT_USER0): named, recorded, nothing dissected', () => {
    const s = dis(udp4, 147);
    expect(s.protocol).toBe('unknown link type 147');
    expect(s.info).toBe('Unsupported link type 147');
    expect(s.anomalies).toEqual([{ kind: 'unsupported', layer: 'frame', offset: 0, detail: 'Unsupported link type 147' }]);
    expect(s.l3).toBe(0);
  });
});
