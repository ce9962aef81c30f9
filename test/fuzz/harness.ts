/**
 * The fuzzing harness: a registry of targets, the mutation operators, and seeded runs.
 *
 * Shared by the short run inside `npm test` (test/fuzz/*.test.ts) and the long run
 * (`npm run fuzz`, scripts/fuzz.mjs bundles this file). It imports nothing from vitest:
 * a broken property throws a plain `FuzzPropertyError`.
 *
 * A target is `{name, run(bytes, rng, origin)}` plus optional `seeds()`: adding one is one
 * `registerTarget(...)` line. Every input is derived from (run seed, target name, index)
 * alone, so a failure replays with `npm run fuzz -- --seed N --target NAME --index I`.
 *
 * Inputs: random bytes, or a seed (captures built with the project's writer, frames built by
 * synth/, and real captures from ../shared/corpus when present, read in place) mutated by
 * structure-blind operators (bit flip, byte set, insert, delete, splice) and structure-aware
 * ones that use what the seed knows about itself: truncation at a record boundary, and
 * corrupted length fields (pcap caplen, pcapng block total length, IPv4 total length / IHL /
 * fragment offset, TCP data offset, UDP length, IPv6 payload length / extension lengths).
 *
 * Properties (checked in the targets; see each): only the documented errors escape
 * (CaptureFormatError from readers, IngestError from the ingest, nothing from dissectors),
 * offsets never move backwards, every record before the damage point is kept, each input
 * finishes within a time bound, and the heap does not grow over a run.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';

import { DnsTcpParser, DnsUdpParser } from '../../electron/engine/analyze/dns.js';
import { HttpParser } from '../../electron/engine/analyze/http.js';
import { QuicParser } from '../../electron/engine/analyze/quic.js';
import { TlsHandshakeStream, TlsParser } from '../../electron/engine/analyze/tls.js';
import type { AppRecord, AppSink, AppValue, Dir, FrameCtx, StreamInfo, TcpParser, UdpParser } from '../../electron/engine/analyze/types.js';
import { createParser, detectFormat, openCaptureStream } from '../../electron/engine/capture/detect.js';
import { PcapParser, maxCaplenForLinktype } from '../../electron/engine/capture/pcap.js';
import { PcapngParser, MAX_BLOCK_BYTES } from '../../electron/engine/capture/pcapng.js';
import { CaptureFormatError, type CaptureParser, type CaptureRecord } from '../../electron/engine/capture/types.js';
import { PcapWriter, PcapngWriter } from '../../electron/engine/capture/writer.js';
import { dissectFrame, dissectTree, DissectState, LINKTYPE } from '../../electron/engine/dissect/frame.js';
import { MAX_PENDING_BYTES, MAX_PENDING_DATAGRAMS } from '../../electron/engine/dissect/reassembly.js';
import { newSummary } from '../../electron/engine/dissect/types.js';
import type { IngestError } from '../../electron/engine/ingest/pipeline.js';
import type { CaseStore } from '../../electron/engine/store/case-store.js';
import {
  ether,
  fragmentIpv4,
  fragmentIpv6,
  icmp,
  ipv4,
  ipv6,
  nullLoopback,
  sll,
  sll2,
  tcpFrame,
  udp,
  udpFrame,
  vxlan,
  IPV4_MF,
  TCP_ACK,
  TCP_PSH,
  TCP_SYN,
} from '../../electron/engine/synth/packet.js';
import {
  concatBytes,
  dnsQuery,
  dnsResponse,
  generateTraffic,
  httpRequest,
  httpResponse,
  Rng,
  tlsClientHello,
  tlsServerFlight,
  type FrameSink,
} from '../../electron/engine/synth/traffic.js';

export { Rng };

// ---------------------------------------------------------------------------------------
// Caps (the harness itself must stay bounded: it runs for minutes)

/** Longest random input. Big enough to span several records and chunk boundaries, small
 * enough that thousands of inputs per second are possible. */
export const MAX_RANDOM_BYTES = 4096;
/** Mutated inputs stop growing here (insert/splice could otherwise double them each op). */
export const MAX_MUTATED_BYTES = 2 * 1024 * 1024;
/** Mutation operators applied to one seed: 1..this. More tends to destroy the structure the
 * seed carried before the reader gets deep into it. */
const MAX_OPS = 4;
/** Corpus files read as seeds are at most this big (bigger ones cost seconds per input). */
const MAX_CORPUS_SEED_BYTES = 1024 * 1024;
/** Detail-tree nodes a frame may produce: a 64 KiB frame of 1-byte items is the worst real case. */
const MAX_TREE_NODES = 200_000;
/** Tree depth: a few dozen layers (tunnels, VLAN stacks) at most; recursion must stay capped. */
const MAX_TREE_DEPTH = 512;
/** Decoded bytes from a small compressed input: a 2 MiB zstd input of RLE blocks can expand
 * 32768:1, far beyond this, so the decoder must be consumed incrementally; the harness stops
 * reading after this many bytes and counts that as bounded. */
const MAX_DECODED_BYTES = 256 * 1024 * 1024;

// ---------------------------------------------------------------------------------------
// Targets

/** Where an input came from, so a target can check a property only a known input allows. */
export interface InputOrigin {
  kind: 'random' | 'seed' | 'mutated';
  /** The seed it was derived from (absent for random input). */
  seed?: SeedInput;
  /** Operators applied, in order (text, for the failure report). */
  ops: string[];
  /** Set when the only operator was a cut: the input is seed.bytes[0, cut). */
  cut?: number;
}

export interface LengthField {
  /** Byte offset in the seed. */
  off: number;
  size: 1 | 2 | 4;
  le: boolean;
  /** Bits of the field within its bytes (IHL 0x0f, TCP data offset 0xf0, IPv4 fragment offset 0x1fff). */
  mask?: number;
  name: string;
}

export interface SeedInput {
  name: string;
  bytes: Uint8Array;
  /** Offsets of every record/block start and of the end (ascending): truncation points. */
  boundaries?: number[];
  /** End offset of every packet record, in order, computed from the writer's offsets. */
  recordEnds?: number[];
  /** Length fields the structure-aware operators corrupt. */
  fields?: LengthField[];
  /** For dissector seeds: the link type. */
  linktype?: number;
}

export interface FuzzTarget {
  name: string;
  /** Check every property for one input; throw (anything) when one fails. */
  run(bytes: Uint8Array, rng: Rng, origin: InputOrigin): void | Promise<void>;
  /** Valid inputs to mutate (computed once per process, lazily). */
  seeds?: () => SeedInput[];
  /** Share of inputs that are random bytes rather than mutated seeds (default 0.25). */
  randomShare?: number;
  /** Longest random input (default MAX_RANDOM_BYTES). */
  maxRandomBytes?: number;
  /** One input must finish within this (default 2000 ms: generous on a busy 2-core machine). */
  timeBoundMs?: number;
}

const registry = new Map<string, FuzzTarget>();
const seedCache = new Map<string, SeedInput[]>();

/** Adds a target; names are unique. */
export function registerTarget(t: FuzzTarget): FuzzTarget {
  if (registry.has(t.name)) throw new Error(`fuzz target ${t.name} registered twice`);
  registry.set(t.name, t);
  return t;
}

export function targets(): FuzzTarget[] {
  return [...registry.values()];
}

export function target(name: string): FuzzTarget {
  const t = registry.get(name);
  if (!t) throw new Error(`no fuzz target ${name} (have: ${[...registry.keys()].join(', ')})`);
  return t;
}

function seedsOf(t: FuzzTarget): SeedInput[] {
  let s = seedCache.get(t.name);
  if (!s) {
    s = t.seeds ? t.seeds() : [];
    seedCache.set(t.name, s);
  }
  return s;
}

export class FuzzPropertyError extends Error {
  override readonly name = 'FuzzPropertyError';
}

export function check(cond: unknown, what: string): asserts cond {
  if (!cond) throw new FuzzPropertyError(what);
}

// ---------------------------------------------------------------------------------------
// Mutations

/** Values that break length arithmetic: zero, one, all ones, sign bits, near-limits. */
function interestingValue(rng: Rng, f: LengthField, current: number): number {
  const max = f.mask ?? (f.size === 4 ? 0xffffffff : f.size === 2 ? 0xffff : 0xff);
  const choices = [0, 1, current - 1, current + 1, current * 2, max, max >>> 1, (max >>> 1) + 1, current + 4, current - 4, rng.u32() & max];
  return (rng.pick(choices) >>> 0) & max;
}

function readField(b: Uint8Array, f: LengthField): number {
  let v = 0;
  for (let i = 0; i < f.size; i++) v = v * 256 + (b[f.le ? f.off + f.size - 1 - i : f.off + i] ?? 0);
  return f.mask !== undefined ? (v & f.mask) >>> ctz(f.mask) : v;
}

function ctz(m: number): number {
  let n = 0;
  while (n < 32 && ((m >>> n) & 1) === 0) n++;
  return n;
}

function writeField(b: Uint8Array, f: LengthField, value: number): void {
  let v = value >>> 0;
  if (f.mask !== undefined) {
    const shift = ctz(f.mask);
    const old = readRaw(b, f);
    v = ((old & ~f.mask) | ((v << shift) & f.mask)) >>> 0;
  }
  for (let i = 0; i < f.size; i++) {
    const at = f.le ? f.off + i : f.off + f.size - 1 - i;
    if (at < b.length) b[at] = v & 0xff;
    v = Math.floor(v / 256);
  }
}

function readRaw(b: Uint8Array, f: LengthField): number {
  let v = 0;
  for (let i = 0; i < f.size; i++) v = v * 256 + (b[f.le ? f.off + f.size - 1 - i : f.off + i] ?? 0);
  return v;
}

