#!/usr/bin/env node
/**
 * `npm run bench [-- --size 1G --runs 3 --keep --no-tshark --seed 1 --profile --timeout-min N]`
 *
 * Writes a synthetic capture of the chosen size (K/M/G are powers of 1024) with the
 * project's traffic generator into bench-output/, then alternates, --runs times each:
 *  (a) the Tracehound ingest in a child process (scripts/bench-ingest-child.mjs): wall time,
 *      packets, peak RSS (the child's own ru_maxrss) and case size on disk (.thcase + -wal);
 *  (b) where tshark is installed, `tshark -r FILE -T fields -e frame.number -e ip.src -e ip.dst
 *      -e tcp.srcport -e tcp.dstport > /dev/null`: wall time and peak RSS (/usr/bin/time -f %M,
 *      or VmHWM polled from /proc).
 * Prints a table of medians and appends it, with the machine's description, to BENCHMARKS.md.
 * Builds nothing: run `npm run build` first. The capture is deleted at the end unless --keep
 * (a kept capture with the same size and seed is reused by the next run).
 */
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, statfsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const outDir = join(root, 'bench-output');
const MiB = 1024 * 1024;
/** Peak-RSS polling interval when /usr/bin/time is missing: VmHWM is a high-water mark, so a
 * coarse interval loses nothing but the last moments of a process that exits between polls. */
const POLL_MS = 50;

function usage(msg) {
  if (msg) console.error(`bench: ${msg}`);
  console.error('usage: npm run bench -- [--size 1G] [--runs 3] [--seed 1] [--keep] [--no-tshark] [--profile] [--timeout-min N] [--no-filters] [--filter-packets 10M]');
  process.exit(2);
}

function parseSize(s) {
  const m = /^(\d+(?:\.\d+)?)([KMG]i?B?)?$/i.exec(s ?? '');
  if (!m) usage(`bad --size ${s} (examples: 200M, 1G, 1.5G, 500000000)`);
  const unit = (m[2] ?? '').toUpperCase()[0];
  const mult = unit === 'K' ? 1024 : unit === 'M' ? MiB : unit === 'G' ? 1024 * MiB : 1;
  return Math.round(Number(m[1]) * mult);
}

const opts = { size: 1024 * MiB, sizeLabel: '1G', runs: 3, seed: 1, keep: false, tshark: true, profile: false, timeoutMin: null, filters: true, filterPackets: '10M' };
{
  const a = process.argv.slice(2);
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    const next = () => (i + 1 < a.length ? a[++i] : usage(`${v} needs a value`));
    if (v === '--size') {
      opts.sizeLabel = next();
      opts.size = parseSize(opts.sizeLabel);
    } else if (v === '--runs') opts.runs = Number(next());
    else if (v === '--seed') opts.seed = Number(next());
    else if (v === '--timeout-min') opts.timeoutMin = Number(next());
    else if (v === '--keep') opts.keep = true;
    else if (v === '--no-tshark') opts.tshark = false;
    else if (v === '--profile') opts.profile = true;
    else if (v === '--no-filters') opts.filters = false;
    else if (v === '--filter-packets') opts.filterPackets = next();
    else if (v === '--help' || v === '-h') usage();
    else usage(`unknown argument ${v}`);
  }
  if (!Number.isInteger(opts.runs) || opts.runs < 1 || opts.runs > 50) usage('--runs must be 1..50');
  if (!Number.isInteger(opts.seed)) usage('--seed must be an integer');
  if (opts.size < 1 * MiB || opts.size > 64 * 1024 * MiB) usage('--size must be between 1M and 64G');
}

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
const { bavail, bsize } = statfsSync(outDir);
// The capture, one case (~ a fraction of it) and slack.
const needBytes = opts.size * 2.2;
if (bavail * bsize < needBytes) {
  console.error(`bench: ${(bavail * bsize / 1e9).toFixed(1)} GB free in ${relative(root, outDir)}/, need about ${(needBytes / 1e9).toFixed(1)} GB.`);
  process.exit(1);
}

/** Per-child limit: generous (2-core shared machines), but a hung child cannot stall CI forever. */
const timeoutMs = (opts.timeoutMin ?? Math.max(5, 15 * (opts.size / (1024 * MiB)))) * 60_000;

const capture = join(outDir, `bench-${opts.sizeLabel}-seed${opts.seed}.pcap`);
const sidecar = `${capture}.json`;
const cases = [];
const cleanup = () => {
  for (const c of cases) for (const s of ['', '-wal', '-shm']) rmSync(c + s, { force: true });
  if (!opts.keep) {
    rmSync(capture, { force: true });
    rmSync(sidecar, { force: true });
  }
};
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

