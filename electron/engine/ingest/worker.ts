import { Worker } from 'node:worker_threads';
import type { IngestProgress } from '../../../shared/model.js';
import type { IngestResult } from './pipeline.js';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { IngestError } from './pipeline.js';
import { CaseError } from '../store/case-store.js';

const INGEST_WORKER = new URL('./worker-entry.js', import.meta.url);

/** The worker runs compiled JS; under a TypeScript test runner there is none beside the source. */
export function ingestWorkerAvailable(): boolean {
  return INGEST_WORKER.protocol === 'file:' && existsSync(fileURLToPath(INGEST_WORKER));
}

/**
 * Young-generation size of the ingest threads, MiB. V8 sizes it from the machine's memory
 * (up to 128 MiB on this class of machine) and touches all of it under the ingest's
 * allocation rate; a few MiB collect as cheaply (the garbage dies young) and keep the
 * process's peak RSS flat.
 */
export const INGEST_YOUNG_GEN_MB = 12;

/** The error a worker reported, as the class the in-line ingest would have thrown. */
function rehydrate(e: { name: string; kind: string; offset: number | null; message: string }): Error {
  if (e.name === 'CaseError') return new CaseError(e.kind as CaseError['code'], e.message);
  if (e.name === 'IngestError') return new IngestError(e.kind, e.offset, e.message);
  // Disk and SQLite failures keep their code (ENOSPC, SQLITE_FULL...) for the hosts' messages.
  const err = new Error(e.message) as Error & { code?: string };
  err.name = e.name;
  err.code = e.kind;
  return err;
}

export interface WorkerRequest {
  capturePath: string;
  casePath: string;
  dataDir?: string;
  reuse?: boolean;
}

export type WorkerMessage =
  | { type: 'progress'; progress: IngestProgress }
  | { type: 'done'; result: IngestResult }
  | { type: 'error'; error: { name: string; kind: string; offset: number | null; message: string } };

export function errorInfo(e: unknown): { name: string; kind: string; offset: number | null; message: string } {
  const err = e as { name?: string; kind?: string; offset?: number | null; message?: string; code?: string };
  return { name: err.name ?? 'Error', kind: err.kind ?? err.code ?? 'internal', offset: err.offset ?? null, message: err.message ?? String(e) };
}

export interface IngestJob {
  /** Resolves with the result, or rejects with an IngestError carrying kind and offset. */
  readonly done: Promise<IngestResult>;
  /** Asks the worker to stop; the case is left consistent and the capture marked cancelled. */
  cancel(): void;
}

/** Runs one ingest in a worker thread (the SQLite writes happen there too). */
export function startIngestWorker(req: WorkerRequest, onProgress?: (p: IngestProgress) => void): IngestJob {
  const w = new Worker(INGEST_WORKER, { workerData: req, resourceLimits: { maxYoungGenerationSizeMb: INGEST_YOUNG_GEN_MB } });
  const done = new Promise<IngestResult>((resolve, reject) => {
    let settled = false;
    w.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') onProgress?.(m.progress);
      else if (m.type === 'done') {
        settled = true;
        resolve(m.result);
        void w.terminate();
      } else {
        settled = true;
        reject(rehydrate(m.error));
        void w.terminate();
      }
    });
    w.on('error', (e) => {
      if (!settled) reject(e);
      settled = true;
    });
    w.on('exit', (code) => {
      if (!settled) reject(new IngestError('worker-exit', null, `ingest worker stopped unexpectedly (exit code ${code})`));
    });
  });
  return { done, cancel: () => w.postMessage({ type: 'cancel' }) };
}
