/**
 * Fatal errors in the main process are shown, not swallowed: a dialog names the problem
 * (the responder must know the tool failed, and why) and the log keeps the stack.
 *
 * Policy: an uncaught exception leaves the main process in an unknown state, so after the
 * dialog the shell closes the engine (case files are SQLite transactions: closing keeps them
 * consistent) and quits. An unhandled rejection is one failed operation: it is reported and
 * the app keeps running.
 */
import type { LogFn } from './log.js';

/** Dialogs shown per run: a failure in a loop must not bury the screen in dialogs. */
const MAX_ERROR_DIALOGS = 3;
/** Characters of the message in the dialog; the full text goes to the log. */
const MAX_DIALOG_CHARS = 2000;

export interface FatalDeps {
  showErrorBox: (title: string, content: string) => void;
  log: LogFn;
  /** Close the engine and quit (exit code 1). */
  quitSafely: () => void;
}

export function describeError(err: unknown): { message: string; stack: string } {
  if (err instanceof Error) return { message: `${err.name}: ${err.message}`, stack: err.stack ?? err.message };
  const s = typeof err === 'string' ? err : (() => {
    try {
      return JSON.stringify(err) ?? String(err);
    } catch {
      return String(err);
    }
  })();
  return { message: s, stack: s };
}

export function fatalHandlers(deps: FatalDeps): { uncaughtException: (err: unknown) => void; unhandledRejection: (reason: unknown) => void } {
  let shown = 0;
  let quitting = false;
  const report = (what: string, err: unknown, after: string): void => {
    const { message, stack } = describeError(err);
    deps.log('fatal', `${what}: ${stack}`);
    if (shown >= MAX_ERROR_DIALOGS) return;
    shown++;
    try {
      deps.showErrorBox(`Tracehound: ${what}`, `${message.slice(0, MAX_DIALOG_CHARS)}\n\n${after}`);
    } catch {
      // No dialog possible (no display): the log has it.
    }
  };
  return {
    uncaughtException: (err) => {
      report('unexpected error', err, 'Tracehound will close now. Open cases are saved; reopen the capture to continue.');
      if (!quitting) {
        quitting = true;
        deps.quitSafely();
      }
    },
    unhandledRejection: (reason) => {
      report('an operation failed', reason, 'Tracehound keeps running; the operation did not complete.');
    },
  };
}

export function installFatalHandlers(proc: NodeJS.Process, deps: FatalDeps): void {
  const h = fatalHandlers(deps);
  proc.on('uncaughtException', h.uncaughtException);
  proc.on('unhandledRejection', h.unhandledRejection);
}
