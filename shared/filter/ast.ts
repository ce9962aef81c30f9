/**
 * Display-filter syntax trees: the parse tree (`Expr`, what the text says) and the checked
 * tree (`CheckedExpr`, what it means). The SQL back end is written from this document alone,
 * so every rule that affects which frames match is stated here.
 *
 * Language: Wireshark 4.0 display filters, with TShark 4.0.17 as the oracle
 * (`shared/filter/filters.fixture.ts` lists the filters checked against it).
 *
 * Positions: every node carries `start`/`end`, half-open offsets into the filter text in
 * UTF-16 code units (JS string indices), so `text.slice(node.start, node.end)` is the node's
 * source.
 *
 * ## Matching model (Wireshark 4 semantics)
 *
 * A frame gives each operand a *list* of values: one per occurrence of the field in the frame
 * (`ip.src` twice for IP in IP; `ip.addr` once per `ip.src` and once per `ip.dst`; none when
 * the field is absent). Every test is decided over those lists:
 *
 * - `exists`: the list is non-empty.
 * - a comparison with quantifier `any` is true when SOME pair (l, r), l from the left list and
 *   r from the right list (a literal is a one-value list), satisfies the operator;
 * - with quantifier `all` it is true when BOTH lists are non-empty and EVERY pair satisfies it.
 * - An absent field makes every comparison false, whatever the operator: `tcp.port != 80` does
 *   not match a UDP frame. Write `not tcp.port == 80` to include frames without the field.
 *
 * The operators as typed map to (op, quantifier) like this:
 *
 * | typed | Wireshark name | checked as | meaning |
 * |---|---|---|---|
 * | `==` `eq` `any_eq` | any_eq | eq / any | some value equals |
 * | `!=` `ne` `all_ne` | all_ne | ne / all | every value differs (= `not ==` restricted to frames that have the field) |
 * | `===` `all_eq` | all_eq | eq / all | every value equals |
 * | `!==` `any_ne` (`~=`, deprecated) | any_ne | ne / any | some value differs |
 * | `>` `>=` `<` `<=` `gt` `ge` `lt` `le` | | gt... / any | some value is greater... |
 * | `contains` | | contains / any | some value contains |
 * | `matches` `~` | | matches / any | some value matches |
 *
 * A leading `any` or `all` keyword (`all ip.addr == 10.0.0.1`) replaces the quantifier of the
 * test it prefixes.
 */

import type { FieldType } from '../fields.js';

/** Half-open [start, end) range of UTF-16 offsets into the filter text. */
export interface Span {
  start: number;
  end: number;
}

export type Quantifier = 'any' | 'all';

// =========================================================================================
// Parse tree: the syntax, before names are resolved. Produced by parseFilter().
// =========================================================================================

export type Expr = LogicalExpr | NotExpr | TestExpr | CompareExpr | MembershipExpr;

/**
 * `a and b` / `a && b`, `a or b` / `a || b`. `and` binds tighter than `or`; both are left
 * associative. A chained comparison `a == b == c` is parsed as `a == b and b == c` (both
 * compares share the middle operand), as Wireshark does.
 */
export interface LogicalExpr extends Span {
  kind: 'and' | 'or';
  left: Expr;
  right: Expr;
}

/** `not a` / `!a`; also `x not in {...}`, which parses as `not (x in {...})`. */
export interface NotExpr extends Span {
  kind: 'not';
  operand: Expr;
}

/** A value used as a test on its own: `tcp`, `tcp.flags.syn`, `tcp.flags & 0x02`, `eth.src[0]`. */
export interface TestExpr extends Span {
  kind: 'test';
  operand: Operand;
}

/** Wireshark's operator names. `opText` keeps the spelling typed (`==`, `eq`, `~`). */
export type CompareOp = 'any_eq' | 'all_ne' | 'all_eq' | 'any_ne' | 'gt' | 'ge' | 'lt' | 'le' | 'contains' | 'matches';

export interface CompareExpr extends Span {
  kind: 'compare';
  op: CompareOp;
  opText: string;
  opSpan: Span;
  /** An explicit `any` / `all` prefix, else null. */
  quantifier: Quantifier | null;
  left: Operand;
  right: Operand;
}

/** `x in {80, 443, 1024..2048}`; `x not in {...}` is a NotExpr around one of these. */
export interface MembershipExpr extends Span {
  kind: 'in';
  quantifier: Quantifier | null;
  operand: Operand;
  members: SetMember[];
  opSpan: Span;
}

export type SetMember = SetValue | SetRange;
export interface SetValue extends Span {
  kind: 'value';
  value: Operand;
}
/** `low..high`, inclusive at both ends. */
export interface SetRange extends Span {
  kind: 'range';
  low: Operand;
  high: Operand;
}

