/**
 * Faults, end to end through the built CLI (bin/tracehound.mjs → dist/; skipped with a message
 * when it is not built — `npm test` builds first):
 *  (a) an ingest killed with SIGKILL mid-way: the case reads as incomplete (IngestError
 *      'interrupted', one clear line), nothing half-written is visible as complete, and the
 *      next ingest rebuilds it fully; without --case, the next open re-indexes by itself;
 *  (b) disk full: a real EFBIG from `ulimit -f` in a child (bash), during an ingest and during
 *      an object export, and ENOSPC injected into node:fs in-process for exportObjects: the
 *      error names the cause, the case stays consistent, no partial file is left behind and
 *      no half-written file carries a final name;
 *  (c) two processes on one case: an ingest beside filters, and a writer waiting out another
 *      process's lock within the busy timeout; both finish and `PRAGMA integrity_check` is ok.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { exportObjects, listObjects } from '../electron/engine/analyze/replay.js';
import { PcapWriter } from '../electron/engine/capture/writer.js';
import { openTarget } from '../electron/engine/case/resolve.js';
import { IngestError, ingestCapture } from '../electron/engine/ingest/pipeline.js';
import { CaseStore } from '../electron/engine/store/case-store.js';
import { packetId } from '../electron/engine/store/schema.js';
import { generateTraffic } from '../electron/engine/synth/traffic.js';
import { tmpDir } from './support/shared.js';

/** Injected ENOSPC for node:fs writes (off unless a test turns it on). */
const inject = vi.hoisted(() => ({ enospc: false, writes: 0 }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const writeSync = ((...args: Parameters<typeof fs.writeSync>) => {
    if (inject.enospc && inject.writes-- <= 0) {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    }
    return (fs.writeSync as (...a: unknown[]) => number)(...args);
  }) as typeof fs.writeSync;
  return { ...fs, default: { ...fs, writeSync }, writeSync };
});

const root = resolve(import.meta.dirname, '..');
const cli = join(root, 'bin', 'tracehound.mjs');
const built = existsSync(join(root, 'dist', 'electron', 'cli', 'main.js'));
const NOT_BUILT = 'skipped: dist/ is not built (run `npm run build`; `npm test` does)';
if (!built) console.warn(`faults.test.ts: CLI cases ${NOT_BUILT}`);
const hasBash = spawnSync('bash', ['-c', 'ulimit -f 1'], { stdio: 'ignore' }).status === 0;

const tmp = tmpDir('th-faults-');
afterAll(() => tmp.cleanup());

/** A capture from the project's generator (HTTP with bodies, TLS, SMB2, DNS); returns its packet count. */
function writeTraffic(path: string, mib: number, seed: number): number {
  const w = new PcapWriter({ path });
  try {
    return generateTraffic(w, { targetBytes: mib * 2 ** 20, seed }).packets;
  } finally {
    w.close();
  }
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** The built CLI, synchronously (own cache dir unless `env` says otherwise). */
function th(args: string[], env: NodeJS.ProcessEnv = {}, timeout = 120_000): Run {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout, env: { ...process.env, TRACEHOUND_CACHE: join(tmp.dir, 'cache'), ...env } });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - t0 };
}

/** The built CLI under `ulimit -f KIB` (a file-size limit: writes past it fail with EFBIG, as on a full disk). */
function thLimited(kib: number, args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const t0 = performance.now();
  const quoted = [process.execPath, cli, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = spawnSync('bash', ['-c', `ulimit -f ${kib} && exec ${quoted}`], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, TRACEHOUND_CACHE: join(tmp.dir, 'cache'), ...env },
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - t0 };
}

