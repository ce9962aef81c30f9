/**
 * The I/O graph's arithmetic, kept apart from React so it is tested on fixed series: scales,
 * "nice" axis ticks, SVG path data, and the display filter selecting one bucket.
 */

/** Interval choices, 10 ms … 1 h (Wireshark's I/O graph offers the same range). */
export const IO_INTERVALS = [0.01, 0.1, 1, 10, 60, 600, 3600] as const;
/** Graph lines: each is one filter (the contract allows 8; four stay readable). */
export const MAX_IO_LINES = 4;

export interface Plot {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export const PLOT: Plot = { width: 800, height: 300, left: 64, right: 16, top: 12, bottom: 36 };

/** The smallest 1/2/5 × 10^k ≥ v (≥ 1), so the y axis ends on a round number. */
export function niceCeil(v: number): number {
  if (!(v > 1)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

export function yTicks(max: number, count = 5): number[] {
  const out: number[] = [];
  for (let i = 0; i <= count; i++) out.push((max * i) / count);
  return out;
}

export function xOf(i: number, buckets: number, plot: Plot = PLOT): number {
  const w = plot.width - plot.left - plot.right;
  return plot.left + (buckets > 0 ? (w * i) / buckets : 0);
}

export function yOf(v: number, max: number, plot: Plot = PLOT): number {
  const h = plot.height - plot.top - plot.bottom;
  return plot.top + h - (max > 0 ? (h * Math.max(0, v)) / max : 0);
}

function r2(n: number): string {
  return (Math.round(n * 100) / 100).toString();
}

/**
 * A step line over the buckets: each bucket is a flat segment over its width, so a bucket's
 * value reads the same wherever the pointer is within it.
 */
export function linePath(values: readonly number[], max: number, plot: Plot = PLOT): string {
  const n = values.length;
  if (n === 0) return '';
  let d = '';
  for (let i = 0; i < n; i++) {
    const v = values[i] ?? 0;
    const y = r2(yOf(Number.isFinite(v) ? v : 0, max, plot));
    d += `${i === 0 ? 'M' : 'L'}${r2(xOf(i, n, plot))} ${y} L${r2(xOf(i + 1, n, plot))} ${y} `;
  }
  return d.trim();
}

/** Bucket under an x position in plot units, or null outside the data. */
export function bucketAt(x: number, buckets: number, plot: Plot = PLOT): number | null {
  const w = plot.width - plot.left - plot.right;
  if (buckets <= 0 || w <= 0) return null;
  const i = Math.floor(((x - plot.left) / w) * buckets);
  return i >= 0 && i < buckets ? i : null;
}

/** Epoch text with 9 fraction digits (CaptureInfo.firstTs) → seconds (double). */
export function parseEpoch(ts: string | null | undefined): number | null {
  if (!ts || !/^-?\d{1,12}(\.\d{0,9})?$/.test(ts)) return null;
  return Number(ts);
}

/** Fixed-point text with up to 6 decimals, no trailing zeros (filter literals). */
export function decimal(n: number): string {
  const s = n.toFixed(6);
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/**
 * Display filter for bucket `i`: frame.time_relative counts from the first frame, so the
 * bucket's epoch bounds are shifted by the capture's first timestamp. The lower bound is
 * dropped when it lies at or before the first frame (a negative literal would be refused and
 * the first bucket starts at or before the first frame anyway).
 */
export function bucketFilter(start: number, interval: number, i: number, firstTs: number): string {
  const a = start + i * interval - firstTs;
  const b = a + interval;
  const hi = `frame.time_relative < ${decimal(b)}`;
  return a > 0 ? `frame.time_relative >= ${decimal(a)} && ${hi}` : hi;
}

export function seriesMax(series: readonly (readonly number[])[]): number {
  let m = 0;
  for (const s of series) for (const v of s) if (Number.isFinite(v) && v > m) m = v;
  return m;
}