export type Operand =
  NameOperand | LiteralOperand | StringOperand | CharOperand | SliceOperand | CallOperand | BinaryOperand | NegateOperand | LayerOperand;

/**
 * A bare word: a field or protocol name (`ip.src`, `tcp`) or an unquoted literal (`80`,
 * `0x1f`, `10.0.0.1`, `aa-bb-cc`, `GET`, `example.com`). Which one is decided by the checker
 * against the registry, as Wireshark does: a registered name is a field, anything else is a
 * literal read in the type of the other side.
 */
export interface NameOperand extends Span {
  kind: 'name';
  name: string;
}

/**
 * An unquoted literal that can never be a field name: colon-separated bytes or MAC
 * (`aa:bb:cc`), IPv6 (`2001:db8::1`), CIDR (`10.0.0.0/8`, `::/0`), or a `:`-prefixed value
 * (`:ab`, read as `ab`; the prefix keeps a value from being taken for a field name).
 */
export interface LiteralOperand extends Span {
  kind: 'literal';
  text: string;
}

/** `"..."` or raw `r"..."`. */
export interface StringOperand extends Span {
  kind: 'string';
  raw: boolean;
  /** The literal's bytes after escapes, one char (U+0000..U+00FF) per byte. */
  bytes: string;
  /** The bytes decoded as UTF-8 (invalid sequences become U+FFFD): the text a string field is compared with. */
  value: string;
}

/** A C character constant: `'a'`, `'\x41'`, `'\101'`; its value is the byte (0..255). */
export interface CharOperand extends Span {
  kind: 'char';
  value: number;
  text: string;
}

/**
 * `operand[ranges]`. Every syntax is normalised to offset + length: `[i]` → (i, 1),
 * `[i:n]` → (i, n), `[i-j]` → (i, j-i+1), `[:n]` → (0, n), `[i:]` → (i, null). A negative
 * offset counts from the end of the value (-1 is the last byte). Several ranges are
 * concatenated: `[0,2:3]` is byte 0 followed by bytes 2..4.
 */
export interface SliceOperand extends Span {
  kind: 'slice';
  operand: Operand;
  ranges: SliceRange[];
}
export interface SliceRange extends Span {
  offset: number;
  /** Byte count, or null for "to the end of the value". */
  length: number | null;
}

/** `len(x)`, `count(x)`, `lower(x)`, `upper(x)` (and, rejected by the checker, `string`, `max`, `min`, `abs`). */
export interface CallOperand extends Span {
  kind: 'call';
  name: string;
  nameSpan: Span;
  args: Operand[];
}

/** `a & b` (bitwise and), and the arithmetic `+ - * / %` the checker rejects. */
export interface BinaryOperand extends Span {
  kind: 'binary';
  op: '&' | '+' | '-' | '*' | '/' | '%';
  opSpan: Span;
  left: Operand;
  right: Operand;
}

/** Unary minus: `-1`, `-frame.len`. The checker folds it into numeric literals. */
export interface NegateOperand extends Span {
  kind: 'negate';
  operand: Operand;
}

/** Wireshark 4.0's layer operator `ip.addr#2`, `ip.addr#[1-2]`: parsed, rejected by the checker. */
export interface LayerOperand extends Span {
  kind: 'layer';
  field: NameOperand;
  ranges: SliceRange[];
}

// =========================================================================================
// Checked tree: every name resolved against the registry, every literal typed for what it
// is compared with. Produced by checkFilter(); the only input of the SQL back end.
// =========================================================================================

export type CheckedExpr =
  CheckedLogical | CheckedNot | CheckedExists | CheckedNonzero | CheckedCompare | CheckedContains | CheckedMatches | CheckedIn;

export interface CheckedLogical extends Span {
  kind: 'and' | 'or';
  left: CheckedExpr;
  right: CheckedExpr;
}

/** Plain boolean negation of the whole operand (`not ip.addr == 10.0.0.1` matches frames without IP). */
export interface CheckedNot extends Span {
  kind: 'not';
  operand: CheckedExpr;
}

/**
 * True when `value` yields at least one value: the field or protocol occurs in the frame
 * (`tcp`, `tcp.analysis.retransmission`), or, for a slice, some occurrence is long enough for
 * every range of the slice (`eth.src[5]`, `frame[100]`).
 */
export interface CheckedExists extends Span {
  kind: 'exists';
  value: FieldValue | SliceValue;
}

/** `x & mask` used as a test: true when some value of `x & mask` is non-zero (any byte non-zero for bytes). */
export interface CheckedNonzero extends Span {
  kind: 'nonzero';
  value: BitAndValue;
}

