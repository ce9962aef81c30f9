/**
 * The Protocol and Info columns the ingest stores (L2–L4 with relative TCP sequence
 * numbers, window scaling and ICMP echo pairing) equal tshark's on every corpus frame
 * whose tshark Protocol is an L2–L4 one. Run live; skipped when tshark or ../shared is absent.
 *
 * Not compared yet (documented gaps): frames carrying TCP analysis flags
 * ("[TCP Retransmission]", "[TCP Dup ACK…]": the TCP analysis issue) and TCP inside
 * VXLAN/GRE tunnels (the inner stream's relative numbers).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CaseStore } from '../electron/engine/store/case-store.js';
import { ingestCapture } from '../electron/engine/ingest/pipeline.js';
import { listPackets } from '../electron/engine/query/packets.js';
import type { PacketRow } from '../shared/model.js';
import { CORPUS_DIR, corpusFiles, hasCorpus, hasTshark, tmpDir } from './support/shared.js';

const run = promisify(execFile);
const L2_L4 = new Set(['TCP', 'UDP', 'ICMP', 'ARP', 'IPv4', 'IPv6', 'ICMPv6']);
const why = !hasTshark ? '(skipped: tshark is not installed)' : !hasCorpus ? `(skipped: ${CORPUS_DIR} is absent)` : '';

describe.skipIf(why !== '')(`Protocol and Info columns equal tshark's ${why}`, () => {
  const tmp = tmpDir('th-cols-');
  afterAll(() => tmp.cleanup());
  const files = corpusFiles().filter((f) => !f.startsWith('broken-'));

  it.concurrent.each(files)('%s', async (f) => {
    const store = CaseStore.open(join(tmp.dir, `${f}.thcase`));
    try {
      const [r, ts] = await Promise.all([
        ingestCapture({ capturePath: join(CORPUS_DIR, f), store, dataDir: join(tmp.dir, 'data'), threads: 'inline' }),
        run('tshark', ['-n', '-r', join(CORPUS_DIR, f), '-o', 'tcp.reassemble_out_of_order:TRUE', '-T', 'fields', '-E', 'separator=\t',
          '-e', '_ws.col.Protocol', '-e', '_ws.col.Info', '-e', 'frame.protocols'], { maxBuffer: 1 << 28, env: { ...process.env, WIRESHARK_CONFIG_DIR: tmp.dir } }),
      ]);
      const lines = ts.stdout.split('\n');
      const rows: PacketRow[] = [];
      for (let page = listPackets(store, r.captureId, 0, 1000); page.length; page = listPackets(store, r.captureId, page.at(-1)!.frame, 1000)) rows.push(...page);
      const diffs: string[] = [];
      let compared = 0;
      for (let i = 0; i < rows.length; i++) {
        const [proto, info, stack] = (lines[i] ?? '').split('\t');
        if (!proto || !L2_L4.has(proto) || info === undefined) continue;
        if (info.includes('[TCP ') || /:(vxlan|gre)(:|$)/.test(stack ?? '')) continue;
        compared++;
        const ours = rows[i]!;
        if (ours.protocol !== proto || ours.info !== info) diffs.push(`#${i + 1} tshark ${JSON.stringify([proto, info])} ours ${JSON.stringify([ours.protocol, ours.info])}`);
      }
      expect(diffs.slice(0, 10)).toEqual([]);
      // Every frame tshark shows with an L2–L4 protocol was compared, unless excluded above.
      const eligible = lines.slice(0, rows.length).filter((l) => {
        const [proto, info, stack] = l.split('\t');
        return proto && L2_L4.has(proto) && info !== undefined && !info.includes('[TCP ') && !/:(vxlan|gre)(:|$)/.test(stack ?? '');
      }).length;
      expect(compared).toBe(eligible);
    } finally {
      store.close();
    }
  }, 60_000);
});
