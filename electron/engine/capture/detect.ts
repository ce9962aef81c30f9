/**
 * Capture file input: format detection, the read-only chunked file stream (with gzip and
 * zstd undone on the fly) and on-demand reads of packet bytes.
 *
 * Magic numbers: pcap a1b2c3d4 / a1b23c4d in either byte order, pcapng 0a0d0d0a (the SHB
 * type), gzip 1f 8b (RFC 1952), zstd 28 b5 2f fd (RFC 8878).
 */

import { read as fsRead } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';

import { Decompress } from 'fzstd';

import { PcapParser } from './pcap.js';
import { PcapngParser } from './pcapng.js';
import { CaptureFormatError, type CaptureFormat, type CaptureParser, type RecordCallback } from './types.js';

export type Compression = 'gzip' | 'zstd';

export type DetectResult = { compression: Compression } | { format: CaptureFormat } | { unknown: string };

/** Bytes detectFormat needs to tell every supported format apart. */
export const DETECT_BYTES = 4;

/** Raw read size: big enough that per-chunk overhead (a syscall, a promise, a yield) is
 * noise at hundreds of MB/s, small enough that a few chunks in flight stay cheap. */
export const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024;
/** Reads never go below this, so a file that grows while read is still followed cheaply. */
const MIN_READ_BYTES = 64 * 1024;

/** Output buffer of the gzip decoder (zlib's chunkSize). */
const GZIP_OUT_CHUNK_BYTES = 1024 * 1024;
/** Deflate's maximum expansion is about 1032:1 (258-byte matches in ~2 bits). Feeding at most
 * chunkSize/1032 raw bytes while the ratio is unknown caps one step's output at ~chunkSize. */
const GZIP_MAX_RATIO = 1032;
/** A zstd RLE block turns 4 bytes into 128 KiB: 32768:1. Same reasoning as GZIP_MAX_RATIO. */
const ZSTD_MAX_RATIO = 32768;
/** Largest raw slice handed to a decoder in one step, whatever the observed ratio. */
const MAX_FEED_BYTES = 1024 * 1024;
/** zstd's own decoder refuses frames whose window exceeds 2^27 bytes unless told otherwise
 * (ZSTD_WINDOWLOG_LIMIT_DEFAULT); fzstd would allocate the whole window up front (up to 2 GiB),
 * so a hostile header could otherwise reserve that much memory. */
export const ZSTD_MAX_WINDOW_BYTES = 128 * 1024 * 1024;

const PCAPNG_MAGIC = [0x0a, 0x0d, 0x0d, 0x0a];
const MAGICS: readonly { bytes: readonly number[]; result: DetectResult }[] = [
  { bytes: [0xd4, 0xc3, 0xb2, 0xa1], result: { format: 'pcap' } },
  { bytes: [0xa1, 0xb2, 0xc3, 0xd4], result: { format: 'pcap' } },
  { bytes: [0x4d, 0x3c, 0xb2, 0xa1], result: { format: 'pcap' } },
  { bytes: [0xa1, 0xb2, 0x3c, 0x4d], result: { format: 'pcap' } },
  { bytes: PCAPNG_MAGIC, result: { format: 'pcapng' } },
  { bytes: [0x1f, 0x8b], result: { compression: 'gzip' } },
  { bytes: [0x28, 0xb5, 0x2f, 0xfd], result: { compression: 'zstd' } },
];

function hex(b: Uint8Array, n: number): string {
  return Array.from(b.subarray(0, n), (x) => x.toString(16).padStart(2, '0')).join(' ');
}

/** Identifies a capture (or a compressed one) from its first bytes (DETECT_BYTES suffice). */
export function detectFormat(firstBytes: Uint8Array): DetectResult {
  if (firstBytes.length === 0) return { unknown: 'the file is empty (0 bytes): not a capture' };
  let prefixOfSome = false;
  for (const m of MAGICS) {
    const n = Math.min(m.bytes.length, firstBytes.length);
    let same = true;
    for (let i = 0; i < n && same; i++) same = firstBytes[i] === m.bytes[i];
    if (!same) continue;
    if (n === m.bytes.length) return m.result;
    prefixOfSome = true;
  }
  const shown = hex(firstBytes, DETECT_BYTES);
  if (prefixOfSome) return { unknown: `only ${firstBytes.length} byte(s) (${shown}): too short to be a capture` };
  return { unknown: `unknown magic bytes ${shown}: not pcap, pcapng, gzip or zstd` };
}

