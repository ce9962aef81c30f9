/**
 * DNS, mDNS and LLMNR messages (Wireshark's `dns`, `mdns`, `llmnr`: one dissector, dns.* fields).
 *
 * Specs:
 *  - RFC 1035 §4.1 (message format), §4.1.4 (name compression), §3.3 (RDATA of A, NS, CNAME,
 *    SOA, PTR, HINFO, MX, TXT); RFC 3596 (AAAA); RFC 2782 (SRV); RFC 6891 (EDNS(0) OPT);
 *    RFC 9460 (SVCB/HTTPS); RFC 2136 §2 (UPDATE section names); RFC 6535/4035 flag bits.
 *  - RFC 7766 §8 (DNS over TCP: each message is preceded by a 2-byte length; several
 *    messages may share a segment, one message may span several).
 *  - RFC 6762 §18.12/§10.2 (mDNS: the class's top bit is "unicast response" in questions and
 *    "cache flush" in records); RFC 4795 §2.1.1 (LLMNR flags: C, TC, T).
 *
 *     0  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15
 *   +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *   |                      ID                       |
 *   |QR|   Opcode  |AA|TC|RD|RA| Z|AD|CD|   RCODE   |
 *   |    QDCOUNT    |    ANCOUNT    |    NSCOUNT    |  ARCOUNT (16 bits each)
 *   +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *
 * Wireshark 4.0 is the reference for field values and Info text: names are shown with
 * control bytes escaped (`\000`, `\t`) and invalid UTF-8 as U+FFFD; the root name is
 * `<Root>`; a looping name is `<Name contains a pointer that loops>` and one longer than
 * 253 characters `<Name too long>` (both are values, not errors). Forward compression
 * pointers are accepted, as Wireshark does; loops are caught by capping pointer jumps.
 */
import { ip4Text, ip6Text } from '../dissect/format.js';
import type { AppSink, Dir, DnsRecord, FrameCtx, StreamInfo, TcpParser, UdpParser } from './types.js';

// ---- Limits -------------------------------------------------------------------------------

/** RFC 1035 §2.3.4: 255 octets on the wire, i.e. at most 253 characters in dotted form (Wireshark's MAX_DNAME_LEN buffer holds 253 + the separator it reserves + NUL). */
const MAX_NAME_TEXT = 253;
/** Pointer jumps per name before it is called a loop (Wireshark 4.x uses the name-length bound, 255). */
const MAX_NAME_POINTERS = 255;
/** Labels walked per name: a real name has at most 127; beyond 512 only a loop or garbage remains, and this bounds the work per name. */
const MAX_NAME_LABELS = 512;
/** Questions plus records parsed per message: a 65535-byte message holds at most ~13k questions (5 bytes each); 4096 is far above any real message and bounds memory. */
export const MAX_DNS_ENTRIES = 4096;
/** Answers kept in a DnsRecord (the record is for views and detectors; the fields carry everything). */
export const MAX_RECORD_ANSWERS = 256;
/** TXT strings / OPT options / SVCB params parsed per record; RDATA ≤ 65535 bytes bounds them anyway, this bounds allocation. */
const MAX_RDATA_ITEMS = 1024;
/** Outstanding transactions remembered per conversation (Wireshark keeps all; we keep the newest). */
export const MAX_DNS_TRANSACTIONS = 4096;
/** Wireshark's dns.retransmission_timer default: a repeated unanswered query within 5 s is a retransmission. */
const RETRANSMISSION_TIMER_SEC = 5;
/** DNS header length (RFC 1035 §4.1.1). */
const HEADER_LEN = 12;

// ---- Parsed message -----------------------------------------------------------------------

/** A name as Wireshark shows it. */
export interface DnsName {
  /** Display text (escaped), or `<Root>` / `<Name contains a pointer that loops>` / `<Name too long>`. */
  text: string;
  /** dns.qry.name.len: raw characters in dotted form (or the length of the special text). */
  len: number;
  /** dns.count.labels: dots in the raw dotted form + 1. */
  labels: number;
}

export interface DnsQuestion {
  name: DnsName;
  type: number;
  /** Class as sent (for mDNS the top bit is the QU flag). */
  class: number;
  offset: number;
}

export type DnsRData =
  | { kind: 'a'; addr: number }
  | { kind: 'aaaa'; addr: Uint8Array }
  | { kind: 'name'; name: DnsName }
  | { kind: 'mx'; preference: number; exchange: DnsName }
  | { kind: 'txt'; strings: { len: number; text: string }[] }
  | { kind: 'hinfo'; cpu: string; cpuLen: number; os: string; osLen: number }
  | { kind: 'soa'; mname: DnsName; rname: DnsName; serial: number; refresh: number; retry: number; expire: number; minimum: number }
  | { kind: 'srv'; priority: number; weight: number; port: number; target: DnsName }
  | { kind: 'opt'; options: { code: number; data: Uint8Array }[] }
  | { kind: 'svcb'; priority: number; target: DnsName; params: { key: number; value: Uint8Array }[] }
  /** RFC 4034 §4.1: the next owner name (the type bitmap is not decoded). */
  | { kind: 'nsec'; next: DnsName }
  | { kind: 'raw'; bytes: Uint8Array }
  /** The RDATA could not be decoded (the message is malformed from here). */
  | { kind: 'error' };

