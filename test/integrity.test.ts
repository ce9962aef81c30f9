/**
 * Evidence integrity: Tracehound never writes to a capture. The file's bytes, size and mtime
 * are the same after ingest, filtering, frame detail, follow stream, object listing and export,
 * and `verifyCapture` / `tracehound verify` re-hash it against the SHA-256 recorded at ingest:
 * OK (exit 0) for the untouched file, MISMATCH (exit 2) for a modified, grown or missing one.
 *
 * What the recorded hash covers (documented in electron/engine/case/verify.ts): the file as
 * given (compressed bytes for .gz/.zst), and for a capture whose reading stopped at damage in
 * the middle, the prefix read before it.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';

import { main, type CliIo } from '../electron/cli/main.js';
import { PcapWriter } from '../electron/engine/capture/writer.js';
import { verifyCapture } from '../electron/engine/case/verify.js';
import { openTarget } from '../electron/engine/case/resolve.js';
import { countMatches, pageMatches, prepareFilter } from '../electron/engine/filter/run.js';
import { exportObjects, followStream, listObjects } from '../electron/engine/analyze/replay.js';
import { ingestCapture } from '../electron/engine/ingest/pipeline.js';
import { frameDetail } from '../electron/engine/query/frame.js';
import { listPackets } from '../electron/engine/query/packets.js';
import { CaseStore } from '../electron/engine/store/case-store.js';
import { generateTraffic } from '../electron/engine/synth/traffic.js';
import { tmpDir } from './support/shared.js';

const tmp = tmpDir('th-integrity-');
afterAll(() => tmp.cleanup());

let n = 0;
beforeEach(() => {
  process.env['TRACEHOUND_CACHE'] = join(tmp.dir, `cache-${++n}`);
});

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (s) => (out += s), err: (s) => (err += s), isTTY: false };
  const code = await main(argv, io);
  return { code, out, err };
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A few MB of the synthetic corporate segment (HTTP with bodies, TLS, SMB2, DNS): stays in-line (< the worker threshold). */
function writeTraffic(path: string, mib = 3, seed = 11): void {
  const w = new PcapWriter({ path });
  try {
    generateTraffic(w, { targetBytes: mib * 2 ** 20, seed });
  } finally {
    w.close();
  }
}

/** Bytes, size and mtime: what "unchanged" means for evidence. mtime is set in the past so any write would move it. */
function fingerprint(path: string): { sha: string; size: number; mtimeMs: number } {
  const st = statSync(path);
  return { sha: sha256(readFileSync(path)), size: st.size, mtimeMs: st.mtimeMs };
}

describe('the capture is never modified', () => {
  it('ingest, filters, frame detail, follow, objects and export leave bytes and mtime as they were; verify says OK', async () => {
    const capture = join(tmp.dir, 'evidence.pcap');
    writeTraffic(capture);
    const past = new Date('2024-03-12T10:00:00Z');
    utimesSync(capture, past, past);
    const before = fingerprint(capture);
    expect(before.mtimeMs).toBe(past.getTime());

    const casePath = join(tmp.dir, 'evidence.thcase');
    const t = await openTarget(capture, { caseFile: casePath });
    const { store, captureId } = t;
    try {
      const cap = store.capture(captureId)!;
      expect(cap.status).toBe('complete');
      expect(cap.sha256).toBe(before.sha);

      // Filtering: count and a keyset page.
      const f = prepareFilter(store, captureId, 'tcp.port == 80 || dns');
      const count = await countMatches(store, captureId, f);
      expect(count).toBeGreaterThan(0);
      const page = await pageMatches(store, captureId, f, 0, 1000);
      expect(page.length).toBe(Math.min(1000, count));
      expect(listPackets(store, captureId, 0, 500).length).toBe(500);

      // Frame detail re-reads the frame's bytes from the capture.
      const d = await frameDetail(store, captureId, page[0]!);
      expect(d?.frame).toBe(page[0]);

      // Follow the largest TCP stream.
      const stream = store.db
        .prepare('SELECT tcp_stream FROM flows WHERE capture_id = ? AND tcp_stream IS NOT NULL ORDER BY bytes_ab + bytes_ba DESC LIMIT 1')
        .pluck()
        .get(captureId) as number;
      const followed = followStream(store, captureId, stream);
      expect(followed.segments.length).toBeGreaterThan(0);

      // Objects: list and export (export writes into its own folder, never beside the capture).
      const objs = listObjects(store, captureId);
      expect(objs.length).toBeGreaterThan(0);
      const out = join(tmp.dir, 'export');
      const written = exportObjects(store, captureId, out);
      expect(written.length).toBeGreaterThan(0);
      for (const w of written) expect(sha256(readFileSync(w.path))).toBe(w.sha256);

      // Re-hash against the record.
      const v = await verifyCapture(store, captureId);
      expect(v).toMatchObject({ ok: true, expected: before.sha, actual: before.sha, size: before.size, recordedSize: before.size, hashedBytes: before.size, reason: null });
    } finally {
      store.close();
    }

    // The CLI, by case and by capture (+ --case): OK, exit 0.
    const byCase = await cli('verify', casePath);
    expect(byCase.err).toBe('');
    expect(byCase.code).toBe(0);
    expect(byCase.out).toMatch(new RegExp(`^OK +${capture.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} +sha256 ${before.sha}`));
    const byCapture = await cli('verify', capture, '--case', casePath, '--json');
    expect(byCapture.code).toBe(0);
    expect(JSON.parse(byCapture.out)).toMatchObject([{ ok: true, actual: before.sha, captureId: 1 }]);

    // The CLI's own read paths too (cache index: stats, then verify CAPTURE from the cache).
    for (const argv of [['stats', capture], ['filter', capture, 'http', '--count'], ['frame', capture, '1'], ['objects', capture], ['follow', capture, String(0)]]) {
      const r = await cli(...argv);
      expect(r.code, `${argv.join(' ')}: ${r.err}`).toBe(0);
    }
    const cached = await cli('verify', capture);
    expect(cached.code).toBe(0);
    expect(cached.out).toMatch(/^OK /);

    expect(fingerprint(capture)).toEqual(before);
    // Nothing was written beside the capture (no sidecar, no working copy).
    expect(readdirSync(tmp.dir).filter((f) => f.startsWith('evidence.pcap'))).toEqual(['evidence.pcap']);
  });
});

