/**
 * The Electron shell: one window over the engine. It is a thin host (docs/ARCHITECTURE.md):
 * windows, menus, IPC, file opening and security rules; every forensic operation is the
 * engine's, reached only through electron/engine/index.ts.
 *
 * The engine lives in this (main) process. Its queries are synchronous SQLite reads that are
 * paged and bounded, so each is fast; ingest and other heavy work run in the engine's own
 * worker_threads worker (electron/engine/ingest/pipeline.ts), off the main thread.
 * No autoUpdater, no crashReporter, no telemetry: nothing here talks to a network.
 */
import { join } from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, screen, session } from 'electron';
import type { RecentCase } from '../../shared/api.js';
import { EngineApi } from '../engine/index.js';
import { captureFromAdditionalData, captureFromArgv, type SecondInstanceData } from './argv.js';
import { installFatalHandlers } from './errors.js';
import { EVENT_CHANNEL, type HostEvent, type Lang } from './events.js';
import { OPEN_DIALOG_OPTIONS, registerIpc } from './ipc.js';
import { fileLogger, type LogFn } from './log.js';
import { aboutText, buildMenuTemplate } from './menu.js';
import { registerAppScheme, serveApp } from './protocol.js';
import { APP_START_URL, hardenApp, hardenSession, secureWebPreferences } from './security.js';
import { loadWindowState, MIN_HEIGHT, MIN_WIDTH, saveWindowState } from './window-state.js';

export interface ShellOptions {
  /** Built renderer (vite output): served as app://tracehound/. */
  rendererRoot: string;
  /** The compiled, CommonJS preload. */
  preload: string;
}

/** Paths relative to the compiled dist/electron/main/main.js (also inside app.asar). */
export function defaultShellOptions(mainDir: string): ShellOptions {
  return {
    rendererRoot: join(mainDir, '..', '..', 'renderer'),
    preload: join(mainDir, '..', 'preload', 'preload.cjs'),
  };
}

/** Files held until the page has loaded; more at once is a runaway "open with", not a user. */
const MAX_PENDING_OPENS = 16;
/** Automatic reloads after a renderer crash; a page that crashes on load must not loop. */
const MAX_RENDERER_RELOADS = 3;
/** Delay before a moved or resized window's state is written (a drag fires many events). */
const STATE_SAVE_DELAY_MS = 500;

export interface Shell {
  engine: EngineApi;
  window: () => BrowserWindow | null;
  /** Open a capture in the renderer (queued until the page has loaded). */
  openPath: (path: string) => void;
}

