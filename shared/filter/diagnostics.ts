/**
 * Filter diagnostics: what went wrong, where, and what to try instead. Messages follow
 * TShark 4.0's wording wherever TShark has a message for the case, so a user who knows
 * Wireshark recognises them.
 */

export interface Diagnostic {
  message: string;
  /** UTF-16 offset of the first character at fault (the filter's length for "unexpected end"). */
  start: number;
  /** Number of characters at fault; 0 points between characters (end of filter). */
  length: number;
  /** A suggestion, such as the nearest field name. */
  hint?: string;
}

/** Thrown inside the scanner and parser to abandon the parse at the first syntax error. */
export class FilterSyntaxError extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.message);
    this.name = 'FilterSyntaxError';
  }
}

export function diag(message: string, start: number, end: number, hint?: string): Diagnostic {
  return hint === undefined
    ? { message, start, length: Math.max(0, end - start) }
    : { message, start, length: Math.max(0, end - start), hint };
}

/**
 * The two-line caret form TShark prints under its message, for a terminal:
 *
 *     ip.scr == 1
 *     ^~~~~~
 *
 * The caller prints `d.message` (and `d.hint`) around it. Tabs and newlines in the filter are
 * shown as spaces so the caret stays under its character; an empty span (unexpected end of
 * the filter) gets a single caret just past the last character.
 */
export function formatDiagnostic(filter: string, d: Diagnostic): string {
  const line = filter.replace(/[\t\r\n]/g, ' ');
  const start = Math.min(Math.max(0, d.start), line.length);
  const len = Math.max(1, Math.min(d.length, line.length - start));
  return `${line}\n${' '.repeat(start)}^${'~'.repeat(len - 1)}`;
}
