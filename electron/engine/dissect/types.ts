import type { Anomaly, TreeNode } from '../../../shared/model.js';

/**
 * Per-frame summary filled by the L2–L4 dissectors on the ingest fast path.
 * One instance is reused for every frame (call `resetSummary`), so dissectors must
 * assign every field they own; nothing may keep a reference to it across frames.
 */
export interface FrameSummary {
  /** Wireshark's Protocol column (`TCP`, `UDP`, `ARP`, `ICMP`, `IPv6`, ...). */
  protocol: string;
  /** Wireshark-like Info column. */
  info: string;
  /** Protocol stack like tshark's frame.protocols: `eth:ethertype:ip:tcp`. */
  layers: string;
  /** 0 none, 4 IPv4, 6 IPv6 (the outermost IP header). */
  l3: 0 | 4 | 6;
  /** IPv4 addresses as unsigned 32-bit integers when l3 === 4. */
  ip4Src: number;
  ip4Dst: number;
  /** IPv6 addresses in canonical RFC 5952 text when l3 === 6. */
  ip6Src: string;
  ip6Dst: string;
  /** IP protocol / IPv6 next header of the transport, -1 if none. */
  ipProto: number;
  /** Transport ports, -1 if none (also -1 on IP fragments that carry no L4 header). */
  srcPort: number;
  dstPort: number;
  /** TCP flags byte (incl. NS in bit 8), -1 when not TCP. */
  tcpFlags: number;
  tcpSeq: number;
  tcpAck: number;
  tcpWin: number;
  /** Offset (in the frame, or in the reassembled datagram — see payloadData) and length of L4 payload. */
  payloadOffset: number;
  payloadLen: number;
  /** Bytes carrying the L4 payload: the frame itself, or a reassembled IP datagram. */
  payloadData: Uint8Array | null;
  /** Ethernet addresses as 48-bit integers, -1 if none. */
  ethSrc: number;
  ethDst: number;
  /** Outermost 802.1Q VLAN id, -1 if none. */
  vlanId: number;
  /** This frame is an IP fragment (not the one that completed reassembly). */
  ipFragment: boolean;
  /** This frame completed an IP reassembly (payload comes from payloadData). */
  ipReassembled: boolean;
  /** ICMP/ICMPv6 type and code, -1 if none. */
  icmpType: number;
  icmpCode: number;
  /** Problems found in this frame. */
  anomalies: Anomaly[];

  // --- Added by the L2–L4 dissectors (dissect/frame.ts) ---------------------------------
  /** Offset in payloadData of the outer TCP/UDP header, -1 if none (tcpInfo re-reads TCP options there). */
  l4Offset: number;
  /** L4 payload length on the wire (tcp.len; UDP length - 8), -1 if none. May exceed payloadLen when snaplen cut the frame. */
  l4Len: number;
  /** TCP header length in bytes (data offset × 4, as sent, even if bogus), -1 when not TCP. */
  tcpHdrLen: number;
  /** Window-scale shift from this segment's WS option (SYNs), -1 if none. */
  tcpWsShift: number;
  /** TCP urgent pointer. */
  tcpUrg: number;
  /** Text the driver appended to `info` when a layer threw: '', '[Malformed Packet]' or '[Packet size limited during capture]'. */
  infoTail: string;
  /** The tunnelled packet (VXLAN, IP-in-IP) when there is one; the fields above stay the outer ones. */
  inner: InnerSummary | null;
  /** The datagram an ICMP/ICMPv6 error quotes (its first IP and transport headers), or null. */
  quote: InnerSummary | null;
}

/** Innermost tunnelled packet's addresses and ports (allocated only for tunnelled frames). */
export interface InnerSummary {
  l3: 0 | 4 | 6;
  /** Addresses in text form (dotted quad or RFC 5952). */
  src: string;
  dst: string;
  ipProto: number;
  srcPort: number;
  dstPort: number;
  tcpFlags: number;
  /** TCP sequence and acknowledgement numbers and tcp.len (-1 when not TCP). */
  tcpSeq: number;
  tcpAck: number;
  l4Len: number;
  /** Offset/length in payloadData of the inner L4 payload. */
  payloadOffset: number;
  payloadLen: number;
}

export function newSummary(): FrameSummary {
  const s = {} as FrameSummary;
  resetSummary(s);
  return s;
}

export function resetSummary(s: FrameSummary): void {
  s.protocol = '';
  s.info = '';
  s.layers = '';
  s.l3 = 0;
  s.ip4Src = 0;
  s.ip4Dst = 0;
  s.ip6Src = '';
  s.ip6Dst = '';
  s.ipProto = -1;
  s.srcPort = -1;
  s.dstPort = -1;
  s.tcpFlags = -1;
  s.tcpSeq = 0;
  s.tcpAck = 0;
  s.tcpWin = 0;
  s.payloadOffset = 0;
  s.payloadLen = 0;
  s.payloadData = null;
  s.ethSrc = -1;
  s.ethDst = -1;
  s.vlanId = -1;
  s.ipFragment = false;
  s.ipReassembled = false;
  s.icmpType = -1;
  s.icmpCode = -1;
  s.l4Offset = -1;
  s.l4Len = -1;
  s.tcpHdrLen = -1;
  s.tcpUrg = 0;
  s.infoTail = '';
  s.inner = null;
  s.quote = null;
  s.tcpWsShift = -1;
  if (s.anomalies === undefined || s.anomalies.length) s.anomalies = [];
}

/** Builds the detail tree; absent (null) on the ingest fast path. */
export interface TreeSink {
  /** Add a leaf under the current open node; returns it. */
  add(label: string, offset: number, length: number, field?: string, value?: string | number | boolean): TreeNode;
  /** Add a node and make it the current parent until `close()`. */
  open(label: string, offset: number, length: number, field?: string, value?: string | number | boolean): TreeNode;
  close(): void;
}
