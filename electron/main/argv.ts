/**
 * Finds the capture a launch asked for: on first launch in process.argv, from a second
 * instance in its argv (or the additionalData it sent), and on macOS in 'open-file'.
 * Command lines carry Chromium switches (`--original-process-start-time`, `--no-sandbox`)
 * and, unpackaged, the app directory; only an existing regular file is taken.
 */
import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

/** Longest path accepted (the contract's capture.open limit). */
export const MAX_PATH_CHARS = 4096;

export function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The file argument of a command line, or null. `skip` is how many leading entries are the
 * executable (1 packaged; 2 unpackaged, where argv[1] is the app path).
 */
export function captureFromArgv(argv: readonly string[], skip: number, cwd: string, exists: (p: string) => boolean = isRegularFile): string | null {
  const args = argv.slice(skip);
  // The last file wins: a shell "open with" appends the file after any switches.
  for (let i = args.length - 1; i >= 0; i--) {
    const a = args[i]!;
    if (a === '' || a.startsWith('-') || a.length > MAX_PATH_CHARS || a.includes('\0')) continue;
    const p = isAbsolute(a) ? a : resolve(cwd, a);
    if (exists(p)) return p;
  }
  return null;
}

/** The data a second instance passes to the first (requestSingleInstanceLock). */
export interface SecondInstanceData {
  path: string | null;
}

export function captureFromAdditionalData(data: unknown): string | null {
  if (typeof data !== 'object' || data === null) return null;
  const p = (data as Record<string, unknown>)['path'];
  return typeof p === 'string' && p.length > 0 && p.length <= MAX_PATH_CHARS && isAbsolute(p) && !p.includes('\0') ? p : null;
}
