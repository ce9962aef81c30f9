/**
 * A frame's field values for the display-filter evaluator: every occurrence of every
 * registered field in a dissected frame, each normalised to ONE representation per
 * registry type, so evaluate.ts never looks at how a dissector spelt a value.
 *
 * | registry type | value here | why |
 * |---|---|---|
 * | uint, int, framenum | number (bigint beyond ±2^53) | exact integers |
 * | bool | 0 or 1 | Wireshark compares booleans as integers |
 * | float | number | |
 * | string | string, cut at the first NUL | an FT_STRING is a C string in Wireshark |
 * | bytes | Uint8Array | |
 * | ether | Uint8Array (6 bytes) | 48-bit order = byte order; slices and `&` need bytes |
 * | ipv4 | number (unsigned 32-bit) | |
 * | ipv6 | Uint8Array (16 bytes) | |
 * | time, reltime | TimeValue {sec, nsec} | exact: an epoch time with 9 fraction digits does not fit a double |
 * | protocol | ProtocolValue | see below |
 * | none (labels) | an empty Uint8Array | presence only |
 *
 * A protocol's value is what Wireshark's FT_PROTOCOL fvalue holds: the protocol's tvbuff
 * (from its first byte to the end of the data its dissector was handed: the whole frame
 * for `eth`, the IP datagram for `ip`, the segment for `tcp`) plus the item length given
 * when the item was added (`len(ip)` is the header length, `len(tcp)` the whole segment).
 * `len()`, slices and `==`/`<` use the first `length` bytes (`bytes`); `contains` and
 * `matches` search the whole tvbuff (`tvb`): TShark 4.0.17 matches `ip contains "GET"`
 * against the payload while `len(ip) == 20`.
 *
 * Either-side fields (`ip.addr`, `tcp.port`, ...) are filled in from their parts as listed
 * in the registry, so a lookup of `ip.addr` costs no more than one of `ip.src`. Hidden
 * fields Wireshark always adds next to an address and Tracehound's dissectors do not emit
 * (`ip.src_host`, `ipv6.dst_host`, ...: the address text, as `tshark -n` has them) are
 * derived here too. Every occurrence the tree has is kept: the headers quoted in an ICMP
 * error and the inner headers of a tunnel count, as they do in Wireshark.
 */
import { FIELDS, field as registryField, type FieldType } from '../../../shared/fields.js';
import type { TreeNode } from '../../../shared/model.js';

/** Absolute or relative time, exact: sec + nsec/1e9, nsec in 0..999999999 (sec floored). */
export interface TimeValue {
  readonly sec: number;
  readonly nsec: number;
}

/**
 * An FT_PROTOCOL value (see the header). Usually `bytes` is a prefix of `tvb`. ARP is the
 * exception: its dissector shortens its tvbuff to the ARP message after the item was added
 * to the end of the frame, so on a padded Ethernet frame `bytes` runs past `tvb` over the
 * padding (TShark 4.0.17, as io,stat and -Y without -V see it: `len(arp) == 46`, `arp[28]`
 * absent, `arp contains <padding>` false). Bytes past `tvb.length` count for len() and
 * ordering but cannot be sliced.
 */
export interface ProtocolValue {
  readonly kind: 'protocol';
  /** The item's bytes: `len()`, slices, `==`, `<`. */
  readonly bytes: Uint8Array;
  /** From the protocol's first byte to the end of its data: `contains`, `matches`, what slices can read. */
  readonly tvb: Uint8Array;
}

export type FieldScalar = number | bigint | string | Uint8Array | TimeValue | ProtocolValue;

/** Field name → its values in the frame, one per occurrence, in tree order. Absent fields have no entry. */
export type FrameFields = ReadonlyMap<string, readonly FieldScalar[]>;

