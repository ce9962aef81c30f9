import { buildHostLabels } from '../query/hosts.js';
import { createHash } from 'node:crypto';
import { existsSync, renameSync, statSync } from 'node:fs';
import { dirname, basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CaptureInfo, IngestProgress } from '../../../shared/model.js';
import type { CaseStore, CaptureFinish, PacketBatch } from '../store/case-store.js';
import { runParseSide, type ParseSideInput, type ParseSideResult } from './parse-side.js';

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
  /** Where the parse side runs: a worker thread (default for large captures) or in-line. */
  threads?: 'worker' | 'inline';
  /** Minimum interval between progress events, ms. */
  progressIntervalMs?: number;
  /** Tuning for tests: see IndexerOptions.evictIdleFrames and batchRows. */
  evictIdleFrames?: number;
  batchRows?: number;
}

export interface IngestResult {
  captureId: number;
  capture: CaptureInfo;
  reused: boolean;
  /** Damage that stopped reading early; everything before it was kept. */
  problem: { kind: string; offset: number; message: string } | null;
  /** Conversations whose state the parser evicted while reading (memory stays bounded). */
  flowsEvicted?: number;
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

  // Rows of an earlier ingest that never finished (the process died) are not evidence.
  for (const c of store.captures()) if (c.status === 'ingesting') store.deleteCapture(c.id);

  const started = Date.now();
  let bytesRead = 0;
  let packets = 0;
  let lastProgress = 0;
  const interval = opts.progressIntervalMs ?? 100;
  const total = st.size;
  const emit = (phase: IngestProgress['phase'], force = false) => {
    if (!opts.onProgress) return;
    const now = Date.now();
    if (!force && now - lastProgress < interval) return;
    lastProgress = now;
    const secs = Math.max((now - started) / 1000, 1e-3);
    const rate = bytesRead / secs;
    opts.onProgress({ bytesRead, totalBytes: total, packets, rate, etaSeconds: rate > 0 && phase === 'reading' ? Math.max(0, (total - bytesRead) / rate) : null, phase });
  };

  const pendingSha = `pending:${process.pid}:${started}:${Math.random().toString(36).slice(2)}`;
  const captureId = store.beginCapture({
    path,
    dataPath: path,
    size: st.size,
    mtimeMs: Math.trunc(st.mtimeMs),
    sha256: pendingSha,
    format: null,
    compression: null,
  });
  const input: ParseSideInput = {
    capturePath: path,
    displayName: opts.capturePath,
    captureId,
    hostIds: [...store.loadHostIds()],
    firstFlowId: store.maxFlowId(),
    protocolIds: store.db.prepare('SELECT name, id FROM protocols').raw().all() as [string, number][],
    fieldIds: store.db.prepare('SELECT name, id FROM field_names').raw().all() as [string, number][],
    dataDir: opts.dataDir ?? dataDirFor(store.path),
    tmpStem: pendingSha.replace(/:/g, '-'),
    chunkSize: CHUNK_SIZE,
    hash: true,
    ...(opts.evictIdleFrames !== undefined ? { evictIdleFrames: opts.evictIdleFrames } : {}),
    ...(opts.batchRows !== undefined ? { batchRows: opts.batchRows } : {}),
  };
  const useWorker = opts.threads === 'worker' || (opts.threads !== 'inline' && st.size >= WORKER_MIN_BYTES && parseWorkerAvailable());
  // In-line, the parse side hashes the raw bytes as it reads them (one pass over the
  // evidence). With a worker, this thread hashes them instead, following the worker's
  // progress a few MiB behind it (the bytes are in the page cache): it has idle time
  // between batches, the worker has none.
  const hasher = useWorker ? new TrailingHasher(path) : null;
  if (hasher) {
    input.hash = false;
    // Opened now, beside the parser's descriptor: a path deleted or replaced mid-ingest
    // still hashes the file the parser reads.
    try {
      await hasher.open();
    } catch (e) {
      store.deleteCapture(captureId);
      throw e;
    }
  }
  const write = (b: PacketBatch, read: number) => {
    store.writeBatch(b);
    bytesRead = read;
    packets += b.rows;
    hasher?.advance(read);
    emit('reading');
  };

  store.beginBulk();
  let r: ParseSideResult;
  try {
    r = useWorker ? await parseInWorker(input, write, signal) : await runParseSide(input, write, signal);
    // Exactly the bytes the parser read (a file that grew while being read included).
    if (hasher) r.sha256 = await hasher.finish(r.bytesRead);
  } catch (e) {
    await hasher?.abandon();
    store.endBulk();
    store.deleteCapture(captureId);
    throw e;
  }
  bytesRead = r.bytesRead;
  if (r.fatal) {
    store.endBulk();
    store.deleteCapture(captureId);
    throw new IngestError(r.fatal.kind, r.fatal.offset, r.fatal.message);
  }

  let dataPath = path;
  if (r.dataTmpPath) {
    dataPath = join(dirname(r.dataTmpPath), `${r.sha256}.${r.format ?? 'pcap'}`);
    renameSync(r.dataTmpPath, dataPath);
  }