export interface DnsRR {
  section: 'an' | 'ns' | 'ar';
  name: DnsName;
  type: number;
  /** Class as sent (OPT: the UDP payload size; mDNS: top bit is cache-flush). */
  class: number;
  /** TTL as sent (OPT: extended RCODE, version, DO and Z). */
  ttl: number;
  rdlength: number;
  offset: number;
  data: DnsRData;
}

export interface DnsMessage {
  id: number;
  flags: number;
  response: boolean;
  opcode: number;
  rcode: number;
  /** Declared counts (QDCOUNT/ZOCOUNT, ANCOUNT/PRCOUNT, NSCOUNT/UPCOUNT, ARCOUNT). */
  counts: [number, number, number, number];
  questions: DnsQuestion[];
  records: DnsRR[];
  /** Bytes used by the header and the sections parsed. */
  length: number;
}

export type DnsParseResult = DnsMessage | { error: string; offset: number; partial?: DnsMessage };

class DnsError extends Error {
  constructor(
    readonly offset: number,
    detail: string,
  ) {
    super(detail);
  }
}

function u16(b: Uint8Array, o: number): number {
  if (o < 0 || o + 2 > b.length) throw new DnsError(o, `truncated: needs 2 bytes at offset ${o}, ${Math.max(0, b.length - o)} left`);
  return (b[o]! << 8) | b[o + 1]!;
}

function u32(b: Uint8Array, o: number): number {
  if (o < 0 || o + 4 > b.length) throw new DnsError(o, `truncated: needs 4 bytes at offset ${o}, ${Math.max(0, b.length - o)} left`);
  return ((b[o]! << 24) >>> 0) + ((b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!);
}

function u8(b: Uint8Array, o: number): number {
  if (o < 0 || o >= b.length) throw new DnsError(o, `truncated: needs 1 byte at offset ${o}, 0 left`);
  return b[o]!;
}

const utf8 = new TextDecoder('utf-8');
const C_ESCAPES: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r' };

/** Wireshark's format_text: UTF-8 kept, invalid bytes → U+FFFD, control characters escaped (C escapes or \ooo). */
export function formatText(raw: Uint8Array): string {
  const s = utf8.decode(raw);
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) out += C_ESCAPES[c] ?? '\\' + c.toString(8).padStart(3, '0');
    else out += s[i];
  }
  return out;
}

/** Wireshark's ENC_ASCII strings (TXT, HINFO, SPF): bytes ≥ 0x80 → U+FFFD; a NUL ends the displayed value. */
function asciiText(b: Uint8Array, start: number, len: number): string {
  let out = '';
  for (let i = start; i < start + len; i++) {
    const c = b[i]!;
    if (c === 0) break;
    out += c < 0x80 ? String.fromCharCode(c) : '\uFFFD';
  }
  return out;
}

const ROOT = '<Root>';
const LOOPS = '<Name contains a pointer that loops>';
const TOO_LONG = '<Name too long>';

function special(text: string): DnsName {
  return { text, len: text.length, labels: 1 };
}

/**
 * Reads a (possibly compressed) name at `offset`; returns it and the bytes it occupies in place
 * (up to and including the first pointer). Throws DnsError for a name that runs off the message,
 * a reserved label type (0x80) or an unknown extended label (0x40) — Wireshark's exceptions.
 */
export function readName(msg: Uint8Array, offset: number): { name: DnsName; used: number } {
  const raw = new Uint8Array(MAX_NAME_TEXT + 1);
  let rawLen = 0;
  let tooLong = false;
  let dots = 0;
  let first = true;
  let pos = offset;
  let used = -1;
  let pointers = 0;
  let labels = 0;
  for (;;) {
    const c = u8(msg, pos);
    pos++;
    if (c === 0) break;
    const kind = c & 0xc0;
    if (kind === 0) {
      if (++labels > MAX_NAME_LABELS) return { name: special(LOOPS), used: used < 0 ? pos - offset : used };
      if (pos + c > msg.length) throw new DnsError(pos, `name label of ${c} bytes runs past the end of the message`);
      if (!first) {
        dots++;
        if (rawLen < raw.length) raw[rawLen++] = 0x2e;
        else tooLong = true;
      }
      first = false;
      for (let i = 0; i < c; i++) {
        const ch = msg[pos + i]!;
        if (ch === 0x2e) dots++;
        if (rawLen < raw.length) raw[rawLen++] = ch;
        else tooLong = true;
      }
      pos += c;
    } else if (kind === 0xc0) {
      const target = ((c & 0x3f) << 8) | u8(msg, pos);
      pos++;
      if (used < 0) used = pos - offset;
      // Wireshark 4.0 calls it a loop after MAX_NAME_POINTERS jumps, and also (a quirk kept
      // for parity) when a pointer targets the byte two past its own end.
      if (++pointers > MAX_NAME_POINTERS || target === pos + 2) return { name: special(LOOPS), used };
      pos = target;
    } else {
      // 0x40: extended labels (RFC 6891 §5 deprecates them); 0x80: reserved. Wireshark gives
      // up on the message for both (it decodes only bitstring labels, which nobody sends).
      throw new DnsError(pos - 1, `unsupported label type 0x${c.toString(16).padStart(2, '0')}`);
    }
  }
  if (used < 0) used = pos - offset;
  if (tooLong || rawLen > MAX_NAME_TEXT) return { name: special(TOO_LONG), used };
  if (rawLen === 0) return { name: special(ROOT), used };
  return { name: { text: formatText(raw.subarray(0, rawLen)), len: rawLen, labels: dots + 1 }, used };
}

