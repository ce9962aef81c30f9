/**
 * Ingest through the compiled engine (worker threads need compiled JS): the parse
 * worker and the in-line path give identical cases, progress is reported, cancellation
 * leaves a consistent case, and an interrupted bulk load is detected.
 */
import { existsSync, writeFileSync } from 'node:fs';
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
});
