/**
 * Translates the PCRE2 patterns of Wireshark's `matches` into JavaScript RegExp source with
 * the same meaning.
 *
 * Wireshark 4.0 compiles `matches` patterns with PCRE2_CASELESS and without UTF: patterns and
 * subjects are BYTES, `.` is one byte, `\w` `\d` `\s` and case folding are ASCII-only. So the
 * back end matches a subject string holding one char per byte (latin1: for a string field,
 * its UTF-8 bytes), and this translation is built for exactly that:
 *
 * - case-insensitivity is spelt out (`a` becomes `[aA]`, classes get both cases of their ASCII
 *   letters), so the JS `i` flag is never used: its Unicode folding would also fold Latin-1
 *   bytes such as 0xC9/0xE9, and JS has no per-group case switch. `(?i)` and `(?-i)` may thus
 *   appear anywhere, as in PCRE;
 * - `.` is `[^\n]`, `$` also matches before a final "\n", `\A` `\z` `\Z`, `^`/`$` under
 *   `(?m)` (lines end at "\n" only) are written with lookarounds; `(?s)` `(?x)` are applied here;
 * - `\s` `\h` `\v` `\R` `\N`, POSIX classes, `\Q...\E`, `\x{..}`, `\o{..}`, `\e`, `\cX`,
 *   `(?P<n>...)`, `(?'n'...)`, `(?P=n)`, `\g{n}`, `\k{n}`, `(?#...)` are rewritten.
 *
 * PCRE constructs JavaScript cannot express (possessive quantifiers, atomic groups, recursion,
 * conditionals, \K, \G, \X, \C, backtracking verbs, branch reset, ungreedy mode, back
 * references while case-insensitive) are rejected with a message naming the construct: the
 * filter is refused rather than evaluated differently. Errors PCRE itself reports use PCRE2's
 * wording, prefixed "Regex compilation error:" as in TShark.
 *
 * The output uses the `u` flag (strict syntax, `\p{..}` on code points 0..255 as PCRE2
 * without UTF).
 */

export type RegexResult = { ok: true; source: string; flags: string } | { ok: false; message: string; hint?: string };

class RegexError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

const pcreError = (what: string): RegexError => new RegexError(`Regex compilation error: ${what}.`);
const noJs = (what: string, hint?: string): RegexError =>
  new RegexError(`Tracehound cannot evaluate this regular expression: ${what} has no JavaScript equivalent.`, hint);

/** Inclusive code point ranges. */
type Ranges = Array<readonly [number, number]>;

const R = (...pairs: Array<number | readonly [number, number]>): Ranges =>
  pairs.map((p) => (typeof p === 'number' ? ([p, p] as const) : p));
const c = (ch: string): number => ch.charCodeAt(0);

/** Byte classes as PCRE2 defines them without UTF and UCP (ASCII, plus Latin-1 for \h \v). */
const CLASSES: Readonly<Record<string, Ranges>> = {
  d: R([c('0'), c('9')]),
  w: R([c('0'), c('9')], [c('A'), c('Z')], c('_'), [c('a'), c('z')]),
  s: R([9, 13], 32),
  h: R(9, 32, 0xa0),
  v: R([10, 13], 0x85),
};

const POSIX: Readonly<Record<string, Ranges>> = {
  alpha: R([c('A'), c('Z')], [c('a'), c('z')]),
  digit: R([c('0'), c('9')]),
  alnum: R([c('0'), c('9')], [c('A'), c('Z')], [c('a'), c('z')]),
  upper: R([c('A'), c('Z')]),
  lower: R([c('a'), c('z')]),
  space: R([9, 13], 32),
  blank: R(9, 32),
  punct: R([0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]),
  xdigit: R([c('0'), c('9')], [c('A'), c('F')], [c('a'), c('f')]),
  word: R([c('0'), c('9')], [c('A'), c('Z')], c('_'), [c('a'), c('z')]),
  cntrl: R([0, 0x1f], 0x7f),
  print: R([0x20, 0x7e]),
  graph: R([0x21, 0x7e]),
  ascii: R([0, 0x7f]),
};