/** The push parser for a detected format. The callback gets one reused record object. */
export function createParser(format: CaptureFormat, onRecord: RecordCallback): CaptureParser {
  return format === 'pcap' ? new PcapParser(onRecord) : new PcapngParser(onRecord);
}

export interface CaptureStreamOptions {
  /** Raw read size in bytes; default 4 MiB. Also the target output size per decoder step. */
  chunkSize?: number;
  /** Called with every raw (still compressed) chunk, in order, before it is decoded. */
  onRawChunk?: (chunk: Uint8Array) => void;
  signal?: AbortSignal;
}

export interface CaptureStream {
  compression: Compression | null;
  /** File size when opened. */
  rawSize: number;
  /**
   * The capture bytes (decompressed), in order. Each chunk is a fresh buffer the consumer
   * may keep. The first chunk holds at least DETECT_BYTES bytes unless the whole stream is
   * shorter. Damage in a compressed stream throws CaptureFormatError('decompress') after
   * every byte decoded before it was yielded.
   */
  chunks: AsyncIterable<Uint8Array>;
}

/** Opens a capture read-only for one sequential pass. */
export async function openCaptureStream(path: string, opts: CaptureStreamOptions = {}): Promise<CaptureStream> {
  opts.signal?.throwIfAborted();
  const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK_BYTES;
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) throw new RangeError(`chunkSize must be a positive integer, got ${chunkSize}`);
  // Sniff the compression now; the pass itself reopens the file, so a stream that is never
  // iterated leaks no descriptor.
  const fh = await open(path, 'r');
  let rawSize: number;
  let head: Uint8Array;
  try {
    rawSize = (await fh.stat()).size;
    head = new Uint8Array(DETECT_BYTES);
    head = head.subarray(0, await readFully(fh, head, 0));
  } finally {
    await fh.close();
  }
  const d = detectFormat(head);
  const compression = 'compression' in d ? d.compression : null;
  const raw = readRaw(path, rawSize, chunkSize, opts.onRawChunk, opts.signal);
  const decoded = compression === 'gzip' ? gunzip(raw, chunkSize, opts.signal) : compression === 'zstd' ? unzstd(raw, chunkSize, opts.signal) : raw;
  return { compression, rawSize, chunks: firstChunkAtLeast(decoded, DETECT_BYTES) };
}

async function* readRaw(
  path: string,
  sizeHint: number,
  chunkSize: number,
  onRawChunk: ((chunk: Uint8Array) => void) | undefined,
  signal: AbortSignal | undefined,
): AsyncGenerator<Uint8Array> {
  const fh = await open(path, 'r');
  // One read ahead: the next chunk is read while the consumer parses this one, so the
  // parser never waits on the disk (it is the busier side of the ingest).
  const readAt = (pos: number) => {
    // A fresh buffer per read: the consumer (hashing, a worker queue) may still hold the last.
    const size = Math.min(chunkSize, Math.max(sizeHint - pos, MIN_READ_BYTES));
    const buf = Buffer.allocUnsafeSlow(size);
    return fh.read(buf, 0, size, pos).then((r) => buf.subarray(0, r.bytesRead));
  };
  let next: Promise<Buffer> | null = null;
  try {
    next = readAt(0);
    for (let pos = 0; ; ) {
      signal?.throwIfAborted();
      const chunk: Buffer = await next;
      next = null;
      if (chunk.length === 0) return;
      pos += chunk.length;
      next = readAt(pos);
      onRawChunk?.(chunk);
      yield chunk;
    }
  } finally {
    // Settle an outstanding read before closing its descriptor.
    if (next) await next.catch(() => undefined);
    await fh.close();
  }
}

