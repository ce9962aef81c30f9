import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, basename, join, resolve } from 'node:path';
import type { CaptureInfo, IngestProgress } from '../../../shared/model.js';
import { createParser, detectFormat, openCaptureStream } from '../capture/detect.js';
import { CaptureFormatError, type CaptureParser } from '../capture/types.js';
import { CaseStore, type CaptureFinish } from '../store/case-store.js';
import { PacketIndexer, type IndexerBatch } from './indexer.js';

export class IngestError extends Error {
  override readonly name = 'IngestError';
  constructor(
    readonly kind: string,
    /** Byte offset in the capture where the problem is, or null when not about bytes. */
    readonly offset: number | null,
    message: string,
  ) {
    super(message);
  }
}

export interface IngestOptions {
  capturePath: string;
  /** An open case to ingest into. */
  store: CaseStore;
  onProgress?: (p: IngestProgress) => void;
  signal?: AbortSignal;
  /** Reuse a complete capture with the same SHA-256 already in the case (default true). */
  reuse?: boolean;
  /** Where working copies of compressed captures go (default: beside the case). */
  dataDir?: string;
  /** Minimum interval between progress events, ms. */
  progressIntervalMs?: number;
}

export interface IngestResult {
  captureId: number;
  capture: CaptureInfo;
  reused: boolean;
  /** Damage that stopped reading early; everything before it was kept. */
  problem: { kind: string; offset: number; message: string } | null;
}

/** One line naming the file, the problem and the byte offset. */
function describeDamage(path: string, e: CaptureFormatError): string {
  const where = new RegExp(`\\b${e.offset}\\b`).test(e.message) ? '' : ` (at byte ${e.offset})`;
  return `${basename(path)}: ${e.message}${where}`;
}

/** Streams hashed with SHA-256 at this many bytes per read; also the decompression unit. */
const CHUNK_SIZE = 4 << 20;

/** Working copies of compressed captures live beside the case, named by the capture's hash. */
export function dataDirFor(casePath: string): string {
  return join(dirname(resolve(casePath)), `${basename(casePath)}.data`);
}