/** The CLI in the background; resolves when it exits. */
function thAsync(args: string[], env: NodeJS.ProcessEnv = {}): { child: ReturnType<typeof spawn>; done: Promise<Run> } {
  const t0 = performance.now();
  const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, TRACEHOUND_CACHE: join(tmp.dir, 'cache'), ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<Run>((res, rej) => {
    child.on('error', rej);
    child.on('close', (code, signal) => res({ code, signal, stdout, stderr, ms: performance.now() - t0 }));
  });
  return { child, done };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const size = (p: string) => (existsSync(p) ? statSync(p).size : 0);

/** Polls until `cond` holds (or throws after `ms`). */
async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** PRAGMA integrity_check and what a reader sees, straight from SQLite (read-only). */
function inspect(casePath: string): { integrity: string; complete: { id: number; packets: number; rows: number }[]; ingesting: number } {
  const db = new Database(casePath, { readonly: true, fileMustExist: true });
  try {
    const integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
    const caps = db.prepare("SELECT id, packets FROM captures WHERE status NOT IN ('ingesting', 'cancelled') ORDER BY id").all() as { id: number; packets: number }[];
    const rows = db.prepare('SELECT count(*) FROM packets WHERE id >= ? AND id < ?').pluck();
    // Each capture's own packet rows (ids are packetId(capture, frame)).
    const complete = caps.map((c) => ({ ...c, rows: rows.get(packetId(c.id, 0), packetId(c.id + 1, 0)) as number }));
    const ingesting = db.prepare("SELECT count(*) FROM captures WHERE status = 'ingesting'").pluck().get() as number;
    return { integrity, complete, ingesting };
  } finally {
    db.close();
  }
}

/** One line on stderr, no stack trace. */
function oneClearLine(stderr: string): void {
  expect(stderr.trim().split('\n')).toHaveLength(1);
  expect(stderr).not.toMatch(/^\s+at /m);
}

// ---------------------------------------------------------------------------------------- (a)

describe.skipIf(!built)('(a) an ingest killed with SIGKILL', () => {
  // Big enough that the ingest takes seconds on a 2-core machine: the kill lands mid-load.
  const capture = join(tmp.dir, 'big.pcap');
  let total = 0;
  beforeAll(() => {
    total = writeTraffic(capture, 120, 3);
  }, 120_000);

  /** Starts an ingest, waits until rows are being written (`grown()`), kills it with SIGKILL. */
  async function killMidIngest(args: string[], grown: () => boolean, env: NodeJS.ProcessEnv = {}): Promise<Run> {
    const { child, done } = thAsync(args, env);
    let exited = false;
    void done.then(() => (exited = true));
    await until(() => grown() || exited, 60_000, 'the bulk load to start');
    child.kill('SIGKILL');
    const r = await done;
    // A run that finished before the kill would prove nothing.
    expect(r.signal, `the ingest ended before the kill: ${r.stderr}`).toBe('SIGKILL');
    return r;
  }

  it('--case FILE: reopening says the case is incomplete; ingesting again rebuilds it fully', async () => {
    const casePath = join(tmp.dir, 'killed.thcase');
    await killMidIngest(['ingest', capture, '--case', casePath], () => existsSync(`${casePath}.ingesting`) && size(casePath) + size(`${casePath}-wal`) > 2 * 2 ** 20);
    expect(existsSync(`${casePath}.ingesting`)).toBe(true);

    // The CLI: one clear line, exit 2, for every command that reads the case.
    for (const args of [['stats', casePath], ['filter', casePath, 'tcp', '--count'], ['packets', casePath]]) {
      const r = th(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^tracehound: .*killed\.thcase: the ingest that wrote this case was interrupted, so the case is incomplete; index the capture again\n$/);
      oneClearLine(r.stderr);
    }
    // The engine: IngestError 'interrupted'.
    const e = await openTarget(casePath).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(IngestError);
    expect((e as IngestError).kind).toBe('interrupted');

    // Nothing half-written reads as complete: SQLite sees no finished capture.
    const seen = inspect(casePath);
    expect(seen.complete).toEqual([]);

    // Ingest again: rebuilt from scratch, every packet, marker gone, database sound.
    const again = th(['ingest', capture, '--case', casePath, '--json'], {}, 300_000);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ reused: false, capture: { packets: total, status: 'complete' } });
    expect(existsSync(`${casePath}.ingesting`)).toBe(false);
    const after = inspect(casePath);
    expect(after.integrity).toBe('ok');
    expect(after.complete).toEqual([{ id: expect.any(Number) as number, packets: total, rows: total }]);
    expect(after.ingesting).toBe(0);
    const stats = th(['stats', casePath, '--json']);
    expect(stats.code).toBe(0);
    expect(JSON.parse(stats.stdout).packets).toBe(total);
  }, 600_000);

  it('the cache (no --case): the next open re-indexes without user action', async () => {
    const cache = join(tmp.dir, 'cache-kill');
    const cases = join(cache, 'cases');
    const loading = () => (existsSync(cases) ? readdirSync(cases).filter((f) => f.endsWith('.thcase')) : []);
    await killMidIngest(['ingest', capture], () => loading().some((f) => existsSync(join(cases, `${f}.ingesting`)) && size(join(cases, f)) + size(join(cases, `${f}-wal`)) > 2 * 2 ** 20), { TRACEHOUND_CACHE: cache });
    // The killed load never reached the index: nothing points at it.
    const idx = existsSync(join(cache, 'index.json')) ? (JSON.parse(readFileSync(join(cache, 'index.json'), 'utf8')) as Record<string, string>) : {};
    expect(Object.keys(idx)).toEqual([]);

    const r = th(['stats', capture, '--json'], { TRACEHOUND_CACHE: cache }, 300_000);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ packets: total, status: 'complete' });
    const sha = (JSON.parse(r.stdout) as { sha256: string }).sha256;
    const final = join(cases, `${sha}.thcase`);
    expect(inspect(final)).toMatchObject({ integrity: 'ok', complete: [{ packets: total, rows: total }], ingesting: 0 });
    // And a second open reuses it.
    const again = th(['ingest', capture], { TRACEHOUND_CACHE: cache });
    expect(again.stdout).toMatch(/already indexed/);
  }, 600_000);
});