/**
 * Sizes the raw slices fed to a decoder so one step yields about `target` bytes: starts at
 * target / maxRatio (safe for the worst case), then follows the observed ratio.
 */
class FeedSizer {
  size: number;
  private readonly min: number;

  constructor(
    private readonly target: number,
    maxRatio: number,
  ) {
    this.min = Math.max(64, Math.floor(target / maxRatio));
    this.size = this.min;
  }

  update(inBytes: number, outBytes: number): void {
    // No output yet (a header, or a block not complete): bigger slices, quickly.
    if (outBytes === 0) this.size = Math.min(this.size * 2, MAX_FEED_BYTES);
    else this.size = Math.max(this.min, Math.min(MAX_FEED_BYTES, Math.floor((this.target * inBytes) / outBytes)));
  }
}

async function* gunzip(raw: AsyncIterable<Uint8Array>, target: number, signal: AbortSignal | undefined): AsyncGenerator<Uint8Array> {
  const z = createGunzip({ chunkSize: GZIP_OUT_CHUNK_BYTES });
  const out: Buffer[] = [];
  let outBytes = 0;
  let error: Error | null = null;
  let done = false;
  let wake: (() => void) | null = null;
  const signalStep = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  // Flowing mode: every output buffer reaches `out` as soon as zlib produces it, so an error
  // at the end of the input cannot discard decoded bytes still buffered inside the stream.
  z.on('data', (c: Buffer) => {
    out.push(c);
    outBytes += c.length;
  });
  z.on('error', (e: Error) => {
    error = e;
    signalStep();
  });
  z.on('end', () => {
    done = true;
    signalStep();
  });
  z.on('close', signalStep);
  const step = (start: () => void) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      start();
    });

  const feed = new FeedSizer(target, GZIP_MAX_RATIO);
  let rawRead = 0;
  const fail = (e: Error, ended: boolean): CaptureFormatError =>
    ended
      ? new CaptureFormatError('decompress', rawRead, `gzip stream ends early at byte ${rawRead} of the compressed file (${e.message}): the file is cut short`)
      : new CaptureFormatError('decompress', Math.min(z.bytesWritten, rawRead), `gzip data is corrupt near byte ${Math.min(z.bytesWritten, rawRead)} of the compressed file: ${e.message}`);
  try {
    for await (const chunk of raw) {
      for (let off = 0; off < chunk.length; ) {
        signal?.throwIfAborted();
        const slice = chunk.subarray(off, off + feed.size);
        off += slice.length;
        rawRead += slice.length;
        outBytes = 0;
        await step(() => z.write(slice, () => signalStep()));
        feed.update(slice.length, outBytes);
        while (out.length > 0) yield out.shift()!;
        if (error) throw fail(error, false);
      }
    }
    if (!done && !error) await step(() => z.end());
    while (out.length > 0) yield out.shift()!;
    if (error) throw fail(error, (error as NodeJS.ErrnoException).code === 'Z_BUF_ERROR');
  } finally {
    z.destroy();
  }
}

function zstdWindowBytes(b: Uint8Array): number | null {
  // RFC 8878 §3.1.1.1: magic (4), frame header descriptor, [window descriptor], [dict id], [content size].
  if (b.length < 6 || b[0] !== 0x28 || b[1] !== 0xb5 || b[2] !== 0x2f || b[3] !== 0xfd) return null;
  const fhd = b[4]!;
  const singleSegment = (fhd >> 5) & 1;
  if (!singleSegment) {
    const wd = b[5]!;
    const base = 2 ** (10 + (wd >> 3));
    return base + (base / 8) * (wd & 7);
  }
  const dictBytes = [0, 1, 2, 4][fhd & 3]!;
  const fcsBytes = [1, 2, 4, 8][fhd >> 6]!;
  const at = 5 + dictBytes;
  if (b.length < at + fcsBytes) return null;
  let size = 0;
  for (let i = fcsBytes - 1; i >= 0; i--) size = size * 256 + b[at + i]!;
  return fcsBytes === 2 ? size + 256 : size;
}

