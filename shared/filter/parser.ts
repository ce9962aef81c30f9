/**
 * Display-filter parser: tokens → parse tree (ast.ts `Expr`), following the grammar of
 * Wireshark 4.0's grammar.lemon (precedence, what may stand where, the `a == b == c` chains),
 * so that the same filters are syntax errors and the first error is reported at the same
 * token with the same words ("\"x\" was unexpected in this context.").
 *
 *   expr      := or
 *   or        := and ( ("or" | "||") and )*
 *   and       := not ( ("and" | "&&") not )*
 *   not       := ("not" | "!") not | "(" expr ")" | ("any" | "all")? relation
 *   relation  := arith cmp arith (cmp arith)*       -- chains: a == b == c
 *              | entity ("contains" | "matches" | "~") entity
 *              | entity ("not" | "!")? "in" set
 *              | arith                               -- a test (no any/all prefix)
 *   arith     := add ("&" add)* ; add := mul (("+"|"-") mul)* ; mul := unary (("*"|"/"|"%") unary)*
 *   unary     := "-" entity | "+" entity | "{" arith "}" | entity
 *   entity    := (word | word "(" args? ")" | word "#" layer | literal | string | char) ("[" ranges "]")*
 *   set       := "{" member ("," member)* "}" ; member := ("-"|"+")? entity (".." ("-"|"+")? entity)?
 */
import type { BinaryOperand, CompareExpr, Expr, MembershipExpr, Operand, Quantifier, SetMember, SliceRange } from './ast.js';
import { diag, FilterSyntaxError, type Diagnostic } from './diagnostics.js';
import { decodeUtf8, scan, type Token } from './scanner.js';

export interface ParseResult {
  ast: Expr | null;
  diagnostics: Diagnostic[];
  /** Accepted but discouraged syntax, such as the deprecated `~=`. */
  warnings: Diagnostic[];
}

/** Largest slice offset or length: TShark 4.0 parses them as 32-bit ints. */
const MAX_RANGE_NUMBER = 0x7fffffff;

export function parseFilter(text: string): ParseResult {
  const warnings: Diagnostic[] = [];
  try {
    const p = new Parser(scan(text), warnings);
    const ast = p.parseSentence();
    return { ast, diagnostics: [], warnings };
  } catch (e) {
    if (e instanceof FilterSyntaxError) return { ast: null, diagnostics: [e.diagnostic], warnings };
    throw e;
  }
}

/** Parses one `[...]` part ("0:4", "-1", "1-3", ":2", "2:") into offset/length, or throws. */
export function parseRangePart(tok: Token): SliceRange {
  const t = tok.text;
  const span = { start: tok.start, end: tok.end };
  const fail = (message: string): never => {
    throw new FilterSyntaxError(diag(message, tok.start, tok.end));
  };
  const num = (s: string): number => {
    const n = Number(s);
    if (Math.abs(n) > MAX_RANGE_NUMBER) fail(`"${s}" causes an integer overflow.`);
    return n === 0 ? 0 : n; // "-0" is offset 0
  };
  let m: RegExpExecArray | null;
  if ((m = /^\s*(-?[0-9]+)\s*$/.exec(t))) return { ...span, offset: num(m[1]!), length: 1 };
  if ((m = /^\s*(-?[0-9]+)?\s*:\s*(-?[0-9]+)?\s*$/.exec(t)) && (m[1] !== undefined || m[2] !== undefined)) {
    const offset = m[1] === undefined ? 0 : num(m[1]);
    if (m[2] === undefined) return { ...span, offset, length: null };
    const length = num(m[2]);
    if (length <= 0) fail(`Range ${t.trim()} isn't valid because length ${length} isn't positive`);
    return { ...span, offset, length };
  }
  if ((m = /^\s*(-?[0-9]+)\s*-\s*(-?[0-9]+)\s*$/.exec(t))) {
    const a = num(m[1]!);
    const b = num(m[2]!);
    if (a < 0 !== b < 0) fail(`Range ${t.trim()} isn't valid because ${a} and ${b} have different signs`);
    if (a >= b) fail(`Range ${t.trim()} isn't valid because ${a} is greater or equal than ${b}`);
    return { ...span, offset: a, length: b - a + 1 };
  }
  if (/^\s*-?[0-9]*\s*[-:]/.test(t) || /[0-9]\s*[-:]/.test(t)) fail(`"${t}" is not a valid range.`);
  return fail(`"${t}" is not a valid number.`);
}

