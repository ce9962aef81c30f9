/**
 * Follow stream and object export over a capture built with the project's writer: an HTTP
 * upload and download whose segments arrive out of order, retransmitted, and with a lost
 * segment; object names chosen by an attacker; the evidence file untouched throughout.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { exportObjects, followStream, hashObjects, listObjects, sanitizeFilename } from '../electron/engine/analyze/replay.js';
import { PcapWriter } from '../electron/engine/capture/writer.js';
import { ingestCapture } from '../electron/engine/ingest/pipeline.js';
import { countMatches, prepareFilter } from '../electron/engine/filter/run.js';
import { CaseStore } from '../electron/engine/store/case-store.js';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN, writeTcpFrame } from '../electron/engine/synth/packet.js';
import { ascii, httpRequest, httpResponse } from '../electron/engine/synth/traffic.js';
import { tmpDir } from './support/shared.js';

const C = '10.1.1.10';
const S = '10.1.1.20';

interface Seg {
  fromClient: boolean;
  seq: number;
  flags: number;
  data?: Uint8Array;
}

/** A TCP conversation as frames: `segs` in the order given (seq relative to each side's ISN + 1). */
function conversation(w: PcapWriter, sport: number, segs: Seg[], t0: number): void {
  const isnC = 1000;
  const isnS = 5000;
  const buf = new Uint8Array(70000);
  let i = 0;
  const put = (fromClient: boolean, seq: number, ack: number, flags: number, payload?: Uint8Array) => {
    const n = writeTcpFrame(buf, 0, {
      srcIp: fromClient ? C : S, dstIp: fromClient ? S : C, sport: fromClient ? sport : 80, dport: fromClient ? 80 : sport,
      seq: seq >>> 0, ack: ack >>> 0, flags, ...(payload ? { payload } : {}),
    });
    w.packet(t0, 1000 * i++, buf.subarray(0, n));
  };
  put(true, isnC, 0, TCP_SYN);
  put(false, isnS, isnC + 1, TCP_SYN | TCP_ACK);
  put(true, isnC + 1, isnS + 1, TCP_ACK);
  for (const s of segs) put(s.fromClient, (s.fromClient ? isnC : isnS) + 1 + s.seq, (s.fromClient ? isnS : isnC) + 1, s.flags | TCP_ACK, s.data);
}

/** Cuts `b` into pieces of `n` bytes as segments starting at `base`. */
function cut(b: Uint8Array, n: number, fromClient: boolean, base = 0): Seg[] {
  const out: Seg[] = [];
  for (let o = 0; o < b.length; o += n) out.push({ fromClient, seq: base + o, flags: TCP_PSH, data: b.subarray(o, o + n) });
  return out;
}

