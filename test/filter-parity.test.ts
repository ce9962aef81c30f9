/**
 * Display filters through the whole engine (SQL back end + re-dissection evaluator) give
 * tshark's frame counts on every capture of ../shared/corpus. Live tshark; skipped with a
 * message where tshark or the corpus is absent.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CaseStore } from '../electron/engine/store/case-store.js';
import { ingestCapture } from '../electron/engine/ingest/pipeline.js';
import { countBefore, countMatches, pageMatches, prepareFilter } from '../electron/engine/filter/run.js';
import { CORPUS_DIR, corpusFiles, hasCorpus, hasTshark, tmpDir } from './support/shared.js';
import { tsharkCounts } from './support/tshark.js';
import { ENGINE_FILTERS } from './support/engine-filters.js';

/** Explained differences: capture → filters (by prefix) whose counts differ on purpose or by a known gap. */
const KNOWN: Record<string, { prefixes: string[]; why: string }> = {
  'pcap-nsec-le-http-get-to-ssh-server.pcap': {
    prefixes: ['http'],
    why: 'An HTTP request sent to port 22: Wireshark decodes SSH by port; Tracehound reads HTTP wherever the bytes say HTTP.',
  },
  'mixed-traffic-many-protocols.pcap': {
    prefixes: ['x509'],
    why: 'Certificates inside OCSP responses (TLS Certificate Status, HTTP OCSP) are not dissected into x509 fields.',
  },
  'pcapng-2if-ether-sll-packet-comments-isb.pcapng': {
    prefixes: ['http'],
    why: 'An HTTP response cut by the snap length: Wireshark dissects the captured part; Tracehound counts the missing tail as lost and never completes the message.',
  },
  'pcapng-2if-ether-sll-packet-comments-isb.pcapng.zst': {
    prefixes: ['http'],
    why: 'As the uncompressed copy: an HTTP response cut by the snap length.',
  },
  'kerberos-kinit-pkinit.pcap': {
    prefixes: ['x509'],
    why: 'The certificate inside a PKINIT AS-REQ is not dissected into x509 fields (only TLS certificates are).',
  },
};

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
      const known = KNOWN[f]?.prefixes ?? [];
      for (const text of ENGINE_FILTERS) {
        if (known.some((k) => text.startsWith(k))) continue;
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
          // The row of a frame in the filtered list (go to frame) agrees with the pages.
          const frames = await pageMatches(store, r.captureId, pf, 0, 3);
          const last = frames.at(-1)!;
          const rank = await countBefore(store, r.captureId, pf, last);
          if (rank !== frames.length - 1) diffs.push(`${text}: rank of frame ${last} is ${rank}, pages say ${frames.length - 1}`);
        }
      }
      expect(diffs).toEqual([]);
    } finally {
      store.close();
    }
  }, 300_000);
});
