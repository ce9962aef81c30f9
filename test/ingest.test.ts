/**
 * Ingest through the compiled engine (worker threads need compiled JS): the parse
 * worker and the in-line path give identical cases, progress is reported, cancellation
 * leaves a consistent case, and an interrupted bulk load is detected.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tmpDir } from './support/shared.js';

const dist = join(import.meta.dirname, '..', 'dist', 'electron', 'engine');
const built = existsSync(join(dist, 'index.js'));
type Engine = typeof import('../electron/engine/index.js');
type Traffic = typeof import('../electron/engine/synth/traffic.js');
type Writer = typeof import('../electron/engine/capture/writer.js');

describe.skipIf(!built)(`ingest through the built engine ${built ? '' : '(skipped: run `npm run build` first)'}`, () => {
  const tmp = tmpDir('th-ingest-');
  let engine: Engine;
  let capture: string;
  let written: { packets: number; bytes: number };

  beforeAll(async () => {
    engine = (await import(join(dist, 'index.js'))) as Engine;
    const traffic = (await import(join(dist, 'synth', 'traffic.js'))) as Traffic;
    const writer = (await import(join(dist, 'capture', 'writer.js'))) as Writer;
    capture = join(tmp.dir, 'mix.pcap');
    const w = new writer.PcapWriter({ path: capture });
    const r = traffic.generateTraffic(w, { targetBytes: 24 << 20, seed: 7 });
    w.close();
    written = { packets: r.packets, bytes: r.bytes };
  }, 60_000);
  afterAll(() => tmp.cleanup());

  function digest(casePath: string): { rows: number; sum: string } {
    const store = engine.CaseStore.open(casePath, { create: false });
    try {
      const rows = store.db.prepare('SELECT count(*) FROM packets').pluck().get() as number;
      const sum = store.db
        .prepare(
          `SELECT total(off) || '/' || total(caplen) || '/' || total(coalesce(src,0) * 3 + coalesce(dst,0)) || '/' || total(coalesce(sport,0)) || '/' ||
                  total(flags) || '/' || (SELECT count(*) FROM flows) || '/' || (SELECT count(*) FROM hosts) || '/' || total(length(info))
           FROM packets`,
        )
        .pluck()
        .get() as string;
      return { rows, sum };
    } finally {
      store.close();
    }
  }

  it('the parse worker and the in-line parser index the same rows', async () => {
    const a = join(tmp.dir, 'worker.thcase');
    const b = join(tmp.dir, 'inline.thcase');
    for (const [path, threads] of [[a, 'worker'], [b, 'inline']] as const) {
      const store = engine.CaseStore.open(path);
      const r = await engine.ingestCapture({ capturePath: capture, store, threads });
      expect(r.capture.packets).toBe(written.packets);
      expect(r.capture.status).toBe('complete');
      store.close();
    }
    const da = digest(a);
    expect(da.rows).toBe(written.packets);
    expect(da).toEqual(digest(b));
  }, 120_000);

  it('startIngestWorker reports progress and finishes', async () => {
    const progress: number[] = [];
    const job = engine.startIngestWorker({ capturePath: capture, casePath: join(tmp.dir, 'job.thcase') }, (p) => progress.push(p.bytesRead));
    const r = await job.done;
    expect(r.capture.packets).toBe(written.packets);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress).toEqual([...progress].sort((x, y) => x - y));
  }, 120_000);

  it('a cancelled ingest leaves a consistent case marked cancelled', async () => {
    const casePath = join(tmp.dir, 'cancel.thcase');
    let job: ReturnType<Engine['startIngestWorker']> | null = null;
    let cancelled = false;
    job = engine.startIngestWorker({ capturePath: capture, casePath }, (p) => {
      if (!cancelled && p.packets > 0) {
        cancelled = true;
        job!.cancel();
      }
    });
    const r = await job.done;
    const store = engine.CaseStore.open(casePath, { create: false });
    try {
      const c = store.capture(r.captureId)!;
      const rows = store.db.prepare('SELECT count(*) FROM packets').pluck().get() as number;
      expect(rows).toBe(c.packets);
      if (c.status === 'cancelled') {
        expect(c.packets).toBeLessThan(written.packets);
        expect(c.sha256.startsWith('pending:')).toBe(true);
      } else {
        // The machine was fast enough to finish before the cancel arrived.
        expect(c.packets).toBe(written.packets);
      }
      expect(existsSync(`${casePath}.ingesting`)).toBe(false);
    } finally {
      store.close();
    }
  }, 120_000);

  it('a case whose bulk load was killed is reported incomplete, and --case re-ingests it', async () => {
    const casePath = join(tmp.dir, 'killed.thcase');
    const store = engine.CaseStore.open(casePath);
    await engine.ingestCapture({ capturePath: capture, store, threads: 'inline' });
    store.close();
    writeFileSync(`${casePath}.ingesting`, '999999999');
    await expect(engine.openTarget(casePath)).rejects.toThrow(/interrupted/);
    const t = await engine.openTarget(capture, { caseFile: casePath });
    expect(t.ingest?.reused).toBe(false);
    expect(t.store.capture(t.captureId)!.packets).toBe(written.packets);
    t.store.close();
    expect(existsSync(`${casePath}.ingesting`)).toBe(false);
  }, 120_000);

  it('openTarget ingests in a worker thread: the same case as in-line, errors keep their class, cancel works', async () => {
    const a = join(tmp.dir, 'target-worker.thcase');
    const b = join(tmp.dir, 'target-inline.thcase');
    const progress: number[] = [];
    const ta = await engine.openTarget(capture, { caseFile: a, onProgress: (p) => progress.push(p.bytesRead) });
    const tb = await engine.openTarget(capture, { caseFile: b, threads: 'inline' });
    for (const t of [ta, tb]) {
      expect(t.store.capture(t.captureId)!.status).toBe('complete');
      t.store.close();
    }
    expect(progress.length).toBeGreaterThan(0);
    expect(digest(a)).toEqual(digest(b));
    // The evidence hash the writer thread computes behind the parser equals a plain hash.
    const sa = engine.CaseStore.open(a, { create: false });
    expect(sa.captures()[0]!.sha256).toBe(createHash('sha256').update(readFileSync(capture)).digest('hex'));
    sa.close();

    // A file that is not a case, given as --case: the worker's CaseError arrives as one.
    const junk = join(tmp.dir, 'junk.thcase');
    writeFileSync(junk, 'not a database at all, just text that is long enough '.repeat(200));
    const e = await engine.openTarget(capture, { caseFile: junk }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(engine.CaseError);
    expect((e as InstanceType<Engine['CaseError']>).code).toBe('not-a-case');

    // Cancelled through the signal: the case holds a consistent, cancelled capture.
    const ac = new AbortController();
    const c = join(tmp.dir, 'target-cancel.thcase');
    const tc = await engine.openTarget(capture, { caseFile: c, signal: ac.signal, onProgress: () => ac.abort() });
    const cap = tc.store.capture(tc.captureId)!;
    expect(['cancelled', 'complete']).toContain(cap.status);
    expect(tc.store.db.prepare('SELECT count(*) FROM packets').pluck().get()).toBe(cap.packets);
    tc.store.close();
  }, 180_000);

  it('a cache ingest killed mid-way leaves a temporary case that the next open removes', async () => {
    const cache = join(tmp.dir, 'cache');
    const cases = join(cache, 'cases');
    mkdirSync(cases, { recursive: true });
    // A process that has exited: its pid names a dead ingest.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(dead.stdout);
    for (const s of ['', '-wal', '-shm']) writeFileSync(join(cases, `tmp-${deadPid}-1.thcase${s}`), 'x');
    writeFileSync(join(cases, `tmp-${process.pid}-2.thcase`), 'x');
    const prev = process.env['TRACEHOUND_CACHE'];
    process.env['TRACEHOUND_CACHE'] = cache;
    try {
      const t = await engine.openTarget(capture);
      t.store.close();
    } finally {
      if (prev === undefined) delete process.env['TRACEHOUND_CACHE'];
      else process.env['TRACEHOUND_CACHE'] = prev;
    }
    const left = readdirSync(cases);
    expect(left.filter((n) => n.startsWith(`tmp-${deadPid}-`))).toEqual([]);
    // A live process's temporary case (an ingest in progress) is left alone.
    expect(left).toContain(`tmp-${process.pid}-2.thcase`);
    expect(left.filter((n) => /^[0-9a-f]{64}\.thcase$/.test(n))).toHaveLength(1);
  }, 120_000);

  it('with the parser in a worker, a path deleted mid-ingest is still read and hashed in full (Linux)', async (ctx) => {
    if (process.platform === 'win32') return ctx.skip();
    const path = join(tmp.dir, 'deleted-worker.pcap');
    copyFileSync(capture, path);
    const bytes = readFileSync(path);
    const store = engine.CaseStore.open(join(tmp.dir, 'deleted-worker.thcase'));
    let deleted = false;
    try {
      const r = await engine.ingestCapture({
        capturePath: path, store, threads: 'worker', reuse: false, progressIntervalMs: 0,
        onProgress: () => {
          if (deleted) return;
          deleted = true;
          unlinkSync(path);
        },
      });
      expect(deleted).toBe(true);
      expect(r.capture.status).toBe('complete');
      expect(r.capture.packets).toBe(written.packets);
      expect(r.capture.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    } finally {
      store.close();
    }
  }, 120_000);
});
