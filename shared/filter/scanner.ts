/**
 * Display-filter scanner. It splits the text the way TShark 4.0's flex scanner does, because
 * where a token ends decides what is a syntax error: `aa:bb:c` is the bytes `aa:bb` followed
 * by a stray `:c`; `10.0.0.0/x` is an address divided by `x`; `a..b` is a range.
 *
 * The whole text is scanned up front. A scan error (unterminated string, bad escape) becomes
 * an `error` token at its place, so the parser reports an earlier syntax error first, as
 * TShark's parser-driven scanner does.
 */
import type { CompareOp } from './ast.js';
import { diag, type Diagnostic } from './diagnostics.js';

export type TokenKind =
  | 'lparen'
  | 'rparen'
  | 'lbrace'
  | 'rbrace'
  | 'lbracket'
  | 'rbracket'
  | 'comma'
  | 'dotdot'
  | 'compare' // == != === !== ~= > >= < <= eq ne ... contains matches ~
  | 'and'
  | 'or'
  | 'not'
  | 'in'
  | 'any'
  | 'all'
  | 'arith' // & + - * / % bitwise_and
  | 'hash' // layer operator #
  | 'word' // field, protocol, function name or unquoted literal
  | 'literal' // unquoted literal that cannot be a name: aa:bb, 2001:db8::1, 10.0.0.0/8, :ab
  | 'string'
  | 'char'
  | 'range' // one comma-separated part of a slice or layer range: "0:4", "-1", "1-3"
  | 'layer' // the number after #
  | 'invalid' // a character that starts no token
  | 'error' // a scan error; the parser reports `error` when it reaches it
  | 'eof';

export interface Token {
  kind: TokenKind;
  /** Source text of the token. */
  text: string;
  start: number;
  end: number;
  /** For `compare` tokens: Wireshark's operator name. */
  op?: CompareOp;
  /** For `arith` tokens. */
  arith?: '&' | '+' | '-' | '*' | '/' | '%';
  /** For `string` tokens: bytes after escapes (one char per byte); for `char` tokens: its byte. */
  bytes?: string;
  value?: number;
  raw?: boolean;
  /** For `error` tokens. */
  error?: Diagnostic;
  /** The operator was written in a deprecated spelling (`~=`). */
  deprecated?: boolean;
}

const KEYWORDS: Readonly<Record<string, Pick<Token, 'kind' | 'op' | 'arith'>>> = {
  eq: { kind: 'compare', op: 'any_eq' },
  any_eq: { kind: 'compare', op: 'any_eq' },
  ne: { kind: 'compare', op: 'all_ne' },
  all_ne: { kind: 'compare', op: 'all_ne' },
  all_eq: { kind: 'compare', op: 'all_eq' },
  any_ne: { kind: 'compare', op: 'any_ne' },
  gt: { kind: 'compare', op: 'gt' },
  ge: { kind: 'compare', op: 'ge' },
  lt: { kind: 'compare', op: 'lt' },
  le: { kind: 'compare', op: 'le' },
  contains: { kind: 'compare', op: 'contains' },
  matches: { kind: 'compare', op: 'matches' },
  and: { kind: 'and' },
  or: { kind: 'or' },
  not: { kind: 'not' },
  in: { kind: 'in' },
  any: { kind: 'any' },
  all: { kind: 'all' },
  bitwise_and: { kind: 'arith', arith: '&' },
};

