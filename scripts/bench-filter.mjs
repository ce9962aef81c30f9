#!/usr/bin/env node
/**
 * Filter latency on a large case: `npm run bench -- --filters` (or `node scripts/bench-filter.mjs
 * [--packets 10M] [--keep]`). Writes a capture of N small frames (TCP and UDP across many hosts
 * and ports) with the project's writer, ingests it, then times, for indexed equality filters,
 * the count and keyset pages of 1,000 rows at the start, middle and end (medians of 5), and
 * marks each against the targets (count < 200 ms, page < 50 ms). Appends a table to BENCHMARKS.md.
 */
import { appendFileSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const dist = join(root, 'dist/electron/engine');
if (!existsSync(join(dist, 'index.js'))) {
  console.error('bench-filter: dist/ is missing: run `npm run build` first');
  process.exit(1);
}
const args = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const parseCount = (s) => {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(s);
  if (!m) throw new Error(`bad count ${s}`);
  return Math.round(Number(m[1]) * (m[2].toLowerCase() === 'm' ? 1e6 : m[2].toLowerCase() === 'k' ? 1e3 : 1));
};
const N = parseCount(arg('--packets', '10M'));
const keep = args.includes('--keep');

const engine = await import(join(dist, 'index.js'));
const { PcapWriter } = await import(join(dist, 'capture/writer.js'));
const { writeTcpFrame, writeUdpFrame, TCP_ACK, TCP_PSH } = await import(join(dist, 'synth/packet.js'));

const out = join(root, 'bench-output');
mkdirSync(out, { recursive: true });
const capture = join(out, `filter-${N}${args.includes('--scan') ? '-scan' : ''}.pcap`);
const casePath = join(out, `filter-${N}${args.includes('--scan') ? '-scan' : ''}.thcase`);

if (!existsSync(capture)) {
  const t0 = performance.now();
  const w = new PcapWriter({ path: capture });
  const buf = new Uint8Array(256);
  const payload = new Uint8Array(6);
  // Realistic structure: 200,000 conversations between 4,096 clients and 64 servers, each
  // packet drawn from the conversations (about 50 packets each), both directions. A capture
  // where every packet is its own conversation (a port scan) is the worst case for the
  // half-flow plan; `--scan` builds that instead.
  const hosts = Array.from({ length: 4096 }, (_, i) => `10.${(i >> 8) & 255}.${i & 255}.${(i * 7) & 255 || 1}`);
  const ports = [80, 443, 445, 53, 8080, 22, 3389, 25];
  const scan = args.includes('--scan');
  const NF = 200_000;
  let x = 12345;
  const rnd = () => (x = (x * 1103515245 + 12345) >>> 0);
  const conv = Array.from({ length: NF }, () => {
    const r = rnd();
    // Each direction's sequence numbers advance with its payload, as in real TCP.
    return { a: hosts[r % hosts.length], b: hosts[(r >>> 12) % 64], sport: 1024 + (rnd() % 60000), dport: ports[(r >>> 20) % ports.length], seqA: rnd(), seqB: rnd() };
  });
  for (let i = 0; i < N; i++) {
    const r = rnd();
    const c = scan ? { a: hosts[r % hosts.length], b: hosts[(r >>> 12) % 64], sport: 1024 + ((r >>> 8) % 60000), dport: ports[(r >>> 20) % ports.length] } : conv[r % NF];
    const back = !scan && r & 0x80000000;
    const [srcIp, dstIp, sport, dport] = back ? [c.b, c.a, c.dport, c.sport] : [c.a, c.b, c.sport, c.dport];
    const len =
      c.dport === 53
        ? writeUdpFrame(buf, 0, { srcIp, dstIp, sport, dport, payload })
        : writeTcpFrame(buf, 0, {
            srcIp, dstIp, sport, dport,
            seq: scan ? i >>> 0 : back ? c.seqB : c.seqA,
            ack: scan ? 1 : back ? c.seqA : c.seqB,
            flags: TCP_ACK | (i & 1 ? TCP_PSH : 0),
            payload,
          });
    if (!scan && c.dport !== 53) {
      if (back) c.seqB = (c.seqB + payload.length) >>> 0;
      else c.seqA = (c.seqA + payload.length) >>> 0;
    }
    w.packet(1_700_000_000 + Math.floor(i / 10000), (i % 10000) * 100000, buf.subarray(0, len));
  }
  w.close();
  console.log(`bench-filter: wrote ${N} frames (${(statSync(capture).size / 2 ** 20).toFixed(0)} MiB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

if (!existsSync(casePath)) {
  const store = engine.CaseStore.open(casePath);
  const t0 = performance.now();
  await engine.ingestCapture({ capturePath: capture, store });
  store.close();
  console.log(`bench-filter: ingested in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

const store = engine.CaseStore.open(casePath, { create: false });
const captureId = store.captures()[0].id;
const median = (xs) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];
/** A measurement this slow is taken once: five of them would hold the run for minutes and
 * tell no more (a target of 200 ms is missed either way). */
const SLOW_MS = 5000;
async function time(fn, runs = 5) {
  const ts = [];
  let v;
  for (let i = 0; i < runs && !(i === 1 && ts[0] > SLOW_MS); i++) {
    const t0 = performance.now();
    v = await fn();
    ts.push(performance.now() - t0);
  }
  return { ms: median(ts), v };
}

const busy = store.db.prepare('SELECT addr FROM hosts ORDER BY pkts_in + pkts_out DESC LIMIT 1 OFFSET 40').pluck().get();
const rows = [];
// A quiet client: the 1,000th busiest host, or the quietest when there are fewer (the
// generator's LCG draws fewer distinct clients than the 4,096 it names).
const client = store.db
  .prepare('SELECT addr FROM hosts ORDER BY pkts_in + pkts_out DESC LIMIT 1 OFFSET (SELECT max(0, min(1000, count(*) - 1)) FROM hosts)')
  .pluck()
  .get();
for (const text of [`ip.addr == ${busy}`, `ip.addr == ${client}`, 'tcp.port == 445', `ip.src == ${busy} && tcp.port == 445`, 'tcp.port == 445 && frame.len > 60']) {
  const f = engine.prepareFilter(store, captureId, text);
  const count = await time(() => engine.countMatches(store, captureId, f));
  const first = await time(() => engine.pageMatches(store, captureId, f, 0, 1000));
  const mid = await time(() => engine.pageMatches(store, captureId, f, Math.floor(N / 2), 1000));
  const end = await time(() => engine.pageMatches(store, captureId, f, N - 5000, 1000));
  const listed = await time(() => engine.packetsByFrames(store, captureId, mid.v));
  rows.push({ text, count: count.v, countMs: count.ms, first: first.ms, mid: mid.ms, end: end.ms, listed: listed.ms });
}
store.close();

// The targets the README reports against: a count under 200 ms and a 1,000-row page under
// 50 ms (the worst of start, middle and end), on a 10-million-packet case.
const TARGET_COUNT_MS = 200;
const TARGET_PAGE_MS = 50;
const mark = (ok) => (ok ? '✔' : '✘');
const table = [
  '| filter | matches | count ms | page 1,000 at start ms | … middle ms | … end ms | rows with Info ms |',
  '|---|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| \`${r.text}\` | ${r.count.toLocaleString('en-US')} | ${r.countMs.toFixed(0)} ${mark(r.countMs < TARGET_COUNT_MS)} | ${r.first.toFixed(1)} ${mark(r.first < TARGET_PAGE_MS)} | ${r.mid.toFixed(1)} ${mark(r.mid < TARGET_PAGE_MS)} | ${r.end.toFixed(1)} ${mark(r.end < TARGET_PAGE_MS)} | ${r.listed.toFixed(1)} |`,
  ),
].join('\n');
const countsMet = rows.filter((r) => r.countMs < TARGET_COUNT_MS).length;
const pagesMet = rows.filter((r) => Math.max(r.first, r.mid, r.end) < TARGET_PAGE_MS).length;
const verdict = `Targets (✔ met, ✘ not): count < ${TARGET_COUNT_MS} ms for ${countsMet} of ${rows.length} filters; every 1,000-row page < ${TARGET_PAGE_MS} ms for ${pagesMet} of ${rows.length}.`;
console.log(`${table}\n\n${verdict}`);
const when = new Date().toISOString().replace('T', ' ').slice(0, 19);
appendFileSync(
  join(root, 'BENCHMARKS.md'),
  `\n## ${when} UTC: filters on a ${N.toLocaleString('en-US')}-packet case\n\n${cpus()[0]?.model ?? 'cpu'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}. ${args.includes('--scan') ? 'Scan-like traffic (every packet its own conversation)' : '200,000 conversations of ~50 packets'}. Medians of 5 (a single run when the first takes over 5 s); "page" = the first 1,000 matching frames after a frame number (keyset), "rows with Info" = turning the middle page into list rows (Info rebuilt from the capture).\n\n${table}\n\n${verdict}\n`,
);
if (!keep) {
  rmSync(capture, { force: true });
  for (const s of ['', '-wal', '-shm']) rmSync(casePath + s, { force: true });
}
