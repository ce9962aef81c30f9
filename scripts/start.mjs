#!/usr/bin/env node
/**
 * `npm start [-- CAPTURE] [--open] [--port N]`: build when the build is stale or missing, then
 * run the workbench on CAPTURE, or on a demo capture generated with Tracehound's own writer.
 *  - With an Electron binary on this machine: the desktop app (dist/electron/main/main.js).
 *  - Otherwise (as on machines that cannot download Electron): the browser host
 *    `tracehound serve` on 127.0.0.1; its URL (with a per-run token) is printed.
 * A browser is never opened unless --open is given: the workbench runs on air-gapped laptops
 * and headless CI, where launching one is at best noise.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const root = resolve(import.meta.dirname, '..');

let args;
try {
  args = parseArgs({ allowPositionals: true, options: { open: { type: 'boolean' }, port: { type: 'string' } } });
} catch (e) {
  console.error(`start: ${e.message}\nusage: npm start [-- CAPTURE] [--open] [--port N]`);
  process.exit(1);
}
if (args.positionals.length > 1) {
  console.error('start: give at most one capture\nusage: npm start [-- CAPTURE] [--open] [--port N]');
  process.exit(1);
}

// ---- build when stale -------------------------------------------------------------------------

/** Directory entries visited when looking for the newest source (a bound, not a real limit). */
const MAX_SCAN = 50_000;

function newestMtime(paths) {
  let newest = 0;
  let seen = 0;
  const stack = [...paths];
  while (stack.length > 0 && seen < MAX_SCAN) {
    const p = stack.pop();
    let st;
    try {
      st = statSync(p);
    } catch {
      continue;
    }
    seen++;
    if (st.isDirectory()) {
      for (const name of readdirSync(p)) if (name !== 'node_modules' && name !== 'dist' && !name.startsWith('.')) stack.push(join(p, name));
    } else newest = Math.max(newest, st.mtimeMs);
  }
  return newest;
}

function oldestOutput(paths) {
  let oldest = Infinity;
  for (const p of paths) {
    try {
      oldest = Math.min(oldest, statSync(p).mtimeMs);
    } catch {
      return 0; // missing: stale by definition
    }
  }
  return oldest;
}

const sources = ['electron', 'shared', 'renderer', 'package.json', 'tsconfig.base.json', 'tsconfig.build.json', 'vite.config.ts', 'vite.config.mjs']
  .map((p) => join(root, p))
  .filter((p) => existsSync(p));
const outputs = [join(root, 'dist/.tsbuildinfo.build'), join(root, 'dist/electron/cli/main.js')];
// The renderer is built by vite into dist/renderer once it exists.
if (existsSync(join(root, 'renderer'))) outputs.push(join(root, 'dist/renderer/index.html'));
if (newestMtime(sources) > oldestOutput(outputs)) {
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

// ---- the capture --------------------------------------------------------------------------------

let capture = args.positionals[0] === undefined ? undefined : resolve(args.positionals[0]);
if (!capture) {
  const dir = join(root, '.cache');
  mkdirSync(dir, { recursive: true });
  capture = join(dir, 'demo-incident.pcap');
  if (!existsSync(capture)) {
    const { writeDemoCapture } = await import(join(root, 'dist/electron/engine/synth/demo.js'));
    writeDemoCapture(capture);
    console.log(`start: wrote the demo capture ${capture} with Tracehound's own pcap writer`);
  }
}

// ---- Electron, when this machine has it -------------------------------------------------------

/**
 * The Electron executable, or a reason there is none. `require('electron')` is NOT called: its
 * index.js downloads the binary when it is missing, and these machines have no route to it.
 * This reads the same path.txt that index.js reads, and honours the same override variable.
 */
function electronBinary() {
  let pkgMain;
  try {
    pkgMain = createRequire(import.meta.url).resolve('electron');
  } catch {
    return { why: 'the electron package is not installed' };
  }
  let exe = '';
  try {
    exe = readFileSync(join(dirname(pkgMain), 'path.txt'), 'utf8');
  } catch {
    // no path.txt: the binary was never downloaded (unless the override below points at one)
  }
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (!override && !exe) return { why: 'Electron binary not available on this machine' };
  const full = override ? join(override, exe || 'electron') : join(dirname(pkgMain), 'dist', exe);
  return existsSync(full) ? { path: full } : { why: 'Electron binary not available on this machine' };
}

function forwardSignals(child) {
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const electron = electronBinary();
const shellMain = join(root, 'dist/electron/main/main.js');
if (electron.path && existsSync(shellMain)) {
  const child = spawn(electron.path, [shellMain, capture], { cwd: root, stdio: 'inherit' });
  child.on('error', (e) => {
    console.error(`start: could not run Electron: ${e.message}`);
    process.exit(1);
  });
  forwardSignals(child);
} else {
  const why = electron.path ? `the Electron shell is not built (${shellMain} is missing)` : electron.why;
  console.log(`${why}: starting the browser host`);
  startBrowserHost(capture);
}

// ---- the browser host -------------------------------------------------------------------------

/** What `tracehound serve` prints first: only this, a local address, is ever handed to a browser. */
const LOCAL_URL = /^http:\/\/127\.0\.0\.1:\d{1,5}\/\?token=[A-Za-z0-9_-]+(&capture=\d+)?$/;

function startBrowserHost(target) {
  const serveArgs = [join(root, 'bin/tracehound.mjs'), 'serve', target, ...(args.values.port ? ['--port', args.values.port] : [])];
  const child = spawn(process.execPath, serveArgs, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  forwardSignals(child);
  let first = true;
  createInterface({ input: child.stdout }).on('line', (line) => {
    console.log(line);
    if (!first) return;
    first = false;
    if (!LOCAL_URL.test(line)) return;
    console.error('start: open the URL above in a browser on this machine (it carries a per-run token; Ctrl-C stops)');
    if (args.values.open) openBrowser(line);
  });
}

function openBrowser(url) {
  // rundll32's URL handler takes the URL as one argument; `cmd /c start` would split it at '&'.
  const [cmd, argv] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['rundll32', ['url.dll,FileProtocolHandler', url]] : ['xdg-open', [url]];
  const p = spawn(cmd, argv, { stdio: 'ignore', detached: true });
  p.on('error', (e) => console.error(`start: could not open a browser (${cmd}: ${e.code ?? e.message}); open the URL by hand`));
  p.unref();
}