/** One mutation of `b` (may return a new array); appends a description to `ops`. */
function mutateOnce(b: Uint8Array, seed: SeedInput, rng: Rng, ops: string[]): Uint8Array {
  const n = b.length;
  const op = rng.int(10);
  switch (op) {
    case 0: {
      if (n === 0) return b;
      const i = rng.int(n);
      const bit = rng.int(8);
      b[i] = b[i]! ^ (1 << bit);
      ops.push(`flip@${i}.${bit}`);
      return b;
    }
    case 1: {
      if (n === 0) return b;
      const i = rng.int(n);
      const v = rng.pick([0, 0xff, 0x7f, 0x80, 1, rng.int(256)]);
      b[i] = v;
      ops.push(`set@${i}=${v}`);
      return b;
    }
    case 2:
    case 3: {
      // Structure-aware: a length field lies.
      const fs = seed.fields;
      if (!fs || fs.length === 0) return mutateOnce(b, seed, rng, ops);
      const f = rng.pick(fs);
      if (f.off + f.size > n) return b;
      const v = interestingValue(rng, f, readField(b, f));
      writeField(b, f, v);
      ops.push(`${f.name}@${f.off}=${v}`);
      return b;
    }
    case 4: {
      // Truncation, at a record boundary (±2) when the seed knows them.
      const bs = seed.boundaries;
      let cut = bs && bs.length && rng.chance(0.7) ? rng.pick(bs) + rng.range(-2, 2) : rng.int(n + 1);
      cut = Math.max(0, Math.min(n, cut));
      ops.push(`cut@${cut}`);
      return b.subarray(0, cut);
    }
    case 5: {
      // Insert random bytes.
      if (n >= MAX_MUTATED_BYTES) return b;
      const at = rng.int(n + 1);
      const ins = rng.bytes(rng.range(1, 16));
      ops.push(`insert@${at}+${ins.length}`);
      return concat([b.subarray(0, at), ins, b.subarray(at)]);
    }
    case 6: {
      if (n === 0) return b;
      const at = rng.int(n);
      const len = Math.min(n - at, rng.range(1, 64));
      ops.push(`delete@${at}-${len}`);
      return concat([b.subarray(0, at), b.subarray(at + len)]);
    }
    case 7: {
      // Splice: copy a range (a record, when known) elsewhere: repeated and misplaced structure.
      if (n === 0 || n >= MAX_MUTATED_BYTES) return b;
      const bs = seed.boundaries;
      let from = rng.int(n);
      let len = Math.min(n - from, rng.range(1, 256));
      if (bs && bs.length > 1 && rng.chance(0.6)) {
        const k = rng.int(bs.length - 1);
        from = bs[k]!;
        len = Math.min(n - from, Math.max(0, bs[k + 1]! - from));
      }
      const at = bs && bs.length && rng.chance(0.6) ? Math.min(n, rng.pick(bs)) : rng.int(n + 1);
      ops.push(`splice ${from}+${len}@${at}`);
      return concat([b.subarray(0, at), b.slice(from, from + len), b.subarray(at)]);
    }
    case 8: {
      // A run of one byte value (zero-length headers, all-ones lengths).
      if (n === 0) return b;
      const at = rng.int(n);
      const len = Math.min(n - at, rng.range(2, 32));
      const v = rng.pick([0, 0xff]);
      b.fill(v, at, at + len);
      ops.push(`fill@${at}+${len}=${v}`);
      return b;
    }
    default: {
      if (n >= MAX_MUTATED_BYTES) return b;
      const junk = rng.bytes(rng.range(1, 64));
      ops.push(`append+${junk.length}`);
      return concat([b, junk]);
    }
  }
}

/** Bytes of several arrays, in order (the synthesiser's helper). */
export const concat = concatBytes;

/** Random bytes, biased towards short inputs (most parsers branch in the first bytes). */
function randomBytes(rng: Rng, max: number): Uint8Array {
  const len = rng.chance(0.5) ? rng.int(Math.min(64, max) + 1) : rng.int(max + 1);
  return rng.bytes(len);
}

