/**
 * TCP and UDP (and VXLAN over UDP), named by input. Expected Info strings are what
 * tshark 4.0 prints with relative sequence numbers and window scaling off.
 */
import { describe, expect, it } from 'vitest';
import { ether, ipv4, tcp, tcpFrame, udp, udpFrame, vxlan, TCP_ACK, TCP_CWR, TCP_ECE, TCP_FIN, TCP_NS, TCP_PSH, TCP_RST, TCP_SYN, TCP_URG } from '../synth/packet.js';
import { dissectFrame, dissectTree, DissectState, LINKTYPE } from './frame.js';
import { tcpFlagsText, tcpInfo } from './tcp.js';
import { newSummary, type FrameSummary } from './types.js';

const A = '10.0.0.1';
const B = '10.0.0.2';
const M1 = 'aa:bb:cc:dd:ee:01';
const M2 = 'aa:bb:cc:dd:ee:02';

function dis(data: Uint8Array, origLen?: number): FrameSummary {
  const s = newSummary();
  dissectFrame(data, LINKTYPE.ETHERNET, s, null, new DissectState(), 1, origLen);
  return s;
}

const synOpts = [
  { kind: 'mss' as const, value: 1460 },
  { kind: 'sackPerm' as const },
  { kind: 'ts' as const, val: 123, ecr: 0 },
  { kind: 'nop' as const },
  { kind: 'wscale' as const, shift: 7 },
];
const SYN = tcpFrame({ srcIp: A, dstIp: B, sport: 51234, dport: 80, seq: 1000, ack: 0, flags: TCP_SYN, win: 64240, options: synOpts });

/** Ethernet/IPv4/TCP with a hand-made TCP segment (for lying headers). */
function rawTcp(o: Parameters<typeof tcp>[0], payload = new Uint8Array(0)): Uint8Array {
  return ether({ src: M1, dst: M2, type: 0x0800 }, ipv4({ src: A, dst: B, proto: 6 }, tcp(o, payload, { src: A, dst: B })));
}
const base = { sport: 1000, dport: 80, seq: 1, ack: 2, flags: TCP_PSH | TCP_ACK };

