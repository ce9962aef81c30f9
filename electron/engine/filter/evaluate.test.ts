/**
 * The evaluator on synthetic frames (synth/packet.ts → dissectTree → frameFields), one
 * table per input frame: each filter with the answer TShark 4.0.17 gives for that frame.
 * The last test writes the frames to a pcap and asks live tshark for every (frame, filter)
 * pair, so the expectations below are Wireshark's and not only ours (skipped with a
 * message when tshark is missing).
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { CheckedExpr } from '../../../shared/filter/ast.js';
import { checkFilter, utcTimeZone } from '../../../shared/filter/index.js';
import { PcapWriter } from '../capture/writer.js';
import { dissectFrame, dissectTree, DissectState, LINKTYPE } from '../dissect/frame.js';
import { newSummary } from '../dissect/types.js';
import * as P from '../synth/packet.js';
import { compareBytes, compareStrings, compileEvaluator, evaluate, indexOfBytes } from './evaluate.js';
import { frameFields, type FrameFields } from './frame-fields.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

// ---- the input frames, in capture order ------------------------------------------------------

const HTTP_PAYLOAD = 'GET /index.html HTTP/1.1\r\nHost: Example.com\r\nUser-Agent: curl/8.0\r\n\r\n';

const http = P.tcpFrame({
  srcIp: '10.0.0.1',
  dstIp: '192.168.1.20',
  sport: 51000,
  dport: 80,
  seq: 1000,
  ack: 2000,
  flags: P.TCP_PSH | P.TCP_ACK,
  payload: text(HTTP_PAYLOAD),
  srcMac: '00:11:22:33:44:55',
  dstMac: '00:aa:bb:cc:dd:ee',
  ttl: 64,
  id: 0x1234,
});

const syn = P.tcpFrame({
  srcIp: '10.0.0.1',
  dstIp: '10.0.0.2',
  sport: 51001,
  dport: 443,
  seq: 7,
  ack: 0,
  flags: P.TCP_SYN,
  ttl: 128,
  options: [
    { kind: 'mss', value: 1460 },
    { kind: 'sackPerm' },
    { kind: 'ts', val: 1, ecr: 0 },
    { kind: 'nop' },
    { kind: 'wscale', shift: 7 },
  ],
});

const MDNS_PAYLOAD = concat(Uint8Array.of(0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 5), text('local'), Uint8Array.of(0, 0, 1, 0, 1));
const mdns = P.udpFrame({
  srcIp: '10.0.0.1',
  dstIp: '224.0.0.251',
  sport: 5353,
  dport: 5353,
  payload: MDNS_PAYLOAD,
  dstMac: '01:00:5e:00:00:fb',
});

const arpRequest = concat(
  P.ether(
    { src: '00:11:22:33:44:55', dst: 'ff:ff:ff:ff:ff:ff', type: P.ETH_ARP },
    P.arp({ op: 1, senderMac: '00:11:22:33:44:55', senderIp: '10.0.0.1', targetMac: '00:00:00:00:00:00', targetIp: '10.0.0.254' }),
  ),
  new Uint8Array(18),
);

/** Port unreachable from 192.168.1.1, quoting 10.0.0.1:40000 → 192.168.1.1:53 (IP header + 8 bytes). */
const quotedUdp = P.ipv4(
  { src: '10.0.0.1', dst: '192.168.1.1', proto: 17, ttl: 63 },
  P.udp({ sport: 40000, dport: 53 }, new Uint8Array(30), { src: '10.0.0.1', dst: '192.168.1.1' }),
).subarray(0, 28);
const icmpUnreachable = P.ether(
  { src: '00:aa:bb:cc:dd:ee', dst: '00:11:22:33:44:55', type: P.ETH_IPV4 },
  P.ipv4({ src: '192.168.1.1', dst: '10.0.0.1', proto: 1, ttl: 255 }, P.icmp({ type: 3, code: 3 }, quotedUdp)),
);