// ---------------------------------------------------------------------------------------- (b)

describe.skipIf(!built || !hasBash)('(b) disk full (EFBIG from ulimit -f in a child process)', () => {
  // Under the parse-worker threshold: the whole ingest runs on the writer thread.
  const capture = join(tmp.dir, 'small.pcap');
  let total = 0;
  beforeAll(() => {
    total = writeTraffic(capture, 12, 5);
  });

  it('ingest --case: the error names the cause; the case reopens consistent and a later ingest completes', () => {
    const casePath = join(tmp.dir, 'full.thcase');
    const r = thLimited(512, ['ingest', capture, '--case', casePath]);
    expect(r.code).not.toBe(0);
    expect(r.signal).toBeNull(); // Node ignores SIGXFSZ: the write fails with EFBIG instead of killing the process
    expect(r.stderr).toMatch(/disk I\/O error|database or disk is full|EFBIG|file too large/i);

    // Reopen: no capture is presented as complete, SQLite finds the file sound.
    const seen = inspect(casePath);
    expect(seen.integrity).toBe('ok');
    expect(seen.complete).toEqual([]);
    const s = th(['stats', casePath]);
    expect(s.code).toBe(2);
    oneClearLine(s.stderr);
    expect(s.stderr).toMatch(/holds no capture|interrupted/);

    // With room again: every packet.
    const ok = th(['ingest', capture, '--case', casePath, '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ capture: { packets: total, status: 'complete' } });
    expect(inspect(casePath)).toMatchObject({ integrity: 'ok', complete: [{ packets: total, rows: total }], ingesting: 0 });
  }, 180_000);

  it('ingest into the cache: the failed case is removed and never indexed; the next open works', () => {
    const cache = join(tmp.dir, 'cache-full');
    const r = thLimited(512, ['ingest', capture], { TRACEHOUND_CACHE: cache });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/disk I\/O error|database or disk is full|EFBIG|file too large/i);
    expect(readdirSync(join(cache, 'cases')).filter((f) => f.includes('.thcase'))).toEqual([]);
    expect(existsSync(join(cache, 'index.json'))).toBe(false);
    const ok = th(['stats', capture, '--json'], { TRACEHOUND_CACHE: cache });
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).packets).toBe(total);
  }, 180_000);

  it('objects --export: no partial file is left and every file under a final name is whole', () => {
    const casePath = join(tmp.dir, 'objects.thcase');
    expect(th(['ingest', capture, '--case', casePath]).code).toBe(0);
    const store = CaseStore.open(casePath, { readonly: true });
    const objs = listObjects(store, 1);
    store.close();
    const LIMIT_KIB = 200;
    // The traffic carries bodies larger than the limit (a full disk part-way through the export).
    expect(objs.some((o) => o.size > LIMIT_KIB * 1024)).toBe(true);

    const dir = join(tmp.dir, 'export-full');
    const r = thLimited(LIMIT_KIB, ['objects', casePath, '--export', dir]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/EFBIG|file too large/);
    const files = readdirSync(dir);
    expect(files.filter((f) => f.endsWith('.partial'))).toEqual([]);
    const byId = new Map(objs.map((o) => [o.id, o]));
    for (const f of files) {
      const o = byId.get(Number(/^(\d+)-/.exec(f)?.[1]));
      expect(o, f).toBeDefined();
      const bytes = readFileSync(join(dir, f));
      if (o!.sha256) expect(createHash('sha256').update(bytes).digest('hex'), f).toBe(o!.sha256);
      expect(bytes.length).toBeLessThanOrEqual(LIMIT_KIB * 1024);
    }
    // The case is untouched by the failure.
    expect(inspect(casePath)).toMatchObject({ integrity: 'ok', complete: [{ packets: total, rows: total }] });
  }, 180_000);
});

