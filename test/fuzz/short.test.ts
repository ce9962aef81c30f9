/**
 * The short fuzz run inside `npm test`: every registered target for a fixed number of
 * seeded inputs (capped in time, so a slow machine covers fewer rather than timing out),
 * fast-check properties over arbitrary bytes, truncation at every record boundary, and a
 * heap-growth check. The long run is `npm run fuzz` (scripts/fuzz.mjs).
 *
 * A failure prints its replay line; FUZZ_SEED=N runs the same suite on another seed.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';

import { CORPUS_DIR, hasCorpus } from '../support/shared.js';
import {
  captureSeeds,
  cleanupScratch,
  formatFailure,
  heapUsed,
  ingestOnce,
  readCapture,
  recordsBefore,
  Rng,
  runTarget,
  scratch,
  setCorpusDir,
  target,
  targets,
  type FuzzTarget,
} from './harness.js';
import { join } from 'node:path';

const SEED = Number(process.env.FUZZ_SEED ?? 20240312);
/** The short run is on a noisy 2-core machine: time bounds are 4x the long run's. */
const TIME_SCALE = 4;

setCorpusDir(hasCorpus ? CORPUS_DIR : null);
afterAll(() => cleanupScratch());

/** Inputs and a wall-clock cap per target: ~15 s in all on an idle 2-core machine, at most
 * ~30 s on a loaded one (the caps then cut the input counts). */
const BUDGET: Record<string, { inputs: number; ms: number }> = {
  detect: { inputs: 5000, ms: 1000 },
  pcap: { inputs: 300, ms: 2000 },
  pcapng: { inputs: 600, ms: 2000 },
  gzip: { inputs: 12, ms: 1500 },
  zstd: { inputs: 12, ms: 1500 },
  tree: { inputs: 3000, ms: 1500 },
  ingest: { inputs: 50, ms: 3000 },
  'dissect:fragments': { inputs: 300, ms: 1500 },
};
const DISSECT_BUDGET = { inputs: 8000, ms: 800 };
const ANALYZE_BUDGET = { inputs: 3000, ms: 1000 };

async function fuzz(t: FuzzTarget): Promise<void> {
  const b =
    BUDGET[t.name] ??
    (t.name.startsWith('dissect:') ? DISSECT_BUDGET : t.name.startsWith('analyze:') ? ANALYZE_BUDGET : { inputs: 500, ms: 1000 });
  const st = await runTarget(t, { seed: SEED, inputs: b.inputs, ms: b.ms, timeScale: TIME_SCALE });
  expect(st.inputs).toBeGreaterThan(0);
  expect(st.failures.slice(0, 3).map(formatFailure)).toEqual([]);
}

describe(`seeded inputs into every target (seed ${SEED})`, () => {
  for (const t of targets()) it(t.name, () => fuzz(t), 30_000);
});

