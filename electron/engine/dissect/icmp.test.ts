/**
 * ICMP and ICMPv6, named by input. Expected Info strings are what tshark 4.0 prints.
 */
import { describe, expect, it } from 'vitest';
import { ether, icmp, icmpv6, ipv4, ipv6, ndLinkAddrOption, ndRaBody, ndTargetBody, tcp, udp, NA_OVERRIDE, NA_ROUTER, NA_SOLICITED } from '../synth/packet.js';
import { dissectFrame, dissectTree, DissectState, LINKTYPE } from './frame.js';
import { newSummary, type FrameSummary } from './types.js';

const M1 = 'aa:bb:cc:dd:ee:01';
const M2 = 'aa:bb:cc:dd:ee:02';
const A = '10.0.0.1';
const B = '10.0.0.2';
const R = '10.9.9.9';
const E4 = (p: Uint8Array): Uint8Array => ether({ src: M1, dst: M2, type: 0x0800 }, p);
const E6 = (p: Uint8Array): Uint8Array => ether({ src: M1, dst: M2, type: 0x86dd }, p);

function dis(data: Uint8Array, origLen?: number): FrameSummary {
  const s = newSummary();
  dissectFrame(data, LINKTYPE.ETHERNET, s, null, new DissectState(), 1, origLen);
  return s;
}

function fieldValues(f: Uint8Array): Record<string, unknown[]> {
  const tree = dissectTree(f, LINKTYPE.ETHERNET, new DissectState(), 1, { origlen: f.length, tsSec: 0, tsNsec: 0 });
  const out: Record<string, unknown[]> = {};
  const walk = (ns: typeof tree): void => {
    for (const n of ns) {
      if (n.field) (out[n.field] ??= []).push(n.value);
      if (n.children) walk(n.children);
    }
  };
  walk(tree);
  return out;
}