const innerSsh = P.tcpFrame({
  srcIp: '172.16.0.5',
  dstIp: '172.16.0.6',
  sport: 33000,
  dport: 22,
  seq: 1,
  ack: 0,
  flags: P.TCP_SYN,
  srcMac: 'fa:16:3e:00:00:01',
  dstMac: 'fa:16:3e:00:00:02',
});
const vxlan = P.udpFrame({
  srcIp: '10.1.1.1',
  dstIp: '10.1.1.2',
  sport: 50000,
  dport: 4789,
  payload: P.vxlan({ vni: 42 }, innerSsh),
  srcMac: '02:00:00:00:00:0a',
  dstMac: '02:00:00:00:00:0b',
});

const ipv6 = P.tcpFrame({
  srcIp: 'fe80::1',
  dstIp: '2001:db8::2',
  sport: 40000,
  dport: 8080,
  seq: 5,
  ack: 6,
  flags: P.TCP_ACK,
  payload: text('hello'),
});

const qinq = P.udpFrame({
  srcIp: '10.5.5.5',
  dstIp: '10.5.5.6',
  sport: 1234,
  dport: 5678,
  payload: text('x'),
  vlan: [100, { id: 200, pcp: 5 }],
});

const bigDatagram = P.ipv4(
  { src: '10.9.9.9', dst: '10.9.9.10', proto: 17, id: 0x4242 },
  P.udp({ sport: 7000, dport: 7001 }, concat(new Uint8Array(1200).fill(0x41), text('MARK')), { src: '10.9.9.9', dst: '10.9.9.10' }),
);
const fragments = P.fragmentIpv4(bigDatagram, 600).map((f) =>
  P.ether({ src: '00:11:22:33:44:55', dst: '00:aa:bb:cc:dd:ee', type: P.ETH_IPV4 }, f),
);

