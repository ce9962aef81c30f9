/**
 * The exact display-filter evaluator: decides a checked filter (shared/filter/ast.ts) on one
 * frame's field values (frame-fields.ts), as TShark 4.0.17 does.
 *
 * `compileEvaluator` turns the checked tree into a tree of closures once; evaluating a frame
 * then runs only those closures (no tree walk, no type dispatch, no literal parsing: every
 * literal is converted to the values' representation at compile time).
 *
 * Semantics are ast.ts's, with these points where TShark 4.0.17 (the oracle) is followed
 * instead of the letter of that document; each was checked with tshark:
 * - bytes order (bytes, slices, protocols) is LENGTH FIRST, then memcmp: `eth.src[0:2] <
 *   00:00:00` is true (FT_BYTES cmp_order compares lengths before contents);
 * - a slice always yields a value per occurrence: the bytes of its ranges up to the first
 *   range that does not fit, possibly none. So `eth.src[10] != 00` is true (an empty value
 *   differs), while the test `eth.src[10]` (present) needs a non-empty result;
 * - a protocol is two things (frame-fields.ts): `len()`, slices and `==`/`<` see the item's
 *   bytes, `contains`/`matches` the whole tvbuff (`ip contains "GET"` looks in the payload);
 * - `matches` runs on bytes: a string's UTF-8 bytes and a bytes value's bytes, one char per
 *   byte (latin1), as shared/filter/regex.ts translates patterns for;
 * - `len()` of a boolean or a time is 0 (their FT_ types have no wire size); of an integer,
 *   its width in bytes;
 * - times compare as Wireshark's nstime_cmp does, with its 32-bit truncation (compareTime);
 * - `contains ""` is false for strings and protocols, true for bytes (compileContains).
 */
import type {
  BitAndValue,
  CheckedCompare,
  CheckedContains,
  CheckedExpr,
  CheckedIn,
  CheckedMatches,
  CheckedValue,
  FieldValue,
  FunctionValue,
  Literal,
  SliceValue,
  ValueType,
} from '../../../shared/filter/ast.js';
import { field as registryField, type FieldType } from '../../../shared/fields.js';
import type { FieldScalar, FrameFields, ProtocolValue, TimeValue } from './frame-fields.js';

export type Evaluator = (fields: FrameFields) => boolean;

type List = readonly unknown[];
/** The values of an operand in one frame; undefined (or empty) when there are none. */
type Producer = (f: FrameFields) => List | undefined;
type Pred1 = (v: unknown) => boolean;
type Pred2 = (a: unknown, b: unknown) => boolean;
type Op = CheckedCompare['op'];

const EMPTY = new Uint8Array(0);
const MATCH_ALL: Evaluator = () => true;

/** Compiles `expr` (null: the empty filter, which matches every frame). */
export function compileEvaluator(expr: CheckedExpr | null): Evaluator {
  return expr === null ? MATCH_ALL : compile(expr);
}

const cache = new WeakMap<CheckedExpr, Evaluator>();

/** One-off evaluation; the compiled form is cached per tree, so a loop over frames is cheap too. */
export function evaluate(expr: CheckedExpr | null, fields: FrameFields): boolean {
  if (expr === null) return true;
  let ev = cache.get(expr);
  if (ev === undefined) {
    ev = compile(expr);
    cache.set(expr, ev);
  }
  return ev(fields);
}

function compile(e: CheckedExpr): Evaluator {
  switch (e.kind) {
    case 'and': {
      const l = compile(e.left);
      const r = compile(e.right);
      return (f) => l(f) && r(f);
    }
    case 'or': {
      const l = compile(e.left);
      const r = compile(e.right);
      return (f) => l(f) || r(f);
    }
    case 'not': {
      const o = compile(e.operand);
      return (f) => !o(f);
    }
    case 'exists': {
      if (e.value.kind === 'field') return present(e.value);
      // A slice is there when some occurrence yields at least one byte.
      const get = sliceValues(e.value);
      return (f) => some(get(f), (b) => (b as Uint8Array).length > 0);
    }
    case 'nonzero': {
      const get = bitAndValues(e.value);
      const nz = nonZero(e.value.valueType);
      return (f) => some(get(f), nz);
    }
    case 'compare':
      return compileCompare(e);
    case 'contains':
      return compileContains(e);
    case 'matches':
      return compileMatches(e);
    case 'in':
      return compileIn(e);
  }
}

