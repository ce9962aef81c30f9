/**
 * Synthetic packet builder for tests, fixtures and benchmarks.
 *
 * Every builder returns a fresh Uint8Array with correct length fields and checksums
 * (IPv4 header checksum, TCP/UDP/ICMPv6 checksums over the RFC 793/768/8200 §8.1
 * pseudo-header, ICMP checksum over the message). Addresses are given as text and
 * parsed once into a small cache, so a benchmark generator that calls `tcpFrame` two
 * million times spends its time copying bytes, not parsing "10.0.0.1".
 *
 * Overrides (`totalLength`, `ihl`, `dataOffset`, `length`, `checksum`) exist so tests
 * can build frames whose fields lie; they are written verbatim and nothing is fixed up.
 *
 * Specs: IEEE 802.3 / 802.1Q (Ethernet, VLAN tags), RFC 826 (ARP), RFC 791 (IPv4),
 * RFC 8200 (IPv6 and its extension headers), RFC 9293 (TCP), RFC 768 (UDP),
 * RFC 792 (ICMP), RFC 4443 / 4861 / 2710 / 3810 (ICMPv6, ND, MLD), RFC 7348 (VXLAN),
 * tcpdump.org link-layer header types (LINUX_SLL, LINUX_SLL2, NULL/LOOP).
 */

// ---------------------------------------------------------------------------
// Constants callers use to spell flags.

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;
export const TCP_ECE = 0x40;
export const TCP_CWR = 0x80;
/** RFC 3540 nonce sum (bit 8 of the 12 flag bits); Wireshark 4 calls it AE. */
export const TCP_NS = 0x100;

export const IPV4_RB = 0x4;
export const IPV4_DF = 0x2;
export const IPV4_MF = 0x1;

export const ETH_IPV4 = 0x0800;
export const ETH_ARP = 0x0806;
export const ETH_IPV6 = 0x86dd;
export const ETH_VLAN = 0x8100;
export const ETH_QINQ = 0x88a8;

/** Largest IPv4/IPv6 datagram the 16-bit length fields can describe. */
const MAX_IP_DATAGRAM = 65535;

// ---------------------------------------------------------------------------
// Address parsing (text → bytes), cached.

/**
 * Parsed addresses are cached per kind (4096 entries each): enough for every host of a
 * synthetic LAN, bounded for a generator cycling through many addresses.
 */
const ADDR_CACHE_MAX = 4096;
const macCache = new Map<string, Uint8Array>();
const ip4Cache = new Map<string, Uint8Array>();
const ip6Cache = new Map<string, Uint8Array>();

function cached(cache: Map<string, Uint8Array>, text: string, parse: (t: string) => Uint8Array): Uint8Array {
  let v = cache.get(text);
  if (v === undefined) {
    v = parse(text);
    if (cache.size >= ADDR_CACHE_MAX) cache.clear();
    cache.set(text, v);
  }
  return v;
}

function parseMacText(t: string): Uint8Array {
  const parts = t.split(/[:-]/);
  if (parts.length !== 6) throw new Error(`bad MAC address: ${t}`);
  const out = new Uint8Array(6);
  for (let i = 0; i < 6; i++) {
    const p = parts[i]!;
    if (!/^[0-9a-fA-F]{1,2}$/.test(p)) throw new Error(`bad MAC address: ${t}`);
    out[i] = parseInt(p, 16);
  }
  return out;
}

function parseIpv4Text(t: string): Uint8Array {
  const parts = t.split('.');
  if (parts.length !== 4) throw new Error(`bad IPv4 address: ${t}`);
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) throw new Error(`bad IPv4 address: ${t}`);
    out[i] = Number(p);
  }
  return out;
}

function parseIpv6Text(t: string): Uint8Array {
  const out = new Uint8Array(16);
  let text = t;
  // An embedded dotted quad (::ffff:1.2.3.4) fills the last 32 bits.
  let tail: Uint8Array | null = null;
  const lastColon = text.lastIndexOf(':');
  if (text.indexOf('.', lastColon) >= 0) {
    tail = parseIpv4Text(text.slice(lastColon + 1));
    text = text.slice(0, lastColon + 1) + '0:0';
  }
  const dbl = text.indexOf('::');
  if (dbl !== text.lastIndexOf('::')) throw new Error(`bad IPv6 address: ${t}`);
  const head = dbl >= 0 ? text.slice(0, dbl) : text;
  const rest = dbl >= 0 ? text.slice(dbl + 2) : '';
  const hw = head === '' ? [] : head.split(':');
  const rw = rest === '' ? [] : rest.split(':');
  if (dbl < 0 ? hw.length !== 8 : hw.length + rw.length > 7) throw new Error(`bad IPv6 address: ${t}`);
  const words = [...hw, ...new Array<string>(8 - hw.length - rw.length).fill('0'), ...rw];
  for (let i = 0; i < 8; i++) {
    const w = words[i]!;
    if (!/^[0-9a-fA-F]{1,4}$/.test(w)) throw new Error(`bad IPv6 address: ${t}`);
    const v = parseInt(w, 16);
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 0xff;
  }
  if (tail) out.set(tail, 12);
  return out;
}

