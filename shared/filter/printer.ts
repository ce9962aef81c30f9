/**
 * Canonical printer for the parse tree: `parseFilter(printFilter(ast))` gives back the same
 * tree (positions aside). Parentheses (and braces for arithmetic) appear only where
 * precedence needs them; operators keep the spelling typed; slices print as offset:length.
 */
import type { Expr, Operand, SetMember, SliceRange } from './ast.js';
import { utf8Bytes } from './scanner.js';

/** Precedence of logical nodes: higher binds tighter. */
const OR = 1;
const AND = 2;
const NOT = 3;

export function printFilter(e: Expr | null): string {
  return e === null ? '' : expr(e, 0);
}

function wrap(s: string, needed: boolean): string {
  return needed ? `(${s})` : s;
}

function expr(e: Expr, ctx: number): string {
  switch (e.kind) {
    case 'or':
      return wrap(`${expr(e.left, OR)} or ${expr(e.right, OR + 1)}`, ctx > OR);
    case 'and':
      return wrap(`${expr(e.left, AND)} and ${expr(e.right, AND + 1)}`, ctx > AND);
    case 'not':
      return wrap(`not ${expr(e.operand, NOT)}`, ctx > NOT);
    case 'test':
      return operand(e.operand, 0);
    case 'compare':
      return `${e.quantifier ? e.quantifier + ' ' : ''}${operand(e.left, 0)} ${e.opText} ${operand(e.right, 0)}`;
    case 'in':
      return `${e.quantifier ? e.quantifier + ' ' : ''}${operand(e.operand, 0)} in {${e.members.map(member).join(', ')}}`;
  }
}

function member(m: SetMember): string {
  return m.kind === 'value' ? operand(m.value, 0) : `${operand(m.low, 0)}..${operand(m.high, 0)}`;
}

/** Arithmetic precedence: & < + - < * / % < unary < entity. */
const ARITH_PREC: Readonly<Record<string, number>> = { '&': 1, '+': 2, '-': 2, '*': 3, '/': 3, '%': 3 };
const UNARY = 4;
const ENTITY = 5;

function operand(o: Operand, ctx: number): string {
  switch (o.kind) {
    case 'name':
      return o.name;
    case 'literal':
      return o.text;
    case 'string':
      return o.raw ? `r"${o.value}"` : quote(o.bytes, o.value);
    case 'char':
      return o.text;
    case 'slice':
      return `${operand(o.operand, ENTITY)}[${o.ranges.map(range).join(',')}]`;
    case 'call':
      return `${o.name}(${o.args.map((a) => operand(a, 0)).join(', ')})`;
    case 'layer':
      return o.ranges.length === 1 && o.ranges[0]!.length === 1 && o.ranges[0]!.offset >= 0
        ? `${o.field.name}#${o.ranges[0]!.offset}`
        : `${o.field.name}#[${o.ranges.map(range).join(',')}]`;
    case 'negate': {
      const s = `-${operand(o.operand, ENTITY)}`;
      return ctx > UNARY ? `{${s}}` : s;
    }
    case 'binary': {
      const p = ARITH_PREC[o.op]!;
      const s = `${operand(o.left, p)} ${o.op} ${operand(o.right, p + 1)}`;
      return ctx > p ? `{${s}}` : s;
    }
  }
}

function range(r: SliceRange): string {
  return r.length === null ? `${r.offset}:` : `${r.offset}:${r.length}`;
}

/**
 * A double-quoted string with the same bytes: printable text as is (non-ASCII too, when the
 * bytes are UTF-8), `"` and `\` escaped, every other byte as \xHH.
 */
function quote(bytes: string, value: string): string {
  let out = '"';
  const text = utf8Bytes(value) === bytes ? value : bytes;
  const asText = text === value;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (c < 0x20 || c === 0x7f || (!asText && c > 0x7e)) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + '"';
}