/**
 * Ordered and equality comparisons under the quantifier rule of the header.
 *
 * `domain` is the type both sides are compared in; each side's own `valueType` is either the
 * domain or converts to it implicitly:
 * - `integer`: uint, int and framenum values, and a bool field compared with an integer field
 *   (the bool is 0 or 1); `bool`: two booleans (false < true);
 * - `bytes`: bytes, protocol, slices and ether values compare as byte strings: equality is
 *   byte-wise, order is lexicographic (memcmp, a shorter prefix sorts first);
 * - `ipv4`/`ipv6` with a CIDR literal: both sides are masked with the literal's prefix before
 *   comparing, for every operator (`ip.src > 10.180.0.0/16` compares the /16 networks);
 * - `string`: byte-wise (UTF-8) comparison, case-sensitive;
 * - `float`, `time`, `reltime` (compare sec, then nsec), `ether` (as 48-bit numbers):
 *   numeric order.
 */
export interface CheckedCompare extends Span {
  kind: 'compare';
  op: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
  quantifier: Quantifier;
  domain: ValueType;
  left: CheckedValue;
  right: CheckedValue | Literal;
}

/**
 * Substring / sub-byte-string test, case-sensitive. `left` is a string value (right: string
 * literal or string value) or a bytes value (right: bytes literal or bytes value).
 */
export interface CheckedContains extends Span {
  kind: 'contains';
  quantifier: Quantifier;
  left: CheckedValue;
  right: CheckedValue | StringLiteral | BytesLiteral;
}

/**
 * Regular-expression search (unanchored, like RegExp.prototype.test). Wireshark 4.0 runs PCRE2
 * without UTF, so patterns and subjects are BYTES: match `new RegExp(regex.source,
 * regex.flags)` against a string holding one char per byte (latin1) of each value: the UTF-8
 * bytes of a string value (`Buffer.from(s, 'utf8').toString('latin1')`), the bytes of a bytes,
 * protocol or slice value. The translation already makes the match case-insensitive unless the
 * pattern says `(?-i)` (Wireshark's default), with ASCII-only folding as PCRE2 does.
 */
export interface CheckedMatches extends Span {
  kind: 'matches';
  quantifier: Quantifier;
  left: CheckedValue;
  regex: RegexLiteral;
}

/**
 * Set membership. Members are literals typed like the operand, or inclusive ranges.
 * Quantifier `any` (the default): some value is equal to a member or inside a range.
 * Quantifier `all` (only with an explicit `all` prefix): Wireshark 4.0 tests each member
 * separately, so the test is true when there is ONE member that every value matches:
 * `all udp.port in {53, 5353}` is false for a frame with ports 53 and 5353. Reproduce that.
 * `x not in {...}` arrives as a CheckedNot around this node.
 * A member equal to a CIDR literal matches the addresses of that network.
 */
export interface CheckedIn extends Span {
  kind: 'in';
  quantifier: Quantifier;
  operand: FieldValue;
  members: Array<Literal | { kind: 'range'; low: Literal; high: Literal; start: number; end: number }>;
}

/**
 * The type a value has for comparison purposes: uint, int and framenum fields are `integer`,
 * protocols and slices are `bytes`, labels (`none`) have no value and only appear in `exists`.
 */
export type ValueType = 'integer' | 'bool' | 'float' | 'string' | 'bytes' | 'ether' | 'ipv4' | 'ipv6' | 'time' | 'reltime' | 'none';

export type CheckedValue = FieldValue | SliceValue | FunctionValue | BitAndValue;

/**
 * The values of a registered field in a frame, one per occurrence. `fieldType` is the
 * registry type; `valueType` is how its values compare (`protocol` fields are `bytes`: the
 * protocol's bytes). For either-side fields (`ip.addr`), `eitherSide` lists the fields whose
 * values make up the list (`['ip.src', 'ip.dst']`).
 */
export interface FieldValue extends Span {
  kind: 'field';
  name: string;
  fieldType: FieldType;
  valueType: ValueType;
  multi: boolean;
  eitherSide?: readonly string[];
}

/**
 * Bytes cut out of each value of `of` (see SliceOperand for `ranges`). Strings are sliced as
 * their UTF-8 bytes, IPv4 as its 4 bytes in network order, ether as its 6 bytes, protocols as
 * their bytes in the frame. An occurrence too short for a range yields no value.
 */
export interface SliceValue extends Span {
  kind: 'slice';
  valueType: 'bytes';
  of: FieldValue | SliceValue;
  ranges: Array<{ offset: number; length: number | null }>;
}

