/**
 * Display filters through the whole engine (SQL back end + re-dissection evaluator) give
 * tshark's frame counts on every capture of ../shared/corpus. Live tshark; skipped with a
 * message where tshark or the corpus is absent.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CaseStore } from '../electron/engine/store/case-store.js';
import { ingestCapture } from '../electron/engine/ingest/pipeline.js';
import { countMatches, pageMatches, prepareFilter } from '../electron/engine/filter/run.js';
import { CORPUS_DIR, corpusFiles, hasCorpus, hasTshark, tmpDir } from './support/shared.js';
import { tsharkCounts } from './support/tshark.js';
import { ENGINE_FILTERS } from './support/engine-filters.js';

const why = !hasTshark ? '(skipped: tshark is not installed)' : !hasCorpus ? `(skipped: ${CORPUS_DIR} is absent)` : '';

describe.skipIf(why !== '')(`filter counts equal tshark's on the corpus ${why}`, () => {
  const tmp = tmpDir('th-fparity-');
  afterAll(() => tmp.cleanup());
  const files = corpusFiles().filter((f) => !f.startsWith('broken-') && !f.includes('zero-packets'));

  it.concurrent.each(files)('%s', async (f) => {
    const store = CaseStore.open(join(tmp.dir, `${f}.thcase`));
    try {
      const [r, oracle] = await Promise.all([
        ingestCapture({ capturePath: join(CORPUS_DIR, f), store, dataDir: join(tmp.dir, 'data'), threads: 'inline' }),
        tsharkCounts(join(CORPUS_DIR, f), ENGINE_FILTERS),
      ]);
      const diffs: string[] = [];
      for (const text of ENGINE_FILTERS) {
        const want = oracle.get(text);
        if (want === null || want === undefined) continue;
        let pf;
        try {
          pf = prepareFilter(store, r.captureId, text);
        } catch (e) {
          diffs.push(`${text}: tshark accepts it (${want} frames), ours says: ${(e as Error).message}`);
          continue;
        }
        const got = await countMatches(store, r.captureId, pf);
        if (got !== want) diffs.push(`${text}: tshark ${want}, ours ${got}`);
        else if (got > 0) {
          // Keyset paging agrees with the count.
          let n = 0;
          for (let page = await pageMatches(store, r.captureId, pf, 0, 400); page.length; page = await pageMatches(store, r.captureId, pf, page.at(-1)!, 400)) n += page.length;
          if (n !== got) diffs.push(`${text}: pages give ${n}, count ${got}`);
        }
      }
      expect(diffs).toEqual([]);
    } finally {
      store.close();
    }
  }, 120_000);
});
