#!/usr/bin/env node
/**
 * `npm run bench [-- --sizes 100M,1G --runs 3 --keep --no-tshark --seed 1 --profile --timeout-min N
 *                   --no-filters --filter-packets 10M --no-queries]`
 *
 * For each size (K/M/G are powers of 1024; default 100M,1G so a default run stays under about
 * 15 minutes on a 2-core machine; add 4G on request: `--sizes 100M,1G,4G` or `--sizes 4G --runs 1`):
 * writes a synthetic capture with the project's traffic generator (HTTP with bodies, TLS, SMB2,
 * DNS, ICMP, ARP) into bench-output/, then alternates, --runs times each:
 *  (a) the Tracehound ingest with every application analyzer (what `tracehound ingest` runs), in
 *      a child process (scripts/bench-ingest-child.mjs): wall time, packets, peak RSS (the
 *      child's own ru_maxrss) and case size on disk (.thcase + -wal);
 *  (b) where tshark is installed, `tshark -r FILE -T fields -e frame.number -e ip.src -e ip.dst
 *      -e tcp.srcport -e tcp.dstport > /dev/null`: wall time and peak RSS (/usr/bin/time -f %M,
 *      or VmHWM polled from /proc).
 * Then, on the case of the 1G capture (or the largest size run): follow-stream latency (the
 * largest TCP stream, time to its first 4 MiB window, as the UI's Follow opens) and statistics
 * latency (EngineApi 'stats.conversations', 'stats.hierarchy', 'stats.io' at 1 s).
 * Prints a table of medians per size, with the targets, and appends it with the machine's
 * description to BENCHMARKS.md; then runs scripts/bench-filter.mjs (filter count and page
 * latency on a 10-million-packet case), which appends its own section.
 * Builds nothing: run `npm run build` first. Captures are deleted at the end unless --keep (a
 * kept capture with the same size and seed is reused by the next run).
 */
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, statfsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const outDir = join(root, 'bench-output');
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
/** Peak-RSS polling interval when /usr/bin/time is missing: VmHWM is a high-water mark, so a
 * coarse interval loses nothing but the last moments of a process that exits between polls. */
const POLL_MS = 50;
/** The targets the README reports against. */
const TARGET = { speedup: 10, rssBytes: 400 * MiB, casePct: 30 };
/** The Follow window the UI opens with (DEFAULT_FOLLOW_BYTES). */
const FOLLOW_WINDOW = 4 * MiB;
/** Repetitions of each latency measurement after the first (cold) call; the median is reported. */
const LATENCY_REPEATS = 3;

function usage(msg) {
  if (msg) console.error(`bench: ${msg}`);
  console.error(
    'usage: npm run bench -- [--sizes 100M,1G[,4G]] [--runs 3] [--seed 1] [--keep] [--no-tshark] [--profile] [--timeout-min N] [--no-filters] [--filter-packets 10M] [--no-queries]',
  );
  process.exit(2);
}

function parseSize(s) {
  const m = /^(\d+(?:\.\d+)?)([KMG]i?B?)?$/i.exec(s ?? '');
  if (!m) usage(`bad size ${s} (examples: 100M, 1G, 1.5G, 500000000)`);
  const unit = (m[2] ?? '').toUpperCase()[0];
  const mult = unit === 'K' ? 1024 : unit === 'M' ? MiB : unit === 'G' ? GiB : 1;
  return Math.round(Number(m[1]) * mult);
}

