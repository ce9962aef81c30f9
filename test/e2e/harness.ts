/**
 * End-to-end harness: the browser host (electron/serve/server.ts) started in-process on
 * 127.0.0.1:0 over the built renderer (dist/renderer), and Debian's Chromium driven by
 * playwright-core with a fresh profile. Everything the page does that a test must never see is
 * recorded: requests to any origin but the server's, console errors (CSP violations are logged
 * there by Chromium, and a listener adds their detail), uncaught page errors and dialogs.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { EngineApi } from '../../electron/engine/index.js';
import { EventHub, startServer, type RunningServer } from '../../electron/serve/server.js';
import { tmpDir } from '../support/shared.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const STATIC_DIR = join(ROOT, 'dist', 'renderer');
export const SHOT_DIR = join(ROOT, 'test-output', 'e2e');

/** Debian's Chromium, or a `chromium` on PATH; null when there is none. */
export function findChromium(): string | null {
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const p = join(dir, 'chromium');
    if (dir && existsSync(p)) return p;
  }
  return null;
}

export const CHROMIUM = findChromium();
export const BUILT = existsSync(join(STATIC_DIR, 'index.html'));

/** Why the browser tests cannot run here ('' when they can). */
export const SKIP_BROWSER = !CHROMIUM
  ? 'skipped: no Chromium (/usr/bin/chromium or `chromium` on PATH); install the chromium package to run the UI tests'
  : !BUILT
    ? `skipped: ${join(STATIC_DIR, 'index.html')} is missing; run \`npm run build\` (npm test builds first)`
    : '';

/**
 * Chromium's flags. Beyond the brief's four: a dead proxy for everything but loopback, so a
 * hostile string that did manage to start a request still cannot leave the machine (it is
 * recorded all the same), and no first-run, sync or component-update traffic of its own.
 */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--proxy-server=http://127.0.0.1:9',
];

/** Per-step wait for UI state: generous, because the machine is 2-core and shared. */
export const UI_TIMEOUT = 20_000;

export interface Workbench {
  url: string;
  origin: string;
  server: RunningServer;
  api: EngineApi;
  close(): Promise<void>;
}

/** The browser host over a fresh engine with its own cache; `open` is opened before it returns. */
export async function startWorkbench(open?: string): Promise<Workbench> {
  const tmp = tmpDir('th-e2e-srv-');
  // The engine reads the cache location at open time; each workbench gets its own.
  process.env['TRACEHOUND_CACHE'] = join(tmp.dir, 'cache');
  const events = new EventHub();
  const api = new EngineApi({ onEvent: (e) => events.publish(e), recentFile: join(tmp.dir, 'recent.json') });
  let server: RunningServer;
  try {
    server = await startServer({ api, events, port: 0, staticDir: STATIC_DIR, ...(open !== undefined ? { open } : {}) });
  } catch (e) {
    api.close();
    tmp.cleanup();
    throw e;
  }
  return {
    url: server.url,
    origin: `http://127.0.0.1:${server.port}`,
    server,
    api,
    close: async () => {
      await server.close();
      api.close();
      tmp.cleanup();
    },
  };
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Every URL the page requested (the token redacted). */
  requests: string[];
  /** Requests to anything but the server's origin. */
  foreign: string[];
  /** Console errors, CSP violations and uncaught page errors. */
  problems: string[];
  /** Dialogs the page opened (each was dismissed). */
  dialogs: string[];
  /** Saves a full-page screenshot as test-output/e2e/<prefix>-<name>.png. */
  shot(name: string): Promise<void>;
  close(): Promise<void>;
}

const redact = (u: string) => u.replace(/token=[^&]*/g, 'token=…');

