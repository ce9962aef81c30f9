/**
 * Preferences in localStorage: language, theme, time format, filter history and saved
 * filters. Every read is defensive (another version, a hand edit or a full quota must never
 * stop the workbench from starting): bad values fall back to the default.
 */
const PREFIX = 'tracehound.';
/** Applied filters remembered (Wireshark keeps a similar recent list). */
export const MAX_FILTER_HISTORY = 50;
/** Saved filters kept; a bound so a runaway script cannot fill the quota. */
export const MAX_SAVED_FILTERS = 200;
/** Longest filter stored (the API's own limit). */
const MAX_FILTER_LENGTH = 65536;

function store(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

export function readPref<T>(key: string, valid: (v: unknown) => v is T, fallback: T): T {
  try {
    const raw = store()?.getItem(PREFIX + key);
    if (raw == null) return fallback;
    const v = JSON.parse(raw) as unknown;
    return valid(v) ? v : fallback;
  } catch {
    return fallback;
  }
}

export function writePref(key: string, value: unknown): void {
  try {
    store()?.setItem(PREFIX + key, JSON.stringify(value));
  } catch {
    // Quota or disabled storage: preferences are a convenience.
  }
}

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

export function filterHistory(): string[] {
  return readPref('filterHistory', isStringArray, []).slice(0, MAX_FILTER_HISTORY);
}

/** Most recent first, without duplicates. */
export function rememberFilter(filter: string): string[] {
  const f = filter.trim();
  if (!f || f.length > MAX_FILTER_LENGTH) return filterHistory();
  const list = [f, ...filterHistory().filter((x) => x !== f)].slice(0, MAX_FILTER_HISTORY);
  writePref('filterHistory', list);
  return list;
}

export interface SavedFilter {
  name: string;
  filter: string;
}

const isSaved = (v: unknown): v is SavedFilter[] =>
  Array.isArray(v) && v.every((x) => x && typeof x === 'object' && typeof (x as SavedFilter).name === 'string' && typeof (x as SavedFilter).filter === 'string');

export function savedFilters(): SavedFilter[] {
  return readPref('savedFilters', isSaved, []).slice(0, MAX_SAVED_FILTERS);
}

/** Adds or replaces (by name) a saved filter. */
export function saveFilter(name: string, filter: string): SavedFilter[] {
  const n = name.trim();
  if (!n || !filter.trim()) return savedFilters();
  const list = [...savedFilters().filter((s) => s.name !== n), { name: n, filter: filter.trim() }].slice(-MAX_SAVED_FILTERS);
  writePref('savedFilters', list);
  return list;
}

export function deleteSavedFilter(name: string): SavedFilter[] {
  const list = savedFilters().filter((s) => s.name !== name);
  writePref('savedFilters', list);
  return list;
}