export async function sha256File(path: string, signal?: AbortSignal): Promise<string> {
  const h = createHash('sha256');
  const { open } = await import('node:fs/promises');
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(CHUNK_SIZE);
    for (;;) {
      signal?.throwIfAborted();
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  return h.digest('hex');
}

/**
 * Reads a capture once: hashes it, parses and dissects every record, and writes the
 * packet index, flows and hosts into the case. The capture file is opened read-only.
 */
export async function ingestCapture(opts: IngestOptions): Promise<IngestResult> {
  const { store, signal } = opts;
  const path = resolve(opts.capturePath);
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    throw new IngestError('unreadable', null, `cannot read ${opts.capturePath}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (!st.isFile()) throw new IngestError('unreadable', null, `${opts.capturePath} is not a regular file`);

  // Same bytes already in this case? Hash first only when a candidate exists (same size).
  if (opts.reuse !== false) {
    const candidates = store.captures().filter((c) => c.size === st.size && c.status !== 'ingesting' && c.status !== 'cancelled');
    if (candidates.length) {
      const sha = await sha256File(path, signal);
      const hit = candidates.find((c) => c.sha256 === sha);
      if (hit) return { captureId: hit.id, capture: hit, reused: true, problem: null };
    }
  }

  const started = Date.now();
  const hash = createHash('sha256');
  let bytesRead = 0;
  let lastProgress = 0;
  const interval = opts.progressIntervalMs ?? 100;
  const total = st.size;
  const emit = (phase: IngestProgress['phase'], packets: number, force = false) => {
    if (!opts.onProgress) return;
    const now = Date.now();
    if (!force && now - lastProgress < interval) return;
    lastProgress = now;
    const secs = Math.max((now - started) / 1000, 1e-3);
    const rate = bytesRead / secs;
    opts.onProgress({ bytesRead, totalBytes: total, packets, rate, etaSeconds: rate > 0 && phase === 'reading' ? Math.max(0, (total - bytesRead) / rate) : null, phase });
  };

  let stream;
  try {
    stream = await openCaptureStream(path, {
      chunkSize: CHUNK_SIZE,
      onRawChunk: (c) => {
        hash.update(c);
        bytesRead += c.length;
      },
      ...(signal ? { signal } : {}),
    });
  } catch (e) {
    if (e instanceof CaptureFormatError) throw new IngestError(e.kind, e.offset, describeDamage(opts.capturePath, e));
    throw new IngestError('unreadable', null, `cannot read ${opts.capturePath}: ${(e as Error).message}`);
  }

  const pendingSha = `pending:${process.pid}:${started}:${Math.random().toString(36).slice(2)}`;
  const dataDir = opts.dataDir ?? dataDirFor(store.path);
  const tmpData = stream.compression ? join(dataDir, `${pendingSha.replace(/:/g, '-')}.tmp`) : null;
  let dataFd: number | null = null;
  if (tmpData) {
    mkdirSync(dataDir, { recursive: true });
    dataFd = openSync(tmpData, 'w');
  }

  const captureId = store.beginCapture({
    path,
    dataPath: path,
    size: st.size,
    mtimeMs: Math.trunc(st.mtimeMs),
    sha256: pendingSha,
    format: null,
    compression: stream.compression,
  });

  const indexer = new PacketIndexer({
    captureId,
    hostIds: store.loadHostIds(),
    firstFlowId: store.maxFlowId(),
    protocolIds: new Map(store.db.prepare('SELECT name, id FROM protocols').all().map((r) => [(r as { name: string }).name, (r as { id: number }).id])),
  });
  const write = (b: IndexerBatch | null) => {
    if (!b) return;
    if (b.newProtocols.length) {
      const st2 = store.db.prepare('INSERT OR IGNORE INTO protocols(id, name) VALUES (?, ?)');
      for (const p of b.newProtocols) st2.run(p);
    }
    store.writeBatch(b);
  };

  store.beginBulk();
  let parser: CaptureParser | null = null;
  let problem: IngestResult['problem'] = null;
  let cancelled = false;
  let format: string | null = null;
  try {
    try {
      for await (const chunk of stream.chunks) {
        if (signal?.aborted) {
          cancelled = true;
          break;
        }
        if (dataFd !== null) writeSync(dataFd, chunk);
        if (!parser) {
          const d = detectFormat(chunk);
          if ('format' in d) {
            format = d.format;
            parser = createParser(d.format, (rec) => indexer.add(rec));
          } else if ('unknown' in d) {
            throw new CaptureFormatError('unknown-magic', 0, d.unknown);
          } else {
            throw new CaptureFormatError('decompress', 0, 'compressed data inside compressed data is not supported');
          }
        }
        // Push in slices so batches reach SQLite at a steady pace and memory stays flat.
        parser.push(chunk);
        for (const b of indexer.takeFullBatches()) write(b);
        emit('reading', indexer.packets);
      }
      if (!cancelled) {
        if (!parser) throw new CaptureFormatError('empty', 0, `${opts.capturePath} is empty (0 bytes): not a capture`);
        parser.end();
      }
    } catch (e) {
      if (e instanceof CaptureFormatError) {
        if (indexer.packets === 0 && (!parser || !parser.header)) {
          store.deleteCapture(captureId);
          throw new IngestError(e.kind, e.offset, describeDamage(opts.capturePath, e));
        }
        problem = { kind: e.kind, offset: e.offset, message: describeDamage(opts.capturePath, e) };
      } else if ((e as Error).name === 'AbortError') {
        cancelled = true;
      } else {
        throw e;
      }
    }
    for (const b of indexer.takeFullBatches()) write(b);
    write(indexer.takeBatch());
  } catch (e) {
    if (dataFd !== null) closeSync(dataFd);
    if (tmpData) rmSync(tmpData, { force: true });
    store.endBulk();
    if (e instanceof IngestError) throw e;
    store.deleteCapture(captureId);
    throw e;
  }

  const sha256 = hash.digest('hex');
  let dataPath = path;
  if (dataFd !== null && tmpData) {
    closeSync(dataFd);
    dataPath = join(dataDir, `${sha256}.${format ?? 'pcap'}`);
    renameSync(tmpData, dataPath);
  }

  emit('indexing', indexer.packets, true);
  store.writeFlowsAndHosts(captureId, indexer.flows(), indexer.hosts());
  const ifaces = parser?.interfaces ?? [];
  const finish: CaptureFinish = {
    status: cancelled ? 'cancelled' : problem ? (problem.kind.startsWith('truncated') || problem.kind === 'decompress' ? 'truncated' : 'damaged') : 'complete',
    format,
    linkTypes: [...indexer.linkTypes].sort((a, b) => a - b),
    packets: indexer.packets,
    bytes: indexer.bytes,
    bytesRead,
    firstTs: indexer.firstTs,
    lastTs: indexer.lastTs,
    stopOffset: problem ? problem.offset : cancelled ? bytesRead : null,
    stopReason: problem ? problem.message : cancelled ? 'cancelled by the user' : null,
    // A cancelled capture keeps its pending hash: it is never reused as complete.
    sha256: cancelled ? pendingSha : sha256,
    interfaces: ifaces.map((i) => ({
      id: i.id, linktype: i.linktype, snaplen: i.snaplen, name: i.name, description: i.description, tsResolution: i.tsResolution,
      received: i.stats?.received, dropped: i.stats?.dropped,
    })),
    names: (parser?.names ?? []).flatMap((n) => n.names.map((name) => ({ addr: n.address, name }))),
  };
  if (!cancelled) store.setCaptureSha(captureId, sha256);
  store.db.prepare('UPDATE captures SET data_path = ? WHERE id = ?').run(dataPath, captureId);
  store.finishCapture(captureId, finish);
  store.buildIndexes();
  store.endBulk();
  emit('done', indexer.packets, true);
  const capture = store.capture(captureId)!;
  return { captureId, capture, reused: false, problem };
}