export async function launchBrowser(origin: string, prefix: string): Promise<Browser> {
  if (!CHROMIUM) throw new Error('no chromium');
  const profile = tmpDir('th-e2e-profile-');
  const context = await chromium.launchPersistentContext(profile.dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 900 },
    locale: 'en-US',
  });
  // Every wait and action: a stuck step fails in seconds rather than at the test's timeout.
  context.setDefaultTimeout(UI_TIMEOUT);
  const requests: string[] = [];
  const foreign: string[] = [];
  const problems: string[] = [];
  const dialogs: string[] = [];
  context.on('request', (r) => {
    const u = r.url();
    requests.push(redact(u));
    let o = 'invalid';
    try {
      o = new URL(u).origin;
    } catch {
      // recorded as foreign below
    }
    if (o !== origin) foreign.push(redact(u));
  });
  // CSP violations reach the console as errors too; this adds which directive and where.
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(
        `CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber} sample ${JSON.stringify(e.sample)}`,
      );
    });
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${redact(m.text())}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss().catch(() => undefined);
  });
  mkdirSync(SHOT_DIR, { recursive: true });
  return {
    context,
    page,
    requests,
    foreign,
    problems,
    dialogs,
    shot: async (name) => {
      await page.screenshot({ path: join(SHOT_DIR, `${prefix}-${name}.png`), fullPage: true });
    },
    close: async () => {
      await context.close();
      profile.cleanup();
    },
  };
}

/** Script-bearing things in the DOM that did not come from the app's own build. */
export async function injected(page: Page, origin: string) {
  return page.evaluate((o) => {
    const all = Array.from(document.querySelectorAll('*'));
    const urlAttrs = ['href', 'src', 'action', 'formaction', 'xlink:href', 'data'];
    return {
      pwned: (window as unknown as { __pwned?: unknown }).__pwned,
      handlerAttrs: all.filter((e) => Array.from(e.attributes).some((a) => /^on/i.test(a.name))).map((e) => e.outerHTML.slice(0, 120)),
      imgX: document.querySelectorAll('img[src="x"]').length,
      svgOnload: document.querySelectorAll('svg[onload]').length,
      foreignScripts: Array.from(document.scripts)
        .filter((s) => !s.src.startsWith(`${o}/assets/`))
        .map((s) => s.outerHTML.slice(0, 120)),
      jsUrls: all
        .filter((e) => urlAttrs.some((a) => /^\s*javascript:/i.test(e.getAttribute(a) ?? '')))
        .map((e) => e.outerHTML.slice(0, 120)),
      frames: document.querySelectorAll('iframe, object, embed, frame').length,
    };
  }, origin);
}

/** Waits until the status bar shows `filter` applied and a count; returns the count. */
export async function appliedCount(page: Page, filter: string): Promise<number> {
  const handle = await page.waitForFunction(
    (f) => {
      const applied = document.querySelector('.status-filter')?.textContent ?? '';
      const ok = f === '' ? applied === '' : applied.includes(f);
      const c = document.querySelector('[data-testid="packet-count"]')?.getAttribute('data-count');
      return ok && c !== null && c !== undefined && c !== '' ? Number(c) : false;
    },
    filter,
    { timeout: UI_TIMEOUT },
  );
  return (await handle.jsonValue()) as number;
}

/** Types a display filter into the bar and applies it with Enter; returns the displayed count. */
export async function applyFilter(page: Page, filter: string): Promise<number> {
  const input = page.getByTestId('filter-input');
  await input.fill(filter);
  await input.press('Enter');
  return appliedCount(page, filter);
}

/** Number of lines tshark prints for `filter` (with the drill's documented settings); runs beside the browser. */
export function tsharkCount(file: string, filter: string): Promise<number> {
  return new Promise((ok, fail) => {
    execFile(
      'tshark',
      ['-r', file, '-o', 'tcp.reassemble_out_of_order:TRUE', '-Y', filter],
      { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
      (err, stdout) => {
        if (err) fail(err);
        else ok(stdout.split('\n').filter((l) => l.trim() !== '').length);
      },
    );
  });
}