describe('TCP', () => {
  it('SYN with every common option: Info and summary', () => {
    const s = dis(SYN);
    expect([s.protocol, s.info]).toEqual(['TCP', '51234 → 80 [SYN] Seq=1000 Win=64240 Len=0 MSS=1460 SACK_PERM TSval=123 TSecr=0 WS=128']);
    expect(s).toMatchObject({ srcPort: 51234, dstPort: 80, tcpFlags: 2, tcpSeq: 1000, tcpAck: 0, tcpWin: 64240, tcpHdrLen: 40, l4Len: 0, l4Offset: 34, payloadOffset: 74, payloadLen: 0 });
    expect(s.layers).toBe('eth:ethertype:ip:tcp');
  });
  it('every flag incl. AE (NS), URG pointer and SACK blocks', () => {
    const f = tcpFrame({
      srcIp: A, dstIp: B, sport: 51234, dport: 80, seq: 1001, ack: 5001,
      flags: TCP_FIN | TCP_RST | TCP_PSH | TCP_ACK | TCP_URG | TCP_CWR | TCP_NS, win: 502, payload: new Uint8Array(10),
      options: [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'sack', blocks: [[100, 200], [300, 400]] }],
    });
    expect(dis(f).info).toBe('51234 → 80 [FIN, RST, PSH, ACK, URG, CWR, AE] Seq=1001 Ack=5001 Win=502 Urg=0 Len=10 SLE=100 SRE=200 SLE=300 SRE=400');
  });
  it('ECN setup SYN, no flags, reserved bits only', () => {
    expect(tcpFlagsText(TCP_SYN | TCP_ECE | TCP_CWR)).toBe('SYN, ECE, CWR');
    expect(tcpFlagsText(0)).toBe('<None>');
    expect(dis(rawTcp({ ...base, flags: 0x200 })).info).toBe('1000 → 80 [<None>] Seq=1 Win=65535 Len=0');
  });
  it('window scale above 14 shows as 16384 (RFC 7323 §2.3); TFO cookie request', () => {
    expect(dis(rawTcp({ ...base, flags: TCP_SYN, options: [{ kind: 'wscale', shift: 15 }] })).info).toBe('1000 → 80 [SYN] Seq=1 Win=65535 Len=0 WS=16384');
    expect(dis(rawTcp({ ...base, options: new Uint8Array([34, 2, 1, 1]) })).info).toBe('1000 → 80 [PSH, ACK] Seq=1 Ack=2 Win=65535 Len=0 TFO=R');
  });
  it('data offset 3 (lying, below 20 bytes): bogus header length, malformed', () => {
    const s = dis(rawTcp({ ...base, dataOffset: 3 }));
    expect(s.info).toBe('1000 → 80 [PSH, ACK] Seq=1 Ack=2 Win=65535, bogus TCP header length (12, must be at least 20)');
    expect(s.anomalies[0]).toMatchObject({ kind: 'malformed', layer: 'tcp', offset: 46 });
    expect(s.srcPort).toBe(1000);
    expect(tcpInfo(s, 0, 0)).toBe(s.info);
  });
  it('data offset 15 (lying, beyond the segment): short segment, malformed as tshark', () => {
    const s = dis(rawTcp({ ...base, dataOffset: 15 }, new Uint8Array(10)));
    expect(s.info).toBe('1000 → 80 [PSH, ACK] Seq=1 Ack=2 Win=65535[Malformed Packet]');
    expect(s.anomalies.map((a) => a.kind)).toEqual(['malformed', 'malformed']);
    expect(tcpInfo(s, 0, 0)).toBe(s.info);
  });
  it.each([
    ['window scale with length 1', [2, 4, 5, 180, 3, 1, 7, 0], '1000 → 80 [PSH, ACK] Seq=1 Ack=2 Win=65535 Len=0 MSS=1460', 'Window scale (with too-short option length = 1 byte)'],
    ['MSS with length 40', [2, 40, 5, 180], '1000 → 80 [PSH, ACK] Seq=1 Ack=2 Win=65535 Len=0', 'Maximum segment size (option length = 40 bytes says option goes past end of options)'],
    ['MSS with length 3', [2, 3, 5, 180], '1000 → 80 [PSH, ACK] Seq=1 Ack=2 Win=65535 Len=0', 'Maximum segment size: option length should be 4'],
  ])('option lies: %s', (_, bytes, info, detail) => {
    const s = dis(rawTcp({ ...base, options: new Uint8Array(bytes) }));
    expect(s.info).toBe(info);
    expect(s.anomalies[0]?.detail).toBe(detail);
    expect(tcpInfo(s, 0, 0)).toBe(info);
  });
  it('a SACK option whose length is not 2 + 8n is malformed (tshark: "[Malformed Packet]")', () => {
    const s = dis(rawTcp({ ...base, options: new Uint8Array([5, 7, 0, 0, 0, 1, 0, 0, 0, 2, 1, 1]) }));
    expect(s.info).toBe('1000 → 80 [PSH, ACK] Seq=1 Ack=2 Win=65535 Len=0[Malformed Packet]');
  });
  it('EOL ends the options', () => {
    expect(dis(rawTcp({ ...base, options: new Uint8Array([0, 2, 4, 5, 180, 0, 0, 0]) })).info).toBe('1000 → 80 [PSH, ACK] Seq=1 Ack=2 Win=65535 Len=0');
  });
  it('cut inside the options: partial Info exactly as tshark', () => {
    // 78-byte SYN; cut at 64 bytes: MSS and SACK_PERM are complete, the timestamps are not.
    const s = dis(SYN.subarray(0, 64), SYN.length);
    expect(s.info).toBe('51234 → 80 [SYN] Seq=1000 Win=64240 Len=0 MSS=1460 SACK_PERM[Packet size limited during capture]');
    expect(s.infoTail).toBe('[Packet size limited during capture]');
    expect(tcpInfo(s, 0, 0)).toBe(s.info);
  });
  it('cut inside the fixed header after the ports', () => {
    expect(dis(SYN.subarray(0, 40), SYN.length).info).toBe('51234 → 80[Packet size limited during capture]');
    expect(dis(SYN.subarray(0, 50), SYN.length).info).toBe('51234 → 80 [SYN] Seq=1000 Win=64240[Packet size limited during capture]');
  });
});

