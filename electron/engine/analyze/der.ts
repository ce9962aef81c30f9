/**
 * A small bounds-checked ASN.1 BER/DER reader for the analyzers (Kerberos now; SPNEGO and
 * LDAP later).
 *
 * Spec: ITU-T X.690 (BER/DER): §8.1.2 identifier octets (class, primitive/constructed, tag
 * number, high-tag-number form), §8.1.3 length octets (short form, long form; the indefinite
 * form 0x80 is BER-only and is rejected here: every protocol we read with it — Kerberos
 * (RFC 4120 §5.1 "DER"), GSS-API tokens — uses definite lengths, and an indefinite length
 * would need an end-of-contents search through hostile bytes), §8.3 INTEGER, §8.6 BIT
 * STRING, X.680 §46 GeneralizedTime.
 *
 *   identifier   length            contents
 *   +---------+  +--------------+  +-----------------+
 *   |cc p ttttt|  |0lllllll      |  |  len bytes      |   tttt = 31: tag continues in
 *   +---------+  |1nnnnnnn + n B |  +-----------------+   base-128 octets (bit 8 = more)
 *                +--------------+
 *
 * Never trusts a length: an element that runs past its parent is *malformed*, one that runs
 * past the bytes we were given (the message itself being longer than what we hold) is
 * *truncated*. Both are thrown as a DerError, which the protocol parser catches and turns into
 * an anomaly; nothing escapes an analyzer's public methods.
 */

/** Tag classes (X.690 §8.1.2.2). */
export const CLASS_UNIVERSAL = 0;
export const CLASS_APPLICATION = 1;
export const CLASS_CONTEXT = 2;
export const CLASS_PRIVATE = 3;

/** Universal tag numbers we read. */
export const TAG_BOOLEAN = 1;
export const TAG_INTEGER = 2;
export const TAG_BIT_STRING = 3;
export const TAG_OCTET_STRING = 4;
export const TAG_SEQUENCE = 16;
export const TAG_GENERALIZED_TIME = 24;
export const TAG_GENERAL_STRING = 27;

/**
 * Deepest nesting a reader descends to. Kerberos reaches ~20 levels (TGS-REQ → PA-DATA →
 * FAST armor → AP-REQ → Ticket → PrincipalName) and the PKINIT certificate walk ~30
 * (PA-PK-AS-REQ → CMS SignedData → Certificate → extensions → SAN → KRB5PrincipalName); 48
 * leaves room for that and stops stack exhaustion from a crafted chain of constructed headers.
 */
export const MAX_DEPTH = 48;
/** Tag numbers above 2^28 − 1 (four base-128 octets) are not used by any protocol we read. */
const MAX_TAG_OCTETS = 4;
/** Long-form lengths up to 4 octets (4 GiB) — more than any message we hold; longer is malformed. */
const MAX_LENGTH_OCTETS = 4;
/** X.690 §8.3: INTEGER contents we turn into a number: up to 8 octets (Wireshark's limit too). */
const MAX_INTEGER_OCTETS = 8;

export type DerErrorKind = 'truncated' | 'malformed';

export class DerError extends Error {
  constructor(
    readonly kind: DerErrorKind,
    readonly offset: number,
    detail: string,
  ) {
    super(detail);
    this.name = 'DerError';
  }
}

/** One element's header, positions absolute in the reader's buffer. */
export interface Tlv {
  cls: number;
  constructed: boolean;
  tag: number;
  /** Offset of the identifier octet. */
  start: number;
  /** Offset of the contents. */
  valueStart: number;
  /** Offset just past the contents. */
  end: number;
}

/**
 * A cursor over the elements between `pos` and `limit` of one buffer. `limit` is the parent's
 * end; `held` is how many bytes of the buffer were actually captured (an element past
 * `held` but within a parent that claims it is truncation, not a lie).
 */