describe('ICMP', () => {
  it('echo request: padded type, id, seq in both byte orders, ttl', () => {
    const s = dis(E4(ipv4({ src: A, dst: B, proto: 1 }, icmp({ type: 8, code: 0, ident: 1, seq: 1 }, new Uint8Array(48)))));
    expect([s.protocol, s.info]).toEqual(['ICMP', 'Echo (ping) request  id=0x0001, seq=1/256, ttl=64']);
    expect(s).toMatchObject({ icmpType: 8, icmpCode: 0, srcPort: -1, payloadLen: 48 });
  });
  it('echo reply', () => {
    const s = dis(E4(ipv4({ src: A, dst: B, proto: 1, ttl: 128 }, icmp({ type: 0, code: 0, ident: 0x1234, seq: 256 }, new Uint8Array(8)))));
    expect(s.info).toBe('Echo (ping) reply    id=0x1234, seq=256/1, ttl=128');
  });
  it.each([
    [3, 0, 'Destination unreachable (Network unreachable)'],
    [3, 4, 'Destination unreachable (Fragmentation needed)'],
    [3, 13, 'Destination unreachable (Communication administratively filtered)'],
    [3, 99, 'Destination unreachable (Unknown code: 99)'],
    [11, 0, 'Time-to-live exceeded (Time to live exceeded in transit)'],
    [11, 1, 'Time-to-live exceeded (Fragment reassembly time exceeded)'],
    [5, 1, 'Redirect             (Redirect for host)'],
    [12, 0, 'Parameter problem    (Pointer indicates the error)'],
    [4, 0, 'Source quench (flow control)'],
    [10, 0, 'Router solicitation '],
    [13, 0, 'Timestamp request    id=0x0000, seq=0/0, ttl=64'],
    [17, 0, 'Address mask request id=0x0000, seq=0/0, ttl=64'],
    [99, 0, 'Unknown ICMP (obsolete or malformed?)'],
  ])('type %i code %i', (type, code, info) => {
    const quote = ipv4({ src: B, dst: R, proto: 17, id: 7 }, udp({ sport: 1111, dport: 2222 }, new Uint8Array(20), { src: B, dst: R })).subarray(0, 28);
    expect(dis(E4(ipv4({ src: R, dst: B, proto: 1 }, icmp({ type, code }, quote)))).info).toBe(info);
  });
  it('port unreachable quoting IP/UDP: the summary keeps the outer addresses, the tree has both', () => {
    const quote = ipv4({ src: B, dst: R, proto: 17, id: 7 }, udp({ sport: 1111, dport: 2222 }, new Uint8Array(20), { src: B, dst: R })).subarray(0, 28);
    const f = E4(ipv4({ src: R, dst: B, proto: 1 }, icmp({ type: 3, code: 3 }, quote)));
    const s = dis(f);
    expect([s.protocol, s.info]).toEqual(['ICMP', 'Destination unreachable (Port unreachable)']);
    expect(s.layers).toBe('eth:ethertype:ip:icmp:ip:udp');
    expect(s).toMatchObject({ l3: 4, ip4Src: 0x0a090909, ip4Dst: 0x0a000002, ipProto: 1, srcPort: -1, dstPort: -1, icmpType: 3, icmpCode: 3, inner: null });
    expect(s.anomalies).toEqual([]);
    const fv = fieldValues(f);
    expect(fv['ip.src']).toEqual(['10.9.9.9', '10.0.0.2']);
    expect(fv['udp.srcport']).toEqual([1111]);
    expect(fv['icmp.checksum']).toHaveLength(1);
  });
  it('time exceeded quoting TCP with only 8 bytes of it: ports and sequence, no anomaly', () => {
    const quote = ipv4({ src: B, dst: R, proto: 6 }, tcp({ sport: 1111, dport: 2222, seq: 77, ack: 0, flags: 2 }, new Uint8Array(0), { src: B, dst: R })).subarray(0, 28);
    const f = E4(ipv4({ src: R, dst: B, proto: 1 }, icmp({ type: 11, code: 0 }, quote)));
    const s = dis(f);
    expect(s.info).toBe('Time-to-live exceeded (Time to live exceeded in transit)');
    expect(s.anomalies).toEqual([]);
    expect(s.tcpFlags).toBe(-1);
    const fv = fieldValues(f);
    expect(fv['tcp.srcport']).toEqual([1111]);
    expect(fv['tcp.seq']).toEqual([77]);
  });
  it('a quote cut inside the IP header is not an anomaly', () => {
    const quote = ipv4({ src: B, dst: R, proto: 17 }, new Uint8Array(8)).subarray(0, 10);
    const s = dis(E4(ipv4({ src: R, dst: B, proto: 1 }, icmp({ type: 3, code: 3 }, quote))));
    expect(s.info).toBe('Destination unreachable (Port unreachable)');
    expect(s.anomalies).toEqual([]);
  });
  it('the ICMP checksum is validated in the tree', () => {
    const f = E4(ipv4({ src: A, dst: B, proto: 1 }, icmp({ type: 8, code: 0, ident: 1, seq: 1, checksum: 0x1234 }, new Uint8Array(4))));
    const tree = dissectTree(f, LINKTYPE.ETHERNET, new DissectState(), 1, { origlen: f.length, tsSec: 0, tsNsec: 0 });
    const ic = tree.find((n) => n.field === 'icmp')!;
    expect(ic.children!.find((n) => n.field === 'icmp.checksum')!.label).toMatch(/^Checksum: 0x1234 \[incorrect, should be 0x[0-9a-f]{4}\]$/);
  });
  it('cut after type/code/checksum/ident: the padded type only, as tshark', () => {
    const f = E4(ipv4({ src: A, dst: B, proto: 1 }, icmp({ type: 8, code: 0, ident: 1, seq: 1 }, new Uint8Array(4))));
    expect(dis(f.subarray(0, 40), f.length).info).toBe('Echo (ping) request [Packet size limited during capture]');
    expect(dis(f.subarray(0, 38), f.length).info).toBe('[Packet size limited during capture]');
  });
});

