import { Worker } from 'node:worker_threads';
import type { IngestProgress } from '../../../shared/model.js';
import type { IngestResult } from './pipeline.js';
import { IngestError } from './pipeline.js';

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
  const url = new URL('./worker-entry.js', import.meta.url);
  const w = new Worker(url, { workerData: req });
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
        reject(new IngestError(m.error.kind, m.error.offset, m.error.message));
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