describe('(b) disk full, injected: ENOSPC from node:fs during exportObjects', () => {
  it('throws the ENOSPC error, leaves no .partial and no final-named file for the failed object', async () => {
    const capture = join(tmp.dir, 'inject.pcap');
    writeTraffic(capture, 3, 6);
    const store = CaseStore.open(join(tmp.dir, 'inject.thcase'));
    try {
      const r = await ingestCapture({ capturePath: capture, store, threads: 'inline' });
      const objs = listObjects(store, r.captureId);
      expect(objs.length).toBeGreaterThan(3);

      // The first write of the first file fails.
      const first = join(tmp.dir, 'export-enospc-1');
      inject.enospc = true;
      inject.writes = 0;
      let err: unknown;
      try {
        exportObjects(store, r.captureId, first);
      } catch (e) {
        err = e;
      } finally {
        inject.enospc = false;
      }
      expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
      expect(readdirSync(first)).toEqual([]);

      // A later one fails: the files before it are whole, nothing else is there.
      const later = join(tmp.dir, 'export-enospc-2');
      inject.enospc = true;
      inject.writes = 2;
      try {
        exportObjects(store, r.captureId, later);
      } catch (e) {
        err = e;
      } finally {
        inject.enospc = false;
      }
      expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
      const left = readdirSync(later);
      expect(left.filter((f) => f.startsWith('.') || f.endsWith('.partial'))).toEqual([]);
      expect(left.length).toBeLessThanOrEqual(2);
      const all = exportObjects(store, r.captureId, join(tmp.dir, 'export-ok'));
      for (const f of left) {
        const whole = all.find((w) => w.path.endsWith(`/${f}`))!;
        expect(createHash('sha256').update(readFileSync(join(later, f))).digest('hex')).toBe(whole.sha256);
      }
    } finally {
      inject.enospc = false;
      store.close();
    }
  }, 60_000);

  it.skipIf(process.getuid?.() === 0)('a read-only folder: EACCES, nothing written', async () => {
    const capture = join(tmp.dir, 'ro.pcap');
    writeTraffic(capture, 1, 8);
    const store = CaseStore.open(join(tmp.dir, 'ro.thcase'));
    const dir = join(tmp.dir, 'ro-export');
    try {
      const r = await ingestCapture({ capturePath: capture, store, threads: 'inline' });
      exportObjects(store, r.captureId, dir, [-1]); // creates the folder, writes nothing
      chmodSync(dir, 0o555);
      expect(() => exportObjects(store, r.captureId, dir)).toThrow(/EACCES/);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      chmodSync(dir, 0o755);
      store.close();
    }
  });
});