/** A 44-byte frame padded to Ethernet's 60 with "Z"s after the IP datagram. */
const padded = concat(
  P.udpFrame({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', sport: 1111, dport: 2222, payload: text('hi') }),
  text('ZZZZZZZZZZZZZZZZ'),
);

interface Input {
  name: string;
  data: Uint8Array;
}

const INPUTS: Input[] = [
  { name: 'an HTTP GET over Ethernet/IPv4/TCP', data: http },
  { name: 'a TCP SYN with options', data: syn },
  { name: 'an mDNS query over UDP', data: mdns },
  { name: 'an ARP request padded to 60 bytes', data: arpRequest },
  { name: 'an ICMP port unreachable quoting a UDP datagram', data: icmpUnreachable },
  { name: 'a VXLAN frame carrying TCP', data: vxlan },
  { name: 'TCP over IPv6', data: ipv6 },
  { name: 'a double-tagged VLAN frame', data: qinq },
  ...fragments.map((data, i) => ({ name: `IPv4 fragment ${i + 1} of ${fragments.length} of a UDP datagram`, data })),
  { name: 'a UDP frame with Ethernet padding', data: padded },
];

const T0 = 1_700_000_000; // 2023-11-14 22:13:20 UTC
/** Frame i (0-based) arrives at T0 + i seconds + i/4 s. */
const tsOf = (i: number): { sec: number; nsec: number } => ({ sec: T0 + i, nsec: (i % 4) * 250_000_000 });

/** Dissects the inputs in order, as the ingest would (one DissectState, reassembly included). */
function dissectAll(): FrameFields[] {
  const treeState = new DissectState();
  const sumState = new DissectState();
  const s = newSummary();
  const first = tsOf(0);
  return INPUTS.map((input, i) => {
    const ts = tsOf(i);
    const n = i + 1;
    const tree = dissectTree(input.data, LINKTYPE.ETHERNET, treeState, n, { origlen: input.data.length, tsSec: ts.sec, tsNsec: ts.nsec });
    sumState.now = ts.sec;
    dissectFrame(input.data, LINKTYPE.ETHERNET, s, null, sumState, n, input.data.length);
    return frameFields(tree, input.data, {
      frameNumber: n,
      tsSec: ts.sec,
      tsNsec: ts.nsec,
      firstTs: first,
      prevTs: i === 0 ? ts : tsOf(i - 1),
      ...(s.ipReassembled && s.payloadData ? { sources: new Map([['Reassembled IPv4', s.payloadData]]) } : {}),
    });
  });
}

const FIELDS = dissectAll();

function check(filter: string): CheckedExpr {
  const r = checkFilter(filter, { tz: utcTimeZone });
  if (r.ast === null) throw new Error(`${filter}: ${r.diagnostics[0]?.message ?? 'empty'}`);
  return r.ast;
}

// ---- expectations, per input ------------------------------------------------------------------

const HTTP_LEN = HTTP_PAYLOAD.length;

const CASES: Record<string, ReadonlyArray<readonly [string, boolean]>> = {
  'an HTTP GET over Ethernet/IPv4/TCP': [
    // presence, absence
    ['tcp', true],
    ['udp', false],
    ['udp.port != 53', false],
    ['not udp.port == 53', true],
    ['icmp.type != 8', false],
    ['ipv6.addr != ::1', false],
    ['count(udp.port) == 0', false],
    // either-side fields and quantifiers
    ['tcp.port == 80', true],
    ['tcp.port != 80', false],
    ['tcp.port !== 80', true],
    ['tcp.port ~= 80', true],
    ['tcp.port === 80', false],
    ['all tcp.port == 80', false],
    ['any tcp.port != 80', true],
    ['all tcp.port != 80', false],
    ['tcp.port any_eq 80 && tcp.dstport all_eq 0x50', true],
    ['tcp.port all_ne 443', true],
    ['tcp.port == 0120', true],
    ['tcp.port == 0b1010000', true],
    ["tcp.port == 'P'", true],
    ['tcp.srcport > tcp.dstport', true],
    ['tcp.srcport <= tcp.dstport', false],
    ['tcp.port == tcp.dstport', true],
    ['all tcp.port == tcp.dstport', false],
    ['tcp.port gt 50999 and tcp.port lt 81 and tcp.port ge 51000 and tcp.port le 80', true],
    // in
    ['tcp.port in {80, 443}', true],
    ['tcp.port in {1..79, 81..50999}', false],
    ['tcp.port in {1..1023}', true],
    ['all tcp.port in {1..1023}', false],
    ['all tcp.port in {1..1023, 50000..52000}', false],
    ['all tcp.port in {1..65535}', true],
    ['tcp.port not in {80}', false],
    ['tcp.port not in {8080}', true],
    // IPv4, CIDR
    ['ip.addr == 10.0.0.1', true],
    ['ip.addr != 10.0.0.1', false],
    ['ip.addr !== 10.0.0.1', true],
    ['ip.addr == 192.168.0.0/16', true],
    ['ip.src == 192.168.0.0/16', false],
    ['ip.dst > 192.168.0.0/16', false],
    ['ip.dst >= 192.168.0.0/16', true],
    ['ip.dst == 192.168.1.99/24', true],
    ['ip.dst > 192.168.1.19', true],
    ['all ip.addr == 0.0.0.0/0', true],
    ['ip.addr in {10.0.0.0/8}', true],
    ['all ip.addr in {10.0.0.0/8}', false],
    ['ip.src in {10.0.0.0..10.0.0.1}', true],
    ['ip.src & 255.255.0.0 == 10.0.0.0', true],
    ['ip.dst & 0.0.0.255', true],
    ['ip.src & 0.0.0.254', false],
    ['ip.host == "10.0.0.1"', true],
    ['ip.dst_host contains "168"', true],
    ['ip.ttl == 64', true],
    ['ip.id == 0x1234', true],
    ['ip.flags.df', true],
    ['ip.flags.df == 1', true],
    ['ip.flags.mf', true],
    ['ip.flags.mf == 0', true],
    ['ip.flags.mf == True', false],
    ['ip.proto == TCP', true],
    ["ip.proto == '\\x06'", true],
    // slices
    ['ip.src[0] == 0a', true],
    ['ip.addr[-1] == 14', true],
    ['ip.src[1:2] == 00:00', true],
    ['ip.src[1-2] == 00:00', true],
    ['ip.src[:2] == 0a:00', true],
    ['ip.src[2:] == 00:01', true],
    ['ip.src[0,3] == 0a:01', true],
    ['ip.src[4]', false],
    ['ip.src[4] != 00', true],
    ['ip.src[-5:1]', false],
    ['ip.src[3,9] == 01', true],
    // ether
    ['eth.addr == 00:11:22:33:44:55', true],
    ['eth.src == 00-11-22-33-44-55', true],
    ['eth.src == 0011.2233.4455', true],
    ['eth.dst > eth.src', true],
    ['eth.src & 00:00:00:00:00:01', true],
    ['eth.dst & 01:00:00:00:00:00', false],
    ['eth.src[0:3] == 00:11:22', true],
    ['eth.src[0:3] == 001122', true],
    ['eth.src contains 22:33', true],
    ['eth.src contains 33:22', false],
    ['eth.type == 0x0800', true],
    ['frame[0:6] == eth.dst', true],
    ['eth[0:6] == eth.dst', true],
    // TCP flags
    ['tcp.flags & 0x18 == 0x18', true],
    ['tcp.flags & 0x02', false],
    ['tcp.flags.push && tcp.flags.ack == 1', true],
    ['tcp.flags.syn == 1', false],
    ['tcp.flags.syn', true],
    ['tcp.flags.str == "·······AP···"', true],
    ['tcp.flags.str matches "^·+AP"', false],
    ['tcp.flags.str matches "^(·)+AP"', true],
    // payload: contains, matches (case rules), bytes order
    ['tcp.payload contains "Host:"', true],
    ['tcp.payload contains "host:"', false],
    ['tcp.payload contains 47:45:54', true],
    ['tcp.payload matches "^get /"', true],
    ['tcp.payload matches "(?-i)^get /"', false],
    ['tcp.payload matches "(?-i)^GET /"', true],
    ['tcp.payload matches "example\\\\.COM"', true],
    ['tcp.payload matches "Host: [a-z]+\\\\.com\\r\\n"', true],
    ['tcp.payload[0:3] == "GET"', true],
    ['tcp.payload[-4:4] == 0d:0a:0d:0a', true],
    ['tcp.payload[0:3] > ff:ff', true],
    ['tcp.payload[0:3] < 00:00:00:00', true],
    ['tcp.payload[0:3] < 48:00:00', true],
    ['tcp.payload > fe', true],
    ['tcp.payload contains ""', true],
    // protocols: item bytes for len/slices, the whole tvbuff for contains/matches
    [`len(tcp.payload) == ${HTTP_LEN}`, true],
    [`len(tcp) == ${20 + HTTP_LEN}`, true],
    ['len(ip) == 20', true],
    ['ip contains "GET"', true],
    ['ip matches "user-agent: curl"', true],
    ['ip[0] == 45', true],
    ['ip[19]', true],
    ['ip[20]', false],
    ['tcp contains "Host"', true],
    ['tcp[0:2] == c7:38', true],
    ['frame contains "curl/8.0"', true],
    ['frame contains ""', false],
    ['frame matches ""', true],
    ['eth == eth', true],
    // frame.*
    [`frame.len == ${http.length}`, true],
    [`frame.cap_len == ${http.length}`, true],
    ['frame.number == 1', true],
    ['frame.time == "2023-11-14 22:13:20"', true],
    ['frame.time == "Nov 14, 2023 22:13:20"', true],
    // nstime_cmp casts the seconds' difference to int: 2^31 s or more apart compares backwards.
    ['frame.time > "1956-01-01 00:00:00"', true],
    ['frame.time > "1950-01-01 00:00:00"', false],
    ['frame.time < "1950-01-01 00:00:00"', true],
    ['frame.time_epoch == 1700000000', true],
    ['frame.time_relative == 0', true],
    ['frame.time_delta == 0', true],
    ['frame.encap_type == 1', true],
    ['frame.interface_id', false],
    // functions
    ['count(ip.addr) == 2', true],
    ['count(tcp.port) == 2', true],
    ['count(eth.addr) == 2', true],
    ['len(eth.src) == 6', true],
    ['len(ip.src) == 4', true],
    ['len(ip.addr) == 4', true],
    ['len(tcp.srcport) == 2', true],
    ['len(ip.ttl) == 1', true],
    ['len(tcp.flags.syn) == 0', true],
    ['len(frame.time) == 0', true],
    ['len(frame.protocols) > 10', true],
    ['frame.protocols contains "tcp"', true],
    ['frame.protocols contains ""', false],
    ['upper(frame.protocols) contains "TCP"', true],
    ['lower(frame.protocols) == frame.protocols', true],
    ['upper(frame.protocols) == frame.protocols', false],
    ['frame.protocols matches "ETH:"', true],
    ['frame.protocols matches "(?-i)ETH:"', false],
  ],
  'a TCP SYN with options': [
    ['tcp.flags.syn == 1 and tcp.flags.ack == 0', true],
    ['tcp.flags & 0x12 == 0x02', true],
    ['tcp.options.mss_val == 1460', true],
    ['tcp.options.wscale.shift == 7', true],
    ['tcp.option_kind == 3', true],
    ['tcp.hdr_len == 40', true],
    ['tcp.len == 0', true],
    ['tcp.payload', false],
    ['len(tcp) == 40', true],
    ['ip.ttl == 128', true],
    ['ip.addr == 10.0.0.2', true],
    ['frame.number == 2', true],
    ['frame.time_relative == 1.25', true],
    ['frame.time_delta == 1.25', true],
    ['frame.time_epoch == 1700000001.25', true],
    ['frame.time_delta > 1.249999999', true],
    ['frame.time > "2023-11-14 22:13:21.2"', true],
  ],
  'an mDNS query over UDP': [
    ['udp.port == 5353', true],
    ['all udp.port == 5353', true],
    ['udp.port === 5353', true],
    ['all udp.port in {53, 5353}', true],
    ['udp.port != 5353', false],
    ['ip.dst in {224.0.0.0..239.255.255.255}', true],
    ['len(udp) == 8', true],
    ['udp contains "local"', true],
    ['udp[8]', false],
    ['udp[-8:2] == 14:e9', true],
    [`udp.length == ${8 + MDNS_PAYLOAD.length}`, true],
    ['eth.dst == 01:00:5e:00:00:fb', true],
    ['eth.dst.ig == 1', true],
    ['eth.addr == 01:00:5e:00:00:fb', true],
    ['udp.payload contains 05:6c:6f:63', true],
    ['udp.payload[12] == 05', true],
    ['tcp', false],
  ],
  'an ARP request padded to 60 bytes': [
    ['arp', true],
    ['arp.opcode == request', true],
    ['arp.opcode == 1', true],
    ['arp.src.proto_ipv4 == 10.0.0.1', true],
    ['arp.dst.proto_ipv4 == 10.0.0.0/24', true],
    ['arp.dst.hw_mac == 00:00:00:00:00:00', true],
    ['arp.src.hw_mac == eth.src', true],
    ['eth.dst == ff:ff:ff:ff:ff:ff', true],
    // ARP's item runs over the padding, its tvbuff does not (see ProtocolValue).
    ['len(arp) == 46', true],
    ['len(arp) == 28', false],
    ['arp contains 00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00', false],
    ['arp == 00:01:08:00:06:04:00:01:00:11:22:33:44:55:0a:00:00:01:00:00:00:00:00:00:0a:00:00:fe', false],
    ['arp[0:28] == 00:01:08:00:06:04:00:01:00:11:22:33:44:55:0a:00:00:01:00:00:00:00:00:00:0a:00:00:fe', true],
    ['arp[27] == fe', true],
    ['arp[28]', false],
    ['arp[-1] == 00', false],
    ['arp[28,27] == fe', true],
    ['eth contains 00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00', true],
    ['ip', false],
    ['ip.addr == 10.0.0.1', false],
    ['not ip', true],
  ],
  'an ICMP port unreachable quoting a UDP datagram': [
    ['icmp.type == 3 and icmp.code == 3', true],
    ['count(ip.src) == 2', true],
    ['count(ip.addr) == 4', true],
    ['ip.src == 10.0.0.1', true],
    ['ip.dst == 192.168.1.1', true],
    ['all ip.src == 192.168.1.1', false],
    ['ip.src === 192.168.1.1', false],
    ['ip.src != 10.0.0.1', false],
    ['ip.src !== 10.0.0.1', true],
    ['ip.src == ip.dst', true],
    ['all ip.src == ip.dst', false],
    ['ip.ttl == 63', true],
    ['all ip.ttl > 62', true],
    ['udp', true],
    ['udp.dstport == 53', true],
    ['udp.port == 53', true],
    ['icmp contains 00:35', true],
    ['len(icmp) == 36', true],
    ['ip.host == "192.168.1.1"', true],
  ],
  'a VXLAN frame carrying TCP': [
    ['vxlan', true],
    ['vxlan.vni == 42', true],
    ['ip.addr == 172.16.0.5', true],
    ['ip.src == 10.1.1.1 && ip.src == 172.16.0.5', true],
    ['count(ip.src) == 2', true],
    ['count(eth.addr) == 4', true],
    ['eth.src == fa:16:3e:00:00:01', true],
    ['all eth.src == fa:16:3e:00:00:01', false],
    ['tcp.port == 22', true],
    ['udp.port == 4789', true],
    ['udp and tcp', true],
    ['ip.addr == 10.0.0.0/8 and ip.addr == 172.16.0.0/12', true],
    ['all ip.addr == 172.16.0.0/12', false],
    ['udp contains fa:16:3e:00:00:02', true],
    ['len(eth) == 14', true],
  ],
  'TCP over IPv6': [
    ['ipv6', true],
    ['ip', false],
    ['ipv6.addr == fe80::/10', true],
    ['ipv6.src == fe80::1', true],
    ['ipv6.src == fe80:0:0:0:0:0:0:1', true],
    ['ipv6.dst == 2001:db8::2', true],
    ['ipv6.dst == 2001:db8::/32', true],
    ['ipv6.addr != fe80::1', false],
    ['ipv6.addr !== fe80::1', true],
    ['ipv6.dst > 2001:db8::1', true],
    ['ipv6.dst > 2001:db8::/32', false],
    ['ipv6.dst <= 2001:db8::/32', true],
    ['ipv6.addr in {2001:db8::/32}', true],
    ['ipv6.src[0:2] == fe:80', true],
    ['ipv6.dst[-1] == 02', true],
    ['ipv6.host == "2001:db8::2"', true],
    ['len(ipv6) == 40', true],
    ['len(ipv6.src) == 16', true],
    ['ipv6.nxt == 6', true],
    ['tcp.port == 8080', true],
    ['tcp.payload == "hello"', true],
    ['ip.addr == 10.0.0.1', false],
  ],
  'a double-tagged VLAN frame': [
    ['vlan', true],
    ['vlan.id == 200', true],
    ['count(vlan.id) == 2', true],
    ['all vlan.id == 100', false],
    ['vlan.id in {100, 200}', true],
    ['all vlan.id in {100..200}', true],
    ['all vlan.id in {100, 200}', false],
    ['vlan.priority == 5', true],
    ['vlan.etype == 0x8100', true],
    ['len(vlan) == 4', true],
  ],
  'IPv4 fragment 1 of 3 of a UDP datagram': [
    ['ip.flags.mf == 1', true],
    ['ip.frag_offset == 0', true],
    ['udp', false],
    ['data', true],
    ['ip.addr == 10.9.9.10', true],
  ],
  'IPv4 fragment 2 of 3 of a UDP datagram': [
    ['ip.frag_offset > 0', true],
    ['udp', false],
  ],
  'IPv4 fragment 3 of 3 of a UDP datagram': [
    ['ip.flags.mf == 0', true],
    ['udp', true],
    ['udp.port == 7001', true],
    ['ip.fragment', true],
    ['count(ip.fragment) == 3', true],
    ['ip.fragment == 10', true],
    ['ip.reassembled.length == 1212', true],
    ['udp contains "MARK"', true],
    ['len(udp.payload) == 1204', true],
    ['udp.payload[-4:4] == "MARK"', true],
    ['udp.payload[0:2] == "AA"', true],
    ['udp[0:2] == 1b:58', true],
    ['udp[8]', false],
    ['len(udp) == 8', true],
  ],
  'a UDP frame with Ethernet padding': [
    ['ip.len == 30', true],
    [`frame.len == ${padded.length}`, true],
    ['len(udp.payload) == 2', true],
    ['ip contains "ZZ"', false],
    ['udp contains "ZZ"', false],
    ['udp contains "hi"', true],
    ['eth contains "ZZ"', true],
    ['frame contains "ZZ"', true],
    ['frame[-1] == 5a', true],
  ],
};

describe('evaluate', () => {
  INPUTS.forEach((input, i) => {
    const cases = CASES[input.name] ?? [];
    describe(input.name, () => {
      it.each(cases.map(([f, want]) => [f, want] as const))('%s → %s', (filter, want) => {
        expect(evaluate(check(filter), FIELDS[i]!)).toBe(want);
      });
    });
  });

  it('matches every frame with the empty filter', () => {
    expect(compileEvaluator(null)(FIELDS[0]!)).toBe(true);
    expect(evaluate(null, new Map())).toBe(true);
  });

  it('treats a frame without fields as having none of them', () => {
    const none = new Map();
    for (const f of ['tcp', 'tcp.port != 80', 'ip.addr != 10.0.0.1', 'count(ip.addr) == 0', 'eth.src[0] != 00', 'all tcp.port in {80}']) {
      expect(evaluate(check(f), none), f).toBe(false);
    }
    expect(evaluate(check('not tcp'), none)).toBe(true);
  });

  it('joins either-side fields from their parts when frameFields has not', () => {
    const f = new Map<string, number[]>([
      ['tcp.srcport', [80]],
      ['tcp.dstport', [443]],
    ]);
    expect(evaluate(check('tcp.port == 443'), f)).toBe(true);
    expect(evaluate(check('tcp.port != 80'), f)).toBe(false);
    expect(evaluate(check('count(tcp.port) == 2'), f)).toBe(true);
  });

  it('compares times as nstime_cmp does, 32-bit truncation included', () => {
    const at = (sec: number): FrameFields => new Map([['frame.time', [{ sec, nsec: 0 }]]]);
    // 2^31 s apart: the difference wraps negative, as in TShark 4.0.17.
    expect(evaluate(check('frame.time > "1970-01-01 00:00:00"'), at(2 ** 31 + 5))).toBe(false);
    expect(evaluate(check('frame.time > "1970-01-01 00:00:00"'), at(2 ** 31 - 5))).toBe(true);
  });

  it('compares 64-bit integers exactly', () => {
    const f = new Map<string, (number | bigint)[]>([['frame.file_off', [2n ** 60n + 1n]]]);
    expect(evaluate(check('frame.file_off == 1152921504606846977'), f)).toBe(true);
    expect(evaluate(check('frame.file_off > 1152921504606846976'), f)).toBe(true);
    expect(evaluate(check('frame.file_off & 1'), f)).toBe(true);
    expect(evaluate(check('frame.file_off & 0x1000000000000000 == 0x1000000000000000'), f)).toBe(true);
  });

  it('orders bytes shorter-first and strings by code point', () => {
    expect(compareBytes(Uint8Array.of(0xff), Uint8Array.of(0, 0))).toBeLessThan(0);
    expect(compareBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBeLessThan(0);
    expect(compareBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(0);
    // U+FF5E (one UTF-16 unit) sorts before U+1F600 (a surrogate pair), as in UTF-8.
    expect(compareStrings('\uff5e', '\u{1f600}')).toBeLessThan(0);
    expect(compareStrings('abc', 'abd')).toBeLessThan(0);
    expect(compareStrings('ab', 'abc')).toBeLessThan(0);
    expect(indexOfBytes(Uint8Array.of(1, 2, 3, 2, 3, 4), Uint8Array.of(3, 4))).toBe(4);
    expect(indexOfBytes(Uint8Array.of(1, 2), Uint8Array.of())).toBe(0);
  });

  it('matches strings on their UTF-8 bytes, as PCRE without UTF does', () => {
    const f = new Map([['frame.comment', ['café crème']]]);
    expect(evaluate(check('frame.comment matches "^caf.\\\\s"'), f)).toBe(false);
    expect(evaluate(check('frame.comment matches "^caf..\\\\s"'), f)).toBe(true);
    expect(evaluate(check('frame.comment matches "CAFÉ"'), f)).toBe(false);
    expect(evaluate(check('frame.comment matches "café"'), f)).toBe(true);
    expect(evaluate(check('frame.comment contains "é c"'), f)).toBe(true);
    expect(evaluate(check('frame.comment == "café crème"'), f)).toBe(true);
    expect(evaluate(check('len(frame.comment) == 12'), f)).toBe(true);
    expect(evaluate(check('upper(frame.comment) == "CAFé CRèME"'), f)).toBe(true);
  });
});

// ---- the same expectations, asked of live tshark ---------------------------------------------

function hasTshark(): boolean {
  try {
    execFileSync('tshark', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const TSHARK = hasTshark();
if (!TSHARK) console.warn('tshark not found: skipping the check of the evaluator expectations against tshark');

describe.skipIf(!TSHARK)('the expectations above, against TShark 4.0.17', () => {
  it('gives each filter the same answer on each frame', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'th-eval-'));
    try {
      const pcap = join(dir, 'synthetic.pcap');
      const w = new PcapWriter({ path: pcap, nsec: true });
      INPUTS.forEach((input, i) => w.packet(tsOf(i).sec, tsOf(i).nsec, input.data));
      w.close();
      // One tap per (frame, filter): `(F) && frame.number == N` counts 1 or 0. io,stat takes
      // the comma-free ones in one table, io,phs one filter each (it allows commas).
      const pairs = INPUTS.flatMap((input, i) =>
        (CASES[input.name] ?? []).map(([f, want]) => ({ tap: `(${f}) && frame.number == ${i + 1}`, f, frame: i + 1, want })),
      );
      const stat = pairs.filter((p) => !p.tap.includes(','));
      const phs = pairs.filter((p) => p.tap.includes(','));
      const args = ['-n', '-r', pcap, '-q', '-z', `io,stat,0,${stat.map((p) => p.tap).join(',')}`];
      for (const p of phs) args.push('-z', `io,phs,${p.tap}`);
      const { stdout } = await promisify(execFile)('tshark', args, {
        env: { ...process.env, WIRESHARK_CONFIG_DIR: dir, TZ: 'UTC' },
        maxBuffer: 1 << 26,
      });
      const got = new Map<string, boolean>();
      const row = stdout
        .split('\n')
        .filter((l) => l.includes('<>'))
        .at(-1)!;
      const cells = row
        .split('|')
        .slice(2, -1)
        .map((c) => c.trim());
      stat.forEach((p, j) => got.set(p.tap, Number(cells[2 * j]) === 1));
      for (const block of stdout.split('Protocol Hierarchy Statistics').slice(1)) {
        const tap = /^Filter: (.*)$/m.exec(block)?.[1];
        if (tap !== undefined) got.set(tap, /^\S+\s+frames:1\b/m.test(block));
      }
      const wrong = pairs.filter((p) => got.get(p.tap) !== p.want).map((p) => `frame ${p.frame}: ${p.f} → tshark ${got.get(p.tap)}`);
      expect(wrong).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
