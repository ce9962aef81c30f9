import { describe, expect, it } from 'vitest';
import { fixedTimeZone, localTimeZone, parseAbsoluteTime, parseRelativeTime, utcTimeZone, type TimeZoneResolver } from './time.js';

const T = 1795773600; // 2026-11-27T10:00:00Z

describe('parseAbsoluteTime (UTC)', () => {
  it.each([
    ['2026-11-27 10:00:00', T, 0],
    ['2026-11-27T10:00:00', T, 0],
    ['2026-11-27  10:00:00', T, 0],
    [' 2026-11-27 10:00:00 ', T, 0],
    ['2026-11-27 10:00', T, 0],
    ['2026-11-27 10', T, 0],
    ['2026-11-27', T - 36000, 0],
    ['2026-1-2 3:4:5', Date.UTC(2026, 0, 2, 3, 4, 5) / 1000, 0],
    ['2026-11-27 10:00:00.5', T, 500000000],
    ['2026-11-27 10:00:00.123456789', T, 123456789],
    ['2026-11-27 10:00:00.1234567891', T, 123456789],
    ['2026-11-27 10:00:00.', T, 0],
    ['2026-11-27 10:00:60', T + 60, 0],
    ['2026-02-30 00:00:00', Date.UTC(2026, 2, 2) / 1000, 0],
    ['Nov 27, 2026 10:00:00', T, 0],
    ['nov 27,2026 10:00:00.25', T, 250000000],
    ['NOV  27, 2026 10:00:00', T, 0],
    ['Nov 27, 2026 10:00:61', T + 61, 0],
    ['1970-01-01 00:00:00', 0, 0],
    ['1969-12-31 23:59:59', -1, 0],
  ])('%s', (text, sec, nsec) => {
    expect(parseAbsoluteTime(text, utcTimeZone)).toEqual({ ok: true, sec, nsec });
  });

  it('takes an explicit zone over the resolver', () => {
    const tz: TimeZoneResolver = () => 7200;
    expect(parseAbsoluteTime('2026-11-27 10:00:00Z', tz)).toEqual({ ok: true, sec: T, nsec: 0 });
    expect(parseAbsoluteTime('2026-11-27 10:00:00 UTC', tz)).toEqual({ ok: true, sec: T, nsec: 0 });
    expect(parseAbsoluteTime('Nov 27, 2026 10:00:00 UTC', tz)).toEqual({ ok: true, sec: T, nsec: 0 });
    expect(parseAbsoluteTime('2026-11-27T10:00:00+01:00', tz)).toEqual({ ok: true, sec: T - 3600, nsec: 0 });
    expect(parseAbsoluteTime('2026-11-27T10:00:00-0130', tz)).toEqual({ ok: true, sec: T + 5400, nsec: 0 });
    expect(parseAbsoluteTime('2026-11-27 10:00:00', tz)).toEqual({ ok: true, sec: T - 7200, nsec: 0 });
  });

  it('asks the resolver with the wall-clock time as written', () => {
    const seen: unknown[] = [];
    parseAbsoluteTime('Nov 7, 2026 01:02:03.5', (w) => {
      seen.push(w);
      return 0;
    });
    expect(seen).toEqual([{ year: 2026, month: 11, day: 7, hour: 1, minute: 2, second: 3 }]);
  });

  it('reads years literally (the year 26, not 1926)', () => {
    const r = parseAbsoluteTime('26-11-27 10:00:00', utcTimeZone);
    expect(r.ok && new Date(r.sec * 1000).getUTCFullYear()).toBe(26);
  });

  it('defaults to the JS local time zone', () => {
    expect(parseAbsoluteTime('2026-07-01 12:00:00')).toEqual({ ok: true, sec: new Date(2026, 6, 1, 12, 0, 0).getTime() / 1000, nsec: 0 });
    expect(parseAbsoluteTime('2026-01-01 12:00:00', localTimeZone)).toEqual({
      ok: true,
      sec: new Date(2026, 0, 1, 12, 0, 0).getTime() / 1000,
      nsec: 0,
    });
  });

  it('fixedTimeZone is minutes east of UTC', () => {
    expect(parseAbsoluteTime('2026-11-27 10:00:00', fixedTimeZone(-300))).toEqual({ ok: true, sec: T + 5 * 3600, nsec: 0 });
  });

  const example = 'Example: "Nov 12, 1999 08:55:44.123" or "2011-07-04 12:34:56"';
  it.each([
    ['1', `"1" is not a valid absolute time. ${example}`],
    ['1700000000', `"1700000000" is not a valid absolute time. ${example}`],
    ['Nov 27, 2026', `"Nov 27, 2026" is not a valid absolute time. ${example}`],
    ['Nov 27 2026 10:00:00', `"Nov 27 2026 10:00:00" is not a valid absolute time. ${example}`],
    ['November 27, 2026 10:00:00', `"November 27, 2026 10:00:00" is not a valid absolute time. ${example}`],
    ['Foo 27, 2026 10:00:00', `"Foo 27, 2026 10:00:00" is not a valid absolute time. ${example}`],
    ['2026/11/27 10:00:00', `"2026/11/27 10:00:00" is not a valid absolute time. ${example}`],
    ['2026-13-01 10:00:00', `"2026-13-01 10:00:00" is not a valid absolute time. ${example}`],
    ['2026-11-32 10:00:00', `"2026-11-32 10:00:00" is not a valid absolute time. ${example}`],
    ['2026-11-27 25:00:00', 'Unexpected data after time value.'],
    ['2026-11-27 10:60:00', 'Unexpected data after time value.'],
    ['Nov 27, 2026 10:00:00.1234567891', 'Subseconds value is invalid.'],
  ])('%s is invalid', (text, message) => {
    expect(parseAbsoluteTime(text, utcTimeZone)).toEqual({ ok: false, message });
  });
});

describe('parseRelativeTime', () => {
  it.each([
    ['5', false, 5, 0],
    ['010', false, 10, 0],
    ['0.5', false, 0, 500000000],
    ['1.000000001', false, 1, 1],
    ['0.25', true, -1, 750000000],
    ['2', true, -2, 0],
    ['97366512.125213', false, 97366512, 125213000],
  ])('%s (negative %s)', (text, negative, sec, nsec) => {
    expect(parseRelativeTime(text, negative)).toEqual({ ok: true, sec, nsec });
  });

  it.each(['1s', '0x10', '1e3', '1.123456789123', '.5', ''])('%j is invalid', (text) => {
    expect(parseRelativeTime(text)).toEqual({ ok: false, message: `"${text}" is not a valid time.` });
  });

  it('explains what TShark would do with an exponent', () => {
    expect(parseRelativeTime('1.5e1')).toEqual({
      ok: false,
      message: '"1.5e1" is not a valid time.',
      hint: 'TShark 4.0 would silently read it as 1.5; write the number of seconds without an exponent.',
    });
  });
});