// -- the capture ------------------------------------------------------------------------

let gen;
try {
  const prev = JSON.parse(readFileSync(sidecar, 'utf8'));
  if (prev.size === opts.size && prev.seed === opts.seed && statSync(capture).size === prev.fileSize) gen = { ...prev, reused: true };
} catch {
  // no reusable capture
}
if (!gen) {
  console.log(`bench: writing a ${opts.sizeLabel} synthetic capture (seed ${opts.seed}) to ${relative(root, capture)} ...`);
  const { generateTraffic } = await import(generatorEntry);
  const { PcapWriter } = await import(writerEntry);
  const t0 = performance.now();
  const w = new PcapWriter({ path: capture });
  let r;
  try {
    r = generateTraffic(w, { targetBytes: opts.size, seed: opts.seed });
  } finally {
    w.close();
  }
  const secs = (performance.now() - t0) / 1000;
  const fileSize = statSync(capture).size;
  gen = { size: opts.size, seed: opts.seed, packets: r.packets, fileSize, flows: r.flows, genSeconds: secs, genMiBps: fileSize / MiB / secs };
  writeFileSync(sidecar, JSON.stringify(gen));
}
console.log(
  gen.reused
    ? `bench: reusing ${relative(root, capture)} (${gen.packets} packets)`
    : `bench: ${gen.packets} packets, ${(gen.fileSize / MiB).toFixed(0)} MiB, ${gen.flows} conversations in ${gen.genSeconds.toFixed(1)} s (${gen.genMiBps.toFixed(0)} MiB/s)`,
);

// -- measuring ----------------------------------------------------------------------------

/** Runs a command with a deadline; resolves with { code, signal, ms, stdout, stderr, peakKiB }. */
function run(cmd, args, { stdout = 'pipe', pollRss = false } = {}) {
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

async function ingestOnce(i) {
  const casePath = join(outDir, `bench-run-${process.pid}-${i}.thcase`);
  cases.push(casePath);
  const nodeArgs = opts.profile ? ['--cpu-prof', '--cpu-prof-dir', join(outDir, 'profiles')] : [];
  const r = await run(process.execPath, [...nodeArgs, join(root, 'scripts/bench-ingest-child.mjs'), capture, casePath]);
  for (const s of ['', '-wal', '-shm']) rmSync(casePath + s, { force: true });
  const line = r.stdout.trim().split('\n').pop();
  if (r.code !== 0 || !line) throw new Error(`ingest child failed (code ${r.code}, signal ${r.signal}):\n${r.stderr}`);
  const m = JSON.parse(line);
  return { seconds: m.ingestMs / 1000, processSeconds: r.ms / 1000, packets: m.packets, status: m.status, rssKiB: m.maxRssKiB, caseBytes: m.caseBytes + m.walBytes, closedBytes: m.closedBytes };
}

async function tsharkOnce() {
  const args = ['-r', capture, '-T', 'fields', '-e', 'frame.number', '-e', 'ip.src', '-e', 'ip.dst', '-e', 'tcp.srcport', '-e', 'tcp.dstport'];
  // stdout goes straight to /dev/null: the pass is measured, not our pipe reading.
  const devnull = openSync('/dev/null', 'w');
  try {
    const r = gnuTime ? await run('/usr/bin/time', ['-f', 'bench-maxrss=%M', 'tshark', ...args], { stdout: devnull }) : await run('tshark', args, { stdout: devnull, pollRss: true });
    if (r.code !== 0) throw new Error(`tshark failed (code ${r.code}, signal ${r.signal}):\n${r.stderr}`);
    const m = /bench-maxrss=(\d+)/.exec(r.stderr);
    return { seconds: r.ms / 1000, rssKiB: m ? Number(m[1]) : r.peakKiB };
  } finally {
    closeSync(devnull);
  }
}

const ingest = [];
const tshark = [];
try {
  for (let i = 1; i <= opts.runs; i++) {
    const a = await ingestOnce(i);
    ingest.push(a);
    console.log(`bench: run ${i}/${opts.runs}: ingest ${a.seconds.toFixed(2)} s (process ${a.processSeconds.toFixed(2)} s), ${a.packets} packets, ${a.status}, peak RSS ${(a.rssKiB / 1024).toFixed(0)} MiB, case ${(a.caseBytes / MiB).toFixed(1)} MiB`);
    if (tsharkVersion) {
      const b = await tsharkOnce();
      tshark.push(b);
      console.log(`bench: run ${i}/${opts.runs}: tshark ${b.seconds.toFixed(2)} s, peak RSS ${(b.rssKiB / 1024).toFixed(0)} MiB`);
    }
  }
} catch (e) {
  console.error(`bench: ${e.message}`);
  cleanup();
  process.exit(1);
}

// -- report -------------------------------------------------------------------------------

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

const captureBytes = statSync(capture).size;
const packets = ingest[ingest.length - 1].packets;
const ingestMed = median(ingest.map((r) => r.seconds));
const ingestRss = Math.max(...ingest.map((r) => r.rssKiB)) * 1024;
const caseBytes = median(ingest.map((r) => r.caseBytes));
const tsharkMed = tshark.length ? median(tshark.map((r) => r.seconds)) : null;
const tsharkRss = tshark.length ? Math.max(...tshark.map((r) => r.rssKiB)) * 1024 : null;

const header = ['capture', 'packets', 'ingest s (median)', 'MiB/s', 'packets/s', 'peak RSS', 'case size', 'tshark s (median)', 'tshark peak RSS', 'tshark / ingest'];
const row = [
  fmtMiB(captureBytes),
  fmtInt(packets),
  ingestMed.toFixed(2),
  (captureBytes / MiB / ingestMed).toFixed(1),
  fmtInt(packets / ingestMed),
  fmtMiB(ingestRss),
  `${fmtMiB(caseBytes)} (${((caseBytes / captureBytes) * 100).toFixed(1)} %)`,
  tsharkMed === null ? 'n/a' : tsharkMed.toFixed(2),
  tsharkRss === null ? 'n/a' : fmtMiB(tsharkRss),
  tsharkMed === null ? 'n/a' : `${(tsharkMed / ingestMed).toFixed(2)}×`,
];
const table = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, `| ${row.join(' | ')} |`].join('\n');
const runsLine =
  `Runs: ingest ${ingest.map((r) => r.seconds.toFixed(2)).join(', ')} s` +
  (tshark.length ? `; tshark ${tshark.map((r) => r.seconds.toFixed(2)).join(', ')} s` : '') +
  `. Case size after close: ${fmtMiB(median(ingest.map((r) => r.closedBytes)))}.`;

