/**
 * Absolute and relative time literals as TShark 4.0 reads them.
 *
 * Absolute times are written in the LOCAL time zone unless they say otherwise ("Z", "UTC",
 * "+01:00"), as Wireshark reads them with mktime(). shared/ has no time-zone database of its
 * own, so the caller injects a resolver; the default uses the JS Date local zone (the
 * process's TZ in Node, the system zone in a browser).
 *
 * Accepted forms (anything else gets TShark's "is not a valid absolute time" message):
 *   2026-11-27            2026-11-27 10           2026-11-27 10:00        2026-11-27 10:00:00
 *   2026-11-27T10:00:00   2026-11-27 10:00:00.123456789                  (any number of
 *   fraction digits; past nanoseconds they are dropped)   2026-11-27T10:00:00Z
 *   2026-11-27T10:00:00+01:00   2026-11-27 10:00:00 UTC
 *   Nov 27, 2026 10:00:00       nov 27,2026 10:00:00.5 (at most 9 fraction digits)
 *   Nov 27, 2026 10:00:00 UTC
 * Years have 1 to 4 digits and are taken literally ("26" is the year 26). Out-of-range days
 * roll over as mktime does (2026-02-30 is March 2); seconds may be 60 or 61 (leap seconds).
 */

/** A wall-clock time, fields as written (month 1..12). */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/**
 * Returns the offset of local time from UTC, in seconds (local = UTC + offset; +3600 for
 * CET), in effect at the given local wall-clock time.
 */
export type TimeZoneResolver = (local: WallTime) => number;

/** UTC everywhere. */
export const utcTimeZone: TimeZoneResolver = () => 0;

/** The JS Date local time zone, DST included. */
export const localTimeZone: TimeZoneResolver = (t) => {
  const local = new Date(2000, 0, 1, 0, 0, 0, 0);
  local.setFullYear(t.year, t.month - 1, t.day);
  local.setHours(t.hour, t.minute, t.second, 0);
  return (utcMillis(t) - local.getTime()) / 1000;
};

/** A fixed offset from UTC, in minutes east (60 for CET in winter). */
export function fixedTimeZone(minutesEast: number): TimeZoneResolver {
  return () => minutesEast * 60;
}

function utcMillis(t: WallTime): number {
  const d = new Date(0);
  d.setUTCFullYear(t.year, t.month - 1, t.day);
  d.setUTCHours(t.hour, t.minute, t.second, 0);
  return d.getTime();
}

export type TimeResult = { ok: true; sec: number; nsec: number } | { ok: false; message: string; hint?: string };

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

const ISO =
  /^\s*(\d{1,4})-(\d{1,2})-(\d{1,2})(?:(?:T|\s+)(\d{1,2})(?::(\d{1,2})(?::(\d{1,2})(?:\.(\d*))?)?)?)?(Z|[+-]\d{2}(?::?\d{2})?|\s+UTC)?\s*$/;
const CTIME = /^\s*([A-Za-z]{3})\s+(\d{1,2}),\s*(\d{1,4})\s+(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d*))?(\s+UTC)?\s*$/;

function invalid(text: string): TimeResult {
  return { ok: false, message: `"${text}" is not a valid absolute time. Example: "Nov 12, 1999 08:55:44.123" or "2011-07-04 12:34:56"` };
}

/** Parses an absolute time literal to seconds and nanoseconds since the Unix epoch. */
export function parseAbsoluteTime(text: string, tz: TimeZoneResolver = localTimeZone): TimeResult {
  let wall: WallTime;
  let frac: string;
  let zone: string | undefined;
  let m = ISO.exec(text);
  if (m) {
    wall = { year: +m[1]!, month: +m[2]!, day: +m[3]!, hour: +(m[4] ?? 0), minute: +(m[5] ?? 0), second: +(m[6] ?? 0) };
    frac = m[7] ?? '';
    zone = m[8]?.trim();
  } else if ((m = CTIME.exec(text))) {
    const month = MONTHS.indexOf(m[1]!.toLowerCase());
    if (month < 0) return invalid(text);
    wall = { year: +m[3]!, month: month + 1, day: +m[2]!, hour: +m[4]!, minute: +m[5]!, second: +m[6]! };
    frac = m[7] ?? '';
    if (frac.length > 9) return { ok: false, message: 'Subseconds value is invalid.' };
    zone = m[8]?.trim();
  } else {
    return invalid(text);
  }
  if (wall.month < 1 || wall.month > 12 || wall.day < 1 || wall.day > 31) return invalid(text);
  if (wall.hour > 23 || wall.minute > 59 || wall.second > 61) return { ok: false, message: 'Unexpected data after time value.' };

  let offset: number;
  if (zone === undefined) offset = tz(wall);
  else if (zone === 'Z' || zone === 'UTC') offset = 0;
  else {
    const z = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
    offset = (z[1] === '-' ? -1 : 1) * (+z[2]! * 3600 + +(z[3] ?? 0) * 60);
  }
  const sec = Math.floor(utcMillis(wall) / 1000) - offset;
  const nsec = frac === '' ? 0 : Number(frac.slice(0, 9).padEnd(9, '0'));
  return { ok: true, sec, nsec };
}

/**
 * Parses a relative time (seconds, optionally negative, at most 9 fraction digits) to an
 * exact {sec, nsec} with nsec in 0..999999999 (sec rounded toward minus infinity).
 */
export function parseRelativeTime(text: string, negative = false): TimeResult {
  const m = /^(\d+)(?:\.(\d{1,9}))?$/.exec(text);
  if (!m) {
    const message = `"${negative ? '-' : ''}${text}" is not a valid time.`;
    // TShark 4.0 stops reading at the end of the fraction digits: it takes "1.5e1" as 1.5.
    const lenient = /^(\d+\.\d{1,9})[^0-9]/.exec(text);
    return lenient
      ? { ok: false, message, hint: `TShark 4.0 would silently read it as ${lenient[1]}; write the number of seconds without an exponent.` }
      : { ok: false, message };
  }
  let sec = Number(m[1]);
  let nsec = Number((m[2] ?? '').padEnd(9, '0'));
  if (!Number.isSafeInteger(sec)) return { ok: false, message: `"${text}" is not a valid time.` };
  if (negative) {
    sec = -sec;
    if (nsec > 0) {
      sec -= 1;
      nsec = 1_000_000_000 - nsec;
    }
  }
  return { ok: true, sec, nsec };
}
