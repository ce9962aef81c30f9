import { describe, expect, it } from 'vitest';
import { formatAbsolute, formatDifference, formatTime, parseEpochText } from './time-format.js';

describe('time formatting', () => {
  const first = { sec: 1385482078, nsec: 892062000 };
  const t = { sec: 1385482080, nsec: 86423000 };

  it('parses CaptureInfo.firstTs text with nine fraction digits', () => {
    expect(parseEpochText('1385482078.892062000')).toEqual(first);
    expect(parseEpochText('12.5')).toEqual({ sec: 12, nsec: 500_000_000 });
    expect(parseEpochText('7')).toEqual({ sec: 7, nsec: 0 });
    expect(parseEpochText(null)).toBeNull();
    expect(parseEpochText('1.2.3')).toBeNull();
    expect(parseEpochText('1.1234567890')).toBeNull();
  });

  it('absolute: UTC date and time with nanoseconds', () => {
    expect(formatAbsolute(first)).toBe('2013-11-26 16:07:58.892062000');
    expect(formatAbsolute({ sec: 0, nsec: 1 })).toBe('1970-01-01 00:00:00.000000001');
    expect(formatTime('absolute', t, first, undefined)).toBe('2013-11-26 16:08:00.086423000');
  });

  it('relative: exact nanosecond difference from the first frame, borrowing across the second', () => {
    expect(formatTime('relative', t, first, undefined)).toBe('1.194361000');
    expect(formatTime('relative', first, first, undefined)).toBe('0.000000000');
    expect(formatDifference({ sec: 10, nsec: 1 }, { sec: 9, nsec: 999_999_999 })).toBe('0.000000002');
    // A frame earlier than the first (out-of-order capture) is negative, as in Wireshark.
    expect(formatDifference({ sec: 9, nsec: 999_999_999 }, { sec: 10, nsec: 1 })).toBe('-0.000000002');
    expect(formatDifference({ sec: 8, nsec: 0 }, { sec: 10, nsec: 500_000_000 })).toBe('-2.500000000');
    // Nanoseconds survive where a double would not (epoch seconds × 1e9 > 2^53).
    expect(formatDifference({ sec: 1_700_000_000, nsec: 123_456_789 }, { sec: 1_600_000_000, nsec: 0 })).toBe('100000000.123456789');
  });

  it('delta: from the previous displayed frame; 0 for the first, … when not loaded', () => {
    expect(formatTime('delta', t, first, { sec: 1385482080, nsec: 86321000 })).toBe('0.000102000');
    expect(formatTime('delta', t, first, null)).toBe('0.000000000');
    expect(formatTime('delta', t, first, undefined)).toBe('…');
  });
});