  emit('indexing', true);
  store.writeFlowsAndHosts(captureId, r.flows, r.hosts);
  const finish: CaptureFinish = {
    status: r.cancelled ? 'cancelled' : r.problem ? (r.problem.kind.startsWith('truncated') || r.problem.kind === 'decompress' ? 'truncated' : 'damaged') : 'complete',
    format: r.format,
    linkTypes: r.linkTypes,
    packets: r.packets,
    bytes: r.bytes,
    bytesRead: r.bytesRead,
    firstTs: r.firstTs,
    lastTs: r.lastTs,
    stopOffset: r.problem ? r.problem.offset : r.cancelled ? r.bytesRead : null,
    stopReason: r.problem ? r.problem.message : r.cancelled ? 'cancelled by the user' : null,
    // A cancelled capture keeps its pending hash: it is never reused as complete.
    sha256: r.cancelled ? pendingSha : r.sha256,
    interfaces: r.interfaces,
    names: r.names,
  };
  if (!r.cancelled) store.setCaptureSha(captureId, r.sha256);
  store.db.prepare('UPDATE captures SET data_path = ?, compression = ? WHERE id = ?').run(dataPath, r.compression, captureId);
  store.finishCapture(captureId, finish);
  store.buildIndexes();
  buildHostLabels(store, captureId);
  store.endBulk();
  packets = r.packets;
  emit('done', true);
  const capture = store.capture(captureId)!;
  return { captureId, capture, reused: false, problem: r.problem, flowsEvicted: r.flowsEvicted };
}

/**
 * SHA-256 of a file's first N bytes, computed in steps as N grows (`advance`), reading
 * behind the parser; `finish(n)` hashes up to exactly n bytes and returns the digest.
 */
class TrailingHasher {
  private readonly h = createHash('sha256');
  private pos = 0;
  private target = 0;
  private running: Promise<void> | null = null;
  private fh: import('node:fs/promises').FileHandle | null = null;
  private failed: Error | null = null;
  private readonly buf = Buffer.allocUnsafe(CHUNK_SIZE);

  constructor(private readonly path: string) {}

  advance(n: number): void {
    if (n > this.target) this.target = n;
    this.running ??= this.pump().finally(() => (this.running = null));
  }

  async open(): Promise<void> {
    const { open } = await import('node:fs/promises');
    try {
      this.fh = await open(this.path, 'r');
    } catch (e) {
      throw new IngestError('unreadable', null, `cannot read ${this.path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }

  private async pump(): Promise<void> {
    try {
      if (!this.fh) throw new Error('the evidence is not open for hashing');
      while (this.pos < this.target) {
        const want = Math.min(this.buf.length, this.target - this.pos);
        const { bytesRead } = await this.fh.read(this.buf, 0, want, this.pos);
        if (bytesRead === 0) throw new Error(`${this.path} ended at byte ${this.pos} while being hashed (the parser read ${this.target})`);
        this.h.update(this.buf.subarray(0, bytesRead));
        this.pos += bytesRead;
      }
    } catch (e) {
      this.failed ??= e as Error;
      this.target = this.pos;
    }
  }

  async finish(n: number): Promise<string> {
    while (this.running) await this.running;
    this.target = n;
    if (this.pos < n && !this.failed) await this.pump();
    await this.close();
    if (this.failed) throw new IngestError('unreadable', this.pos, `cannot hash the evidence: ${this.failed.message}`);
    if (this.pos !== n) throw new IngestError('internal', this.pos, `hashed ${this.pos} bytes of the ${n} the parser read`);
    return this.h.digest('hex');
  }

  async abandon(): Promise<void> {
    this.target = this.pos;
    while (this.running) await this.running.catch(() => undefined);
    await this.close();
  }

  private async close(): Promise<void> {
    const fh = this.fh;
    this.fh = null;
    await fh?.close();
  }
}

/** Young generation of the parse worker, MiB (see INGEST_YOUNG_GEN_MB in worker.ts). */
const PARSE_YOUNG_GEN_MB = 32;

/** Below this size a worker's start-up costs more than the parallelism gains. */
const WORKER_MIN_BYTES = 16 << 20;

const PARSE_WORKER = new URL('./parse-worker-entry.js', import.meta.url);

/** The worker runs compiled JS; under a TypeScript test runner there is none beside the source. */
function parseWorkerAvailable(): boolean {
  return PARSE_WORKER.protocol === 'file:' && existsSync(fileURLToPath(PARSE_WORKER));
}

function parseInWorker(input: ParseSideInput, write: (b: PacketBatch, bytesRead: number) => void, signal?: AbortSignal): Promise<ParseSideResult> {
  const w = new Worker(PARSE_WORKER, { workerData: input, resourceLimits: { maxYoungGenerationSizeMb: PARSE_YOUNG_GEN_MB } });
  const onAbort = () => w.postMessage({ type: 'cancel' });
  signal?.addEventListener('abort', onAbort);
  return new Promise<ParseSideResult>((resolve, reject) => {
    let settled = false;
    const done = (f: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      void w.terminate();
      f();
    };
    w.on('message', (m: { type: 'batch'; batch: PacketBatch; bytesRead: number } | { type: 'end'; result: ParseSideResult } | { type: 'error'; error: { message: string } }) => {
      if (m.type === 'batch') {
        try {
          write(m.batch, m.bytesRead);
          w.postMessage({ type: 'credit' });
        } catch (e) {
          done(() => reject(e as Error));
        }
      } else if (m.type === 'end') done(() => resolve(m.result));
      else done(() => reject(new IngestError('internal', null, `parse worker failed: ${m.error.message}`)));
    });
    w.on('error', (e) => done(() => reject(e)));
    w.on('exit', (code) => done(() => reject(new IngestError('worker-exit', null, `parse worker stopped unexpectedly (exit code ${code})`))));
  });
}