export class DerReader {
  private pos: number;

  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    readonly limit = bytes.length,
    readonly depth = 0,
  ) {
    this.pos = start;
  }

  get offset(): number {
    return this.pos;
  }

  get done(): boolean {
    return this.pos >= this.limit;
  }

  /** The next element's header, without moving. Throws DerError. */
  peek(): Tlv {
    return readHeader(this.bytes, this.pos, this.limit);
  }

  /** Reads the next element's header and moves past the whole element. Throws DerError. */
  next(): Tlv {
    const t = readHeader(this.bytes, this.pos, this.limit);
    this.pos = t.end;
    return t;
  }

  /** A reader over a constructed element's contents, one level deeper. Throws DerError. */
  enter(t: Tlv): DerReader {
    if (!t.constructed) throw new DerError('malformed', t.start, `expected a constructed element, found primitive tag ${t.tag}`);
    if (this.depth + 1 > MAX_DEPTH) throw new DerError('malformed', t.start, `nesting deeper than ${MAX_DEPTH} levels`);
    return new DerReader(this.bytes, t.valueStart, t.end, this.depth + 1);
  }

  /** The contents of an element (a view: copy what you keep). */
  value(t: Tlv): Uint8Array {
    return this.bytes.subarray(t.valueStart, t.end);
  }

  /** Next element, which must have this class and tag. Throws DerError. */
  expect(cls: number, tag: number): Tlv {
    const t = this.next();
    if (t.cls !== cls || t.tag !== tag) {
      throw new DerError('malformed', t.start, `expected ${className(cls)} ${tag}, found ${className(t.cls)} ${t.tag}`);
    }
    return t;
  }
}

export function className(cls: number): string {
  return cls === CLASS_UNIVERSAL ? 'UNIVERSAL' : cls === CLASS_APPLICATION ? 'APPLICATION' : cls === CLASS_CONTEXT ? 'CONTEXT' : 'PRIVATE';
}

/**
 * Reads one identifier + length at `pos`; the element must end by `limit`. A parent's header
 * was checked against the buffer before its children are read, so `limit` never exceeds the
 * buffer: running past it is truncation when `limit` is the buffer's end (the message is cut),
 * and a lie (malformed) when it is a parent's declared end.
 */