// ---- quantifiers --------------------------------------------------------------------------

function some(l: List | undefined, p: Pred1): boolean {
  if (l === undefined) return false;
  for (let i = 0; i < l.length; i++) if (p(l[i])) return true;
  return false;
}

/** Every value satisfies p, and there is at least one. */
function every(l: List | undefined, p: Pred1): boolean {
  if (l === undefined || l.length === 0) return false;
  for (let i = 0; i < l.length; i++) if (!p(l[i])) return false;
  return true;
}

function quantified1(get: Producer, q: 'any' | 'all', p: Pred1): Evaluator {
  return q === 'any' ? (f) => some(get(f), p) : (f) => every(get(f), p);
}

function quantified2(left: Producer, right: Producer, q: 'any' | 'all', p: Pred2): Evaluator {
  if (q === 'any') {
    return (f) => {
      const l = left(f);
      if (l === undefined || l.length === 0) return false;
      const r = right(f);
      if (r === undefined) return false;
      for (let i = 0; i < l.length; i++) for (let j = 0; j < r.length; j++) if (p(l[i], r[j])) return true;
      return false;
    };
  }
  return (f) => {
    const l = left(f);
    if (l === undefined || l.length === 0) return false;
    const r = right(f);
    if (r === undefined || r.length === 0) return false;
    for (let i = 0; i < l.length; i++) for (let j = 0; j < r.length; j++) if (!p(l[i], r[j])) return false;
    return true;
  };
}

// ---- operands -----------------------------------------------------------------------------

/** The stored values of a field; an either-side field not filled in by frameFields is joined from its parts. */
function fieldList(v: FieldValue): Producer {
  const name = v.name;
  const parts = v.eitherSide;
  if (parts === undefined || parts.length === 0) return (f) => f.get(name);
  return (f) => {
    const l = f.get(name);
    if (l !== undefined) return l;
    let out: FieldScalar[] | undefined;
    for (const p of parts) {
      const x = f.get(p);
      if (x !== undefined && x.length > 0) out = out === undefined ? x.slice() : out.concat(x);
    }
    return out;
  };
}

function present(v: FieldValue): Evaluator {
  const get = fieldList(v);
  return (f) => {
    const l = get(f);
    return l !== undefined && l.length > 0;
  };
}

function mapped(get: Producer, fn: (v: unknown) => unknown): Producer {
  return (f) => {
    const l = get(f);
    if (l === undefined || l.length === 0) return undefined;
    const out = new Array<unknown>(l.length);
    for (let i = 0; i < l.length; i++) out[i] = fn(l[i]);
    return out;
  };
}

const protocolBytes = (v: unknown): Uint8Array => (v as ProtocolValue).bytes;
const protocolTvb = (v: unknown): Uint8Array => (v as ProtocolValue).tvb;

/** Field values in their comparison representation (a protocol compares as its item bytes). */
function fieldValues(v: FieldValue): Producer {
  const get = fieldList(v);
  return v.fieldType === 'protocol' ? mapped(get, protocolBytes) : get;
}

const encoder = new TextEncoder();

