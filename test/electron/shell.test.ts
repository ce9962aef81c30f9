/**
 * The Electron main process, with `electron` mocked (there is no Electron binary on the
 * build machines; see docs/TOOLCHAIN): the fakes record every call so the tests can check the
 * window's security options, the IPC channels and their sender/argument checks, the request
 * filter, navigation/window/permission denial, the menu and file opening.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { API_NAMES } from '../../shared/api.js';

const h = vi.hoisted(() => {
  const emitter = () => {
    const listeners = new Map<string, ((...a: unknown[]) => unknown)[]>();
    return {
      listeners,
      on(name: string, fn: (...a: unknown[]) => unknown) {
        listeners.set(name, [...(listeners.get(name) ?? []), fn]);
        return this;
      },
      once(name: string, fn: (...a: unknown[]) => unknown) {
        listeners.set(name, [...(listeners.get(name) ?? []), fn]);
        return this;
      },
      emit(name: string, ...args: unknown[]) {
        for (const fn of listeners.get(name) ?? []) fn(...args);
      },
    };
  };

  const state = {
    userData: '',
    lock: true,
    isPackaged: false,
    windows: [] as FakeWindow[],
    handlers: new Map<string, (...a: unknown[]) => unknown>(),
    menus: [] as unknown[],
    schemes: [] as unknown[],
    protocolHandlers: new Map<string, unknown>(),
    beforeRequest: null as null | { filter: unknown; listener: (d: unknown, cb: (r: unknown) => void) => void },
    permissionRequest: null as null | ((...a: unknown[]) => void),
    permissionCheck: null as null | ((...a: unknown[]) => unknown),
    devicePermission: null as null | ((...a: unknown[]) => unknown),
    errorBoxes: [] as [string, string][],
    openDialogResult: { canceled: false, filePaths: ['/evidence/picked.pcapng'] } as { canceled: boolean; filePaths: string[] },
    openDialogCalls: 0,
    readyCalledBeforeScheme: false,
    ready: false,
    lockData: undefined as unknown,
  };

  let nextId = 1;
  class FakeWebContents {
    id = nextId++;
    ev = emitter();
    sent: [string, unknown][] = [];
    mainFrame: { url: string; parent: null | object; processId: number; routingId: number } = { url: 'app://tracehound/index.html', parent: null, processId: 7, routingId: 1 };
    windowOpenHandler: null | ((d: unknown) => unknown) = null;
    on(name: string, fn: (...a: unknown[]) => unknown) {
      this.ev.on(name, fn);
      return this;
    }
    send(channel: string, data: unknown) {
      this.sent.push([channel, data]);
    }
    setWindowOpenHandler(fn: (d: unknown) => unknown) {
      this.windowOpenHandler = fn;
    }
    isDestroyed() {
      return false;
    }
    isDevToolsOpened() {
      return false;
    }
  }

  class FakeWindow {
    ev = emitter();
    webContents = new FakeWebContents();
    loaded: string[] = [];
    maximized = false;
    constructor(public options: Record<string, unknown>) {
      state.windows.push(this);
    }
    on(name: string, fn: (...a: unknown[]) => unknown) {
      this.ev.on(name, fn);
      return this;
    }
    once(name: string, fn: (...a: unknown[]) => unknown) {
      this.ev.once(name, fn);
      return this;
    }
    loadURL(url: string) {
      this.loaded.push(url);
      return Promise.resolve();
    }
    maximize() {
      this.maximized = true;
    }
    isMaximized() {
      return this.maximized;
    }
    isMinimized() {
      return false;
    }
    restore() {}
    show() {}
    focus() {}
    reload() {}
    isDestroyed() {
      return false;
    }
    getNormalBounds() {
      return { x: 10, y: 20, width: 1000, height: 700 };
    }
    static getAllWindows() {
      return state.windows;
    }
  }

  const appEv = emitter();
  const electron = {
    app: {
      ...appEv,
      on: appEv.on,
      getPath: () => state.userData,
      get isPackaged() {
        return state.isPackaged;
      },
      requestSingleInstanceLock: (data: unknown) => {
        state.lockData = data;
        return state.lock;
      },
      quit: vi.fn(),
      exit: vi.fn(),
      enableSandbox: vi.fn(),
      whenReady: () => {
        state.ready = true;
        return Promise.resolve();
      },
      isReady: () => state.ready,
      getLocale: () => 'en-US',
      getVersion: () => '0.1.0',
    },
    BrowserWindow: FakeWindow,
    ipcMain: {
      handle: (channel: string, fn: (...a: unknown[]) => unknown) => {
        if (state.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
        state.handlers.set(channel, fn);
      },
    },
    protocol: {
      registerSchemesAsPrivileged: (s: unknown) => {
        state.readyCalledBeforeScheme = state.ready;
        state.schemes.push(s);
      },
      handle: (scheme: string, fn: unknown) => state.protocolHandlers.set(scheme, fn),
    },
    session: {
      defaultSession: {
        webRequest: {
          onBeforeRequest: (filter: unknown, listener: (d: unknown, cb: (r: unknown) => void) => void) => {
            state.beforeRequest = { filter, listener };
          },
        },
        setPermissionRequestHandler: (fn: (...a: unknown[]) => void) => (state.permissionRequest = fn),
        setPermissionCheckHandler: (fn: (...a: unknown[]) => unknown) => (state.permissionCheck = fn),
        setDevicePermissionHandler: (fn: (...a: unknown[]) => unknown) => (state.devicePermission = fn),
      },
    },
    Menu: {
      buildFromTemplate: (t: unknown) => t,
      setApplicationMenu: (m: unknown) => state.menus.push(m),
    },
    dialog: {
      showErrorBox: (title: string, content: string) => state.errorBoxes.push([title, content]),
      showOpenDialog: async () => {
        state.openDialogCalls++;
        return state.openDialogResult;
      },
      showMessageBox: vi.fn(async () => ({ response: 0 })),
    },
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
  };

  // The engine, faked: the shell's job is to route to it, not to run it.
  const engine = {
    onEvent: null as null | ((e: unknown) => void),
    calls: [] as [string, unknown][],
    closed: 0,
  };
  return { state, electron, engine, FakeWindow, FakeWebContents };
});

type FakeWindow = InstanceType<typeof h.FakeWindow>;

vi.mock('electron', () => h.electron);
vi.mock('../../electron/engine/index.js', async () => {
  const { API_NAMES: names } = await import('../../shared/api.js');
  class EngineApi {
    handlers: Record<string, (req: unknown) => Promise<unknown>> = {};
    constructor(opts: { onEvent: (e: unknown) => void }) {
      h.engine.onEvent = opts.onEvent;
      for (const n of names) {
        this.handlers[n] = async (req: unknown) => {
          h.engine.calls.push([n, req]);
          return n === 'capture.recent'
            ? { ok: true, value: [{ casePath: '/cases/a.thcase', capturePath: '/evidence/a&b.pcap', sha256: 'x', packets: 1, openedAt: '' }] }
            : { ok: true, value: { handled: n } };
        };
      }
    }
    close() {
      h.engine.closed++;
    }
  }
  return { EngineApi };
});

const { startShell } = await import('../../electron/main/shell.js');
const { buildMenuTemplate } = await import('../../electron/main/menu.js');

const tick = () => new Promise((r) => setTimeout(r, 0));
const savedArgv = process.argv;
const beforeListeners = { u: process.listeners('uncaughtException'), r: process.listeners('unhandledRejection') };
let win: FakeWindow;
let shell: ReturnType<typeof startShell>;

beforeAll(async () => {
  h.state.userData = mkdtempSync(join(tmpdir(), 'th-shell-'));
  // As a packaged app started with no file (vitest's own argv holds real files).
  process.argv = ['/opt/Tracehound/tracehound', '--no-sandbox'];
  shell = startShell({ rendererRoot: '/nonexistent/renderer', preload: '/app/dist/electron/preload/preload.cjs' });
  await tick();
  await tick();
  win = h.state.windows[0]!;
});

afterAll(() => {
  process.argv = savedArgv;
  // startShell installs process-wide fatal handlers; leave the test process as it was.
  for (const l of process.listeners('uncaughtException')) if (!beforeListeners.u.includes(l)) process.off('uncaughtException', l);
  for (const l of process.listeners('unhandledRejection')) if (!beforeListeners.r.includes(l)) process.off('unhandledRejection', l);
  rmSync(h.state.userData, { recursive: true, force: true });
});

interface IpcEventLike {
  sender: unknown;
  senderFrame: unknown;
}
function goodEvent(): IpcEventLike {
  return { sender: win.webContents, senderFrame: win.webContents.mainFrame };
}

describe('start-up', () => {
  it('registers app: as a privileged standard+secure scheme before ready', () => {
    expect(h.state.readyCalledBeforeScheme).toBe(false);
    expect(h.state.schemes).toEqual([[{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]]);
    expect(h.state.protocolHandlers.has('app')).toBe(true);
    expect(h.electron.app.enableSandbox).toHaveBeenCalled();
  });

  it('creates exactly one window with the secure webPreferences and loads app://tracehound/', () => {
    expect(h.state.windows).toHaveLength(1);
    expect(win.options['webPreferences']).toStrictEqual({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      preload: '/app/dist/electron/preload/preload.cjs',
    });
    expect(win.loaded).toEqual(['app://tracehound/index.html']);
  });

  it('a second instance quits and hands its file to the first', async () => {
    h.state.lock = false;
    const before = h.state.windows.length;
    const r = startShell({ rendererRoot: '/x', preload: '/y' });
    h.state.lock = true;
    expect(r).toBeNull();
    expect(h.electron.app.quit).toHaveBeenCalled();
    await tick();
    expect(h.state.windows.length).toBe(before);
    expect(h.state.lockData).toEqual({ path: null });
  });
});

describe('IPC', () => {
  const channels = API_NAMES.map((n) => `th:${n}`);

  it('registers one handler per contract entry, plus th:dialog.open, and nothing else', () => {
    expect([...h.state.handlers.keys()].sort()).toEqual([...channels, 'th:dialog.open'].sort());
  });

  it('every channel rejects a malformed argument with a bad-request Result and never calls the engine', async () => {
    const before = h.engine.calls.length;
    for (const ch of channels) {
      for (const bad of [42, null, 'x', [1]]) {
        const r = (await h.state.handlers.get(ch)!(goodEvent(), bad)) as { ok: boolean; error?: { code: string } };
        expect(r.ok, `${ch} ${JSON.stringify(bad)}`).toBe(false);
        expect(r.error?.code).toBe('bad-request');
      }
    }
    expect(h.engine.calls.length).toBe(before);
  });

  // The main frame itself navigated elsewhere (navigation is denied, but IPC checks anyway).
  const mainFrameAt = (url: string) => () => {
    win.webContents.mainFrame = { url, parent: null, processId: 7, routingId: 1 };
    return { sender: win.webContents, senderFrame: win.webContents.mainFrame };
  };
  afterEach(() => {
    win.webContents.mainFrame = { url: 'app://tracehound/index.html', parent: null, processId: 7, routingId: 1 };
  });
  const foreign: [string, () => IpcEventLike][] = [
    ['a foreign origin', mainFrameAt('https://evil.example/')],
    ['a file: page', mainFrameAt('file:///tmp/x.html')],
    ['another app host', mainFrameAt('app://evil/index.html')],
    ['a look-alike app URL with credentials', mainFrameAt('app://user@tracehound/index.html')],
    ['a frame that is not the main frame', () => ({ sender: win.webContents, senderFrame: { url: 'app://tracehound/index.html', parent: null, processId: 7, routingId: 2 } })],
    ['a subframe on our origin', () => ({ sender: win.webContents, senderFrame: { url: 'app://tracehound/index.html', parent: win.webContents.mainFrame, processId: 7, routingId: 3 } })],
    ['another WebContents', () => ({ sender: new h.FakeWebContents(), senderFrame: win.webContents.mainFrame })],
    ['a destroyed frame', () => ({ sender: win.webContents, senderFrame: null })],
  ];

  it.each(foreign)('every channel refuses %s', async (_what, ev) => {
    const before = h.engine.calls.length;
    for (const ch of channels) {
      const r = (await h.state.handlers.get(ch)!(ev(), { captureId: 1 })) as { ok: boolean; error?: { code: string } };
      expect(r, ch).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    expect(h.engine.calls.length).toBe(before);
    const dialogCalls = h.state.openDialogCalls;
    expect(await h.state.handlers.get('th:dialog.open')!(ev())).toBeNull();
    expect(h.state.openDialogCalls).toBe(dialogCalls);
  });

  it('a valid call from our window reaches the engine with the validated request and returns its Result', async () => {
    const r = await h.state.handlers.get('th:packets.page')!(goodEvent(), { captureId: 1, filter: 'tcp', after: 0, limit: 50, extra: 'dropped' });
    expect(r).toEqual({ ok: true, value: { handled: 'packets.page' } });
    expect(h.engine.calls.at(-1)).toEqual(['packets.page', { captureId: 1, filter: 'tcp', after: 0, limit: 50 }]);
  });

  it('th:dialog.open returns the chosen path, or null when cancelled', async () => {
    expect(await h.state.handlers.get('th:dialog.open')!(goodEvent())).toBe('/evidence/picked.pcapng');
    h.state.openDialogResult = { canceled: true, filePaths: [] };
    expect(await h.state.handlers.get('th:dialog.open')!(goodEvent())).toBeNull();
    h.state.openDialogResult = { canceled: false, filePaths: ['/evidence/picked.pcapng'] };
  });

  it('refusals are logged', () => {
    expect(readFileSync(join(h.state.userData, 'tracehound.log'), 'utf8')).toMatch(/ipc-refused .*foreign origin/);
  });
});

describe('offline request filter', () => {
  const decide = (url: string, resourceType = 'xhr'): boolean => {
    let cancel: boolean | undefined;
    h.state.beforeRequest!.listener({ url, method: 'GET', resourceType }, (r) => (cancel = (r as { cancel: boolean }).cancel));
    return cancel!;
  };

  it('listens on <all_urls>', () => {
    expect(h.state.beforeRequest?.filter).toEqual({ urls: ['<all_urls>'] });
  });

  it.each([
    'http://example.com/',
    'https://example.com/a?token=1',
    'ws://10.0.0.1:8080/',
    'wss://example.com/socket',
    'ftp://example.com/file',
    'file:///etc/passwd',
    'app://elsewhere/index.html',
    'chrome-extension://abc/x.js',
  ])('cancels %s', (url) => {
    expect(decide(url)).toBe(true);
  });

  it('allows app://tracehound/ and data:/blob: images only', () => {
    expect(decide('app://tracehound/index.html', 'mainFrame')).toBe(false);
    expect(decide('app://tracehound/assets/app.js', 'script')).toBe(false);
    expect(decide('data:image/png;base64,AAAA', 'image')).toBe(false);
    expect(decide('blob:app://tracehound/1234', 'image')).toBe(false);
    expect(decide('data:text/javascript,alert(1)', 'script')).toBe(true);
    expect(decide('devtools://devtools/bundled/inspector.html', 'mainFrame')).toBe(true);
  });

  it('logs each refusal without the query string', () => {
    decide('https://exfil.example/collect?secret=hunter2#frag');
    const log = readFileSync(join(h.state.userData, 'tracehound.log'), 'utf8');
    expect(log).toContain('net-refused GET xhr https://exfil.example/collect');
    expect(log).not.toContain('hunter2');
    expect(log).not.toContain('frag');
  });
});

describe('navigation, windows, webviews and permissions', () => {
  const contents = new h.FakeWebContents();
  beforeAll(() => h.electron.app.emit('web-contents-created', {}, contents));

  const fire = (name: string, url: string): boolean => {
    const ev = { url, preventDefault: vi.fn() };
    contents.ev.emit(name, ev, url);
    return ev.preventDefault.mock.calls.length > 0;
  };

  it('denies navigation and redirects away from the app origin', () => {
    for (const name of ['will-navigate', 'will-redirect']) {
      expect(fire(name, 'https://evil.example/'), name).toBe(true);
      expect(fire(name, 'file:///etc/passwd'), name).toBe(true);
      expect(fire(name, 'app://other/'), name).toBe(true);
      expect(fire(name, 'javascript:alert(1)'), name).toBe(true);
      expect(fire(name, 'app://tracehound/index.html#/packets'), name).toBe(false);
    }
  });

  it('denies window.open and webviews', () => {
    expect(contents.windowOpenHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler?.({ url: 'app://tracehound/index.html' })).toEqual({ action: 'deny' });
    expect(fire('will-attach-webview', 'app://tracehound/')).toBe(true);
  });

  it('denies every permission request and check', () => {
    for (const perm of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen']) {
      const cb = vi.fn();
      h.state.permissionRequest!(contents, perm, cb, {});
      expect(cb).toHaveBeenCalledWith(false);
      expect(h.state.permissionCheck!(contents, perm, 'app://tracehound', {})).toBe(false);
    }
    expect(h.state.devicePermission!({})).toBe(false);
  });

  it('the shell never uses openExternal, autoUpdater or crashReporter', () => {
    const dir = join(import.meta.dirname, '../../electron');
    for (const f of ['main/shell.ts', 'main/security.ts', 'main/ipc.ts', 'main/menu.ts', 'main/protocol.ts', 'preload/preload.cts']) {
      const src = readFileSync(join(dir, f), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      expect(src, f).not.toMatch(/openExternal|autoUpdater|crashReporter|net\.request/);
    }
  });
});

describe('application menu', () => {
  type Item = { label?: string; role?: string; id?: string; type?: string; submenu?: Item[]; click?: () => void; checked?: boolean; enabled?: boolean };
  const menu = () => h.state.menus.at(-1) as Item[];
  const top = (label: string) => menu().find((m) => m.label === label)!;
  const sub = (label: string) => top(label).submenu!;

  it('has File, Edit, View, Statistics, Help in order', () => {
    expect(menu().map((m) => m.label)).toEqual(['File', 'Edit', 'View', 'Statistics', 'Help']);
  });

  it('File: Open…, Open Recent (from capture.recent), Close, Quit', () => {
    const labels = sub('File').filter((i) => i.type !== 'separator').map((i) => i.label);
    expect(labels).toEqual(['Open…', 'Open Recent', 'Close', 'Quit']);
    const recent = sub('File').find((i) => i.label === 'Open Recent')!.submenu!;
    // '&' is doubled so it is not taken as a mnemonic.
    expect(recent.map((r) => r.label)).toEqual(['/evidence/a&&b.pcap']);
    expect(h.engine.calls.some(([n]) => n === 'capture.recent')).toBe(true);
    expect(sub('File').find((i) => i.label === 'Quit')!.role).toBe('quit');
  });

  it('Edit has the standard roles', () => {
    expect(sub('Edit').filter((i) => i.role).map((i) => i.role)).toEqual(['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll']);
  });

  it('View: zoom, theme, language, and dev tools only when not packaged', () => {
    const v = sub('View');
    expect(v.filter((i) => i.role?.toLowerCase().includes('zoom')).map((i) => i.role)).toEqual(['zoomIn', 'zoomOut', 'resetZoom']);
    expect(v.some((i) => i.label === 'Toggle Theme')).toBe(true);
    expect(v.find((i) => i.label === 'Language')!.submenu!.map((i) => i.label)).toEqual(['English', '简体中文']);
    expect(v.some((i) => i.role === 'toggleDevTools')).toBe(true);
    const packaged = buildMenuTemplate({ isMac: false, isPackaged: true, recent: [], lang: 'en', send: () => {}, openDialog: () => {}, showAbout: () => {} }) as Item[];
    const pv = packaged.find((m) => m.label === 'View')!.submenu!;
    expect(pv.some((i) => i.role === 'toggleDevTools')).toBe(false);
  });

  it('Statistics items send a renderer event opening each view', () => {
    const s = sub('Statistics');
    expect(s.map((i) => i.label)).toEqual(['Conversations', 'Endpoints', 'Protocol Hierarchy', 'I/O Graph']);
    win.webContents.sent = [];
    for (const i of s) i.click!();
    expect(win.webContents.sent).toEqual(
      ['conversations', 'endpoints', 'hierarchy', 'io-graph'].map((view) => ['th:event', { type: 'shell.view', view }]),
    );
  });

  it('Help: Keyboard Shortcuts and About with version and licences', async () => {
    const help = sub('Help').filter((i) => i.type !== 'separator');
    expect(help.map((i) => i.label)).toEqual(['Keyboard Shortcuts', 'About Tracehound']);
    help[1]!.click!();
    await tick();
    const call = h.electron.dialog.showMessageBox.mock.calls.at(-1) as unknown[];
    const opts = call.at(-1) as { message: string; detail: string };
    expect(opts.message).toBe('Tracehound 0.1.0');
    expect(opts.detail).toMatch(/MIT/);
    expect(opts.detail).toMatch(/licenses\.txt/);
  });

  it('theme, language, shortcuts and close go to the renderer; the language radio follows', () => {
    win.webContents.sent = [];
    sub('View').find((i) => i.label === 'Toggle Theme')!.click!();
    sub('View').find((i) => i.label === 'Language')!.submenu![1]!.click!();
    sub('Help')[0]!.click!();
    sub('File').find((i) => i.label === 'Close')!.click!();
    expect(win.webContents.sent.map(([, e]) => e)).toEqual([
      { type: 'shell.theme' },
      { type: 'shell.lang', lang: 'zh-CN' },
      { type: 'shell.shortcuts' },
      { type: 'shell.close' },
    ]);
    expect(sub('View').find((i) => i.label === 'Language')!.submenu![1]!.checked).toBe(true);
  });

  it('on macOS the app menu comes first and Quit lives there', () => {
    const mac = buildMenuTemplate({ isMac: true, isPackaged: true, recent: [], lang: 'en', send: () => {}, openDialog: () => {}, showAbout: () => {} }) as Item[];
    expect(mac.map((m) => m.role ?? m.label)).toEqual(['appMenu', 'File', 'Edit', 'View', 'Statistics', 'help']);
    expect(mac[1]!.submenu!.some((i) => i.role === 'quit')).toBe(false);
    expect(mac[1]!.submenu!.find((i) => i.label === 'Open Recent')!.submenu![0]).toMatchObject({ enabled: false });
  });
});

describe('opening files and engine events', () => {
  it('queues a file until the page has loaded, then sends shell.open', () => {
    win.webContents.sent = [];
    shell!.openPath('/evidence/early.pcap');
    expect(win.webContents.sent).toEqual([]);
    win.webContents.ev.emit('did-finish-load');
    expect(win.webContents.sent).toEqual([['th:event', { type: 'shell.open', path: '/evidence/early.pcap' }]]);
  });

  it('a second instance focuses the window and forwards its file', () => {
    win.webContents.sent = [];
    h.electron.app.emit('second-instance', {}, ['/opt/Tracehound/tracehound', '--original-process-start-time=1'], '/home/x', { path: '/evidence/second.pcapng' });
    expect(win.webContents.sent).toEqual([['th:event', { type: 'shell.open', path: '/evidence/second.pcapng' }]]);
  });

  it('macOS open-file is taken and forwarded', () => {
    win.webContents.sent = [];
    const ev = { preventDefault: vi.fn() };
    h.electron.app.emit('open-file', ev, '/Users/x/case.pcap');
    expect(ev.preventDefault).toHaveBeenCalled();
    expect(win.webContents.sent).toEqual([['th:event', { type: 'shell.open', path: '/Users/x/case.pcap' }]]);
  });

  it('forwards engine events to the renderer and refreshes Open Recent after an ingest', async () => {
    win.webContents.sent = [];
    const menus = h.state.menus.length;
    const e = { type: 'ingest.done', path: '/evidence/a.pcap', captureId: 3 };
    h.engine.onEvent!(e);
    await tick();
    expect(win.webContents.sent).toEqual([['th:event', e]]);
    expect(h.state.menus.length).toBeGreaterThan(menus);
  });

  it('remembers the window state atomically on close', () => {
    win.ev.emit('close');
    const saved = JSON.parse(readFileSync(join(h.state.userData, 'window-state.json'), 'utf8'));
    expect(saved).toEqual({ width: 1000, height: 700, x: 10, y: 20, maximized: false });
  });

  it('a crashed renderer is named in a dialog and reloaded, at most three times', () => {
    let reloads = 0;
    win.reload = () => void reloads++;
    const boxes = h.state.errorBoxes.length;
    for (let i = 0; i < 5; i++) win.webContents.ev.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 1 });
    expect(reloads).toBe(3);
    expect(h.state.errorBoxes.length - boxes).toBe(5);
    expect(h.state.errorBoxes.at(-1)![1]).toContain('crashed');
    win.webContents.ev.emit('render-process-gone', {}, { reason: 'clean-exit', exitCode: 0 });
    expect(h.state.errorBoxes.length - boxes).toBe(5);
  });

  it('closes the engine when quitting', () => {
    h.electron.app.emit('will-quit');
    expect(h.engine.closed).toBe(1);
  });
});
