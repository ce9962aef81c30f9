/**
 * A small append-only log in the user-data directory: refused network requests, IPC
 * rejections and fatal errors. Bounded so a page that retries a request in a loop cannot
 * fill the disk; never throws (logging must not take the app down).
 */
import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/** Size at which the log is rotated to `<file>.1`; two generations keep about 2 MiB. */
const MAX_LOG_BYTES = 1024 * 1024;
/** Longest message written; a stack or a hostile string must not make one huge line. */
const MAX_LINE_CHARS = 4096;

export type LogFn = (kind: string, message: string) => void;

export function fileLogger(file: string, now: () => Date = () => new Date()): LogFn {
  let dirReady = false;
  return (kind, message) => {
    try {
      if (!dirReady) {
        mkdirSync(dirname(file), { recursive: true });
        dirReady = true;
      }
      try {
        if (statSync(file).size > MAX_LOG_BYTES) renameSync(file, `${file}.1`);
      } catch {
        // No log yet.
      }
      // Control characters would let a logged value forge extra log lines.
      // eslint-disable-next-line no-control-regex
      const clean = message.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, MAX_LINE_CHARS);
      appendFileSync(file, `${now().toISOString()} ${kind} ${clean}\n`);
    } catch {
      // A read-only or full disk: the event is lost, the app goes on.
    }
  };
}