/** FNV-1a over a string: spreads target names into seeds. */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** The rng of input `index` of `target` in a run seeded `seed`: all an input depends on. */
export function inputRng(seed: number, targetName: string, index: number): Rng {
  const r = new Rng((seed ^ hashString(targetName)) >>> 0);
  const mix = new Rng((r.u32() ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  return new Rng(mix.u32() ^ mix.u32());
}

/** Builds input `index` for `t`: the bytes and where they came from. */
export function makeInput(t: FuzzTarget, seed: number, index: number): { bytes: Uint8Array; origin: InputOrigin; rng: Rng } {
  const rng = inputRng(seed, t.name, index);
  const seeds = seedsOf(t);
  if (seeds.length === 0 || rng.chance(t.randomShare ?? 0.25)) {
    return { bytes: randomBytes(rng, t.maxRandomBytes ?? MAX_RANDOM_BYTES), origin: { kind: 'random', ops: [] }, rng };
  }
  const s = rng.pick(seeds);
  if (rng.chance(0.05)) return { bytes: s.bytes.slice(), origin: { kind: 'seed', seed: s, ops: [] }, rng };
  const ops: string[] = [];
  let b: Uint8Array = s.bytes.slice();
  // A pure cut (one op) is common and checkable exactly: keep it frequent.
  if (s.boundaries && rng.chance(0.25)) {
    const cut = Math.max(0, Math.min(b.length, rng.pick(s.boundaries) + (rng.chance(0.5) ? 0 : rng.range(-3, 3))));
    return { bytes: b.subarray(0, cut), origin: { kind: 'mutated', seed: s, ops: [`cut@${cut}`], cut }, rng };
  }
  const k = rng.range(1, MAX_OPS);
  for (let i = 0; i < k; i++) b = mutateOnce(b, s, rng, ops);
  return { bytes: b, origin: { kind: 'mutated', seed: s, ops }, rng };
}

// ---------------------------------------------------------------------------------------
// Runs

export interface FuzzFailure {
  target: string;
  seed: number;
  index: number;
  /** 'property' (a check or an unexpected exception), 'slow' (over the time bound). */
  kind: 'property' | 'slow';
  message: string;
  stack: string;
  origin: string;
  inputLength: number;
}

export interface TargetStats {
  target: string;
  inputs: number;
  ms: number;
  failures: FuzzFailure[];
  /** Slowest input, ms. */
  maxMs: number;
}

export interface RunOptions {
  seed: number;
  /** First input index (a resumed or replayed run). */
  startIndex?: number;
  /** Stop after this many inputs... */
  inputs?: number;
  /** ...or after this many ms, whichever comes first (at least one input runs). */
  ms?: number;
  /** Stop at the first failure (default false: collect them). */
  stopOnFailure?: boolean;
  /** Multiplies every target's time bound (the short run on a noisy CI machine uses > 1). */
  timeScale?: number;
  /** Called before each input (the long run's watchdog records it). */
  onInput?: (index: number) => void;
}

function describeOrigin(o: InputOrigin): string {
  return o.kind === 'random' ? 'random bytes' : `${o.kind} ${o.seed?.name ?? '?'}${o.ops.length ? `: ${o.ops.join(', ')}` : ''}`;
}

/** Runs one target on consecutive inputs; failures are collected, never thrown. */
export async function runTarget(t: FuzzTarget, opts: RunOptions): Promise<TargetStats> {
  const stats: TargetStats = { target: t.name, inputs: 0, ms: 0, failures: [], maxMs: 0 };
  const bound = (t.timeBoundMs ?? 2000) * (opts.timeScale ?? 1);
  const start = performance.now();
  const first = opts.startIndex ?? 0;
  for (let index = first; ; index++) {
    if (opts.inputs !== undefined && index - first >= opts.inputs) break;
    if (opts.ms !== undefined && index > first && performance.now() - start >= opts.ms) break;
    opts.onInput?.(index);
    const { bytes, origin, rng } = makeInput(t, opts.seed, index);
    const t0 = performance.now();
    let failure: FuzzFailure | null = null;
    try {
      await t.run(bytes, rng, origin);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      failure = {
        target: t.name,
        seed: opts.seed,
        index,
        kind: 'property',
        message: err.message,
        stack: err.stack ?? '',
        origin: describeOrigin(origin),
        inputLength: bytes.length,
      };
    }
    const dt = performance.now() - t0;
    stats.maxMs = Math.max(stats.maxMs, dt);
    if (!failure && dt > bound) {
      failure = {
        target: t.name,
        seed: opts.seed,
        index,
        kind: 'slow',
        message: `took ${dt.toFixed(0)} ms, over the ${bound.toFixed(0)} ms bound`,
        stack: '',
        origin: describeOrigin(origin),
        inputLength: bytes.length,
      };
    }
    stats.inputs++;
    if (failure) {
      stats.failures.push(failure);
      if (opts.stopOnFailure) break;
    }
  }
  stats.ms = performance.now() - start;
  return stats;
}

/** Replays one input (from a failure report); throws what the target throws. */
export async function replay(targetName: string, seed: number, index: number): Promise<{ origin: string; length: number }> {
  const t = target(targetName);
  const { bytes, origin, rng } = makeInput(t, seed, index);
  await t.run(bytes, rng, origin);
  return { origin: describeOrigin(origin), length: bytes.length };
}

export function formatFailure(f: FuzzFailure): string {
  return `${f.target}: ${f.kind}: ${f.message}\n  input ${f.index} of seed ${f.seed} (${f.inputLength} bytes; ${f.origin})\n  replay: npm run fuzz -- --seed ${f.seed} --target ${f.target} --index ${f.index}${f.stack ? `\n  ${f.stack.split('\n').slice(0, 8).join('\n  ')}` : ''}`;
}

let gcFn: (() => void) | null = null;
/** A full GC (V8's gc() exposed at run time), so heap figures measure live data only. */
export function gc(): void {
  if (!gcFn) {
    const g = (globalThis as { gc?: () => void }).gc;
    if (g) gcFn = g;
    else {
      setFlagsFromString('--expose-gc');
      gcFn = runInNewContext('gc') as () => void;
    }
  }
  gcFn();
}

export function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

// ---------------------------------------------------------------------------------------
// Seeds: frames

const MAC_A = '02:00:00:00:00:01';
const MAC_B = '02:00:00:00:00:02';
const A = '10.0.0.1';
const B = '10.0.0.2';
const X6 = '2001:db8::1';
const Y6 = '2001:db8::2';

/** A FrameSink that keeps copies of the frames (the generator reuses its buffer). */
class FrameCollector implements FrameSink {
  readonly frames: Uint8Array[] = [];
  readonly times: [number, number][] = [];
  offset = 24;
  packet(tsSec: number, tsNsec: number, data: Uint8Array): void {
    this.frames.push(data.slice());
    this.times.push([tsSec, tsNsec]);
    this.offset += 16 + data.length;
  }
}

let trafficCache: FrameCollector | null = null;
/** Realistic Ethernet frames (HTTP, DNS, TLS, SMB/NTLM, ICMP, ARP, ...) from synth/traffic.ts. */
export function syntheticTraffic(): { frames: Uint8Array[]; times: [number, number][] } {
  if (!trafficCache) {
    trafficCache = new FrameCollector();
    generateTraffic(trafficCache, { targetBytes: 192 * 1024, seed: 11, concurrency: 24 });
  }
  return trafficCache;
}

/** Hand-built Ethernet frames for the edges traffic.ts does not produce. */
function edgeFrames(): Uint8Array[] {
  const inner = tcpFrame({
    srcIp: '192.168.0.1',
    dstIp: '192.168.0.2',
    sport: 1,
    dport: 2,
    seq: 1,
    ack: 1,
    flags: TCP_ACK,
    payload: new Uint8Array(3),
  });
  const quote = ipv4({ src: B, dst: A, proto: 17 }, udp({ sport: 3, dport: 4 }, new Uint8Array(20), { src: B, dst: A })).subarray(0, 28);
  const out: Uint8Array[] = [
    tcpFrame({
      srcIp: A,
      dstIp: B,
      sport: 51234,
      dport: 80,
      seq: 1000,
      ack: 0,
      flags: TCP_SYN,
      vlan: [7],
      options: [
        { kind: 'mss', value: 1460 },
        { kind: 'sackPerm' },
        { kind: 'ts', val: 1, ecr: 0 },
        { kind: 'nop' },
        { kind: 'wscale', shift: 7 },
      ],
    }),
    tcpFrame({
      srcIp: X6,
      dstIp: Y6,
      sport: 443,
      dport: 50000,
      seq: 1,
      ack: 2,
      flags: TCP_PSH | TCP_ACK,
      payload: new Uint8Array(30).fill(0x17),
    }),
    udpFrame({ srcIp: A, dstIp: B, sport: 50000, dport: 4789, payload: vxlan({ vni: 5 }, inner) }),
    ether({ src: MAC_A, dst: MAC_B, type: 0x0800 }, ipv4({ src: A, dst: B, proto: 1 }, icmp({ type: 3, code: 3 }, quote))),
    ether(
      { src: MAC_A, dst: MAC_B, type: 0x86dd },
      ipv6(
        { src: X6, dst: Y6, nextHeader: 17, extHeaders: [{ type: 0 }, { type: 60 }, { type: 43 }] },
        udp({ sport: 1, dport: 2 }, new Uint8Array(12), { src: X6, dst: Y6 }),
      ),
    ),
    // IPv4-in-IPv4 and IPv6-in-IPv4.
    ether(
      { src: MAC_A, dst: MAC_B, type: 0x0800 },
      ipv4(
        { src: A, dst: B, proto: 4 },
        ipv4({ src: B, dst: A, proto: 17 }, udp({ sport: 7, dport: 53 }, new Uint8Array(8), { src: B, dst: A })),
      ),
    ),
    ether(
      { src: MAC_A, dst: MAC_B, type: 0x0800 },
      ipv4({ src: A, dst: B, proto: 41 }, ipv6({ src: X6, dst: Y6, nextHeader: 59 }, new Uint8Array(0))),
    ),
    // 64 nested VLAN tags: mutations then make the stack "never end" (every tag says VLAN).
    ether(
      { src: MAC_A, dst: MAC_B, type: 0x0800, vlan: Array.from({ length: 64 }, (_, i) => i + 1) },
      ipv4({ src: A, dst: B, proto: 17 }, udp({ sport: 1, dport: 2 }, new Uint8Array(4), { src: A, dst: B })),
    ),
  ];
  // Fragments (IPv4 and IPv6) of one datagram each: mutations overlap them or lose the last.
  for (const f of fragmentIpv4(
    ipv4({ src: A, dst: B, proto: 17, id: 3 }, udp({ sport: 5, dport: 6 }, new Uint8Array(300), { src: A, dst: B })),
    96,
  ))
    out.push(ether({ src: MAC_A, dst: MAC_B, type: 0x0800 }, f));
  for (const f of fragmentIpv6(
    ipv6({ src: X6, dst: Y6, nextHeader: 17 }, udp({ sport: 5, dport: 6 }, new Uint8Array(300), { src: X6, dst: Y6 })),
    150,
    9,
  ))
    out.push(ether({ src: MAC_A, dst: MAC_B, type: 0x86dd }, f));
  return out;
}

/**
 * Length fields of an Ethernet frame (as built by synth/: well formed), walking
 * VLAN → IPv4/IPv6 (+ extension headers) → TCP/UDP. `base` shifts the offsets (a frame
 * inside a capture file).
 */
export function frameFields(f: Uint8Array, base = 0, linktype: number = LINKTYPE.ETHERNET): LengthField[] {
  const out: LengthField[] = [];
  const u16 = (o: number) => ((f[o] ?? 0) << 8) | (f[o + 1] ?? 0);
  let p: number;
  let type: number;
  if (linktype === LINKTYPE.ETHERNET) {
    p = 12;
    type = u16(p);
    for (let tags = 0; (type === 0x8100 || type === 0x88a8) && tags < 128; tags++) {
      out.push({ off: base + p, size: 2, le: false, name: 'vlan.tpid' });
      p += 4;
      type = u16(p);
    }
    p += 2;
  } else {
    p = 0;
    type = (f[0] ?? 0) >> 4 === 6 ? 0x86dd : 0x0800;
  }
  let proto = -1;
  if (type === 0x0800 && p + 20 <= f.length) {
    out.push({ off: base + p, size: 1, le: false, mask: 0x0f, name: 'ip.hdr_len' });
    out.push({ off: base + p + 2, size: 2, le: false, name: 'ip.len' });
    out.push({ off: base + p + 6, size: 2, le: false, mask: 0x1fff, name: 'ip.frag_offset' });
    out.push({ off: base + p + 6, size: 1, le: false, mask: 0x20, name: 'ip.flags.mf' });
    proto = f[p + 9]!;
    p += ((f[p] ?? 0) & 0x0f) * 4;
  } else if (type === 0x86dd && p + 40 <= f.length) {
    out.push({ off: base + p + 4, size: 2, le: false, name: 'ipv6.plen' });
    proto = f[p + 6]!;
    p += 40;
    for (let n = 0; n < 16 && (proto === 0 || proto === 43 || proto === 60 || proto === 44) && p + 8 <= f.length; n++) {
      if (proto === 44) {
        out.push({ off: base + p + 2, size: 2, le: false, mask: 0xfff8, name: 'ipv6.fragment.offset' });
        proto = f[p]!;
        p += 8;
      } else {
        out.push({ off: base + p + 1, size: 1, le: false, name: 'ipv6.opt.len' });
        proto = f[p]!;
        p += ((f[p + 1] ?? 0) + 1) * 8;
      }
    }
  }
  if (proto === 6 && p + 20 <= f.length) out.push({ off: base + p + 12, size: 1, le: false, mask: 0xf0, name: 'tcp.hdr_len' });
  if (proto === 17 && p + 8 <= f.length) out.push({ off: base + p + 4, size: 2, le: false, name: 'udp.length' });
  return out;
}

/** The IP packet inside an Ethernet frame (after VLAN tags), or null. */
function ipOf(f: Uint8Array): { ip: Uint8Array; v6: boolean } | null {
  let p = 12;
  let type = (f[p]! << 8) | f[p + 1]!;
  while (type === 0x8100 || type === 0x88a8) {
    p += 4;
    if (p + 2 > f.length) return null;
    type = (f[p]! << 8) | f[p + 1]!;
  }
  if (type !== 0x0800 && type !== 0x86dd) return null;
  return { ip: f.subarray(p + 2), v6: type === 0x86dd };
}

/** Frames of every supported link type (Ethernet ones re-wrapped for the others). */
export function frameSeeds(): SeedInput[] {
  const { frames } = syntheticTraffic();
  // A spread of the generated traffic (every 7th frame keeps protocols mixed and the set small).
  const eth = [...frames.filter((_, i) => i % 7 === 0).slice(0, 300), ...edgeFrames()];
  const out: SeedInput[] = [];
  eth.forEach((f, i) => out.push({ name: `eth#${i}`, bytes: f, linktype: LINKTYPE.ETHERNET, fields: frameFields(f) }));
  eth.forEach((f, i) => {
    const x = ipOf(f);
    if (!x) return;
    const ipFields = frameFields(x.ip, 0, LINKTYPE.RAW);
    const shifted = (k: number) => ipFields.map((fl) => ({ ...fl, off: fl.off + k }));
    const fam = x.v6 ? 0x86dd : 0x0800;
    out.push({ name: `raw#${i}`, bytes: x.ip, linktype: LINKTYPE.RAW, fields: ipFields });
    out.push({ name: `raw12#${i}`, bytes: x.ip, linktype: LINKTYPE.RAW_BSD12, fields: ipFields });
    out.push({ name: `raw14#${i}`, bytes: x.ip, linktype: LINKTYPE.RAW_BSD14, fields: ipFields });
    out.push({ name: `raw${x.v6 ? 6 : 4}#${i}`, bytes: x.ip, linktype: x.v6 ? LINKTYPE.IPV6 : LINKTYPE.IPV4, fields: ipFields });
    out.push({ name: `null#${i}`, bytes: nullLoopback(x.v6 ? 24 : 2, x.ip), linktype: LINKTYPE.NULL, fields: shifted(4) });
    out.push({ name: `loop#${i}`, bytes: nullLoopback(x.v6 ? 24 : 2, x.ip, 'be'), linktype: LINKTYPE.LOOP, fields: shifted(4) });
    out.push({
      name: `sll#${i}`,
      bytes: sll({ pkttype: i % 5, addr: MAC_A, protocol: fam }, x.ip),
      linktype: LINKTYPE.LINUX_SLL,
      fields: shifted(16),
    });
    out.push({
      name: `sll2#${i}`,
      bytes: sll2({ pkttype: i % 5, protocol: fam }, x.ip),
      linktype: LINKTYPE.LINUX_SLL2,
      fields: shifted(20),
    });
  });
  return out;
}

// ---------------------------------------------------------------------------------------
// Seeds: captures built with the project's writer

/** A pcap of `frames` and, from the writer's offsets, every record's start and end. */
export function buildPcap(
  frames: readonly Uint8Array[],
  opts: { nsec?: boolean; bigEndian?: boolean; linktype?: number; name?: string } = {},
): SeedInput {
  const w = new PcapWriter({ nsec: opts.nsec ?? false, bigEndian: opts.bigEndian ?? false, linktype: opts.linktype ?? 1 });
  const le = !opts.bigEndian;
  const boundaries = [0, w.offset];
  const recordEnds: number[] = [];
  const fields: LengthField[] = [
    { off: 4, size: 2, le, name: 'pcap.version_major' },
    { off: 16, size: 4, le, name: 'pcap.snaplen' },
    { off: 20, size: 4, le, name: 'pcap.linktype' },
  ];
  frames.forEach((f, i) => {
    const at = w.offset;
    w.packet(1_700_000_000 + i, ((i * 7919) % 1_000_000) * 1000, f, i % 5 === 4 ? { origlen: f.length + 100 } : {});
    fields.push({ off: at + 8, size: 4, le, name: 'pcap.caplen' }, { off: at + 12, size: 4, le, name: 'pcap.len' });
    if ((opts.linktype ?? 1) === 1) fields.push(...frameFields(f, at + 16));
    recordEnds.push(w.offset);
    boundaries.push(w.offset);
  });
  return {
    name: opts.name ?? `pcap(${frames.length}${opts.nsec ? ',nsec' : ''}${opts.bigEndian ? ',be' : ''})`,
    bytes: new Uint8Array(w.toBuffer()),
    boundaries,
    recordEnds,
    fields,
  };
}

/** A pcapng with two sections, several interfaces, EPB/SPB/PB, NRB, ISB and a custom block. */
export function buildPcapng(frames: readonly Uint8Array[], opts: { bigEndian?: boolean; name?: string } = {}): SeedInput {
  const w = new PcapngWriter({ bigEndian: opts.bigEndian ?? false });
  const le = !opts.bigEndian;
  const boundaries: number[] = [0];
  const recordEnds: number[] = [];
  const fields: LengthField[] = [];
  /** Records the block just written: its start, total length (both copies) and end. */
  const block = (at: number, packetDataAt = -1, frame: Uint8Array | null = null, caplenAt = -1, ble = le) => {
    const end = w.offset;
    fields.push(
      { off: at + 4, size: 4, le: ble, name: 'pcapng.block_total_length' },
      { off: end - 4, size: 4, le: ble, name: 'pcapng.block_total_length(trailing)' },
    );
    if (caplenAt >= 0) fields.push({ off: caplenAt, size: 4, le: ble, name: 'pcapng.cap_len' });
    if (frame && packetDataAt >= 0) fields.push(...frameFields(frame, packetDataAt));
    boundaries.push(end);
    if (packetDataAt >= 0) recordEnds.push(end);
  };
  let at = w.offset;
  w.section({ comment: 'fuzz seed', userAppl: 'tracehound' });
  block(at);
  at = w.offset;
  const e0 = w.addInterface({ linktype: 1, name: 'eth0', tsResolution: 1e9 });
  block(at);
  at = w.offset;
  const e1 = w.addInterface({ linktype: 1, snaplen: 128, tsResolution: { pow2: 20 }, tsOffsetSec: 5 });
  block(at);
  const half = Math.ceil(frames.length / 2);
  frames.forEach((f, i) => {
    if (i === half) {
      at = w.offset;
      w.nameResolution([
        { address: A, names: ['a.example'] },
        { address: X6, names: ['x.example', 'x2.example'] },
      ]);
      block(at);
      at = w.offset;
      w.interfaceStats(e0, { received: 10, dropped: 1 });
      block(at);
      at = w.offset;
      w.customBlock(0x00000bad, new Uint8Array([0, 0, 0x7e, 0x2b, 1, 2, 3]));
      block(at);
      // A second section (other byte order) whose interfaces restart at 0.
      at = w.offset;
      w.section({ bigEndian: !opts.bigEndian });
      block(at, -1, null, -1, !le);
      at = w.offset;
      w.addInterface({ linktype: 1 });
      block(at, -1, null, -1, !le);
    }
    const second = i >= half;
    at = w.offset;
    const kind = i % 6;
    const ble = second ? !le : le;
    if (!second && kind === 5) {
      w.simplePacket(f);
      block(at, at + 12, f, -1, ble);
    } else if (!second && kind === 4) {
      w.obsoletePacket(e0, 1_700_000_000 + i, i * 1000, f, { dropsCount: 2 });
      block(at, at + 28, f, at + 20, ble);
    } else {
      w.packet(
        second ? 0 : i % 3 === 0 ? e1 : e0,
        1_700_000_000 + i,
        i * 1000,
        f,
        i % 4 === 0 ? { comments: [`c${i}`, 'second comment'] } : {},
      );
      block(at, at + 28, f, at + 20, ble);
    }
  });
  return {
    name: opts.name ?? `pcapng(${frames.length}${opts.bigEndian ? ',be' : ''})`,
    bytes: new Uint8Array(w.toBuffer()),
    boundaries,
    recordEnds,
    fields,
  };
}

/** zstd frame of raw and RLE blocks (RFC 8878 §3.1.1): fzstd decodes it; no encoder needed. */
export function zstdRaw(data: Uint8Array, opts: { rleTail?: number } = {}): Uint8Array {
  const parts: Uint8Array[] = [Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58)]; // FHD 0, window 2 MiB
  const MAX_BLOCK = 128 * 1024;
  const blockHeader = (last: boolean, type: number, size: number) => {
    const v = (last ? 1 : 0) | (type << 1) | (size << 3);
    return Uint8Array.of(v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff);
  };
  for (let off = 0; off < data.length || off === 0; off += MAX_BLOCK) {
    const chunk = data.subarray(off, off + MAX_BLOCK);
    const last = off + MAX_BLOCK >= data.length && !opts.rleTail;
    parts.push(blockHeader(last, 0, chunk.length), chunk);
    if (data.length === 0) break;
  }
  if (opts.rleTail) parts.push(blockHeader(true, 1, opts.rleTail), Uint8Array.of(0));
  return concat(parts);
}

let captureSeedCache: SeedInput[] | null = null;
/** Captures built with the writer from the synthetic frames: small and varied. */
export function captureSeeds(): SeedInput[] {
  if (captureSeedCache) return captureSeedCache;
  const { frames } = syntheticTraffic();
  const edge = edgeFrames();
  const few = [...frames.slice(0, 40), ...edge];
  captureSeedCache = [
    buildPcap(few),
    buildPcap(frames.slice(40, 70), { nsec: true, bigEndian: true }),
    buildPcap(frames.slice(70, 400), { name: 'pcap(330 frames)' }),
    buildPcap([new Uint8Array(0), new Uint8Array(1), ...edge.slice(0, 3)], { name: 'pcap(empty records)' }),
    // LINKTYPE_DBUS: the one link type whose records may reach 128 MiB.
    buildPcap(edge.slice(0, 4), { name: 'pcap(dbus)', linktype: 231 }),
    buildPcapng(few),
    buildPcapng(frames.slice(100, 130), { bigEndian: true }),
  ];
  return captureSeedCache;
}

/** Real captures from the shared corpus (read in place, never copied), with their record ends. */
export function corpusSeeds(corpusDir: string | null, formats: readonly ('pcap' | 'pcapng')[] = ['pcap', 'pcapng']): SeedInput[] {
  if (!corpusDir) return [];
  let names: string[];
  try {
    names = readdirSync(corpusDir)
      .filter((n) => /\.(pcap|pcapng)$/.test(n))
      .sort();
  } catch {
    return [];
  }
  const out: SeedInput[] = [];
  for (const n of names) {
    const p = join(corpusDir, n);
    if (statSync(p).size > MAX_CORPUS_SEED_BYTES) continue;
    const bytes = new Uint8Array(readFileSync(p));
    const d = detectFormat(bytes.subarray(0, 4));
    if (!('format' in d) || !formats.includes(d.format)) continue;
    const boundaries = [0];
    const recordEnds: number[] = [];
    const fields: LengthField[] = [];
    const parser = createParser(d.format, (r) => {
      const end =
        d.format === 'pcap'
          ? r.dataOffset + r.caplen
          : r.recordOffset + readU32(bytes, r.recordOffset + 4, parser.header?.byteOrder !== 'big');
      recordEnds.push(end);
      boundaries.push(end);
      const le = parser.header?.byteOrder !== 'big';
      if (d.format === 'pcap') fields.push({ off: r.recordOffset + 8, size: 4, le, name: 'pcap.caplen' });
      else fields.push({ off: r.recordOffset + 4, size: 4, le, name: 'pcapng.block_total_length' });
      if (r.linktype === 1 && fields.length < 4096) fields.push(...frameFields(r.data, r.dataOffset));
    });
    try {
      parser.push(bytes);
      parser.end();
    } catch {
      // A broken corpus file is still a fine seed; its boundaries stop at the damage.
    }
    out.push({ name: `corpus:${n}`, bytes, boundaries, recordEnds, fields });
  }
  return out;
}

function readU32(b: Uint8Array, o: number, le: boolean): number {
  const x = [b[o] ?? 0, b[o + 1] ?? 0, b[o + 2] ?? 0, b[o + 3] ?? 0];
  return le ? ((x[3]! << 24) | (x[2]! << 16) | (x[1]! << 8) | x[0]!) >>> 0 : ((x[0]! << 24) | (x[1]! << 16) | (x[2]! << 8) | x[3]!) >>> 0;
}

// ---------------------------------------------------------------------------------------
// Reader properties

const READER_ERROR_KINDS = new Set([
  'empty',
  'unknown-magic',
  'truncated-header',
  'truncated-record',
  'bad-record-length',
  'bad-block-length',
  'bad-block',
  'unsupported-version',
  'decompress',
]);

export interface ReadOutcome {
  /** One line per record (offsets, lengths, times, interface, data hash). */
  records: string[];
  /** End offset (dataOffset + caplen) of each record. */
  ends: number[];
  error: CaptureFormatError | null;
  interfaces: number;
}

function fnv(b: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h >>> 0;
}

/** Random chunk sizes: many tiny ones (boundaries inside every header) and some big. */
export function randomChunking(rng: Rng, total: number): number[] {
  const out: number[] = [];
  // At most ~MAX_CHUNKS chunks: tiny ones still land inside headers, big inputs stay fast.
  const MAX_CHUNKS = 2000;
  const floor = Math.max(1, Math.floor(total / MAX_CHUNKS));
  for (let left = total; left > 0;) {
    const n = Math.min(
      left,
      floor - 1 + (rng.chance(0.5) ? rng.range(1, 8) : rng.chance(0.7) ? rng.range(9, 300) : rng.range(301, 70_000)),
    );
    out.push(n);
    left -= n;
  }
  return out;
}

/**
 * Reads `bytes` with a fresh parser fed in the given chunks (null: one chunk), checking the
 * per-record properties as it goes: data is exactly bytes[dataOffset, +caplen), offsets
 * never move backwards, consumed never decreases, times normalised, only CaptureFormatError
 * escapes (with an offset at or after the last record delivered), and it stays failed.
 */
export function readCapture(format: 'pcap' | 'pcapng', bytes: Uint8Array, chunks: number[] | null, keepRecords = true): ReadOutcome {
  const out: ReadOutcome = { records: [], ends: [], error: null, interfaces: 0 };
  let lastEnd = 0;
  let lastRecordOffset = -1;
  const onRecord = (r: CaptureRecord) => {
    check(r.data.length === r.caplen, `record at ${r.recordOffset}: data.length ${r.data.length} != caplen ${r.caplen}`);
    check(r.caplen <= maxCaplenForLinktype(r.linktype), `record at ${r.recordOffset}: caplen ${r.caplen} over the maximum`);
    check(
      r.recordOffset > lastRecordOffset && r.recordOffset >= lastEnd,
      `record offset ${r.recordOffset} moves backwards (last record at ${lastRecordOffset}, ended at ${lastEnd})`,
    );
    check(
      r.dataOffset >= r.recordOffset && r.dataOffset + r.caplen <= bytes.length,
      `record at ${r.recordOffset}: data [${r.dataOffset}, +${r.caplen}) outside the ${bytes.length}-byte input`,
    );
    const src = bytes.subarray(r.dataOffset, r.dataOffset + r.caplen);
    for (let i = 0; i < src.length; i++)
      if (src[i] !== r.data[i]) check(false, `record at ${r.recordOffset}: data differs from the input at dataOffset+${i}`);
    // Seconds may pass 2^53 (a 64-bit count of seconds with if_tsresol 10^0): finite integers only.
    check(
      Number.isInteger(r.tsSec) && Number.isInteger(r.tsNsec) && r.tsNsec >= 0 && r.tsNsec < 1e9,
      `record at ${r.recordOffset}: bad time ${r.tsSec}.${r.tsNsec}`,
    );
    check(Number.isInteger(r.interfaceId) && r.interfaceId >= 0, `record at ${r.recordOffset}: interface ${r.interfaceId}`);
    lastRecordOffset = r.recordOffset;
    lastEnd = r.dataOffset + r.caplen;
    out.ends.push(lastEnd);
    if (keepRecords)
      out.records.push(
        `${r.recordOffset}/${r.dataOffset}/${r.caplen}/${r.origlen}/${r.tsSec}.${r.tsNsec}/${r.linktype}/${r.interfaceId}/${r.comments?.length ?? 0}/${fnv(r.data)}`,
      );
  };
  const parser: CaptureParser = format === 'pcap' ? new PcapParser(onRecord) : new PcapngParser(onRecord);
  let consumed = 0;
  let pushed = 0;
  const after = () => {
    check(parser.consumed >= consumed, `consumed moved backwards: ${consumed} → ${parser.consumed}`);
    check(parser.consumed <= pushed, `consumed ${parser.consumed} beyond the ${pushed} bytes pushed`);
    check(parser.records === out.ends.length, `records counter ${parser.records} != ${out.ends.length} delivered`);
    consumed = parser.consumed;
  };
  try {
    if (chunks === null) {
      pushed = bytes.length;
      parser.push(bytes);
      after();
    } else {
      let off = 0;
      for (const n of chunks) {
        // A copy per chunk: the parser must not rely on earlier chunks staying valid.
        const c = bytes.slice(off, off + n);
        off += n;
        pushed = off;
        parser.push(c);
        c.fill(0xee);
        after();
      }
    }
    parser.end();
  } catch (e) {
    check(
      e instanceof CaptureFormatError,
      `${format} reader threw ${e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e)}`,
    );
    check(READER_ERROR_KINDS.has(e.kind), `unknown error kind ${e.kind}`);
    check(
      Number.isSafeInteger(e.offset) && e.offset >= 0 && e.offset <= bytes.length,
      `error offset ${e.offset} outside the input (${bytes.length} bytes)`,
    );
    check(
      e.offset >= lastEnd || e.kind === 'unknown-magic',
      `error at ${e.offset} before the end of the last record delivered (${lastEnd}): ${e.message}`,
    );
    check(e.message.length > 0 && e.message.length < 500, `error message of ${e.message.length} chars`);
    out.error = e;
    // Stays failed: a second push or end reports the same damage.
    let again: unknown = null;
    try {
      parser.push(new Uint8Array(16));
    } catch (e2) {
      again = e2;
    }
    check(again === e, 'a failed parser accepted more input');
  }
  out.interfaces = parser.interfaces.length;
  return out;
}

/** The number of records a reader must deliver from a cut at `cut` of a seed. */
export function recordsBefore(seed: SeedInput, cut: number): number {
  return (seed.recordEnds ?? []).filter((e) => e <= cut).length;
}

function readerTarget(format: 'pcap' | 'pcapng', seeds: () => SeedInput[]): FuzzTarget {
  return {
    name: format,
    seeds,
    maxRandomBytes: 2048,
    timeBoundMs: 1500,
    run(bytes, rng, origin) {
      // Random prefixes of the right magic, so random bytes get past the first check.
      if (origin.kind === 'random' && bytes.length >= 4 && rng.chance(0.5)) {
        bytes.set(
          format === 'pcap'
            ? rng.pick([
                [0xd4, 0xc3, 0xb2, 0xa1],
                [0xa1, 0xb2, 0x3c, 0x4d],
              ])
            : [0x0a, 0x0d, 0x0d, 0x0a],
          0,
        );
      }
      const whole = readCapture(format, bytes, null);
      const chunked = readCapture(format, bytes, randomChunking(rng, bytes.length));
      // Chunking changes nothing: same records, same damage at the same offset.
      check(
        whole.records.length === chunked.records.length,
        `chunking changed the record count: ${whole.records.length} vs ${chunked.records.length}`,
      );
      for (let i = 0; i < whole.records.length; i++)
        check(whole.records[i] === chunked.records[i], `chunking changed record ${i}: ${whole.records[i]} vs ${chunked.records[i]}`);
      check(
        (whole.error?.kind ?? null) === (chunked.error?.kind ?? null) && (whole.error?.offset ?? -1) === (chunked.error?.offset ?? -1),
        `chunking changed the damage: ${whole.error?.kind}@${whole.error?.offset} vs ${chunked.error?.kind}@${chunked.error?.offset}`,
      );
      // A pure cut of a writer-built seed: exactly the records wholly before the cut.
      if (origin.cut !== undefined && origin.seed?.recordEnds && !origin.seed.name.startsWith('corpus:')) {
        const want = recordsBefore(origin.seed, origin.cut);
        check(whole.records.length === want, `cut at ${origin.cut}: ${whole.records.length} records, want ${want}`);
        const atBoundary = origin.seed.boundaries?.includes(origin.cut) ?? false;
        if (atBoundary && origin.cut >= 24)
          check(whole.error === null, `cut at a boundary (${origin.cut}) reported ${whole.error?.message}`);
        if (!atBoundary)
          check(
            whole.error !== null && /^(truncated|empty)/.test(whole.error.kind),
            `cut inside a record (${origin.cut}) gave ${whole.error?.kind ?? 'no error'}`,
          );
      }
    },
  };
}

// ---------------------------------------------------------------------------------------
// Dissector properties

const ANOMALY_KINDS = new Set(['truncated', 'malformed', 'unsupported', 'note']);

function checkSummaryAnomalies(s: ReturnType<typeof newSummary>, data: Uint8Array): void {
  for (const a of s.anomalies) {
    check(ANOMALY_KINDS.has(a.kind), `anomaly kind ${a.kind}`);
    check(!/dissector error/.test(a.detail), `a dissector threw: ${a.detail}`);
    check(Number.isInteger(a.offset) && a.offset >= 0, `anomaly offset ${a.offset}`);
    check(a.detail.length < 1000, `anomaly detail of ${a.detail.length} chars`);
  }
  check(s.anomalies.length < 10_000, `${s.anomalies.length} anomalies for one frame`);
  check(s.info.length < 100_000 && s.layers.length < 10_000, `info ${s.info.length} / layers ${s.layers.length} chars`);
  check(s.payloadOffset >= 0 && s.payloadLen >= 0, `payload ${s.payloadOffset}+${s.payloadLen}`);
  const src = s.payloadData ?? data;
  check(
    s.payloadOffset + s.payloadLen <= Math.max(src.length, 0) || s.payloadLen === 0,
    `payload [${s.payloadOffset}, +${s.payloadLen}) past its ${src.length}-byte source`,
  );
}

/** Per-target cross-frame state: reassembly spans inputs, reset now and then like a new capture. */
function dissectTarget(name: string, linktype: number, seeds: () => SeedInput[]): FuzzTarget {
  let state = new DissectState();
  const s = newSummary();
  let n = 0;
  return {
    name,
    seeds,
    maxRandomBytes: 600,
    timeBoundMs: 500,
    run(bytes, rng) {
      if (++n % 5000 === 0) state = new DissectState();
      state.now = rng.chance(0.1) ? Number.NaN : 1_700_000_000 + n / 10;
      const orig = rng.chance(0.5) ? bytes.length : bytes.length + rng.int(2000);
      try {
        dissectFrame(bytes, linktype, s, null, state, n, orig);
      } catch (e) {
        check(false, `dissectFrame threw: ${e instanceof Error ? e.stack : String(e)}`);
      }
      checkSummaryAnomalies(s, bytes);
      check(
        state.ip4Fragments.size <= MAX_PENDING_DATAGRAMS && state.ip6Fragments.size <= MAX_PENDING_DATAGRAMS,
        'too many pending datagrams',
      );
      check(
        state.ip4Fragments.pendingBytes <= MAX_PENDING_BYTES && state.ip6Fragments.pendingBytes <= MAX_PENDING_BYTES,
        'too many pending fragment bytes',
      );
    },
  };
}

interface TreeLike {
  label: string;
  offset: number;
  length: number;
  children?: TreeLike[];
  source?: string;
}

/** Walks a detail tree checking sizes and offsets; returns the node count. */
export function checkTree(roots: readonly TreeLike[], dataLength: number): number {
  let count = 0;
  const walk = (ns: readonly TreeLike[], depth: number) => {
    check(depth <= MAX_TREE_DEPTH, `tree deeper than ${MAX_TREE_DEPTH}`);
    for (const x of ns) {
      count++;
      check(count <= MAX_TREE_NODES, `more than ${MAX_TREE_NODES} tree nodes`);
      check(typeof x.label === 'string' && x.label.length < 10_000, `tree label of ${x.label.length} chars`);
      check(
        Number.isInteger(x.offset) && x.offset >= 0 && Number.isInteger(x.length) && x.length >= 0,
        `tree node "${x.label}" at ${x.offset}+${x.length}`,
      );
      if (x.source === undefined)
        check(x.offset <= dataLength, `tree node "${x.label}" starts at ${x.offset}, past the ${dataLength}-byte frame`);
      if (x.children) walk(x.children, depth + 1);
    }
  };
  walk(roots, 0);
  return count;
}

const TREE_LINKTYPES = [...Object.values(LINKTYPE), 147];

function treeTarget(seeds: () => SeedInput[]): FuzzTarget {
  let state = new DissectState();
  let n = 0;
  return {
    name: 'tree',
    seeds,
    maxRandomBytes: 600,
    timeBoundMs: 1000,
    run(bytes, rng, origin) {
      if (++n % 2000 === 0) state = new DissectState();
      const lt = origin.seed?.linktype !== undefined && rng.chance(0.9) ? origin.seed.linktype : rng.pick(TREE_LINKTYPES);
      const origlen = bytes.length + (rng.chance(0.5) ? 0 : rng.int(100));
      let t;
      try {
        t = dissectTree(bytes, lt, state, n, {
          origlen,
          tsSec: rng.u32(),
          tsNsec: rng.int(1e9),
          interfaceId: 0,
          interfaceName: rng.chance(0.2) ? 'eth0' : null,
          comments: rng.chance(0.1) ? ['x'] : null,
        });
      } catch (e) {
        check(false, `dissectTree threw: ${e instanceof Error ? e.stack : String(e)}`);
      }
      check(t.length > 0 && t.some((x) => (x as { field?: string }).field === 'frame'), 'no frame node');
      checkTree(t as TreeLike[], bytes.length);
    },
  };
}

// ---------------------------------------------------------------------------------------
// Compressed streams and the whole ingest (file based)

let scratchDir: string | null = null;
/** One temporary directory per process for the file-based targets (removed by cleanupScratch). */
export function scratch(): string {
  scratchDir ??= mkdtempSync(join(tmpdir(), 'th-fuzz-'));
  return scratchDir;
}

export function cleanupScratch(): void {
  if (scratchDir) rmSync(scratchDir, { recursive: true, force: true });
  scratchDir = null;
}

function compressedSeeds(kind: 'gzip' | 'zstd'): SeedInput[] {
  return captureSeeds()
    .slice(0, 5)
    .map((s) => {
      const bytes = kind === 'gzip' ? new Uint8Array(gzipSync(s.bytes, { level: 6 })) : zstdRaw(s.bytes);
      // Truncation points spread over the compressed bytes (block edges are not known for gzip).
      const boundaries = Array.from({ length: 33 }, (_, i) => Math.floor((bytes.length * i) / 32));
      return { name: `${kind}(${s.name})`, bytes, boundaries, plain: s } as SeedInput & { plain: SeedInput };
    });
}

/** Reads a (possibly compressed) capture file through openCaptureStream and a reader. */
async function readStream(
  path: string,
  chunkSize: number,
): Promise<{ decoded: Uint8Array[]; decodedBytes: number; error: unknown; records: number; compression: string | null }> {
  const decoded: Uint8Array[] = [];
  let decodedBytes = 0;
  let records = 0;
  let error: unknown = null;
  let compression: string | null = null;
  try {
    const st = await openCaptureStream(path, { chunkSize });
    compression = st.compression;
    let parser: CaptureParser | null = null;
    for await (const c of st.chunks) {
      decodedBytes += c.length;
      if (decodedBytes <= 8 * 1024 * 1024) decoded.push(c.slice());
      if (decodedBytes > MAX_DECODED_BYTES) break;
      if (!parser) {
        const d = detectFormat(c);
        if (!('format' in d)) break;
        parser = createParser(d.format, () => records++);
      }
      parser.push(c);
    }
    parser?.end();
  } catch (e) {
    error = e;
  }
  return { decoded, decodedBytes, error, records, compression };
}

function streamTarget(kind: 'gzip' | 'zstd'): FuzzTarget {
  let k = 0;
  return {
    name: kind,
    seeds: () => compressedSeeds(kind),
    randomShare: 0.1,
    timeBoundMs: 3000,
    async run(bytes, rng, origin) {
      if (origin.kind === 'random' && bytes.length >= 4) bytes.set(kind === 'gzip' ? [0x1f, 0x8b, 8, 0] : [0x28, 0xb5, 0x2f, 0xfd], 0);
      const path = join(scratch(), `${kind}-${k++ % 4}.bin`);
      writeFileSync(path, bytes);
      const r = await readStream(path, rng.pick([64, 999, 4096, 1 << 20]));
      if (r.error !== null)
        check(r.error instanceof CaptureFormatError, `${kind} stream threw ${r.error instanceof Error ? r.error.stack : String(r.error)}`);
      check(r.decodedBytes <= MAX_DECODED_BYTES + (1 << 20) + 128 * 1024, `decoded ${r.decodedBytes} bytes from ${bytes.length}`);
      const plain = (origin.seed as (SeedInput & { plain?: SeedInput }) | undefined)?.plain;
      // Below its 4 magic bytes a cut stream is no longer recognised as compressed (read as is).
      if (origin.cut !== undefined && plain && r.compression === kind) {
        // Cut short: what was decoded is a prefix of the original capture, and the damage is named.
        const got = concat(r.decoded);
        check(
          got.length <= plain.bytes.length,
          `a cut ${kind} stream decoded ${got.length} bytes, more than the ${plain.bytes.length} it holds`,
        );
        for (let i = 0; i < got.length; i++)
          if (got[i] !== plain.bytes[i]) check(false, `a cut ${kind} stream decoded a different byte at ${i}`);
        if (origin.cut < origin.seed!.bytes.length && origin.cut >= 4) {
          check(
            r.error instanceof CaptureFormatError,
            `a ${kind} stream cut at ${origin.cut} of ${origin.seed!.bytes.length} reported no damage`,
          );
        }
        check(r.records <= recordsBefore(plain, got.length), `more records than decoded bytes allow`);
      }
    },
  };
}

function countPackets(store: CaseStore): number {
  return store.db.prepare('SELECT count(*) FROM packets').pluck().get() as number;
}

/**
 * The whole ingest of `bytes` as a file into a fresh in-memory case (in-line parse side).
 * Properties: it resolves or throws IngestError only; a kept capture has exactly the
 * packets the standalone reader delivers before its damage (for a cut of a writer seed:
 * the records wholly before the cut, from the writer's offsets), rows match the count,
 * the status matches the problem, and the damage offset lies inside the file.
 */
export async function ingestOnce(
  bytes: Uint8Array,
  path: string,
  origin: InputOrigin | null,
): Promise<{
  packets: number;
  status: string;
  problem: { kind: string; offset: number; message: string } | null;
  error: IngestError | null;
}> {
  // Loaded on first use: the reader and dissector targets run even while the ingest is being changed.
  const { IngestError, ingestCapture } = await import('../../electron/engine/ingest/pipeline.js');
  const { CaseStore } = await import('../../electron/engine/store/case-store.js');
  writeFileSync(path, bytes);
  const store = CaseStore.open(':memory:');
  try {
    let r;
    try {
      r = await ingestCapture({ capturePath: path, store, threads: 'inline', reuse: false, dataDir: join(scratch(), 'data') });
    } catch (e) {
      check(e instanceof IngestError, `ingest threw ${e instanceof Error ? e.stack : String(e)}`);
      check(e.offset === null || (e.offset >= 0 && Number.isSafeInteger(e.offset)), `ingest error offset ${e.offset}`);
      check(countPackets(store) === 0 && store.captures().length === 0, 'a failed ingest left rows in the case');
      return { packets: 0, status: 'failed', problem: null, error: e };
    }
    const c = r.capture;
    const rows = countPackets(store);
    check(rows === c.packets, `capture says ${c.packets} packets, the table holds ${rows}`);
    check(
      c.status === (r.problem ? (/^truncated|decompress/.test(r.problem.kind) ? 'truncated' : 'damaged') : 'complete'),
      `status ${c.status} with problem ${r.problem?.kind ?? 'none'}`,
    );
    if (r.problem) {
      check(r.problem.offset >= 0, `problem offset ${r.problem.offset}`);
      check(
        /\d/.test(r.problem.message) && !/\n/.test(r.problem.message),
        `problem message without an offset or on several lines: ${r.problem.message}`,
      );
    }
    const d = detectFormat(bytes.subarray(0, 4));
    if ('format' in d) {
      const ref = readCapture(d.format, bytes, null, false);
      // Every record before the damage is kept, and nothing after it.
      check(
        c.packets === ref.ends.length,
        `ingest kept ${c.packets} packets, the reader delivers ${ref.ends.length} before ${ref.error?.kind ?? 'the end'}`,
      );
      check(
        (r.problem?.offset ?? null) === (ref.error?.offset ?? null),
        `ingest stopped at ${r.problem?.offset}, the reader at ${ref.error?.offset}`,
      );
      if (r.problem) check(r.problem.offset <= bytes.length, `problem offset ${r.problem.offset} past the ${bytes.length}-byte file`);
    }
    if (origin?.cut !== undefined && origin.seed?.recordEnds && !origin.seed.name.startsWith('corpus:')) {
      const want = recordsBefore(origin.seed, origin.cut);
      check(c.packets === want, `ingest of a cut at ${origin.cut}: ${c.packets} packets, want ${want} (the records wholly before the cut)`);
    }
    return { packets: c.packets, status: c.status, problem: r.problem, error: null };
  } finally {
    store.close();
  }
}

function ingestTarget(seeds: () => SeedInput[]): FuzzTarget {
  let k = 0;
  return {
    name: 'ingest',
    seeds,
    randomShare: 0.1,
    maxRandomBytes: 2048,
    timeBoundMs: 5000,
    async run(bytes, rng, origin) {
      if (origin.kind === 'random' && bytes.length >= 4 && rng.chance(0.7))
        bytes.set(
          rng.pick([
            [0xd4, 0xc3, 0xb2, 0xa1],
            [0x0a, 0x0d, 0x0d, 0x0a],
          ]),
          0,
        );
      await ingestOnce(bytes, join(scratch(), `ingest-${k++ % 4}.pcap`), origin);
    },
  };
}

function detectTarget(): FuzzTarget {
  return {
    name: 'detect',
    maxRandomBytes: 16,
    randomShare: 1,
    // Microseconds of work: the bound only has to survive a GC pause on a busy machine.
    timeBoundMs: 1000,
    run(bytes) {
      for (let n = 0; n <= bytes.length; n++) {
        const d = detectFormat(bytes.subarray(0, n));
        const keys = Object.keys(d);
        check(keys.length === 1 && ['format', 'compression', 'unknown'].includes(keys[0]!), `detectFormat returned ${JSON.stringify(d)}`);
        if ('unknown' in d) check(d.unknown.length > 0 && d.unknown.length < 200, `message ${d.unknown}`);
      }
    },
  };
}

// ---------------------------------------------------------------------------------------
// Application analyzers (TcpParser / UdpParser from electron/engine/analyze/types.ts)

/** Outputs per input byte (plus a constant) an analyzer may produce before it is "unbounded". */
const MAX_OUTPUTS_PER_BYTE = 4;
const MAX_OUTPUTS_BASE = 2000;

/** An AppSink that counts (and sanity-checks) what an analyzer reports. */
export class RecordingSink implements AppSink {
  nFields = 0;
  nColumns = 0;
  nAnomalies = 0;
  nRecords = 0;
  /** Characters (and bytes) of output, against a parser that inflates its input. */
  chars = 0;
  field(name: string, value: AppValue): void {
    check(typeof name === 'string' && name.length > 0, `field name ${String(name)}`);
    check(value !== undefined && value !== null && (typeof value !== 'number' || !Number.isNaN(value)), `field ${name} = ${String(value)}`);
    this.chars += typeof value === 'number' ? 8 : value.length;
    this.nFields++;
  }
  columns(protocol: string, info: string): void {
    this.chars += protocol.length + info.length;
    this.nColumns++;
  }
  anomaly(layer: string, detail: string): void {
    this.chars += layer.length + detail.length;
    this.nAnomalies++;
  }
  record(rec: AppRecord): void {
    check(typeof rec === 'object' && rec !== null && typeof rec.kind === 'string', 'record without a kind');
    this.nRecords++;
  }
}

const STREAM: StreamInfo = { stream: 0, client: { addr: '10.0.0.1', port: 50000 }, server: { addr: '10.0.0.2', port: 80 } };

function checkBounded(sink: RecordingSink, inputBytes: number, calls: number): void {
  const cap = MAX_OUTPUTS_BASE + MAX_OUTPUTS_PER_BYTE * (inputBytes + calls);
  check(
    sink.nFields + sink.nAnomalies + sink.nRecords + sink.nColumns <= cap,
    `analyzer produced ${sink.nFields} fields, ${sink.nAnomalies} anomalies, ${sink.nRecords} records from ${inputBytes} bytes`,
  );
  check(sink.chars <= 64 * (inputBytes + 1024), `analyzer produced ${sink.chars} characters of output from ${inputBytes} bytes`);
}

/**
 * A target for a TCP analyzer: the bytes are split into a random dialogue (direction,
 * chunk size, an occasional gap), then both directions end. `make` builds a fresh parser.
 */
export function tcpParserTarget(name: string, make: (info: StreamInfo) => TcpParser, seeds?: () => SeedInput[]): FuzzTarget {
  return {
    name,
    ...(seeds ? { seeds } : {}),
    maxRandomBytes: 8192,
    timeBoundMs: 1000,
    run(bytes, rng) {
      const sink = new RecordingSink();
      const p = make(STREAM);
      let frame = 1;
      let calls = 0;
      const ctx = (): FrameCtx => ({ frame: frame++, tsSec: 1_700_000_000, tsNsec: 0, sink });
      let dir: Dir = 0;
      let at = 0;
      for (const n of randomChunking(rng, bytes.length)) {
        if (rng.chance(0.2)) dir = dir === 0 ? 1 : 0;
        calls++;
        if (rng.chance(0.03)) p.gap(dir, rng.chance(0.5) ? rng.range(1, 1000) : rng.u32(), ctx());
        // A copy, overwritten after the call: parsers must copy what they keep.
        const chunk = bytes.slice(at, at + n);
        at += n;
        p.data(dir, chunk, ctx());
        chunk.fill(0xee);
      }
      p.end(0, ctx());
      p.end(1, rng.chance(0.5) ? ctx() : null);
      checkBounded(sink, bytes.length, calls);
    },
  };
}

/** A target for a UDP analyzer: the bytes cut into datagrams of random sizes and directions. */
export function udpParserTarget(name: string, make: (info: StreamInfo) => UdpParser, seeds?: () => SeedInput[]): FuzzTarget {
  return {
    name,
    ...(seeds ? { seeds } : {}),
    maxRandomBytes: 4096,
    timeBoundMs: 1000,
    run(bytes, rng) {
      const sink = new RecordingSink();
      const p = make({ ...STREAM, server: { addr: '10.0.0.2', port: 53 } });
      let calls = 0;
      let frame = 1;
      let at = 0;
      for (const n of rng.chance(0.3) ? [bytes.length] : randomChunking(rng, bytes.length)) {
        calls++;
        const d = bytes.slice(at, at + n);
        at += n;
        p.datagram(rng.chance(0.5) ? 0 : 1, d, { frame: frame++, tsSec: 1_700_000_000, tsNsec: 0, sink });
        d.fill(0xee);
      }
      checkBounded(sink, bytes.length, calls);
    },
  };
}

// ---------------------------------------------------------------------------------------
// The registry

/** The shared corpus directory for the corpus seeds (null: none). Set before the first run. */
export let corpusDir: string | null = null;
export function setCorpusDir(dir: string | null): void {
  corpusDir = dir;
  seedCache.clear();
}

const readerSeeds = (format: 'pcap' | 'pcapng') => () => [
  ...captureSeeds().filter((s) => s.name.startsWith(`${format}(`)),
  ...corpusSeeds(corpusDir, [format]),
];
const seedsFor = (lt: number) => () => frameSeeds().filter((s) => s.linktype === lt);

registerTarget(detectTarget());
registerTarget(readerTarget('pcap', readerSeeds('pcap')));
registerTarget(readerTarget('pcapng', readerSeeds('pcapng')));
registerTarget(streamTarget('gzip'));
registerTarget(streamTarget('zstd'));
for (const [key, lt] of Object.entries(LINKTYPE)) registerTarget(dissectTarget(`dissect:${key.toLowerCase()}`, lt, seedsFor(lt)));
registerTarget(dissectTarget('dissect:unknown-147', 147, seedsFor(LINKTYPE.ETHERNET)));
registerTarget(treeTarget(() => frameSeeds().filter((_, i) => i % 3 === 0)));
registerTarget(
  ingestTarget(() => [
    ...captureSeeds(),
    ...compressedSeeds('gzip').slice(0, 2),
    ...compressedSeeds('zstd').slice(0, 2),
    ...corpusSeeds(corpusDir).filter((s) => s.bytes.length <= 256 * 1024),
  ]),
);
// Fragment floods: overlapping, duplicated and never-completing IPv4/IPv6 fragments in one state.
registerTarget(fragmentTarget());

function fragmentTarget(): FuzzTarget {
  let state = new DissectState();
  const s = newSummary();
  let n = 0;
  return {
    name: 'dissect:fragments',
    maxRandomBytes: 64,
    randomShare: 1,
    timeBoundMs: 1500,
    run(bytes, rng) {
      if (++n % 200 === 0) state = new DissectState();
      // A datagram id shared by many inputs, so overlaps meet in the table.
      const id = rng.int(8);
      const v6 = rng.chance(0.3);
      for (let k = 0; k < 40; k++) {
        const off = rng.chance(0.5) ? rng.int(64) * 8 : rng.int(8192) * 8;
        const len = rng.chance(0.7) ? rng.range(1, 32) * 8 : rng.int(1500);
        const more = rng.chance(0.8);
        const payload = rng.chance(0.5) ? bytes : new Uint8Array(len).fill(k);
        const f = v6
          ? ether(
              { src: MAC_A, dst: MAC_B, type: 0x86dd },
              ipv6({ src: X6, dst: Y6, nextHeader: 17, extHeaders: [{ type: 44, frag: { offset: off, more, id } }] }, payload),
            )
          : ether(
              { src: MAC_A, dst: MAC_B, type: 0x0800 },
              ipv4({ src: A, dst: B, proto: rng.pick([17, 6, 1]), id, flags: more ? IPV4_MF : 0, fragOffset: off >> 3 }, payload),
            );
        dissectFrame(f, LINKTYPE.ETHERNET, s, null, state, n * 100 + k);
        checkSummaryAnomalies(s, f);
      }
      check(
        state.ip4Fragments.pendingBytes <= MAX_PENDING_BYTES && state.ip6Fragments.pendingBytes <= MAX_PENDING_BYTES,
        'fragment bytes over the cap',
      );
    },
  };
}

// Application analyzers: one line each.
registerTarget(
  tcpParserTarget(
    'analyze:http',
    (info) => new HttpParser(info, { onBody: () => undefined }),
    () => appSeeds('http'),
  ),
);
registerTarget(
  tcpParserTarget(
    'analyze:tls',
    (info) => new TlsParser(info),
    () => appSeeds('tls'),
  ),
);
registerTarget(
  tcpParserTarget(
    'analyze:dns-tcp',
    (info) => new DnsTcpParser(info, 'tcp'),
    () => appSeeds('dns-tcp'),
  ),
);
registerTarget(
  udpParserTarget(
    'analyze:dns-udp',
    (info) => new DnsUdpParser(info, 'udp'),
    () => appSeeds('dns'),
  ),
);
registerTarget(
  udpParserTarget(
    'analyze:quic',
    (info) => quicWithTls(info),
    () => appSeeds('quic'),
  ),
);

/** QUIC as the ingest wires it: CRYPTO frames feed a TLS handshake parser. */
function quicWithTls(info: StreamInfo): UdpParser {
  const hs = new TlsHandshakeStream(info, 'quic');
  return new QuicParser(info, { onCrypto: (d, b, ctx) => hs.data(d, b, ctx) });
}

/** Application payloads to mutate: built with synth/traffic.ts, plus QUIC datagrams from the corpus. */
function appSeeds(kind: 'http' | 'tls' | 'dns' | 'dns-tcp' | 'quic'): SeedInput[] {
  const rng = new Rng(5);
  const enc = new TextEncoder();
  const seed = (name: string, bytes: Uint8Array): SeedInput => ({ name, bytes });
  switch (kind) {
    case 'http': {
      const body = enc.encode('name=a&file=b%20c');
      const gz = gzipSync(enc.encode('<html>'.repeat(200)));
      const chunked = concat([
        enc.encode(
          `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\nContent-Type: text/html\r\n\r\n${gz.length.toString(16)}\r\n`,
        ),
        gz,
        enc.encode('\r\n0\r\n\r\n'),
      ]);
      const multipart = enc.encode('--XX\r\nContent-Disposition: form-data; name="f"; filename="a.exe"\r\n\r\nMZ\x90\x00\r\n--XX--\r\n');
      return [
        seed(
          'http get',
          concat([
            httpRequest('GET', '/a?x=1&y=%41', 'example.test', [['User-Agent', 'fuzz']]),
            httpResponse(
              200,
              'OK',
              [
                ['Content-Type', 'text/plain'],
                ['Content-Length', '5'],
              ],
              'hello',
            ),
          ]),
        ),
        seed(
          'http post',
          httpRequest(
            'POST',
            '/login',
            'example.test',
            [
              ['Content-Type', 'application/x-www-form-urlencoded'],
              ['Content-Length', String(body.length)],
            ],
            body,
          ),
        ),
        seed(
          'http multipart',
          httpRequest(
            'POST',
            '/up',
            'example.test',
            [
              ['Content-Type', 'multipart/form-data; boundary=XX'],
              ['Content-Length', String(multipart.length)],
            ],
            multipart,
          ),
        ),
        seed('http chunked gzip', chunked),
        seed(
          'http pipelined',
          concat([httpRequest('GET', '/1', 'h', []), httpRequest('HEAD', '/2', 'h', []), httpResponse(304, 'Not Modified', [])]),
        ),
      ];
    }
    case 'tls':
      return [seed('tls client hello', tlsClientHello('fuzz.example.test', rng)), seed('tls server flight', tlsServerFlight(rng, 300))];
    case 'dns':
      return [
        seed('dns query', dnsQuery(7, 'www.example.test', 1)),
        seed('dns response', dnsResponse(7, 'www.example.test', ['192.0.2.1', '2001:db8::5'], { ttl: 60 })),
        seed('dns txt', dnsQuery(9, 'a.b.c.d.e.f.g.example.test', 16)),
      ];
    case 'dns-tcp': {
      const framed = (m: Uint8Array) => concat([Uint8Array.of(m.length >> 8, m.length & 0xff), m]);
      return [
        seed(
          'dns/tcp exchange',
          concat([framed(dnsQuery(7, 'www.example.test', 1)), framed(dnsResponse(7, 'www.example.test', ['192.0.2.1']))]),
        ),
      ];
    }
    case 'quic':
      return quicCorpusDatagrams();
  }
}

/** UDP payloads of the first QUIC datagrams of each corpus capture with "quic" in its name. */
function quicCorpusDatagrams(): SeedInput[] {
  if (!corpusDir) return [];
  const out: SeedInput[] = [];
  for (const n of readdirSafe(corpusDir).filter((x) => /quic/i.test(x) && /\.(pcap|pcapng)$/.test(x))) {
    const bytes = new Uint8Array(readFileSync(join(corpusDir, n)));
    const d = detectFormat(bytes.subarray(0, 4));
    if (!('format' in d)) continue;
    const s = newSummary();
    const state = new DissectState();
    const parser = createParser(d.format, (r) => {
      if (out.length >= 40) return;
      dissectFrame(r.data, r.linktype, s, null, state, 1);
      if (s.ipProto === 17 && s.payloadLen > 0 && (s.srcPort === 443 || s.dstPort === 443)) {
        const src = s.payloadData ?? r.data;
        out.push({ name: `corpus:${n}#${out.length}`, bytes: src.slice(s.payloadOffset, s.payloadOffset + s.payloadLen) });
      }
    });
    try {
      parser.push(bytes);
      parser.end();
    } catch {
      // Seeds up to the damage are enough.
    }
  }
  return out;
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Block sizes the pcapng reader accepts: exported for tests of huge declared lengths. */
export { MAX_BLOCK_BYTES };
