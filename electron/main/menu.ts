/**
 * The application menu as a pure template (tests build it without Electron). Commands that
 * change what the workbench shows are sent to the renderer as ShellEvents; the main process
 * only handles what belongs to it (dialogs, quit, zoom and editing roles).
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { RecentCase } from '../../shared/api.js';
import type { Lang, ShellEvent, StatView } from './events.js';

export interface MenuContext {
  isMac: boolean;
  /** Dev tools are offered only in unpackaged (development) runs. */
  isPackaged: boolean;
  /** Cases from the engine's `capture.recent`, most recent first. */
  recent: readonly RecentCase[];
  lang: Lang;
  send: (e: ShellEvent) => void;
  /** File › Open…: the native open dialog; its path is sent as `shell.open`. */
  openDialog: () => void;
  showAbout: () => void;
}

/**
 * Room for the menus that arrive with detection: Analyze (run detectors, findings, ATT&CK
 * chain) and Export (IOCs, STIX, reports). Add their items here; they are inserted between
 * Statistics and Help when non-empty.
 */
export const ANALYZE_MENU: MenuItemConstructorOptions[] = [];
export const EXPORT_MENU: MenuItemConstructorOptions[] = [];

/** Recent entries shown (the engine remembers up to 20). */
const MAX_RECENT_ITEMS = 10;
/** Menu labels are native text; a very long path is shortened from the left. */
const MAX_LABEL_CHARS = 80;

/** A file path as a menu label: `&` would become a mnemonic on Windows and Linux. */
export function menuLabel(path: string): string {
  const s = path.length > MAX_LABEL_CHARS ? `…${path.slice(-(MAX_LABEL_CHARS - 1))}` : path;
  return s.replace(/&/g, '&&');
}

const STAT_ITEMS: [StatView, string][] = [
  ['conversations', 'Conversations'],
  ['endpoints', 'Endpoints'],
  ['hierarchy', 'Protocol Hierarchy'],
  ['io-graph', 'I/O Graph'],
];

export function buildMenuTemplate(ctx: MenuContext): MenuItemConstructorOptions[] {
  const recent = ctx.recent.slice(0, MAX_RECENT_ITEMS);
  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [
      { id: 'file.open', label: 'Open…', accelerator: 'CmdOrCtrl+O', click: () => ctx.openDialog() },
      {
        id: 'file.recent',
        label: 'Open Recent',
        submenu: recent.length
          ? recent.map((r) => ({ label: menuLabel(r.capturePath || r.casePath), click: () => ctx.send({ type: 'shell.open', path: r.casePath }) }))
          : [{ label: 'No recent captures', enabled: false }],
      },
      { type: 'separator' },
      { id: 'file.close', label: 'Close', accelerator: 'CmdOrCtrl+W', click: () => ctx.send({ type: 'shell.close' }) },
      ...(ctx.isMac ? [] : ([{ type: 'separator' }, { id: 'file.quit', label: 'Quit', role: 'quit' }] as MenuItemConstructorOptions[])),
    ],
  };
  const edit: MenuItemConstructorOptions = {
    label: 'Edit',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      { type: 'separator' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'selectAll' },
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { role: 'resetZoom' },
      { type: 'separator' },
      { id: 'view.theme', label: 'Toggle Theme', accelerator: 'CmdOrCtrl+Shift+T', click: () => ctx.send({ type: 'shell.theme' }) },
      {
        id: 'view.lang',
        label: 'Language',
        submenu: [
          { id: 'lang.en', label: 'English', type: 'radio', checked: ctx.lang === 'en', click: () => ctx.send({ type: 'shell.lang', lang: 'en' }) },
          { id: 'lang.zh-CN', label: '简体中文', type: 'radio', checked: ctx.lang === 'zh-CN', click: () => ctx.send({ type: 'shell.lang', lang: 'zh-CN' }) },
        ],
      },
      { type: 'separator' },
      { role: 'togglefullscreen' },
      ...(ctx.isPackaged ? [] : ([{ type: 'separator' }, { id: 'view.devtools', role: 'toggleDevTools' }] as MenuItemConstructorOptions[])),
    ],
  };
  const stats: MenuItemConstructorOptions = {
    label: 'Statistics',
    submenu: STAT_ITEMS.map(([v, label]) => ({ id: `stats.${v}`, label, click: () => ctx.send({ type: 'shell.view', view: v }) })),
  };
  const help: MenuItemConstructorOptions = {
    role: 'help',
    label: 'Help',
    submenu: [
      { id: 'help.shortcuts', label: 'Keyboard Shortcuts', accelerator: 'CmdOrCtrl+/', click: () => ctx.send({ type: 'shell.shortcuts' }) },
      { type: 'separator' },
      { id: 'help.about', label: 'About Tracehound', click: () => ctx.showAbout() },
    ],
  };
  const extra: MenuItemConstructorOptions[] = [
    ...(ANALYZE_MENU.length ? [{ label: 'Analyze', submenu: ANALYZE_MENU }] : []),
    ...(EXPORT_MENU.length ? [{ label: 'Export', submenu: EXPORT_MENU }] : []),
  ];
  return [...(ctx.isMac ? [{ role: 'appMenu' } as MenuItemConstructorOptions] : []), file, edit, view, stats, ...extra, help];
}

/** Third-party components named in About (the full texts ship as licenses.txt). */
export const LICENCE_SUMMARY = [
  'Tracehound — MIT licence.',
  'Electron (MIT) with Chromium (BSD-3-Clause and others) and Node.js (MIT).',
  'React, React DOM, scheduler (MIT) · @tanstack/react-virtual (MIT) · valibot (MIT) · fzstd (MIT)',
  'vis-network, vis-data (Apache-2.0 OR MIT) · better-sqlite3 (MIT) with SQLite (public domain)',
  'Full texts: licenses.txt in the application resources, and LICENSES.chromium.html beside the executable.',
].join('\n');

export function aboutText(versions: { app: string; electron: string; chrome: string; node: string }): { message: string; detail: string } {
  return {
    message: `Tracehound ${versions.app}`,
    detail: `Offline network-forensics workbench.\nElectron ${versions.electron} · Chromium ${versions.chrome} · Node.js ${versions.node}\n\n${LICENCE_SUMMARY}`,
  };
}
