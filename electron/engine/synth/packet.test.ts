import { describe, expect, it } from 'vitest';
import {
  arp, ether, fragmentIpv4, fragmentIpv6, icmp, icmpv6, internetChecksum, ipv4, ipv6, nullLoopback, parseIpv6, parseMac,
  sll, sll2, tcp, tcpFrame, tcpFrameSize, tcpOptions, udp, udpFrame, vxlan, writeTcpFrame, IPV4_DF, IPV4_MF, TCP_ACK, TCP_NS, TCP_SYN,
} from './packet.js';

const A = '10.0.0.1';
const B = '10.0.0.2';
const X = '2001:db8::1';
const Y = '2001:db8::2';

function u16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

/** One's-complement sum of a TCP/UDP/ICMPv6 message plus its pseudo-header folds to 0 when the checksum is right. */
function pseudoOk(src: Uint8Array, dst: Uint8Array, proto: number, msg: Uint8Array): boolean {
  const ph = new Uint8Array(src.length * 2 + 8 + msg.length + (msg.length & 1));
  ph.set(src, 0);
  ph.set(dst, src.length);
  const l = msg.length;
  ph[src.length * 2 + 2] = l >>> 8;
  ph[src.length * 2 + 3] = l & 0xff;
  ph[src.length * 2 + 7] = proto;
  ph.set(msg, src.length * 2 + 8);
  return internetChecksum(ph) === 0;
}

const v4 = (t: string): Uint8Array => new Uint8Array(t.split('.').map(Number));

