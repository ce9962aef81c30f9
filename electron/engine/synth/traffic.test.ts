/**
 * The bulk traffic generator, read back with the project's own capture reader: framing,
 * timestamps, checksums, TCP sequence consistency, the protocol mix, determinism, and
 * Wireshark's opinion of the bytes (tshark, when installed).
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasTshark, tmpDir } from '../../../test/support/shared.js';
import { createParser, detectFormat, openCaptureStream } from '../capture/detect.js';
import type { CaptureParser } from '../capture/types.js';
import { PcapWriter } from '../capture/writer.js';
import { generateTraffic, type TrafficResult } from './traffic.js';

/** Small enough for a shared 2-core machine, big enough for every protocol to appear. */
const TARGET = 4_000_000;
const SLOW = 60_000;

interface Frame {
  tsSec: number;
  tsNsec: number;
  len: number;
  etype: number;
  proto: number;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  flags: number;
  seq: number;
  ack: number;
  /** TCP/UDP payload (a copy). */
  payload: Uint8Array;
  /** IPv4 header checksum and TCP/UDP checksum verify (RFC 1071: the sum folds to 0xffff). */
  checksumsOk: boolean;
}

const u16 = (b: Uint8Array, o: number) => (b[o]! << 8) | b[o + 1]!;
const u32 = (b: Uint8Array, o: number) => (u16(b, o) * 65536 + u16(b, o + 2)) >>> 0;

function sum16(b: Uint8Array, from: number, to: number, acc = 0): number {
  for (let i = from; i + 1 < to; i += 2) acc += u16(b, i);
  if ((to - from) & 1) acc += b[to - 1]! << 8;
  return acc;
}

function folds(acc: number): boolean {
  while (acc > 0xffff) acc = (acc & 0xffff) + Math.floor(acc / 65536);
  return acc === 0xffff;
}

/** Decodes Ethernet / IPv4 / TCP|UDP|ICMP just enough for these checks. */
function decode(d: Uint8Array, tsSec: number, tsNsec: number): Frame {
  const f: Frame = { tsSec, tsNsec, len: d.length, etype: u16(d, 12), proto: 0, src: '', dst: '', sport: 0, dport: 0, flags: 0, seq: 0, ack: 0, payload: new Uint8Array(0), checksumsOk: true };
  if (f.etype !== 0x0800) return f;
  const ip = 14;
  const ihl = (d[ip]! & 0x0f) * 4;
  const total = u16(d, ip + 2);
  f.proto = d[ip + 9]!;
  f.src = Array.from(d.subarray(ip + 12, ip + 16)).join('.');
  f.dst = Array.from(d.subarray(ip + 16, ip + 20)).join('.');
  let ok = folds(sum16(d, ip, ip + ihl));
  const l4 = ip + ihl;
  const end = ip + total;
  const pseudo = sum16(d, ip + 12, ip + 20) + f.proto + (total - ihl);
  if (f.proto === 6) {
    f.sport = u16(d, l4);
    f.dport = u16(d, l4 + 2);
    f.seq = u32(d, l4 + 4);
    f.ack = u32(d, l4 + 8);
    f.flags = d[l4 + 13]!;
    f.payload = d.slice(l4 + (d[l4 + 12]! >> 4) * 4, end);
    ok &&= folds(sum16(d, l4, end, pseudo));
  } else if (f.proto === 17) {
    f.sport = u16(d, l4);
    f.dport = u16(d, l4 + 2);
    f.payload = d.slice(l4 + 8, end);
    if (u16(d, l4 + 6) !== 0) ok &&= folds(sum16(d, l4, end, pseudo));
  } else if (f.proto === 1) {
    ok &&= folds(sum16(d, l4, end));
  }
  f.checksumsOk = ok;
  return f;
}

