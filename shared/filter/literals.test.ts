import { describe, expect, it } from 'vitest';
import { field, ftName, typeName } from '../fields.js';
import { convertLiteral, lookupValueName, parseBytesText, parseFloatText, parseIntegerText, targetOf } from './literals.js';

describe('parseIntegerText', () => {
  it.each([
    ['0', 0n],
    ['74', 74n],
    ['0x4a', 74n],
    ['0X4A', 74n],
    ['0112', 74n],
    ['00', 0n],
    ['0b1001010', 74n],
    ['0b', 0n],
    ['18446744073709551615', 18446744073709551615n],
  ])('%s', (text, want) => {
    expect(parseIntegerText(text)).toBe(want);
  });
  it.each(['08', '0x', '0b2', '1.5', '1e3', '80a', '-1', '1_000', ''])('%j is not a number', (text) => {
    expect(parseIntegerText(text)).toBe('invalid');
  });
  it('18446744073709551616 overflows', () => {
    expect(parseIntegerText('18446744073709551616')).toBe('overflow');
  });
});

describe('parseBytesText', () => {
  it.each([
    ['aa:bb:cc', 'aabbcc'],
    ['aa-bb-cc', 'aabbcc'],
    ['aa.bb.cc', 'aabbcc'],
    ['AABBCC', 'aabbcc'],
    ['aab', '0aab'],
    ['c', '0c'],
    ['1.2.3.4', '01020304'],
    ['0011.2233', '00112233'],
    ['0x0c', '0c'],
    ['45', '45'],
  ])('%s → %s', (text, hex) => {
    expect(parseBytesText(text)).toBe(hex);
  });
  it.each(['zz', '0x1234', '0xc', 'aa:zz', 'aa::bb', 'aa-bb.cc', ''])('%j is not a byte string', (text) => {
    expect(parseBytesText(text)).toBeNull();
  });
});

describe('parseFloatText', () => {
  it.each([
    ['1.5', 1.5],
    ['1e3', 1000],
    ['2.5E-1', 0.25],
    ['0x10', 16],
    ['inf', Infinity],
    ['Infinity', Infinity],
  ])('%s', (text, want) => {
    expect(parseFloatText(text)).toBe(want);
  });
  it('nan', () => {
    expect(parseFloatText('nan')).toBeNaN();
  });
  it.each(['x', '1.', '.5', '1e'])('%j is not a float', (text) => {
    expect(parseFloatText(text)).toBeNull();
  });
});

describe('lookupValueName', () => {
  it('is case-insensitive and takes the lowest value', () => {
    expect(lookupValueName({ 6: 'TCP', 17: 'UDP' }, 'udp')).toBe(17);
    expect(lookupValueName({ 2: 'Dup', 1: 'dup' }, 'DUP')).toBe(1);
    expect(lookupValueName({ 1: 'a' }, 'b')).toBeUndefined();
  });
});

describe('convertLiteral', () => {
  const t = (name: string) => {
    const def = field(name)!;
    return targetOf(def, typeName(def), ftName(def));
  };
  const span = { start: 0, end: 1 };

  it('range-checks integers by width and signedness', () => {
    expect(convertLiteral({ kind: 'unquoted', text: '255', negative: false }, t('ip.ttl'), span, '255')).toMatchObject({ ok: true });
    expect(convertLiteral({ kind: 'unquoted', text: '256', negative: false }, t('ip.ttl'), span, '256')).toEqual({
      ok: false,
      message: '"256" too big for this field, maximum 255.',
    });
    expect(convertLiteral({ kind: 'unquoted', text: '128', negative: true }, t('frame.p2p_dir'), span, '-128')).toMatchObject({
      ok: true,
      literal: { value: -128 },
    });
    expect(convertLiteral({ kind: 'unquoted', text: '129', negative: true }, t('frame.p2p_dir'), span, '-129')).toMatchObject({
      ok: false,
      message: '"-129" cannot be found among the possible values for frame.p2p_dir.',
    });
    expect(convertLiteral({ kind: 'unquoted', text: '40000', negative: true }, t('frame.encap_type'), span, '-40000')).toEqual({
      ok: false,
      message: '"-40000" too small for this field, minimum -32768.',
    });
  });

  it('allows -0 for unsigned fields', () => {
    expect(convertLiteral({ kind: 'unquoted', text: '0', negative: true }, t('frame.len'), span, '-0')).toMatchObject({
      ok: true,
      literal: { value: 0 },
    });
  });

  it('reads character constants as bytes', () => {
    expect(convertLiteral({ kind: 'char', value: 0x41, text: "'A'" }, t('udp.payload'), span, "'A'")).toMatchObject({
      ok: true,
      literal: { kind: 'bytes', hex: '41' },
    });
    expect(convertLiteral({ kind: 'char', value: 0x41, text: "'A'" }, t('ip.src'), span, "'A'")).toEqual({
      ok: false,
      message: "Character constant 'A' (0x41) cannot be converted to IPv4 address.",
    });
  });
});