/** What the tree does not say about a frame, from the capture record and the frames before it. */
export interface FrameExtra {
  frameNumber: number;
  tsSec: number;
  tsNsec: number;
  /** Arrival time of the capture's first frame: the reference of frame.time_relative (default: this frame). */
  firstTs?: TimeValue;
  /** Arrival time of the previous frame in the capture: frame.time_delta (default: this frame, delta 0). */
  prevTs?: TimeValue;
  /**
   * Arrival time of the previous DISPLAYED frame: frame.time_delta_displayed (default: prevTs,
   * as in a pass where every frame is displayed, e.g. `tshark -z io,stat`; under `tshark -Y`
   * the previous displayed frame depends on the filter itself).
   */
  prevDisplayedTs?: TimeValue;
  /**
   * Fields the case stores for this frame rather than the frame's own bytes giving them:
   * the application analyzers' fields (app_fields, on the frame that completed each PDU)
   * and tcp.stream. Values as stored: number, string, or bytes (protocols and labels: empty).
   */
  stored?: readonly (readonly [string, number | string | Uint8Array])[];
  /** frame.time_relative / frame.time_delta in seconds, when the exact times above are not known. */
  relSec?: number;
  deltaSec?: number;
  /** Used only when the tree has no `frame` node. */
  origLen?: number;
  capLen?: number;
  /** pcapng only (Wireshark shows none of these for classic pcap). */
  interfaceId?: number;
  interfaceName?: string | null;
  interfaceDescription?: string | null;
  /** pcapng section, numbered from 1 as Wireshark shows it. */
  sectionNumber?: number;
  /** Packet comments, used only when the tree has no frame.comment node. */
  comments?: readonly string[] | null;
  /**
   * Bytes of the other data sources nodes may point into (node.source → bytes), e.g. the
   * "Reassembled IPv4" datagram whose offsets a reassembled frame's transport nodes use.
   * Without them such a node's bytes are unknown: its protocol or bytes occurrence is kept
   * (so presence and count() stay right) as an empty value.
   */
  sources?: ReadonlyMap<string, Uint8Array>;
}

type Convert = (n: TreeNode, data: Uint8Array, w: Walk) => FieldScalar | undefined;

/** Per-frame walk state. */
interface Walk {
  out: Map<string, FieldScalar[]>;
  extra: FrameExtra;
  frameBytes: Uint8Array;
  /** End (exclusive) of the data the next protocol's dissector is handed, per data source. */
  ends: Map<string, number>;
}

const EMPTY = new Uint8Array(0);
/** The value of a label (FT_NONE): present, nothing to compare. */
const LABEL: Uint8Array = EMPTY;

/**
 * Protocols Wireshark adds with length -1 ("to the end of the tvbuff"), so their item, and
 * `len()`, covers everything after the header too (checked against TShark 4.0.17:
 * `len(tcp) == {tcp.hdr_len + tcp.len}`, `len(icmp) == {ip.len - 20}`, `len(gre) == {ip.len - 20}`,
 * `len(llc) == eth.len`). The others are added
 * with their header length (`len(ip) == ip.hdr_len`, `len(udp) == 8`, `len(eth) == 14`).
 */
const PROTOCOL_TO_END = new Set(['frame', 'tcp', 'icmp', 'icmpv6', 'data', 'esp', 'gre', 'erspan', 'llc']);

// ---- text → value parsers (the dissectors' spellings) -----------------------------------

/** Value of a hex digit's char code, -1 if it is none. */
function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  return l >= 97 && l <= 102 ? l - 87 : -1;
}

/** "aabbcc", "aa:bb:cc", "aa-bb", "aa.bb" (pairs of digits, one separator between pairs) → bytes. */
function hexBytes(s: string): Uint8Array | null {
  const n = s.length;
  if (n === 0) return EMPTY;
  const sep = n >= 5 && hexDigit(s.charCodeAt(2)) < 0 ? s.charCodeAt(2) : -1;
  const count = sep < 0 ? n / 2 : (n + 1) / 3;
  if (!Number.isInteger(count)) return null;
  const out = new Uint8Array(count);
  const step = sep < 0 ? 2 : 3;
  for (let i = 0, o = 0; i < count; i++, o += step) {
    const hi = hexDigit(s.charCodeAt(o));
    const lo = hexDigit(s.charCodeAt(o + 1));
    if (hi < 0 || lo < 0) return null;
    if (sep >= 0 && i + 1 < count && s.charCodeAt(o + 2) !== sep) return null;
    out[i] = (hi << 4) | lo;
  }
  return sep < 0 || sep === 58 || sep === 45 || sep === 46 ? out : null;
}

