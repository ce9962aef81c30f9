/**
 * Per-keystroke filter checking and field-name completion for the filter bar. The renderer
 * cannot see the engine's supported-field set, so every registry field is accepted here; an
 * unsupported one comes back from the host as a 'bad-filter' Result when applied.
 */
import { checkFilter, type Diagnostic } from '../../../shared/filter/index.js';
import { FIELDS } from '../../../shared/fields.js';

export type FilterStatus = 'empty' | 'valid' | 'warning' | 'invalid';

export interface FilterCheck {
  status: FilterStatus;
  /** Errors for 'invalid', warnings for 'warning'. */
  diagnostics: Diagnostic[];
}

export function checkFilterText(text: string): FilterCheck {
  if (text.trim() === '') return { status: 'empty', diagnostics: [] };
  let r;
  try {
    r = checkFilter(text);
  } catch (e) {
    // The front end promises diagnostics, not exceptions; a bug there must not kill the bar.
    return { status: 'invalid', diagnostics: [{ message: e instanceof Error ? e.message : String(e), start: 0, length: text.length }] };
  }
  if (r.diagnostics.length > 0) return { status: 'invalid', diagnostics: r.diagnostics };
  if (r.warnings.length > 0) return { status: 'warning', diagnostics: r.warnings };
  return { status: 'valid', diagnostics: [] };
}

/** The caret line under the filter: spaces up to the error, `^` and `~` across it. */
export function caretLine(text: string, d: Diagnostic): string {
  const start = Math.max(0, Math.min(d.start, text.length));
  return ' '.repeat(start) + '^' + '~'.repeat(Math.max(0, d.length - 1));
}

/** Suggestions shown at once. */
export const MAX_SUGGESTIONS = 12;

export interface Completion {
  /** The word being completed: [start, end) in the text. */
  start: number;
  end: number;
  items: { name: string; description: string }[];
}

const NAME_CHAR = /[A-Za-z0-9_.-]/;

/**
 * Field names starting with the word at the cursor, shortest first (a protocol before its
 * fields), then alphabetically. None inside a string literal or for an empty word.
 */
export function completions(text: string, cursor: number): Completion | null {
  const c = Math.max(0, Math.min(cursor, text.length));
  // Inside a string literal: count unescaped quotes before the cursor.
  let quotes = 0;
  for (let i = 0; i < c; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') quotes++;
  }
  if (quotes % 2 === 1) return null;
  let start = c;
  while (start > 0 && NAME_CHAR.test(text[start - 1]!)) start--;
  let end = c;
  while (end < text.length && NAME_CHAR.test(text[end]!)) end++;
  const word = text.slice(start, c).toLowerCase();
  if (word === '' || /^[0-9]/.test(word)) return null;
  const items = FIELDS.filter((f) => f.name.toLowerCase().startsWith(word) && f.name.toLowerCase() !== text.slice(start, end).toLowerCase())
    .sort((a, b) => a.name.length - b.name.length || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .slice(0, MAX_SUGGESTIONS)
    .map((f) => ({ name: f.name, description: f.description }));
  return items.length > 0 ? { start, end, items } : null;
}

/** The text after accepting `name` for the completion; the new cursor position. */
export function applyCompletion(text: string, comp: Completion, name: string): { text: string; cursor: number } {
  const next = text.slice(0, comp.start) + name + text.slice(comp.end);
  return { text: next, cursor: comp.start + name.length };
}
