/**
 * Hostile input: truncation at every length, random bytes into every link type, mutated
 * valid frames, fragment floods. Properties: dissectFrame never throws, only the reader's
 * two errors become anomalies (never "dissector error"), what was fully captured is
 * still summarised correctly, and reassembly memory stays bounded.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ether, fragmentIpv4, fragmentIpv6, icmp, icmpv6, ipv4, ipv6, ndLinkAddrOption, ndTargetBody, nullLoopback, sll, sll2, tcpFrame, udp, udpFrame, vxlan,
  TCP_ACK, TCP_PSH, TCP_SYN, IPV4_MF,
} from '../synth/packet.js';
import { dissectFrame, dissectTree, DissectState, LINKTYPE } from './frame.js';
import { FRAG_TIMEOUT_SEC, MAX_FRAGMENTS_PER_DATAGRAM, MAX_PENDING_BYTES, MAX_PENDING_DATAGRAMS } from './reassembly.js';
import { tcpInfo } from './tcp.js';
import { newSummary, type FrameSummary } from './types.js';

const ALL_LINKTYPES = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 147];
const A = '10.0.0.1';
const B = '10.0.0.2';

const SYN = tcpFrame({
  srcIp: A, dstIp: B, sport: 51234, dport: 80, seq: 1000, ack: 0, flags: TCP_SYN, win: 64240, vlan: [7],
  options: [{ kind: 'mss', value: 1460 }, { kind: 'sackPerm' }, { kind: 'ts', val: 123, ecr: 0 }, { kind: 'nop' }, { kind: 'wscale', shift: 7 }],
});
const DATA = tcpFrame({ srcIp: A, dstIp: B, sport: 51234, dport: 80, seq: 1001, ack: 7, flags: TCP_PSH | TCP_ACK, payload: new Uint8Array(40).fill(0x41) });

/** Dissect and check the invariants every frame must satisfy. */
function check(data: Uint8Array, linktype: number, origLen?: number, state = new DissectState()): FrameSummary {
  const s = newSummary();
  expect(() => dissectFrame(data, linktype, s, null, state, 1, origLen)).not.toThrow();
  for (const a of s.anomalies) {
    expect(a.detail).not.toMatch(/dissector error/);
    expect(['truncated', 'malformed', 'unsupported', 'note']).toContain(a.kind);
    expect(a.offset).toBeGreaterThanOrEqual(0);
  }
  if (s.infoTail) expect(s.info.endsWith(s.infoTail)).toBe(true);
  expect(() => tcpInfo(s, 17, 42, { windowScale: 3 })).not.toThrow();
  return s;
}

