/**
 * Broken capture files, end to end: each gives one clear message naming the byte offset of
 * the damage (the ingest API's IngestError / result.problem, and `tracehound ingest` on
 * stderr with exit code 2), and keeps every packet read before the damage (counted
 * independently, from the writer's record offsets).
 *
 * Also: a file that grows while it is ingested, and a path deleted mid-ingest (Linux: the
 * open descriptor still reads the whole file).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, gunzipSync, constants as zc } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';

import { IngestError, ingestCapture, type IngestResult } from '../electron/engine/ingest/pipeline.js';
import { CaseStore } from '../electron/engine/store/case-store.js';
import { buildPcap, buildPcapng, recordsBefore, syntheticTraffic, type SeedInput } from './fuzz/harness.js';
import { tmpDir } from './support/shared.js';

const tmp = tmpDir('th-broken-');
afterAll(() => tmp.cleanup());

const root = join(import.meta.dirname, '..');
const cli = join(root, 'bin', 'tracehound.mjs');
const built = existsSync(join(root, 'dist', 'electron', 'cli', 'main.js'));

let n = 0;
function file(name: string, bytes: Uint8Array): string {
  const p = join(tmp.dir, `${n++}-${name}`);
  writeFileSync(p, bytes);
  return p;
}

type Outcome = { result: IngestResult; packets: number; rows: number } | { error: IngestError };

async function ingest(path: string, opts: { onProgress?: () => void } = {}): Promise<Outcome> {
  const store = CaseStore.open(join(tmp.dir, `${n++}.thcase`));
  try {
    const result = await ingestCapture({
      capturePath: path,
      store,
      threads: 'inline',
      reuse: false,
      progressIntervalMs: 0,
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    });
    const rows = store.db.prepare('SELECT count(*) FROM packets').pluck().get() as number;
    return { result, packets: result.capture.packets, rows };
  } catch (e) {
    if (e instanceof IngestError) return { error: e };
    throw e;
  } finally {
    store.close();
  }
}

/** `tracehound ingest` through the built CLI: exit code and stderr lines. */
function runCli(path: string): { code: number | null; stderr: string[]; stdout: string } {
  const r = spawnSync(process.execPath, [cli, 'ingest', path, '--case', join(tmp.dir, `${n++}.thcase`)], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stderr: r.stderr.split('\n').filter(Boolean), stdout: r.stdout };
}

const frames = syntheticTraffic().frames.slice(0, 60);
const pcap = buildPcap(frames);
const pcapng = buildPcapng(frames);

/** Expect a fatal (nothing kept) error of `kind` at `offset`, with the offset in its one-line message. */
async function expectFatal(path: string, kind: string, offset: number, text: RegExp): Promise<void> {
  const o = await ingest(path);
  expect('error' in o, 'error' in o ? '' : `ingest kept ${o.packets} packets`).toBe(true);
  if (!('error' in o)) return;
  expect([o.error.kind, o.error.offset]).toEqual([kind, offset]);
  expect(o.error.message).toMatch(text);
  expect(o.error.message).not.toMatch(/\n/);
  if (built) {
    const c = runCli(path);
    expect(c.code).toBe(2);
    expect(c.stderr).toHaveLength(1);
    expect(c.stderr[0]).toMatch(text);
  }
}

/** Expect the ingest to keep `packets` and stop with `kind` at `offset` (named in the message and by the CLI). */
async function expectKept(path: string, packets: number, kind: string | RegExp, offset: number): Promise<void> {
  const o = await ingest(path);
  if ('error' in o) throw new Error(`ingest failed: ${o.error.message}`);
  expect(o.packets).toBe(packets);
  expect(o.rows).toBe(packets);
  expect(o.result.problem).not.toBeNull();
  expect(o.result.problem!.kind).toMatch(kind);
  expect(o.result.problem!.offset).toBe(offset);
  expect(o.result.problem!.message).toContain(String(offset));
  expect(o.result.capture.stopOffset).toBe(offset);
  expect(o.result.capture.status).toMatch(/^(truncated|damaged)$/);
  if (built) {
    const c = runCli(path);
    expect(c.code).toBe(2);
    expect(c.stdout).toContain(`${packets} packets`);
    expect(c.stderr).toHaveLength(1);
    expect(c.stderr[0]).toContain(`kept ${packets} packets read before byte ${offset}`);
  }
}