const opts = { sizes: ['100M', '1G'], runs: 3, seed: 1, keep: false, tshark: true, profile: false, timeoutMin: null, filters: true, filterPackets: '10M', queries: true };
{
  const a = process.argv.slice(2);
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    const next = () => (i + 1 < a.length ? a[++i] : usage(`${v} needs a value`));
    if (v === '--sizes' || v === '--size') opts.sizes = next().split(',').map((s) => s.trim()).filter(Boolean);
    else if (v === '--runs') opts.runs = Number(next());
    else if (v === '--seed') opts.seed = Number(next());
    else if (v === '--timeout-min') opts.timeoutMin = Number(next());
    else if (v === '--keep') opts.keep = true;
    else if (v === '--no-tshark') opts.tshark = false;
    else if (v === '--profile') opts.profile = true;
    else if (v === '--no-filters') opts.filters = false;
    else if (v === '--no-queries') opts.queries = false;
    else if (v === '--filter-packets') opts.filterPackets = next();
    else if (v === '--help' || v === '-h') usage();
    else usage(`unknown argument ${v}`);
  }
  if (!Number.isInteger(opts.runs) || opts.runs < 1 || opts.runs > 50) usage('--runs must be 1..50');
  if (!Number.isInteger(opts.seed)) usage('--seed must be an integer');
  if (opts.sizes.length === 0 || opts.sizes.length > 8) usage('--sizes takes 1..8 sizes');
  for (const s of opts.sizes) {
    const b = parseSize(s);
    if (b < 1 * MiB || b > 64 * GiB) usage('sizes must be between 1M and 64G');
  }
}
const sizes = opts.sizes.map((label) => ({ label, bytes: parseSize(label) })).sort((x, y) => x.bytes - y.bytes);
/** The case the latency measurements use: the 1 GiB one, else the largest run. */
const querySize = opts.queries && !opts.profile ? (sizes.find((s) => s.bytes === GiB) ?? sizes[sizes.length - 1]) : null;

// -- preconditions ------------------------------------------------------------------

const engineEntry = join(root, 'dist/electron/engine/index.js');
const generatorEntry = join(root, 'dist/electron/engine/synth/traffic.js');
const writerEntry = join(root, 'dist/electron/engine/capture/writer.js');
for (const f of [engineEntry, generatorEntry, writerEntry]) {
  if (!existsSync(f)) {
    console.error(`bench: ${relative(root, f)} is missing: build first with \`npm run build\` (the benchmark builds nothing itself).`);
    process.exit(1);
  }
}

