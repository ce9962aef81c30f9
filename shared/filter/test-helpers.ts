/**
 * Test helpers: compact S-expressions of parse trees and position stripping. Used only by the
 * filter tests (it imports nothing outside shared/, so it may live here).
 */
import type { Expr, Operand, SliceRange } from './ast.js';

function ranges(rs: readonly SliceRange[]): string {
  return rs.map((r) => `${r.offset}:${r.length ?? ''}`).join(',');
}

export function sxOperand(o: Operand): string {
  switch (o.kind) {
    case 'name':
      return o.name;
    case 'literal':
      return `lit:${o.text}`;
    case 'string':
      return `${o.raw ? 'r' : ''}${JSON.stringify(o.value)}`;
    case 'char':
      return `char:${o.value}`;
    case 'slice':
      return `${sxOperand(o.operand)}[${ranges(o.ranges)}]`;
    case 'call':
      return `${o.name}(${o.args.map(sxOperand).join(' ')})`;
    case 'binary':
      return `(${o.op} ${sxOperand(o.left)} ${sxOperand(o.right)})`;
    case 'negate':
      return `(- ${sxOperand(o.operand)})`;
    case 'layer':
      return `${o.field.name}#${ranges(o.ranges)}`;
  }
}

/** `(and (any_eq ip.src 10.0.0.1) (test tcp))`; quantifiers prefix the operator (`all:any_eq`). */
export function sx(e: Expr | null): string {
  if (e === null) return 'null';
  switch (e.kind) {
    case 'and':
    case 'or':
      return `(${e.kind} ${sx(e.left)} ${sx(e.right)})`;
    case 'not':
      return `(not ${sx(e.operand)})`;
    case 'test':
      return `(test ${sxOperand(e.operand)})`;
    case 'compare':
      return `(${e.quantifier ? e.quantifier + ':' : ''}${e.op} ${sxOperand(e.left)} ${sxOperand(e.right)})`;
    case 'in':
      return `(${e.quantifier ? e.quantifier + ':' : ''}in ${sxOperand(e.operand)} {${e.members
        .map((m) => (m.kind === 'value' ? sxOperand(m.value) : `${sxOperand(m.low)}..${sxOperand(m.high)}`))
        .join(' ')}})`;
  }
}

/** A deep copy without positions (start, end, opSpan, nameSpan), for structural equality. */
export function stripPositions<T>(v: T): T {
  if (Array.isArray(v)) return v.map(stripPositions) as T;
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === 'start' || k === 'end' || k === 'opSpan' || k === 'nameSpan') continue;
      out[k] = stripPositions(x);
    }
    return out as T;
  }
  return v;
}