describe('a TCP/IPv4/802.1Q/Ethernet SYN cut at every length', () => {
  for (const snap of [true, false]) {
    it(snap ? 'snaplen cut (origLen = full length): truncated' : 'short on the wire (origLen = captured): malformed', () => {
      for (let n = 0; n < SYN.length; n++) {
        const s = check(SYN.subarray(0, n), LINKTYPE.ETHERNET, snap ? SYN.length : undefined);
        // Something is always reported for a frame cut before its end.
        expect(s.anomalies.length).toBeGreaterThan(0);
        expect(s.anomalies.some((a) => a.kind === (snap ? 'truncated' : 'malformed'))).toBe(true);
        expect(s.infoTail).toBe(snap ? '[Packet size limited during capture]' : s.infoTail);
        // Layers fully captured are still summarised right.
        if (n >= 14) expect([s.ethDst, s.ethSrc]).toEqual([0x020000000002, 0x020000000001]);
        else expect(s.ethSrc).toBe(-1);
        if (n >= 16) expect(s.vlanId).toBe(7);
        if (n >= 38) expect(s).toMatchObject({ l3: 4, ip4Src: 0x0a000001, ip4Dst: 0x0a000002, ipProto: 6 });
        else expect(s.l3).toBe(0);
        if (n >= 58) expect(s).toMatchObject({ srcPort: 51234, dstPort: 80, tcpFlags: TCP_SYN, tcpSeq: 1000, tcpWin: 64240, tcpHdrLen: 40 });
        else expect(s.srcPort).toBe(-1);
        // The pipeline's rebuild agrees with the dissector.
        expect(tcpInfo(s, 0, 0)).toBe(s.info);
        // The tree path survives the same cut.
        const t = dissectTree(SYN.subarray(0, n), LINKTYPE.ETHERNET, new DissectState(), 1, { origlen: snap ? SYN.length : n, tsSec: 0, tsNsec: 0 });
        const kinds: string[] = [];
        const walk = (ns: typeof t): void => {
          for (const x of ns) {
            if (x.anomaly) kinds.push(x.anomaly);
            if (x.children) walk(x.children);
          }
        };
        walk(t);
        expect(kinds).toContain(snap ? 'truncated' : 'malformed');
      }
      expect(check(SYN, LINKTYPE.ETHERNET).anomalies).toEqual([]);
    });
  }
  it('Protocol/Info at a few lengths match tshark 4.0', () => {
    const at = (n: number): string => {
      const s = check(SYN.subarray(0, n), LINKTYPE.ETHERNET, SYN.length);
      return `${s.protocol}|${s.info}`;
    };
    const tail = '[Packet size limited during capture]';
    expect(at(10)).toBe(`Ethernet|${tail}`);
    expect(at(15)).toBe(`VLAN|${tail}`);
    expect(at(30)).toBe(`IPv4|${tail}`);
    expect(at(40)).toBe(`IPv4|${tail}`);
    expect(at(45)).toBe(`TCP|51234 → 80${tail}`);
    expect(at(55)).toBe(`TCP|51234 → 80 [SYN] Seq=1000 Win=64240${tail}`);
    expect(at(58)).toBe(`TCP|51234 → 80 [SYN] Seq=1000 Win=64240 Len=0${tail}`);
    expect(at(62)).toBe(`TCP|51234 → 80 [SYN] Seq=1000 Win=64240 Len=0 ${'MSS=1460'}${tail}`);
    expect(at(77)).toBe(`TCP|51234 → 80 [SYN] Seq=1000 Win=64240 Len=0 MSS=1460 SACK_PERM TSval=123 TSecr=0${tail}`);
  });
  it('a data segment cut in its payload keeps every header field and the on-wire length', () => {
    const s = check(DATA.subarray(0, 60), LINKTYPE.ETHERNET, DATA.length);
    expect(s.anomalies).toEqual([]);
    expect(s.info).toBe('51234 → 80 [PSH, ACK] Seq=1001 Ack=7 Win=65535 Len=40');
    expect([s.l4Len, s.payloadLen]).toEqual([40, 6]);
  });
});

