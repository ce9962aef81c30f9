#!/usr/bin/env node
/**
 * One Tracehound ingest, run by scripts/bench.mjs in its own process so its peak RSS is its
 * own (all three threads: this one, the writer and the parser): `node scripts/bench-ingest-child.mjs CAPTURE CASE`. Prints one JSON line on stdout:
 * { ingestMs, openMs, closeMs, importMs, packets, status, caseBytes, walBytes, closedBytes, maxRssKiB }.
 * caseBytes + walBytes are measured right after ingestCapture returns (what a user sees on
 * disk while the case is open); closedBytes after close (WAL checkpointed into the file).
 */
import { statSync } from 'node:fs';

const [capturePath, casePath] = process.argv.slice(2);
if (!capturePath || !casePath) {
  console.error('usage: bench-ingest-child.mjs CAPTURE CASE');
  process.exit(2);
}

const size = (p) => {
  try {
    return statSync(p).size;
  } catch {
    return 0;
  }
};

const t0 = performance.now();
const { openTarget } = await import('../dist/electron/engine/index.js');
const t1 = performance.now();
const t2 = t1;
// What `tracehound ingest CAPTURE --case CASE` runs: the writer in a worker thread, the
// parser in another, this thread waiting (as the hosts' event loops do).
const { store, ingest: result } = await openTarget(capturePath, { caseFile: casePath });
const t3 = performance.now();
const caseBytes = size(casePath);
const walBytes = size(`${casePath}-wal`);
store.close();
const t4 = performance.now();

process.stdout.write(
  JSON.stringify({
    importMs: t1 - t0,
    openMs: t2 - t1,
    ingestMs: t3 - t2,
    closeMs: t4 - t3,
    packets: result.capture.packets,
    status: result.capture.status,
    problem: result.problem,
    caseBytes,
    walBytes,
    closedBytes: size(casePath) + size(`${casePath}-wal`),
    // Linux reports ru_maxrss in KiB.
    maxRssKiB: process.resourceUsage().maxRSS,
  }) + '\n',
);