describe('verify detects a changed file', () => {
  it('a modified copy (same size, one byte flipped) fails with MISMATCH and exit 2', async () => {
    const original = join(tmp.dir, 'orig.pcap');
    writeTraffic(original, 1, 12);
    const copy = join(tmp.dir, 'copy.pcap');
    copyFileSync(original, copy);
    const casePath = join(tmp.dir, 'copy.thcase');
    expect((await cli('ingest', copy, '--case', casePath)).code).toBe(0);
    expect((await cli('verify', casePath)).code).toBe(0);

    const bytes = readFileSync(copy);
    const recorded = sha256(bytes);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01; // one bit in one packet's payload
    writeFileSync(copy, bytes);

    const r = await cli('verify', casePath);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/^MISMATCH +.*copy\.pcap +SHA-256 differs from the one recorded at ingest; recorded [0-9a-f]{64}, now [0-9a-f]{64}\n$/);
    const j = await cli('verify', copy, '--case', casePath, '--json');
    expect(j.code).toBe(2);
    expect(JSON.parse(j.out)).toMatchObject([{ ok: false, expected: recorded, actual: sha256(bytes), size: bytes.length }]);

    // The original is untouched and still verifies in its own case.
    const origCase = join(tmp.dir, 'orig.thcase');
    expect((await cli('ingest', original, '--case', origCase)).code).toBe(0);
    expect((await cli('verify', origCase)).code).toBe(0);
  });

  it('bytes appended after ingest: MISMATCH (size and hash)', async () => {
    const p = join(tmp.dir, 'grown.pcap');
    writeTraffic(p, 1, 13);
    const store = CaseStore.open(join(tmp.dir, 'grown.thcase'));
    try {
      const r = await ingestCapture({ capturePath: p, store, threads: 'inline' });
      writeFileSync(p, Buffer.concat([readFileSync(p), Buffer.alloc(16)]));
      const v = await verifyCapture(store, r.captureId);
      expect(v.ok).toBe(false);
      expect(v.size).toBe(v.recordedSize + 16);
      expect(v.actual).not.toBe(v.expected);
    } finally {
      store.close();
    }
  });

  it('a capture moved away: MISMATCH naming the unreadable file, exit 2', async () => {
    const p = join(tmp.dir, 'moved.pcap');
    writeTraffic(p, 1, 14);
    const casePath = join(tmp.dir, 'moved.thcase');
    expect((await cli('ingest', p, '--case', casePath)).code).toBe(0);
    renameSync(p, `${p}.elsewhere`);
    const r = await cli('verify', casePath);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/^MISMATCH +.*moved\.pcap +cannot read .*moved\.pcap: ENOENT; recorded [0-9a-f]{64}, now unreadable\n$/);
  });

  it('a capture never indexed: one clear line, exit 2, and nothing is indexed', async () => {
    const p = join(tmp.dir, 'never.pcap');
    writeTraffic(p, 1, 15);
    const r = await cli('verify', p);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^tracehound: .*never\.pcap: no recorded capture to verify against in the cache \(ingest it first, or name its case with --case\)\n$/);
    // verify must not index the file it checks (that would record its current hash).
    expect(existsSync(process.env['TRACEHOUND_CACHE']!)).toBe(false);
  });

  it('a file changed after caching is checked against the earlier record, not re-indexed', async () => {
    const p = join(tmp.dir, 'cached.pcap');
    writeTraffic(p, 1, 16);
    expect((await cli('stats', p)).code).toBe(0);
    const b = readFileSync(p);
    b[b.length - 10]! ^= 0xff;
    writeFileSync(p, b); // new mtime: the cache key no longer matches
    const r = await cli('verify', p);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/^MISMATCH /);
  });
});