describe('tcpInfo (relative numbers for the pipeline)', () => {
  it('bases 0 reproduce the dissector\'s Info', () => {
    const s = dis(SYN);
    expect(tcpInfo(s, 0, 0)).toBe(s.info);
  });
  it('relative Seq/Ack and SACK edges, window scaling only outside SYNs, analysis prefix', () => {
    const f = tcpFrame({ srcIp: A, dstIp: B, sport: 1, dport: 2, seq: 5000, ack: 9001, flags: TCP_ACK, win: 502, options: [{ kind: 'sack', blocks: [[9101, 9201]] }] });
    const s = dis(f);
    expect(tcpInfo(s, 4999, 9000, { windowScale: 7 })).toBe('1 → 2 [ACK] Seq=1 Ack=1 Win=64256 Len=0 SLE=101 SRE=201');
    expect(tcpInfo(s, 4999, 9000, { prefix: '[TCP Dup ACK 1#1] ' })).toBe('[TCP Dup ACK 1#1] 1 → 2 [ACK] Seq=1 Ack=1 Win=502 Len=0 SLE=101 SRE=201');
    expect(tcpInfo(dis(SYN), 1000, 0, { windowScale: 7 })).toBe('51234 → 80 [SYN] Seq=0 Win=64240 Len=0 MSS=1460 SACK_PERM TSval=123 TSecr=0 WS=128');
  });
  it('sequence numbers wrap modulo 2^32', () => {
    const s = dis(tcpFrame({ srcIp: A, dstIp: B, sport: 1, dport: 2, seq: 5, ack: 0, flags: TCP_PSH, payload: new Uint8Array(1) }));
    expect(tcpInfo(s, 0xfffffffe, 0)).toBe('1 → 2 [PSH] Seq=7 Win=65535 Len=1');
  });
  it('non-TCP frames: returns the Info unchanged', () => {
    const s = dis(udpFrame({ srcIp: A, dstIp: B, sport: 1, dport: 2 }));
    expect(tcpInfo(s, 5, 5)).toBe(s.info);
  });
});

describe('UDP', () => {
  const u = (o: Parameters<typeof udp>[0], n = 4): Uint8Array =>
    ether({ src: M1, dst: M2, type: 0x0800 }, ipv4({ src: A, dst: B, proto: 17 }, udp(o, new Uint8Array(n), { src: A, dst: B })));
  it('plain: "53 → 51234 Len=32"', () => {
    const s = dis(udpFrame({ srcIp: A, dstIp: B, sport: 53, dport: 51234, payload: new Uint8Array(32) }));
    expect([s.protocol, s.info]).toEqual(['UDP', '53 → 51234 Len=32']);
    expect(s).toMatchObject({ srcPort: 53, dstPort: 51234, l4Len: 32, payloadLen: 32, tcpFlags: -1 });
  });
  it('length larger than the IP payload: flagged as tshark, payload is what IP carries', () => {
    const s = dis(u({ sport: 1, dport: 2, length: 100 }));
    expect(s.info).toBe('1 → 2 [BAD UDP LENGTH 100 > IP PAYLOAD LENGTH] Len=92');
    expect(s.anomalies[0]).toMatchObject({ kind: 'malformed', layer: 'udp', detail: 'Bad length value 100 > IP payload length' });
    expect(s.payloadLen).toBe(4);
  });
  it('length below 8: flagged, stops', () => {
    const s = dis(u({ sport: 1, dport: 2, length: 4 }));
    expect(s.info).toBe('1 → 2 [BAD UDP LENGTH 4 < 8]');
    expect(s.anomalies[0]?.kind).toBe('malformed');
    expect(s.payloadLen).toBe(0);
  });
  it('length shorter than the IP payload: the rest is a trailer', () => {
    const s = dis(u({ sport: 1, dport: 2, length: 10 }));
    expect(s.info).toBe('1 → 2 Len=2');
    expect(s.payloadLen).toBe(2);
    expect(s.anomalies).toEqual([]);
  });
  it('cut after the length field', () => {
    const f = udpFrame({ srcIp: A, dstIp: B, sport: 53, dport: 5000, payload: new Uint8Array(4) });
    expect(dis(f.subarray(0, 40), f.length).info).toBe('53 → 5000 Len=4[Packet size limited during capture]');
    expect(dis(f.subarray(0, 38), f.length).info).toBe('53 → 5000[Packet size limited during capture]');
  });
});