describe('ICMPv6', () => {
  const LL = 'fe80::1';
  const LL2 = 'fe80::2';
  const SN = 'ff02::1:ff00:2';
  const v6 = (src: string, dst: string, msg: Parameters<typeof icmpv6>[0], body: Uint8Array, hop = 255): Uint8Array =>
    E6(ipv6({ src, dst, nextHeader: 58, hopLimit: hop }, icmpv6(msg, body, { src, dst })));
  it.each([
    ['echo request', v6('2001:db8::1', '2001:db8::2', { type: 128, code: 0, ident: 0x1234, seq: 7 }, new Uint8Array(8), 64), 'Echo (ping) request id=0x1234, seq=7, hop limit=64'],
    ['neighbor solicitation with source link-layer address', v6(LL, SN, { type: 135, code: 0 }, ndTargetBody(LL2, ndLinkAddrOption(1, M1))), 'Neighbor Solicitation for fe80::2 from aa:bb:cc:dd:ee:01'],
    ['neighbor solicitation for DAD (no option)', v6('::', SN, { type: 135, code: 0 }, ndTargetBody(LL2)), 'Neighbor Solicitation for fe80::2'],
    ['neighbor advertisement rtr/sol/ovr with target address', v6(LL2, LL, { type: 136, code: 0, rest: NA_ROUTER | NA_SOLICITED | NA_OVERRIDE }, ndTargetBody(LL2, ndLinkAddrOption(2, M2))), 'Neighbor Advertisement fe80::2 (rtr, sol, ovr) is at aa:bb:cc:dd:ee:02'],
    ['neighbor advertisement, no flags, no option', v6(LL2, LL, { type: 136, code: 0 }, ndTargetBody(LL2)), 'Neighbor Advertisement fe80::2 (none)'],
    ['neighbor advertisement, sol only', v6(LL2, LL, { type: 136, code: 0, rest: NA_SOLICITED }, ndTargetBody(LL2)), 'Neighbor Advertisement fe80::2 (sol)'],
    ['router solicitation', v6(LL, 'ff02::2', { type: 133, code: 0 }, ndLinkAddrOption(1, M1)), 'Router Solicitation from aa:bb:cc:dd:ee:01'],
    ['router advertisement', v6(LL, 'ff02::1', { type: 134, code: 0, rest: (64 << 24) | 1800 }, ndRaBody(0, 0, ndLinkAddrOption(1, M1))), 'Router Advertisement from aa:bb:cc:dd:ee:01'],
    ['MLD query', v6(LL, 'ff02::1', { type: 130, code: 0, rest: 1000 << 16 }, new Uint8Array(16), 1), 'Multicast Listener Query'],
    ['MLD report', v6(LL, 'ff02::1', { type: 131, code: 0 }, ndTargetBody('ff02::fb'), 1), 'Multicast Listener Report'],
    ['MLD done', v6(LL, 'ff02::1', { type: 132, code: 0 }, ndTargetBody('ff02::fb'), 1), 'Multicast Listener Done'],
    ['MLDv2 report with one record', v6(LL, 'ff02::16', { type: 143, code: 0, rest: 1 }, new Uint8Array([4, 0, 0, 0, 0xff, 2, ...new Array<number>(13).fill(0), 0xfb]), 1), 'Multicast Listener Report Message v2'],
    ['unknown type', v6(LL2, LL, { type: 5, code: 0 }, new Uint8Array(24)), 'Unknown (5)'],
  ])('%s', (_, f, info) => {
    const s = dis(f);
    expect([s.protocol, s.info]).toEqual(['ICMPv6', info]);
    expect(s.anomalies).toEqual([]);
  });
  it('errors quote the packet: destination unreachable / port, parameter problem', () => {
    const X = '2001:db8::1';
    const Y = '2001:db8::2';
    const q = ipv6({ src: X, dst: Y, nextHeader: 17 }, udp({ sport: 5, dport: 6 }, new Uint8Array(4), { src: X, dst: Y }));
    const s = dis(v6(Y, X, { type: 1, code: 4 }, q));
    expect(s.info).toBe('Destination Unreachable (Port unreachable)');
    expect(s.layers).toBe('eth:ethertype:ipv6:icmpv6:ipv6:udp');
    expect(s).toMatchObject({ ip6Src: Y, ip6Dst: X, srcPort: -1, icmpType: 1 });
    expect(dis(v6(Y, X, { type: 4, code: 1 }, q)).info).toBe('Parameter Problem (unrecognized Next Header type encountered)');
    expect(dis(v6(Y, X, { type: 2, code: 0, rest: 1280 }, q)).info).toBe('Packet Too Big');
  });
  it('an error with an empty quote is malformed (as tshark)', () => {
    const s = dis(v6('fe80::2', 'fe80::1', { type: 1, code: 0 }, new Uint8Array(0)));
    expect(s.info).toBe('Destination Unreachable (no route to destination)[Malformed Packet]');
  });
  it('an ND option of length 0 is malformed and ends the options (RFC 4861 §4.6)', () => {
    const s = dis(v6(LL, SN, { type: 135, code: 0 }, ndTargetBody(LL2, new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0]))));
    expect(s.info).toBe('Neighbor Solicitation for fe80::2');
    expect(s.anomalies[0]?.detail).toBe('Invalid option length (Zero)');
  });
  it('the ICMPv6 checksum (pseudo-header) is validated in the tree', () => {
    const f = v6(LL, SN, { type: 135, code: 0 }, ndTargetBody(LL2, ndLinkAddrOption(1, M1)));
    const tree = dissectTree(f, LINKTYPE.ETHERNET, new DissectState(), 1, { origlen: f.length, tsSec: 0, tsNsec: 0 });
    const ic = tree.find((n) => n.field === 'icmpv6')!;
    expect(ic.children!.find((n) => n.field === 'icmpv6.checksum')!.label).toMatch(/\[correct\]$/);
    expect(ic.children!.find((n) => n.field === 'icmpv6.nd.ns.target_address')!.value).toBe('fe80::2');
  });
});