class Parser {
  private pos = 0;

  constructor(
    private readonly toks: Token[],
    private readonly warnings: Diagnostic[],
  ) {}

  /** The current token; reaching a scan error reports it. */
  private peek(offset = 0): Token {
    const t = this.toks[Math.min(this.pos + offset, this.toks.length - 1)]!;
    if (t.kind === 'error' && offset === 0) throw new FilterSyntaxError(t.error!);
    return t;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  private unexpected(t: Token = this.peek()): never {
    if (t.kind === 'eof') throw new FilterSyntaxError(diag('Unexpected end of filter expression.', t.start, t.end));
    if (t.kind === 'error') throw new FilterSyntaxError(t.error!);
    throw new FilterSyntaxError(diag(`"${t.text}" was unexpected in this context.`, t.start, t.end));
  }

  private expect(kind: Token['kind']): Token {
    if (this.peek().kind !== kind) this.unexpected();
    return this.next();
  }

  parseSentence(): Expr | null {
    if (this.peek().kind === 'eof') return null;
    const e = this.parseOr();
    if (this.peek().kind !== 'eof') this.unexpected();
    return e;
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    while (this.peek().kind === 'or') {
      this.next();
      const right = this.parseAnd();
      left = { kind: 'or', left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseNot();
    while (this.peek().kind === 'and') {
      this.next();
      const right = this.parseNot();
      left = { kind: 'and', left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private parseNot(): Expr {
    const t = this.peek();
    if (t.kind === 'not') {
      this.next();
      const operand = this.parseNot();
      return { kind: 'not', operand, start: t.start, end: operand.end };
    }
    if (t.kind === 'lparen') {
      this.next();
      const e = this.parseOr();
      this.expect('rparen');
      return e;
    }
    if (t.kind === 'any' || t.kind === 'all') {
      this.next();
      return this.parseRelation(t.kind, t.start);
    }
    return this.parseRelation(null, t.start);
  }

  private parseRelation(quantifier: Quantifier | null, start: number): Expr {
    const left = this.parseArith();
    const t = this.peek();
    const isEntity = left.kind !== 'binary' && left.kind !== 'negate';

    if (t.kind === 'compare' && t.op !== 'contains' && t.op !== 'matches') {
      // a == b, and Wireshark's chains a == b == c, read as a == b and b == c.
      let expr: Expr | null = null;
      let lhs = left;
      while (this.peek().kind === 'compare' && this.peek().op !== 'contains' && this.peek().op !== 'matches') {
        const opTok = this.next();
        const rhs = this.parseArith();
        const cmp = this.compare(opTok, quantifier, lhs, rhs, expr === null ? start : lhs.start);
        expr = expr === null ? cmp : { kind: 'and', left: expr, right: cmp, start: expr.start, end: cmp.end };
        lhs = rhs;
      }
      return expr!;
    }
    if (t.kind === 'compare' && isEntity) {
      const opTok = this.next();
      const right = this.parseEntity();
      return this.compare(opTok, quantifier, left, right, start);
    }
    if (t.kind === 'in' && isEntity) {
      const opTok = this.next();
      return this.membership(opTok, quantifier, left, start);
    }
    if (t.kind === 'not' && isEntity) {
      this.next();
      const inTok = this.peek();
      if (inTok.kind !== 'in') this.unexpected();
      this.next();
      const m = this.membership(inTok, quantifier, left, start);
      return { kind: 'not', operand: m, start: m.start, end: m.end };
    }
    if (quantifier !== null) this.unexpected();
    return { kind: 'test', operand: left, start: left.start, end: left.end };
  }

  private compare(opTok: Token, quantifier: Quantifier | null, left: Operand, right: Operand, start: number): CompareExpr {
    if (opTok.deprecated) {
      this.warnings.push(diag(`"${opTok.text}" is deprecated.`, opTok.start, opTok.end, 'Use "!==" (any_ne).'));
    }
    return {
      kind: 'compare',
      op: opTok.op!,
      opText: opTok.text,
      opSpan: { start: opTok.start, end: opTok.end },
      quantifier,
      left,
      right,
      start,
      end: right.end,
    };
  }

  private membership(opTok: Token, quantifier: Quantifier | null, operand: Operand, start: number): MembershipExpr {
    this.expect('lbrace');
    const members: SetMember[] = [];
    for (;;) {
      const low = this.parseSetEntity();
      if (this.peek().kind === 'dotdot') {
        this.next();
        const high = this.parseSetEntity();
        members.push({ kind: 'range', low, high, start: low.start, end: high.end });
      } else {
        members.push({ kind: 'value', value: low, start: low.start, end: low.end });
      }
      if (this.peek().kind !== 'comma') break;
      this.next();
    }
    const close = this.expect('rbrace');
    return { kind: 'in', quantifier, operand, members, opSpan: { start: opTok.start, end: opTok.end }, start, end: close.end };
  }

  private parseSetEntity(): Operand {
    const t = this.peek();
    if (t.kind === 'arith' && (t.arith === '-' || t.arith === '+')) {
      this.next();
      const e = this.parseEntity();
      return t.arith === '-' ? { kind: 'negate', operand: e, start: t.start, end: e.end } : e;
    }
    return this.parseEntity();
  }

  private parseArith(): Operand {
    return this.binaryLevel(['&'], () => this.binaryLevel(['+', '-'], () => this.binaryLevel(['*', '/', '%'], () => this.parseUnary())));
  }

  private binaryLevel(ops: readonly BinaryOperand['op'][], operand: () => Operand): Operand {
    let left = operand();
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'arith' || !ops.includes(t.arith!)) return left;
      this.next();
      const right = operand();
      left = { kind: 'binary', op: t.arith!, opSpan: { start: t.start, end: t.end }, left, right, start: left.start, end: right.end };
    }
  }

  private parseUnary(): Operand {
    const t = this.peek();
    if (t.kind === 'arith' && (t.arith === '-' || t.arith === '+')) {
      this.next();
      const e = this.parseEntity();
      return t.arith === '-' ? { kind: 'negate', operand: e, start: t.start, end: e.end } : e;
    }
    if (t.kind === 'lbrace') {
      this.next();
      const e = this.parseArith();
      this.expect('rbrace');
      return e;
    }
    return this.parseEntity();
  }

  private parseEntity(): Operand {
    const t = this.peek();
    let e: Operand;
    switch (t.kind) {
      case 'word': {
        this.next();
        const after = this.peek();
        if (after.kind === 'lparen') {
          this.next();
          const args: Operand[] = [];
          if (this.peek().kind !== 'rparen') {
            args.push(this.parseArith());
            while (this.peek().kind === 'comma') {
              this.next();
              args.push(this.parseArith());
            }
          }
          const close = this.expect('rparen');
          e = { kind: 'call', name: t.text, nameSpan: { start: t.start, end: t.end }, args, start: t.start, end: close.end };
        } else if (after.kind === 'hash') {
          this.next();
          const field = { kind: 'name' as const, name: t.text, start: t.start, end: t.end };
          if (this.peek().kind === 'layer') {
            const n = this.next();
            const r = parseRangePart({ ...n, kind: 'range' });
            e = { kind: 'layer', field, ranges: [r], start: t.start, end: n.end };
          } else {
            const { ranges, end } = this.parseRanges();
            e = { kind: 'layer', field, ranges, start: t.start, end };
          }
        } else {
          e = { kind: 'name', name: t.text, start: t.start, end: t.end };
        }
        break;
      }
      case 'literal':
        this.next();
        e = { kind: 'literal', text: t.text, start: t.start, end: t.end };
        break;
      case 'string':
        this.next();
        e = { kind: 'string', raw: t.raw!, bytes: t.bytes!, value: decodeUtf8(t.bytes!), start: t.start, end: t.end };
        break;
      case 'char':
        this.next();
        e = { kind: 'char', value: t.value!, text: t.text, start: t.start, end: t.end };
        break;
      default:
        return this.unexpected();
    }
    while (this.peek().kind === 'lbracket') {
      const { ranges, end } = this.parseRanges();
      e = { kind: 'slice', operand: e, ranges, start: e.start, end };
    }
    return e;
  }

  private parseRanges(): { ranges: SliceRange[]; end: number } {
    this.expect('lbracket');
    const ranges: SliceRange[] = [];
    for (;;) {
      const r = this.peek();
      if (r.kind !== 'range') this.unexpected();
      this.next();
      ranges.push(parseRangePart(r));
      if (this.peek().kind !== 'comma') break;
      this.next();
    }
    const close = this.expect('rbracket');
    return { ranges, end: close.end };
  }
}
