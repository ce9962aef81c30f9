/**
 * What the shell pushes to the renderer on the `th:event` channel, beside the engine's
 * ApiEvents (shared/api.ts): menu commands and files to open. The renderer runs
 * `capture.open` itself for `shell.open`, so a file from the command line, the Finder, a
 * drop or the File menu goes through the same code path (progress, errors).
 *
 * The renderer cannot import this file (layer rule); it recognises these by `type` prefix
 * `shell.`. Keep the shapes plain JSON.
 */
import type { ApiEvent } from '../../shared/api.js';

/** Views the Statistics menu opens; ids as in renderer/src/views (the views registry). */
export const STAT_VIEWS = ['conversations', 'endpoints', 'hierarchy', 'io-graph'] as const;
export type StatView = (typeof STAT_VIEWS)[number];

export type Lang = 'en' | 'zh-CN';

export type ShellEvent =
  /** Open a capture or case by path (command line, second instance, open-file, Open Recent). */
  | { type: 'shell.open'; path: string }
  /** File › Close: close the open capture. */
  | { type: 'shell.close' }
  /** Statistics menu: open a view. */
  | { type: 'shell.view'; view: StatView }
  /** View › Toggle theme (light/dark). */
  | { type: 'shell.theme' }
  /** View › Language. */
  | { type: 'shell.lang'; lang: Lang }
  /** Help › Keyboard shortcuts. */
  | { type: 'shell.shortcuts' };

export type HostEvent = ApiEvent | ShellEvent;

/** The IPC channel every pushed event travels on. */
export const EVENT_CHANNEL = 'th:event';
