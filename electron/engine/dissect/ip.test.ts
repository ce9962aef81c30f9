/**
 * IPv4 and IPv6 headers, options, extension headers and fragment reassembly, named by
 * input. Expected columns are what tshark 4.0 prints for the same bytes.
 */
import { describe, expect, it } from 'vitest';
import { ether, fragmentIpv4, fragmentIpv6, icmpv6, ipv4, ipv6, tcp, udp, udpFrame, IPV4_MF } from '../synth/packet.js';
import { dissectFrame, dissectTree, DissectState, LINKTYPE } from './frame.js';
import { MAX_IPV6_EXT_HEADERS } from './ipv6.js';
import type { SourcedTreeNode } from './tree.js';
import { newSummary, type FrameSummary } from './types.js';

const M1 = 'aa:bb:cc:dd:ee:01';
const M2 = 'aa:bb:cc:dd:ee:02';
const A = '10.0.0.1';
const B = '10.0.0.2';
const X = '2001:db8::1';
const Y = '2001:db8::2';
const E4 = (p: Uint8Array): Uint8Array => ether({ src: M1, dst: M2, type: 0x0800 }, p);
const E6 = (p: Uint8Array): Uint8Array => ether({ src: M1, dst: M2, type: 0x86dd }, p);

function run(frames: Uint8Array[], state = new DissectState()): FrameSummary[] {
  return frames.map((f, i) => {
    const s = newSummary();
    dissectFrame(f, LINKTYPE.ETHERNET, s, null, state, i + 1);
    return s;
  });
}
const one = (f: Uint8Array): FrameSummary => run([f])[0]!;
const udp4 = (payload: Uint8Array, o: Partial<Parameters<typeof ipv4>[0]> = {}): Uint8Array =>
  ipv4({ src: A, dst: B, proto: 17, ...o }, udp({ sport: 1000, dport: 2000 }, payload, { src: A, dst: B }));

describe('IPv4 header', () => {
  it('plain UDP: summary fields', () => {
    const s = one(E4(udp4(new Uint8Array(4))));
    expect(s).toMatchObject({ l3: 4, ip4Src: 0x0a000001, ip4Dst: 0x0a000002, ipProto: 17, srcPort: 1000, dstPort: 2000, ipFragment: false });
    expect(s.payloadLen).toBe(4);
    expect(s.payloadData![s.payloadOffset]).toBe(0);
  });
  it('options: record route, router alert, NOPs, EOL are parsed and summarised in the tree', () => {
    const opts = new Uint8Array([7, 7, 4, 0, 0, 0, 0, 1, 148, 4, 0, 0, 1, 1, 1, 0]);
    const f = E4(udp4(new Uint8Array(4), { options: opts }));
    const s = one(f);
    expect(s.info).toBe('1000 → 2000 Len=4');
    expect(s.anomalies).toEqual([]);
    const tree = dissectTree(f, LINKTYPE.ETHERNET, new DissectState(), 1, { origlen: f.length, tsSec: 0, tsNsec: 0 });
    const ip = tree.find((n) => n.field === 'ip')!;
    const optNode = ip.children!.find((n) => n.field === 'ip.options')!;
    expect(optNode.label).toBe('Options: (16 bytes), Record Route, Router Alert');
    expect(ip.children!.find((n) => n.field === 'ip.hdr_len')!.value).toBe(36);
  });
  it('option with a too-short length: flagged, dissection goes on (tshark does too)', () => {
    const s = one(E4(udp4(new Uint8Array(4), { options: new Uint8Array([7, 1, 0, 0]) })));
    expect(s.info).toBe('1000 → 2000 Len=4');
    expect(s.anomalies.map((a) => a.detail)).toEqual(['Record Route (with too-short option length = 1 byte)']);
  });
  it('option running past the options area: flagged', () => {
    const s = one(E4(udp4(new Uint8Array(4), { options: new Uint8Array([7, 40, 0, 0]) })));
    expect(s.anomalies[0]?.detail).toBe('Record Route (option length = 40 bytes says option goes past end of options)');
  });
  it('loose source route: ip.dst is the route\'s last hop (RFC 791 §3.1)', () => {
    const s = one(E4(udp4(new Uint8Array(4), { options: new Uint8Array([131, 11, 4, 192, 0, 2, 1, 198, 51, 100, 7, 0]) })));
    expect(s.ip4Dst).toBe(0xc6336407);
  });
  it.each([
    ['IHL 4', { ihl: 4 }, 'Bogus IP header length (16, must be at least 20)'],
    ['total length below the header', { totalLength: 10 }, 'Bogus IP length (10, less than header length 20)'],
  ])('%s', (_, o, info) => {
    const s = one(E4(udp4(new Uint8Array(4), o)));
    expect([s.protocol, s.info]).toEqual(['IPv4', info]);
    expect(s.anomalies[0]?.kind).toBe('malformed');
  });
  it('version 5 under ethertype 0x0800', () => {
    const p = udp4(new Uint8Array(4));
    p[0] = 0x55;
    const s = one(E4(p));
    expect([s.protocol, s.info]).toEqual(['IPv4', 'Bogus IPv4 version (5, must be 4)']);
  });
  it('total length beyond the frame: flagged, clamped, still dissected', () => {
    const s = one(E4(udp4(new Uint8Array(4), { totalLength: 200 })));
    expect(s.info).toBe('1000 → 2000 Len=4');
    expect(s.anomalies[0]?.detail).toBe('IPv4 total length exceeds packet length (32 bytes)');
  });
  it('total length 0 is taken as TSO', () => {
    const s = one(E4(udp4(new Uint8Array(4), { totalLength: 0 })));
    expect(s.info).toBe('1000 → 2000 Len=4');
    expect(s.anomalies.map((a) => a.kind)).toEqual(['note']);
  });
  it('Ethernet padding after the datagram is not payload', () => {
    const f = new Uint8Array(60);
    f.set(E4(udp4(new Uint8Array(2))));
    expect(one(f).payloadLen).toBe(2);
  });
  it('unknown IP protocols are named, protocol column IPv4', () => {
    expect(one(E4(ipv4({ src: A, dst: B, proto: 253 }, new Uint8Array(8)))).info).toBe('Unknown (253)');
    expect(one(E4(ipv4({ src: A, dst: B, proto: 200 }, new Uint8Array(8)))).info).toBe('Unassigned (200)');
    const ospf = one(E4(ipv4({ src: A, dst: B, proto: 89 }, new Uint8Array(8))));
    expect([ospf.protocol, ospf.info, ospf.layers]).toEqual(['OSPF', 'OSPF IGP (89)', 'eth:ethertype:ip:ospf']);
    expect(ospf.ipProto).toBe(89);
  });
});

