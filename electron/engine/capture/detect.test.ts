import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, gunzipSync, gzipSync } from 'node:zlib';

import { afterAll, describe, expect, it } from 'vitest';

import { createParser, detectFormat, openCaptureStream, readAt, ZSTD_MAX_WINDOW_BYTES } from './detect.js';
import { PcapParser } from './pcap.js';
import { PcapngParser } from './pcapng.js';
import { CaptureFormatError, type CaptureRecord } from './types.js';
import { PcapngWriter, PcapWriter } from './writer.js';

const dir = mkdtempSync(join(tmpdir(), 'th-detect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function hasZstd(): boolean {
  try {
    execFileSync('zstd', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const zstdCli = hasZstd();
const zstdNote = zstdCli ? '' : ' (skipped: the zstd CLI is not installed; apt-get install zstd)';

function payload(n: number, salt: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + salt) & 0xff;
  return b;
}

/** ~1.2 MB pcap of 1000 records. */
function samplePcap(): Buffer {
  const w = new PcapWriter({ nsec: true });
  for (let i = 0; i < 1000; i++) w.packet(1_700_000_000 + i, i * 997, payload(60 + ((i * 37) % 1400), i));
  return w.toBuffer();
}

function samplePcapng(): Buffer {
  const w = new PcapngWriter();
  w.addInterface({ linktype: 1, tsResolution: 1e9, name: 'eth0' });
  for (let i = 0; i < 500; i++) w.packet(0, 1_700_000_000 + i, i, payload(60 + ((i * 53) % 1400), i), i % 50 === 0 ? { comments: [`c${i}`] } : {});
  return w.toBuffer();
}

function file(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<{ bytes: Buffer; sizes: number[]; error: unknown }> {
  const parts: Uint8Array[] = [];
  let error: unknown = null;
  try {
    for await (const c of chunks) parts.push(c);
  } catch (e) {
    error = e;
  }
  return { bytes: Buffer.concat(parts), sizes: parts.map((p) => p.length), error };
}

/** Parses a stream as the ingest does: detect on the first chunk, then push everything. */
async function parseStream(chunks: AsyncIterable<Uint8Array>) {
  const recs: string[] = [];
  let parser: ReturnType<typeof createParser> | null = null;
  const onRec = (r: CaptureRecord) => recs.push(`${r.dataOffset}/${r.caplen}/${r.tsSec}.${r.tsNsec}/${r.comments ?? ''}/${Buffer.from(r.data).toString('base64')}`);
  for await (const c of chunks) {
    if (!parser) {
      const d = detectFormat(c);
      if (!('format' in d)) throw new Error(JSON.stringify(d));
      parser = createParser(d.format, onRec);
    }
    parser.push(c);
  }
  parser?.end();
  return recs;
}

describe('detectFormat', () => {
  it.each([
    ['pcap usec LE', [0xd4, 0xc3, 0xb2, 0xa1], { format: 'pcap' }],
    ['pcap usec BE', [0xa1, 0xb2, 0xc3, 0xd4], { format: 'pcap' }],
    ['pcap nsec LE', [0x4d, 0x3c, 0xb2, 0xa1], { format: 'pcap' }],
    ['pcap nsec BE', [0xa1, 0xb2, 0x3c, 0x4d], { format: 'pcap' }],
    ['pcapng SHB', [0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0, 0, 0], { format: 'pcapng' }],
    ['gzip', [0x1f, 0x8b, 0x08, 0x00], { compression: 'gzip' }],
    ['zstd', [0x28, 0xb5, 0x2f, 0xfd, 0x24], { compression: 'zstd' }],
  ])('%s magic', (_name, bytes, want) => {
    expect(detectFormat(Uint8Array.from(bytes))).toEqual(want);
  });

  it('empty input', () => {
    expect(detectFormat(new Uint8Array(0))).toEqual({ unknown: 'the file is empty (0 bytes): not a capture' });
  });

  it('3 bytes d4 c3 b2: too short', () => {
    expect(detectFormat(Uint8Array.of(0xd4, 0xc3, 0xb2))).toEqual({ unknown: 'only 3 byte(s) (d4 c3 b2): too short to be a capture' });
  });

  it('3 bytes "abc": unknown magic', () => {
    expect(detectFormat(new TextEncoder().encode('abc'))).toEqual({ unknown: 'unknown magic bytes 61 62 63: not pcap, pcapng, gzip or zstd' });
  });

  it('"This is not a capture": unknown magic naming four bytes', () => {
    expect(detectFormat(new TextEncoder().encode('This is not a capture'))).toEqual({ unknown: 'unknown magic bytes 54 68 69 73: not pcap, pcapng, gzip or zstd' });
  });

  it('createParser gives the parser of each format', () => {
    expect(createParser('pcap', () => {})).toBeInstanceOf(PcapParser);
    expect(createParser('pcapng', () => {})).toBeInstanceOf(PcapngParser);
  });
});

describe('openCaptureStream', () => {
  const pcap = samplePcap();
  const pcapng = samplePcapng();

  it('plain pcap in 64 KiB chunks: raw chunks = decoded chunks = the file, each in its own buffer', async () => {
    const p = file('plain.pcap', pcap);
    const raw: Uint8Array[] = [];
    const s = await openCaptureStream(p, { chunkSize: 65536, onRawChunk: (c) => raw.push(c) });
    expect(s.compression).toBeNull();
    expect(s.rawSize).toBe(pcap.length);
    const { bytes, sizes, error } = await collect(s.chunks);
    expect(error).toBeNull();
    expect(Buffer.compare(bytes, pcap)).toBe(0);
    expect(Math.max(...sizes)).toBe(65536);
    expect(Buffer.compare(Buffer.concat(raw), pcap)).toBe(0);
    expect(new Set(raw.map((c) => c.buffer)).size).toBe(raw.length);
  });

  it('plain pcap and pcapng parse to the same records through the stream as from memory', async () => {
    for (const [name, bytes] of [
      ['pcap', pcap],
      ['pcapng', pcapng],
    ] as const) {
      const s = await openCaptureStream(file(`same.${name}`, bytes), { chunkSize: 10_000 });
      const viaStream = await parseStream(s.chunks);
      expect(viaStream.length).toBe(name === 'pcap' ? 1000 : 500);
      const mem: string[] = [];
      const parser = createParser(name, (r) => mem.push(`${r.dataOffset}/${r.caplen}/${r.tsSec}.${r.tsNsec}/${r.comments ?? ''}/${Buffer.from(r.data).toString('base64')}`));
      parser.push(bytes);
      parser.end();
      expect(viaStream).toEqual(mem);
    }
  });

  it('1-byte chunk size still yields a first chunk of 4 bytes for detection', async () => {
    const s = await openCaptureStream(file('tiny.pcap', pcap.subarray(0, 40)), { chunkSize: 1 });
    const { bytes, sizes } = await collect(s.chunks);
    expect(sizes[0]).toBe(4);
    expect(sizes.slice(1).every((n) => n === 1)).toBe(true);
    expect(Buffer.compare(bytes, pcap.subarray(0, 40))).toBe(0);
  });

  it('empty file: no compression, no chunks', async () => {
    const s = await openCaptureStream(file('empty.pcap', new Uint8Array(0)));
    expect(s).toMatchObject({ compression: null, rawSize: 0 });
    expect((await collect(s.chunks)).sizes).toEqual([]);
  });

  it('3-byte file: one 3-byte chunk', async () => {
    const s = await openCaptureStream(file('three.pcap', Uint8Array.of(1, 2, 3)));
    expect((await collect(s.chunks)).sizes).toEqual([3]);
  });

  it('missing file: rejects with ENOENT', async () => {
    await expect(openCaptureStream(join(dir, 'nope.pcap'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  describe('gzip', () => {
    it.each(['pcap', 'pcapng'] as const)('gzipped %s decodes to the same records; onRawChunk sees the compressed bytes', async (name) => {
      const plain = name === 'pcap' ? pcap : pcapng;
      const gz = gzipSync(plain);
      const raw: Uint8Array[] = [];
      const s = await openCaptureStream(file(`x.${name}.gz`, gz), { chunkSize: 4096, onRawChunk: (c) => raw.push(c) });
      expect(s.compression).toBe('gzip');
      expect(s.rawSize).toBe(gz.length);
      const recs = await parseStream(s.chunks);
      expect(Buffer.compare(Buffer.concat(raw), gz)).toBe(0);
      const s2 = await openCaptureStream(file(`y.${name}`, plain));
      expect(recs).toEqual(await parseStream(s2.chunks));
    });

    it('two concatenated gzip members decode as one stream', async () => {
      const gz = Buffer.concat([gzipSync(pcap.subarray(0, 5000)), gzipSync(pcap.subarray(5000))]);
      const s = await openCaptureStream(file('multi.pcap.gz', gz));
      expect(Buffer.compare((await collect(s.chunks)).bytes, pcap)).toBe(0);
    });

    it('gzip cut short: yields every decodable byte, then decompress error at the raw end offset', async () => {
      const gz = gzipSync(pcap);
      const cut = gz.subarray(0, Math.floor(gz.length * 0.6));
      const decodable = gunzipSync(cut, { finishFlush: constants.Z_SYNC_FLUSH });
      const s = await openCaptureStream(file('cut.pcap.gz', cut), { chunkSize: 8192 });
      const { bytes, error } = await collect(s.chunks);
      expect(error).toBeInstanceOf(CaptureFormatError);
      expect(error).toMatchObject({ kind: 'decompress', offset: cut.length });
      expect((error as Error).message).toMatch(/^gzip stream ends early at byte \d+ of the compressed file/);
      expect(bytes.length).toBe(decodable.length);
      expect(Buffer.compare(bytes, pcap.subarray(0, bytes.length))).toBe(0);
    });

    it('gzip with corrupt deflate data: decompress error', async () => {
      const gz = Buffer.from(gzipSync(pcap));
      for (let i = 2000; i < 2100; i++) gz[i] = 0xff;
      const s = await openCaptureStream(file('corrupt.pcap.gz', gz));
      const { error } = await collect(s.chunks);
      expect(error).toMatchObject({ kind: 'decompress' });
      expect((error as Error).message).toMatch(/gzip data is corrupt near byte \d+/);
    });

    it('gzip of 64 MiB of zeros (ratio ~1000) is yielded in chunks of at most 1 MiB', async () => {
      const zeros = new Uint8Array(64 * 1024 * 1024);
      const s = await openCaptureStream(file('bomb.gz', gzipSync(zeros)), { chunkSize: 1024 * 1024 });
      let total = 0;
      let max = 0;
      for await (const c of s.chunks) {
        total += c.length;
        max = Math.max(max, c.length);
        if (c.some((x) => x !== 0)) throw new Error('non-zero byte');
      }
      expect(total).toBe(zeros.length);
      expect(max).toBeLessThanOrEqual(1024 * 1024);
    });
  });

  describe(`zstd${zstdNote}`, () => {
    const zstd = (b: Uint8Array, ...args: string[]) => execFileSync('zstd', ['-q', '-c', ...args], { input: b, maxBuffer: 1 << 30 });

    it.skipIf(!zstdCli).each(['pcap', 'pcapng'] as const)('zstd-compressed %s decodes to the same records', async (name) => {
      const plain = name === 'pcap' ? pcap : pcapng;
      const zst = zstd(plain);
      const s = await openCaptureStream(file(`x.${name}.zst`, zst), { chunkSize: 4096 });
      expect(s.compression).toBe('zstd');
      const recs = await parseStream(s.chunks);
      const s2 = await openCaptureStream(file(`z.${name}`, plain));
      expect(recs).toEqual(await parseStream(s2.chunks));
    });

    it.skipIf(!zstdCli)('zstd cut short: yields a prefix, then decompress error at the raw end offset', async () => {
      const zst = zstd(pcap);
      const cut = zst.subarray(0, Math.floor(zst.length * 0.6));
      const s = await openCaptureStream(file('cut.pcap.zst', cut));
      const { bytes, error } = await collect(s.chunks);
      expect(error).toMatchObject({ kind: 'decompress', offset: cut.length });
      expect((error as Error).message).toMatch(/^zstd stream ends early/);
      expect(Buffer.compare(bytes, pcap.subarray(0, bytes.length))).toBe(0);
    });

    it.skipIf(!zstdCli)('zstd of 64 MiB of zeros decodes fully and in bounded chunks', async () => {
      const zeros = new Uint8Array(64 * 1024 * 1024);
      const s = await openCaptureStream(file('bomb.zst', zstd(zeros)), { chunkSize: 1024 * 1024 });
      let total = 0;
      let max = 0;
      for await (const c of s.chunks) {
        total += c.length;
        max = Math.max(max, c.length);
      }
      expect(total).toBe(zeros.length);
      expect(max).toBeLessThanOrEqual(1024 * 1024);
    });

    it('zstd frame header asking for a 2 GiB window: decompress error before any allocation', async () => {
      // magic, frame header descriptor 0 (window descriptor present), window descriptor
      // exponent 21 → 2^31 bytes, then a raw last block of 0 bytes.
      const hdr = Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd, 0x00, 21 << 3, 0x01, 0x00, 0x00);
      const s = await openCaptureStream(file('huge-window.zst', hdr));
      const { error } = await collect(s.chunks);
      expect(error).toMatchObject({ kind: 'decompress', offset: 0 });
      expect((error as Error).message).toContain(`more than the ${ZSTD_MAX_WINDOW_BYTES}-byte limit`);
    });

    it('zstd magic followed by garbage: decompress error', async () => {
      const s = await openCaptureStream(file('garbage.zst', Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)));
      expect((await collect(s.chunks)).error).toMatchObject({ kind: 'decompress' });
    });
  });

  it('aborted before opening: rejects with AbortError', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(openCaptureStream(file('abort1.pcap', pcap), { signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('aborted after the first chunk: the next read throws AbortError', async () => {
    const ac = new AbortController();
    const s = await openCaptureStream(file('abort2.pcap', pcap), { chunkSize: 1000, signal: ac.signal });
    const it = s.chunks[Symbol.asyncIterator]();
    expect((await it.next()).done).toBe(false);
    ac.abort();
    await expect(it.next()).rejects.toMatchObject({ name: 'AbortError' });
  });

  it.skipIf(!existsSync('/proc/self/fd'))('leaving the loop early closes the file', async () => {
    const p = file('early.pcap', pcap);
    const before = readdirSync('/proc/self/fd').length;
    for (let n = 0; n < 5; n++) {
      const s = await openCaptureStream(p, { chunkSize: 1000 });
      for await (const c of s.chunks) if (c.length > 0) break;
    }
    expect(readdirSync('/proc/self/fd').length).toBe(before);
  });
});

describe('readAt', () => {
  const bytes = payload(1000, 5);
  const p = file('readat.bin', bytes);

  it('by path, by fd and by FileHandle read the same bytes', async () => {
    expect(Array.from(await readAt(p, 100, 20))).toEqual(Array.from(bytes.subarray(100, 120)));
    const fd = openSync(p, 'r');
    try {
      expect(Array.from(await readAt(fd, 990, 10))).toEqual(Array.from(bytes.subarray(990)));
    } finally {
      closeSync(fd);
    }
    const fh = await open(p, 'r');
    try {
      expect(Array.from(await readAt(fh, 0, 3))).toEqual(Array.from(bytes.subarray(0, 3)));
    } finally {
      await fh.close();
    }
  });

  it('past the end of the file: returns only the bytes that exist', async () => {
    expect((await readAt(p, 995, 10)).length).toBe(5);
    expect((await readAt(p, 5000, 10)).length).toBe(0);
  });

  it('negative or fractional offset or length: RangeError', async () => {
    await expect(readAt(p, -1, 1)).rejects.toThrow(RangeError);
    await expect(readAt(p, 0.5, 1)).rejects.toThrow(RangeError);
    await expect(readAt(p, 0, -3)).rejects.toThrow(RangeError);
  });
});
