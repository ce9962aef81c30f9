/**
 * Display-filter front end: Wireshark 4.0 display filters → checked syntax tree, with
 * TShark-style diagnostics. Runs anywhere (renderer, engine, CLI): it imports only shared/.
 *
 *   parseFilter(text)        syntax only (ast.ts `Expr`)
 *   checkFilter(text, opts)  syntax + names + types (ast.ts `CheckedExpr`, the SQL back end's input)
 *   formatDiagnostic(text, d) the "filter / ^~~~" caret lines for a terminal
 *   printFilter(ast)         canonical text of a parse tree
 *
 * An empty (or blank) filter matches every frame: ast null, no diagnostics.
 */
export type * from './ast.js';
export { checkFilter, type CheckOptions, type CheckResult, type FieldUse } from './checker.js';
export { formatDiagnostic, type Diagnostic } from './diagnostics.js';
export { parseFilter, type ParseResult } from './parser.js';
export { printFilter } from './printer.js';
export { translatePcre, type RegexResult } from './regex.js';
export {
  fixedTimeZone,
  localTimeZone,
  parseAbsoluteTime,
  parseRelativeTime,
  utcTimeZone,
  type TimeZoneResolver,
  type WallTime,
} from './time.js';