/** Start offset of the record whose end is recordEnds[i] (the previous boundary). */
function recordStart(s: SeedInput, i: number): number {
  return i === 0 ? s.boundaries![s.boundaries!.indexOf(s.recordEnds![0]!) - 1]! : s.recordEnds![i - 1]!;
}

describe(`broken captures ${built ? '(API and CLI)' : '(API only: run `npm run build` for the CLI checks)'}`, () => {
  it('an empty file', async () => {
    await expectFatal(file('empty.pcap', new Uint8Array(0)), 'empty', 0, /empty \(0 bytes\)/);
  }, 60_000);

  it('a file with the wrong magic', async () => {
    await expectFatal(
      file('magic.pcap', new TextEncoder().encode('GET / HTTP/1.1\r\n\r\nnot a capture at all')),
      'unknown-magic',
      0,
      /unknown magic bytes 47 45 54 20/,
    );
  }, 60_000);

  it('a pcap cut in the middle of its global header', async () => {
    await expectFatal(
      file('hdr.pcap', pcap.bytes.subarray(0, 13)),
      'truncated-header',
      0,
      /after 13 bytes, inside the 24-byte global header/,
    );
  }, 60_000);

  it('a pcap cut in the middle of a record header', async () => {
    const k = 37;
    const at = recordStart(pcap, k);
    expect(recordsBefore(pcap, at + 9)).toBe(k);
    await expectKept(file('rechdr.pcap', pcap.bytes.subarray(0, at + 9)), k, 'truncated-record', at);
  }, 60_000);

  it('a pcap cut in the middle of a packet', async () => {
    const k = 21;
    const at = recordStart(pcap, k);
    const cut = at + 16 + Math.floor((pcap.recordEnds![k]! - at - 16) / 2);
    expect(recordsBefore(pcap, cut)).toBe(k);
    await expectKept(file('mid.pcap', pcap.bytes.subarray(0, cut)), k, 'truncated-record', at);
  }, 60_000);

  it('a pcap record whose captured length is huge', async () => {
    const k = 12;
    const at = recordStart(pcap, k);
    const b = pcap.bytes.slice();
    new DataView(b.buffer).setUint32(at + 8, 0x7fffffff, true);
    await expectKept(file('caplen.pcap', b), k, 'bad-record-length', at);
  }, 60_000);

  it('a pcapng whose block length is corrupted halfway through the file', async () => {
    const k = 30;
    const at = recordStart(pcapng, k);
    const b = pcapng.bytes.slice();
    const dv = new DataView(b.buffer);
    // Still a multiple of 4 and within the file: only the trailing copy disagrees.
    dv.setUint32(at + 4, dv.getUint32(at + 4, true) + 8, true);
    await expectKept(file('blocklen.pcapng', b), k, 'bad-block-length', at);
  }, 60_000);

  it('a pcapng block declaring more than the reader accepts', async () => {
    const k = 9;
    const at = recordStart(pcapng, k);
    const b = pcapng.bytes.slice();
    new DataView(b.buffer).setUint32(at + 4, 0xfffffff0, true);
    await expectKept(file('hugeblock.pcapng', b), k, 'bad-block-length', at);
  }, 60_000);

  it('a gzip stream cut short keeps what decompressed before the cut', async () => {
    const gz = gzipSync(pcap.bytes);
    const cut = Math.floor(gz.length * 0.6);
    // zlib's own view of the prefix: what any decoder can recover from the first `cut` bytes.
    const prefix = gunzipSync(gz.subarray(0, cut), { finishFlush: zc.Z_SYNC_FLUSH });
    const k = recordsBefore(pcap, prefix.length);
    expect(k).toBeGreaterThan(10);
    const o = await ingest(file('cut.pcap.gz', gz.subarray(0, cut)));
    if ('error' in o) throw new Error(o.error.message);
    expect(o.packets).toBe(k);
    expect(o.result.problem!.kind).toBe('decompress');
    expect(o.result.problem!.message).toMatch(/gzip stream ends early at byte \d+ of the compressed file/);
    expect(o.result.problem!.offset).toBe(cut);
    expect(o.result.capture.status).toBe('truncated');
    if (built) {
      const c = runCli(join(tmp.dir, `${n - 2}-cut.pcap.gz`));
      expect(c.code).toBe(2);
      expect(c.stderr).toHaveLength(1);
      expect(c.stderr[0]).toContain(`kept ${k} packets read before byte ${cut}`);
    }
  }, 60_000);

  it('every broken file in the shared corpus gets one line and exit code 2', { timeout: 60_000 }, async (ctx) => {
    const dir = join(root, '..', 'shared', 'corpus');
    if (!existsSync(dir) || !built) return ctx.skip();
    for (const name of [
      'broken-empty-file.pcap',
      'broken-not-a-capture.pcap',
      'broken-truncated-global-header.pcap',
      'broken-truncated-mid-packet.pcap',
      'broken-corrupt-record-length.pcap',
      'broken-truncated-mid-block.pcapng',
    ]) {
      const p = join(dir, name);
      if (!existsSync(p)) continue;
      const c = runCli(p);
      expect(c.code, name).toBe(2);
      expect(c.stderr, name).toHaveLength(1);
      expect(c.stderr[0], name).toMatch(/byte \d+|\(0 bytes\)|magic/);
    }
  });
});