describe('IPv4 fragments', () => {
  const payload = new Uint8Array(3000).map((_, i) => (i * 7) & 0xff);
  const dgram = udp4(payload, { id: 0x1234 });
  const frags = fragmentIpv4(dgram, 1500).map(E4);

  it('in order: first two are fragments, the third completes the datagram', () => {
    const [s1, s2, s3] = run(frags);
    expect([s1!.protocol, s1!.info]).toEqual(['IPv4', 'Fragmented IP protocol (proto=UDP 17, off=0, ID=1234)']);
    expect(s1!.layers).toBe('eth:ethertype:ip:data');
    expect(s1).toMatchObject({ ipFragment: true, ipReassembled: false, srcPort: -1, ipProto: 17 });
    expect(s2!.info).toBe('Fragmented IP protocol (proto=UDP 17, off=1480, ID=1234)');
    expect([s3!.protocol, s3!.info]).toEqual(['UDP', '1000 → 2000 Len=3000']);
    expect(s3).toMatchObject({ ipReassembled: true, ipFragment: false, srcPort: 1000, dstPort: 2000, payloadOffset: 8, payloadLen: 3000 });
    expect(s3!.payloadData!.subarray(8)).toEqual(payload);
  });
  it('out of order (last first): the frame that fills the last hole completes', () => {
    const st = new DissectState();
    const res = run([frags[2]!, frags[0]!, frags[1]!], st);
    expect(res.map((s) => s.ipReassembled)).toEqual([false, false, true]);
    expect(st.lastReassemblyFrames).toEqual([2, 3, 1]);
    expect(res[2]!.payloadData!.subarray(8)).toEqual(payload);
  });
  it('duplicates are noted and ignored; the datagram still completes once', () => {
    const res = run([frags[0]!, frags[0]!, frags[1]!, frags[2]!]);
    expect(res[1]!.anomalies.map((a) => a.kind)).toEqual(['note']);
    expect(res.map((s) => s.ipReassembled)).toEqual([false, false, false, true]);
  });
  it('overlapping fragments with conflicting bytes: lower offset first wins (as Wireshark), conflict recorded', () => {
    // Fragment A covers 0..15, B (different data) covers 8..31 and is last.
    const body = new Uint8Array(32).fill(0xaa);
    const fa = E4(ipv4({ src: A, dst: B, proto: 253, id: 9, flags: IPV4_MF, fragOffset: 0 }, body.subarray(0, 16)));
    const fb = E4(ipv4({ src: A, dst: B, proto: 253, id: 9, fragOffset: 8 }, new Uint8Array(24).fill(0xbb)));
    const [, sb] = run([fa, fb]);
    expect(sb!.ipReassembled).toBe(true);
    expect(sb!.anomalies.map((a) => a.detail)).toEqual(['conflicting data in fragment overlap at bytes 8-15 (frames 1 and 2)']);
    expect(sb!.info).toBe('Unknown (253)');
  });
  it('a fragment reaching past 65535 bytes is rejected, not buffered', () => {
    const f = E4(ipv4({ src: A, dst: B, proto: 17, id: 5, flags: IPV4_MF, fragOffset: 65528 }, new Uint8Array(16)));
    const st = new DissectState();
    const [s] = run([f], st);
    expect(s!.anomalies[0]?.detail).toMatch(/past the 65535-byte datagram limit/);
    expect(st.ip4Fragments.size).toBe(0);
  });
  it('different IDs, protocols or VLANs are different datagrams', () => {
    const st = new DissectState();
    const other = fragmentIpv4(udp4(payload, { id: 0x9999 }), 1500).map(E4);
    const res = run([frags[0]!, other[1]!, frags[1]!, other[2]!, frags[2]!], st);
    expect(res.map((s) => s.ipReassembled)).toEqual([false, false, false, false, true]);
    expect(st.ip4Fragments.size).toBe(1);
  });
  it('a fragment not fully captured is not reassembled; a first fragment is then dissected as is', () => {
    const s = newSummary();
    const st = new DissectState();
    const first = frags[0]!;
    dissectFrame(first.subarray(0, 100), LINKTYPE.ETHERNET, s, null, st, 1, first.length);
    expect(st.ip4Fragments.size).toBe(0);
    expect(s).toMatchObject({ ipFragment: true, srcPort: 1000, protocol: 'UDP' });
  });
  it('the tree of the completing frame lists the fragments and marks the reassembled source', () => {
    const st = new DissectState();
    run([frags[0]!, frags[1]!], st);
    const tree = dissectTree(frags[2]!, LINKTYPE.ETHERNET, st, 3, { origlen: frags[2]!.length, tsSec: 0, tsNsec: 0 });
    const ip = tree.find((n) => n.field === 'ip')!;
    const fr = ip.children!.find((n) => n.field === 'ip.fragments')!;
    expect(fr.label).toBe('[3 IPv4 Fragments (3008 bytes): #1(1480), #2(1480), #3(48)]');
    const u = tree.find((n) => n.field === 'udp') as SourcedTreeNode;
    expect(u.source).toBe('Reassembled IPv4');
    expect(u.offset).toBe(0);
    expect((ip as SourcedTreeNode).source).toBeUndefined();
  });
});