/** A value as the bytes a slice or a byte-wise `&` works on. */
function asBytes(type: FieldType): (v: unknown) => Uint8Array {
  switch (type) {
    case 'protocol':
      return protocolBytes;
    case 'string':
      return (v) => encoder.encode(v as string);
    case 'ipv4':
      return (v) => {
        const n = v as number;
        return Uint8Array.of(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
      };
    default:
      return (v) => v as Uint8Array;
  }
}

function bytesOf(v: FieldValue | SliceValue): Producer {
  return v.kind === 'slice' ? sliceValues(v) : mapped(fieldList(v), asBytes(v.fieldType));
}

/**
 * Wireshark 4.0's slice (ftypes.c slice_func / compute_drnode): the ranges are cut in order
 * and concatenated; at the first range that does not fit, the rest are skipped and what was
 * cut so far is the value.
 */
function cut(b: Uint8Array, ranges: ReadonlyArray<{ offset: number; length: number | null }>, readable = b.length): Uint8Array {
  let out: Uint8Array | null = null;
  let parts: Uint8Array[] | null = null;
  for (const r of ranges) {
    const n = b.length;
    let start = r.offset;
    if (start < 0) {
      start += n;
      if (start < 0) break;
    }
    if (start > n) break;
    let len: number;
    if (r.length === null) {
      len = n - start;
      if (len <= 0) break;
    } else {
      len = r.length;
      if (start + len > n) break;
    }
    // A range inside the item but past what its tvbuff holds (ARP over padding) throws in
    // Wireshark's slice; the exception is caught there and the range adds nothing.
    if (start + len > readable) continue;
    const piece = b.subarray(start, start + len);
    if (out === null) out = piece;
    else (parts ??= [out]).push(piece);
  }
  if (parts === null) return out ?? EMPTY;
  let total = 0;
  for (const p of parts) total += p.length;
  const joined = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    joined.set(p, o);
    o += p.length;
  }
  return joined;
}

function sliceValues(v: SliceValue): Producer {
  const ranges = v.ranges;
  const of = v.of;
  if (of.kind === 'field' && of.fieldType === 'protocol') {
    return mapped(fieldList(of), (p) => cut((p as ProtocolValue).bytes, ranges, (p as ProtocolValue).tvb.length));
  }
  return mapped(bytesOf(of), (b) => cut(b as Uint8Array, ranges));
}

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/** len(x) per value: bytes of strings, bytes values and protocols; the wire size of other types. */
function lengthOf(arg: FieldValue): (v: unknown) => number {
  switch (arg.fieldType) {
    case 'string':
      return (v) => utf8Length(v as string);
    case 'protocol':
      return (v) => (v as ProtocolValue).bytes.length;
    case 'bytes':
    case 'ether':
    case 'ipv6':
    case 'ipnet':
      return (v) => (v as Uint8Array).length;
    default: {
      const n = wireSize(arg);
      return () => n;
    }
  }
}

/** Wireshark's ftype wire_size: FT_BOOLEAN, times and labels have none. */
function wireSize(arg: FieldValue): number {
  switch (arg.fieldType) {
    case 'ipv4':
    case 'framenum':
      return 4;
    case 'uint':
    case 'int':
      return (registryField(arg.name)?.bits ?? 32) / 8;
    case 'float':
      return (registryField(arg.name)?.bits ?? 64) / 8;
    default:
      return 0;
  }
}

const lowerAscii = (v: unknown): string => (v as string).replace(/[A-Z]+/g, (m) => m.toLowerCase());
const upperAscii = (v: unknown): string => (v as string).replace(/[a-z]+/g, (m) => m.toUpperCase());

function functionValues(v: FunctionValue): Producer {
  const get = fieldList(v.arg);
  switch (v.name) {
    case 'len':
      return mapped(get, lengthOf(v.arg));
    case 'count':
      // One value per frame, and none at all when the field is absent (count(x) == 0 never matches).
      return (f) => {
        const l = get(f);
        return l === undefined || l.length === 0 ? undefined : [l.length];
      };
    case 'lower':
      return mapped(get, lowerAscii);
    case 'upper':
      return mapped(get, upperAscii);
  }
}

function andInteger(a: number | bigint, m: number | bigint): number | bigint {
  if (typeof a === 'number' && typeof m === 'number' && a >= 0 && m >= 0 && a <= 0xffffffff && m <= 0xffffffff) return (a & m) >>> 0;
  const r = BigInt(a) & BigInt(m);
  return r >= BigInt(Number.MIN_SAFE_INTEGER) && r <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(r) : r;
}

/** Byte-wise and over the shorter of the two. */
function andBytes(a: Uint8Array, m: Uint8Array): Uint8Array {
  const n = Math.min(a.length, m.length);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = a[i]! & m[i]!;
  return out;
}