/** Punctuation, longest first so that `===` wins over `==` and `&&` over `&`. */
const PUNCT: ReadonlyArray<readonly [string, Pick<Token, 'kind' | 'op' | 'arith' | 'deprecated'>]> = [
  ['===', { kind: 'compare', op: 'all_eq' }],
  ['!==', { kind: 'compare', op: 'any_ne' }],
  ['==', { kind: 'compare', op: 'any_eq' }],
  ['!=', { kind: 'compare', op: 'all_ne' }],
  ['~=', { kind: 'compare', op: 'any_ne', deprecated: true }],
  ['>=', { kind: 'compare', op: 'ge' }],
  ['<=', { kind: 'compare', op: 'le' }],
  ['&&', { kind: 'and' }],
  ['||', { kind: 'or' }],
  ['..', { kind: 'dotdot' }],
  ['>', { kind: 'compare', op: 'gt' }],
  ['<', { kind: 'compare', op: 'lt' }],
  ['~', { kind: 'compare', op: 'matches' }],
  ['!', { kind: 'not' }],
  ['&', { kind: 'arith', arith: '&' }],
  ['+', { kind: 'arith', arith: '+' }],
  ['-', { kind: 'arith', arith: '-' }],
  ['*', { kind: 'arith', arith: '*' }],
  ['/', { kind: 'arith', arith: '/' }],
  ['%', { kind: 'arith', arith: '%' }],
  ['(', { kind: 'lparen' }],
  [')', { kind: 'rparen' }],
  ['{', { kind: 'lbrace' }],
  ['}', { kind: 'rbrace' }],
  [',', { kind: 'comma' }],
];

/** Field names, protocol names, function names and most unquoted literals. Never contains "..". */
const WORD = /[A-Za-z0-9_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*/y;
/** Colon-separated bytes (also MAC addresses): two hex digits per group. */
const COLON_BYTES = /[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2})+/y;
const DEC_OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])';
const IPV4_CIDR = new RegExp(`${DEC_OCTET}(?:\\.${DEC_OCTET}){3}/[0-9]{1,2}`, 'y');
/** Characters an IPv6 literal (with an embedded IPv4 tail) is made of. */
const IPV6_CHARS = /[0-9A-Fa-f:.]+/y;
const COLON_HEX = /:[0-9A-Fa-f]+(?::[0-9A-Fa-f]{2})*/y;
const BLANK = /[ \t\r\n]+/y;

function match(re: RegExp, text: string, pos: number): string | null {
  re.lastIndex = pos;
  const m = re.exec(text);
  return m ? m[0] : null;
}

/** Longest prefix of text[pos..] that is an IPv6 address, optionally with a /prefix. */
function matchIpv6(text: string, pos: number): string | null {
  const run = match(IPV6_CHARS, text, pos);
  if (run === null || !run.includes(':')) return null;
  for (let n = Math.min(run.length, 45); n >= 2; n--) {
    const cand = run.slice(0, n);
    if (parseIpv6(cand) !== null) {
      const pfx = /\/[0-9]{1,3}/y;
      pfx.lastIndex = pos + n;
      const m = pfx.exec(text);
      return m ? cand + m[0] : cand;
    }
  }
  return null;
}

/**
 * Parses an IPv6 address (RFC 4291 text forms, with an optional dotted IPv4 tail) into its 16
 * bytes, or null.
 */