/** A pcap of `count` small frames (big enough that the ingest reads it in several chunks). */
function bigPcap(count: number): SeedInput & { bytes: Uint8Array } {
  const base = frames.filter((f) => f.length <= 80);
  return buildPcap(
    Array.from({ length: count }, (_, i) => base[i % base.length]!),
    { name: `pcap(${count})` },
  );
}

function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

describe('files that change while they are ingested', () => {
  // 6 MiB: the first 4 MiB read ends before the file does, so the reader comes back for more.
  const big = bigPcap(90_000);

  it('a file that grows while it is read: the ingest follows it to where its last read ends', async () => {
    expect(big.bytes.length).toBeGreaterThan(4.5 * 1024 * 1024);
    const path = file('growing.pcap', big.bytes);
    const more = buildPcap(frames.slice(0, 50));
    const tail = more.bytes.subarray(24); // 50 whole records, no global header
    const half = more.bytes.subarray(24, 24 + 16 + 10); // a record header and 10 of its bytes
    let appended = false;
    const o = await ingest(path, {
      onProgress: () => {
        if (appended) return;
        appended = true;
        // Appended while the first chunk is being indexed, before the reader reaches the end.
        appendFileSync(path, tail);
        appendFileSync(path, half);
      },
    });
    expect(appended).toBe(true);
    if ('error' in o) throw new Error(o.error.message);
    const finalBytes = readFileSync(path);
    // What happens (documented): the reader reads until a read returns nothing, so records
    // appended before it gets there are ingested; the half record at the end is damage at its
    // offset like any cut file. The recorded size is the size when the ingest started, the
    // hash covers every byte read.
    expect(o.packets).toBe(90_000 + 50);
    expect(o.rows).toBe(o.packets);
    expect(o.result.problem?.kind).toBe('truncated-record');
    expect(o.result.problem?.offset).toBe(big.bytes.length + tail.length);
    expect(o.result.capture.status).toBe('truncated');
    expect(o.result.capture.size).toBe(big.bytes.length);
    expect(o.result.capture.sha256).toBe(sha256(finalBytes));
  }, 60_000);

  it('a path deleted mid-ingest: the open descriptor still reads the whole file (Linux)', async (ctx) => {
    if (process.platform === 'win32') return ctx.skip();
    const path = file('deleted.pcap', big.bytes);
    let deleted = false;
    const o = await ingest(path, {
      onProgress: () => {
        if (deleted) return;
        deleted = true;
        unlinkSync(path);
      },
    });
    expect(deleted).toBe(true);
    expect(existsSync(path)).toBe(false);
    if ('error' in o) throw new Error(o.error.message);
    expect(o.packets).toBe(90_000);
    expect(o.rows).toBe(90_000);
    expect(o.result.problem).toBeNull();
    expect(o.result.capture.status).toBe('complete');
    expect(o.result.capture.sha256).toBe(sha256(big.bytes));
  }, 60_000);
});