/** Unicode general categories PCRE2 and JS both know by the same short name. */
const GENERAL_CATEGORIES = new Set(
  'C Cc Cf Cn Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs'.split(' '),
);

/** Subjects hold bytes, so classes only need to cover 0..255. */
const MAX_BYTE = 0xff;

function complement(rs: Ranges): Ranges {
  const sorted = [...rs].sort((a, b) => a[0] - b[0]);
  const out: Ranges = [];
  let next = 0;
  for (const [lo, hi] of sorted) {
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= MAX_BYTE) out.push([next, MAX_BYTE]);
  return out;
}

/** Adds the other case of every ASCII letter in the ranges (PCRE2's caseless, without UTF). */
function foldCase(rs: Ranges): Ranges {
  const out: Ranges = [...rs];
  for (const [lo, hi] of rs) {
    const a = Math.max(lo, 0x41);
    const b = Math.min(hi, 0x5a);
    if (a <= b) out.push([a + 32, b + 32]);
    const x = Math.max(lo, 0x61);
    const y = Math.min(hi, 0x7a);
    if (x <= y) out.push([x - 32, y - 32]);
  }
  return out;
}

/** One code point as JS class or pattern source: alphanumerics as is, everything else \xHH. */
function cpSource(cp: number): string {
  return /[A-Za-z0-9]/.test(String.fromCharCode(cp)) && cp < 0x80 ? String.fromCharCode(cp) : `\\x${cp.toString(16).padStart(2, '0')}`;
}

function rangesSource(rs: Ranges): string {
  return rs.map(([lo, hi]) => (lo === hi ? cpSource(lo) : `${cpSource(lo)}-${cpSource(hi)}`)).join('');
}

interface Flags {
  i: boolean;
  s: boolean;
  m: boolean;
  x: boolean;
}

interface Group {
  flags: Flags;
  lookbehind: boolean;
  /** Source that closes the group: lookarounds are wrapped in (?:...) so they may take a quantifier, as in PCRE. */
  close: string;
}

/**
 * Translates a PCRE2 pattern, given as bytes (one char per byte, as the string literal holds
 * it), to JS RegExp source and flags for latin1 subjects.
 */
export function translatePcre(pattern: string): RegexResult {
  try {
    const source = new Translator(pattern).run();
    try {
      new RegExp(source, 'u');
    } catch (e) {
      return { ok: false, message: `Tracehound cannot evaluate this regular expression in JavaScript: ${(e as Error).message}.` };
    }
    return { ok: true, source, flags: 'u' };
  } catch (e) {
    if (e instanceof RegexError)
      return e.hint === undefined ? { ok: false, message: e.message } : { ok: false, message: e.message, hint: e.hint };
    throw e;
  }
}

class Translator {
  private pos = 0;
  private out = '';
  /** Wireshark compiles with PCRE2_CASELESS. */
  private flags: Flags = { i: true, s: false, m: false, x: false };
  private readonly stack: Group[] = [];
  /** Whether the last item can take a quantifier. */
  private repeatable = false;
  /** Captures and names, from a first pass (back references may point forward). */
  private readonly groupCount: number;
  private readonly names: Set<string>;

  constructor(private readonly p: string) {
    const pre = prescan(p);
    this.groupCount = pre.count;
    this.names = pre.names;
  }

  run(): string {
    for (let i = 0; i < this.p.length; i++) {
      if (this.p.charCodeAt(i) > MAX_BYTE) throw new Error('translatePcre: the pattern must hold one byte per char');
    }
    while (this.pos < this.p.length) this.item();
    if (this.stack.length > 0) throw pcreError('missing closing parenthesis');
    return this.out;
  }

  private applyOptions(on: string, off: string): void {
    for (const [letters, value] of [
      [on, true],
      [off, false],
    ] as const) {
      for (const ch of letters) {
        if (ch === 'i' || ch === 's' || ch === 'm' || ch === 'x') this.flags[ch] = value;
        else if ('nUJ'.includes(ch)) throw noJs(`the (?${ch}) option`);
        else throw pcreError('unrecognized character after (? or (?-');
      }
    }
  }

