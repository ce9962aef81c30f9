/**
 * The shell's pure parts, on the real file system: the app:// file server (confinement, CSP),
 * window-state persistence, command-line file discovery and the fatal-error policy.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { captureFromAdditionalData, captureFromArgv } from '../../electron/main/argv.js';
import { fatalHandlers } from '../../electron/main/errors.js';
import { menuLabel } from '../../electron/main/menu.js';
import { appRequestHandler, resolveAppPath } from '../../electron/main/protocol.js';
import { CSP, isAppUrl, redactUrl } from '../../electron/main/security.js';
import { DEFAULT_STATE, loadWindowState, sanitizeState, saveWindowState } from '../../electron/main/window-state.js';

let dir: string;
let root: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'th-parts-'));
  root = join(dir, 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><script type="module" src="./assets/app.js"></script>');
  writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'outside');
  symlinkSync(join(dir, 'secret.txt'), join(root, 'assets', 'link.txt'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('app:// protocol', () => {
  const get = (url: string, method = 'GET') => appRequestHandler(root)(new Request(url, { method }));

  it('serves index.html for / and assets with their types, every response with the strict CSP', async () => {
    const r = await get('app://tracehound/');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.headers.get('content-security-policy')).toBe(CSP);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await r.text()).toContain('<!doctype html>');
    const js = await get('app://tracehound/assets/app.js');
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const missing = await get('app://tracehound/nope.js');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-security-policy')).toBe(CSP);
  });

  it('the CSP is exactly the agreed policy', () => {
    expect(CSP).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
  });

  it.each([
    'app://tracehound/../secret.txt',
    'app://tracehound/%2e%2e/secret.txt',
    'app://tracehound/assets/..%2f..%2fsecret.txt',
    'app://tracehound/assets%2f..%2f..%2fsecret.txt',
    'app://tracehound/..%5csecret.txt',
    'app://tracehound/%00index.html',
    'app://tracehound/%E0%A4%A',
    'app://other/index.html',
    'app://tracehound/assets/link.txt',
    'app://tracehound/assets',
  ])('refuses %s', async (url) => {
    const r = await get(url);
    expect(r.status).toBe(404);
    expect(await r.text()).not.toContain('outside');
  });

  it('refuses non-GET methods', async () => {
    expect((await get('app://tracehound/index.html', 'POST')).status).toBe(405);
  });

  it('resolveAppPath keeps every result under the root', () => {
    expect(resolveAppPath(root, 'app://tracehound/assets/app.js')).toBe(join(root, 'assets', 'app.js'));
    expect(resolveAppPath(root, `app://tracehound/${'a/'.repeat(600)}`)).toBeNull();
    expect(resolveAppPath(root, 'not a url')).toBeNull();
  });
});

describe('origin checks and log redaction', () => {
  it('isAppUrl accepts only app://tracehound', () => {
    expect(isAppUrl('app://tracehound/index.html')).toBe(true);
    expect(isAppUrl('app://tracehound.evil/index.html')).toBe(false);
    expect(isAppUrl('app://x@tracehound/')).toBe(false);
    expect(isAppUrl('https://tracehound/')).toBe(false);
    expect(isAppUrl('')).toBe(false);
  });

  it('redactUrl drops query, fragment and credentials, and bounds the length', () => {
    expect(redactUrl('https://u:p@h.example:8443/a/b?q=secret#f')).toBe('https://h.example:8443/a/b');
    expect(redactUrl('data:text/plain,secret')).toBe('data:…');
    expect(redactUrl(`http://h/${'x'.repeat(2000)}`).length).toBeLessThan(600);
    expect(redactUrl('::')).toBe('(unparseable url)');
  });
});

describe('window state', () => {
  const displays = [{ x: 0, y: 0, width: 1920, height: 1080 }];

  it('round-trips through an atomic write that leaves no temporary file', () => {
    const f = join(dir, 'window-state.json');
    saveWindowState(f, { width: 1400, height: 900, x: 100, y: 50, maximized: true });
    expect(loadWindowState(f, displays)).toEqual({ width: 1400, height: 900, x: 100, y: 50, maximized: true });
    expect(readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('falls back to defaults for missing or corrupt files and bad values', () => {
    expect(loadWindowState(join(dir, 'absent.json'), displays)).toEqual(DEFAULT_STATE);
    const f = join(dir, 'corrupt.json');
    writeFileSync(f, '{"width": 1e9');
    expect(loadWindowState(f, displays)).toEqual(DEFAULT_STATE);
    expect(sanitizeState({ width: 'wide', height: -5, maximized: 'yes' }, displays)).toEqual(DEFAULT_STATE);
    expect(sanitizeState(null, displays)).toEqual(DEFAULT_STATE);
  });

  it('drops a position that is on no current display', () => {
    expect(sanitizeState({ width: 1000, height: 700, x: 5000, y: 5000 }, displays)).toEqual({ width: 1000, height: 700, maximized: false });
    expect(sanitizeState({ width: 1000, height: 700, x: 200, y: 100 }, displays)).toMatchObject({ x: 200, y: 100 });
  });
});

describe('files from the command line', () => {
  const exists = (p: string) => ['/evidence/a.pcap', '/home/x/rel.pcapng'].includes(p);

  it('takes the last existing file, skipping the executable, switches and the app path', () => {
    expect(captureFromArgv(['/opt/th/tracehound', '/evidence/a.pcap'], 1, '/', exists)).toBe('/evidence/a.pcap');
    expect(captureFromArgv(['electron', '.', '--inspect', '/evidence/a.pcap', '--original-process-start-time=1'], 2, '/', exists)).toBe('/evidence/a.pcap');
    expect(captureFromArgv(['/opt/th/tracehound', 'rel.pcapng'], 1, '/home/x', exists)).toBe('/home/x/rel.pcapng');
    expect(captureFromArgv(['/opt/th/tracehound', '/evidence/missing.pcap'], 1, '/', exists)).toBeNull();
    expect(captureFromArgv(['/opt/th/tracehound'], 1, '/', exists)).toBeNull();
  });

  it('accepts only a sane absolute path from a second instance', () => {
    expect(captureFromAdditionalData({ path: '/evidence/a.pcap' })).toBe('/evidence/a.pcap');
    expect(captureFromAdditionalData({ path: 'relative.pcap' })).toBeNull();
    expect(captureFromAdditionalData({ path: 42 })).toBeNull();
    expect(captureFromAdditionalData({ path: `/${'a'.repeat(5000)}` })).toBeNull();
    expect(captureFromAdditionalData(null)).toBeNull();
  });

  it('menu labels escape & and shorten long paths', () => {
    expect(menuLabel('/a&b.pcap')).toBe('/a&&b.pcap');
    expect(menuLabel(`/${'d/'.repeat(100)}x.pcap`).length).toBe(80);
  });
});

describe('fatal errors', () => {
  it('an uncaught exception names the problem in a dialog, then quits safely once', () => {
    const boxes: [string, string][] = [];
    const quit = vi.fn();
    const log = vi.fn();
    const f = fatalHandlers({ showErrorBox: (t, c) => boxes.push([t, c]), log, quitSafely: quit });
    f.uncaughtException(new RangeError('index out of range'));
    f.uncaughtException(new Error('again'));
    expect(boxes[0]![0]).toBe('Tracehound: unexpected error');
    expect(boxes[0]![1]).toContain('RangeError: index out of range');
    expect(quit).toHaveBeenCalledTimes(1);
    expect(log.mock.calls[0]![1]).toContain('RangeError: index out of range');
  });

  it('an unhandled rejection is reported and the app keeps running; dialogs are capped', () => {
    const boxes: string[] = [];
    const quit = vi.fn();
    const f = fatalHandlers({ showErrorBox: (_t, c) => boxes.push(c), log: () => {}, quitSafely: quit });
    for (let i = 0; i < 10; i++) f.unhandledRejection(`reason ${i}`);
    expect(quit).not.toHaveBeenCalled();
    expect(boxes).toHaveLength(3);
    expect(boxes[0]).toContain('reason 0');
  });
});