describe('IPv6', () => {
  const hbh = { type: 0, body: new Uint8Array([5, 2, 0, 0, 1, 0]) };
  it('hop-by-hop + destination options + ICMPv6 echo', () => {
    const f = E6(ipv6({ src: X, dst: Y, nextHeader: 58, extHeaders: [hbh, { type: 60 }] }, icmpv6({ type: 128, code: 0, ident: 0x1234, seq: 7 }, new Uint8Array(8), { src: X, dst: Y })));
    const s = one(f);
    expect(s.layers).toBe('eth:ethertype:ipv6:ipv6.hopopts:ipv6.dstopts:icmpv6');
    expect([s.protocol, s.info]).toEqual(['ICMPv6', 'Echo (ping) request id=0x1234, seq=7, hop limit=64']);
    expect(s).toMatchObject({ l3: 6, ip6Src: X, ip6Dst: Y, ipProto: 58, icmpType: 128 });
  });
  it('routing header and AH before UDP', () => {
    const f = E6(ipv6({ src: X, dst: Y, nextHeader: 17, extHeaders: [{ type: 43, body: new Uint8Array(22) }, { type: 51, body: new Uint8Array(22) }] },
      udp({ sport: 7, dport: 8 }, new Uint8Array(4), { src: X, dst: Y })));
    const s = one(f);
    expect(s.layers).toBe('eth:ethertype:ipv6:ipv6.routing:ah:udp');
    expect(s.ipProto).toBe(17);
    expect(s.info).toBe('7 → 8 Len=4');
  });
  it('no next header', () => {
    const s = one(E6(ipv6({ src: X, dst: Y, nextHeader: 59 }, new Uint8Array(0))));
    expect([s.protocol, s.info]).toEqual(['IPv6', 'IPv6 no next header']);
  });
  it('ESP is named with its SPI', () => {
    const s = one(E6(ipv6({ src: X, dst: Y, nextHeader: 50 }, new Uint8Array([0, 0, 1, 2, 0, 0, 0, 1, 9, 9]))));
    expect([s.protocol, s.info]).toEqual(['ESP', 'ESP (SPI=0x00000102)']);
  });
  it(`an extension-header chain longer than ${MAX_IPV6_EXT_HEADERS} is cut`, () => {
    const exts = Array.from({ length: 40 }, () => ({ type: 60 }));
    const s = one(E6(ipv6({ src: X, dst: Y, nextHeader: 17, extHeaders: exts }, new Uint8Array(8))));
    expect(s.anomalies[0]?.detail).toMatch(/More than 16 IPv6 extension headers/);
  });
  it('an extension header running past the payload is malformed', () => {
    const p = ipv6({ src: X, dst: Y, nextHeader: 17, extHeaders: [{ type: 0 }] }, new Uint8Array(0));
    p[41] = 200;
    const s = one(E6(p));
    expect(s.anomalies[0]).toMatchObject({ kind: 'malformed', layer: 'ipv6' });
    expect(s.l3).toBe(6);
  });
  it('payload length beyond the frame: flagged and clamped', () => {
    const s = one(E6(ipv6({ src: X, dst: Y, nextHeader: 17, payloadLength: 100 }, udp({ sport: 1, dport: 2 }, new Uint8Array(4), { src: X, dst: Y }))));
    expect(s.info).toBe('1 → 2 Len=4');
    expect(s.anomalies[0]?.detail).toBe('IPv6 payload length exceeds framing length (12 bytes)');
  });
  it('payload length 0 makes the upper layer malformed (as tshark)', () => {
    const s = one(E6(ipv6({ src: X, dst: Y, nextHeader: 17, payloadLength: 0 }, udp({ sport: 1, dport: 2 }, new Uint8Array(4), { src: X, dst: Y }))));
    expect([s.protocol, s.info]).toEqual(['IPv6', '[Malformed Packet]']);
  });

  describe('fragments', () => {
    const big = ipv6({ src: X, dst: Y, nextHeader: 17 }, udp({ sport: 53, dport: 3333 }, new Uint8Array(2000).fill(7), { src: X, dst: Y }));
    const frags = fragmentIpv6(big, 1280, 0xabcdef).map(E6);
    it('first fragment, then completion', () => {
      const [s1, s2] = run(frags);
      expect([s1!.protocol, s1!.info]).toEqual(['IPv6', 'IPv6 fragment (off=0 more=y ident=0x00abcdef nxt=17)']);
      expect(s1!.layers).toBe('eth:ethertype:ipv6:ipv6.fraghdr:data');
      expect(s1).toMatchObject({ ipFragment: true, ipProto: 17, srcPort: -1 });
      expect([s2!.protocol, s2!.info]).toEqual(['UDP', '53 → 3333 Len=2000']);
      expect(s2).toMatchObject({ ipReassembled: true, srcPort: 53, ip6Src: X });
    });
    it('reversed order', () => {
      const st = new DissectState();
      const res = run([frags[1]!, frags[0]!], st);
      expect(res[0]!.info).toBe('IPv6 fragment (off=1232 more=n ident=0x00abcdef nxt=17)');
      expect(res[1]!.ipReassembled).toBe(true);
      expect(st.lastReassemblyFrames).toEqual([2, 1]);
    });
    it('an atomic fragment (offset 0, M=0) is just dissected', () => {
      const s = one(E6(ipv6({ src: X, dst: Y, nextHeader: 17, extHeaders: [{ type: 44, frag: { offset: 0, more: false, id: 1 } }] },
        udp({ sport: 1, dport: 2 }, new Uint8Array(0), { src: X, dst: Y }))));
      expect(s.info).toBe('1 → 2 Len=0');
      expect(s.ipFragment).toBe(false);
    });
  });
});