/** Dotted quad → unsigned 32-bit number. */
function ipv4Number(s: string): number | null {
  let v = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return null;
      v = v * 256 + part;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      part = part * 10 + c - 48;
      digits++;
      if (part > 255) return null;
    } else return null;
  }
  return dots === 3 && digits > 0 ? v * 256 + part : null;
}

/** RFC 4291 §2.2 text (with `::` and a trailing dotted quad) → 16 bytes. */
export function ipv6Bytes(s: string): Uint8Array | null {
  let text = s;
  if (text.includes('.')) {
    // A trailing dotted quad stands for the last two groups.
    const i = text.lastIndexOf(':');
    const v4 = i < 0 ? null : ipv4Number(text.slice(i + 1));
    if (v4 === null) return null;
    text = `${text.slice(0, i + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groups = (h: string): number[] | null => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (head === null || tail === null) return null;
  let all: number[];
  if (halves.length === 2) {
    const zeros = 8 - head.length - tail.length;
    if (zeros < 1) return null;
    all = [...head, ...new Array<number>(zeros).fill(0), ...tail];
  } else all = head;
  if (all.length !== 8) return null;
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/** "1734551947.286442000", "-0.25" → exact {sec, nsec}. */
export function parseSeconds(s: string): TimeValue | null {
  const m = /^(-?)([0-9]+)(?:\.([0-9]{1,9}))?$/.exec(s);
  if (!m) return null;
  const sec = Number(m[2]);
  const nsec = m[3] === undefined ? 0 : Number(m[3].padEnd(9, '0'));
  return m[1] === '-' ? negate({ sec, nsec }) : { sec, nsec };
}

function negate(t: TimeValue): TimeValue {
  return t.nsec === 0 ? { sec: -t.sec, nsec: 0 } : { sec: -t.sec - 1, nsec: 1e9 - t.nsec };
}

/** a - b, exactly. */
export function timeDiff(a: TimeValue, b: TimeValue): TimeValue {
  let sec = a.sec - b.sec;
  let nsec = a.nsec - b.nsec;
  if (nsec < 0) {
    nsec += 1e9;
    sec -= 1;
  }
  return { sec, nsec };
}

function secondsValue(x: number): TimeValue {
  const sec = Math.floor(x);
  let nsec = Math.round((x - sec) * 1e9);
  if (nsec >= 1e9) return { sec: sec + 1, nsec: nsec - 1e9 };
  if (nsec < 0) nsec = 0;
  return { sec, nsec };
}

function integerValue(v: unknown): number | bigint | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'bigint') return v >= -0x1fffffffffffffn && v <= 0x1fffffffffffffn ? Number(v) : v;
  if (typeof v === 'string') {
    const t = v.trim();
    if (!/^-?(?:[0-9]+|0[xX][0-9a-fA-F]+)$/.test(t)) return undefined;
    const neg = t.startsWith('-');
    const b = BigInt(neg ? t.slice(1) : t);
    return integerValue(neg ? -b : b);
  }
  return undefined;
}

/** The node's range in `data`, clipped to it. */
function rangeOf(n: TreeNode, data: Uint8Array): Uint8Array {
  const start = Math.min(Math.max(0, n.offset), data.length);
  const end = Math.min(Math.max(start, n.offset + Math.max(0, n.length)), data.length);
  return data.subarray(start, end);
}

function childValue(n: TreeNode, name: string): number | undefined {
  if (!n.children) return undefined;
  for (const c of n.children) {
    if (c.field === name) {
      const v = integerValue(c.value);
      return typeof v === 'number' ? v : undefined;
    }
  }
  return undefined;
}

// ---- per-type converters ------------------------------------------------------------------

const toInteger: Convert = (n) => integerValue(n.value);

const toBool: Convert = (n) => {
  const v = n.value;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const i = integerValue(v);
  return i === undefined ? undefined : i === 0 || i === 0n ? 0 : 1;
};

const toFloat: Convert = (n) => {
  const v = n.value;
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
};

/** An FT_STRING value is a C string: it ends at the first NUL. */
function cString(s: string): string {
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
}

const toString: Convert = (n) => {
  const v = n.value;
  return v === undefined ? undefined : cString(typeof v === 'string' ? v : String(v));
};

const toBytes: Convert = (n, data) => {
  const v = n.value;
  if (typeof v === 'string') {
    const b = hexBytes(v);
    if (b !== null) return b;
  }
  return rangeOf(n, data);
};

const toEther: Convert = (n, data) => {
  const v = n.value;
  if (typeof v === 'string') {
    const b = hexBytes(v);
    if (b !== null && b.length === 6) return b;
  } else if (typeof v === 'number' && v >= 0 && v < 2 ** 48) {
    const out = new Uint8Array(6);
    let x = v;
    for (let i = 5; i >= 0; i--) {
      out[i] = x % 256;
      x = Math.floor(x / 256);
    }
    return out;
  }
  const r = rangeOf(n, data);
  return r.length === 6 ? r : undefined;
};

const toIpv4: Convert = (n, data) => {
  const v = n.value;
  if (typeof v === 'number' && v >= 0 && v <= 0xffffffff) return v;
  if (typeof v === 'string') {
    const a = ipv4Number(v);
    if (a !== null) return a;
  }
  const r = rangeOf(n, data);
  return r.length === 4 ? ((r[0]! << 24) >>> 0) + ((r[1]! << 16) | (r[2]! << 8) | r[3]!) : undefined;
};

const toIpv6: Convert = (n, data) => {
  const v = n.value;
  if (typeof v === 'string') {
    const a = ipv6Bytes(v);
    if (a !== null) return a;
  }
  const r = rangeOf(n, data);
  return r.length === 16 ? r : undefined;
};

const toTime: Convert = (n) => {
  const v = n.value;
  if (typeof v === 'string') return parseSeconds(v.trim()) ?? undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return secondsValue(v);
  return undefined;
};

const toLabel: Convert = () => LABEL;

/**
 * A protocol occurrence: its tvbuff runs to the end of the data its dissector got, which an
 * IPv4/IPv6 header narrows to the datagram it describes, and an 802.3 length field to the
 * payload it counts, for everything after it. (A UDP length does not narrow: TShark 4.0.17
 * searches `udp contains` past a UDP length shorter than the IP payload.)
 */
const toProtocol =
  (name: string): Convert =>
  (n, data, w) => {
    const src = (n as { source?: string }).source ?? '';
    if (src !== '' && !w.extra.sources?.has(src)) return { kind: 'protocol', bytes: EMPTY, tvb: EMPTY };
    const start = Math.min(Math.max(0, n.offset), data.length);
    const end = Math.max(start, Math.min(w.ends.get(src) ?? data.length, data.length));
    let narrowed = -1;
    if (name === 'ip') {
      const len = childValue(n, 'ip.len');
      // A total length of 0 is TSO (the rest of the frame); a bogus one below the header changes nothing.
      if (len !== undefined && len > 0) narrowed = start + len;
    } else if (name === 'ipv6') {
      const plen = childValue(n, 'ipv6.plen');
      if (plen !== undefined && plen > 0) narrowed = start + 40 + plen;
    } else if (name === 'eth' || name === 'vlan') {
      // An 802.3 length field bounds what follows (the LLC), not the Ethernet item itself.
      const len = childValue(n, `${name}.len`);
      if (len !== undefined) w.ends.set(src, Math.max(start, Math.min(end, start + (name === 'eth' ? 14 : 4) + len)));
    }
    const tvbEnd = narrowed >= 0 ? Math.max(start, Math.min(end, narrowed)) : end;
    if (narrowed >= 0) w.ends.set(src, tvbEnd);
    const tvb = data.subarray(start, tvbEnd);
    if (name === 'arp') return { kind: 'protocol', bytes: tvb, tvb: tvb.subarray(0, Math.min(Math.max(0, n.length), tvb.length)) };
    const length = PROTOCOL_TO_END.has(name) ? tvb.length : Math.min(Math.max(0, n.length), tvb.length);
    return { kind: 'protocol', bytes: length === tvb.length ? tvb : tvb.subarray(0, length), tvb };
  };

function converterFor(name: string, type: FieldType): Convert {
  switch (type) {
    case 'uint':
    case 'int':
    case 'framenum':
      return toInteger;
    case 'bool':
      return toBool;
    case 'float':
      return toFloat;
    case 'string':
      return toString;
    case 'bytes':
      return toBytes;
    case 'ether':
      return toEther;
    case 'ipv4':
      return toIpv4;
    case 'ipv6':
    case 'ipnet':
      return toIpv6;
    case 'time':
    case 'reltime':
      return toTime;
    case 'protocol':
      return toProtocol(name);
    case 'none':
      return toLabel;
  }
}

/** Converter per field name; null for names outside the registry (never filterable). */
const converters = new Map<string, Convert | null>();

function converter(name: string): Convert | null {
  let c = converters.get(name);
  if (c === undefined) {
    const def = registryField(name);
    // Either-side fields are rebuilt from their parts below, whatever the tree holds.
    c = def === undefined || def.eitherSide !== undefined ? null : converterFor(name, def.type);
    converters.set(name, c);
  }
  return c;
}

let eitherSideDefs: Array<readonly [string, readonly string[]]> | undefined;

function eitherSide(): Array<readonly [string, readonly string[]]> {
  eitherSideDefs ??= FIELDS.filter((f) => f.eitherSide !== undefined).map((f) => [f.name, f.eitherSide!] as const);
  return eitherSideDefs;
}

function add(out: Map<string, FieldScalar[]>, name: string, v: FieldScalar): void {
  const list = out.get(name);
  if (list === undefined) out.set(name, [v]);
  else list.push(v);
}

function walk(nodes: readonly TreeNode[], w: Walk): void {
  for (const n of nodes) {
    const name = n.field;
    if (name !== undefined) {
      const c = converter(name);
      if (c !== null) {
        const src = (n as { source?: string }).source;
        const data = src === undefined ? w.frameBytes : (w.extra.sources?.get(src) ?? EMPTY);
        const v = c(n, data, w);
        if (v !== undefined) add(w.out, name, v);
      }
    }
    if (n.children !== undefined) walk(n.children, w);
  }
}

function ip4Text(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** RFC 5952 text, as Wireshark prints an IPv6 address (inet_ntop, with its dotted-quad forms). */
export function ip6Text(b: Uint8Array): string {
  let bestStart = -1;
  let bestLen = 0;
  let curStart = -1;
  for (let i = 0; i < 8; i++) {
    if (b[2 * i] === 0 && b[2 * i + 1] === 0) {
      if (curStart < 0) curStart = i;
      if (i - curStart + 1 > bestLen) {
        bestLen = i - curStart + 1;
        bestStart = curStart;
      }
    } else curStart = -1;
  }
  if (bestLen < 2) bestStart = -1;
  const dotted = bestStart === 0 && (bestLen === 6 || (bestLen === 5 && b[10] === 0xff && b[11] === 0xff));
  const groups = dotted ? 6 : 8;
  let s = '';
  for (let i = 0; i < groups; i++) {
    if (i === bestStart) {
      s += i === 0 ? '::' : ':';
      i += bestLen - 1;
      continue;
    }
    s += ((b[2 * i]! << 8) | b[2 * i + 1]!).toString(16);
    if (i < groups - 1) s += ':';
  }
  if (dotted) {
    if (!s.endsWith(':')) s += ':';
    s += `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  }
  return s;
}

