#!/usr/bin/env node
/**
 * `npm start`: build, then run the workbench.
 *  - With an Electron binary present: launch the desktop app (the Electron shell issue).
 *  - Otherwise (as on machines that cannot download Electron): the browser host
 *    `tracehound serve` on 127.0.0.1 (the UI issue).
 * Until those hosts exist, it indexes the capture (or a generated demo capture) and prints
 * its summary and first packets with the CLI, saying so.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

let capture = process.argv[2];
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

const entries = [join(root, 'dist/electron/main/main.js'), join(root, 'dist/electron/serve/serve.js')];
if (!entries.some((e) => existsSync(e))) {
  console.log('start: the desktop shell and the browser host are not built in this version; showing the capture with the CLI.');
  const cli = join(root, 'bin/tracehound.mjs');
  spawnSync(process.execPath, [cli, 'stats', capture], { stdio: 'inherit' });
  const r = spawnSync(process.execPath, [cli, 'packets', capture, '--limit', '25'], { stdio: 'inherit' });
  process.exit(r.status ?? 0);
}
