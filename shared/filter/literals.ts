/**
 * Literal conversion: the text of a literal, read in the type of the value it meets, as
 * TShark 4.0 reads it (which spellings each type accepts, range checks, value names), with
 * TShark's error messages.
 */
import type { FieldDef, FieldType, ValueNames } from '../fields.js';
import type { Literal, Span } from './ast.js';
import { parseIpv4, parseIpv6 } from './scanner.js';
import { parseAbsoluteTime, parseRelativeTime, type TimeZoneResolver } from './time.js';

/** What a literal is converted for: a field's type, or the type of a slice or function result. */
export interface Target {
  type: FieldType;
  /** Field name for messages ("possible values for ip.proto"); absent for slices and functions. */
  field?: string;
  bits?: number;
  valueNames?: ValueNames;
  /** Wireshark's type name ("Unsigned integer (2 bytes)"). */
  typeName: string;
  /** Wireshark's FT_ name ("FT_UINT16"). */
  ftName: string;
}

/** Where a literal's text came from: an unquoted word, a quoted string, or a character constant. */
export type LiteralSource =
  | { kind: 'unquoted'; text: string; negative: boolean }
  | { kind: 'string'; bytes: string; value: string }
  | { kind: 'char'; value: number; text: string };

export type Converted = { ok: true; literal: Literal } | { ok: false; message: string; hint?: string };

const fail = (message: string, hint?: string): Converted => (hint === undefined ? { ok: false, message } : { ok: false, message, hint });

export function targetOf(def: FieldDef, typeName: string, ftName: string): Target {
  const t: Target = { type: def.type, field: def.name, typeName, ftName };
  if (def.bits !== undefined) t.bits = def.bits;
  if (def.valueNames !== undefined) t.valueNames = def.valueNames;
  return t;
}

const MAX_U64 = (1n << 64n) - 1n;

/** Parses Wireshark integer spellings: decimal, 0x hex, 0b binary, leading-0 octal. */
export function parseIntegerText(text: string): bigint | 'invalid' | 'overflow' {
  let v: bigint;
  if (/^0[xX][0-9A-Fa-f]+$/.test(text)) v = BigInt(text);
  else if (/^0[bB][01]*$/.test(text)) v = text.length === 2 ? 0n : BigInt(text);
  else if (/^0[0-7]*$/.test(text)) v = text.length === 1 ? 0n : BigInt('0o' + text.slice(1));
  else if (/^[1-9][0-9]*$/.test(text)) v = BigInt(text);
  else return 'invalid';
  return v > MAX_U64 ? 'overflow' : v;
}