const cpu = os.cpus()[0]?.model?.trim() ?? 'unknown CPU';
const machine = `${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB RAM, ${os.platform()} ${os.release()}, Node ${process.version}${tsharkVersion ? `, ${tsharkVersion}` : ''}`;
const genLine = gen.reused ? 'Capture reused from an earlier --keep run.' : `Generator: ${gen.genMiBps.toFixed(0)} MiB/s (${gen.genSeconds.toFixed(1)} s).`;

console.log(`\n${table}\n\n${runsLine}\n${machine}\n${genLine}`);

const benchFile = join(root, 'BENCHMARKS.md');
if (opts.profile) {
  // The profiler slows the ingest: such numbers do not belong beside the others.
  console.log(`bench: --profile: not appending to BENCHMARKS.md; CPU profiles are in ${relative(root, join(outDir, 'profiles'))}/`);
} else if (!existsSync(benchFile)) {
  writeFileSync(
    benchFile,
    `# Benchmarks

Produced by \`npm run bench\` (scripts/bench.mjs) after \`npm run build\`: it writes a synthetic
capture of a busy corporate segment (electron/engine/synth/traffic.ts: HTTP, TLS, SMB2, DNS,
ICMP, ARP; 60–1514-byte frames) and times, alternately and in separate processes, the
Tracehound ingest (parse, dissect, index into a fresh case) and tshark's five-field pass
(\`tshark -r FILE -T fields -e frame.number -e ip.src -e ip.dst -e tcp.srcport -e tcp.dstport\`,
output discarded). Times are medians over the runs; peak RSS is the largest seen; "tshark /
ingest" above 1 means the ingest was faster. Each run appends a section; compare rows from
the same machine only.
`,
  );
}
if (!opts.profile) {
  const date = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  appendFileSync(benchFile, `\n## ${date}: ${opts.sizeLabel}, ${opts.runs} run(s), seed ${opts.seed}\n\n${machine}\n\n${table}\n\n${runsLine} ${genLine}\n`);
  console.log(`bench: appended to ${relative(root, benchFile)}`);
}

cleanup();
if (opts.keep) console.log(`bench: kept ${relative(root, capture)}`);

// Filter latency on a large case (scripts/bench-filter.mjs): count and keyset pages.
if (opts.filters && !opts.profile) {
  const r = spawnSync(process.execPath, [join(root, 'scripts/bench-filter.mjs'), '--packets', opts.filterPackets, ...(opts.keep ? ['--keep'] : [])], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exitCode = r.status ?? 1;
}
