import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CompareOp, Expr, NameOperand, Operand, SetMember, SliceRange } from './ast.js';
import { FILTER_CASES } from './filters.fixture.js';
import { parseFilter } from './parser.js';
import { printFilter } from './printer.js';
import { decodeUtf8 } from './scanner.js';
import { stripPositions } from './test-helpers.js';

function roundTrip(text: string): void {
  const first = parseFilter(text);
  expect(first.diagnostics).toEqual([]);
  const printed = printFilter(first.ast);
  const second = parseFilter(printed);
  expect(second.diagnostics, printed).toEqual([]);
  expect(stripPositions(second.ast)).toEqual(stripPositions(first.ast));
  expect(printFilter(second.ast)).toBe(printed);
}

describe('printFilter', () => {
  it.each([
    ['ip.src==10.0.0.1&&!tcp', 'ip.src == 10.0.0.1 and not tcp'],
    ['(a or b) and c', '(a or b) and c'],
    ['a or (b or c)', 'a or (b or c)'],
    ['not (a and b)', 'not (a and b)'],
    ['a eq 1', 'a eq 1'],
    ['eth.src[1-3, :2, 4:] == 00', 'eth.src[1:3,0:2,4:] == 00'],
    ['x == "a\\"b\\\\c\\n\\xff é"', 'x == "a\\"b\\\\c\\x0a\\xff \\xc3\\xa9"'],
    ['x == "é"', 'x == "é"'],
    ['x == r"\\d\\""', 'x == r"\\d\\""'],
    ['x in {1..2,3}', 'x in {1..2, 3}'],
    ['tcp.port not in {80}', 'not tcp.port in {80}'],
    ['a == b == c', 'a == b and b == c'],
    ['{a + b} * c == 1', '{a + b} * c == 1'],
    ['ip.ttl#[1-2] == 1', 'ip.ttl#[1:2] == 1'],
    ['ip.ttl#2 == 1', 'ip.ttl#2 == 1'],
    ['', ''],
  ])('%s → %s', (text, printed) => {
    expect(printFilter(parseFilter(text).ast)).toBe(printed);
  });
});

describe('round trip: parse(print(parse(x))) equals parse(x)', () => {
  const parsable = FILTER_CASES.filter((c) => parseFilter(c.filter).diagnostics.length === 0);
  it('covers most of the fixture', () => {
    expect(parsable.length).toBeGreaterThan(300);
  });
  it.each(parsable.map((c) => c.filter))('%s', (text) => {
    roundTrip(text);
  });
});

// ---- property: any tree the parser can produce prints to text that parses back to it ----

const names = [
  'ip.src',
  'tcp.port',
  'frame',
  'eth.src',
  'http.host',
  'a',
  'x-y',
  '1',
  '0x1f',
  '10.0.0.1',
  'aa-bb',
  'GET',
  'example.com',
  'tcp.flags.syn',
];
const literals = ['aa:bb:cc', '2001:db8::1', '10.0.0.0/8', '::1', ':ab', '::/0', '00:11:22:33:44:55'];
const chars: ReadonlyArray<readonly [string, number]> = [
  ["'a'", 97],
  ["'\\x41'", 0x41],
  ["'\\101'", 0o101],
  ["'\\t'", 9],
  ["'\\\\'", 92],
];
const ops: ReadonlyArray<readonly [CompareOp, string]> = [
  ['any_eq', '=='],
  ['any_eq', 'eq'],
  ['all_ne', '!='],
  ['all_eq', '==='],
  ['any_ne', '!=='],
  ['any_ne', '~='],
  ['gt', '>'],
  ['ge', 'ge'],
  ['lt', '<'],
  ['le', '<='],
];
const Z = { start: 0, end: 0 };

const nameArb: fc.Arbitrary<NameOperand> = fc.constantFrom(...names).map((name) => ({ kind: 'name', name, ...Z }));
const rangeArb: fc.Arbitrary<SliceRange> = fc
  .tuple(fc.integer({ min: -5, max: 10 }), fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }))
  .map(([offset, length]) => ({ offset, length, ...Z }));
const bytesArb = fc.uint8Array({ maxLength: 8 }).map((b) => String.fromCharCode(...b));
const rawArb = fc.stringMatching(/^[a-z\\d.+* ]{0,6}$/).filter((s) => !s.endsWith('\\') && !/\\\\/.test(s));