function intValue(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** Value-name lookup, case-insensitive as in Wireshark; the lowest matching value wins. */
export function lookupValueName(names: ValueNames, text: string): number | undefined {
  const want = text.toLowerCase();
  let found: number | undefined;
  for (const [k, name] of Object.entries(names)) {
    if (name.toLowerCase() === want && (found === undefined || Number(k) < found)) found = Number(k);
  }
  return found;
}

/**
 * Bytes from the unquoted spellings `aa:bb:cc`, `aa-bb-cc`, `aa.bb.cc`, `aabbcc`,
 * `0011.2233`, and `0xNN` (one byte). A group with an odd number of digits gets a leading 0
 * (`aab` is 0a:ab), as TShark does. Returns lower-case hex or null.
 */
export function parseBytesText(text: string): string | null {
  const one = /^0[xX]([0-9A-Fa-f]{2})$/.exec(text);
  if (one) return one[1]!.toLowerCase();
  const sep = text.includes(':') ? ':' : text.includes('-') ? '-' : text.includes('.') ? '.' : null;
  const groups = sep === null ? [text] : text.split(sep);
  let hex = '';
  for (const g of groups) {
    if (!/^[0-9A-Fa-f]+$/.test(g)) return null;
    hex += (g.length % 2 ? '0' : '') + g.toLowerCase();
  }
  return hex;
}

function toHex(bytes: string): string {
  let hex = '';
  for (let i = 0; i < bytes.length; i++) hex += bytes.charCodeAt(i).toString(16).padStart(2, '0');
  return hex;
}

/** Range-checks an integer for the target; `text` is how the number is quoted in messages. */
function integer(v: bigint, text: string, t: Target, span: Span, literalText = text): Converted {
  const bits = t.bits ?? 32;
  const signed = t.type === 'int';
  const max = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
  const min = signed ? -(1n << BigInt(bits - 1)) : 0n;
  if (v > max || v < min) {
    if (t.valueNames && t.field) return fail(`"${text}" cannot be found among the possible values for ${t.field}.`);
    return v > max
      ? fail(`"${text}" too big for this field, maximum ${max}.`)
      : fail(`"${text}" too small for this field, minimum ${min}.`);
  }
  return { ok: true, literal: { kind: 'integer', value: intValue(v), text: literalText, ...span } };
}

const BOOL_WORDS: Readonly<Record<string, boolean>> = { True: true, TRUE: true, False: false, FALSE: false };

function boolByName(t: Target, text: string): boolean | undefined {
  if (BOOL_WORDS[text] !== undefined) return BOOL_WORDS[text];
  const names = t.valueNames ?? { 1: 'True', 0: 'False' };
  const v = lookupValueName(names, text);
  return v === undefined ? undefined : v !== 0;
}

/**
 * Converts a literal for target `t`. `src` is the literal as written (`text` of the result).
 * Unsigned targets refuse negative numbers: TShark 4.0 accepts `ip.ttl == -1` but such a
 * filter can never match, so Tracehound says so instead.
 */
export function convertLiteral(lit: LiteralSource, t: Target, span: Span, srcText: string, tz?: TimeZoneResolver): Converted {
  const ok = (literal: Literal): Converted => ({ ok: true, literal });
  if (lit.kind === 'char') {
    const c = lit.value;
    switch (t.type) {
      case 'uint':
      case 'int':
      case 'framenum':
        return integer(BigInt(c), srcText, t, span);
      case 'bool':
        return ok({ kind: 'bool', value: c !== 0, text: srcText, ...span });
      case 'string':
        return ok({ kind: 'string', value: String.fromCharCode(c), bytes: String.fromCharCode(c), text: srcText, ...span });
      case 'bytes':
      case 'protocol':
        return ok({ kind: 'bytes', hex: c.toString(16).padStart(2, '0'), text: srcText, ...span });
      default:
        return fail(`Character constant ${lit.text} (0x${c.toString(16).padStart(2, '0')}) cannot be converted to ${t.typeName}.`);
    }
  }

  if (lit.kind === 'string') {
    const s = lit.value;
    switch (t.type) {
      case 'string':
        return ok({ kind: 'string', value: s, bytes: lit.bytes, text: srcText, ...span });
      case 'bytes':
      case 'protocol':
        return ok({ kind: 'bytes', hex: toHex(lit.bytes), text: srcText, ...span });
      case 'time': {
        const r = parseAbsoluteTime(s, tz);
        return r.ok ? ok({ kind: 'time', sec: r.sec, nsec: r.nsec, text: srcText, ...span }) : fail(r.message);
      }
      case 'bool': {
        const b = boolByName(t, s);
        return b === undefined
          ? fail(`"${s}" cannot be found among the possible values for ${t.field ?? 'this field'}.`)
          : ok({ kind: 'bool', value: b, text: srcText, ...span });
      }
      case 'uint':
      case 'int':
      case 'framenum':
        if (t.valueNames) {
          const v = lookupValueName(t.valueNames, s);
          if (v === undefined) return fail(`"${s}" cannot be found among the possible values for ${t.field}.`);
          return ok({ kind: 'integer', value: v, text: srcText, ...span });
        }
        return fail(
          `${t.typeName} cannot be converted from a string ("${s}").`,
          /^-?[0-9]/.test(s) ? 'Remove the quotes around the number.' : undefined,
        );
      default:
        return fail(
          `${t.typeName} cannot be converted from a string ("${s}").`,
          t.type === 'ipv4' || t.type === 'ipv6' || t.type === 'ether' || t.type === 'reltime' || t.type === 'float'
            ? 'Remove the quotes.'
            : undefined,
        );
    }
  }

  const text = lit.text;
  const shown = lit.negative ? `-${text}` : text;
  if (lit.negative && !['int', 'uint', 'framenum', 'float', 'reltime'].includes(t.type)) return fail(`${t.ftName} cannot -.`);
  switch (t.type) {
    case 'uint':
    case 'int':
    case 'framenum': {
      const v = parseIntegerText(text);
      if (v === 'overflow') return fail(`"${text}" causes an integer overflow.`);
      if (v === 'invalid') {
        if (t.valueNames && !lit.negative) {
          const n = lookupValueName(t.valueNames, text);
          if (n === undefined) return fail(`"${text}" cannot be found among the possible values for ${t.field}.`);
          return ok({ kind: 'integer', value: n, text: srcText, ...span });
        }
        return fail(`"${text}" is not a valid number.`);
      }
      if (lit.negative && t.type !== 'int' && v !== 0n) {
        return fail(
          `${t.field ?? 'The value'} is unsigned, so it is never equal to "${shown}".`,
          'TShark 4.0 accepts this comparison, but it matches no frame.',
        );
      }
      return integer(lit.negative ? -v : v, shown, t, span, srcText);
    }
    case 'bool': {
      const v = parseIntegerText(text);
      if (typeof v === 'bigint') return ok({ kind: 'bool', value: v !== 0n, text: srcText, ...span });
      const b = boolByName(t, text);
      return b === undefined
        ? fail(`"${text}" cannot be found among the possible values for ${t.field ?? 'this field'}.`)
        : ok({ kind: 'bool', value: b, text: srcText, ...span });
    }
    case 'float': {
      const f = parseFloatText(text);
      if (f === null) return fail(`"${text}" is not a valid floating-point number.`);
      return ok({ kind: 'float', value: lit.negative ? -f : f, text: srcText, ...span });
    }
    case 'string':
      return ok({ kind: 'string', value: text, bytes: text, text: srcText, ...span });
    case 'bytes':
    case 'protocol': {
      const hex = parseBytesText(text);
      return hex === null ? fail(`"${text}" is not a valid byte string.`) : ok({ kind: 'bytes', hex, text: srcText, ...span });
    }
    case 'ether': {
      const hex = parseBytesText(text);
      if (hex === null || /^0[xX]/.test(text)) return fail(`"${text}" is not a valid Ethernet address.`);
      if (hex.length < 12) return fail(`"${text}" contains too few bytes to be a valid Ethernet address.`);
      if (hex.length > 12) return fail(`"${text}" contains too many bytes to be a valid Ethernet address.`);
      return ok({ kind: 'ether', hex, value: parseInt(hex, 16), text: srcText, ...span });
    }
    case 'ipv4': {
      const m = /^([^/]*)(?:\/([0-9]+))?$/.exec(text);
      const addr = m ? parseIpv4(m[1]!) : null;
      if (m === null || addr === null) return fail(`"${text}" is not a valid hostname or IPv4 address.`, hostHint(text));
      const prefix = m[2] === undefined ? 32 : Number(m[2]);
      if (prefix > 32) return fail(`Netmask bits in a CIDR IPv4 address should be <= 32, not ${prefix}`);
      return ok({ kind: 'ipv4', addr, prefix, text: srcText, ...span });
    }
    case 'ipv6': {
      const m = /^([^/]*)(?:\/([0-9]+))?$/.exec(text);
      const bytes = m ? parseIpv6(m[1]!) : null;
      if (m === null || bytes === null) return fail(`"${text}" is not a valid hostname or IPv6 address.`, hostHint(text));
      const prefix = m[2] === undefined ? 128 : Number(m[2]);
      if (prefix > 128) return fail(`Prefix in a IPv6 address should be <= 128, not ${prefix}`);
      return ok({ kind: 'ipv6', hex: [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(''), prefix, text: srcText, ...span });
    }
    case 'time': {
      const r = parseAbsoluteTime(text, tz);
      return r.ok ? ok({ kind: 'time', sec: r.sec, nsec: r.nsec, text: srcText, ...span }) : fail(r.message);
    }
    case 'reltime': {
      const r = parseRelativeTime(text, lit.negative);
      return r.ok ? ok({ kind: 'reltime', sec: r.sec, nsec: r.nsec, text: srcText, ...span }) : fail(r.message, r.hint);
    }
    case 'none':
    case 'ipnet':
      return fail(`${t.field ?? 'The value'} (type=${t.typeName}) has no value to compare.`);
  }
}

function hostHint(text: string): string | undefined {
  return /[g-zG-Z]/.test(text) ? 'Tracehound works offline and does not resolve host names; write the address.' : undefined;
}

/** Float spellings g_ascii_strtod accepts: decimal with exponent, hex, inf, nan. */
export function parseFloatText(text: string): number | null {
  if (/^[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/.test(text)) return Number(text);
  if (/^0[xX][0-9A-Fa-f]+$/.test(text)) return Number.parseInt(text.slice(2), 16);
  if (/^inf(?:inity)?$/i.test(text)) return Infinity;
  if (/^nan$/i.test(text)) return NaN;
  return null;
}
