#!/usr/bin/env node
// The long fuzz run: `npm run fuzz -- [--seed N] [--minutes M] [--target NAME[,NAME...]] [--index I] [--list]`.
//
// Bundles test/fuzz/harness.ts (TypeScript) with rolldown (vite's bundler, installed with
// vitest) into node_modules/.cache, then runs the targets round-robin in time slices inside a
// worker thread. The main thread is a watchdog: an input that hangs (a loop that never
// yields cannot be interrupted from inside) is reported with its seed and index, then the
// run moves on. Every failure prints the line that replays it:
//   npm run fuzz -- --seed N --target NAME --index I
// Exit code: 0 no failures, 1 failures, 2 usage.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** A time slice per target: long enough to amortise seed building, short enough to rotate. */
const SLICE_MS = 5000;
/** An input silent for this long is a hang (the slowest target's bound is 5 s). */
const HANG_MS = 60_000;
/** Failures printed per target (the rest are counted). */
const MAX_PRINTED = 5;

if (isMainThread) await main();
else await worker();

async function bundle() {
  const { build } = await import('rolldown');
  const outDir = join(root, 'node_modules', '.cache', 'tracehound-fuzz');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, 'harness.mjs');
  // A directory output: the ingest is a dynamic import (its own chunk).
  await build({
    input: join(root, 'test', 'fuzz', 'harness.ts'),
    platform: 'node',
    // Packages stay external: resolved from node_modules beside the bundle.
    external: (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0'),
    logLevel: 'warn',
    // Modules being written by others may be absent: the targets that need them fail when
    // run (with this message) while every other target still fuzzes.
    shimMissingExports: true,
    onLog(level, log, handler) {
      if (log.code !== 'SHIMMED_EXPORT') handler(level, log);
    },
    plugins: [
      {
        name: 'absent-module',
        resolveId(source, importer) {
          if (!importer || !source.startsWith('.')) return null;
          const p = resolve(dirname(importer), source);
          if (existsSync(p) || existsSync(p.replace(/\.js$/, '.ts'))) return null;
          console.log(`fuzz: note: ${p} is absent (imported by ${importer}); targets that need it will fail`);
          return `\0absent:${p}`;
        },
        load(id) {
          return id.startsWith('\0absent:')
            ? `throw new Error(${JSON.stringify(`${id.slice(8)} did not exist when the fuzzer was bundled`)});`
            : null;
        },
      },
    ],
    output: { dir: outDir, entryFileNames: 'harness.mjs', chunkFileNames: '[name]-[hash].mjs', format: 'esm', sourcemap: 'inline' },
    write: true,
  });
  return file;
}

async function main() {
  let args;
  try {
    args = parseArgs({
      options: {
        seed: { type: 'string' },
        minutes: { type: 'string', default: '2' },
        target: { type: 'string' },
        index: { type: 'string' },
        list: { type: 'boolean' },
      },
    }).values;
  } catch (e) {
    console.error(`fuzz: ${e.message}`);
    process.exit(2);
  }
  const seed = args.seed !== undefined ? Number(args.seed) : Math.floor(Math.random() * 2 ** 31);
  const minutes = Number(args.minutes);
  if (!Number.isSafeInteger(seed) || !(minutes > 0)) {
    console.error('fuzz: --seed must be an integer and --minutes a positive number');
    process.exit(2);
  }
  const harness = await bundle();
  const corpus = resolve(root, '..', 'shared', 'corpus');
  const data = {
    harness: pathToFileURL(harness).href,
    seed,
    ms: minutes * 60_000,
    targets: args.target?.split(',') ?? null,
    index: args.index !== undefined ? Number(args.index) : null,
    list: Boolean(args.list),
    corpus,
  };

  // progress[0] = target number + 1 (0: between inputs), progress[1] = input index.
  const progress = new Int32Array(new SharedArrayBuffer(8));
  let failures = 0;
  let names = [];
  const started = Date.now();
  if (!data.list && data.index === null)
    console.log(`fuzz: seed ${seed}, ${minutes} min${data.targets ? `, targets ${data.targets.join(', ')}` : ''}`);

  for (;;) {
    const w = new Worker(fileURLToPath(import.meta.url), { workerData: { ...data, progress } });
    const result = await new Promise((resolvePromise) => {
      let last = [-1, -1];
      let since = Date.now();
      const timer = setInterval(() => {
        const now = [Atomics.load(progress, 0), Atomics.load(progress, 1)];
        if (now[0] !== last[0] || now[1] !== last[1]) {
          last = now;
          since = Date.now();
        } else if (now[0] > 0 && Date.now() - since > HANG_MS) {
          clearInterval(timer);
          void w.terminate();
          resolvePromise({ hang: { target: names[now[0] - 1] ?? `#${now[0] - 1}`, index: now[1] } });
        }
      }, 1000);
      w.on('message', (m) => {
        if (m.type === 'names') names = m.names;
        else if (m.type === 'line') console.log(m.text);
        else if (m.type === 'failures') failures += m.count;
        else if (m.type === 'done') {
          clearInterval(timer);
          resolvePromise({ done: true });
        }
      });
      w.on('error', (e) => {
        clearInterval(timer);
        resolvePromise({ error: e });
      });
      w.on('exit', () => {
        clearInterval(timer);
        resolvePromise({ error: new Error('fuzz worker exited') });
      });
    });
    if (result.hang) {
      failures++;
      console.log(
        `\n${result.hang.target}: hang: no progress for ${HANG_MS / 1000} s\n  replay: npm run fuzz -- --seed ${seed} --target ${result.hang.target} --index ${result.hang.index}`,
      );
      // Carry on with the time left, skipping the input that hung.
      const left = data.ms - (Date.now() - started);
      if (left <= 0 || data.index !== null) break;
      data.ms = left;
      data.resume = { target: result.hang.target, index: result.hang.index + 1 };
      continue;
    }
    if (result.error) {
      console.error(`fuzz: ${result.error.stack ?? result.error.message}`);
      process.exit(1);
    }
    break;
  }
  process.exit(failures ? 1 : 0);
}

