/**
 * Parity with Wireshark on every capture of ../shared/corpus: packet count, first/last
 * timestamps, link types, TCP/UDP conversation counts, and the addresses, ports and times
 * of the first 50 frames equal the `.tshark.json` oracle made by tshark 4.0.
 * The deliberately broken files must give a clear error naming the byte offset.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseStore } from '../electron/engine/store/case-store.js';
import { ingestCapture, IngestError, type IngestResult } from '../electron/engine/ingest/pipeline.js';
import { formatEpoch } from '../electron/engine/util/format.js';
import { CORPUS_DIR, SKIP_CORPUS, corpusFiles, hasCorpus, tmpDir } from './support/shared.js';

interface Oracle {
  expected_broken: boolean;
  raw_header: { format?: string; linktype?: number; interfaces?: { linktype: number }[] };
  packets: { tshark_frames_read: number };
  tshark_read: { rc: number; stderr: string | null };
  timestamps?: { first_frame_time_epoch: string | null; last_frame_time_epoch: string | null };
  link_type?: { per_interface_usage: { interface_id: string; encap_type: string; frames: number }[] };
  conversations?: { tcp: number; udp: number };
  field_dump_first_packets?: { packets: Record<string, string[]>[] };
}

const oracle = (f: string): Oracle => JSON.parse(readFileSync(join(CORPUS_DIR, `${f}.tshark.json`), 'utf8')) as Oracle;

describe.skipIf(!hasCorpus)(`corpus parity with tshark ${SKIP_CORPUS}`, () => {
  const tmp = tmpDir('th-corpus-');
  afterAll(() => tmp.cleanup());
  const files = corpusFiles();

  for (const f of files) {
    const o = oracle(f);
    const broken = f.startsWith('broken-');
    describe(f, () => {
      let store: CaseStore;
      let result: IngestResult | null = null;
      let error: IngestError | null = null;
      beforeAll(async () => {
        store = CaseStore.open(join(tmp.dir, `${f}.thcase`));
        try {
          result = await ingestCapture({ capturePath: join(CORPUS_DIR, f), store, dataDir: join(tmp.dir, 'data') });
        } catch (e) {
          if (!(e instanceof IngestError)) throw e;
          error = e;
        }
      }, 60_000);
      afterAll(() => store?.close());

      if (broken) {
        it('reports the damage with its byte offset and keeps what came before', () => {
          const frames = o.packets.tshark_frames_read;
          if (f === 'broken-empty-file.pcap') {
            // tshark 4.0 opens a 0-byte file as an empty ERF capture; a forensic tool says it is empty.
            expect(error?.message).toMatch(/empty/);
            return;
          }
          if (frames === 0) {
            expect(error, 'a file with no readable packet is refused').not.toBeNull();
            expect(error!.message.length).toBeGreaterThan(10);
            expect(error!.offset).not.toBeNull();
            return;
          }
          expect(error).toBeNull();
          expect(result!.problem, 'the damage is reported').not.toBeNull();
          expect(result!.problem!.message).toMatch(/\d/);
          expect(result!.capture.packets).toBe(frames);
          expect(result!.capture.status === 'truncated' || result!.capture.status === 'damaged').toBe(true);
          expect(result!.capture.stopOffset).toBeGreaterThan(0);
        });
        return;
      }

      it('reads every packet tshark reads, with the same first and last timestamps', () => {
        expect(error).toBeNull();
        const c = result!.capture;
        expect(c.packets).toBe(o.packets.tshark_frames_read);
        expect(c.firstTs).toBe(o.timestamps?.first_frame_time_epoch ?? null);
        expect(c.lastTs).toBe(o.timestamps?.last_frame_time_epoch ?? null);
        expect(result!.problem).toBeNull();
        expect(c.status).toBe('complete');
      });

      it('reports the link types in use', () => {
        const c = result!.capture;
        let expected: number[];
        if (o.raw_header.format === 'pcapng') {
          const used = (o.link_type?.per_interface_usage ?? []).map((u) => Number(u.interface_id));
          expected = [...new Set(used.map((i) => o.raw_header.interfaces![i]!.linktype))];
        } else {
          expected = c.packets ? [o.raw_header.linktype!] : [];
        }
        expect(c.linkTypes).toEqual(expected.sort((a, b) => a - b));
      });

      it('counts TCP and UDP conversations as tshark -z conv does', () => {
        const s = store.stats(result!.captureId);
        expect({ tcp: s.tcpConversations, udp: s.udpConversations }).toEqual({ tcp: o.conversations!.tcp, udp: o.conversations!.udp });
      });

      it('gives the first 50 frames the addresses, ports and times tshark gives', () => {
        const want = o.field_dump_first_packets?.packets ?? [];
        const rows = store.storedPackets(result!.captureId, 0, 50);
        expect(rows.length).toBe(want.length);
        const got: unknown[] = [];
        const exp: unknown[] = [];
        for (let i = 0; i < want.length; i++) {
          const w = want[i]!;
          const r = rows[i]!;
          const ipproto = store.db.prepare('SELECT ipproto FROM packets WHERE id = ?').pluck().get(result!.captureId * 2 ** 32 + r.frame) as number | null;
          const l4 = ipproto === 6 ? 'tcp' : ipproto === 17 ? 'udp' : null;
          const src = w['ip.src']?.[0] ?? w['ipv6.src']?.[0];
          const dst = w['ip.dst']?.[0] ?? w['ipv6.dst']?.[0];
          const hasIp = src !== undefined;
          exp.push({
            frame: Number(w['frame.number']![0]),
            time: w['frame.time_epoch']![0],
            len: Number(w['frame.len']![0]),
            src: hasIp ? src : null,
            dst: hasIp ? dst : null,
            sport: l4 ? Number(w[`${l4}.srcport`]?.[0] ?? NaN) : null,
            dport: l4 ? Number(w[`${l4}.dstport`]?.[0] ?? NaN) : null,
          });
          got.push({
            frame: r.frame,
            time: formatEpoch(r.tsSec, r.tsNsec),
            len: r.length,
            src: hasIp ? r.src : null,
            dst: hasIp ? r.dst : null,
            sport: l4 ? (r.srcPort ?? NaN) : null,
            dport: l4 ? (r.dstPort ?? NaN) : null,
          });
        }
        expect(got).toEqual(exp);
      });
    });
  }
});
