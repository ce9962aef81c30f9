/**
 * The `npm start` demo capture, read back with the project's own capture reader: size,
 * determinism, consistent TCP, and every step of the incident it stages (scan, Spring4Shell
 * POST in two segments, web shell, beacons with jitter, the SMB2 logon sweep); tshark's
 * verdict when it is installed.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasTshark, tmpDir } from '../../../test/support/shared.js';
import { createParser, detectFormat, openCaptureStream } from '../capture/detect.js';
import type { CaptureParser } from '../capture/types.js';
import { DEMO, writeDemoCapture, type DemoSummary } from './demo.js';

const SLOW = 60_000;

interface Frame {
  /** Seconds since the epoch, µs resolution. */
  t: number;
  etype: number;
  proto: number;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  flags: number;
  seq: number;
  ack: number;
  payload: Buffer;
}

const u16 = (b: Uint8Array, o: number) => (b[o]! << 8) | b[o + 1]!;
const u32 = (b: Uint8Array, o: number) => (u16(b, o) * 65536 + u16(b, o + 2)) >>> 0;

function decode(d: Uint8Array, t: number): Frame {
  const f: Frame = { t, etype: u16(d, 12), proto: 0, src: '', dst: '', sport: 0, dport: 0, flags: 0, seq: 0, ack: 0, payload: Buffer.alloc(0) };
  if (f.etype === 0x0806) f.payload = Buffer.from(d.slice(14, 42));
  if (f.etype !== 0x0800) return f;
  const ihl = (d[14]! & 0x0f) * 4;
  const end = 14 + u16(d, 16);
  const l4 = 14 + ihl;
  f.proto = d[23]!;
  f.src = Array.from(d.subarray(26, 30)).join('.');
  f.dst = Array.from(d.subarray(30, 34)).join('.');
  if (f.proto === 6 || f.proto === 17) {
    f.sport = u16(d, l4);
    f.dport = u16(d, l4 + 2);
  }
  if (f.proto === 6) {
    f.seq = u32(d, l4 + 4);
    f.ack = u32(d, l4 + 8);
    f.flags = d[l4 + 13]!;
    f.payload = Buffer.from(d.slice(l4 + (d[l4 + 12]! >> 4) * 4, end));
  } else if (f.proto === 17) {
    f.payload = Buffer.from(d.slice(l4 + 8, end));
  }
  return f;
}

async function readFrames(path: string): Promise<Frame[]> {
  const frames: Frame[] = [];
  const stream = await openCaptureStream(path);
  let parser: CaptureParser | null = null;
  for await (const chunk of stream.chunks) {
    if (!parser) {
      const d = detectFormat(chunk);
      if (!('format' in d)) throw new Error(`not a capture: ${JSON.stringify(d)}`);
      parser = createParser(d.format, (rec) => frames.push(decode(rec.data, rec.tsSec + rec.tsNsec / 1e9)));
    }
    parser.push(chunk);
  }
  parser!.end();
  return frames;
}

const SYN = 0x02;
const FIN = 0x01;
const RST = 0x04;
const ACK = 0x10;