async function* unzstd(raw: AsyncIterable<Uint8Array>, target: number, signal: AbortSignal | undefined): AsyncGenerator<Uint8Array> {
  const out: Uint8Array[] = [];
  let outBytes = 0;
  const d = new Decompress((c) => {
    if (c.length === 0) return;
    out.push(c);
    outBytes += c.length;
  });
  const feed = new FeedSizer(target, ZSTD_MAX_RATIO);
  let rawRead = 0;
  const fail = (e: unknown): CaptureFormatError => {
    const code = (e as { code?: number }).code;
    // fzstd's ZstdErrorCode.UnexpectedEOF
    return code === 5
      ? new CaptureFormatError('decompress', rawRead, `zstd stream ends early at byte ${rawRead} of the compressed file: the file is cut short`)
      : new CaptureFormatError('decompress', rawRead, `zstd data is corrupt near byte ${rawRead} of the compressed file: ${(e as Error).message}`);
  };
  let first = true;
  for await (const chunk of raw) {
    if (first) {
      first = false;
      const w = zstdWindowBytes(chunk);
      if (w !== null && w > ZSTD_MAX_WINDOW_BYTES) {
        throw new CaptureFormatError('decompress', 0, `zstd frame needs a ${w}-byte window, more than the ${ZSTD_MAX_WINDOW_BYTES}-byte limit`);
      }
    }
    for (let off = 0; off < chunk.length; ) {
      signal?.throwIfAborted();
      const slice = chunk.subarray(off, off + feed.size);
      off += slice.length;
      rawRead += slice.length;
      outBytes = 0;
      try {
        d.push(slice);
      } catch (e) {
        while (out.length > 0) yield out.shift()!;
        throw fail(e);
      }
      feed.update(slice.length, outBytes);
      while (out.length > 0) yield out.shift()!;
    }
  }
  try {
    d.push(new Uint8Array(0), true);
  } catch (e) {
    while (out.length > 0) yield out.shift()!;
    throw fail(e);
  }
  while (out.length > 0) yield out.shift()!;
}

async function* firstChunkAtLeast(src: AsyncIterable<Uint8Array>, min: number): AsyncGenerator<Uint8Array> {
  let head: Uint8Array | null = null;
  for await (const c of src) {
    if (c.length === 0) continue;
    if (head === null && c.length >= min) {
      head = c;
      yield c;
      continue;
    }
    if (head !== null && head.length >= min) {
      yield c;
      continue;
    }
    const joined: Uint8Array = new Uint8Array((head?.length ?? 0) + c.length);
    if (head) joined.set(head);
    joined.set(c, head?.length ?? 0);
    head = joined;
    if (head.length >= min) yield head;
  }
  if (head !== null && head.length < min) yield head;
}

async function readFully(fh: FileHandle, buf: Uint8Array, position: number): Promise<number> {
  let n = 0;
  while (n < buf.length) {
    const { bytesRead } = await fh.read(buf, n, buf.length - n, position + n);
    if (bytesRead === 0) break;
    n += bytesRead;
  }
  return n;
}

function readFd(fd: number, buf: Uint8Array, off: number, len: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => fsRead(fd, buf, off, len, position, (err, n) => (err ? reject(err) : resolve(n))));
}

/**
 * Reads `length` bytes at `offset` of a capture (read-only), e.g. one packet's data at its
 * CaptureRecord.dataOffset. Returns fewer bytes only if the file ends first.
 */
export async function readAt(file: string | number | FileHandle, offset: number, length: number): Promise<Uint8Array> {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`readAt: bad offset ${offset}`);
  if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`readAt: bad length ${length}`);
  // Zeroed and unpooled: a short read must not expose stale memory through .buffer.
  const buf = new Uint8Array(length);
  let n: number;
  if (typeof file === 'number') {
    n = 0;
    while (n < length) {
      const got = await readFd(file, buf, n, length - n, offset + n);
      if (got === 0) break;
      n += got;
    }
  } else if (typeof file === 'string') {
    const fh = await open(file, 'r');
    try {
      n = await readFully(fh, buf, offset);
    } finally {
      await fh.close();
    }
  } else {
    n = await readFully(file, buf, offset);
  }
  return n === length ? buf : buf.subarray(0, n);
}
