/** "Did you mean" suggestions for mistyped field names. */
import { fieldNames } from '../fields.js';

let names: string[] | undefined;

/** Rows of the distance table, reused between calls (names are short). */
let rowA = new Int32Array(64);
let rowB = new Int32Array(64);

/** Levenshtein distance, giving up (returning limit + 1) once a whole row exceeds `limit`. */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  if (b.length + 1 > rowA.length) {
    rowA = new Int32Array(b.length + 1);
    rowB = new Int32Array(b.length + 1);
  }
  let prev = rowA;
  let cur = rowB;
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (ca === b.charCodeAt(j - 1) ? 0 : 1));
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > limit) return limit + 1;
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}

/**
 * The registered name nearest to `typed`, if it is close enough to be a typo: at most 2 edits
 * (1 for names of 4 characters or fewer). Ties go to the name in the same protocol, then to
 * the shorter name, then alphabetically.
 */
export function nearestField(typed: string): string | undefined {
  names ??= fieldNames();
  const limit = typed.length <= 4 ? 1 : 2;
  const proto = typed.split('.')[0];
  let best: string | undefined;
  let bestScore = Infinity;
  for (const n of names) {
    const d = editDistance(typed, n, limit);
    if (d > limit) continue;
    // Same-protocol candidates win ties; the fraction keeps distance the main criterion.
    const score = d + (n.split('.')[0] === proto ? 0 : 0.5) + n.length / 1000;
    if (score < bestScore) {
      best = n;
      bestScore = score;
    }
  }
  return best;
}

export function didYouMean(typed: string): string | undefined {
  const n = nearestField(typed);
  return n === undefined ? undefined : `Did you mean "${n}"?`;
}