/** Every frame of a capture, through the project's stream and parser (as the ingest reads it). */
async function readFrames(path: string): Promise<Frame[]> {
  const frames: Frame[] = [];
  const stream = await openCaptureStream(path);
  let parser: CaptureParser | null = null;
  for await (const chunk of stream.chunks) {
    if (!parser) {
      const d = detectFormat(chunk);
      if (!('format' in d)) throw new Error(`not a capture: ${JSON.stringify(d)}`);
      parser = createParser(d.format, (rec) => {
        expect(rec.linktype).toBe(1);
        frames.push(decode(rec.data, rec.tsSec, rec.tsNsec));
      });
    }
    parser.push(chunk);
  }
  parser!.end();
  return frames;
}

/**
 * Follows every TCP conversation: each segment's seq is where the sender's last one ended
 * (SYN and FIN count one), and each ACK acknowledges exactly what the peer has sent.
 * Returns the problems found (none expected) and how many segments were checked.
 */
function tcpProblems(frames: readonly Frame[]): { problems: string[]; checked: number } {
  const next = new Map<string, number>();
  const problems: string[] = [];
  let checked = 0;
  frames.forEach((f, i) => {
    if (f.proto !== 6) return;
    const me = `${f.src}:${f.sport}>${f.dst}:${f.dport}`;
    const peer = `${f.dst}:${f.dport}>${f.src}:${f.sport}`;
    const SYN = 0x02;
    const FIN = 0x01;
    const RST = 0x04;
    const ACK = 0x10;
    if (f.flags & SYN) {
      next.set(me, (f.seq + 1) >>> 0);
      if (f.flags & ACK && next.get(peer) !== f.ack) problems.push(`frame ${i + 1}: SYN-ACK acks ${f.ack}, expected ${next.get(peer)}`);
      return;
    }
    const expected = next.get(me);
    if (expected === undefined) {
      // An RST/ACK refusing a SYN (seq 0) is the only segment allowed without a SYN first.
      if (!(f.flags & RST && next.get(peer) === f.ack)) problems.push(`frame ${i + 1}: ${me} sends without a SYN`);
      return;
    }
    checked++;
    if (f.seq !== expected) problems.push(`frame ${i + 1}: ${me} seq ${f.seq}, expected ${expected}`);
    if (f.flags & ACK && next.get(peer) !== f.ack) problems.push(`frame ${i + 1}: ${me} acks ${f.ack}, peer is at ${next.get(peer)}`);
    next.set(me, (expected + f.payload.length + (f.flags & FIN ? 1 : 0)) >>> 0);
  });
  return { problems, checked };
}

