import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { IngestProgress } from '../../../shared/model.js';
import { ENGINE_VERSION, CaseStore } from '../store/case-store.js';
import { IngestError, ingestCapture, sha256File, type IngestResult } from '../ingest/pipeline.js';
import { ingestWorkerAvailable, startIngestWorker } from '../ingest/worker.js';

/** Where captures opened without --case are indexed: one case per capture SHA-256. */
export function cacheDir(): string {
  const env = process.env['TRACEHOUND_CACHE'];
  if (env) return resolve(env);
  const xdg = process.env['XDG_CACHE_HOME'];
  return join(xdg ? resolve(xdg) : join(homedir(), '.cache'), 'tracehound');
}

const SQLITE_MAGIC = 'SQLite format 3\0';

export function isCaseFile(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return false;
  }
  try {
    const b = Buffer.alloc(16);
    return readSync(fd, b, 0, 16, 0) === 16 && b.toString('latin1') === SQLITE_MAGIC;
  } finally {
    closeSync(fd);
  }
}

/** True when a bulk load of this case was interrupted (its marker outlived its process). */
export function ingestInterrupted(casePath: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(`${casePath}.ingesting`, 'utf8'));
  } catch {
    return false;
  }
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return pid === process.pid;
  } catch {
    return true;
  }
}

export interface OpenedTarget {
  store: CaseStore;
  captureId: number;
  /** The ingest that ran to open it, if one did. */
  ingest: IngestResult | null;
}

export interface OpenTargetOptions {
  /** Ingest into (or read from) this case file instead of the cache. */
  caseFile?: string;
  onProgress?: (p: IngestProgress) => void;
  signal?: AbortSignal;
  /** Capture id inside a case file (default: the first). */
  captureId?: number;
  /** Where the ingest's writer runs: a worker thread (default where the compiled worker
   * exists, so the host's event loop never blocks) or this thread. */
  threads?: 'worker' | 'inline';
}

/**
 * Ingests `target` into the case file at `casePath` (created when missing) and closes it.
 * In a worker, the case is opened there; this thread only relays progress and cancel.
 */
async function ingestInto(casePath: string, target: string, opts: OpenTargetOptions, dataDir?: string): Promise<IngestResult> {
  if (opts.threads !== 'inline' && ingestWorkerAvailable()) {
    const job = startIngestWorker({ capturePath: target, casePath, ...(dataDir ? { dataDir } : {}) }, opts.onProgress);
    const onAbort = () => job.cancel();
    if (opts.signal?.aborted) job.cancel();
    opts.signal?.addEventListener('abort', onAbort);
    try {
      return await job.done;
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }
  const store = CaseStore.open(casePath, { create: true });
  try {
    return await ingestCapture({ capturePath: target, store, ...(dataDir ? { dataDir } : {}), ...pick(opts) });
  } finally {
    store.close();
  }
}

interface CacheIndex {
  [key: string]: string;
}

function readIndex(dir: string): CacheIndex {
  try {
    return JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as CacheIndex;
  } catch {
    return {};
  }
}

function writeIndex(dir: string, idx: CacheIndex): void {
  const tmp = join(dir, `index.json.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify(idx));
  renameSync(tmp, join(dir, 'index.json'));
}

/**
 * The cached case's finished capture, or null when it must be indexed again: unfinished, or
 * written by an engine whose analyzers differ (a cache case holds no user work, so it is
 * cheaper to rebuild than to answer filters from an older index).
 */
function completeCapture(store: CaseStore): number | null {
  const row = store.db
    .prepare(`SELECT id FROM captures WHERE status NOT IN ('ingesting', 'cancelled') AND engine_version = ? ORDER BY id LIMIT 1`)
    .pluck()
    .get(ENGINE_VERSION) as number | undefined;
  return row ?? null;
}

/**
 * Opens what the user named: a case file, or a capture (indexed on first use into the
 * cache, keyed by SHA-256, or into `caseFile`).
 */
export async function openTarget(target: string, opts: OpenTargetOptions = {}): Promise<OpenedTarget> {
  if (!existsSync(target)) throw new IngestError('unreadable', null, `cannot read ${target}: no such file`);
  if (isCaseFile(target)) {
    if (ingestInterrupted(target)) {
      throw new IngestError('interrupted', null, `${target}: the ingest that wrote this case was interrupted, so the case is incomplete; index the capture again`);
    }
    const store = CaseStore.open(target, { create: false });
    const caps = store.captures();
    const cap = opts.captureId !== undefined ? caps.find((c) => c.id === opts.captureId) : caps.find((c) => c.status !== 'ingesting');
    if (!cap) {
      store.close();
      throw new IngestError('empty-case', null, `${target} holds no capture${opts.captureId !== undefined ? ` with id ${opts.captureId}` : ''}`);
    }
    return { store, captureId: cap.id, ingest: null };
  }

  if (opts.caseFile) {
    // A case left incomplete by a killed ingest holds nothing that can be trusted: redo it.
    if (ingestInterrupted(opts.caseFile)) removeCase(opts.caseFile);
    const r = await ingestInto(opts.caseFile, target, opts);
    return { store: CaseStore.open(opts.caseFile, { create: false }), captureId: r.captureId, ingest: r };
  }

  const dir = cacheDir();
  mkdirSync(join(dir, 'cases'), { recursive: true });
  const st = statSync(target);
  const key = `${realpathSync(target)}|${st.size}|${Math.trunc(st.mtimeMs)}`;
  const idx = readIndex(dir);
  const known = idx[key];
  if (known) {
    const p = join(dir, 'cases', `${known}.thcase`);
    if (existsSync(p)) {
      const store = CaseStore.open(p, { create: false });
      const id = completeCapture(store);
      if (id !== null) return { store, captureId: id, ingest: null };
      store.close();
    }
  }
  // New to the cache by path: index it under a temporary name, then file it by hash.
  sweepAbandoned(join(dir, 'cases'));
  const tmp = join(dir, 'cases', `tmp-${process.pid}-${Date.now()}.thcase`);
  let r: IngestResult;
  try {
    r = await ingestInto(tmp, target, opts, join(dir, 'data'));
  } catch (e) {
    removeCase(tmp);
    throw e;
  }
  const sha = r.capture.sha256;
  const final = join(dir, 'cases', `${sha}.thcase`);
  if (r.capture.status === 'cancelled') {
    removeCase(tmp);
    throw new IngestError('cancelled', null, 'ingest cancelled');
  }
  if (existsSync(final)) removeCase(final);
  renameSync(tmp, final);
  idx[key] = sha;
  writeIndex(dir, idx);
  const store = CaseStore.open(final, { create: false });
  return { store, captureId: r.captureId, ingest: r };
}

function pick(o: OpenTargetOptions): { onProgress?: (p: IngestProgress) => void; signal?: AbortSignal } {
  return { ...(o.onProgress ? { onProgress: o.onProgress } : {}), ...(o.signal ? { signal: o.signal } : {}) };
}

/** A cache ingest's temporary case: `tmp-<pid>-<ms>.thcase`. */
const TMP_CASE = /^tmp-(\d+)-\d+\.thcase$/;

/** Removes the temporary cases of cache ingests whose process died (killed mid-ingest). */
export function sweepAbandoned(casesDir: string): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(casesDir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const m = TMP_CASE.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || processAlive(pid)) continue;
    removeCase(join(casesDir, name));
    removed.push(name);
  }
  return removed;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function removeCase(path: string): void {
  for (const s of ['', '-wal', '-shm', '-journal', '.ingesting']) rmSync(path + s, { force: true });
}

export { sha256File };
