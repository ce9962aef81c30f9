/**
 * Evidence integrity: re-hash a capture file and compare it with the SHA-256 recorded when it
 * was ingested (chain of custody: the analysis can be tied to the exact bytes it was run on).
 *
 * What the recorded hash covers (electron/engine/ingest/parse-side.ts hashes every raw chunk
 * in `onRawChunk`, before decompression):
 *  - the file as the user gave it: for `.gz` / `.zst` captures, the compressed bytes, not the
 *    decompressed working copy under `<case>.data/` (that copy is derived data, rebuilt on
 *    demand, and is not evidence);
 *  - the whole file, except when reading stopped at damage in the middle of the file: the
 *    hash then covers the first `bytes_read` bytes (the chunks read before the damage), so
 *    verification hashes that same prefix and also requires the file size to be unchanged.
 *
 * The file is opened read-only (O_RDONLY, plus O_NOATIME where the kernel allows it, so even
 * the access time stays as it was) and streamed; nothing here writes anywhere.
 */
import { constants, readFileSync, realpathSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { CaseStore } from '../store/case-store.js';
import { cacheDir } from './resolve.js';

/** Bytes per read while hashing: large enough to stream at disk speed, small enough to stay flat. */
const HASH_CHUNK = 4 << 20;

/** A recorded hash is 64 lower-case hex digits; anything else is a placeholder (cancelled ingest). */
const SHA256_HEX = /^[0-9a-f]{64}$/;

export interface VerifyResult {
  /** The bytes hash to what was recorded and the file has the recorded size. */
  ok: boolean;
  /** The SHA-256 recorded at ingest (null when none was: a cancelled ingest keeps a placeholder). */
  expected: string | null;
  /** The SHA-256 computed now (null when the file could not be read). */
  actual: string | null;
  /** The capture file as given at ingest (absolute). */
  path: string;
  /** Its size now, in bytes (null when it could not be read). */
  size: number | null;
  /** Its size at ingest. */
  recordedSize: number;
  /** Bytes hashed: the whole file, or the prefix read before damage stopped the ingest. */
  hashedBytes: number;
  /** Why it is not ok, in one line (null when ok). */
  reason: string | null;
}

interface CaptureRow {
  path: string;
  size: number;
  sha256: string;
  bytes_read: number;
  status: string;
}

/**
 * Re-hashes capture `captureId` of `store` from its original file and compares it with the
 * recorded SHA-256. Never throws for an unreadable file (the result says why); throws only
 * when the capture is not in the case.
 */
export async function verifyCapture(store: CaseStore, captureId: number, opts: { signal?: AbortSignal } = {}): Promise<VerifyResult> {
  const row = store.db.prepare('SELECT path, size, sha256, bytes_read, status FROM captures WHERE id = ?').get(captureId) as CaptureRow | undefined;
  if (!row) throw new RangeError(`no capture ${captureId} in ${store.path}`);
  const expected = SHA256_HEX.test(row.sha256) ? row.sha256 : null;
  // The hash covers a prefix only when reading stopped early at damage (see the header).
  const stoppedEarly = (row.status === 'truncated' || row.status === 'damaged') && row.bytes_read > 0 && row.bytes_read < row.size;
  const hashLimit = stoppedEarly ? row.bytes_read : Number.POSITIVE_INFINITY;
  const base = { expected, path: row.path, recordedSize: row.size };

  let fh: FileHandle;
  try {
    fh = await openReadOnly(row.path);
  } catch (e) {
    return { ...base, ok: false, actual: null, size: null, hashedBytes: 0, reason: `cannot read ${row.path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  }
  let actual: string;
  let size: number;
  let hashed = 0;
  try {
    size = (await fh.stat()).size;
    const h = createHash('sha256');
    const buf = Buffer.allocUnsafe(HASH_CHUNK);
    while (hashed < hashLimit) {
      opts.signal?.throwIfAborted();
      const want = Math.min(buf.length, hashLimit - hashed);
      const { bytesRead } = await fh.read(buf, 0, want, hashed);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
      hashed += bytesRead;
    }
    actual = h.digest('hex');
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    return { ...base, ok: false, actual: null, size: null, hashedBytes: hashed, reason: `cannot read ${row.path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  } finally {
    await fh.close();
  }

  let reason: string | null = null;
  if (expected === null) reason = `no hash was recorded for this capture (its ingest was ${row.status}); index it again`;
  else if (actual !== expected) reason = `SHA-256 differs from the one recorded at ingest${stoppedEarly ? ` (over the first ${row.bytes_read} bytes read before the damage)` : ''}`;
  else if (size !== row.size) reason = `size is ${size} bytes, ${row.size} were recorded at ingest (the file changed after the hashed part)`;
  return { ...base, ok: reason === null, actual, size, hashedBytes: hashed, reason };
}

/** O_RDONLY, with O_NOATIME when permitted (it needs ownership of the file: EPERM otherwise). */
async function openReadOnly(path: string): Promise<FileHandle> {
  const noatime = (constants as { O_NOATIME?: number }).O_NOATIME;
  if (noatime !== undefined) {
    try {
      return await open(path, constants.O_RDONLY | noatime);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EPERM') throw e;
    }
  }
  return open(path, constants.O_RDONLY);
}

/**
 * Cache cases that indexed `capturePath` (any earlier size or modification time), read from
 * the cache index without opening or indexing anything: `tracehound verify CAPTURE` must check
 * the file against what was recorded before, never re-index the file it is checking.
 */
export function cachedCasesFor(capturePath: string): string[] {
  let real: string;
  try {
    real = realpathSync(capturePath);
  } catch {
    real = resolve(capturePath);
  }
  let idx: unknown;
  try {
    idx = JSON.parse(readFileSync(join(cacheDir(), 'index.json'), 'utf8'));
  } catch {
    return [];
  }
  if (typeof idx !== 'object' || idx === null) return [];
  const out = new Set<string>();
  for (const [key, sha] of Object.entries(idx as Record<string, unknown>)) {
    // Keys are `realpath|size|mtimeMs` (case/resolve.ts); the path itself may contain '|'.
    const parts = key.split('|');
    if (parts.length < 3 || parts.slice(0, -2).join('|') !== real || typeof sha !== 'string' || !SHA256_HEX.test(sha)) continue;
    out.add(join(cacheDir(), 'cases', `${sha}.thcase`));
  }
  return [...out];
}

/** Ids of the captures in `store` ingested from `capturePath` (as given, or through its real path). */
export function capturesFromFile(store: CaseStore, capturePath: string): number[] {
  const names = new Set([resolve(capturePath)]);
  try {
    names.add(realpathSync(capturePath));
  } catch {
    // gone: its recorded path may still match as given
  }
  return (store.db.prepare('SELECT id, path FROM captures ORDER BY id').all() as { id: number; path: string }[])
    .filter((c) => names.has(c.path) || names.has(safeRealpath(c.path)))
    .map((c) => c.id);
}

function safeRealpath(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}