function write(path: string, seed: number, target = TARGET): TrafficResult {
  const w = new PcapWriter({ path });
  try {
    return generateTraffic(w, { targetBytes: target, seed });
  } finally {
    w.close();
  }
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const starts = (p: Uint8Array, s: string) => p.length >= s.length && Buffer.from(p.subarray(0, s.length)).toString('latin1') === s;

describe('generateTraffic: a 4 MB capture', () => {
  const tmp = tmpDir('th-traffic-');
  const file = join(tmp.dir, 'traffic.pcap');
  let result: TrafficResult;
  let frames: Frame[];
  beforeAll(async () => {
    result = write(file, 1);
    frames = await readFrames(file);
  }, SLOW);
  afterAll(() => tmp.cleanup());

  it('reads back with the project reader: every packet, 60–1514 bytes, time never going back', () => {
    expect(frames.length).toBe(result.packets);
    expect(result.fileBytes).toBeGreaterThanOrEqual(TARGET - 24);
    expect(result.fileBytes).toBeLessThan(TARGET + 1514 + 16);
    expect(frames.reduce((a, f) => a + f.len, 0)).toBe(result.bytes);
    let back = 0;
    for (let i = 1; i < frames.length; i++) {
      const a = frames[i - 1]!;
      const b = frames[i]!;
      if (b.tsSec < a.tsSec || (b.tsSec === a.tsSec && b.tsNsec < a.tsNsec)) back++;
    }
    expect(back).toBe(0);
    expect(Math.min(...frames.map((f) => f.len))).toBe(60);
    expect(Math.max(...frames.map((f) => f.len))).toBe(1514);
  });

  it('has valid IPv4, TCP, UDP and ICMP checksums on every frame', () => {
    const bad = frames.map((f, i) => (f.checksumsOk ? -1 : i + 1)).filter((i) => i > 0);
    expect(bad.slice(0, 10)).toEqual([]);
  });

  it('keeps every TCP conversation consistent: seq and ack advance by payload length', () => {
    const { problems, checked } = tcpProblems(frames);
    expect(problems.slice(0, 10)).toEqual([]);
    expect(checked).toBeGreaterThan(frames.length / 2);
  });

  it('has a realistic size mix: many bare ACKs and many full-MSS segments', () => {
    const small = frames.filter((f) => f.len === 60).length / frames.length;
    const full = frames.filter((f) => f.len === 1514).length / frames.length;
    const middle = frames.filter((f) => f.len > 60 && f.len < 1514).length;
    expect(small).toBeGreaterThan(0.15);
    expect(full).toBeGreaterThan(0.3);
    expect(middle).toBeGreaterThan(frames.length * 0.03);
  });

  it('has the specified protocol mix over hundreds of hosts', () => {
    const tcp = frames.filter((f) => f.proto === 6);
    const syn = tcp.filter((f) => (f.flags & 0x12) === 0x02);
    const synack = tcp.filter((f) => (f.flags & 0x12) === 0x12);
    const synTo = (port: number) => syn.filter((f) => f.dport === port).length;
    expect(syn.length).toBeGreaterThan(150);
    expect(synack.length).toBeGreaterThan(120);
    expect(tcp.filter((f) => f.flags & 0x01).length, 'FIN').toBeGreaterThan(20);
    expect(tcp.filter((f) => f.flags & 0x04).length, 'RST').toBeGreaterThan(5);
    for (const port of [80, 8080, 443, 445]) expect(synTo(port), `SYNs to ${port}`).toBeGreaterThan(5);

    const http = tcp.filter((f) => (f.dport === 80 || f.dport === 8080) && (starts(f.payload, 'GET /') || starts(f.payload, 'POST /')));
    const httpResp = tcp.filter((f) => (f.sport === 80 || f.sport === 8080) && starts(f.payload, 'HTTP/1.1 '));
    expect(http.length).toBeGreaterThan(20);
    expect(httpResp.length).toBeGreaterThan(20);
    expect(Buffer.from(http[0]!.payload).toString('latin1')).toMatch(/^(GET|POST) \S+ HTTP\/1\.1\r\nHost: \S+\r\n(.+\r\n)+\r\n/);

    // TLS handshake record (22) carrying a ClientHello (1) with an SNI host name.
    const hellos = tcp.filter((f) => f.dport === 443 && f.payload[0] === 22 && f.payload[5] === 1);
    expect(hellos.length).toBeGreaterThan(10);
    expect(Buffer.from(hellos[0]!.payload).toString('latin1')).toMatch(/[a-z]+\.(example\.(com|net|org)|corp\.example)/);
    // Application-data record headers (23, 3, 3) from the servers, wherever a segment cuts them.
    expect(tcp.filter((f) => f.sport === 443 && Buffer.from(f.payload).indexOf(Buffer.of(23, 3, 3)) >= 0).length, 'TLS application data').toBeGreaterThan(10);

    // NBSS + SMB2 header (0xFE 'SMB'); NEGOTIATE (0) and SESSION_SETUP (1) commands.
    const smb = tcp.filter((f) => (f.dport === 445 || f.sport === 445) && f.payload[4] === 0xfe && starts(f.payload.subarray(5), 'SMB'));
    const commands = new Set(smb.map((f) => f.payload[4 + 12]));
    expect(commands.has(0) && commands.has(1)).toBe(true);

    const dnsQ = frames.filter((f) => f.proto === 17 && f.dport === 53);
    const dnsR = frames.filter((f) => f.proto === 17 && f.sport === 53);
    expect(dnsQ.length).toBeGreaterThan(30);
    expect(dnsR.length).toBeGreaterThan(30);
    // A responses: QR set, at least one answer, ending in an A record: type 1, class IN,
    // TTL, RDLENGTH 4, the address.
    const withA = dnsR.filter((f) => {
      const p = f.payload;
      const n = p.length;
      return p[2]! & 0x80 && u16(p, 6) > 0 && u16(p, n - 14) === 1 && u16(p, n - 12) === 1 && u16(p, n - 6) === 4;
    });
    expect(withA.length).toBeGreaterThan(20);

    expect(frames.filter((f) => f.proto === 1).length, 'ICMP').toBeGreaterThan(0);
    expect(frames.filter((f) => f.etype === 0x0806).length, 'ARP').toBeGreaterThan(0);

    const hosts = new Set(frames.flatMap((f) => (f.src ? [f.src, f.dst] : [])));
    expect(hosts.size).toBeGreaterThan(150);
  });

  it.skipIf(!hasTshark)('is read by tshark without errors, malformed packets or bad checksums', () => {
    // `-Y _ws.malformed` is the check the brief names; errors and checksum failures
    // (with validation switched on) ride along in the same pass.
    const r = spawnSync(
      'tshark',
      ['-n', '-r', file, '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-Y', '_ws.malformed || _ws.expert.severity >= error || ip.checksum.status == 0 || tcp.checksum.status == 0 || udp.checksum.status == 0'],
      { encoding: 'utf8', timeout: SLOW, maxBuffer: 64 << 20 },
    );
    expect(r.error).toBeUndefined();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('');
    expect(r.stderr.split('\n').filter((l) => l.trim() && !/running as user "root"/i.test(l))).toEqual([]);
  }, SLOW);

  it.skipIf(!hasTshark)('dissects in tshark as HTTP, TLS, SMB2 over NBSS, DNS, ICMP and ARP', () => {
    const r = spawnSync('tshark', ['-n', '-r', file, '-q', '-z', 'io,phs'], { encoding: 'utf8', timeout: SLOW, maxBuffer: 64 << 20 });
    expect(r.status, r.stderr).toBe(0);
    for (const proto of ['http', 'tls', 'nbss', 'smb2', 'dns', 'icmp', 'arp']) expect(r.stdout, proto).toMatch(new RegExp(`^\\s*${proto}\\s+frames:\\d+`, 'm'));
  }, SLOW);

  if (!hasTshark) it.skip('tshark checks skipped: tshark is not installed', () => {});
});

describe('generateTraffic: determinism', () => {
  const tmp = tmpDir('th-traffic-det-');
  afterAll(() => tmp.cleanup());

  it('writes the same bytes for the same seed, and different ones for another', () => {
    const a = join(tmp.dir, 'a.pcap');
    const b = join(tmp.dir, 'b.pcap');
    const c = join(tmp.dir, 'c.pcap');
    const ra = write(a, 42, 1_500_000);
    const rb = write(b, 42, 1_500_000);
    write(c, 43, 1_500_000);
    expect(rb).toEqual(ra);
    expect(sha(b)).toBe(sha(a));
    expect(sha(c)).not.toBe(sha(a));
  }, SLOW);

  it('writes memory output identical to file output, and nothing for a zero target beyond the header', () => {
    const mem = new PcapWriter();
    generateTraffic(mem, { targetBytes: 200_000, seed: 5 });
    const f = join(tmp.dir, 'm.pcap');
    write(f, 5, 200_000);
    expect(createHash('sha256').update(mem.toBuffer()).digest('hex')).toBe(sha(f));
    const empty = new PcapWriter();
    expect(generateTraffic(empty, { targetBytes: 0, seed: 5 }).packets).toBe(0);
    expect(empty.toBuffer().length).toBe(24);
  }, SLOW);
});