/** Each segment's seq continues where the sender's previous one ended; each ACK matches the peer. */
function tcpProblems(frames: readonly Frame[]): string[] {
  const next = new Map<string, number>();
  const problems: string[] = [];
  frames.forEach((f, i) => {
    if (f.proto !== 6) return;
    const me = `${f.src}:${f.sport}>${f.dst}:${f.dport}`;
    const peer = `${f.dst}:${f.dport}>${f.src}:${f.sport}`;
    if (f.flags & SYN) {
      next.set(me, (f.seq + 1) >>> 0);
      return;
    }
    const expected = next.get(me);
    if (expected === undefined) {
      if (!(f.flags & RST)) problems.push(`frame ${i + 1}: ${me} sends without a SYN`);
      return;
    }
    // A SYN scanner's RST after a SYN-ACK carries no ACK; anything else must line up.
    if (f.seq !== expected) problems.push(`frame ${i + 1}: ${me} seq ${f.seq}, expected ${expected}`);
    if (f.flags & ACK && next.get(peer) !== f.ack) problems.push(`frame ${i + 1}: ${me} acks ${f.ack}, peer at ${next.get(peer)}`);
    next.set(me, (expected + f.payload.length + (f.flags & FIN ? 1 : 0)) >>> 0);
  });
  return problems;
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const text = (f: Frame) => f.payload.toString('latin1');

describe('writeDemoCapture', () => {
  const tmp = tmpDir('th-demo-');
  const file = join(tmp.dir, 'demo.pcap');
  let summary: DemoSummary;
  let frames: Frame[];
  beforeAll(async () => {
    summary = writeDemoCapture(file);
    frames = await readFrames(file);
  }, SLOW);
  afterAll(() => tmp.cleanup());

  it('is a 1–3 MB pcap the project reader reads entirely, in time order', () => {
    const size = statSync(file).size;
    expect(size).toBeGreaterThan(1_000_000);
    expect(size).toBeLessThan(3_000_000);
    expect(frames.length).toBe(summary.packets);
    for (let i = 1; i < frames.length; i++) expect(frames[i]!.t >= frames[i - 1]!.t).toBe(true);
    expect(summary.durationSec).toBeGreaterThan(2400);
  });

  it('is deterministic', () => {
    const again = join(tmp.dir, 'again.pcap');
    expect(writeDemoCapture(again)).toEqual(summary);
    expect(sha(again)).toBe(sha(file));
  }, SLOW);

  it('keeps every TCP conversation consistent for reassembly', () => {
    expect(tcpProblems(frames).slice(0, 10)).toEqual([]);
  });

  it('has users browsing the app on app01 and resolving its name', () => {
    const users = new Set(frames.filter((f) => f.dst === DEMO.app01 && f.dport === DEMO.appPort && f.src.startsWith('10.20.1.') && text(f).startsWith('GET /app/')).map((f) => f.src));
    expect(users.size).toBeGreaterThan(10);
    expect(frames.some((f) => f.dport === 53 && text(f).includes('\x03app\x04corp\x07example'))).toBe(true);
  });

  it('has the scanner SYN-scanning app01, then probing it over HTTP', () => {
    const probed = new Set(frames.filter((f) => f.src === DEMO.scanner && f.dst === DEMO.app01 && (f.flags & (SYN | ACK)) === SYN).map((f) => f.dport));
    expect(probed.size).toBeGreaterThan(200);
    const refused = frames.filter((f) => f.src === DEMO.app01 && f.dst === DEMO.scanner && (f.flags & (RST | ACK)) === (RST | ACK));
    expect(refused.length).toBeGreaterThan(150);
    expect(frames.some((f) => f.src === DEMO.scanner && text(f).startsWith('GET /manager/html '))).toBe(true);
  });

  it('has the Spring4Shell POST split over two TCP segments', () => {
    const p = 'class.module.classLoader.resources.context.parent.pipeline.first.';
    const first = frames.findIndex((f) => f.src === DEMO.scanner && text(f).startsWith('POST '));
    expect(first).toBeGreaterThan(0);
    const a = frames[first]!;
    const b = frames.slice(first + 1).find((f) => f.src === a.src && f.sport === a.sport && f.payload.length > 0)!;
    expect(b.seq).toBe((a.seq + a.payload.length) >>> 0);
    expect(text(a)).toContain(`\r\n\r\n${p}pattern=`);
    expect(text(a)).not.toContain('prefix=tomcatwar');
    const whole = text(a) + text(b);
    const length = Number(/Content-Length: (\d+)/.exec(whole)![1]);
    expect(whole.length - whole.indexOf('\r\n\r\n') - 4).toBe(length);
    for (const part of [`${p}suffix=.jsp`, `${p}directory=webapps/ROOT`, `${p}prefix=tomcatwar`, `${p}fileDateFormat=`, 'c1: Runtime', 'c2: <%', 'suffix: %>//']) expect(whole).toContain(part);
  });

  it('has the web shell used with pwd=j&cmd=whoami', () => {
    const shell = frames.filter((f) => f.src === DEMO.scanner && text(f).startsWith(`GET ${DEMO.webshell}?pwd=j&cmd=whoami HTTP/1.1`));
    expect(shell.length).toBeGreaterThanOrEqual(2);
    expect(frames.some((f) => f.src === DEMO.app01 && f.dst === DEMO.scanner && text(f).includes('\r\n\r\nroot'))).toBe(true);
  });

  it('has both hosts beaconing to the C2 about every 60 s with jitter, GET with a base64 cookie and POST /submit.php', () => {
    for (const [host, n] of [
      [DEMO.app01, summary.beacons.app01],
      [DEMO.app02, summary.beacons.app02],
    ] as const) {
      const gets = frames.filter((f) => f.src === host && f.dst === DEMO.c2 && text(f).startsWith('GET ') && /\r\nCookie: [A-Za-z0-9+/]{100,}={0,2}\r\n/.test(text(f)));
      expect(gets.length, host).toBe(n);
      expect(n).toBeGreaterThan(10);
      const gaps = gets.slice(1).map((g, i) => g.t - gets[i]!.t);
      expect(Math.min(...gaps)).toBeGreaterThan(45);
      expect(Math.max(...gaps)).toBeLessThan(75);
      const mean = gaps.reduce((a, g) => a + g, 0) / gaps.length;
      expect(Math.abs(mean - 60)).toBeLessThan(6);
      expect(Math.max(...gaps) - Math.min(...gaps), 'jitter').toBeGreaterThan(5);
      expect(frames.some((f) => f.src === host && f.dst === DEMO.c2 && /^POST \/submit\.php\?id=\d+ HTTP\/1\.1\r\n/.test(text(f)))).toBe(true);
    }
    const app02First = frames.find((f) => f.src === DEMO.app02 && f.dst === DEMO.c2)!;
    const app01First = frames.find((f) => f.src === DEMO.app01 && f.dst === DEMO.c2)!;
    expect(app02First.t).toBeGreaterThan(app01First.t);
  });

  it('has the SMB2 sweep from app01: several STATUS_LOGON_FAILURE, one success on app02', () => {
    // ARP requests (op 1) from app01 for its whole /24.
    const ip = (b: Buffer, o: number) => Array.from(b.subarray(o, o + 4)).join('.');
    const asked = new Set(frames.filter((f) => f.etype === 0x0806 && f.payload.readUInt16BE(6) === 1 && ip(f.payload, 14) === DEMO.app01).map((f) => ip(f.payload, 24)));
    expect([...asked].filter((a) => a.startsWith('10.20.5.')).length).toBeGreaterThan(250);
    // SESSION_SETUP (command 1) responses from servers on 445 to app01: NBSS (4) + SMB2 header.
    const setups = frames.filter((f) => f.sport === 445 && f.dst === DEMO.app01 && f.payload[4] === 0xfe && f.payload.toString('latin1', 5, 8) === 'SMB' && f.payload.readUInt16LE(4 + 12) === 1);
    const status = (f: Frame) => f.payload.readUInt32LE(4 + 8);
    const failed = new Set(setups.filter((f) => status(f) === 0xc000006d).map((f) => f.src));
    const ok = new Set(setups.filter((f) => status(f) === 0).map((f) => f.src));
    expect([...failed].sort()).toEqual([...DEMO.smbFailures].sort());
    expect([...ok]).toEqual([DEMO.app02]);
    expect(frames.some((f) => f.src === DEMO.app01 && f.dport === 445 && f.payload.includes(Buffer.from('NTLMSSP\0\x03\0\0\0', 'latin1')))).toBe(true);
  });

  it.skipIf(!hasTshark)('is read by tshark without errors or malformed packets, and shows the incident', () => {
    const r = spawnSync('tshark', ['-n', '-r', file, '-Y', '_ws.malformed || _ws.expert.severity >= error'], { encoding: 'utf8', timeout: SLOW, maxBuffer: 64 << 20 });
    expect(r.error).toBeUndefined();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('');
    const f = spawnSync('tshark', ['-n', '-r', file, '-T', 'fields', '-e', 'http.request.uri', '-e', 'smb2.nt_status', '-Y', 'http.request || smb2.cmd == 1'], { encoding: 'utf8', timeout: SLOW, maxBuffer: 64 << 20 });
    expect(f.stdout).toContain('/tomcatwar.jsp?pwd=j&cmd=whoami');
    expect(f.stdout).toMatch(/\/submit\.php\?id=\d+/);
    expect(f.stdout).toContain('0xc000006d');
  }, SLOW);

  if (!hasTshark) it.skip('tshark checks skipped: tshark is not installed', () => {});
});