  private peek(k = 0): string | undefined {
    return this.p[this.pos + k];
  }

  private atom(src: string): void {
    this.out += src;
    this.repeatable = true;
  }

  private assertion(src: string): void {
    this.out += src;
    this.repeatable = false;
  }

  /** A literal byte, folded when case-insensitive. */
  private literal(cp: number): void {
    const ch = String.fromCharCode(cp);
    if (this.flags.i && /[A-Za-z]/.test(ch)) this.atom(`[${ch.toUpperCase()}${ch.toLowerCase()}]`);
    else this.atom(cpSource(cp));
  }

  private item(): void {
    const ch = this.p[this.pos]!;
    if (this.flags.x && /[ \t\n\v\f\r]/.test(ch)) {
      this.pos++;
      return;
    }
    if (this.flags.x && ch === '#') {
      while (this.pos < this.p.length && this.p[this.pos] !== '\n') this.pos++;
      return;
    }
    switch (ch) {
      case '\\':
        this.escape();
        return;
      case '[':
        this.charClass();
        return;
      case '(':
        this.openGroup();
        return;
      case ')': {
        const g = this.stack.pop();
        if (!g) throw pcreError('unmatched closing parenthesis');
        this.flags = g.flags;
        this.atom(g.close);
        this.pos++;
        return;
      }
      case '|':
        this.assertion('|');
        this.pos++;
        return;
      case '*':
      case '+':
      case '?':
        this.quantifier(ch, 1, true);
        return;
      case '{': {
        const q = /^\{(\d+)(?:(,)(\d*))?\}/.exec(this.p.slice(this.pos));
        if (q) {
          const min = Number(q[1]);
          const max = q[3] ? Number(q[3]) : q[2] ? Infinity : min;
          if (min > 65535 || (max !== Infinity && max > 65535)) throw pcreError('number too big in {} quantifier');
          if (max < min) throw pcreError('numbers out of order in {} quantifier');
          this.quantifier(q[0], q[0].length, min !== max);
          return;
        }
        // PCRE2 10.42 reads any other `{` (including `{,3}`) as a literal.
        this.literal(c('{'));
        this.pos++;
        return;
      }
      case '.':
        this.atom(this.flags.s ? '[\\s\\S]' : '[^\\n]');
        this.pos++;
        return;
      case '^':
        this.assertion(this.flags.m ? '(?:(?<![\\s\\S])|(?<=\\n)(?=[\\s\\S]))' : '(?<![\\s\\S])');
        this.pos++;
        return;
      case '$':
        this.assertion(this.flags.m ? '(?=\\n|(?![\\s\\S]))' : '(?=\\n?(?![\\s\\S]))');
        this.pos++;
        return;
      default:
        this.literal(this.p.charCodeAt(this.pos));
        this.pos++;
    }
  }

  /** Emits a quantifier; `variable` when it allows more than one count (everything but {n}). */
  private quantifier(src: string, len: number, variable: boolean): void {
    if (!this.repeatable) throw pcreError('quantifier does not follow a repeatable item');
    if (variable && this.stack.some((g) => g.lookbehind)) throw pcreError('lookbehind assertion is not fixed length');
    this.out += src;
    this.pos += len;
    const next = this.peek();
    if (next === '+') {
      throw noJs(
        'a possessive quantifier (such as a++)',
        'Drop the last "+"; the result is the same unless the pattern relies on not backtracking.',
      );
    }
    if (next === '?') {
      this.out += '?';
      this.pos++;
    }
    this.repeatable = false;
  }

  private open(js: string, len: number, lookbehind = false): void {
    const around = js.startsWith('(?=') || js.startsWith('(?!') || js.startsWith('(?<=') || js.startsWith('(?<!');
    this.stack.push({ flags: { ...this.flags }, lookbehind, close: around ? '))' : ')' });
    this.out += around ? `(?:${js}` : js;
    this.pos += len;
    this.repeatable = false;
  }