function bitAndValues(v: BitAndValue): Producer {
  const mask = v.mask;
  switch (v.valueType) {
    case 'integer': {
      const m = mask.kind === 'integer' ? mask.value : mask.kind === 'bool' ? Number(mask.value) : 0;
      return mapped(operandValues(v.value), (x) => andInteger(x as number | bigint, m));
    }
    case 'ipv4': {
      const m = mask.kind === 'ipv4' ? mask.addr : 0;
      return mapped(operandValues(v.value), (x) => ((x as number) & m) >>> 0);
    }
    default: {
      const m = literalBytes(mask);
      return mapped(operandValues(v.value), (x) => andBytes(x as Uint8Array, m));
    }
  }
}

function operandValues(v: FieldValue | SliceValue): Producer {
  return v.kind === 'slice' ? sliceValues(v) : fieldValues(v);
}

/** Values of any operand, in its comparison representation. */
function values(v: CheckedValue): Producer {
  switch (v.kind) {
    case 'field':
      return fieldValues(v);
    case 'slice':
      return sliceValues(v);
    case 'function':
      return functionValues(v);
    case 'bitand':
      return bitAndValues(v);
  }
}

function nonZero(t: ValueType): Pred1 {
  if (t === 'integer' || t === 'ipv4') return (v) => v !== 0 && v !== 0n;
  return (v) => {
    const b = v as Uint8Array;
    for (let i = 0; i < b.length; i++) if (b[i] !== 0) return true;
    return false;
  };
}

// ---- orders -------------------------------------------------------------------------------

const OP_OF_CMP: Readonly<Record<Op, (c: number) => boolean>> = {
  eq: (c) => c === 0,
  ne: (c) => c !== 0,
  gt: (c) => c > 0,
  ge: (c) => c >= 0,
  lt: (c) => c < 0,
  le: (c) => c <= 0,
};

/** JS relational operators: exact between any mix of numbers and bigints. */
function numberOp(op: Op): Pred2 {
  switch (op) {
    case 'eq':
      return (a, b) => (a as number) == (b as number);
    case 'ne':
      return (a, b) => (a as number) != (b as number);
    case 'gt':
      return (a, b) => (a as number) > (b as number);
    case 'ge':
      return (a, b) => (a as number) >= (b as number);
    case 'lt':
      return (a, b) => (a as number) < (b as number);
    case 'le':
      return (a, b) => (a as number) <= (b as number);
  }
}

/** FT_BYTES / FT_PROTOCOL order: the shorter value first, then memcmp. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The first `prefix` bits compared, as FT_IPv6 does with a prefix. */
function compareIpv6(a: Uint8Array, b: Uint8Array, prefix: number): number {
  for (let i = 0; i < 16; i++) {
    const bits = prefix - 8 * i;
    if (bits <= 0) return 0;
    const m = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    const x = a[i]! & m;
    const y = b[i]! & m;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * Wireshark's nstime_cmp, quirk included: the difference of the seconds is cast to a C int,
 * so times more than 2^31 s apart can compare backwards (TShark 4.0.17 says a frame stamped
 * 18446744073204 s after the epoch is NOT later than 1500000000.5, nor than 2015-01-01).
 */
function compareTime(a: TimeValue, b: TimeValue): number {
  if (a.sec === b.sec) return a.nsec - b.nsec;
  // `| 0` is ToInt32: the low 32 bits, as the (int) cast keeps them.
  return (a.sec - b.sec) | 0;
}

/** UTF-8 byte order, which is code point order (JS `<` orders UTF-16 code units). */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      // Surrogates (U+D800..DFFF) encode code points above every BMP unit from U+E000 up.
      const fx = x >= 0xd800 && x <= 0xdfff ? x + 0x2000 : x >= 0xe000 ? x - 0x800 : x;
      const fy = y >= 0xd800 && y <= 0xdfff ? y + 0x2000 : y >= 0xe000 ? y - 0x800 : y;
      return fx < fy ? -1 : 1;
    }
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** FT_DOUBLE's cmp_order: unordered values (NaN) compare equal. */
function compareFloat(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A string's UTF-8 bytes as one char per byte (its Wireshark byte string). */
function latin1OfUtf8(s: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(s)) return s;
  return Buffer.from(s, 'utf8').toString('latin1');
}

function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
}

function isUtf8(bytes: string, text: string): boolean {
  return latin1OfUtf8(text) === bytes;
}

