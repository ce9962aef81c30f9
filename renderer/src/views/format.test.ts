// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { arr, asData, dnsRcodeName, dnsTypeName, fmtBytes, fmtDuration, fmtInt, fmtInterval, fmtPercent, num, str, tlsVersionName } from './format.js';

describe('formatting', () => {
  it('formats integers with thousands separators', () => {
    expect(fmtInt(1234567)).toBe('1,234,567');
    expect(fmtInt(null)).toBe('—');
  });
  it('formats human sizes', () => {
    expect(fmtBytes(512)).toBe('512 B');
    expect(fmtBytes(1536)).toBe('1.50 KiB');
    expect(fmtBytes(5 * 1024 * 1024 * 1024)).toBe('5.00 GiB');
    expect(fmtBytes(-1)).toBe('—');
  });
  it('formats durations, percentages and intervals', () => {
    expect(fmtDuration(1.5)).toBe('1.500 s');
    expect(fmtDuration(200)).toBe('3 m 20 s');
    expect(fmtDuration(7500)).toBe('2 h 5 m');
    expect(fmtPercent(1, 3)).toBe('33.3 %');
    expect(fmtPercent(1, 0)).toBe('0.0 %');
    expect(fmtInterval(0.01)).toBe('10 ms');
    expect(fmtInterval(600)).toBe('10 min');
    expect(fmtInterval(3600)).toBe('1 h');
  });
  it('names protocol numbers', () => {
    expect(tlsVersionName(0x0303)).toBe('TLS 1.2');
    expect(tlsVersionName(0x7f1c)).toBe('0x7f1c');
    expect(dnsTypeName(28)).toBe('AAAA');
    expect(dnsTypeName(999)).toBe('TYPE999');
    expect(dnsRcodeName(3)).toBe('No such name');
  });
  it('reads unknown JSON defensively', () => {
    const d = asData({ a: 'x', n: 3, bad: NaN, list: [1] });
    expect(str(d, 'a')).toBe('x');
    expect(str(d, 'n')).toBeNull();
    expect(num(d, 'bad')).toBeNull();
    expect(arr(d, 'list')).toEqual([1]);
    expect(asData(null)).toEqual({});
    expect(asData([1, 2])).toEqual({});
  });
});