function readRData(msg: Uint8Array, type: number, start: number, len: number): DnsRData {
  // RDATA is read within its declared length, as Wireshark's sub-tvb does: a value that does
  // not fit is a malformed record.
  const end = start + len;
  const view = msg.subarray(0, end);
  const name = (o: number): { name: DnsName; used: number } => {
    // Names inside RDATA may point anywhere in the message, but must start inside the RDATA.
    if (o >= end) throw new DnsError(o, 'name runs past the end of the RDATA');
    return readName(msg, o);
  };
  switch (type) {
    case 1:
      return { kind: 'a', addr: u32(view, start) };
    case 28: {
      if (start + 16 > end) throw new DnsError(start, `AAAA needs 16 bytes, RDATA has ${len}`);
      return { kind: 'aaaa', addr: msg.slice(start, start + 16) };
    }
    case 2:
    case 5:
    case 12:
      return { kind: 'name', name: name(start).name };
    case 15: {
      const preference = u16(view, start);
      return { kind: 'mx', preference, exchange: name(start + 2).name };
    }
    case 16:
    case 99: {
      const strings: { len: number; text: string }[] = [];
      let o = start;
      while (o < end && strings.length < MAX_RDATA_ITEMS) {
        const n = u8(view, o);
        if (o + 1 + n > end) throw new DnsError(o, `TXT string of ${n} bytes runs past the RDATA`);
        strings.push({ len: n, text: asciiText(msg, o + 1, n) });
        o += 1 + n;
      }
      return { kind: 'txt', strings };
    }
    case 13: {
      const cpuLen = u8(view, start);
      if (start + 1 + cpuLen > end) throw new DnsError(start, 'HINFO CPU runs past the RDATA');
      const osAt = start + 1 + cpuLen;
      const osLen = u8(view, osAt);
      if (osAt + 1 + osLen > end) throw new DnsError(osAt, 'HINFO OS runs past the RDATA');
      return { kind: 'hinfo', cpu: asciiText(msg, start + 1, cpuLen), cpuLen, os: asciiText(msg, osAt + 1, osLen), osLen };
    }
    case 6: {
      const m = name(start);
      const r = name(start + m.used);
      const o = start + m.used + r.used;
      return {
        kind: 'soa',
        mname: m.name,
        rname: r.name,
        serial: u32(view, o),
        refresh: u32(view, o + 4),
        retry: u32(view, o + 8),
        expire: u32(view, o + 12),
        minimum: u32(view, o + 16),
      };
    }
    case 33: {
      const priority = u16(view, start);
      const weight = u16(view, start + 2);
      const port = u16(view, start + 4);
      return { kind: 'srv', priority, weight, port, target: name(start + 6).name };
    }
    case 41: {
      const options: { code: number; data: Uint8Array }[] = [];
      let o = start;
      while (o < end && options.length < MAX_RDATA_ITEMS) {
        const code = u16(view, o);
        const n = u16(view, o + 2);
        if (o + 4 + n > end) throw new DnsError(o, `EDNS option of ${n} bytes runs past the RDATA`);
        options.push({ code, data: msg.slice(o + 4, o + 4 + n) });
        o += 4 + n;
      }
      return { kind: 'opt', options };
    }
    case 47:
      return { kind: 'nsec', next: name(start).name };
    case 64:
    case 65: {
      const priority = u16(view, start);
      const t = name(start + 2);
      const params: { key: number; value: Uint8Array }[] = [];
      let o = start + 2 + t.used;
      while (o < end && params.length < MAX_RDATA_ITEMS) {
        const key = u16(view, o);
        const n = u16(view, o + 2);
        if (o + 4 + n > end) throw new DnsError(o, `SvcParam of ${n} bytes runs past the RDATA`);
        params.push({ key, value: msg.slice(o + 4, o + 4 + n) });
        o += 4 + n;
      }
      return { kind: 'svcb', priority, target: t.name, params };
    }
    default:
      return { kind: 'raw', bytes: msg.slice(start, end) };
  }
}

/**
 * Parses one DNS message (the UDP payload, or one TCP message without its length prefix).
 * Never throws: a message that breaks off returns the error with what was parsed before it.
 */
