/**
 * The preload: the only bridge between the page and the main process. It exposes
 * `window.tracehound` with ONE fixed function per contract entry (shared/api.ts), each
 * invoking its own `th:<name>` channel, plus `onEvent`, `pathForFile` and `pickCapture`.
 * There is deliberately no generic `invoke(channel)` (security checklist item 20: do not
 * expose Electron APIs to untrusted web content) and the IpcRendererEvent never reaches the
 * page (it carries `sender`, an ipcRenderer).
 *
 * Why CommonJS (.cts → preload.cjs): the window is sandboxed, and a sandboxed preload is run
 * as a classic script with a minimal `require` that knows only Electron's renderer modules
 * and a few Node polyfills (events, timers, url); ES-module preloads are unsupported there
 * (Electron "ES Modules" tutorial, support matrix). So this file has no runtime import but
 * 'electron': the contract's names are listed here, the type system checks the list against
 * shared/api.ts, and a test checks it against API_NAMES.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import type { ApiEvent, ApiHandlers, ApiName } from '../../shared/api.js';
import type { ShellEvent } from '../main/events.js';

/** Every contract entry. `satisfies` makes a missing or extra name a type error. */
const CONTRACT = {
  'capture.open': 1,
  'capture.recent': 1,
  'capture.info': 1,
  'capture.cancel': 1,
  'stats.summary': 1,
  'packets.page': 1,
  'packets.count': 1,
  'packets.rank': 1,
  'frame.detail': 1,
  'frame.comment': 1,
  'stream.follow': 1,
  'stats.conversations': 1,
  'stats.endpoints': 1,
  'stats.hierarchy': 1,
  'stats.io': 1,
  'records.list': 1,
  'objects.list': 1,
  'objects.export': 1,
  'objects.hash': 1,
  'hosts.list': 1,
  'graph.neighbors': 1,
} as const satisfies Record<ApiName, 1>;

export const CONTRACT_NAMES = Object.keys(CONTRACT) as ApiName[];
export const EVENT_CHANNEL = 'th:event';
export const DIALOG_CHANNEL = 'th:dialog.open';

export type HostEvent = ApiEvent | ShellEvent;

/** What the page sees as `window.tracehound`. */
export type TracehoundBridge = ApiHandlers & {
  /** Subscribes to host events (ingest progress, menu commands, files to open); returns an unsubscribe. */
  onEvent: (cb: (e: HostEvent) => void) => () => void;
  /** The file-system path of a dropped File, or null when it has none. */
  pathForFile: (file: File) => string | null;
  /** The native open dialog: the chosen path, or null when cancelled. */
  pickCapture: () => Promise<string | null>;
};

/**
 * Events that arrive before the page subscribes (a file from the command line is sent as soon
 * as the page has loaded, possibly before React mounted) are kept for the first subscriber.
 * Bounded: a page that never subscribes must not grow memory.
 */
const MAX_BUFFERED_EVENTS = 256;

export function buildBridge(): TracehoundBridge {
  const listeners = new Set<(e: HostEvent) => void>();
  let buffered: HostEvent[] = [];

  ipcRenderer.on(EVENT_CHANNEL, (_event, data: HostEvent) => {
    if (listeners.size === 0) {
      if (buffered.length < MAX_BUFFERED_EVENTS) buffered.push(data);
      return;
    }
    for (const l of [...listeners]) {
      try {
        l(data);
      } catch {
        // One faulty subscriber must not starve the others.
      }
    }
  });

  const api: Record<string, (req: unknown) => Promise<unknown>> = {};
  for (const name of CONTRACT_NAMES) {
    const channel = `th:${name}`;
    api[name] = (req: unknown) => ipcRenderer.invoke(channel, req);
  }

  return {
    ...(api as unknown as ApiHandlers),
    onEvent: (cb) => {
      if (typeof cb !== 'function') throw new TypeError('onEvent needs a function');
      listeners.add(cb);
      if (buffered.length) {
        const early = buffered;
        buffered = [];
        // Delivered after onEvent returns, so the subscriber has its unsubscribe in hand.
        setTimeout(() => {
          for (const e of early) if (listeners.has(cb)) cb(e);
        }, 0);
      }
      return () => {
        listeners.delete(cb);
      };
    },
    pathForFile: (file) => {
      try {
        const p = webUtils.getPathForFile(file);
        return p ? p : null;
      } catch {
        return null;
      }
    },
    pickCapture: () => ipcRenderer.invoke(DIALOG_CHANNEL) as Promise<string | null>,
  };
}

contextBridge.exposeInMainWorld('tracehound', buildBridge());