describe('what the recorded hash covers', () => {
  it('gzip: the compressed file as given, not the decompressed working copy', async () => {
    const plain = join(tmp.dir, 'z.pcap');
    writeTraffic(plain, 1, 17);
    const gz = join(tmp.dir, 'z.pcap.gz');
    writeFileSync(gz, gzipSync(readFileSync(plain)));
    const store = CaseStore.open(join(tmp.dir, 'z.thcase'));
    try {
      const r = await ingestCapture({ capturePath: gz, store, threads: 'inline' });
      expect(r.capture.compression).toBe('gzip');
      expect(r.capture.sha256).toBe(sha256(readFileSync(gz)));
      expect(r.capture.sha256).not.toBe(sha256(readFileSync(plain)));
      const v = await verifyCapture(store, r.captureId);
      expect(v).toMatchObject({ ok: true, path: gz, hashedBytes: statSync(gz).size });
    } finally {
      store.close();
    }
  });

  it('damage in the middle of a large file: the prefix read before it, and the size must be unchanged', async () => {
    // Reading is in 4 MiB chunks: damage in the first chunk of a 10 MiB file stops the ingest
    // after hashing that chunk only.
    const p = join(tmp.dir, 'damaged.pcap');
    const w = new PcapWriter({ path: p });
    const frame = new Uint8Array(1000).fill(0x41);
    let cut = 0;
    for (let i = 0; w.offset < 10 * 2 ** 20; i++) {
      if (i === 1000) cut = w.offset;
      w.packet(1_700_000_000 + i, 0, frame);
    }
    w.close();
    const bytes = readFileSync(p);
    bytes.writeUInt32LE(0x7fffffff, cut + 8); // incl_len of record 1000: far beyond any snaplen
    writeFileSync(p, bytes);

    const casePath = join(tmp.dir, 'damaged.thcase');
    const store = CaseStore.open(casePath);
    try {
      const r = await ingestCapture({ capturePath: p, store, threads: 'inline' });
      expect(r.capture.status).toBe('damaged');
      expect(r.capture.packets).toBe(1000);
      const readBytes = store.db.prepare('SELECT bytes_read FROM captures WHERE id = ?').pluck().get(r.captureId) as number;
      expect(readBytes).toBeLessThan(bytes.length);
      expect(r.capture.sha256).toBe(sha256(bytes.subarray(0, readBytes)));
      const v = await verifyCapture(store, r.captureId);
      expect(v).toMatchObject({ ok: true, hashedBytes: readBytes, size: bytes.length });

      // A change after the hashed prefix still fails: the size is checked.
      writeFileSync(p, bytes.subarray(0, bytes.length - 1));
      const v2 = await verifyCapture(store, r.captureId);
      expect(v2.ok).toBe(false);
      expect(v2.actual).toBe(v2.expected);
      expect(v2.reason).toMatch(/size is \d+ bytes, \d+ were recorded/);
    } finally {
      store.close();
    }
  });
});

describe('verify reads only', () => {
  it('a case opened by verify is not written (no WAL growth) and the capture atime/mtime are kept', async () => {
    const p = join(tmp.dir, 'ro.pcap');
    writeTraffic(p, 1, 18);
    const casePath = join(tmp.dir, 'ro', 'ro.thcase');
    mkdirSync(join(tmp.dir, 'ro'));
    expect((await cli('ingest', p, '--case', casePath)).code).toBe(0);
    const past = new Date('2024-01-01T00:00:00Z');
    utimesSync(p, past, past);
    const caseBefore = sha256(readFileSync(casePath));
    expect((await cli('verify', casePath)).code).toBe(0);
    expect(sha256(readFileSync(casePath))).toBe(caseBefore);
    const st = statSync(p);
    expect(st.mtimeMs).toBe(past.getTime());
    // O_NOATIME (we own the file): the read does not even move the access time.
    expect(st.atimeMs).toBe(past.getTime());
  });
});
