/**
 * worker_threads entry for ingest: the Electron main process and the browser host run
 * ingest here so their event loops never block. Messages:
 *   in:  {type: 'cancel'}
 *   out: {type: 'progress', progress} | {type: 'done', result} | {type: 'error', error}
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CaseStore } from '../store/case-store.js';
import { ingestCapture } from './pipeline.js';
import type { WorkerRequest, WorkerMessage } from './worker.js';
import { errorInfo } from './worker.js';

const req = workerData as WorkerRequest;
const ac = new AbortController();
const port = parentPort!;
port.on('message', (m: { type: string }) => {
  if (m.type === 'cancel') ac.abort();
});

const post = (m: WorkerMessage) => port.postMessage(m);

void (async () => {
  let store: CaseStore | null = null;
  try {
    store = CaseStore.open(req.casePath, { create: true });
    const result = await ingestCapture({
      capturePath: req.capturePath,
      store,
      signal: ac.signal,
      onProgress: (progress) => post({ type: 'progress', progress }),
      ...(req.dataDir ? { dataDir: req.dataDir } : {}),
      ...(req.reuse === false ? { reuse: false } : {}),
    });
    // Closed before 'done': the receiver may rename or reopen the case file at once.
    store.close();
    store = null;
    post({ type: 'done', result: { captureId: result.captureId, capture: result.capture, reused: result.reused, problem: result.problem } });
  } catch (e) {
    try {
      store?.close();
    } catch {
      // The error below is the one worth reporting.
    }
    post({ type: 'error', error: errorInfo(e) });
  }
})();