/** Starts the shell. Returns null when another instance already runs (this one quits). */
export function startShell(opts: ShellOptions): Shell | null {
  const userData = app.getPath('userData');
  const log: LogFn = fileLogger(join(userData, 'tracehound.log'));
  let engine: EngineApi | null = null;

  installFatalHandlers(process, {
    showErrorBox: (title, content) => dialog.showErrorBox(title, content),
    log,
    quitSafely: () => {
      try {
        engine?.close();
      } finally {
        app.exit(1);
      }
    },
  });

  // Before 'ready': the privileged scheme, sandbox for every renderer (checklist item 4),
  // and the navigation/window rules for every WebContents (items 12–14).
  registerAppScheme(protocol);
  app.enableSandbox();
  hardenApp(app);

  // Unpackaged (`electron .`), argv[1] is the app directory.
  const argvSkip = process.defaultApp ? 2 : 1;
  const initial = captureFromArgv(process.argv, argvSkip, process.cwd());
  const handoff: SecondInstanceData = { path: initial };
  if (!app.requestSingleInstanceLock(handoff as unknown as Record<string, unknown>)) {
    // The first instance got our file through 'second-instance'.
    app.quit();
    return null;
  }

  let win: BrowserWindow | null = null;
  let pageLoaded = false;
  const pending: string[] = initial ? [initial] : [];
  let recent: RecentCase[] = [];
  // Set from the OS locale once ready (getLocale is only valid after 'ready').
  let lang: Lang = 'en';

  const send = (e: HostEvent): void => {
    if (win && !win.isDestroyed() && !win.webContents.isDestroyed()) win.webContents.send(EVENT_CHANNEL, e);
  };

  const openPath = (path: string): void => {
    if (win && pageLoaded) send({ type: 'shell.open', path });
    else if (pending.length < MAX_PENDING_OPENS) pending.push(path);
  };

  const focus = (): void => {
    if (!win || win.isDestroyed()) return;
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  };

  const refreshMenu = (): void => {
    Menu.setApplicationMenu(
      Menu.buildFromTemplate(
        buildMenuTemplate({
          isMac: process.platform === 'darwin',
          isPackaged: app.isPackaged,
          recent,
          lang,
          send: (e) => {
            if (e.type === 'shell.lang') {
              lang = e.lang;
              refreshMenu();
            }
            if (e.type === 'shell.open') openPath(e.path);
            else send(e);
          },
          openDialog: () => {
            const w = win;
            const p = w ? dialog.showOpenDialog(w, OPEN_DIALOG_OPTIONS) : dialog.showOpenDialog(OPEN_DIALOG_OPTIONS);
            void p.then((r) => {
              const f = r.canceled ? undefined : r.filePaths[0];
              if (f) openPath(f);
            });
          },
          showAbout: () => {
            const t = aboutText({ app: app.getVersion(), electron: process.versions.electron ?? '', chrome: process.versions.chrome ?? '', node: process.versions.node });
            const o = { type: 'info' as const, title: 'About Tracehound', message: t.message, detail: t.detail, buttons: ['OK'] };
            void (win ? dialog.showMessageBox(win, o) : dialog.showMessageBox(o));
          },
        }),
      ),
    );
  };

  const refreshRecent = async (): Promise<void> => {
    if (!engine) return;
    const r = await engine.handlers['capture.recent']({});
    if (r.ok) recent = r.value;
    refreshMenu();
  };

  engine = new EngineApi({
    onEvent: (e) => {
      send(e);
      if (e.type === 'ingest.done') void refreshRecent();
    },
  });
  const engineApi = engine;

  const createWindow = (): BrowserWindow => {
    const stateFile = join(userData, 'window-state.json');
    const state = loadWindowState(stateFile, screen.getAllDisplays().map((d) => d.workArea));
    const w = new BrowserWindow({
      width: state.width,
      height: state.height,
      ...(state.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y } : {}),
      minWidth: MIN_WIDTH,
      minHeight: MIN_HEIGHT,
      show: false,
      title: 'Tracehound',
      webPreferences: secureWebPreferences(opts.preload),
    });
    if (state.maximized) w.maximize();
    w.once('ready-to-show', () => w.show());

    let timer: NodeJS.Timeout | null = null;
    const save = (): void => {
      if (w.isDestroyed()) return;
      const b = w.getNormalBounds();
      saveWindowState(stateFile, { width: b.width, height: b.height, x: b.x, y: b.y, maximized: w.isMaximized() });
    };
    const saveSoon = (): void => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(save, STATE_SAVE_DELAY_MS);
    };
    w.on('resize', saveSoon);
    w.on('move', saveSoon);
    w.on('maximize', saveSoon);
    w.on('unmaximize', saveSoon);
    w.on('close', () => {
      if (timer) clearTimeout(timer);
      save();
    });
    w.on('closed', () => {
      if (win === w) {
        win = null;
        pageLoaded = false;
      }
    });

    w.webContents.on('did-finish-load', () => {
      pageLoaded = true;
      // The preload buffers events until the page subscribes, so nothing sent here is lost.
      for (const p of pending.splice(0)) send({ type: 'shell.open', path: p });
    });
    w.webContents.on('did-start-loading', () => {
      pageLoaded = false;
    });
    let reloads = 0;
    w.webContents.on('render-process-gone', (_e, details) => {
      log('renderer-gone', details.reason);
      if (details.reason === 'clean-exit' || w.isDestroyed()) return;
      const again = reloads++ < MAX_RENDERER_RELOADS;
      dialog.showErrorBox(
        'Tracehound: the window stopped',
        `The workbench window stopped (${details.reason}). ${again ? 'It will be reloaded; open cases are intact.' : 'It stopped repeatedly; restart Tracehound.'}`,
      );
      if (again) w.reload();
    });

    void w.loadURL(APP_START_URL);
    return w;
  };

  app.on('open-file', (event, path) => {
    // macOS: Finder "Open With" / a dropped file on the Dock icon; may arrive before 'ready'.
    event.preventDefault();
    openPath(path);
    focus();
  });

  app.on('second-instance', (_event, argv, workingDirectory, additionalData) => {
    const p = captureFromAdditionalData(additionalData) ?? captureFromArgv(argv, argvSkip, workingDirectory);
    if (!win && app.isReady()) win = createWindow();
    focus();
    if (p) openPath(p);
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  app.on('activate', () => {
    if (!win && app.isReady()) win = createWindow();
  });

  app.on('will-quit', () => engineApi.close());

  void app.whenReady().then(() => {
    lang = app.getLocale().toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
    hardenSession(session.defaultSession, {
      devToolsOpen: () => !app.isPackaged && BrowserWindow.getAllWindows().some((w) => w.webContents.isDevToolsOpened()),
      onRefused: ({ url, method, resourceType }) => log('net-refused', `${method} ${resourceType} ${url}`),
    });
    serveApp(protocol, opts.rendererRoot);
    registerIpc({ ipcMain, dialog, handlers: engineApi.handlers, window: () => win, log });
    refreshMenu();
    void refreshRecent();
    win = createWindow();
  });

  return { engine: engineApi, window: () => win, openPath };
}