/** A three-way comparison for values of the domain, null when JS operators do it. */
function comparer(domain: ValueType): ((a: unknown, b: unknown) => number) | null {
  switch (domain) {
    case 'integer':
    case 'bool':
    case 'ipv4':
      return null;
    case 'float':
      return (a, b) => compareFloat(a as number, b as number);
    case 'string':
      return (a, b) => compareStrings(a as string, b as string);
    case 'bytes':
    case 'ether':
      return (a, b) => compareBytes(a as Uint8Array, b as Uint8Array);
    case 'ipv6':
      return (a, b) => compareIpv6(a as Uint8Array, b as Uint8Array, 128);
    case 'time':
    case 'reltime':
      return (a, b) => compareTime(a as TimeValue, b as TimeValue);
    case 'none':
      return () => 1;
  }
}

function pairTest(domain: ValueType, op: Op): Pred2 {
  const cmp = comparer(domain);
  if (cmp === null) return numberOp(op);
  if (op === 'eq' && (domain === 'bytes' || domain === 'ether')) return (a, b) => equalBytes(a as Uint8Array, b as Uint8Array);
  if (op === 'ne' && (domain === 'bytes' || domain === 'ether')) return (a, b) => !equalBytes(a as Uint8Array, b as Uint8Array);
  if (op === 'eq' && domain === 'string') return (a, b) => a === b;
  if (op === 'ne' && domain === 'string') return (a, b) => a !== b;
  const test = OP_OF_CMP[op];
  return (a, b) => test(cmp(a, b));
}

// ---- literals -----------------------------------------------------------------------------

function literalBytes(l: Literal): Uint8Array {
  const hex = l.kind === 'bytes' || l.kind === 'ether' || l.kind === 'ipv6' ? l.hex : '';
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(2 * i, 2), 16);
  return out;
}

function ipv4Mask(prefix: number): number {
  return prefix <= 0 ? 0 : prefix >= 32 ? 0xffffffff : (0xffffffff << (32 - prefix)) >>> 0;
}

/**
 * `value <op> literal` for one value. An address literal written as CIDR masks both sides
 * with its prefix (FT_IPv4/FT_IPv6 compare under the smaller netmask).
 */
function literalTest(domain: ValueType, op: Op, lit: Literal): Pred1 {
  switch (lit.kind) {
    case 'integer': {
      const t = numberOp(op);
      const x = lit.value;
      if (domain === 'float') return literalTest(domain, op, { ...lit, kind: 'float', value: Number(x) });
      return (v) => t(v, x);
    }
    case 'bool': {
      const t = numberOp(op);
      const x = lit.value ? 1 : 0;
      return (v) => t(v, x);
    }
    case 'float': {
      const test = OP_OF_CMP[op];
      const x = lit.value;
      return (v) => test(compareFloat(v as number, x));
    }
    case 'ipv4': {
      const t = numberOp(op);
      const m = ipv4Mask(lit.prefix);
      const x = (lit.addr & m) >>> 0;
      if (m === 0xffffffff) return (v) => t(v, x);
      return (v) => t(((v as number) & m) >>> 0, x);
    }
    case 'ipv6': {
      const test = OP_OF_CMP[op];
      const x = literalBytes(lit);
      const p = lit.prefix;
      return (v) => test(compareIpv6(v as Uint8Array, x, p));
    }
    case 'ether':
    case 'bytes': {
      const t = pairTest('bytes', op);
      const x = literalBytes(lit);
      return (v) => t(v, x);
    }
    case 'string': {
      if (isUtf8(lit.bytes, lit.value)) {
        const t = pairTest('string', op);
        const x = lit.value;
        return (v) => t(v, x);
      }
      // Bytes that are not UTF-8 never equal a (UTF-8) string field; order them byte-wise.
      const test = OP_OF_CMP[op];
      const x = lit.bytes;
      return (v) => test(compareStrings(latin1OfUtf8(v as string), x));
    }
    case 'time':
    case 'reltime': {
      const test = OP_OF_CMP[op];
      const x: TimeValue = { sec: lit.sec, nsec: lit.nsec };
      return (v) => test(compareTime(v as TimeValue, x));
    }
  }
}