async function worker() {
  const d = workerData;
  const h = await import(d.harness);
  const send = (text) => parentPort.postMessage({ type: 'line', text });
  h.setCorpusDir(d.corpus);
  const all = h.targets();
  parentPort.postMessage({ type: 'names', names: all.map((t) => t.name) });
  if (d.list) {
    send(all.map((t) => t.name).join('\n'));
    parentPort.postMessage({ type: 'done' });
    return;
  }
  const chosen = d.targets ? d.targets.map((n) => h.target(n)) : all;

  if (d.index !== null) {
    // Replay one input of each chosen target.
    let failed = 0;
    for (const t of chosen) {
      try {
        const r = await h.replay(t.name, d.seed, d.index);
        send(`${t.name}: input ${d.index} of seed ${d.seed} (${r.length} bytes; ${r.origin}): ok`);
      } catch (e) {
        failed++;
        send(`${t.name}: input ${d.index} of seed ${d.seed}: ${e.stack ?? e}`);
      }
    }
    parentPort.postMessage({ type: 'failures', count: failed });
    parentPort.postMessage({ type: 'done' });
    h.cleanupScratch();
    return;
  }

  const stats = new Map(
    chosen.map((t) => [t.name, { inputs: 0, ms: 0, maxMs: 0, failures: 0, next: d.resume?.target === t.name ? d.resume.index : 0 }]),
  );
  const heap0 = h.heapUsed();
  const deadline = performance.now() + d.ms;
  const printed = new Map();
  while (performance.now() < deadline) {
    for (let i = 0; i < chosen.length && performance.now() < deadline; i++) {
      const t = chosen[i];
      const s = stats.get(t.name);
      const num = all.indexOf(t) + 1;
      const st = await h.runTarget(t, {
        seed: d.seed,
        startIndex: s.next,
        ms: Math.min(SLICE_MS, Math.max(1, deadline - performance.now())),
        onInput: (index) => {
          Atomics.store(d.progress, 0, num);
          Atomics.store(d.progress, 1, index);
        },
      });
      Atomics.store(d.progress, 0, 0);
      s.next += st.inputs;
      s.inputs += st.inputs;
      s.ms += st.ms;
      s.maxMs = Math.max(s.maxMs, st.maxMs);
      s.failures += st.failures.length;
      for (const f of st.failures) {
        const n = printed.get(t.name) ?? 0;
        printed.set(t.name, n + 1);
        if (n < MAX_PRINTED) send(`\n${h.formatFailure(f)}`);
      }
      if (st.failures.length) parentPort.postMessage({ type: 'failures', count: st.failures.length });
    }
  }
  const heap1 = h.heapUsed();
  send(`\n${'target'.padEnd(22)} ${'inputs'.padStart(9)} ${'inputs/s'.padStart(9)} ${'max ms'.padStart(7)} failures`);
  for (const [name, s] of stats) {
    send(
      `${name.padEnd(22)} ${String(s.inputs).padStart(9)} ${(s.inputs / Math.max(s.ms / 1000, 1e-3)).toFixed(0).padStart(9)} ${s.maxMs.toFixed(0).padStart(7)} ${s.failures}`,
    );
  }
  send(`heap: ${(heap0 / 2 ** 20).toFixed(1)} MiB at the start, ${(heap1 / 2 ** 20).toFixed(1)} MiB at the end (after GC)`);
  send(`seed ${d.seed}: replay any input with npm run fuzz -- --seed ${d.seed} --target NAME --index I`);
  h.cleanupScratch();
  parentPort.postMessage({ type: 'done' });
}