  private openGroup(): void {
    const rest = this.p.slice(this.pos);
    let m: RegExpExecArray | null;
    if (rest.startsWith('(*')) throw noJs('a backtracking verb or start-of-pattern option such as (*SKIP)');
    if (!rest.startsWith('(?')) return this.open('(', 1);
    if (rest.startsWith('(?#')) {
      const end = this.p.indexOf(')', this.pos);
      if (end < 0) throw pcreError('missing ) at end of (?# comment');
      this.pos = end + 1;
      return;
    }
    for (const [pre, behind] of [
      ['(?:', false],
      ['(?=', false],
      ['(?!', false],
      ['(?<=', true],
      ['(?<!', true],
    ] as const) {
      if (rest.startsWith(pre)) return this.open(pre, pre.length, behind);
    }
    if ((m = /^\(\?(?:P?<([A-Za-z_]\w*)>|'([A-Za-z_]\w*)')/.exec(rest))) return this.open(`(?<${m[1] ?? m[2]}>`, m[0].length);
    if ((m = /^\(\?P=([A-Za-z_]\w*)\)/.exec(rest))) {
      this.pos += m[0].length;
      return this.backrefName(m[1]!);
    }
    if ((m = /^\(\?([+-]?)(\d+)\)/.exec(rest))) {
      const n = Number(m[2]);
      if ((m[1] === '' && n > this.groupCount) || (n === 0 && m[1] !== '')) throw pcreError('reference to non-existent subpattern');
      throw noJs('a recursive subpattern call such as (?1)');
    }
    if (rest.startsWith('(?R)') || rest.startsWith('(?&') || rest.startsWith('(?P>')) throw noJs('recursion such as (?R)');
    if ((m = /^\(\?([a-zA-Z]*)(?:-([a-zA-Z]*))?([:)])/.exec(rest)) && (m[1] !== '' || m[2] !== undefined)) {
      if (m[3] === ')') {
        // An option setting lasts to the end of the enclosing group (or of the pattern).
        this.applyOptions(m[1] ?? '', m[2] ?? '');
        this.pos += m[0].length;
        this.repeatable = false;
        return;
      }
      this.open('(?:', m[0].length);
      this.applyOptions(m[1] ?? '', m[2] ?? '');
      return;
    }
    if (rest.startsWith('(?>')) {
      throw noJs(
        'an atomic group (?>...)',
        'Use a plain group (?:...); the result is the same unless the pattern relies on not backtracking.',
      );
    }
    if (rest.startsWith('(?|')) throw noJs('a branch-reset group (?|...)');
    if (rest.startsWith('(?(')) {
      const cond = /^\(\?\((\d+)\)/.exec(rest);
      if (cond && Number(cond[1]) > this.groupCount) throw pcreError('reference to non-existent subpattern');
      throw noJs('a conditional group (?(...)...)');
    }
    if (rest.startsWith('(?C')) throw noJs('a callout (?C)');
    throw pcreError('unrecognized character after (? or (?-');
  }

  private caselessBackref(): void {
    if (this.flags.i) {
      throw noJs(
        'a back reference in a case-insensitive pattern',
        'Wireshark matches case-insensitively by default; start the pattern with (?-i) if the back reference may be case-sensitive.',
      );
    }
  }

  private backrefName(name: string): void {
    if (!this.names.has(name)) throw pcreError('reference to non-existent subpattern');
    this.caselessBackref();
    this.atom(`\\k<${name}>`);
  }

  private backrefNumber(n: number): void {
    if (n < 1 || n > this.groupCount) throw pcreError('reference to non-existent subpattern');
    this.caselessBackref();
    // The group keeps a following digit from extending the number in JS.
    this.atom(`(?:\\${n})`);
  }

  /** Escapes that stand for one byte, outside or inside a class; null if the escape is not one. */
  private byteEscape(): number | null {
    const rest = this.p.slice(this.pos);
    let m: RegExpExecArray | null;
    if ((m = /^\\x\{([0-9A-Fa-f]+)\}/.exec(rest)) || (m = /^\\o\{([0-7]+)\}/.exec(rest))) {
      const cp = parseInt(m[1]!, m[0][1] === 'x' ? 16 : 8);
      if (cp > MAX_BYTE) throw pcreError('character code point value in \\x{} or \\o{} is too large');
      this.pos += m[0].length;
      return cp;
    }
    if ((m = /^\\x([0-9A-Fa-f]{0,2})/.exec(rest))) {
      this.pos += m[0].length;
      return m[1] ? parseInt(m[1], 16) : 0;
    }
    if ((m = /^\\0([0-7]{0,2})/.exec(rest))) {
      this.pos += m[0].length;
      return parseInt('0' + m[1], 8);
    }
    if (rest.startsWith('\\c')) {
      const ch = rest[2];
      if (ch === undefined) throw pcreError('\\c at end of pattern');
      if (ch.charCodeAt(0) > 0x7e || ch.charCodeAt(0) < 0x20) throw pcreError('\\c must be followed by a printable ASCII character');
      this.pos += 3;
      return ch.toUpperCase().charCodeAt(0) ^ 0x40;
    }
    const simple: Readonly<Record<string, number>> = { a: 7, e: 0x1b, f: 12, n: 10, r: 13, t: 9 };
    const e = rest[1];
    if (e !== undefined && simple[e] !== undefined) {
      this.pos += 2;
      return simple[e]!;
    }
    return null;
  }

  /** `\p{..}` / `\P{..}` / `\pL`: the JS escape. */
  private property(): string {
    const m = /^\\([pP])(?:\{(\^?)([A-Za-z_& ]+)\}|([A-Za-z]))/.exec(this.p.slice(this.pos));
    if (!m) throw pcreError('malformed \\P or \\p sequence');
    this.pos += m[0].length;
    const negate = (m[1] === 'P') !== (m[2] === '^');
    const name = (m[3] ?? m[4]!).replace(/[ _]/g, '');
    let js: string;
    if (GENERAL_CATEGORIES.has(name) || name === 'Any') js = name;
    else if (name === 'L&' || name === 'LC') js = 'LC';
    else if (/^X(an|sp|ps|wd|uc)$/.test(name)) throw noJs(`the PCRE property \\p{${name}}`);
    else {
      js = `Script=${name}`;
      try {
        new RegExp(`\\p{${js}}`, 'u');
      } catch {
        throw pcreError('unknown property after \\P or \\p');
      }
    }
    return `\\${negate ? 'P' : 'p'}{${js}}`;
  }

  /** `\d \D \w \W \s \S \h \H \v \V` as ranges, or null. */
  private classEscape(e: string): Ranges | null {
    const base = CLASSES[e.toLowerCase()];
    if (!base) return null;
    return e === e.toLowerCase() ? base : complement(base);
  }

  private escape(): void {
    const e = this.peek(1);
    if (e === undefined) throw pcreError('\\ at end of pattern');
    const cp = this.byteEscape();
    if (cp !== null) return this.literal(cp);
    const rest = this.p.slice(this.pos);
    let m: RegExpExecArray | null;
    if (/[1-9]/.test(e)) {
      // PCRE2: \1..\9 are back references; a larger number is one only if that many groups
      // exist, otherwise up to three octal digits are a byte (\101 is "A").
      const digits = /^\\(\d+)/.exec(rest)![1]!;
      const octal = /^[0-7]{1,3}/.exec(digits);
      if (Number(digits) >= 10 && Number(digits) > this.groupCount && octal) {
        this.pos += 1 + octal[0].length;
        return this.literal(parseInt(octal[0], 8) & 0xff);
      }
      this.pos += digits.length + 1;
      return this.backrefNumber(Number(digits));
    }
    if ((m = /^\\g(?:\{(-?\d+)\}|(-?\d+))/.exec(rest))) {
      const n = Number(m[1] ?? m[2]);
      const at = this.pos;
      this.pos += m[0].length;
      return this.backrefNumber(n < 0 ? prescan(this.p.slice(0, at)).count + n + 1 : n);
    }
    if ((m = /^\\(?:g\{([A-Za-z_]\w*)\}|k<([A-Za-z_]\w*)>|k'([A-Za-z_]\w*)'|k\{([A-Za-z_]\w*)\})/.exec(rest))) {
      this.pos += m[0].length;
      return this.backrefName(m[1] ?? m[2] ?? m[3] ?? m[4]!);
    }
    if (rest.startsWith('\\g<') || rest.startsWith("\\g'")) throw noJs('a subroutine call such as \\g<1>');
    if (e === 'Q') {
      this.pos += 2;
      const end = this.p.indexOf('\\E', this.pos);
      const text = end < 0 ? this.p.slice(this.pos) : this.p.slice(this.pos, end);
      this.pos = end < 0 ? this.p.length : end + 2;
      for (let i = 0; i < text.length; i++) this.literal(text.charCodeAt(i));
      return;
    }
    if (e === 'p' || e === 'P') return this.atom(this.property());
    const cls = this.classEscape(e);
    if (cls) {
      this.pos += 2;
      // \d \D \w \W are ASCII in JS too; the others are spelt out for bytes.
      return this.atom(
        'dDwW'.includes(e) ? `\\${e}` : e === e.toLowerCase() ? `[${rangesSource(cls)}]` : `[^${rangesSource(CLASSES[e.toLowerCase()]!)}]`,
      );
    }
    this.pos += 2;
    switch (e) {
      case 'E':
        return;
      case 'b':
      case 'B':
        return this.assertion(`\\${e}`);
      case 'R':
        return this.atom(`(?:\\r\\n|[${rangesSource(CLASSES.v!)}])`);
      case 'N':
        if (this.peek() === '{' && !/^\{\d+(?:,\d*)?\}/.test(this.p.slice(this.pos)))
          throw pcreError('PCRE2 does not support \\F, \\L, \\l, \\N{name}, \\U, or \\u');
        return this.atom('[^\\n]');
      case 'A':
        return this.assertion('(?<![\\s\\S])');
      case 'z':
        return this.assertion('(?![\\s\\S])');
      case 'Z':
        return this.assertion('(?=\\n?(?![\\s\\S]))');
      case 'G':
        throw noJs('\\G');
      case 'K':
        throw noJs('\\K', 'Use a lookbehind (?<=...) for the part before \\K.');
      case 'X':
        throw noJs('\\X (extended grapheme cluster)');
      case 'C':
        throw noJs('\\C (single code unit)');
      case 'F':
      case 'L':
      case 'l':
      case 'U':
      case 'u':
        throw pcreError('PCRE2 does not support \\F, \\L, \\l, \\N{name}, \\U, or \\u');
    }
    if (/[A-Za-z0-9]/.test(e)) throw pcreError('unrecognized character follows \\');
    this.literal(e.charCodeAt(0));
  }

  private charClass(): void {
    this.pos++;
    let negated = false;
    if (this.peek() === '^') {
      negated = true;
      this.pos++;
    }
    const ranges: Ranges = [];
    const extra: string[] = [];
    let first = true;
    /** The previous item, when it was a single character (a range may start there). */
    let prev: number | null = null;
    for (;;) {
      if (this.pos >= this.p.length) throw pcreError('missing terminating ] for character class');
      const ch = this.p[this.pos]!;
      if (ch === ']' && !first) {
        this.pos++;
        break;
      }
      first = false;
      if (ch === '-' && prev !== null && this.peek(1) !== undefined && this.peek(1) !== ']') {
        this.pos++;
        const hi = this.classItem();
        if (hi.cp === null) throw pcreError('invalid range in character class');
        if (hi.cp < prev) throw pcreError('range out of order in character class');
        ranges.pop();
        ranges.push([prev, hi.cp]);
        prev = null;
        continue;
      }
      if (ch === '-' && prev === null && ranges.length > 0 && this.peek(1) !== ']' && lastWasClass(this.p, this.pos)) {
        throw pcreError('invalid range in character class');
      }
      const item = this.classItem();
      if (item.cp !== null) ranges.push([item.cp, item.cp]);
      else if (item.ranges) ranges.push(...item.ranges);
      else if (item.src) extra.push(item.src);
      prev = item.cp;
    }
    const all = this.flags.i ? foldCase(ranges) : ranges;
    const body = rangesSource(all) + extra.join('');
    // An empty class matches nothing, and an empty negated class anything.
    this.atom(body === '' ? (negated ? '[\\s\\S]' : '[]') : `[${negated ? '^' : ''}${body}]`);
  }

  /** One class member: a byte (cp), a set of ranges, or a JS property escape (src). */
  private classItem(): { cp: number | null; ranges?: Ranges; src?: string } {
    const rest = this.p.slice(this.pos);
    let m: RegExpExecArray | null;
    if ((m = /^\[:(\^?)([a-z]+):\]/.exec(rest))) {
      const body = POSIX[m[2]!];
      if (body === undefined) throw pcreError('unknown POSIX class name');
      this.pos += m[0].length;
      return { cp: null, ranges: m[1] ? complement(body) : body };
    }
    if (rest[0] !== '\\') {
      this.pos++;
      return { cp: rest.charCodeAt(0) };
    }
    const e = rest[1];
    if (e === undefined) throw pcreError('\\ at end of pattern');
    const cp = this.byteEscape();
    if (cp !== null) return { cp };
    if (e === 'b') {
      this.pos += 2;
      return { cp: 8 };
    }
    const cls = this.classEscape(e);
    if (cls) {
      this.pos += 2;
      return { cp: null, ranges: cls };
    }
    if (e === 'p' || e === 'P') return { cp: null, src: this.property() };
    if (e === 'Q') {
      this.pos += 2;
      const end = this.p.indexOf('\\E', this.pos);
      const text = end < 0 ? this.p.slice(this.pos) : this.p.slice(this.pos, end);
      this.pos = end < 0 ? this.p.length : end + 2;
      const cps = [...text].map((x) => x.charCodeAt(0));
      return cps.length === 1 ? { cp: cps[0]! } : { cp: null, ranges: cps.map((x) => [x, x] as const) };
    }
    if (e === 'E') {
      this.pos += 2;
      return { cp: null, ranges: [] };
    }
    if (/[A-Za-z0-9]/.test(e)) {
      if ('NRX'.includes(e)) throw pcreError('escape sequence is invalid in character class');
      throw pcreError('unrecognized character follows \\');
    }
    this.pos += 2;
    return { cp: e.charCodeAt(0) };
  }
}

/** Whether the class member just before `pos` (a '-') was a class escape such as \d. */
function lastWasClass(p: string, pos: number): boolean {
  return /\\[dDwWsShHvV]$|:\]$/.test(p.slice(0, pos));
}

/** Counts capturing groups and collects group names, skipping escapes, classes and \Q..\E. */
function prescan(p: string): { count: number; names: Set<string> } {
  let count = 0;
  const names = new Set<string>();
  for (let i = 0; i < p.length; i++) {
    const ch = p[i];
    if (ch === '\\') {
      if (p[i + 1] === 'Q') {
        const end = p.indexOf('\\E', i + 2);
        i = end < 0 ? p.length : end + 1;
      } else i++;
    } else if (ch === '[') {
      i++;
      if (p[i] === '^') i++;
      if (p[i] === ']') i++;
      for (; i < p.length && p[i] !== ']'; i++) {
        if (p[i] === '\\') i++;
        else if (p[i] === '[' && p[i + 1] === ':') {
          const end = p.indexOf(':]', i + 2);
          if (end > 0) i = end + 1;
        }
      }
    } else if (ch === '(') {
      if (p.startsWith('(?(', i)) {
        // The condition of a conditional group, (?(1)..), is not a group.
        const end = p.indexOf(')', i + 3);
        if (end > 0) i = end;
      } else if (p[i + 1] !== '?' && p[i + 1] !== '*') count++;
      else {
        const m = /^\(\?(?:P?<([A-Za-z_]\w*)>|'([A-Za-z_]\w*)')/.exec(p.slice(i));
        if (m) {
          count++;
          const name = m[1] ?? m[2]!;
          if (names.has(name)) throw pcreError('two named subpatterns have the same name (PCRE2_DUPNAMES not set)');
          names.add(name);
        }
      }
    }
  }
  return { count, names };
}