describe('tunnels', () => {
  it('IPv6 in IPv4 (41) and IPv4 in IPv4 (4): inner columns, outer summary, inner in summary.inner', () => {
    const inner6 = ipv6({ src: X, dst: Y, nextHeader: 17 }, udp({ sport: 9, dport: 10 }, new Uint8Array(4), { src: X, dst: Y }));
    const s = one(E4(ipv4({ src: A, dst: B, proto: 41 }, inner6)));
    expect(s.layers).toBe('eth:ethertype:ip:ipv6:udp');
    expect(s.info).toBe('9 → 10 Len=4');
    expect(s).toMatchObject({ l3: 4, ip4Src: 0x0a000001, ipProto: 41, srcPort: -1 });
    expect(s.inner).toMatchObject({ l3: 6, src: X, dst: Y, ipProto: 17, srcPort: 9, dstPort: 10 });
    const in4 = ipv4({ src: '1.1.1.1', dst: '2.2.2.2', proto: 6 }, tcp({ sport: 9, dport: 10, seq: 5, ack: 0, flags: 2 }, new Uint8Array(0), { src: '1.1.1.1', dst: '2.2.2.2' }));
    const t = one(E4(ipv4({ src: A, dst: B, proto: 4 }, in4)));
    expect(t.layers).toBe('eth:ethertype:ip:ip:tcp');
    expect(t.info).toBe('9 → 10 [SYN] Seq=5 Win=65535 Len=0');
    expect(t.tcpFlags).toBe(-1);
    expect(t.inner).toMatchObject({ src: '1.1.1.1', tcpFlags: 2 });
  });
  const gre = (flags: number, proto: number, extra: number[], payload: Uint8Array): Uint8Array => {
    const h = [flags >> 8, flags & 255, proto >> 8, proto & 255, ...extra];
    return new Uint8Array([...h, ...payload]);
  };
  const innerEth = udpFrame({ srcIp: '3.3.3.3', dstIp: '4.4.4.4', sport: 5, dport: 6, payload: new Uint8Array(4) });
  it.each([
    ['IPv4 in GRE', gre(0, 0x0800, [], udp4(new Uint8Array(4))), 'eth:ethertype:ip:gre:ip:udp', '1000 → 2000 Len=4'],
    ['IPv4 in GRE with key', gre(0x2000, 0x0800, [0, 0, 0, 7], udp4(new Uint8Array(4))), 'eth:ethertype:ip:gre:ip:udp', '1000 → 2000 Len=4'],
    ['Ethernet in GRE (0x6558) with checksum, key, sequence', gre(0xb000, 0x6558, [0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 9], innerEth), 'eth:ethertype:ip:gre:eth:ethertype:ip:udp', '5 → 6 Len=4'],
    ['ERSPAN type I', gre(0, 0x88be, [], innerEth), 'eth:ethertype:ip:gre:erspan:eth:ethertype:ip:udp', '5 → 6 Len=4'],
    ['ERSPAN type II', gre(0x1000, 0x88be, [0, 0, 0, 1, 0x10, 6, 0, 6, 0, 0, 0, 0x14], innerEth), 'eth:ethertype:ip:gre:erspan:eth:ethertype:ip:udp', '5 → 6 Len=4'],
    ['ERSPAN type III', gre(0x1000, 0x22eb, [0, 0, 0, 1, 0x20, 6, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0], innerEth), 'eth:ethertype:ip:gre:erspan:eth:ethertype:ip:udp', '5 → 6 Len=4'],
    ['unknown protocol type', gre(0, 0x1234, [], new Uint8Array(8)), 'eth:ethertype:ip:gre:data', 'Encapsulated 0x1234 (unknown)'],
    ['keepalive (type 0, empty)', gre(0, 0, [], new Uint8Array(0)), 'eth:ethertype:ip:gre', 'Encapsulated Possible GRE keepalive packet'],
  ])('GRE: %s (as tshark)', (_, payload, layers, info) => {
    const s = one(E4(ipv4({ src: A, dst: B, proto: 47 }, payload)));
    expect([s.layers, s.info]).toEqual([layers, info]);
    expect(s).toMatchObject({ l3: 4, ipProto: 47, srcPort: -1 });
  });
  it('GRE/ERSPAN: the inner conversation is in summary.inner', () => {
    const s = one(E4(ipv4({ src: A, dst: B, proto: 47 }, gre(0x1000, 0x88be, [0, 0, 0, 1, 0x10, 6, 0, 6, 0, 0, 0, 0x14], innerEth))));
    expect(s.inner).toMatchObject({ l3: 4, src: '3.3.3.3', dst: '4.4.4.4', ipProto: 17, srcPort: 5, dstPort: 6 });
  });
  it('IP-in-IP nested without end is cut at the tunnel limit', () => {
    let p = udp4(new Uint8Array(1));
    for (let i = 0; i < 10; i++) p = ipv4({ src: A, dst: B, proto: 4 }, p);
    const s = one(E4(p));
    expect(s.anomalies[0]?.detail).toMatch(/nested tunnels/);
  });
});
