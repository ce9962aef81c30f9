#!/usr/bin/env node
/**
 * The workbench's interactive latencies on a 10-million-packet case, through the same API
 * handlers the UI calls (`npm run bench:ui`, or `node scripts/bench-ui.mjs [--packets 10M]`):
 * first rows after opening, a filter check per keystroke (the shared front end the filter bar
 * runs), applying an indexed filter (count + first page), jumping to a frame deep in a
 * filtered list (rank + page), and scrolling (the next page). Uses the capture and case that
 * scripts/bench-filter.mjs keeps with --keep (it runs it when they are missing). Medians of 5;
 * appends a table to BENCHMARKS.md.
 */
import { appendFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const packets = args[args.indexOf('--packets') + 1] && args.includes('--packets') ? args[args.indexOf('--packets') + 1] : '10M';
const n = Math.round(Number(packets.replace(/[mMkK]$/, '')) * (/[mM]$/.test(packets) ? 1e6 : /[kK]$/.test(packets) ? 1e3 : 1));
const casePath = join(root, 'bench-output', `filter-${n}.thcase`);
if (!existsSync(casePath)) {
  console.log(`bench-ui: ${casePath} missing: building it with scripts/bench-filter.mjs --keep`);
  const r = spawnSync(process.execPath, [join(root, 'scripts/bench-filter.mjs'), '--packets', packets, '--keep'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const engine = await import(join(root, 'dist/electron/engine/index.js'));
const { checkFilter } = await import(join(root, 'dist/shared/filter/index.js'));

const api = new engine.EngineApi({ recentFile: join(root, 'bench-output', 'recent.json') });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function time(fn, runs = 5) {
  const ts = [];
  let v;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    v = await fn();
    ts.push(performance.now() - t0);
  }
  return { ms: median(ts), v };
}
const h = api.handlers;
const must = (r) => {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
};

const t0 = performance.now();
const opened = must(await h['capture.open']({ path: casePath }));
const firstRows = must(await h['packets.page']({ captureId: opened.captureId, filter: '', after: 0, limit: 100 }));
const openMs = performance.now() - t0;
const id = opened.captureId;
const busy = (await engine.CaseStore.open(casePath, { create: false, readonly: true }).hosts(50))[40]?.addr;
const filter = `ip.addr == ${busy}`;

// The filter bar checks the text after every keystroke: time each prefix of a typical filter.
const typed = `${filter} && tcp.port == 445 && !(http.request.method == "GET")`;
const perKey = [];
for (let i = 1; i <= typed.length; i++) {
  const a = performance.now();
  checkFilter(typed.slice(0, i));
  perKey.push(performance.now() - a);
}
const apply = await time(async () => {
  const c = must(await h['packets.count']({ captureId: id, filter }));
  const p = must(await h['packets.page']({ captureId: id, filter, after: 0, limit: 500 }));
  return [c.count, p.rows.length];
});
const deepFrame = Math.floor(n * 0.9);
const jump = await time(async () => {
  const r = must(await h['packets.rank']({ captureId: id, filter, frame: deepFrame }));
  const p = must(await h['packets.page']({ captureId: id, filter, after: deepFrame - 1, limit: 500 }));
  return [r.rank, p.rows.length];
});
const scroll = await time(async () => must(await h['packets.page']({ captureId: id, filter: '', after: Math.floor(n / 2), limit: 500 })).rows.length);
api.close();

const rows = [
  ['open the case and show the first 100 rows', openMs, 'under 1 s', `${firstRows.rows.length} rows`],
  ['filter check per keystroke (median / worst)', median(perKey), 'under 100 ms', `worst ${Math.max(...perKey).toFixed(2)} ms over ${typed.length} keystrokes`],
  [`apply \`${filter}\` (count + first 500 rows)`, apply.ms, 'under 500 ms', `${apply.v[0].toLocaleString('en-US')} matches`],
  [`jump to frame ${deepFrame.toLocaleString('en-US')} in the filtered list (rank + 500 rows)`, jump.ms, 'no visible stall', `row ${jump.v[0].toLocaleString('en-US')}`],
  ['scroll: the next 500 rows in the middle, unfiltered', scroll.ms, 'no visible stall', ''],
];
const table = ['| step | ms | target | note |', '|---|---|---|---|', ...rows.map(([s, ms, t, note]) => `| ${s} | ${ms.toFixed(ms < 10 ? 2 : 0)} | ${t} | ${note} |`)].join('\n');
console.log(table);
const when = new Date().toISOString().replace('T', ' ').slice(0, 19);
appendFileSync(
  join(root, 'BENCHMARKS.md'),
  `\n## ${when} UTC: workbench latencies on a ${n.toLocaleString('en-US')}-packet case\n\n${cpus()[0]?.model ?? 'cpu'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}. Through the API handlers the UI calls (scripts/bench-ui.mjs); medians of 5 except the first open.\n\n${table}\n`,
);