describe('address text', () => {
  it('parses MACs with colons or dashes', () => {
    expect([...parseMac('aa:bb:cc:dd:ee:ff')]).toEqual([0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]);
    expect([...parseMac('01-02-03-04-05-06')]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(() => parseMac('aa:bb')).toThrow();
  });
  it('parses IPv6 with :: and an embedded dotted quad', () => {
    expect([...parseIpv6('::1')]).toEqual([...new Array<number>(15).fill(0), 1]);
    expect([...parseIpv6('::ffff:1.2.3.4').subarray(10)]).toEqual([0xff, 0xff, 1, 2, 3, 4]);
    expect([...parseIpv6('2001:db8::2:1').subarray(0, 4)]).toEqual([0x20, 0x01, 0x0d, 0xb8]);
    expect(() => parseIpv6('1::2::3')).toThrow();
  });
});

describe('headers and checksums', () => {
  it('ipv4 builds a 20-byte header with a valid checksum and the given flags', () => {
    const p = ipv4({ src: A, dst: B, proto: 17, id: 0x1234, ttl: 7, flags: IPV4_DF, fragOffset: 16 }, new Uint8Array(10));
    expect(p.length).toBe(30);
    expect(p[0]).toBe(0x45);
    expect(u16(p, 2)).toBe(30);
    expect(u16(p, 4)).toBe(0x1234);
    expect(u16(p, 6)).toBe(0x4002);
    expect(p[8]).toBe(7);
    expect(internetChecksum(p, 0, 20)).toBe(0);
  });
  it('ipv4 pads options to 4 bytes and counts them in IHL', () => {
    const p = ipv4({ src: A, dst: B, proto: 17, options: new Uint8Array([148, 4, 0, 0, 1]) }, new Uint8Array(0));
    expect(p[0]! & 0x0f).toBe(7);
    expect(internetChecksum(p, 0, 28)).toBe(0);
  });
  it('tcp checksums over the IPv4 and IPv6 pseudo-headers, with NS in byte 12', () => {
    const seg = tcp({ sport: 1, dport: 2, seq: 3, ack: 4, flags: TCP_SYN | TCP_NS, options: [{ kind: 'mss', value: 1460 }] }, new Uint8Array(5), { src: A, dst: B });
    expect(seg.length).toBe(24 + 5);
    expect(seg[12]).toBe(0x61);
    expect(pseudoOk(v4(A), v4(B), 6, seg)).toBe(true);
    const seg6 = tcp({ sport: 1, dport: 2, seq: 3, ack: 4, flags: TCP_ACK }, new Uint8Array(3), { src: X, dst: Y });
    expect(pseudoOk(parseIpv6(X), parseIpv6(Y), 6, seg6)).toBe(true);
  });
  it('udp and icmpv6 checksums verify; icmp checksums over the message', () => {
    expect(pseudoOk(v4(A), v4(B), 17, udp({ sport: 53, dport: 9 }, new Uint8Array(7), { src: A, dst: B }))).toBe(true);
    expect(pseudoOk(parseIpv6(X), parseIpv6(Y), 58, icmpv6({ type: 128, code: 0, ident: 1, seq: 2 }, new Uint8Array(9), { src: X, dst: Y }))).toBe(true);
    expect(internetChecksum(icmp({ type: 8, code: 0, ident: 1, seq: 1 }, new Uint8Array(11)))).toBe(0);
  });
  it('tcp options encode in order', () => {
    const o = tcpOptions([{ kind: 'mss', value: 1460 }, { kind: 'sackPerm' }, { kind: 'ts', val: 1, ecr: 2 }, { kind: 'nop' }, { kind: 'wscale', shift: 7 }, { kind: 'sack', blocks: [[1, 2]] }]);
    expect([...o.subarray(0, 6)]).toEqual([2, 4, 5, 180, 4, 2]);
    expect(o.length).toBe(4 + 2 + 10 + 1 + 3 + 10);
  });
  it('ether inserts VLAN tags outermost first (QinQ uses 0x88a8 outside)', () => {
    const f = ether({ src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02', type: 0x0800, vlan: [10, 20], qinq: true }, new Uint8Array(1));
    expect(u16(f, 12)).toBe(0x88a8);
    expect(u16(f, 14) & 0xfff).toBe(10);
    expect(u16(f, 16)).toBe(0x8100);
    expect(u16(f, 18) & 0xfff).toBe(20);
    expect(u16(f, 20)).toBe(0x0800);
  });
  it('link headers: sll, sll2, null in both byte orders, arp, vxlan', () => {
    expect(sll({ pkttype: 4, addr: '02:00:00:00:00:01', protocol: 0x86dd }, new Uint8Array(2)).length).toBe(18);
    const s2 = sll2({ pkttype: 0, protocol: 0x0800, ifindex: 3 }, new Uint8Array(0));
    expect(u16(s2, 0)).toBe(0x0800);
    expect(s2[7]).toBe(3);
    expect([...nullLoopback(2, new Uint8Array(0))]).toEqual([2, 0, 0, 0]);
    expect([...nullLoopback(24, new Uint8Array(0), 'be')]).toEqual([0, 0, 0, 24]);
    expect(arp({ op: 1, senderMac: '02:00:00:00:00:01', senderIp: A, targetMac: '00:00:00:00:00:00', targetIp: B }).length).toBe(28);
    const vx = vxlan({ vni: 0x123456 }, new Uint8Array(3));
    expect([...vx.subarray(0, 8)]).toEqual([8, 0, 0, 0, 0x12, 0x34, 0x56, 0]);
  });
  it('ipv6 chains extension headers and sets the payload length', () => {
    const p = ipv6({ src: X, dst: Y, nextHeader: 17, extHeaders: [{ type: 0 }, { type: 60, body: new Uint8Array(10) }] }, new Uint8Array(8));
    expect(p[6]).toBe(0);
    expect(p[40]).toBe(60);
    expect(p[48]).toBe(17);
    expect(p[49]).toBe(1);
    expect(u16(p, 4)).toBe(8 + 16 + 8);
  });
});

describe('whole frames', () => {
  it('tcpFrame == ether(ipv4(tcp)) with DF, and writeTcpFrame writes the same bytes in place', () => {
    const o = { srcIp: A, dstIp: B, sport: 51234, dport: 80, seq: 1, ack: 0, flags: TCP_SYN, win: 64240, options: [{ kind: 'mss' as const, value: 1460 }] };
    const f = tcpFrame(o);
    const manual = ether(
      { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02', type: 0x0800 },
      ipv4({ src: A, dst: B, proto: 6, flags: IPV4_DF }, tcp({ ...o, win: 64240 }, new Uint8Array(0), { src: A, dst: B })),
    );
    expect([...f]).toEqual([...manual]);
    const big = new Uint8Array(200).fill(0xee);
    const n = writeTcpFrame(big, 7, o);
    expect(n).toBe(tcpFrameSize(o));
    expect([...big.subarray(7, 7 + n)]).toEqual([...f]);
    expect(big[6]).toBe(0xee);
    expect(big[7 + n]).toBe(0xee);
  });
  it('udpFrame over IPv6 has correct lengths', () => {
    const f = udpFrame({ srcIp: X, dstIp: Y, sport: 1, dport: 2, payload: new Uint8Array(4) });
    expect(f.length).toBe(14 + 40 + 12);
    expect(u16(f, 12)).toBe(0x86dd);
    expect(u16(f, 18)).toBe(12);
    expect(pseudoOk(parseIpv6(X), parseIpv6(Y), 17, f.subarray(54))).toBe(true);
  });
});

describe('fragmentation helpers', () => {
  it('fragmentIpv4 splits on 8-byte boundaries, sets MF and offsets, and the pieces rebuild the datagram', () => {
    const payload = new Uint8Array(3000).map((_, i) => i & 0xff);
    const dg = ipv4({ src: A, dst: B, proto: 17, id: 99 }, payload);
    const frags = fragmentIpv4(dg, 1500);
    expect(frags.length).toBe(3);
    const rebuilt = new Uint8Array(3000);
    frags.forEach((fr, i) => {
      expect(fr.length).toBeLessThanOrEqual(1500);
      expect(internetChecksum(fr, 0, 20)).toBe(0);
      const fo = u16(fr, 6);
      expect(!!(fo & 0x2000)).toBe(i < 2);
      rebuilt.set(fr.subarray(20), (fo & 0x1fff) * 8);
    });
    expect(u16(frags[1]!, 6) & 0x1fff).toBe(185);
    expect(rebuilt).toEqual(payload);
    expect(IPV4_MF).toBe(1);
  });
  it('fragmentIpv4 keeps copied options only (RFC 791 copy bit)', () => {
    const dg = ipv4({ src: A, dst: B, proto: 17, options: new Uint8Array([7, 7, 4, 0, 0, 0, 0, 148, 4, 0, 0]) }, new Uint8Array(100));
    const [first, second] = fragmentIpv4(dg, 60);
    expect(first![0]! & 0x0f).toBe(8);
    expect(second![0]! & 0x0f).toBe(6);
    expect(second![20]).toBe(148);
  });
  it('fragmentIpv6 inserts a fragment header after hop-by-hop', () => {
    const pkt = ipv6({ src: X, dst: Y, nextHeader: 17, extHeaders: [{ type: 0 }] }, new Uint8Array(3000));
    const frags = fragmentIpv6(pkt, 1280, 0xabcdef);
    expect(frags.length).toBe(3);
    for (const fr of frags) {
      expect(fr.length).toBeLessThanOrEqual(1280);
      expect(fr[6]).toBe(0);
      expect(fr[40]).toBe(44);
      expect(fr[48]).toBe(17);
      expect(u16(fr, 4)).toBe(fr.length - 40);
    }
    expect(u16(frags[2]!, 50) & 1).toBe(0);
    expect(u16(frags[0]!, 50) & 1).toBe(1);
  });
});