export function parseDnsMessage(bytes: Uint8Array): DnsParseResult {
  if (bytes.length < HEADER_LEN) {
    return { error: `message of ${bytes.length} bytes is shorter than the 12-byte header`, offset: 0 };
  }
  const flags = (bytes[2]! << 8) | bytes[3]!;
  const m: DnsMessage = {
    id: (bytes[0]! << 8) | bytes[1]!,
    flags,
    response: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    rcode: flags & 0xf,
    counts: [u16(bytes, 4), u16(bytes, 6), u16(bytes, 8), u16(bytes, 10)],
    questions: [],
    records: [],
    length: HEADER_LEN,
  };
  let o = HEADER_LEN;
  let entries = 0;
  try {
    // Declared counts are hostile: each iteration first reads its bytes (≥ 5 for a question,
    // ≥ 11 for a record), so a count larger than the message fails on the bytes, not on memory.
    for (let i = 0; i < m.counts[0]; i++) {
      if (++entries > MAX_DNS_ENTRIES) throw new DnsError(o, `more than ${MAX_DNS_ENTRIES} entries`);
      const at = o;
      const n = readName(bytes, o);
      o += n.used;
      const type = u16(bytes, o);
      const cls = u16(bytes, o + 2);
      o += 4;
      m.questions.push({ name: n.name, type, class: cls, offset: at });
      m.length = o;
    }
    const sections = ['an', 'ns', 'ar'] as const;
    for (let s = 0; s < 3; s++) {
      const count = m.counts[s + 1]!;
      for (let i = 0; i < count; i++) {
        if (++entries > MAX_DNS_ENTRIES) throw new DnsError(o, `more than ${MAX_DNS_ENTRIES} entries`);
        const at = o;
        const n = readName(bytes, o);
        o += n.used;
        const type = u16(bytes, o);
        const cls = u16(bytes, o + 2);
        const ttl = u32(bytes, o + 4);
        const rdlength = u16(bytes, o + 8);
        o += 10;
        const rr: DnsRR = { section: sections[s]!, name: n.name, type, class: cls, ttl, rdlength, offset: at, data: { kind: 'error' } };
        m.records.push(rr);
        if (o + rdlength > bytes.length) {
          throw new DnsError(o, `RDATA of ${rdlength} bytes runs past the end of the message (${bytes.length - o} left)`);
        }
        rr.data = readRData(bytes, type, o, rdlength);
        o += rdlength;
        m.length = o;
      }
    }
  } catch (e) {
    if (e instanceof DnsError) return { error: e.message, offset: e.offset, partial: m };
    return { error: `dns: ${e instanceof Error ? e.message : String(e)}`, offset: o, partial: m };
  }
  return m;
}

// ---- Names and text as Wireshark shows them ----------------------------------------------

const TYPE_NAMES: Record<number, string> = {
  1: 'A', 2: 'NS', 3: 'MD', 4: 'MF', 5: 'CNAME', 6: 'SOA', 7: 'MB', 8: 'MG', 9: 'MR', 10: 'NULL', 11: 'WKS',
  12: 'PTR', 13: 'HINFO', 14: 'MINFO', 15: 'MX', 16: 'TXT', 17: 'RP', 18: 'AFSDB', 19: 'X25', 20: 'ISDN',
  21: 'RT', 22: 'NSAP', 23: 'NSAP-PTR', 24: 'SIG', 25: 'KEY', 26: 'PX', 27: 'GPOS', 28: 'AAAA', 29: 'LOC',
  30: 'NXT', 31: 'EID', 32: 'NIMLOC', 33: 'SRV', 34: 'ATMA', 35: 'NAPTR', 36: 'KX', 37: 'CERT', 38: 'A6',
  39: 'DNAME', 40: 'SINK', 41: 'OPT', 42: 'APL', 43: 'DS', 44: 'SSHFP', 45: 'IPSECKEY', 46: 'RRSIG',
  47: 'NSEC', 48: 'DNSKEY', 49: 'DHCID', 50: 'NSEC3', 51: 'NSEC3PARAM', 52: 'TLSA', 53: 'SMIMEA', 55: 'HIP',
  56: 'NINFO', 57: 'RKEY', 58: 'TALINK', 59: 'CDS', 60: 'CDNSKEY', 61: 'OPENPGPKEY', 62: 'CSYNC', 63: 'ZONEMD',
  64: 'SVCB', 65: 'HTTPS', 99: 'SPF', 100: 'UINFO', 101: 'UID', 102: 'GID', 103: 'UNSPEC', 104: 'NID',
  105: 'L32', 106: 'L64', 107: 'LP', 108: 'EUI48', 109: 'EUI64', 249: 'TKEY', 250: 'TSIG', 251: 'IXFR',
  252: 'AXFR', 253: 'MAILB', 254: 'MAILA', 255: 'ANY', 256: 'URI', 257: 'CAA', 258: 'AVC', 259: 'DOA',
  260: 'AMTRELAY', 32768: 'TA', 32769: 'DLV', 65281: 'WINS', 65282: 'WINS-R', 65521: 'XPF',
};

export function dnsTypeName(t: number): string {
  return TYPE_NAMES[t] ?? `Unknown (${t})`;
}