const tsharkVersion = (() => {
  if (!opts.tshark) return null;
  const r = spawnSync('tshark', ['--version'], { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 ? `tshark ${/\d+\.\d+\.\d+/.exec(r.stdout)?.[0] ?? '(unknown version)'}` : null;
})();
if (opts.tshark && !tsharkVersion) console.log('bench: tshark is not installed: measuring the ingest only.');
const gnuTime = existsSync('/usr/bin/time') && spawnSync('/usr/bin/time', ['-f', '%M', 'true'], { encoding: 'utf8', timeout: 10_000 }).status === 0;

mkdirSync(outDir, { recursive: true });
{
  const { bavail, bsize } = statfsSync(outDir);
  // One capture at a time plus one case (a fraction of it) and slack; the largest decides.
  const needBytes = sizes[sizes.length - 1].bytes * 1.6;
  if (bavail * bsize < needBytes) {
    console.error(`bench: ${((bavail * bsize) / 1e9).toFixed(1)} GB free in ${relative(root, outDir)}/, need about ${(needBytes / 1e9).toFixed(1)} GB for ${sizes[sizes.length - 1].label}.`);
    process.exit(1);
  }
}

const captureFor = (s) => join(outDir, `bench-${s.label}-seed${opts.seed}.pcap`);
const cases = new Set();
const removeCaseFiles = (c) => {
  for (const suffix of ['', '-wal', '-shm', '.ingesting']) rmSync(c + suffix, { force: true });
  rmSync(`${c}.data`, { recursive: true, force: true });
};
const cleanup = () => {
  for (const c of cases) removeCaseFiles(c);
  cases.clear();
  if (!opts.keep) {
    for (const s of sizes) {
      rmSync(captureFor(s), { force: true });
      rmSync(`${captureFor(s)}.json`, { force: true });
    }
  }
};
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

// -- helpers ------------------------------------------------------------------------------

/** Runs a command with a deadline; resolves with { code, signal, ms, stdout, stderr, peakKiB }. */
function run(cmd, args, timeoutMs, { stdout = 'pipe', pollRss = false } = {}) {
  return new Promise((resolveRun, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', stdout, 'pipe'], cwd: root });
    let out = '';
    let err = '';
    let peakKiB = 0;
    child.stdout?.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err = (err + c).slice(-64 * 1024)));
    const poll = pollRss
      ? setInterval(() => {
          try {
            const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
            if (m) peakKiB = Math.max(peakKiB, Number(m[1]));
          } catch {
            // exited between polls
          }
        }, POLL_MS)
      : null;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      err += `\nbench: killed after ${timeoutMs / 60_000} min`;
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (poll) clearInterval(poll);
      resolveRun({ code, signal, ms: performance.now() - t0, stdout: out, stderr: err, peakKiB });
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmtMiB = (b) => {
  const m = b / MiB;
  return m >= 1024 ? `${(m / 1024).toFixed(2)} GiB` : `${m.toFixed(m < 10 ? 1 : 0)} MiB`;
};
const fmtInt = (n) => Math.round(n).toLocaleString('en-US');
const fmtMs = (ms) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));
const mark = (ok) => (ok ? '✔' : '✘');

/** Writes (or reuses) the synthetic capture of size `s`. */
async function ensureCapture(s) {
  const capture = captureFor(s);
  const sidecar = `${capture}.json`;
  try {
    const prev = JSON.parse(readFileSync(sidecar, 'utf8'));
    if (prev.size === s.bytes && prev.seed === opts.seed && statSync(capture).size === prev.fileSize) return { ...prev, reused: true };
  } catch {
    // no reusable capture
  }
  console.log(`bench: writing a ${s.label} synthetic capture (seed ${opts.seed}) to ${relative(root, capture)} ...`);
  const { generateTraffic } = await import(generatorEntry);
  const { PcapWriter } = await import(writerEntry);
  const t0 = performance.now();
  const w = new PcapWriter({ path: capture });
  let r;
  try {
    r = generateTraffic(w, { targetBytes: s.bytes, seed: opts.seed });
  } finally {
    w.close();
  }
  const secs = (performance.now() - t0) / 1000;
  const fileSize = statSync(capture).size;
  const gen = { size: s.bytes, seed: opts.seed, packets: r.packets, fileSize, flows: r.flows, genSeconds: secs, genMiBps: fileSize / MiB / secs };
  writeFileSync(sidecar, JSON.stringify(gen));
  console.log(`bench: ${gen.packets} packets, ${(gen.fileSize / MiB).toFixed(0)} MiB, ${gen.flows} conversations in ${secs.toFixed(1)} s (${gen.genMiBps.toFixed(0)} MiB/s)`);
  return gen;
}

async function ingestOnce(s, i, timeoutMs, keepCase) {
  const casePath = join(outDir, `bench-run-${process.pid}-${s.label}-${i}.thcase`);
  cases.add(casePath);
  const nodeArgs = opts.profile ? ['--cpu-prof', '--cpu-prof-dir', join(outDir, 'profiles')] : [];
  const r = await run(process.execPath, [...nodeArgs, join(root, 'scripts/bench-ingest-child.mjs'), captureFor(s), casePath], timeoutMs);
  if (!keepCase) {
    removeCaseFiles(casePath);
    cases.delete(casePath);
  }
  const line = r.stdout.trim().split('\n').pop();
  if (r.code !== 0 || !line) throw new Error(`ingest child failed (code ${r.code}, signal ${r.signal}):\n${r.stderr}`);
  const m = JSON.parse(line);
  return {
    casePath: keepCase ? casePath : null,
    seconds: m.ingestMs / 1000,
    processSeconds: r.ms / 1000,
    packets: m.packets,
    status: m.status,
    rssKiB: m.maxRssKiB,
    caseBytes: m.caseBytes + m.walBytes,
    closedBytes: m.closedBytes,
  };
}

async function tsharkOnce(s, timeoutMs) {
  const args = ['-r', captureFor(s), '-T', 'fields', '-e', 'frame.number', '-e', 'ip.src', '-e', 'ip.dst', '-e', 'tcp.srcport', '-e', 'tcp.dstport'];
  // stdout goes straight to /dev/null: the pass is measured, not our pipe reading.
  const devnull = openSync('/dev/null', 'w');
  try {
    const r = gnuTime
      ? await run('/usr/bin/time', ['-f', 'bench-maxrss=%M', 'tshark', ...args], timeoutMs, { stdout: devnull })
      : await run('tshark', args, timeoutMs, { stdout: devnull, pollRss: true });
    if (r.code !== 0) throw new Error(`tshark failed (code ${r.code}, signal ${r.signal}):\n${r.stderr}`);
    const m = /bench-maxrss=(\d+)/.exec(r.stderr);
    return { seconds: r.ms / 1000, rssKiB: m ? Number(m[1]) : r.peakKiB };
  } finally {
    closeSync(devnull);
  }
}

/** Times `fn` once cold and LATENCY_REPEATS times warm: { first, median } in ms. */
async function latency(fn) {
  const t0 = performance.now();
  let v = await fn();
  const first = performance.now() - t0;
  const warm = [];
  for (let i = 0; i < LATENCY_REPEATS; i++) {
    const t = performance.now();
    v = await fn();
    warm.push(performance.now() - t);
  }
  return { first, median: median(warm), value: v };
}

/** Follow-stream and statistics latency on an ingested case (in this process: it is not the one whose RSS is reported). */
async function measureQueries(casePath) {
  const engine = await import(engineEntry);
  const rows = [];
  const store = engine.CaseStore.open(casePath, { create: false });
  try {
    const captureId = store.captures()[0].id;
    const big = store.db
      .prepare('SELECT tcp_stream AS stream, bytes_ab + bytes_ba AS bytes, pkts_ab + pkts_ba AS pkts FROM flows WHERE capture_id = ? AND tcp_stream IS NOT NULL ORDER BY bytes_ab + bytes_ba DESC LIMIT 1')
      .get(captureId);
    const f = await latency(() => engine.followStream(store, captureId, big.stream, { maxBytes: FOLLOW_WINDOW }));
    const shown = f.value.bytes[0] + f.value.bytes[1];
    rows.push({ what: `follow tcp.stream ${big.stream} (largest: ${fmtMiB(big.bytes)}, ${fmtInt(big.pkts)} packets): first ${fmtMiB(FOLLOW_WINDOW)} window (${fmtMiB(shown)} shown)`, ...f });
  } finally {
    store.close();
  }
  const api = new engine.EngineApi({ recentFile: join(outDir, `recent-${process.pid}.json`) });
  try {
    const opened = await api.handlers['capture.open']({ path: casePath });
    if (!opened.ok) throw new Error(`capture.open: ${opened.error.message}`);
    const captureId = opened.value.captureId;
    const call = (name, req) => async () => {
      const r = await api.handlers[name]({ captureId, ...req });
      if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
      return r.value;
    };
    // The requests the UI sends (renderer/src/views/conversations.tsx, hierarchy.tsx, io-graph.tsx).
    const conv = await latency(call('stats.conversations', { proto: 'all', limit: 10_000 }));
    rows.push({ what: `stats.conversations (all, limit 10,000: ${fmtInt(conv.value.length)} rows)`, ...conv });
    const hier = await latency(call('stats.hierarchy', {}));
    rows.push({ what: 'stats.hierarchy', ...hier });
    const io = await latency(call('stats.io', { interval: 1, filters: [] }));
    rows.push({ what: `stats.io (interval 1 s, all packets: ${fmtInt(io.value.series?.[0]?.packets?.length ?? 0)} buckets)`, ...io });
    const ioF = await latency(call('stats.io', { interval: 1, filters: ['tcp.port == 443'] }));
    rows.push({ what: 'stats.io (interval 1 s, filter `tcp.port == 443`)', ...ioF });
  } finally {
    api.close();
    rmSync(join(outDir, `recent-${process.pid}.json`), { force: true });
  }
  return rows;
}

// -- measuring ----------------------------------------------------------------------------

const results = [];
let queryRows = null;
try {
  for (const s of sizes) {
    const gen = await ensureCapture(s);
    /** Per-child limit: generous (2-core shared machines), but a hung child cannot stall a run forever. */
    const timeoutMs = (opts.timeoutMin ?? Math.max(5, 15 * (s.bytes / GiB))) * 60_000;
    const ingest = [];
    const tshark = [];
    for (let i = 1; i <= opts.runs; i++) {
      const keepCase = querySize === s && i === opts.runs;
      const a = await ingestOnce(s, i, timeoutMs, keepCase);
      ingest.push(a);
      console.log(
        `bench: ${s.label} run ${i}/${opts.runs}: ingest ${a.seconds.toFixed(2)} s (process ${a.processSeconds.toFixed(2)} s), ${a.packets} packets, ${a.status}, peak RSS ${(a.rssKiB / 1024).toFixed(0)} MiB, case ${(a.caseBytes / MiB).toFixed(1)} MiB`,
      );
      if (tsharkVersion) {
        const b = await tsharkOnce(s, timeoutMs);
        tshark.push(b);
        console.log(`bench: ${s.label} run ${i}/${opts.runs}: tshark ${b.seconds.toFixed(2)} s, peak RSS ${(b.rssKiB / 1024).toFixed(0)} MiB`);
      }
    }
    results.push({ s, gen, ingest, tshark, captureBytes: statSync(captureFor(s)).size });
    const kept = ingest.find((r) => r.casePath);
    if (kept) {
      console.log(`bench: follow-stream and statistics latency on the ${s.label} case ...`);
      queryRows = { label: s.label, rows: await measureQueries(kept.casePath) };
      removeCaseFiles(kept.casePath);
      cases.delete(kept.casePath);
    }
    // One capture on disk at a time (4 GiB ones add up).
    if (!opts.keep) {
      rmSync(captureFor(s), { force: true });
      rmSync(`${captureFor(s)}.json`, { force: true });
    }
  }
} catch (e) {
  console.error(`bench: ${e.stack ?? e.message}`);
  cleanup();
  process.exit(1);
}

// -- report -------------------------------------------------------------------------------

const header = ['capture', 'packets', 'ingest s (median)', 'MB/s', 'packets/s', 'peak RSS', 'case size (% of capture)', 'tshark s (median)', 'tshark peak RSS', 'tshark / ingest'];
const tableRows = [];
const runsLines = [];
for (const r of results) {
  const ingestMed = median(r.ingest.map((x) => x.seconds));
  const rss = Math.max(...r.ingest.map((x) => x.rssKiB)) * 1024;
  const caseBytes = median(r.ingest.map((x) => x.caseBytes));
  const tsharkMed = r.tshark.length ? median(r.tshark.map((x) => x.seconds)) : null;
  const tsharkRss = r.tshark.length ? Math.max(...r.tshark.map((x) => x.rssKiB)) * 1024 : null;
  const pct = (caseBytes / r.captureBytes) * 100;
  r.summary = { ingestMed, rss, pct, ratio: tsharkMed === null ? null : tsharkMed / ingestMed };
  tableRows.push([
    fmtMiB(r.captureBytes),
    fmtInt(r.ingest[r.ingest.length - 1].packets),
    ingestMed.toFixed(2),
    // Decimal megabytes per second, as disks and network links are rated.
    (r.captureBytes / 1e6 / ingestMed).toFixed(1),
    fmtInt(r.ingest[r.ingest.length - 1].packets / ingestMed),
    `${fmtMiB(rss)} ${mark(rss < TARGET.rssBytes)}`,
    `${fmtMiB(caseBytes)} (${pct.toFixed(1)} %) ${mark(pct < TARGET.casePct)}`,
    tsharkMed === null ? 'n/a' : tsharkMed.toFixed(2),
    tsharkRss === null ? 'n/a' : fmtMiB(tsharkRss),
    tsharkMed === null ? 'n/a' : `${(tsharkMed / ingestMed).toFixed(2)}× ${mark(tsharkMed / ingestMed >= TARGET.speedup)}`,
  ]);
  runsLines.push(
    `${r.s.label}: ingest ${r.ingest.map((x) => x.seconds.toFixed(2)).join(', ')} s` +
      (r.tshark.length ? `; tshark ${r.tshark.map((x) => x.seconds.toFixed(2)).join(', ')} s` : '') +
      `; case after close ${fmtMiB(median(r.ingest.map((x) => x.closedBytes)))}; ` +
      (r.gen.reused ? 'capture reused from an earlier --keep run.' : `generator ${r.gen.genMiBps.toFixed(0)} MiB/s (${r.gen.genSeconds.toFixed(1)} s).`),
  );
}
const table = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...tableRows.map((row) => `| ${row.join(' | ')} |`)].join('\n');