const atomArb: fc.Arbitrary<Operand> = fc.oneof(
  nameArb,
  fc.constantFrom(...literals).map((text): Operand => ({ kind: 'literal', text, ...Z })),
  bytesArb.map((bytes): Operand => ({ kind: 'string', raw: false, bytes, value: decodeUtf8(bytes), ...Z })),
  rawArb.map((s): Operand => ({ kind: 'string', raw: true, bytes: s, value: s, ...Z })),
  fc.constantFrom(...chars).map(([text, value]): Operand => ({ kind: 'char', text, value, ...Z })),
);

const { entity } = fc.letrec<{ entity: Operand }>((tie) => ({
  entity: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    atomArb,
    fc
      .tuple(tie('entity'), fc.array(rangeArb, { minLength: 1, maxLength: 3 }))
      .map(([operand, ranges]): Operand => ({ kind: 'slice', operand, ranges, ...Z })),
    fc
      .tuple(fc.constantFrom('len', 'lower', 'count', 'max'), fc.array(nameArb, { maxLength: 2 }))
      .map(([name, args]): Operand => ({ kind: 'call', name, nameSpan: Z, args, ...Z })),
    fc
      .tuple(
        nameArb,
        fc.array(
          rangeArb.map((r) => ({ ...r, offset: Math.abs(r.offset) })),
          { minLength: 1, maxLength: 2 },
        ),
      )
      .map(([field, ranges]): Operand => ({ kind: 'layer', field, ranges, ...Z })),
  ),
}));

const { arith } = fc.letrec<{ arith: Operand }>((tie) => ({
  arith: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    entity,
    entity.map((operand): Operand => ({ kind: 'negate', operand, ...Z })),
    fc
      .tuple(fc.constantFrom('&', '+', '-', '*', '/', '%') as fc.Arbitrary<'&' | '+' | '-' | '*' | '/' | '%'>, tie('arith'), tie('arith'))
      .map(([op, left, right]): Operand => ({ kind: 'binary', op, opSpan: Z, left, right, ...Z })),
  ),
}));

const setEntity = fc.oneof(
  entity,
  entity.map((operand): Operand => ({ kind: 'negate', operand, ...Z })),
);
const memberArb: fc.Arbitrary<SetMember> = fc.oneof(
  setEntity.map((value): SetMember => ({ kind: 'value', value, ...Z })),
  fc.tuple(setEntity, setEntity).map(([low, high]): SetMember => ({ kind: 'range', low, high, ...Z })),
);
const quantArb = fc.constantFrom(null, 'any' as const, 'all' as const);

const relationArb: fc.Arbitrary<Expr> = fc.oneof(
  arith.map((operand): Expr => ({ kind: 'test', operand, ...Z })),
  fc
    .tuple(fc.constantFrom(...ops), quantArb, arith, arith)
    .map(([[op, opText], quantifier, left, right]): Expr => ({ kind: 'compare', op, opText, opSpan: Z, quantifier, left, right, ...Z })),
  fc
    .tuple(
      fc.constantFrom(['contains', 'contains'] as const, ['matches', 'matches'] as const, ['matches', '~'] as const),
      quantArb,
      entity,
      entity,
    )
    .map(([[op, opText], quantifier, left, right]): Expr => ({ kind: 'compare', op, opText, opSpan: Z, quantifier, left, right, ...Z })),
  fc
    .tuple(quantArb, entity, fc.array(memberArb, { minLength: 1, maxLength: 3 }))
    .map(([quantifier, operand, members]): Expr => ({ kind: 'in', quantifier, operand, members, opSpan: Z, ...Z })),
);

const { expr } = fc.letrec<{ expr: Expr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    relationArb,
    tie('expr').map((operand): Expr => ({ kind: 'not', operand, ...Z })),
    fc
      .tuple(fc.constantFrom('and' as const, 'or' as const), tie('expr'), tie('expr'))
      .map(([kind, left, right]): Expr => ({ kind, left, right, ...Z })),
  ),
}));

describe('round trip property (fast-check)', () => {
  it('parseFilter(printFilter(ast)) gives back ast', () => {
    fc.assert(
      fc.property(expr, (ast) => {
        const text = printFilter(ast);
        const r = parseFilter(text);
        expect(r.diagnostics, text).toEqual([]);
        expect(stripPositions(r.ast)).toEqual(stripPositions(ast));
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on arbitrary text, and positions stay inside it', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        const r = parseFilter(text);
        for (const d of r.diagnostics) {
          expect(d.start).toBeGreaterThanOrEqual(0);
          expect(d.start + d.length).toBeLessThanOrEqual(text.length);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