export function readHeader(bytes: Uint8Array, pos: number, limit: number): Tlv {
  const start = pos;
  const end0 = Math.min(limit, bytes.length);
  if (pos >= end0) throw short(bytes, limit, start, 'element header');
  const id = bytes[pos++]!;
  const cls = id >> 6;
  const constructed = (id & 0x20) !== 0;
  let tag = id & 0x1f;
  if (tag === 0x1f) {
    // X.690 §8.1.2.4: high tag number, base 128, most significant first, bit 8 = more follow.
    tag = 0;
    for (let n = 0; ; n++) {
      if (n >= MAX_TAG_OCTETS) throw new DerError('malformed', start, 'tag number too long');
      if (pos >= end0) throw short(bytes, limit, start, 'tag number');
      const b = bytes[pos++]!;
      if (n === 0 && b === 0x80) throw new DerError('malformed', start, 'tag number with a leading zero octet');
      tag = tag * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
  }
  if (pos >= end0) throw short(bytes, limit, start, 'length');
  const first = bytes[pos++]!;
  let len: number;
  if (first < 0x80) {
    len = first;
  } else if (first === 0x80) {
    throw new DerError('malformed', start, 'indefinite length (BER) where a definite length is required');
  } else {
    const n = first & 0x7f;
    if (n > MAX_LENGTH_OCTETS) throw new DerError('malformed', start, `length of ${n} octets`);
    len = 0;
    for (let i = 0; i < n; i++) {
      if (pos >= end0) throw short(bytes, limit, start, 'length');
      len = len * 256 + bytes[pos++]!;
    }
  }
  const valueStart = pos;
  const end = valueStart + len;
  if (end > end0) {
    throw end0 >= bytes.length
      ? new DerError('truncated', start, `element of ${len} bytes runs past the end of the data`)
      : new DerError('malformed', start, `element of ${len} bytes runs past its container`);
  }
  return { cls, constructed, tag, start, valueStart, end };
}

function short(bytes: Uint8Array, limit: number, start: number, what: string): DerError {
  return new DerError(limit >= bytes.length ? 'truncated' : 'malformed', start, `${what} past the end of its container`);
}

/**
 * INTEGER contents (X.690 §8.3, two's complement) as a number. Up to 8 octets; values beyond
 * ±2^53 lose precision, which no field we read reaches. Use `int32`/`uint32` for Kerberos's
 * Int32/UInt32 (RFC 4120 §5.2.4).
 */
export function readInteger(v: Uint8Array, offset = 0): number {
  if (v.length === 0) throw new DerError('malformed', offset, 'empty INTEGER');
  if (v.length > MAX_INTEGER_OCTETS) throw new DerError('malformed', offset, `INTEGER of ${v.length} octets`);
  let n = (v[0]! & 0x80) !== 0 ? -1 : 0;
  for (const b of v) n = n * 256 + b;
  return n;
}

/** The low 32 bits as a signed number (Wireshark's FT_INT32 view of an INTEGER). */
export function int32(v: Uint8Array, offset = 0): number {
  return low32(v, offset) | 0;
}

/** The low 32 bits as an unsigned number (Wireshark's FT_UINT32 view: a negative nonce shows as 2^32 − n). */
export function uint32(v: Uint8Array, offset = 0): number {
  return low32(v, offset) >>> 0;
}

function low32(v: Uint8Array, offset: number): number {
  if (v.length === 0) throw new DerError('malformed', offset, 'empty INTEGER');
  if (v.length > MAX_INTEGER_OCTETS) throw new DerError('malformed', offset, `INTEGER of ${v.length} octets`);
  // Sign-extend to 4 octets when shorter, then keep the last 4.
  const fill = (v[0]! & 0x80) !== 0 ? 0xff : 0;
  let n = 0;
  for (let i = v.length - 4; i < v.length; i++) n = ((n << 8) | (i < 0 ? fill : v[i]!)) >>> 0;
  return n;
}

/** BOOLEAN contents: X.690 §8.2 (any non-zero octet is TRUE in BER). */
export function readBoolean(v: Uint8Array, offset = 0): boolean {
  if (v.length !== 1) throw new DerError('malformed', offset, `BOOLEAN of ${v.length} octets`);
  return v[0] !== 0;
}

/** BIT STRING contents: the bits without the leading unused-bits octet (X.690 §8.6.2). */
export function readBitString(v: Uint8Array, offset = 0): Uint8Array {
  if (v.length === 0) throw new DerError('malformed', offset, 'BIT STRING without its unused-bits octet');
  if (v[0]! > 7) throw new DerError('malformed', offset, `BIT STRING with ${v[0]} unused bits`);
  return v.subarray(1);
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** A character string's contents as text (UTF-8; invalid sequences become U+FFFD). */
export function readString(v: Uint8Array): string {
  return utf8.decode(v);
}

/**
 * GeneralizedTime (X.680 §46) as seconds since the epoch, UTC. Kerberos (RFC 4120 §5.2.3)
 * sends `YYYYMMDDHHMMSSZ`; BER also allows fractional seconds and a missing or numeric zone,
 * which are accepted (no zone = UTC, as Wireshark shows it).
 */
export function readGeneralizedTime(v: Uint8Array, offset = 0): number {
  const s = String.fromCharCode(...v.subarray(0, 64));
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{4})?$/.exec(s);
  if (m === null || v.length > 64) throw new DerError('malformed', offset, 'GeneralizedTime not in YYYYMMDDHHMMSS[.f][Z] form');
  const [, y, mo, d, h, mi, se, frac, zone] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59 || Number(se) > 60) {
    throw new DerError('malformed', offset, 'GeneralizedTime out of range');
  }
  let t = Date.UTC(Number(y), month - 1, day, Number(h), Number(mi), Number(se)) / 1000;
  if (frac !== undefined) t += Number(`0.${frac}`);
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    t -= sign * (Number(zone.slice(1, 3)) * 3600 + Number(zone.slice(3, 5)) * 60);
  }
  return t;
}