export function parseMac(text: string): Uint8Array {
  return cached(macCache, text, parseMacText);
}

export function parseIpv4(text: string): Uint8Array {
  return cached(ip4Cache, text, parseIpv4Text);
}

export function parseIpv6(text: string): Uint8Array {
  return cached(ip6Cache, text, parseIpv6Text);
}

/** 4 or 16 bytes depending on the text's form. */
export function parseIp(text: string): Uint8Array {
  return text.includes(':') ? parseIpv6(text) : parseIpv4(text);
}

// ---------------------------------------------------------------------------
// Byte helpers and the Internet checksum (RFC 1071).

function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 8) & 0xff;
  b[o + 1] = v & 0xff;
}

function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 24) & 0xff;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}

/**
 * Unfolded one's-complement sum of big-endian 16-bit words (odd tail padded with zero).
 * High and low bytes are summed apart, four bytes per step: the same total, fewer
 * operations (this loop is most of the cost of building a full-size frame).
 */
function sum16(b: Uint8Array, off: number, len: number, acc: number): number {
  let hi = 0;
  let lo = 0;
  const end = off + len;
  let i = off;
  for (; i + 3 < end; i += 4) {
    hi += b[i]! + b[i + 2]!;
    lo += b[i + 1]! + b[i + 3]!;
  }
  for (; i + 1 < end; i += 2) {
    hi += b[i]!;
    lo += b[i + 1]!;
  }
  if (i < end) hi += b[i]!;
  return acc + hi * 256 + lo;
}

function fold(acc: number): number {
  while (acc > 0xffff) acc = (acc & 0xffff) + Math.floor(acc / 0x10000);
  return ~acc & 0xffff;
}

/** RFC 1071 Internet checksum of b[off, off+len). */
export function internetChecksum(b: Uint8Array, off = 0, len = b.length - off): number {
  return fold(sum16(b, off, len, 0));
}

/** Pseudo-header sum for TCP/UDP/ICMPv6 (RFC 793 §3.1 for IPv4, RFC 8200 §8.1 for IPv6). */
function pseudoSum(src: Uint8Array, dst: Uint8Array, proto: number, len: number): number {
  let acc = sum16(src, 0, src.length, 0);
  acc = sum16(dst, 0, dst.length, acc);
  return acc + proto + (len >>> 16) + (len & 0xffff);
}

