/**
 * The Time column: Wireshark's three common formats, computed from the integer seconds and
 * nanoseconds of PacketRow so nine fraction digits survive (a JS double cannot hold
 * epoch seconds with nanosecond precision).
 *
 *   absolute  2013-11-26 16:07:58.892909000   (UTC: a forensic timeline must not depend on
 *                                              the analyst's machine's zone)
 *   relative  1.194361000                      (since the first frame of the capture)
 *   delta     0.000102000                      (since the previous displayed frame)
 */
export type TimeMode = 'absolute' | 'relative' | 'delta';

export interface Timestamp {
  sec: number;
  nsec: number;
}

const NS_PER_S = 1_000_000_000;

/** Parses CaptureInfo.firstTs ("1385482078.892062000"); null when absent or malformed. */
export function parseEpochText(text: string | null | undefined): Timestamp | null {
  if (!text) return null;
  const m = /^(-?\d+)(?:\.(\d{1,9}))?$/.exec(text.trim());
  if (!m) return null;
  const sec = Number(m[1]);
  const nsec = Number((m[2] ?? '').padEnd(9, '0'));
  if (!Number.isSafeInteger(sec)) return null;
  return { sec, nsec };
}

/** a − b as a signed "s.nnnnnnnnn" string, exact. */
export function formatDifference(a: Timestamp, b: Timestamp): string {
  let sec = a.sec - b.sec;
  let nsec = a.nsec - b.nsec;
  // Normalise so both parts have the sign of the whole difference.
  if (sec > 0 && nsec < 0) {
    sec -= 1;
    nsec += NS_PER_S;
  } else if (sec < 0 && nsec > 0) {
    sec += 1;
    nsec -= NS_PER_S;
  }
  const negative = sec < 0 || nsec < 0;
  return `${negative ? '-' : ''}${Math.abs(sec)}.${String(Math.abs(nsec)).padStart(9, '0')}`;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** "YYYY-MM-DD HH:MM:SS.nnnnnnnnn" in UTC. */
export function formatAbsolute(t: Timestamp): string {
  const d = new Date(t.sec * 1000);
  if (Number.isNaN(d.getTime())) return `${t.sec}.${pad(t.nsec, 9)}`;
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(t.nsec, 9)}`;
}

/**
 * The Time cell of a row. `first` is the capture's first frame (relative mode); `previous`
 * the previous displayed row (delta mode), undefined when it is not loaded yet (the cell
 * shows an ellipsis until it is) and null for the first displayed row (delta 0).
 */
export function formatTime(mode: TimeMode, t: Timestamp, first: Timestamp | null, previous: Timestamp | null | undefined): string {
  switch (mode) {
    case 'absolute':
      return formatAbsolute(t);
    case 'relative':
      return formatDifference(t, first ?? t);
    case 'delta':
      if (previous === undefined) return '…';
      return formatDifference(t, previous ?? t);
  }
}