/**
 * Function results, computed per occurrence of the argument field:
 * - `len(f)`: the value's length in bytes (UTF-8 bytes of a string, byte count of bytes or a
 *   protocol; for other types the field's size in the packet: 4 for ipv4, 6 for ether, the
 *   integer's width; 0 for a label);
 * - `count(f)`: ONE value per frame, the number of occurrences. When `f` is absent there is
 *   no value at all, so `count(f) == 0` never matches (Wireshark 4.0 does the same);
 * - `lower(f)` / `upper(f)`: the string with ASCII letters lowered / raised (only ASCII, as
 *   Wireshark does).
 */
export interface FunctionValue extends Span {
  kind: 'function';
  name: 'len' | 'count' | 'lower' | 'upper';
  valueType: 'integer' | 'string';
  arg: FieldValue;
}

/**
 * `value & mask`, per value. Integer values: bitwise and. IPv4: and of the 32-bit addresses
 * (mask literal is an ipv4). Ether/bytes: byte-wise and over the shorter of the two lengths.
 * Its `valueType` is the operand's, so it can be compared (`tcp.flags & 0x12 == 0x12`,
 * `ip.src & 255.255.0.0 == 10.1.0.0`) or tested for non-zero (CheckedNonzero).
 */
export interface BitAndValue extends Span {
  kind: 'bitand';
  valueType: ValueType;
  value: FieldValue | SliceValue;
  mask: Literal;
}

// ---------------------------------------------------------------------------------------
// Literals, typed for the value they meet. `text` is the source text.
// ---------------------------------------------------------------------------------------

export type Literal =
  | IntegerLiteral
  | BoolLiteral
  | FloatLiteral
  | StringLiteral
  | BytesLiteral
  | EtherLiteral
  | Ipv4Literal
  | Ipv6Literal
  | TimeLiteral
  | RelTimeLiteral;

/** Decimal, hex, octal, binary, a character constant or a value name, range-checked for the field. A bigint only beyond ±2^53. */
export interface IntegerLiteral extends Span {
  kind: 'integer';
  value: number | bigint;
  text: string;
}
export interface BoolLiteral extends Span {
  kind: 'bool';
  value: boolean;
  text: string;
}
export interface FloatLiteral extends Span {
  kind: 'float';
  value: number;
  text: string;
}
/** Unicode text (from UTF-8); `bytes` holds the exact bytes, one char per byte. */
export interface StringLiteral extends Span {
  kind: 'string';
  value: string;
  bytes: string;
  text: string;
}
/** Lower-case hex, two digits per byte, no separators (`"474554"`); may be empty for `""`. */
export interface BytesLiteral extends Span {
  kind: 'bytes';
  hex: string;
  text: string;
}
/** 48-bit MAC address: lower-case hex (12 digits) and the same as a number. */
export interface EtherLiteral extends Span {
  kind: 'ether';
  hex: string;
  value: number;
  text: string;
}
/** `addr` is the unsigned 32-bit address; `prefix` is 32 unless written as CIDR. Host bits are kept as typed. */
export interface Ipv4Literal extends Span {
  kind: 'ipv4';
  addr: number;
  prefix: number;
  text: string;
}
/** `hex` is the 16-byte address as 32 lower-case hex digits; `prefix` is 128 unless written as CIDR. */
export interface Ipv6Literal extends Span {
  kind: 'ipv6';
  hex: string;
  prefix: number;
  text: string;
}
/** Absolute time: seconds since 1970-01-01T00:00:00Z and nanoseconds (0..999999999). */
export interface TimeLiteral extends Span {
  kind: 'time';
  sec: number;
  nsec: number;
  text: string;
}
/**
 * Relative time in seconds, exact: sec + nsec/1e9, with nsec in 0..999999999 and sec rounded
 * toward minus infinity (-0.25 is sec -1, nsec 750000000).
 */
export interface RelTimeLiteral extends Span {
  kind: 'reltime';
  sec: number;
  nsec: number;
  text: string;
}

/**
 * A `matches` pattern. `pattern` is the PCRE pattern as written (after string escapes, decoded
 * as UTF-8 for display); `source` and `flags` (always "u") are its JavaScript translation for
 * latin1 subjects (see CheckedMatches): `new RegExp(source, flags)` matches what Wireshark's
 * PCRE2 matches, case-insensitivity included. PCRE constructs that JS cannot express
 * (possessive quantifiers, atomic groups, recursion, \K, ...) are rejected by the checker,
 * never approximated.
 */
export interface RegexLiteral extends Span {
  kind: 'regex';
  pattern: string;
  source: string;
  flags: string;
  text: string;
}
