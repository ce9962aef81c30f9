/**
 * IPC: one `ipcMain.handle('th:<name>')` per contract entry (shared/api.ts API), plus the
 * shell's own `th:dialog.open`. Every handler
 *   1. checks the sender (security checklist item 17, "validate the sender of all IPC
 *      messages"): the main frame of our window, showing our app:// origin;
 *   2. validates the argument with the contract's schema (checkRequest);
 *   3. calls the engine and returns its Result — nothing is thrown across IPC.
 *
 * The engine's queries are synchronous SQLite reads on the main process; they are paged and
 * bounded (MAX_PAGE_ROWS, the contract's limits), so each one is short. Ingest and other
 * heavy work runs off-thread in the engine's worker_threads worker, so the UI stays live.
 */
import type { BrowserWindow, Dialog, IpcMain, IpcMainInvokeEvent, OpenDialogOptions } from 'electron';
import { API_NAMES, checkRequest, type ApiHandlers, type ApiName, type Result } from '../../shared/api.js';
import type { LogFn } from './log.js';
import { isAppUrl } from './security.js';

export const channelOf = (name: ApiName): string => `th:${name}`;
export const DIALOG_CHANNEL = 'th:dialog.open';

export interface IpcDeps {
  ipcMain: IpcMain;
  dialog: Dialog;
  /** The engine's validated handlers (EngineApi.handlers). */
  handlers: ApiHandlers;
  /** The one window allowed to call; null while none exists. */
  window: () => BrowserWindow | null;
  log: LogFn;
}

/** Why a sender is refused, or null when it is our window's main frame on our origin. */
export function senderProblem(event: IpcMainInvokeEvent, win: BrowserWindow | null): string | null {
  if (!win || win.isDestroyed()) return 'no window';
  if (event.sender !== win.webContents && event.sender.id !== win.webContents.id) return 'not our window';
  const frame = event.senderFrame;
  if (!frame) return 'frame gone';
  // WebFrameMain objects are cached per frame, so identity normally decides; the ids are the
  // frame's stable identity should a new wrapper ever be handed out.
  const main = win.webContents.mainFrame;
  const isMain = frame === main || (frame.processId === main.processId && frame.routingId === main.routingId);
  if (!isMain || frame.parent !== null) return 'not the main frame';
  if (!isAppUrl(frame.url)) return 'foreign origin';
  return null;
}

const forbidden = (why: string): Result<never> => ({ ok: false, error: { code: 'forbidden', message: `IPC refused: ${why}` } });

/** Capture files the open dialog offers (gzip/zstd-compressed and case files too). */
export const OPEN_DIALOG_OPTIONS: OpenDialogOptions = {
  title: 'Open capture',
  properties: ['openFile'],
  filters: [
    { name: 'Captures', extensions: ['pcap', 'pcapng', 'cap', 'gz', 'zst'] },
    { name: 'Tracehound cases', extensions: ['thcase'] },
    { name: 'All files', extensions: ['*'] },
  ],
};

export function registerIpc(deps: IpcDeps): void {
  for (const name of API_NAMES) {
    deps.ipcMain.handle(channelOf(name), async (event, arg: unknown): Promise<Result<unknown>> => {
      try {
        const why = senderProblem(event, deps.window());
        if (why) {
          deps.log('ipc-refused', `${name}: ${why}`);
          return forbidden(why);
        }
        // One plain argument object per call (the contract's rule); the schemas alone would
        // take an array for an empty object.
        if (typeof arg !== 'object' || arg === null || Array.isArray(arg)) {
          return { ok: false, error: { code: 'bad-request', message: `${name}: the request must be one object` } };
        }
        const checked = checkRequest(name, arg);
        if (!checked.ok) return checked;
        const handler = deps.handlers[name] as (req: unknown) => Promise<Result<unknown>>;
        return await handler(checked.value);
      } catch (e) {
        // The engine's handlers already catch; this is the last net so IPC never rejects.
        return { ok: false, error: { code: 'internal', message: e instanceof Error ? e.message : String(e) } };
      }
    });
  }

  // Not a contract entry: only the desktop host has a native open dialog.
  deps.ipcMain.handle(DIALOG_CHANNEL, async (event): Promise<string | null> => {
    try {
      const win = deps.window();
      const why = senderProblem(event, win);
      if (why || !win) {
        deps.log('ipc-refused', `dialog.open: ${why ?? 'no window'}`);
        return null;
      }
      const r = await deps.dialog.showOpenDialog(win, OPEN_DIALOG_OPTIONS);
      return r.canceled ? null : (r.filePaths[0] ?? null);
    } catch {
      return null;
    }
  });
}