describe('fast-check: arbitrary bytes', () => {
  const viaTarget = (name: string, maxLength: number, numRuns: number) =>
    it(`${name} (${numRuns} runs)`, () => {
      const t = target(name);
      fc.assert(
        fc.property(fc.uint8Array({ maxLength }), fc.integer(), (bytes, seed) => {
          void t.run(bytes, new Rng(seed), { kind: 'random', ops: [] });
        }),
        { numRuns, seed: SEED },
      );
    }, 30_000);
  viaTarget('pcap', 1024, 400);
  viaTarget('pcapng', 1024, 400);
  viaTarget('detect', 8, 500);
  for (const t of targets()) if (t.name.startsWith('dissect:') && t.name !== 'dissect:fragments') viaTarget(t.name, 300, 300);
  viaTarget('tree', 300, 300);

  it('pcap/pcapng: a magic number then arbitrary bytes, in arbitrary chunks', () => {
    const magic = fc.constantFrom([0xd4, 0xc3, 0xb2, 0xa1], [0xa1, 0xb2, 0xc3, 0xd4], [0x4d, 0x3c, 0xb2, 0xa1], [0x0a, 0x0d, 0x0d, 0x0a]);
    fc.assert(
      fc.property(
        magic,
        fc.uint8Array({ maxLength: 1500 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { maxLength: 40 }),
        (m, rest, cuts) => {
          const bytes = Uint8Array.from([...m, ...rest]);
          const fmt = m[0] === 0x0a ? 'pcapng' : 'pcap';
          const chunks: number[] = [];
          let left = bytes.length;
          for (const c of cuts) {
            if (left === 0) break;
            chunks.push(Math.min(c, left));
            left -= Math.min(c, left);
          }
          if (left) chunks.push(left);
          const a = readCapture(fmt, bytes, null);
          const b = readCapture(fmt, bytes, chunks);
          expect(b.records).toEqual(a.records);
          expect([b.error?.kind, b.error?.offset]).toEqual([a.error?.kind, a.error?.offset]);
        },
      ),
      { numRuns: 1000, seed: SEED },
    );
  }, 30_000);
});

describe('truncation at every record boundary keeps exactly the records before it', () => {
  it('readers: every boundary and ±3 bytes, every writer-built seed', () => {
    for (const s of captureSeeds()) {
      const fmt = s.name.startsWith('pcapng') ? 'pcapng' : 'pcap';
      for (const b of s.boundaries!) {
        for (let d = -3; d <= 3; d++) {
          const cut = b + d;
          if (cut < 0 || cut > s.bytes.length) continue;
          const r = readCapture(fmt, s.bytes.subarray(0, cut), null, false);
          expect(r.ends.length, `${s.name} cut at ${cut}`).toBe(recordsBefore(s, cut));
          const atBoundary = s.boundaries!.includes(cut);
          if (!atBoundary) expect(r.error?.kind, `${s.name} cut at ${cut}`).toMatch(/^(truncated|empty)/);
          else if (cut >= 24) expect(r.error, `${s.name} cut at ${cut}`).toBeNull();
        }
      }
    }
  }, 30_000);

  it('the whole ingest: a cut inside every record of a pcap and a pcapng', async () => {
    let ingests = 0;
    for (const s of [captureSeeds()[0]!, captureSeeds().find((x) => x.name.startsWith('pcapng('))!]) {
      const ends = s.recordEnds!;
      for (let i = 0; i < ends.length; i += 2) {
        // One byte short of the record's end: it and everything after is lost, the rest kept.
        const cut = ends[i]! - 1;
        const r = await ingestOnce(s.bytes.subarray(0, cut), join(scratch(), 'cut.bin'), {
          kind: 'mutated',
          seed: s,
          ops: [`cut@${cut}`],
          cut,
        });
        expect(r.packets, `${s.name} cut at ${cut}`).toBe(i);
        ingests++;
      }
    }
    expect(ingests).toBeGreaterThan(40);
  }, 60_000);
});

describe('memory stays bounded over a run', () => {
  // A second run of the same length must not grow the heap: what a target allocates per
  // input is garbage by the end of it (reassembly tables and caches have fixed caps).
  for (const [name, inputs, capMiB] of [
    ['dissect:ethernet', 20_000, 8],
    ['pcapng', 400, 8],
    ['ingest', 40, 16],
  ] as const) {
    it(`${name}: heap growth between two runs of ${inputs} inputs < ${capMiB} MiB`, async () => {
      const t = target(name);
      await runTarget(t, { seed: SEED + 1, inputs, ms: 2000 });
      const before = heapUsed();
      await runTarget(t, { seed: SEED + 2, inputs, ms: 2000 });
      const after = heapUsed();
      expect((after - before) / 2 ** 20).toBeLessThan(capMiB);
    }, 40_000);
  }
});

describe('the harness itself', () => {
  it('reports a failing input with a replay line that rebuilds the same bytes', async () => {
    const seen = new Map<number, string>();
    const t: FuzzTarget = {
      name: 'self-test',
      seeds: () => captureSeeds().slice(0, 1),
      run(bytes, _rng, origin) {
        seen.set(seen.size, `${bytes.length}:${origin.ops.join(',')}`);
        if (bytes.length % 7 === 3) throw new Error('boom');
      },
    };
    const a = await runTarget(t, { seed: 99, inputs: 200 });
    expect(a.failures.length).toBeGreaterThan(0);
    const f = a.failures[0]!;
    expect(formatFailure(f)).toContain(`npm run fuzz -- --seed 99 --target self-test --index ${f.index}`);
    const first = [...seen.values()];
    seen.clear();
    await runTarget(t, { seed: 99, inputs: 200 });
    expect([...seen.values()]).toEqual(first);
    const slow = await runTarget(
      {
        name: 'slow',
        timeBoundMs: 1,
        run: () => {
          const t0 = Date.now();
          while (Date.now() - t0 < 5);
        },
      },
      { seed: 1, inputs: 2 },
    );
    expect(slow.failures.map((x) => x.kind)).toEqual(['slow', 'slow']);
  }, 30_000);
});