/** mulberry32: a tiny seeded PRNG so failures replay. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Valid frames of every kind, per link type, to mutate. */
const SEEDS: [number, Uint8Array][] = (() => {
  const X = '2001:db8::1';
  const Y = '2001:db8::2';
  const u4 = ipv4({ src: A, dst: B, proto: 17 }, udp({ sport: 1, dport: 2 }, new Uint8Array(12), { src: A, dst: B }));
  const u6 = ipv6({ src: X, dst: Y, nextHeader: 17, extHeaders: [{ type: 0 }, { type: 60 }] }, udp({ sport: 1, dport: 2 }, new Uint8Array(12), { src: X, dst: Y }));
  const inner = tcpFrame({ srcIp: '192.168.0.1', dstIp: '192.168.0.2', sport: 1, dport: 2, seq: 1, ack: 1, flags: TCP_ACK, payload: new Uint8Array(3) });
  const quote = ipv4({ src: B, dst: A, proto: 17 }, udp({ sport: 3, dport: 4 }, new Uint8Array(20), { src: B, dst: A })).subarray(0, 28);
  const out: [number, Uint8Array][] = [
    [1, SYN],
    [1, DATA],
    [1, udpFrame({ srcIp: A, dstIp: B, sport: 50000, dport: 4789, payload: vxlan({ vni: 5 }, inner) })],
    [1, ether({ src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02', type: 0x0800 }, ipv4({ src: A, dst: B, proto: 1 }, icmp({ type: 3, code: 3 }, quote)))],
    [1, ether({ src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02', type: 0x86dd }, ipv6({ src: 'fe80::1', dst: 'ff02::1:ff00:2', nextHeader: 58 }, icmpv6({ type: 135, code: 0 }, ndTargetBody('fe80::2', ndLinkAddrOption(1, '02:00:00:00:00:01')), { src: 'fe80::1', dst: 'ff02::1:ff00:2' })))],
    [1, ether({ src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02', type: 0x86dd }, u6)],
    [113, sll({ pkttype: 0, addr: '02:00:00:00:00:01', protocol: 0x0800 }, u4)],
    [276, sll2({ pkttype: 4, protocol: 0x86dd }, u6)],
    [0, nullLoopback(2, u4)],
    [108, nullLoopback(24, u6, 'be')],
    [101, u4],
    [12, u6],
    [14, u4],
    [228, u4],
    [229, u6],
  ];
  for (const f of fragmentIpv4(ipv4({ src: A, dst: B, proto: 17, id: 3 }, udp({ sport: 5, dport: 6 }, new Uint8Array(200), { src: A, dst: B })), 68)) {
    out.push([1, ether({ src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02', type: 0x0800 }, f)]);
  }
  for (const f of fragmentIpv6(ipv6({ src: X, dst: Y, nextHeader: 17 }, udp({ sport: 5, dport: 6 }, new Uint8Array(200), { src: X, dst: Y })), 120, 9)) {
    out.push([1, ether({ src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02', type: 0x86dd }, f)]);
  }
  return out;
})();

describe('random and mutated bytes', () => {
  it('seeded random bytes into every link type (fast path and tree path)', () => {
    const rnd = prng(0x7ace);
    const state = new DissectState();
    for (let i = 0; i < 6000; i++) {
      const len = Math.floor(rnd() * 120);
      const data = new Uint8Array(len);
      for (let k = 0; k < len; k++) data[k] = Math.floor(rnd() * 256);
      // Bias towards plausible headers so the deeper layers get exercised too.
      if (len > 20 && rnd() < 0.5) data[14] = 0x45;
      if (len > 14 && rnd() < 0.5) {
        data[12] = 0x08;
        data[13] = 0x00;
      }
      const lt = ALL_LINKTYPES[i % ALL_LINKTYPES.length]!;
      check(data, lt, rnd() < 0.5 ? len : len + Math.floor(rnd() * 100), state);
      if (i % 10 === 0) expect(() => dissectTree(data, lt, state, i, { origlen: len, tsSec: 0, tsNsec: 0 })).not.toThrow();
    }
  });
  it('seeded byte flips of valid frames of every kind', () => {
    const rnd = prng(42);
    const state = new DissectState();
    for (let i = 0; i < 8000; i++) {
      const [lt, seed] = SEEDS[i % SEEDS.length]!;
      const data = seed.slice();
      const flips = 1 + Math.floor(rnd() * 4);
      for (let k = 0; k < flips; k++) data[Math.floor(rnd() * data.length)] = Math.floor(rnd() * 256);
      const cut = rnd() < 0.3 ? Math.floor(rnd() * data.length) : data.length;
      check(data.subarray(0, cut), lt, data.length, state);
      if (i % 8 === 0) expect(() => dissectTree(data.subarray(0, cut), lt, state, i, { origlen: data.length, tsSec: 0, tsNsec: 0 })).not.toThrow();
    }
  });
  it('fast-check: arbitrary bytes, any link type, any orig length', () => {
    const state = new DissectState();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom(...ALL_LINKTYPES), fc.nat(300), (bytes, lt, extra) => {
        check(bytes, lt, bytes.length + extra, state);
        const t = dissectTree(bytes, lt, state, 1, { origlen: bytes.length + extra, tsSec: 0, tsNsec: 0 });
        expect(t[0]!.field).toBe('frame');
      }),
      { numRuns: 1500, seed: 20231114 },
    );
  });
  it('fast-check: mutated valid frames', () => {
    const state = new DissectState();
    fc.assert(
      fc.property(fc.nat(SEEDS.length - 1), fc.array(fc.tuple(fc.nat(4000), fc.nat(255)), { maxLength: 6 }), fc.nat(4000), (idx, muts, cut) => {
        const [lt, seed] = SEEDS[idx]!;
        const data = seed.slice();
        for (const [pos, v] of muts) data[pos % data.length] = v;
        check(data.subarray(0, Math.min(cut, data.length)), lt, data.length, state);
      }),
      { numRuns: 3000, seed: 7 },
    );
  });
});

describe('reassembly memory stays bounded', () => {
  const frag = (id: number, off: number, n: number, more = true): Uint8Array =>
    ether({ src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02', type: 0x0800 }, ipv4({ src: A, dst: B, proto: 17, id, flags: more ? IPV4_MF : 0, fragOffset: off }, new Uint8Array(n)));
  it(`a flood of first fragments keeps at most ${MAX_PENDING_DATAGRAMS} datagrams, oldest evicted`, () => {
    const state = new DissectState();
    for (let i = 0; i < MAX_PENDING_DATAGRAMS + 500; i++) check(frag(i & 0xffff, 0, 8), 1, undefined, state);
    expect(state.ip4Fragments.size).toBe(MAX_PENDING_DATAGRAMS);
    expect(state.ip4Fragments.evicted).toBe(500);
    // Datagram 0 was evicted: its tail alone does not complete anything.
    const s = check(frag(0, 8, 8, false), 1, undefined, state);
    expect(s.ipReassembled).toBe(false);
    // The newest one still completes.
    const last = MAX_PENDING_DATAGRAMS + 499;
    expect(check(frag(last, 8, 8, false), 1, undefined, state).ipReassembled).toBe(true);
  });
  it('pending bytes are capped', () => {
    const state = new DissectState();
    for (let i = 0; i < 1200; i++) check(frag(i, 0, 1480), 1, undefined, state);
    expect(state.ip4Fragments.pendingBytes).toBeLessThanOrEqual(MAX_PENDING_BYTES);
    expect(state.ip4Fragments.pendingBytes).toBe(state.ip4Fragments.size * 1480);
  });
  it(`more than ${MAX_FRAGMENTS_PER_DATAGRAM} fragments for one datagram abandons it`, () => {
    const state = new DissectState();
    let last: FrameSummary | null = null;
    for (let i = 0; i <= MAX_FRAGMENTS_PER_DATAGRAM; i++) last = check(frag(77, 0, 8), 1, undefined, state);
    expect(last!.anomalies.some((a) => /reassembly abandoned/.test(a.detail))).toBe(true);
    expect(state.ip4Fragments.size).toBe(0);
  });
  it(`datagrams older than ${FRAG_TIMEOUT_SEC} s (when the time is known) are dropped`, () => {
    const state = new DissectState();
    state.now = 1000;
    check(frag(1, 0, 8), 1, undefined, state);
    state.now = 1000 + FRAG_TIMEOUT_SEC + 1;
    const s = check(frag(1, 8, 8, false), 1, undefined, state);
    expect(s.ipReassembled).toBe(false);
    state.now = 2000;
    check(frag(2, 0, 8), 1, undefined, state);
    state.now = 2010;
    expect(check(frag(2, 8, 8, false), 1, undefined, state).ipReassembled).toBe(true);
  });
  it('reset() forgets pending fragments', () => {
    const state = new DissectState();
    check(frag(1, 0, 8), 1, undefined, state);
    state.reset();
    expect(state.ip4Fragments.size).toBe(0);
  });
});
