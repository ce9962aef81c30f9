import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { main, type CliIo } from '../electron/cli/main.js';
import { tmpDir } from './support/shared.js';
import { smallSession, writeSmallPcap, writeSmallPcapng } from './support/fixtures.js';

const tmp = tmpDir('th-cli-');
afterAll(() => tmp.cleanup());

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (s) => (out += s), err: (s) => (err += s), isTTY: false };
  const code = await main(argv, io);
  return { code, out, err };
}

let n = 0;
beforeEach(() => {
  process.env['TRACEHOUND_CACHE'] = join(tmp.dir, `cache-${++n}`);
});

describe('tracehound stats', () => {
  it('small-session.pcap: summary equals what was written', async () => {
    const p = join(tmp.dir, 'small.pcap');
    const buf = writeSmallPcap(p);
    const r = await run('stats', p, '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out);
    const { frames, times } = smallSession();
    expect(s.packets).toBe(frames.length);
    expect(s.bytes).toBe(frames.reduce((a, f) => a + f.length, 0));
    expect(s.first_ts).toBe(`${times[0]![0]}.${String(times[0]![1]).padStart(9, '0')}`);
    expect(s.link_types).toEqual([1]);
    expect(s.tcp_conversations).toBe(1);
    expect(s.udp_conversations).toBe(2);
    expect(s.ip_hosts).toBe(4);
    expect(s.truncated).toBe(false);
    expect(s.sha256).toBe(createHash('sha256').update(buf).digest('hex'));
  });

  it('same bytes opened twice reuse the cached case', async () => {
    const p = join(tmp.dir, 'again.pcap');
    writeSmallPcap(p);
    const a = await run('ingest', p);
    expect(a.code).toBe(0);
    expect(a.out).not.toMatch(/already indexed/);
    const b = await run('ingest', p);
    expect(b.out).toMatch(/already indexed/);
  });

  it('--case FILE reuses the capture already in that case by SHA-256', async () => {
    const p = join(tmp.dir, 'case-src.pcapng');
    writeSmallPcapng(p);
    const c = join(tmp.dir, 'explicit.thcase');
    const a = await run('ingest', p, '--case', c, '--json');
    expect(JSON.parse(a.out).reused).toBe(false);
    const b = await run('ingest', p, '--case', c, '--json');
    expect(JSON.parse(b.out).reused).toBe(true);
    const s = await run('stats', c, '--json');
    expect(JSON.parse(s.out).packets).toBe(smallSession().frames.length);
  });

  it('gzip-compressed pcap reads like the plain one', async () => {
    const p = join(tmp.dir, 'small.pcap.gz');
    const plain = writeSmallPcap(join(tmp.dir, 'plain.pcap'));
    writeFileSync(p, gzipSync(plain));
    const r = await run('stats', p, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).packets).toBe(smallSession().frames.length);
    const f = await run('frame', p, '4', '--json');
    expect(JSON.parse(f.out).hex).toBe(Buffer.from(smallSession().frames[3]!).toString('hex'));
  });
});

describe('tracehound packets and frame', () => {
  it('lists No., Time, Source, Destination, Protocol, Length, Info', async () => {
    const p = join(tmp.dir, 'list.pcap');
    writeSmallPcap(p);
    const r = await run('packets', p, '--limit', '3');
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toMatch(/No\.\s+Time\s+Source\s+Destination\s+Protocol\s+Length\s+Info/);
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/^\s+1\s+0\.000000\s+10\.0\.0\.5\s+192\.0\.2\.80\s+TCP\s+54\s+51000 → 80 \[SYN\] Seq=0/);
    const j = await run('packets', p, '--offset', '6', '--json');
    const rows = JSON.parse(j.out);
    expect(rows.map((x: { frame: number }) => x.frame)).toEqual([7, 8, 9]);
    expect(rows[0]).toMatchObject({ src: '10.0.0.5', dst: '10.0.0.53', srcPort: 53000, dstPort: 53 });
  });

  it('frame N --json decodes the tree and bytes from the capture on demand', async () => {
    const p = join(tmp.dir, 'frame.pcapng');
    writeSmallPcapng(p);
    const r = await run('frame', p, '4', '--json');
    expect(r.code).toBe(0);
    const d = JSON.parse(r.out);
    expect(d.frame).toBe(4);
    expect(d.hex).toBe(Buffer.from(smallSession().frames[3]!).toString('hex'));
    const labels = JSON.stringify(d.tree);
    expect(labels).toContain('"field":"ip.src"');
    expect(labels).toContain('"field":"tcp.dstport"');
    expect(labels).toContain('the request');
    const missing = await run('frame', p, '99');
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/no frame 99/);
  });
});