export interface PseudoHeader {
  src: string;
  dst: string;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const EMPTY = new Uint8Array(0);

// ---------------------------------------------------------------------------
// Link layers.

export interface VlanTag {
  id: number;
  pcp?: number;
  dei?: boolean;
  /** TPID of this tag; default 0x8100 (or 0x88a8 for outer tags when `qinq` is set). */
  tpid?: number;
}

export interface EtherOpts {
  src: string;
  dst: string;
  /** Ethertype of the payload (after any VLAN tags), or an 802.3 length (≤ 1500). */
  type: number;
  /** VLAN tags, outermost first. */
  vlan?: ReadonlyArray<number | VlanTag>;
  /** Use 0x88a8 (802.1ad S-tag) for every tag but the innermost. */
  qinq?: boolean;
}

/** Ethernet II header (+ 802.1Q tags) followed by the payload; no FCS, no padding. */
export function ether(o: EtherOpts, payload: Uint8Array): Uint8Array {
  const tags = o.vlan ?? [];
  const out = new Uint8Array(14 + 4 * tags.length + payload.length);
  out.set(parseMac(o.dst), 0);
  out.set(parseMac(o.src), 6);
  let p = 12;
  for (let i = 0; i < tags.length; i++) {
    const t = tags[i]!;
    const tag: VlanTag = typeof t === 'number' ? { id: t } : t;
    const tpid = tag.tpid ?? (o.qinq && i < tags.length - 1 ? ETH_QINQ : ETH_VLAN);
    put16(out, p, tpid);
    put16(out, p + 2, ((tag.pcp ?? 0) << 13) | (tag.dei ? 0x1000 : 0) | (tag.id & 0xfff));
    p += 4;
  }
  put16(out, p, o.type);
  out.set(payload, p + 2);
  return out;
}

/** IEEE 802.3 frame: the type field carries the LLC payload's length. */
export function ether8023(o: { src: string; dst: string }, llcPayload: Uint8Array): Uint8Array {
  return ether({ src: o.src, dst: o.dst, type: llcPayload.length }, llcPayload);
}

export interface SllOpts {
  /** 0 to us, 1 broadcast, 2 multicast, 3 to another host, 4 sent by us. */
  pkttype: number;
  /** ARPHRD_* type; 1 = Ethernet. */
  hatype?: number;
  /** Link-layer source address (MAC text); omitted → length 0. */
  addr?: string;
  /** Ethertype (or SLL special protocol value). */
  protocol: number;
}

/** LINKTYPE_LINUX_SLL (113): 16-byte cooked header. */
export function sll(o: SllOpts, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(16 + payload.length);
  put16(out, 0, o.pkttype);
  put16(out, 2, o.hatype ?? 1);
  const a = o.addr !== undefined ? parseMac(o.addr) : EMPTY;
  put16(out, 4, a.length);
  out.set(a, 6);
  put16(out, 14, o.protocol);
  out.set(payload, 16);
  return out;
}

export interface Sll2Opts extends SllOpts {
  ifindex?: number;
}

/** LINKTYPE_LINUX_SLL2 (276): 20-byte cooked header, protocol first. */
export function sll2(o: Sll2Opts, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(20 + payload.length);
  put16(out, 0, o.protocol);
  put32(out, 4, o.ifindex ?? 0);
  put16(out, 8, o.hatype ?? 1);
  out[10] = o.pkttype;
  const a = o.addr !== undefined ? parseMac(o.addr) : EMPTY;
  out[11] = a.length;
  out.set(a, 12);
  out.set(payload, 20);
  return out;
}

/**
 * LINKTYPE_NULL (0): 4-byte address family in the capturing host's byte order
 * ('le' for most hosts). LINKTYPE_LOOP (108) is the same with 'be'.
 */
export function nullLoopback(family: number, payload: Uint8Array, order: 'le' | 'be' = 'le'): Uint8Array {
  const out = new Uint8Array(4 + payload.length);
  if (order === 'be') put32(out, 0, family);
  else {
    out[0] = family & 0xff;
    out[1] = (family >>> 8) & 0xff;
    out[2] = (family >>> 16) & 0xff;
    out[3] = (family >>> 24) & 0xff;
  }
  out.set(payload, 4);
  return out;
}

export interface ArpOpts {
  /** 1 request, 2 reply. */
  op: number;
  senderMac: string;
  senderIp: string;
  targetMac: string;
  targetIp: string;
}

/** RFC 826 ARP for Ethernet/IPv4 (28 bytes). */
export function arp(o: ArpOpts): Uint8Array {
  const out = new Uint8Array(28);
  put16(out, 0, 1);
  put16(out, 2, ETH_IPV4);
  out[4] = 6;
  out[5] = 4;
  put16(out, 6, o.op);
  out.set(parseMac(o.senderMac), 8);
  out.set(parseIpv4(o.senderIp), 14);
  out.set(parseMac(o.targetMac), 18);
  out.set(parseIpv4(o.targetIp), 24);
  return out;
}

// ---------------------------------------------------------------------------
// IPv4 / IPv6.

export interface Ipv4Opts {
  src: string;
  dst: string;
  proto: number;
  id?: number;
  ttl?: number;
  tos?: number;
  /** Bit set of IPV4_RB / IPV4_DF / IPV4_MF. */
  flags?: number;
  /** Fragment offset in bytes (a multiple of 8). */
  fragOffset?: number;
  /** Raw option bytes; padded with EOL to a multiple of 4. */
  options?: Uint8Array;
  /** Overrides for crafting lies. */
  totalLength?: number;
  ihl?: number;
  checksum?: number;
}

function writeIpv4Header(out: Uint8Array, p: number, o: Ipv4Opts, optLen: number, payloadLen: number): void {
  const hlen = 20 + optLen;
  out[p] = 0x40 | ((o.ihl ?? hlen / 4) & 0x0f);
  out[p + 1] = o.tos ?? 0;
  put16(out, p + 2, o.totalLength ?? hlen + payloadLen);
  put16(out, p + 4, o.id ?? 0);
  put16(out, p + 6, ((o.flags ?? 0) << 13) | (((o.fragOffset ?? 0) >>> 3) & 0x1fff));
  out[p + 8] = o.ttl ?? 64;
  out[p + 9] = o.proto;
  out[p + 10] = 0;
  out[p + 11] = 0;
  out.set(parseIpv4(o.src), p + 12);
  out.set(parseIpv4(o.dst), p + 16);
  if (o.options) out.set(o.options, p + 20); // the rest up to optLen stays 0 = EOL padding
  put16(out, p + 10, o.checksum ?? internetChecksum(out, p, hlen));
}

export function ipv4(o: Ipv4Opts, payload: Uint8Array): Uint8Array {
  const optLen = o.options ? (o.options.length + 3) & ~3 : 0;
  const out = new Uint8Array(20 + optLen + payload.length);
  writeIpv4Header(out, 0, o, optLen, payload.length);
  out.set(payload, 20 + optLen);
  return out;
}

export interface Ipv6Ext {
  /** 0 hop-by-hop, 43 routing, 44 fragment, 60 destination options, 51 AH, or any other. */
  type: number;
  /** Bytes after the 2-byte (next header, length) prefix; padded with zeros (Pad1) to the unit. */
  body?: Uint8Array;
  /** For type 44. */
  frag?: { offset: number; more: boolean; id: number };
}

export interface Ipv6Opts {
  src: string;
  dst: string;
  /** Upper-layer protocol after all extension headers. */
  nextHeader: number;
  hopLimit?: number;
  trafficClass?: number;
  flowLabel?: number;
  extHeaders?: readonly Ipv6Ext[];
  /** Override of the payload length field. */
  payloadLength?: number;
}

function encodeExt(e: Ipv6Ext, next: number): Uint8Array {
  if (e.type === 44) {
    const f = e.frag ?? { offset: 0, more: false, id: 0 };
    const out = new Uint8Array(8);
    out[0] = next;
    put16(out, 2, (f.offset & 0xfff8) | (f.more ? 1 : 0));
    put32(out, 4, f.id);
    return out;
  }
  const body = e.body ?? EMPTY;
  if (e.type === 51) {
    // RFC 4302: length in 4-octet units minus 2; IPv6 wants a multiple of 8 overall.
    const total = (2 + body.length + 7) & ~7;
    const out = new Uint8Array(Math.max(total, 8));
    out[0] = next;
    out[1] = out.length / 4 - 2;
    out.set(body, 2);
    return out;
  }
  const total = Math.max(8, (2 + body.length + 7) & ~7);
  const out = new Uint8Array(total);
  out[0] = next;
  out[1] = total / 8 - 1;
  out.set(body, 2);
  return out;
}

export function ipv6(o: Ipv6Opts, payload: Uint8Array): Uint8Array {
  const exts = o.extHeaders ?? [];
  const encoded: Uint8Array[] = [];
  for (let i = 0; i < exts.length; i++) {
    const next = i + 1 < exts.length ? exts[i + 1]!.type : o.nextHeader;
    encoded.push(encodeExt(exts[i]!, next));
  }
  const ext = concat(encoded);
  const out = new Uint8Array(40 + ext.length + payload.length);
  const tc = o.trafficClass ?? 0;
  put32(out, 0, (6 << 28) | (tc << 20) | ((o.flowLabel ?? 0) & 0xfffff));
  put16(out, 4, o.payloadLength ?? ext.length + payload.length);
  out[6] = exts.length > 0 ? exts[0]!.type : o.nextHeader;
  out[7] = o.hopLimit ?? 64;
  out.set(parseIpv6(o.src), 8);
  out.set(parseIpv6(o.dst), 24);
  out.set(ext, 40);
  out.set(payload, 40 + ext.length);
  return out;
}

/**
 * Split an IPv4 datagram into fragments of at most `mtu` bytes each (header included).
 * Options whose copy bit is clear (RFC 791 §3.1) appear only in the first fragment.
 */
export function fragmentIpv4(datagram: Uint8Array, mtu: number): Uint8Array[] {
  const hlen = (datagram[0]! & 0x0f) * 4;
  const total = (datagram[2]! << 8) | datagram[3]!;
  const data = datagram.subarray(hlen, total);
  const baseFlags = datagram[6]! >> 5;
  const baseOff = (((datagram[6]! & 0x1f) << 8) | datagram[7]!) * 8;
  const opts = datagram.subarray(20, hlen);
  const copied: number[] = [];
  for (let i = 0; i < opts.length; ) {
    const t = opts[i]!;
    if (t === 0) break;
    if (t === 1) {
      i++;
      continue;
    }
    const l = opts[i + 1] ?? 0;
    if (l < 2) break;
    if (t & 0x80) for (let k = 0; k < l && i + k < opts.length; k++) copied.push(opts[i + k]!);
    i += l;
  }
  const laterOpts = new Uint8Array(copied);
  const out: Uint8Array[] = [];
  for (let off = 0; off < data.length || off === 0; ) {
    const first = off === 0;
    const optBytes = first ? opts : laterOpts;
    const h = 20 + ((optBytes.length + 3) & ~3);
    const room = Math.max(8, (mtu - h) & ~7);
    const n = Math.min(room, data.length - off);
    const last = off + n >= data.length;
    const frag = new Uint8Array(h + n);
    frag.set(datagram.subarray(0, 20), 0);
    frag.set(optBytes, 20);
    frag[0] = 0x40 | (h / 4);
    put16(frag, 2, h + n);
    const flags = (baseFlags & ~IPV4_MF) | (last && !(baseFlags & IPV4_MF) ? 0 : IPV4_MF);
    put16(frag, 6, (flags << 13) | (((baseOff + off) >>> 3) & 0x1fff));
    frag[10] = 0;
    frag[11] = 0;
    put16(frag, 10, internetChecksum(frag, 0, h));
    frag.set(data.subarray(off, off + n), h);
    out.push(frag);
    off += n;
    if (n === 0) break;
  }
  return out;
}

/**
 * Split an IPv6 packet into fragments of at most `mtu` bytes. The unfragmentable part
 * (RFC 8200 §4.5) is the IPv6 header plus any hop-by-hop, routing and destination-options
 * headers that precede a routing header; the fragment header is inserted after it.
 */
export function fragmentIpv6(packet: Uint8Array, mtu: number, id: number): Uint8Array[] {
  const plen = (packet[4]! << 8) | packet[5]!;
  const end = Math.min(packet.length, 40 + plen);
  // Walk hop-by-hop (0), routing (43) and destination options (60); the unfragmentable
  // part ends after the last hop-by-hop or routing header.
  let nxtPos = 6;
  let p = 40;
  let unfragEnd = 40;
  let unfragNxtPos = 6;
  for (let guard = 0; guard < 16 && p + 2 <= end; guard++) {
    const nh = packet[nxtPos]!;
    if (nh !== 0 && nh !== 43 && nh !== 60) break;
    const len = (packet[p + 1]! + 1) * 8;
    if (nh !== 60) {
      unfragEnd = p + len;
      unfragNxtPos = p;
    }
    nxtPos = p;
    p += len;
  }
  const unfrag = packet.subarray(0, unfragEnd);
  const firstNext = packet[unfragNxtPos]!;
  const data = packet.subarray(unfragEnd, end);
  const room = Math.max(8, (mtu - unfragEnd - 8) & ~7);
  const out: Uint8Array[] = [];
  for (let off = 0; off < data.length || off === 0; ) {
    const n = Math.min(room, data.length - off);
    const last = off + n >= data.length;
    const frag = new Uint8Array(unfragEnd + 8 + n);
    frag.set(unfrag, 0);
    frag[unfragNxtPos] = 44;
    put16(frag, 4, unfragEnd - 40 + 8 + n);
    const fh = unfragEnd;
    frag[fh] = firstNext;
    put16(frag, fh + 2, (off & 0xfff8) | (last ? 0 : 1));
    put32(frag, fh + 4, id);
    frag.set(data.subarray(off, off + n), fh + 8);
    out.push(frag);
    off += n;
    if (n === 0) break;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Transport.

export type TcpOption =
  | { kind: 'mss'; value: number }
  | { kind: 'wscale'; shift: number }
  | { kind: 'sackPerm' }
  | { kind: 'sack'; blocks: ReadonlyArray<readonly [number, number]> }
  | { kind: 'ts'; val: number; ecr: number }
  | { kind: 'nop' }
  | { kind: 'eol' }
  | { kind: 'raw'; bytes: Uint8Array };

/** Encode TCP options in order; the caller's list is not padded here. */
export function tcpOptions(opts: readonly TcpOption[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const o of opts) {
    switch (o.kind) {
      case 'mss': {
        const b = new Uint8Array([2, 4, 0, 0]);
        put16(b, 2, o.value);
        parts.push(b);
        break;
      }
      case 'wscale':
        parts.push(new Uint8Array([3, 3, o.shift]));
        break;
      case 'sackPerm':
        parts.push(new Uint8Array([4, 2]));
        break;
      case 'sack': {
        const b = new Uint8Array(2 + 8 * o.blocks.length);
        b[0] = 5;
        b[1] = b.length;
        o.blocks.forEach(([l, r], i) => {
          put32(b, 2 + 8 * i, l);
          put32(b, 6 + 8 * i, r);
        });
        parts.push(b);
        break;
      }
      case 'ts': {
        const b = new Uint8Array(10);
        b[0] = 8;
        b[1] = 10;
        put32(b, 2, o.val);
        put32(b, 6, o.ecr);
        parts.push(b);
        break;
      }
      case 'nop':
        parts.push(new Uint8Array([1]));
        break;
      case 'eol':
        parts.push(new Uint8Array([0]));
        break;
      case 'raw':
        parts.push(o.bytes);
        break;
    }
  }
  return concat(parts);
}

export interface TcpOpts {
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  /** Bit set of TCP_* flags (TCP_NS = 0x100 included). */
  flags: number;
  win?: number;
  urg?: number;
  /** Encoded option bytes or a list; padded with EOL to a multiple of 4. */
  options?: Uint8Array | readonly TcpOption[];
  /** Override of the data offset (in 32-bit words). */
  dataOffset?: number;
  checksum?: number;
}

function optBytes(o: Uint8Array | readonly TcpOption[] | undefined): Uint8Array {
  if (o === undefined) return EMPTY;
  return o instanceof Uint8Array ? o : tcpOptions(o);
}

function writeTcp(
  out: Uint8Array,
  p: number,
  o: TcpOpts,
  opts: Uint8Array,
  optLen: number,
  payload: Uint8Array,
  src: Uint8Array,
  dst: Uint8Array,
): number {
  const hlen = 20 + optLen;
  put16(out, p, o.sport);
  put16(out, p + 2, o.dport);
  put32(out, p + 4, o.seq >>> 0);
  put32(out, p + 8, o.ack >>> 0);
  const doff = o.dataOffset ?? hlen / 4;
  out[p + 12] = ((doff & 0x0f) << 4) | ((o.flags >> 8) & 0x01);
  out[p + 13] = o.flags & 0xff;
  put16(out, p + 14, o.win ?? 65535);
  out[p + 16] = 0;
  out[p + 17] = 0;
  put16(out, p + 18, o.urg ?? 0);
  if (opts.length) out.set(opts, p + 20);
  for (let i = p + 20 + opts.length; i < p + hlen; i++) out[i] = 0;
  out.set(payload, p + hlen);
  const len = hlen + payload.length;
  const ck = o.checksum ?? fold(sum16(out, p, len, pseudoSum(src, dst, 6, len)));
  put16(out, p + 16, ck);
  return len;
}

/** TCP segment with its checksum computed over the pseudo-header of `ph`. */
export function tcp(o: TcpOpts, payload: Uint8Array, ph: PseudoHeader): Uint8Array {
  const opts = optBytes(o.options);
  const optLen = (opts.length + 3) & ~3;
  const out = new Uint8Array(20 + optLen + payload.length);
  writeTcp(out, 0, o, opts, optLen, payload, parseIp(ph.src), parseIp(ph.dst));
  return out;
}

export interface UdpOpts {
  sport: number;
  dport: number;
  /** Override of the length field. */
  length?: number;
  /** Override of the checksum (0 = none, allowed over IPv4). */
  checksum?: number;
}

function writeUdp(out: Uint8Array, p: number, o: UdpOpts, payload: Uint8Array, src: Uint8Array, dst: Uint8Array): number {
  const len = 8 + payload.length;
  put16(out, p, o.sport);
  put16(out, p + 2, o.dport);
  put16(out, p + 4, o.length ?? len);
  out[p + 6] = 0;
  out[p + 7] = 0;
  out.set(payload, p + 8);
  let ck = o.checksum ?? fold(sum16(out, p, len, pseudoSum(src, dst, 17, len)));
  // RFC 768: a computed checksum of zero is sent as all ones.
  if (o.checksum === undefined && ck === 0) ck = 0xffff;
  put16(out, p + 6, ck);
  return len;
}

export function udp(o: UdpOpts, payload: Uint8Array, ph: PseudoHeader): Uint8Array {
  const out = new Uint8Array(8 + payload.length);
  writeUdp(out, 0, o, payload, parseIp(ph.src), parseIp(ph.dst));
  return out;
}

export interface IcmpOpts {
  type: number;
  code: number;
  /** Echo identifier and sequence number (types 0/8, 13/14, ...). */
  ident?: number;
  seq?: number;
  /** The 32-bit "rest of header" word; overrides ident/seq (gateway, MTU, pointer). */
  rest?: number;
  checksum?: number;
}

/** RFC 792 ICMP message; for errors the payload is the quoted IP header + 8 bytes. */
export function icmp(o: IcmpOpts, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + payload.length);
  out[0] = o.type;
  out[1] = o.code;
  put32(out, 4, o.rest ?? (((o.ident ?? 0) << 16) | (o.seq ?? 0)) >>> 0);
  out.set(payload, 8);
  put16(out, 2, o.checksum ?? internetChecksum(out));
  return out;
}

export interface Icmpv6Opts {
  type: number;
  code: number;
  ident?: number;
  seq?: number;
  /** The 32-bit word after the checksum (flags for NA, reserved for NS, ...). */
  rest?: number;
  checksum?: number;
}

/** RFC 4443 ICMPv6 message with the RFC 8200 §8.1 pseudo-header checksum. */
export function icmpv6(o: Icmpv6Opts, body: Uint8Array, ph: PseudoHeader): Uint8Array {
  const out = new Uint8Array(8 + body.length);
  out[0] = o.type;
  out[1] = o.code;
  put32(out, 4, o.rest ?? (((o.ident ?? 0) << 16) | (o.seq ?? 0)) >>> 0);
  out.set(body, 8);
  const ck = o.checksum ?? fold(sum16(out, 0, out.length, pseudoSum(parseIp(ph.src), parseIp(ph.dst), 58, out.length)));
  put16(out, 2, ck);
  return out;
}

/** RFC 4861 §4.6.1 link-layer address option (1 = source, 2 = target). */
export function ndLinkAddrOption(kind: 1 | 2, mac: string): Uint8Array {
  const out = new Uint8Array(8);
  out[0] = kind;
  out[1] = 1;
  out.set(parseMac(mac), 2);
  return out;
}

export const NA_ROUTER = 0x80000000;
export const NA_SOLICITED = 0x40000000;
export const NA_OVERRIDE = 0x20000000;

/** Body (after the reserved/flags word) of a Neighbor Solicitation or Advertisement. */
export function ndTargetBody(target: string, linkOpt?: Uint8Array): Uint8Array {
  return concat([parseIpv6(target), linkOpt ?? EMPTY]);
}

/** Body of a Router Advertisement (after cur hop limit / flags / lifetime). */
export function ndRaBody(reachable: number, retrans: number, options: Uint8Array = EMPTY): Uint8Array {
  const out = new Uint8Array(8 + options.length);
  put32(out, 0, reachable);
  put32(out, 4, retrans);
  out.set(options, 8);
  return out;
}

// ---------------------------------------------------------------------------
// Tunnels.

/** RFC 7348 VXLAN header (I flag set) + inner Ethernet frame; goes in UDP/4789. */
export function vxlan(o: { vni: number; flags?: number }, innerFrame: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + innerFrame.length);
  out[0] = o.flags ?? 0x08;
  out[4] = (o.vni >>> 16) & 0xff;
  out[5] = (o.vni >>> 8) & 0xff;
  out[6] = o.vni & 0xff;
  out.set(innerFrame, 8);
  return out;
}

// ---------------------------------------------------------------------------
// Whole frames, built in one buffer (the benchmark path).

export interface FrameOpts {
  srcIp: string;
  dstIp: string;
  sport: number;
  dport: number;
  payload?: Uint8Array;
  srcMac?: string;
  dstMac?: string;
  vlan?: ReadonlyArray<number | VlanTag>;
  ttl?: number;
  /** IPv4 identification. */
  id?: number;
  /** IPv4 DF (default set, as Linux sends TCP). */
  df?: boolean;
}

export interface TcpFrameOpts extends FrameOpts {
  seq: number;
  ack: number;
  flags: number;
  win?: number;
  options?: Uint8Array | readonly TcpOption[];
}

const DEFAULT_SRC_MAC = '02:00:00:00:00:01';
const DEFAULT_DST_MAC = '02:00:00:00:00:02';

function writeEthHeader(out: Uint8Array, o: FrameOpts, type: number): number {
  out.set(parseMac(o.dstMac ?? DEFAULT_DST_MAC), 0);
  out.set(parseMac(o.srcMac ?? DEFAULT_SRC_MAC), 6);
  let p = 12;
  const tags = o.vlan;
  if (tags) {
    for (const t of tags) {
      const tag: VlanTag = typeof t === 'number' ? { id: t } : t;
      put16(out, p, tag.tpid ?? ETH_VLAN);
      put16(out, p + 2, ((tag.pcp ?? 0) << 13) | (tag.dei ? 0x1000 : 0) | (tag.id & 0xfff));
      p += 4;
    }
  }
  put16(out, p, type);
  return p + 2;
}

function writeIpHeader(out: Uint8Array, p: number, o: FrameOpts, proto: number, l4len: number, src: Uint8Array, dst: Uint8Array, df: boolean): number {
  if (src.length === 4) {
    out[p] = 0x45;
    out[p + 1] = 0;
    put16(out, p + 2, 20 + l4len);
    put16(out, p + 4, o.id ?? 0);
    out[p + 6] = df ? 0x40 : 0;
    out[p + 7] = 0;
    out[p + 8] = o.ttl ?? 64;
    out[p + 9] = proto;
    out[p + 10] = 0;
    out[p + 11] = 0;
    out.set(src, p + 12);
    out.set(dst, p + 16);
    put16(out, p + 10, fold(sum16(out, p, 20, 0)));
    return p + 20;
  }
  put32(out, p, 6 << 28);
  put16(out, p + 4, l4len);
  out[p + 6] = proto;
  out[p + 7] = o.ttl ?? 64;
  out.set(src, p + 8);
  out.set(dst, p + 24);
  return p + 40;
}

function frameSize(o: FrameOpts, l4len: number): number {
  const ipLen = o.srcIp.includes(':') ? 40 : 20;
  if (l4len + ipLen > MAX_IP_DATAGRAM) throw new RangeError('datagram larger than 65535 bytes');
  return 14 + 4 * (o.vlan?.length ?? 0) + ipLen + l4len;
}

/**
 * Write an Ethernet/IPv4-or-IPv6/TCP frame into `out` at `off`; returns its length.
 * No allocation once the addresses are cached, for generators that fill one big buffer.
 */
export function writeTcpFrame(out: Uint8Array, off: number, o: TcpFrameOpts): number {
  const opts = optBytes(o.options);
  const optLen = (opts.length + 3) & ~3;
  const payload = o.payload ?? EMPTY;
  const l4len = 20 + optLen + payload.length;
  const size = frameSize(o, l4len);
  const view = off === 0 && out.length === size ? out : out.subarray(off, off + size);
  const src = parseIp(o.srcIp);
  const dst = parseIp(o.dstIp);
  let p = writeEthHeader(view, o, src.length === 16 ? ETH_IPV6 : ETH_IPV4);
  p = writeIpHeader(view, p, o, 6, l4len, src, dst, o.df !== false);
  writeTcp(view, p, o, opts, optLen, payload, src, dst);
  return size;
}

export function tcpFrameSize(o: TcpFrameOpts): number {
  const n = o.options === undefined ? 0 : optBytes(o.options).length;
  return frameSize(o, 20 + ((n + 3) & ~3) + (o.payload?.length ?? 0));
}

/** A complete Ethernet/IP/TCP frame. */
export function tcpFrame(o: TcpFrameOpts): Uint8Array {
  const out = new Uint8Array(tcpFrameSize(o));
  writeTcpFrame(out, 0, o);
  return out;
}

export type UdpFrameOpts = FrameOpts;

export function writeUdpFrame(out: Uint8Array, off: number, o: UdpFrameOpts): number {
  const payload = o.payload ?? EMPTY;
  const l4len = 8 + payload.length;
  const size = frameSize(o, l4len);
  const view = off === 0 && out.length === size ? out : out.subarray(off, off + size);
  const src = parseIp(o.srcIp);
  const dst = parseIp(o.dstIp);
  let p = writeEthHeader(view, o, src.length === 16 ? ETH_IPV6 : ETH_IPV4);
  p = writeIpHeader(view, p, o, 17, l4len, src, dst, o.df === true);
  writeUdp(view, p, o, payload, src, dst);
  return size;
}

/** A complete Ethernet/IP/UDP frame (DF clear by default, as for most UDP). */
export function udpFrame(o: UdpFrameOpts): Uint8Array {
  const out = new Uint8Array(frameSize(o, 8 + (o.payload?.length ?? 0)));
  writeUdpFrame(out, 0, o);
  return out;
}