export function parseIpv6(s: string): Uint8Array | null {
  if (s.length < 2 || s.length > 45) return null;
  let groupsText = s;
  let tail: number[] = [];
  if (s.includes('.')) {
    const lastColon = s.lastIndexOf(':');
    const v4 = parseIpv4(s.slice(lastColon + 1));
    if (v4 === null) return null;
    tail = [v4 >>> 16, v4 & 0xffff];
    groupsText = s.slice(0, lastColon + 1);
    if (!groupsText.endsWith('::')) groupsText = groupsText.slice(0, -1);
  }
  const split = (part: string): number[] | null => {
    if (part === '') return [];
    const vals: number[] = [];
    for (const g of part.split(':')) {
      if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return null;
      vals.push(parseInt(g, 16));
    }
    return vals;
  };
  const gap = groupsText.indexOf('::');
  if (gap !== groupsText.lastIndexOf('::')) return null;
  let groups: number[];
  if (gap >= 0) {
    const head = split(groupsText.slice(0, gap));
    const rest = split(groupsText.slice(gap + 2));
    if (head === null || rest === null) return null;
    const known = head.length + rest.length + tail.length;
    if (known > 7) return null;
    groups = [...head, ...new Array<number>(8 - known).fill(0), ...rest, ...tail];
  } else {
    const all = split(groupsText);
    if (all === null || all.length + tail.length !== 8) return null;
    groups = [...all, ...tail];
  }
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

/** Strict dotted-quad IPv4 (no leading zeros, as inet_pton), as an unsigned 32-bit number, or null. */
export function parseIpv4(s: string): number | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  let v = 0;
  for (const p of parts) {
    if (!/^(?:0|[1-9][0-9]{0,2})$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    v = v * 256 + n;
  }
  return v;
}

/** UTF-8 bytes of a JS string, one char per byte. */
export function utf8Bytes(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) out += ch;
    else if (cp < 0x800) out += String.fromCharCode(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    else if (cp < 0x10000) out += String.fromCharCode(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    else out += String.fromCharCode(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  }
  return out;
}

/** Decodes bytes (one char per byte) as UTF-8; each byte of an invalid sequence becomes U+FFFD. */
export function decodeUtf8(bytes: string): string {
  let out = '';
  for (let i = 0; i < bytes.length;) {
    const b = bytes.charCodeAt(i);
    if (b < 0x80) {
      out += bytes[i];
      i++;
      continue;
    }
    // Continuation bytes expected after a lead byte (0 = not a valid lead byte).
    const need = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : 0;
    let cp = b & (need === 1 ? 0x1f : need === 2 ? 0x0f : 0x07);
    let ok = need > 0 && i + need < bytes.length;
    for (let k = 1; ok && k <= need; k++) {
      const c = bytes.charCodeAt(i + k);
      if ((c & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (c & 0x3f);
    }
    // Reject overlong forms, surrogates and code points past U+10FFFF.
    if (ok && need === 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ok = false;
    if (ok && need === 3 && (cp < 0x10000 || cp > 0x10ffff)) ok = false;
    if (ok) {
      out += String.fromCodePoint(cp);
      i += need + 1;
    } else {
      out += '\ufffd';
      i++;
    }
  }
  return out;
}

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, '"': 34, "'": 39 };

/** Scans a double-quoted string starting at its opening quote (text[q] === '"'). */
function scanString(text: string, start: number, q: number, raw: boolean): Token {
  let bytes = '';
  let i = q + 1;
  const fail = (message: string, s: number, e: number): Token => ({
    kind: 'error',
    text: text.slice(start, e),
    start,
    end: e,
    error: diag(message, s, e),
  });
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') return { kind: 'string', text: text.slice(start, i + 1), start, end: i + 1, bytes, raw };
    if (c !== '\\') {
      const cp = text.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      bytes += utf8Bytes(ch);
      i += ch.length;
      continue;
    }
    if (i + 1 >= text.length) break;
    const e = text[i + 1]!;
    if (raw) {
      // Raw strings keep every backslash; `\"` and `\\` only stop the quote from ending the string.
      bytes += '\\' + utf8Bytes(e);
      i += 2;
      continue;
    }
    let m: RegExpExecArray | null;
    if ((m = /^[0-7]{1,3}/.exec(text.slice(i + 1, i + 4)))) {
      const v = parseInt(m[0], 8);
      if (v > 255) return fail(`\\${m[0]} is larger than 255.`, i, i + 1 + m[0].length);
      bytes += String.fromCharCode(v);
      i += 1 + m[0].length;
    } else if (e === 'x') {
      const h = /^[0-9A-Fa-f]{1,2}/.exec(text.slice(i + 2, i + 4));
      if (!h) return fail('\\x is not a valid character escape sequence', i, i + 2);
      bytes += String.fromCharCode(parseInt(h[0], 16));
      i += 2 + h[0].length;
    } else if (e === 'u' || e === 'U') {
      const want = e === 'u' ? 4 : 8;
      const h = /^[0-9A-Fa-f]*/.exec(text.slice(i + 2, i + 2 + want))![0];
      const cp = parseInt(h || 'x', 16);
      if (h.length !== want || !(cp <= 0x10ffff) || (cp >= 0xd800 && cp < 0xe000)) {
        return fail(`\\${e}${h} is not a valid universal character name`, i, i + 2 + h.length);
      }
      bytes += utf8Bytes(String.fromCodePoint(cp));
      i += 2 + want;
    } else if (SIMPLE_ESCAPES[e] !== undefined) {
      bytes += String.fromCharCode(SIMPLE_ESCAPES[e]!);
      i += 2;
    } else {
      return fail(`\\${e} is not a valid character escape sequence`, i, i + 2);
    }
  }
  return fail('The final quote was missing from a quoted string.', text.length, text.length);
}

/**
 * Scans a character constant starting at its opening quote. TShark 4.0 accepts one printable
 * ASCII character, `\xH`/`\xHH`, octal `\o`..`\ooo` and the escapes a b f r t v 0 \ ' ".
 * It rejects `'\n'` as "too long" (a 4.0 quirk, reproduced so both accept the same filters).
 */
function scanChar(text: string, start: number): Token {
  let i = start + 1;
  while (i < text.length && text[i] !== "'") i += text[i] === '\\' ? 2 : 1;
  if (i >= text.length) {
    return {
      kind: 'error',
      text: text.slice(start),
      start,
      end: text.length,
      error: diag('The final quote was missing from a character constant.', text.length, text.length),
    };
  }
  const end = i + 1;
  const src = text.slice(start, end);
  const body = text.slice(start + 1, i);
  const fail = (message: string, hint?: string): Token => ({
    kind: 'error',
    text: src,
    start,
    end,
    error: diag(message, start, end, hint),
  });
  let value: number;
  if (body === '') return fail('Empty character constant.');
  if (body[0] !== '\\') {
    if (body.length > 1) return fail(`${src} is too long to be a valid character constant.`);
    value = body.charCodeAt(0);
    if (value < 0x20 || value > 0x7e)
      return fail(`Non-printable value '0x${value.toString(16)}' in character constant.`, "Write the byte as an escape, such as '\\xe9'.");
  } else if (body[1] === 'x') {
    if (!/^\\x[0-9A-Fa-f]{1,2}$/.test(body)) {
      return body.length > 4 && /^\\x[0-9A-Fa-f]+$/.test(body)
        ? fail(`${src} is too long to be a valid character constant.`)
        : fail(`${src} isn't a valid character constant.`);
    }
    value = parseInt(body.slice(2), 16);
  } else if (/^\\[0-7]/.test(body)) {
    if (!/^\\[0-7]{1,3}$/.test(body)) return fail(`${src} is too long to be a valid character constant.`);
    value = parseInt(body.slice(1), 8);
    if (value > 255) return fail(`${src} is too large to be a valid character constant.`);
  } else if (body === '\\n') {
    return fail(`${src} is too long to be a valid character constant.`, "TShark 4.0 rejects '\\n'; write '\\x0a'.");
  } else if (body.length === 2 && SIMPLE_ESCAPES[body[1]!] !== undefined) {
    value = SIMPLE_ESCAPES[body[1]!]!;
  } else if (body.length === 2) {
    return fail(`${src} isn't a valid character constant.`);
  } else {
    return fail(`${src} is too long to be a valid character constant.`);
  }
  return { kind: 'char', text: src, start, end, value };
}

/** Scans the inside of `[...]` after the `[`: range parts separated by commas, then `]`. */
function scanRanges(text: string, pos: number, out: Token[]): number {
  let i = pos;
  for (;;) {
    if (i >= text.length) {
      out.push({
        kind: 'error',
        text: '',
        start: text.length,
        end: text.length,
        error: diag('The right bracket was missing from a slice.', text.length, text.length),
      });
      return i;
    }
    const c = text[i]!;
    if (c === ']') {
      out.push({ kind: 'rbracket', text: ']', start: i, end: i + 1 });
      return i + 1;
    }
    if (c === ',') {
      out.push({ kind: 'comma', text: ',', start: i, end: i + 1 });
      i++;
      continue;
    }
    let j = i;
    while (j < text.length && text[j] !== ']' && text[j] !== ',') j++;
    out.push({ kind: 'range', text: text.slice(i, j), start: i, end: j });
    i = j;
  }
}

export function scan(text: string): Token[] {
  const out: Token[] = [];
  let pos = 0;
  while (pos < text.length) {
    const blank = match(BLANK, text, pos);
    if (blank) {
      pos += blank.length;
      continue;
    }
    const c = text[pos]!;
    const start = pos;

    if (c === '"' || ((c === 'r' || c === 'R') && text[pos + 1] === '"')) {
      const tok = scanString(text, start, c === '"' ? pos : pos + 1, c !== '"');
      out.push(tok);
      if (tok.kind === 'error') return finish(out, text);
      pos = tok.end;
      continue;
    }
    if (c === "'") {
      const tok = scanChar(text, start);
      out.push(tok);
      if (tok.kind === 'error') return finish(out, text);
      pos = tok.end;
      continue;
    }
    if (c === '[') {
      out.push({ kind: 'lbracket', text: '[', start, end: start + 1 });
      pos = scanRanges(text, pos + 1, out);
      if (out[out.length - 1]!.kind === 'error') return finish(out, text);
      continue;
    }
    if (c === '#') {
      out.push({ kind: 'hash', text: '#', start, end: start + 1 });
      pos++;
      const digits = match(/[0-9]+/y, text, pos);
      if (digits) {
        out.push({ kind: 'layer', text: digits, start: pos, end: pos + digits.length });
        pos += digits.length;
      } else if (text[pos] === '[') {
        out.push({ kind: 'lbracket', text: '[', start: pos, end: pos + 1 });
        pos = scanRanges(text, pos + 1, out);
        if (out[out.length - 1]!.kind === 'error') return finish(out, text);
      } else {
        const msg = pos >= text.length ? 'The layer number or range was missing.' : `Expected digit or "[", not "${text[pos]}"`;
        out.push({ kind: 'error', text: '', start: pos, end: pos, error: diag(msg, pos, Math.min(pos + 1, text.length)) });
        return finish(out, text);
      }
      continue;
    }
    if (c === '$' && text[pos + 1] === '{') {
      const close = text.indexOf('}', pos);
      const end = close < 0 ? text.length : close + 1;
      const name = text.slice(pos + 2, close < 0 ? text.length : close);
      out.push({
        kind: 'error',
        text: text.slice(pos, end),
        start,
        end,
        error: diag(`macro '${name}' does not exist`, start, end, 'Tracehound has no display filter macros.'),
      });
      return finish(out, text);
    }

    // Literals and words: the longest match wins, a word on a tie (as in the flex rules).
    const word = match(WORD, text, pos);
    let lit: string | null = null;
    for (const cand of [match(COLON_BYTES, text, pos), match(IPV4_CIDR, text, pos), matchIpv6(text, pos), match(COLON_HEX, text, pos)]) {
      if (cand !== null && (lit === null || cand.length > lit.length)) lit = cand;
    }
    if (lit !== null && (word === null || lit.length > word.length)) {
      out.push({ kind: 'literal', text: lit, start, end: start + lit.length });
      pos += lit.length;
      continue;
    }
    if (word !== null) {
      out.push(token(Object.hasOwn(KEYWORDS, word) ? KEYWORDS[word]! : WORD_KIND, word, start));
      pos += word.length;
      continue;
    }
    const punct = PUNCT.find(([p]) => text.startsWith(p, pos));
    if (punct) {
      out.push(token(punct[1], punct[0], start));
      pos += punct[0].length;
      continue;
    }
    const ch = String.fromCodePoint(text.codePointAt(pos)!);
    out.push({ kind: 'invalid', text: ch, start, end: start + ch.length });
    pos += ch.length;
  }
  return finish(out, text);
}

const WORD_KIND: Pick<Token, 'kind'> = { kind: 'word' };

/** A keyword, punctuation or word token. (Built field by field: object spread is slow here.) */
function token(how: Pick<Token, 'kind' | 'op' | 'arith' | 'deprecated'>, text: string, start: number): Token {
  const t: Token = { kind: how.kind, text, start, end: start + text.length };
  if (how.op !== undefined) t.op = how.op;
  if (how.arith !== undefined) t.arith = how.arith;
  if (how.deprecated) t.deprecated = true;
  return t;
}

function finish(out: Token[], text: string): Token[] {
  out.push({ kind: 'eof', text: '', start: text.length, end: text.length });
  return out;
}