describe('bad input gives one clear line and exit code 2', () => {
  const cases: [string, (p: string) => void, RegExp][] = [
    ['empty.pcap', (p) => writeFileSync(p, Buffer.alloc(0)), /empty/],
    ['not-a-capture.pcap', (p) => writeFileSync(p, 'hello, this is text and not a capture at all\n'), /offset 0|byte 0/],
    ['short-header.pcap', (p) => writeFileSync(p, writeSmallPcap(join(tmp.dir, 'x.pcap')).subarray(0, 10)), /header|cut short|truncated/i],
  ];
  for (const [name, make, re] of cases) {
    it(name, async () => {
      const p = join(tmp.dir, name);
      make(p);
      const r = await run('stats', p, '--json');
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(re);
    });
  }

  it('unreadable path', async () => {
    const r = await run('stats', join(tmp.dir, 'nope.pcap'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/nope\.pcap/);
  });

  it('truncated mid-record keeps every complete packet and names the byte', async () => {
    const full = writeSmallPcap(join(tmp.dir, 'full.pcap'));
    const p = join(tmp.dir, 'cut.pcap');
    writeFileSync(p, full.subarray(0, full.length - 20));
    const r = await run('stats', p, '--json');
    expect(r.code).toBe(2);
    const s = JSON.parse(r.out);
    expect(s.packets).toBe(smallSession().frames.length - 1);
    expect(s.truncated).toBe(true);
    expect(r.err).toMatch(/byte \d+/);
  });

  it('corrupt pcapng block length halfway keeps the packets before it', async () => {
    const buf = Buffer.from(writeSmallPcapng(join(tmp.dir, 'ok.pcapng')));
    // Find the 5th EPB (type 6) and corrupt its total length.
    let off = 0;
    let epbs = 0;
    let target = -1;
    while (off + 8 <= buf.length) {
      const type = buf.readUInt32LE(off);
      const len = buf.readUInt32LE(off + 4);
      if (type === 6 && ++epbs === 5) {
        target = off;
        break;
      }
      off += len;
    }
    buf.writeUInt32LE(0xdeadbeef, target + 4);
    const p = join(tmp.dir, 'corrupt.pcapng');
    writeFileSync(p, buf);
    const r = await run('stats', p, '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out).packets).toBe(4);
    expect(r.err).toContain(String(target));
  });
});

describe('evidence integrity', () => {
  it('the capture bytes and mtime are unchanged after ingest, listing and frame decoding', async () => {
    const p = join(tmp.dir, 'evidence.pcapng');
    writeSmallPcapng(p);
    const before = { bytes: readFileSync(p), mtime: statSync(p).mtimeMs };
    await run('ingest', p);
    await run('packets', p);
    await run('frame', p, '2', '--json');
    expect(readFileSync(p).equals(before.bytes)).toBe(true);
    expect(statSync(p).mtimeMs).toBe(before.mtime);
  });
});

describe('the installed bin', () => {
  it('bin/tracehound.mjs runs the built CLI and prints no stack trace on bad input', () => {
    const p = join(tmp.dir, 'garbage.pcap');
    writeFileSync(p, Buffer.from('garbage garbage garbage garbage'));
    const bin = join(import.meta.dirname, '..', 'bin', 'tracehound.mjs');
    const r = spawnSync(process.execPath, [bin, 'stats', p], { encoding: 'utf8', env: { ...process.env, TRACEHOUND_CACHE: join(tmp.dir, 'bin-cache') } });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^tracehound: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 30_000);
});

describe('tracehound filter', () => {
  it('counts, lists and prints fields of matching frames', async () => {
    const p = join(tmp.dir, 'filter.pcap');
    writeSmallPcap(p);
    const count = await run('filter', p, 'tcp.port == 80', '--count');
    expect(count.code).toBe(0);
    expect(count.out.trim()).toBe('6');
    const udp = await run('filter', p, 'udp && ip.src == 10.0.0.0/24', '--json');
    expect(JSON.parse(udp.out).map((r: { frame: number }) => r.frame)).toEqual([7, 8, 9]);
    const f = await run('filter', p, 'tcp.flags.syn == 1', '--fields', 'frame.number,ip.src,tcp.srcport,tcp.flags.ack');
    expect(f.out.trim().split('\n')).toEqual(['1\t10.0.0.5\t51000\tFalse', '2\t192.0.2.80\t80\tTrue']);
    const ttl = await run('filter', p, 'ip.ttl == 64 && udp', '--count');
    expect(ttl.out.trim()).toBe('3');
  });

  it('a bad filter exits 2 with a positioned, Wireshark-worded message', async () => {
    const p = join(tmp.dir, 'badfilter.pcap');
    writeSmallPcap(p);
    const r = await run('filter', p, 'ip.scr == 10.0.0.1');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/ip\.scr/);
    expect(r.err).toMatch(/\^/);
  });

  it('filter literals with quotes and SQL stay data', async () => {
    const p = join(tmp.dir, 'inject.pcap');
    writeSmallPcap(p);
    const r = await run('filter', p, `frame contains "x'); DROP TABLE packets; --"`, '--count');
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe('0');
    const after = await run('stats', p, '--json');
    expect(JSON.parse(after.out).packets).toBe(smallSession().frames.length);
  });
});
