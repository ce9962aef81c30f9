#!/usr/bin/env node
// Runs the vitest suite and prints the plain closing line CI reads: "N passed, N failed, N skipped".
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';

const out = '.vitest.json';
rmSync(out, { force: true });
const args = ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile=${out}`, ...process.argv.slice(2)];
const r = spawnSync('npx', args, { stdio: 'inherit' });
let report;
try {
  report = JSON.parse(readFileSync(out, 'utf8'));
} catch {
  console.log('vitest: 0 passed, 1 failed');
  console.error('run-tests: vitest wrote no JSON report (it crashed before finishing)');
  process.exit(r.status || 1);
}
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`vitest: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`);
const failedSuites = (report.testResults ?? []).filter((t) => t.status === 'failed' && (t.assertionResults ?? []).length === 0);
for (const s of failedSuites) console.error(`run-tests: suite failed to run: ${s.name}\n${s.message ?? ''}`);
process.exit(r.status === 0 && report.numFailedTests === 0 && failedSuites.length === 0 ? 0 : 1);