const OPCODE_NAMES: Record<number, string> = {
  0: 'Standard query',
  1: 'Inverse query',
  2: 'Server status request',
  4: 'Zone change notification',
  5: 'Dynamic update',
  6: 'DNS Stateful operations (DSO)',
};

const RCODE_NAMES: Record<number, string> = {
  0: 'No error', 1: 'Format error', 2: 'Server failure', 3: 'No such name', 4: 'Not implemented', 5: 'Refused',
  6: 'Name exists', 7: 'RRset exists', 8: 'RRset does not exist', 9: 'Not authoritative', 10: 'Name out of zone',
  11: 'DSO-Type not implemented',
};

/** Presentation of a record's data for DnsRecord (zone-file-like; TXT strings quoted). */
export function rdataText(d: DnsRData): string {
  switch (d.kind) {
    case 'a':
      return ip4Text(d.addr);
    case 'aaaa':
      return ip6Text(d.addr, 0);
    case 'name':
      return d.name.text;
    case 'mx':
      return `${d.preference} ${d.exchange.text}`;
    case 'txt':
      return d.strings.map((s) => `"${s.text.replace(/["\\]/g, (c) => '\\' + c)}"`).join(' ');
    case 'hinfo':
      return `"${d.cpu}" "${d.os}"`;
    case 'soa':
      return `${d.mname.text} ${d.rname.text} ${d.serial} ${d.refresh} ${d.retry} ${d.expire} ${d.minimum}`;
    case 'srv':
      return `${d.priority} ${d.weight} ${d.port} ${d.target.text}`;
    case 'svcb':
      return `${d.priority} ${d.target.text}`;
    case 'nsec':
      return d.next.text;
    case 'opt':
      return '';
    case 'raw':
      return Array.from(d.bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    case 'error':
      return '';
  }
}

// ---- Emitting fields ----------------------------------------------------------------------

export type DnsFlavor = 'dns' | 'mdns' | 'llmnr';

const PROTOCOL_COLUMN: Record<DnsFlavor, string> = { dns: 'DNS', mdns: 'MDNS', llmnr: 'LLMNR' };

/** Which protocol Wireshark would call a message on these ports (it tries the lower port first). */
export function dnsFlavor(portA: number, portB: number): DnsFlavor {
  const of = (p: number): DnsFlavor | null => (p === 5353 ? 'mdns' : p === 5355 ? 'llmnr' : p === 53 ? 'dns' : null);
  const [lo, hi] = portA <= portB ? [portA, portB] : [portB, portA];
  return of(lo) ?? of(hi) ?? 'dns';
}

const EMPTY = new Uint8Array(0);

interface Txn {
  reqFrame: number;
  reqSec: number;
  reqNsec: number;
  repFrame: number;
}

/** Request/response matching for one conversation, as Wireshark's single pass does it (key: transaction id). */
export class DnsTransactions {
  private readonly map = new Map<number, Txn>();

  /** Returns what to show for this message: retransmission of, response to, or unsolicited. */
  track(m: DnsMessage, ctx: FrameCtx): { retransReq?: number; retransRep?: number; responseTo?: Txn; unsolicited?: boolean } {
    const t = this.map.get(m.id);
    if (!m.response) {
      if (t !== undefined && t.repFrame === 0 && t.reqFrame !== ctx.frame) {
        const dt = ctx.tsSec - t.reqSec + (ctx.tsNsec - t.reqNsec) / 1e9;
        if (dt < RETRANSMISSION_TIMER_SEC) return { retransReq: t.reqFrame };
      }
      this.map.delete(m.id);
      if (this.map.size >= MAX_DNS_TRANSACTIONS) {
        const oldest = this.map.keys().next();
        if (!oldest.done) this.map.delete(oldest.value);
      }
      this.map.set(m.id, { reqFrame: ctx.frame, reqSec: ctx.tsSec, reqNsec: ctx.tsNsec, repFrame: 0 });
      return {};
    }
    if (t === undefined) return { unsolicited: true };
    if (t.repFrame === 0 || t.repFrame === ctx.frame) {
      t.repFrame = ctx.frame;
      return { responseTo: t };
    }
    return { retransRep: t.repFrame };
  }
}

function emitName(sink: AppSink, field: string, n: DnsName): void {
  sink.field(field, n.text);
}

function emitRData(sink: AppSink, rr: DnsRR): string {
  const d = rr.data;
  switch (d.kind) {
    case 'a':
      sink.field('dns.a', d.addr);
      return ' ' + ip4Text(d.addr);
    case 'aaaa':
      sink.field('dns.aaaa', d.addr);
      return ' ' + ip6Text(d.addr, 0);
    case 'name': {
      const f = rr.type === 2 ? 'dns.ns' : rr.type === 5 ? 'dns.cname' : 'dns.ptr.domain_name';
      emitName(sink, f, d.name);
      return ' ' + d.name.text;
    }
    case 'mx':
      sink.field('dns.mx.preference', d.preference);
      emitName(sink, 'dns.mx.mail_exchange', d.exchange);
      return ` ${d.preference} ${d.exchange.text}`;
    case 'txt': {
      const [lf, sf] = rr.type === 99 ? ['dns.spf.length', 'dns.spf'] : ['dns.txt.length', 'dns.txt'];
      for (const s of d.strings) {
        sink.field(lf, s.len);
        sink.field(sf, s.text);
      }
      return '';
    }
    case 'hinfo':
      sink.field('dns.hinfo.cpu_length', d.cpuLen);
      sink.field('dns.hinfo.cpu', d.cpu);
      sink.field('dns.hinfo.os_length', d.osLen);
      sink.field('dns.hinfo.os', d.os);
      return ` ${d.cpu} ${d.os}`;
    case 'soa':
      emitName(sink, 'dns.soa.mname', d.mname);
      emitName(sink, 'dns.soa.rname', d.rname);
      sink.field('dns.soa.serial_number', d.serial);
      sink.field('dns.soa.refresh_interval', d.refresh);
      sink.field('dns.soa.retry_interval', d.retry);
      sink.field('dns.soa.expire_limit', d.expire);
      sink.field('dns.soa.minimum_ttl', d.minimum);
      return ' ' + d.mname.text;
    case 'srv':
      sink.field('dns.srv.priority', d.priority);
      sink.field('dns.srv.weight', d.weight);
      sink.field('dns.srv.port', d.port);
      emitName(sink, 'dns.srv.target', d.target);
      return ` ${d.priority} ${d.weight} ${d.port} ${d.target.text}`;
    case 'opt':
      for (const op of d.options) {
        sink.field('dns.opt', EMPTY);
        sink.field('dns.opt.code', op.code);
        sink.field('dns.opt.len', op.data.length);
        sink.field('dns.opt.data', op.data);
      }
      return '';
    case 'svcb':
      sink.field('dns.svcb.svcpriority', d.priority);
      emitName(sink, 'dns.svcb.targetname', d.target);
      for (const p of d.params) {
        sink.field('dns.svcb.svcparam', EMPTY);
        sink.field('dns.svcb.svcparam.key', p.key);
        sink.field('dns.svcb.svcparam.value.length', p.value.length);
        sink.field('dns.svcb.svcparam.value', p.value);
      }
      return '';
    case 'nsec':
      emitName(sink, 'dns.nsec.next_domain_name', d.next);
      return ' ' + d.next.text;
    case 'raw':
      sink.field('dns.data', d.bytes);
      return '';
    case 'error':
      return '';
  }
}

/** SRV owner names are split into service, protocol and name (RFC 2782 `_service._proto.name`), as Wireshark shows them. */
function emitSrvOwner(sink: AppSink, n: DnsName): void {
  const parts = n.text.split('.');
  sink.field('dns.srv.service', parts[0]!);
  if (parts.length > 1) sink.field('dns.srv.proto', parts[1]!);
  if (parts.length > 2) sink.field('dns.srv.name', parts.slice(2).join('.'));
}

function emitRR(sink: AppSink, rr: DnsRR, flavor: DnsFlavor): string {
  if (rr.type === 33 && rr.name.text !== ROOT) emitSrvOwner(sink, rr.name);
  else emitName(sink, 'dns.resp.name', rr.name);
  sink.field('dns.resp.type', rr.type);
  let info = ' ' + dnsTypeName(rr.type);
  if (rr.type === 41) {
    // RFC 6891 §6.1.3: CLASS is the requestor's UDP payload size; TTL is EXTENDED-RCODE,
    // VERSION, DO and Z.
    sink.field('dns.rr.udp_payload_size', rr.class);
    sink.field('dns.resp.ext_rcode', rr.ttl >>> 24);
    sink.field('dns.resp.edns0_version', (rr.ttl >>> 16) & 0xff);
    sink.field('dns.resp.z', rr.ttl & 0xffff);
    sink.field('dns.resp.z.do', (rr.ttl >>> 15) & 1);
    sink.field('dns.resp.z.reserved', rr.ttl & 0x7fff);
  } else if (flavor === 'mdns') {
    sink.field('dns.resp.class', rr.class & 0x7fff);
    sink.field('dns.resp.cache_flush', rr.class >>> 15);
    if (rr.class & 0x8000) info += ', cache flush';
    sink.field('dns.resp.ttl', rr.ttl);
  } else {
    sink.field('dns.resp.class', rr.class);
    sink.field('dns.resp.ttl', rr.ttl);
  }
  sink.field('dns.resp.len', rr.rdlength);
  return info + emitRData(sink, rr);
}

/** Info's start: `Standard query response 0x1234 No such name` (the rcode only on a response, only when not 0). */
function infoPrefix(id: number, f: number): string {
  const opcode = (f >> 11) & 0xf;
  const rcode = f & 0xf;
  const response = (f & 0x8000) !== 0;
  let info = `${OPCODE_NAMES[opcode] ?? `Unknown operation (${opcode})`}${response ? ' response' : ''} 0x${id.toString(16).padStart(4, '0')}`;
  if (response && rcode !== 0) info += ' ' + (RCODE_NAMES[rcode] ?? `Unknown error (${rcode})`);
  return info;
}

function emitFlags(sink: AppSink, f: number, flavor: DnsFlavor): void {
  const bit = (mask: number): number => ((f & mask) !== 0 ? 1 : 0);
  const response = (f & 0x8000) !== 0;
  sink.field('dns.flags', f);
  sink.field('dns.flags.response', bit(0x8000));
  sink.field('dns.flags.opcode', (f >> 11) & 0xf);
  if (flavor === 'llmnr') {
    // RFC 4795 §2.1.1: C, TC, T replace AA, TC, RD; the rest is reserved.
    sink.field('dns.flags.conflict', bit(0x400));
    sink.field('dns.flags.truncated', bit(0x200));
    sink.field('dns.flags.tentative', bit(0x100));
  } else {
    if (response) sink.field('dns.flags.authoritative', bit(0x400));
    sink.field('dns.flags.truncated', bit(0x200));
    sink.field('dns.flags.recdesired', bit(0x100));
    if (response) sink.field('dns.flags.recavail', bit(0x80));
    sink.field('dns.flags.z', bit(0x40));
    if (response) sink.field('dns.flags.authenticated', bit(0x20));
    sink.field('dns.flags.checkdisable', bit(0x10));
  }
  if (response) sink.field('dns.flags.rcode', f & 0xf);
}

/** Options for emitting one message. */
export interface EmitOptions {
  flavor: DnsFlavor;
  /** The DNS-over-TCP length prefix (dns.length), or -1 for UDP. */
  tcpLength: number;
  stream: number;
  transport: 'udp' | 'tcp';
}

/**
 * Emits one message's fields (tree order), columns, anomaly and record on the current frame.
 * Exported so other carriers (DoT, DoH, ICMP-quoted) can reuse it.
 */
export function emitDnsMessage(bytes: Uint8Array, ctx: FrameCtx, opts: EmitOptions, txns: DnsTransactions | null): void {
  const sink = ctx.sink;
  const r = parseDnsMessage(bytes);
  const m = 'error' in r ? r.partial : r;
  sink.field(opts.flavor, EMPTY);
  if (opts.tcpLength >= 0) sink.field('dns.length', opts.tcpLength);
  if (m === undefined) {
    // Not even a header: Wireshark shows the ID and flags if it has them, then Malformed.
    let info = '';
    if (bytes.length >= 2) sink.field('dns.id', (bytes[0]! << 8) | bytes[1]!);
    if (bytes.length >= 4) {
      const flags = (bytes[2]! << 8) | bytes[3]!;
      emitFlags(sink, flags, opts.flavor);
      info = infoPrefix((bytes[0]! << 8) | bytes[1]!, flags);
    }
    sink.columns(PROTOCOL_COLUMN[opts.flavor], info);
    sink.anomaly(opts.flavor, `${PROTOCOL_COLUMN[opts.flavor]}: ${'error' in r ? r.error : 'malformed'}`, 'error' in r ? r.offset : 0);
    return;
  }
  const track = txns?.track(m, ctx) ?? {};
  sink.field('dns.id', m.id);
  if (track.retransReq !== undefined) {
    sink.field('dns.retransmit_request_in', track.retransReq);
    sink.field('dns.retransmission', 1);
  } else if (track.retransRep !== undefined) {
    sink.field('dns.retransmit_response_in', track.retransRep);
    sink.field('dns.retransmission', 1);
  }
  emitFlags(sink, m.flags, opts.flavor);
  const update = m.opcode === 5;
  sink.field(update ? 'dns.count.zones' : 'dns.count.queries', m.counts[0]);
  sink.field(update ? 'dns.count.prerequisites' : 'dns.count.answers', m.counts[1]);
  sink.field(update ? 'dns.count.updates' : 'dns.count.auth_rr', m.counts[2]);
  sink.field('dns.count.add_rr', m.counts[3]);

  let info = infoPrefix(m.id, m.flags);
  for (const q of m.questions) {
    sink.field('dns.qry.name', q.name.text);
    sink.field('dns.qry.name.len', q.name.len > 1 ? q.name.len : 0);
    sink.field('dns.count.labels', q.name.labels);
    sink.field('dns.qry.type', q.type);
    info += ` ${dnsTypeName(q.type)} ${q.name.text}`;
    if (opts.flavor === 'mdns') {
      sink.field('dns.qry.class', q.class & 0x7fff);
      sink.field('dns.qry.qu', q.class >>> 15);
      info += `, "${q.class & 0x8000 ? 'QU' : 'QM'}" question`;
    } else {
      sink.field('dns.qry.class', q.class);
    }
  }
  for (const rr of m.records) info += emitRR(sink, rr, opts.flavor);

  if (track.responseTo !== undefined) {
    const t = track.responseTo;
    sink.field('dns.response_to', t.reqFrame);
    sink.field('dns.time', ctx.tsSec - t.reqSec + (ctx.tsNsec - t.reqNsec) / 1e9);
  } else if (track.unsolicited) {
    sink.field('dns.unsolicited', 1);
  }
  sink.columns(PROTOCOL_COLUMN[opts.flavor], info);
  if ('error' in r) sink.anomaly(opts.flavor, `${PROTOCOL_COLUMN[opts.flavor]}: ${r.error}`, r.offset);
  sink.record(toRecord(m, ctx.frame, opts));
}

function toRecord(m: DnsMessage, frame: number, opts: EmitOptions): DnsRecord {
  const answers: DnsRecord['answers'] = [];
  for (const rr of m.records) {
    if (answers.length >= MAX_RECORD_ANSWERS) break;
    answers.push({ section: rr.section, name: rr.name.text, type: rr.type, class: rr.class, ttl: rr.ttl, data: rdataText(rr.data) });
  }
  return {
    kind: 'dns',
    frame,
    stream: opts.stream,
    transport: opts.transport,
    id: m.id,
    response: m.response,
    opcode: m.opcode,
    rcode: m.rcode,
    questions: m.questions.map((q) => ({ name: q.name.text, type: q.type, class: q.class })),
    answers,
  };
}

// ---- Parsers ------------------------------------------------------------------------------

/** DNS / mDNS / LLMNR over UDP for one conversation: one message per datagram. */
export class DnsUdpParser implements UdpParser {
  private readonly txns = new DnsTransactions();
  private readonly opts: EmitOptions;

  constructor(info: StreamInfo, _transport: 'udp' | 'tcp' = 'udp') {
    this.opts = { flavor: dnsFlavor(info.client.port, info.server.port), tcpLength: -1, stream: info.stream, transport: 'udp' };
  }

  datagram(_dir: Dir, bytes: Uint8Array, ctx: FrameCtx): void {
    emitDnsMessage(bytes, ctx, this.opts, this.txns);
  }
}

/** RFC 7766 §8: a message is at most 65535 bytes, so a direction never buffers more than one prefix + message. */
const MAX_TCP_BUFFER = 2 + 0xffff;

/** DNS over TCP for one stream: 2-byte length-prefixed messages, reframed across segments. */
export class DnsTcpParser implements TcpParser {
  private readonly txns = new DnsTransactions();
  private readonly opts: EmitOptions;
  /** Per direction: bytes of an incomplete prefix + message (copied: the caller's views die with the call). */
  private readonly buf: [Uint8Array, Uint8Array] = [new Uint8Array(MAX_TCP_BUFFER), new Uint8Array(MAX_TCP_BUFFER)];
  private readonly fill: [number, number] = [0, 0];
  /** A direction that lost bytes cannot find message boundaries again (no sync marker in the framing). */
  private readonly dead: [boolean, boolean] = [false, false];

  constructor(info: StreamInfo, _transport: 'udp' | 'tcp' = 'tcp') {
    this.opts = { flavor: dnsFlavor(info.client.port, info.server.port), tcpLength: -1, stream: info.stream, transport: 'tcp' };
  }

  data(dir: Dir, bytes: Uint8Array, ctx: FrameCtx): void {
    if (this.dead[dir]) return;
    const buf = this.buf[dir];
    let i = 0;
    while (i < bytes.length) {
      let fill = this.fill[dir];
      // Fast path: nothing buffered and a whole message here — no copy.
      if (fill === 0 && bytes.length - i >= 2) {
        const len = (bytes[i]! << 8) | bytes[i + 1]!;
        if (bytes.length - i >= 2 + len) {
          this.message(bytes.subarray(i + 2, i + 2 + len), len, ctx);
          i += 2 + len;
          continue;
        }
      }
      // Buffer: first the prefix, then the message it announces.
      const need = fill < 2 ? 2 : 2 + ((buf[0]! << 8) | buf[1]!);
      const take = Math.min(need - fill, bytes.length - i);
      buf.set(bytes.subarray(i, i + take), fill);
      fill += take;
      i += take;
      this.fill[dir] = fill;
      if (fill === need && need > 2) {
        this.fill[dir] = 0;
        this.message(buf.subarray(2, need), need - 2, ctx);
      } else if (fill === 2 && need === 2 && ((buf[0]! << 8) | buf[1]!) === 0) {
        this.fill[dir] = 0;
        this.message(buf.subarray(2, 2), 0, ctx);
      }
    }
  }

  private message(msg: Uint8Array, len: number, ctx: FrameCtx): void {
    emitDnsMessage(msg, ctx, { ...this.opts, tcpLength: len }, this.txns);
  }

  gap(dir: Dir, length: number, ctx: FrameCtx): void {
    if (this.dead[dir]) return;
    this.dead[dir] = true;
    this.fill[dir] = 0;
    ctx.sink.anomaly('dns', `DNS over TCP: ${length} bytes missing; message boundaries lost, rest of this direction not analysed`, -1);
  }

  end(dir: Dir, ctx: FrameCtx | null): void {
    const fill = this.fill[dir];
    if (fill > 0 && !this.dead[dir] && ctx !== null) {
      ctx.sink.anomaly('dns', `DNS over TCP: stream ended inside a message (${fill} bytes buffered)`, -1);
    }
    this.fill[dir] = 0;
  }
}