describe('follow stream and object export', () => {
  const tmp = tmpDir('th-follow-');
  afterAll(() => tmp.cleanup());
  const capture = join(tmp.dir, 'http.pcap');
  const page = ascii('<html><body>' + 'x'.repeat(3000) + '</body></html>');
  const exe = new Uint8Array(5000).map((_, i) => (i * 7) & 255);
  exe[0] = 0x4d;
  exe[1] = 0x5a;
  const gz = gzipSync(page);

  // Stream 0: a GET whose response arrives out of order with a retransmission.
  const req0 = httpRequest('GET', '/index.html', 'intranet.example', [['User-Agent', 'curl/8.0']]);
  const resp0 = httpResponse(200, 'OK', [['Content-Type', 'text/html'], ['Content-Encoding', 'gzip'], ['Content-Length', String(gz.length)]], gz);
  // Stream 1: a download with a hostile file name.
  const req1 = httpRequest('GET', '/dl', 'files.example', []);
  const resp1 = httpResponse(200, 'OK', [['Content-Type', 'application/octet-stream'], ['Content-Disposition', 'attachment; filename="../../etc/CON.exe"'], ['Content-Length', String(exe.length)]], exe);
  // Stream 2: a response with a segment the capture lost.
  const req2 = httpRequest('GET', '/lost', 'files.example', []);
  const resp2 = httpResponse(200, 'OK', [['Content-Length', '3000']], new Uint8Array(3000).fill(0x41));

  it('builds, ingests and keeps the evidence unchanged', { timeout: 60_000 }, async () => {
    const w = new PcapWriter({ path: capture });
    const r0 = cut(resp0, 60, false);
    [r0[1], r0[2]] = [r0[2]!, r0[1]!]; // out of order
    r0.splice(3, 0, { ...r0[0]! }); // a retransmission
    conversation(w, 40000, [...cut(req0, 1000, true), ...r0, { fromClient: true, seq: req0.length, flags: TCP_FIN }, { fromClient: false, seq: resp0.length, flags: TCP_FIN }], 1_700_000_000);
    conversation(w, 40001, [...cut(req1, 1000, true), ...cut(resp1, 1200, false)], 1_700_000_010);
    const r2 = cut(resp2, 1000, false);
    r2.splice(1, 1); // lost
    conversation(w, 40002, [...cut(req2, 1000, true), ...r2, { fromClient: true, seq: req2.length, flags: TCP_ACK }], 1_700_000_020);
    w.close();
    const before = statSync(capture);
    const bytes = readFileSync(capture);
    const store = CaseStore.open(join(tmp.dir, 'c.thcase'));
    try {
      const r = await ingestCapture({ capturePath: capture, store, threads: 'inline' });
      expect(await countMatches(store, r.captureId, prepareFilter(store, r.captureId, 'http.request'))).toBe(3);
      expect(await countMatches(store, r.captureId, prepareFilter(store, r.captureId, 'http.response.code == 200 && tcp.stream == 1'))).toBe(1);
      expect(await countMatches(store, r.captureId, prepareFilter(store, r.captureId, 'http.host contains "intranet"'))).toBe(1);

      // Follow: the conversation in order, the retransmission once, both directions.
      const f0 = followStream(store, r.captureId, 0);
      const client = Buffer.concat(f0.segments.filter((s) => s.dir === 0).map((s) => Buffer.from(s.data, 'base64')));
      const server = Buffer.concat(f0.segments.filter((s) => s.dir === 1).map((s) => Buffer.from(s.data, 'base64')));
      expect(client.equals(Buffer.from(req0))).toBe(true);
      expect(server.equals(Buffer.from(resp0))).toBe(true);
      expect(f0.client).toEqual({ addr: C, port: 40000 });
      expect(f0.protocol).toBe('http');
      // A window shows a prefix and says so.
      const small = followStream(store, r.captureId, 0, { maxBytes: 10 });
      expect(small.truncated).toBe(true);
      expect(Buffer.from(small.segments[0]!.data, 'base64').toString()).toBe('GET /index');
      // The lost segment is marked, not silently dropped.
      const f2 = followStream(store, r.captureId, 2);
      expect(f2.segments.some((s) => s.dir === 1 && s.gap === 1000)).toBe(true);
      expect(() => followStream(store, r.captureId, 99)).toThrow(/no TCP stream 99/);

      // Objects: decoded body hashes, sniffed types; the incomplete body is marked.
      const objs = listObjects(store, r.captureId);
      const html = objs.find((o) => o.stream === 0)!;
      expect(html.sha256).toBe(createHash('sha256').update(page).digest('hex'));
      expect(html.mime).toBe('text/html');
      const dl = objs.find((o) => o.stream === 1)!;
      expect(dl.mime).toBe('application/x-msdownload');
      expect(dl.filename).toBe('../../etc/CON.exe');
      const lost = objs.find((o) => o.stream === 2);
      if (lost) expect(lost.complete).toBe(false);

      // MD5/SHA-1 are not computed at ingest; on request they come from the re-extracted body
      // and stay in the case. An incomplete body cannot be re-extracted and stays without.
      expect(objs.every((o) => o.md5 === null && o.sha1 === null)).toBe(true);
      const hashed = hashObjects(store, r.captureId, objs.map((o) => o.id));
      expect(hashed.mismatched).toEqual([]);
      const h = (a: string, b: Uint8Array) => createHash(a).update(b).digest('hex');
      expect(hashed.objects.find((o) => o.id === html.id)).toMatchObject({ md5: h('md5', page), sha1: h('sha1', page), sha256: html.sha256 });
      expect(listObjects(store, r.captureId).find((o) => o.id === dl.id)).toMatchObject({ md5: h('md5', exe), sha1: h('sha1', exe) });
      if (lost) expect(hashed.objects.find((o) => o.id === lost.id)).toMatchObject({ md5: null, sha1: null });
      // Bytes that no longer give the recorded SHA-256 get no MD5/SHA-1 and are reported.
      store.db.prepare("UPDATE objects SET md5 = NULL, sha1 = NULL, sha256 = 'ff' WHERE id = ?").run(html.id);
      expect(hashObjects(store, r.captureId, [html.id])).toMatchObject({ mismatched: [html.id], objects: [{ md5: null }] });
      store.db.prepare('UPDATE objects SET sha256 = ? WHERE id = ?').run(html.sha256, html.id);

      // Export: sanitised names inside the folder, bytes equal to the hashes.
      const outDir = join(tmp.dir, 'export');
      const written = exportObjects(store, r.captureId, outDir);
      const names = readdirSync(outDir);
      // No separators and no leading dot: every file lands directly in the folder, visible.
      expect(names.every((n) => !n.includes('/') && !n.includes('\\') && !n.startsWith('.'))).toBe(true);
      expect(names.some((n) => n.endsWith('_.._etc_CON.exe'))).toBe(true);
      const exeFile = written.find((x) => x.id === dl.id)!;
      expect(exeFile.path.startsWith(outDir)).toBe(true);
      expect(exeFile.sha256).toBe(dl.sha256);
      expect(readFileSync(exeFile.path).equals(Buffer.from(exe))).toBe(true);
    } finally {
      store.close();
    }
    const after = statSync(capture);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(readFileSync(capture).equals(bytes)).toBe(true);
  });

  it('sanitises hostile names', () => {
    expect(sanitizeFilename('../../etc/passwd', 'x')).toBe('_.._etc_passwd');
    expect(sanitizeFilename('CON', 'x')).toBe('_CON');
    expect(sanitizeFilename('nul.txt', 'x')).toBe('_nul.txt');
    expect(sanitizeFilename('a\u0000b\u001b[31m.txt', 'x')).toBe('a_b_[31m.txt');
    expect(sanitizeFilename('', 'fallback')).toBe('fallback');
    expect(sanitizeFilename('...', 'fallback')).toBe('fallback');
    expect(sanitizeFilename('C:\\Windows\\evil.dll', 'x')).toBe('C__Windows_evil.dll');
    expect(sanitizeFilename('a'.repeat(300) + '.exe', 'x')).toHaveLength(120);
  });
});