const rssList = results.map((r) => r.summary.rss);
const flat = results.length > 1 ? `peak RSS from ${results[0].s.label} to ${results[results.length - 1].s.label}: ${rssList.map(fmtMiB).join(' → ')}` : null;
const verdicts = [
  `ingest ≥ ${TARGET.speedup}× tshark: ${results.every((r) => r.summary.ratio !== null && r.summary.ratio >= TARGET.speedup) ? 'met' : results.some((r) => r.summary.ratio === null) ? 'not measured (no tshark)' : 'not met'}`,
  `peak RSS < ${fmtMiB(TARGET.rssBytes)}: ${rssList.every((b) => b < TARGET.rssBytes) ? 'met' : 'not met'}${flat ? ` (${flat})` : ''}`,
  `case < ${TARGET.casePct} % of the capture: ${results.every((r) => r.summary.pct < TARGET.casePct) ? 'met' : 'not met'}`,
].join('; ');

let queryTable = '';
if (queryRows) {
  queryTable =
    `\nLatency on the ${queryRows.label} case (first call, then the median of ${LATENCY_REPEATS} more):\n\n` +
    ['| operation | first ms | median ms |', '|---|---|---|', ...queryRows.rows.map((q) => `| ${q.what} | ${fmtMs(q.first)} | ${fmtMs(q.median)} |`)].join('\n') +
    '\n';
}