// ---- tests --------------------------------------------------------------------------------

function compileCompare(e: CheckedCompare): Evaluator {
  const left = values(e.left);
  const r = e.right;
  if (r.kind === 'field' || r.kind === 'slice' || r.kind === 'function' || r.kind === 'bitand') {
    return quantified2(left, values(r), e.quantifier, pairTest(e.domain, e.op));
  }
  return quantified1(left, e.quantifier, literalTest(e.domain, e.op, r));
}

/** Subsequence search (memmem); an empty needle is found everywhere. */
export function indexOfBytes(hay: Uint8Array, needle: Uint8Array): number {
  const n = needle.length;
  if (n === 0) return 0;
  const first = needle[0]!;
  const last = hay.length - n;
  outer: for (let i = 0; i <= last; i++) {
    if (hay[i] !== first) continue;
    for (let j = 1; j < n; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** The left values of contains/matches: a protocol is searched over its whole tvbuff. */
function searchValues(v: CheckedValue): Producer {
  if (v.kind === 'field' && v.fieldType === 'protocol') return mapped(fieldList(v), protocolTvb);
  return values(v);
}

/**
 * Wireshark 4.0 answers `contains ""` per type: false for strings (ftype-string.c refuses an
 * empty needle) and protocols (tvb_find_tvb finds nothing), true for bytes (memmem).
 */
function compileContains(e: CheckedContains): Evaluator {
  const left = searchValues(e.left);
  const l = e.left;
  const emptyFound = !(l.valueType === 'string' || (l.kind === 'field' && l.fieldType === 'protocol'));
  const r = e.right;
  if (r.kind === 'string') {
    // A string literal meets a string value, which never contains the empty string.
    if (r.bytes.length === 0) return () => false;
    if (isUtf8(r.bytes, r.value)) {
      const x = r.value;
      return quantified1(left, e.quantifier, (v) => (v as string).includes(x));
    }
    const x = r.bytes;
    return quantified1(left, e.quantifier, (v) => latin1OfUtf8(v as string).includes(x));
  }
  if (r.kind === 'bytes') {
    const x = literalBytes(r);
    if (x.length === 0 && !emptyFound) return () => false;
    return quantified1(left, e.quantifier, (v) => indexOfBytes(v as Uint8Array, x) >= 0);
  }
  const right = searchValues(r);
  const p: Pred2 =
    l.valueType === 'string'
      ? (a, b) => (b as string).length > 0 && (a as string).includes(b as string)
      : (a, b) => ((b as Uint8Array).length > 0 || emptyFound) && indexOfBytes(a as Uint8Array, b as Uint8Array) >= 0;
  return quantified2(left, right, e.quantifier, p);
}

function compileMatches(e: CheckedMatches): Evaluator {
  const left = searchValues(e.left);
  // RegExp.test with g or y would carry lastIndex from one subject to the next.
  const re = new RegExp(e.regex.source, e.regex.flags.replace(/[gy]/g, ''));
  const subject = e.left.valueType === 'string' ? (v: unknown) => latin1OfUtf8(v as string) : (v: unknown) => latin1(v as Uint8Array);
  return quantified1(left, e.quantifier, (v) => re.test(subject(v)));
}

function memberTest(domain: ValueType, m: CheckedIn['members'][number]): Pred1 {
  if (m.kind !== 'range') return literalTest(domain, 'eq', m);
  const lo = literalTest(domain, 'ge', m.low);
  const hi = literalTest(domain, 'le', m.high);
  return (v) => lo(v) && hi(v);
}

function compileIn(e: CheckedIn): Evaluator {
  const get = fieldValues(e.operand);
  const tests = e.members.map((m) => memberTest(e.operand.valueType, m));
  if (e.quantifier === 'any') {
    const anyMember: Pred1 = (v) => {
      for (const t of tests) if (t(v)) return true;
      return false;
    };
    return (f) => some(get(f), anyMember);
  }
  // Wireshark 4.0 tests `all x in {...}` member by member: one member must hold for every value.
  return (f) => {
    const l = get(f);
    for (const t of tests) if (every(l, t)) return true;
    return false;
  };
}