// ---------------------------------------------------------------------------------------- (c)

describe.skipIf(!built)('(c) two processes on one case', () => {
  const a = join(tmp.dir, 'conc-a.pcap');
  const b = join(tmp.dir, 'conc-b.pcap');
  let totalA = 0;
  let totalB = 0;
  beforeAll(() => {
    totalA = writeTraffic(a, 8, 9);
    totalB = writeTraffic(b, 15, 10);
  });

  it('an ingest adding a capture while another process runs filters: both finish, counts hold, integrity ok', async () => {
    const casePath = join(tmp.dir, 'conc.thcase');
    expect(th(['ingest', a, '--case', casePath]).code).toBe(0);
    const solo = th(['filter', casePath, 'tcp.port == 80 || dns', '--count']);
    expect(solo.code, solo.stderr).toBe(0);
    const expected = solo.stdout;

    const writer = thAsync(['ingest', b, '--case', casePath, '--json']);
    let writing = true;
    void writer.done.then(() => (writing = false));
    const reads: Run[] = [];
    // Filters in a second process for as long as the ingest runs (at least two, at most a bound).
    while ((writing || reads.length < 2) && reads.length < 40) {
      const r = thAsync(['filter', casePath, 'tcp.port == 80 || dns', '--count']);
      reads.push(await r.done);
    }
    const w = await writer.done;
    expect(w.code, w.stderr).toBe(0);
    expect(JSON.parse(w.stdout)).toMatchObject({ capture: { packets: totalB, status: 'complete' } });
    for (const r of reads) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(expected);
    }
    expect(inspect(casePath)).toMatchObject({
      integrity: 'ok',
      complete: [{ packets: totalA, rows: totalA }, { packets: totalB, rows: totalB }],
      ingesting: 0,
    });
  }, 300_000);

  it('filters on a case still being created: a clear "no capture yet" or the answer, never damage', async () => {
    const casePath = join(tmp.dir, 'conc-fresh.thcase');
    const writer = thAsync(['ingest', b, '--case', casePath]);
    let writing = true;
    void writer.done.then(() => (writing = false));
    const reads: Run[] = [];
    while (writing && reads.length < 40) {
      if (existsSync(casePath)) reads.push(await thAsync(['filter', casePath, 'tcp', '--count']).done);
      else await sleep(10);
    }
    const w = await writer.done;
    expect(w.code, w.stderr).toBe(0);
    for (const r of reads) {
      if (r.code === 0) expect(Number(r.stdout)).toBeGreaterThan(0);
      else {
        expect(r.code).toBe(2);
        oneClearLine(r.stderr);
        expect(r.stderr).toMatch(/holds no capture|interrupted|no such file/);
      }
    }
    expect(inspect(casePath)).toMatchObject({ integrity: 'ok', complete: [{ packets: totalB, rows: totalB }], ingesting: 0 });
  }, 300_000);

  it('a writer waits out another process holding the write lock (busy timeout), then completes', async () => {
    const casePath = join(tmp.dir, 'conc-lock.thcase');
    expect(th(['ingest', a, '--case', casePath]).code).toBe(0);
    const db = new Database(casePath);
    db.pragma('busy_timeout = 5000');
    db.exec('BEGIN IMMEDIATE');
    const HOLD_MS = 1500;
    const writer = thAsync(['ingest', b, '--case', casePath, '--json']);
    await sleep(HOLD_MS);
    db.exec('COMMIT');
    db.close();
    const w = await writer.done;
    expect(w.code, w.stderr).toBe(0);
    expect(JSON.parse(w.stdout)).toMatchObject({ capture: { packets: totalB, status: 'complete' } });
    expect(inspect(casePath)).toMatchObject({ integrity: 'ok', complete: [{ packets: totalA }, { packets: totalB }] });
  }, 120_000);
});