const cpu = os.cpus()[0]?.model?.trim() ?? 'unknown CPU';
const machine = `${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB RAM, ${os.platform()} ${os.release()}, Node ${process.version}${tsharkVersion ? `, ${tsharkVersion}` : ''}`;

console.log(`\n${table}\n\nTargets: ${verdicts}.\n${runsLines.join('\n')}\n${queryTable}\n${machine}`);

const benchFile = join(root, 'BENCHMARKS.md');
if (opts.profile) {
  // The profiler slows the ingest: such numbers do not belong beside the others.
  console.log(`bench: --profile: not appending to BENCHMARKS.md; CPU profiles are in ${relative(root, join(outDir, 'profiles'))}/`);
} else {
  if (!existsSync(benchFile)) {
    writeFileSync(
      benchFile,
      `# Benchmarks

Produced by \`npm run bench\` (scripts/bench.mjs) after \`npm run build\`: it writes synthetic
captures of a busy corporate segment (electron/engine/synth/traffic.ts: HTTP, TLS, SMB2, DNS,
ICMP, ARP; 60–1514-byte frames) and times, alternately and in separate processes, the
Tracehound ingest (parse, dissect, every application analyzer, index into a fresh case) and
tshark's five-field pass (\`tshark -r FILE -T fields -e frame.number -e ip.src -e ip.dst
-e tcp.srcport -e tcp.dstport\`, output discarded). Times are medians over the runs; peak RSS
is the largest seen; "tshark / ingest" above 1 means the ingest was faster. Each run appends a
section; compare rows from the same machine only.
`,
    );
  }
  const date = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  appendFileSync(
    benchFile,
    `\n## ${date}: ${sizes.map((s) => s.label).join(', ')}, ${opts.runs} run(s) each, seed ${opts.seed}, every analyzer\n\n${machine}\n\n${table}\n\nTargets (✔ met, ✘ not): ${verdicts}.\n\nRuns: ${runsLines.join(' ')}\n${queryTable}`,
  );
  console.log(`bench: appended to ${relative(root, benchFile)}`);
}

cleanup();
if (opts.keep) console.log(`bench: kept ${sizes.map((s) => relative(root, captureFor(s))).join(', ')}`);

// Filter latency on a large case (scripts/bench-filter.mjs): count and keyset pages.
if (opts.filters && !opts.profile) {
  const r = spawnSync(process.execPath, [join(root, 'scripts/bench-filter.mjs'), '--packets', opts.filterPackets, ...(opts.keep ? ['--keep'] : [])], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exitCode = r.status ?? 1;
}