/** `ip.src_host` & co.: one per address occurrence, the address as text (TShark with -n). */
const HOST_FIELDS: ReadonlyArray<readonly [string, string, (v: FieldScalar) => string]> = [
  ['ip.src', 'ip.src_host', (v) => ip4Text(v as number)],
  ['ip.dst', 'ip.dst_host', (v) => ip4Text(v as number)],
  ['ipv6.src', 'ipv6.src_host', (v) => ip6Text(v as Uint8Array)],
  ['ipv6.dst', 'ipv6.dst_host', (v) => ip6Text(v as Uint8Array)],
];

const EMPTY_BYTES = new Uint8Array(0);

function setOnce(out: Map<string, FieldScalar[]>, name: string, v: FieldScalar | undefined): void {
  if (v !== undefined && !out.has(name) && registryField(name) !== undefined) out.set(name, [v]);
}

/**
 * The field values of one dissected frame. `tree` is dissectTree's output for `frameBytes`
 * (the captured bytes); `extra` supplies the frame.* values the tree cannot know.
 */
export function frameFields(tree: readonly TreeNode[], frameBytes: Uint8Array, extra: FrameExtra): FrameFields {
  const out = new Map<string, FieldScalar[]>();
  walk(tree, { out, extra, frameBytes, ends: new Map() });
  for (const [name, v] of extra.stored ?? []) {
    const t = registryField(name)?.type;
    if (t === undefined) continue;
    const value: FieldScalar =
      t === 'protocol'
        ? { kind: 'protocol', bytes: v instanceof Uint8Array ? v : EMPTY_BYTES, tvb: v instanceof Uint8Array ? v : EMPTY_BYTES }
        : t === 'none'
          ? EMPTY_BYTES
          : typeof v === 'string'
            ? cString(v)
            : v;
    const list = out.get(name);
    if (list) list.push(value);
    else out.set(name, [value]);
  }

  // frame.* from the capture record, where the tree's frame node did not give them.
  const ts: TimeValue = { sec: extra.tsSec, nsec: extra.tsNsec };
  setOnce(out, 'frame.number', extra.frameNumber);
  setOnce(out, 'frame.time', ts);
  setOnce(out, 'frame.time_epoch', ts);
  setOnce(out, 'frame.len', extra.origLen ?? extra.capLen ?? frameBytes.length);
  setOnce(out, 'frame.cap_len', extra.capLen ?? frameBytes.length);
  if (!out.has('frame')) setOnce(out, 'frame', { kind: 'protocol', bytes: frameBytes, tvb: frameBytes });
  const rel = extra.firstTs ? timeDiff(ts, extra.firstTs) : extra.relSec !== undefined ? secondsValue(extra.relSec) : { sec: 0, nsec: 0 };
  const delta = extra.prevTs
    ? timeDiff(ts, extra.prevTs)
    : extra.deltaSec !== undefined
      ? secondsValue(extra.deltaSec)
      : { sec: 0, nsec: 0 };
  setOnce(out, 'frame.time_relative', rel);
  setOnce(out, 'frame.time_delta', delta);
  setOnce(out, 'frame.time_delta_displayed', extra.prevDisplayedTs ? timeDiff(ts, extra.prevDisplayedTs) : delta);
  // Always in Wireshark's frame tree: no time shift, not marked, not ignored.
  setOnce(out, 'frame.offset_shift', { sec: 0, nsec: 0 });
  setOnce(out, 'frame.marked', 0);
  setOnce(out, 'frame.ignored', 0);
  if (extra.interfaceId !== undefined) setOnce(out, 'frame.interface_id', extra.interfaceId);
  if (extra.interfaceName) setOnce(out, 'frame.interface_name', extra.interfaceName);
  if (extra.interfaceDescription) setOnce(out, 'frame.interface_description', extra.interfaceDescription);
  if (extra.sectionNumber !== undefined) setOnce(out, 'frame.section_number', extra.sectionNumber);
  if (!out.has('frame.comment') && extra.comments?.length) {
    out.set('frame.comment', extra.comments.map(cString));
  }

  for (const [from, to, text] of HOST_FIELDS) {
    const src = out.get(from);
    if (src !== undefined && registryField(to) !== undefined) out.set(to, src.map(text));
  }
  for (const [name, parts] of eitherSide()) {
    let list: FieldScalar[] | undefined;
    for (const p of parts) {
      const l = out.get(p);
      if (l !== undefined) list = list === undefined ? l.slice() : list.concat(l);
    }
    if (list !== undefined) out.set(name, list);
  }
  return out;
}
