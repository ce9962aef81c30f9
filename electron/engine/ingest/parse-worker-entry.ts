/**
 * worker_threads entry running the parse side of one ingest (see parse-side.ts).
 * Flow control: the writer grants credits; at most MAX_IN_FLIGHT batches are unwritten,
 * so memory stays flat however fast the parser is.
 *   in:  {type: 'credit'} | {type: 'cancel'}
 *   out: {type: 'batch', batch, bytesRead} | {type: 'end', result} | {type: 'error', error}
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runParseSide, type ParseSideInput } from './parse-side.js';

/** Unwritten batches allowed in flight: ~8k rows each, a few MB in all. */
export const MAX_IN_FLIGHT = 4;

const port = parentPort!;
const ac = new AbortController();
let credits = MAX_IN_FLIGHT;
let wake: (() => void) | null = null;
port.on('message', (m: { type: string }) => {
  if (m.type === 'credit') credits++;
  else if (m.type === 'cancel') ac.abort();
  const w = wake;
  wake = null;
  w?.();
});

void (async () => {
  try {
    const result = await runParseSide(
      workerData as ParseSideInput,
      async (batch, bytesRead) => {
        while (credits <= 0 && !ac.signal.aborted) await new Promise<void>((r) => (wake = r));
        credits--;
        port.postMessage({ type: 'batch', batch, bytesRead }, [batch.nums.buffer as ArrayBuffer]);
      },
      ac.signal,
    );
    port.postMessage({ type: 'end', result });
  } catch (e) {
    const err = e as Error;
    port.postMessage({ type: 'error', error: { name: err.name, message: err.message, stack: err.stack } });
  }
})();