describe('VXLAN', () => {
  const inner = tcpFrame({ srcIp: '192.168.0.1', dstIp: '192.168.0.2', sport: 1234, dport: 8080, seq: 1, ack: 1, flags: TCP_PSH | TCP_ACK, payload: new Uint8Array(3), srcMac: M1, dstMac: M2 });
  const f = udpFrame({ srcIp: A, dstIp: B, sport: 55555, dport: 4789, payload: vxlan({ vni: 42 }, inner) });
  it('dissects the inner frame: columns from inside, summary from outside', () => {
    const s = dis(f);
    expect(s.layers).toBe('eth:ethertype:ip:udp:vxlan:eth:ethertype:ip:tcp');
    expect([s.protocol, s.info]).toEqual(['TCP', '1234 → 8080 [PSH, ACK] Seq=1 Ack=1 Win=65535 Len=3']);
    expect(s).toMatchObject({ l3: 4, ip4Src: 0x0a000001, ip4Dst: 0x0a000002, srcPort: 55555, dstPort: 4789, ipProto: 17, tcpFlags: -1, ethSrc: 0x020000000001 });
    expect(s.inner).toMatchObject({ l3: 4, src: '192.168.0.1', dst: '192.168.0.2', ipProto: 6, srcPort: 1234, dstPort: 8080, tcpFlags: 0x18, payloadLen: 3 });
    expect(s.payloadData![s.inner!.payloadOffset]).toBe(0);
  });
  it('the tree holds the VNI and both IP headers (inner addresses as more ip.src occurrences)', () => {
    const tree = dissectTree(f, LINKTYPE.ETHERNET, new DissectState(), 1, { origlen: f.length, tsSec: 0, tsNsec: 0 });
    const fields: Record<string, unknown[]> = {};
    const walk = (ns: typeof tree): void => {
      for (const n of ns) {
        if (n.field) (fields[n.field] ??= []).push(n.value);
        if (n.children) walk(n.children);
      }
    };
    walk(tree);
    expect(fields['vxlan.vni']).toEqual([42]);
    expect(fields['ip.src']).toEqual(['10.0.0.1', '192.168.0.1']);
    expect(fields['ip.dst']).toEqual(['10.0.0.2', '192.168.0.2']);
  });
  it('VXLAN on the source port is also recognised (lower port first)', () => {
    const g = udpFrame({ srcIp: A, dstIp: B, sport: 4789, dport: 60000, payload: vxlan({ vni: 1 }, inner) });
    expect(dis(g).layers).toContain('vxlan');
  });
});

describe('DissectState.deferTcpInfo (the ingest builds TCP Info once, with tcpInfo)', () => {
  const frames = [
    SYN,
    SYN.subarray(0, 64),
    tcpFrame({ srcIp: A, dstIp: B, sport: 1, dport: 2, seq: 5000, ack: 9001, flags: TCP_ACK, win: 502, options: [{ kind: 'sack', blocks: [[9101, 9201]] }] }),
    rawTcp({ ...base, dataOffset: 3 }),
    rawTcp({ ...base, dataOffset: 15 }, new Uint8Array(10)),
    rawTcp({ ...base, options: new Uint8Array([2, 3, 5, 180]) }),
  ];
  it('leaves Info empty and tcpInfo() gives exactly what the eager dissector gives', () => {
    for (const f of frames) {
      const eager = newSummary();
      dissectFrame(f, LINKTYPE.ETHERNET, eager, null, new DissectState(), 1, SYN.length);
      const st = new DissectState();
      st.deferTcpInfo = true;
      const lazy = newSummary();
      dissectFrame(f, LINKTYPE.ETHERNET, lazy, null, st, 1, SYN.length);
      expect(lazy.info).toBe(lazy.infoTail);
      expect(lazy.anomalies).toEqual(eager.anomalies);
      expect(tcpInfo(lazy, 0, 0)).toBe(eager.info);
    }
  });
  it('does not affect non-TCP frames or TCP inside tunnels', () => {
    const st = new DissectState();
    st.deferTcpInfo = true;
    const s = newSummary();
    dissectFrame(udpFrame({ srcIp: A, dstIp: B, sport: 1, dport: 2 }), LINKTYPE.ETHERNET, s, null, st, 1);
    expect(s.info).toBe('1 → 2 Len=0');
    const inner = tcpFrame({ srcIp: '192.168.0.1', dstIp: '192.168.0.2', sport: 3, dport: 4, seq: 1, ack: 1, flags: TCP_ACK });
    dissectFrame(udpFrame({ srcIp: A, dstIp: B, sport: 5, dport: 4789, payload: vxlan({ vni: 1 }, inner) }), LINKTYPE.ETHERNET, s, null, st, 2);
    expect(s.info).toBe('3 → 4 [ACK] Seq=1 Ack=1 Win=65535 Len=0');
  });
});
