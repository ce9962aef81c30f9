import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { tmpDir } from '../../../test/support/shared.js';
import { MAX_HANDSHAKE_MESSAGE, TlsHandshakeStream, TlsParser, looksLikeTls } from './tls.js';
import type { AppRecord, AppSink, AppValue, Dir, FrameCtx, StreamInfo } from './types.js';

// ---- builders ------------------------------------------------------------------------------

const te = new TextEncoder();
const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
const sha12 = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 12);

function cat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const arrs = parts.map((p) => (p instanceof Uint8Array ? p : Uint8Array.from(p)));
  const out = new Uint8Array(arrs.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of arrs) {
    out.set(a, o);
    o += a.length;
  }
  return out;
}
const u8 = (n: number): number[] => [n & 0xff];
const u16 = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff];
const u24 = (n: number): number[] => [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
const u16list = (l: number[]): number[] => l.flatMap(u16);

/** extension: type(2) length(2) data */
const ext = (type: number, data: Uint8Array | number[]): Uint8Array => {
  const d = data instanceof Uint8Array ? data : Uint8Array.from(data);
  return cat(u16(type), u16(d.length), d);
};
const sniExt = (name: string): Uint8Array => {
  const n = te.encode(name);
  return ext(0, cat(u16(n.length + 3), [0], u16(n.length), n));
};
const alpnExt = (names: string[]): Uint8Array => {
  const body = cat(...names.map((s) => cat(u8(s.length), te.encode(s))));
  return ext(16, cat(u16(body.length), body));
};
const groupsExt = (g: number[]): Uint8Array => ext(10, [...u16(g.length * 2), ...u16list(g)]);
const pointsExt = (p: number[]): Uint8Array => ext(11, [p.length, ...p]);
const sigExt = (s: number[]): Uint8Array => ext(13, [...u16(s.length * 2), ...u16list(s)]);
const versionsExt = (v: number[]): Uint8Array => ext(43, [v.length * 2, ...u16list(v)]);

/** handshake: msg_type(1) length(3) body */
const hs = (type: number, body: Uint8Array): Uint8Array => cat([type], u24(body.length), body);
/** record: type(1) version(2) length(2) fragment */
const rec = (type: number, version: number, body: Uint8Array): Uint8Array => cat([type], u16(version), u16(body.length), body);

function clientHello(o: { version?: number; ciphers: number[]; exts: Uint8Array[]; sid?: Uint8Array }): Uint8Array {
  const exts = cat(...o.exts);
  const sid = o.sid ?? new Uint8Array(0);
  return hs(
    1,
    cat(u16(o.version ?? 0x0303), new Uint8Array(32).fill(0x11), [sid.length], sid, u16(o.ciphers.length * 2), u16list(o.ciphers), [1, 0], u16(exts.length), exts),
  );
}

function serverHello(o: { version?: number; cipher: number; exts: Uint8Array[] }): Uint8Array {
  const exts = cat(...o.exts);
  return hs(2, cat(u16(o.version ?? 0x0303), new Uint8Array(32).fill(0x22), [0], u16(o.cipher), [0], u16(exts.length), exts));
}

// ---- sink ----------------------------------------------------------------------------------

interface Frame {
  fields: [string, AppValue][];
  columns: [string, string][];
  anomalies: string[];
  records: AppRecord[];
}

class TestSink implements AppSink {
  frames = new Map<number, Frame>();
  cur: Frame = this.frame(0);
  frame(n: number): Frame {
    let f = this.frames.get(n);
    if (f === undefined) {
      f = { fields: [], columns: [], anomalies: [], records: [] };
      this.frames.set(n, f);
    }
    this.cur = f;
    return f;
  }
  field(name: string, value: AppValue): void {
    this.cur.fields.push([name, value]);
  }
  columns(protocol: string, info: string): void {
    this.cur.columns.push([protocol, info]);
  }
  anomaly(layer: string, detail: string): void {
    this.cur.anomalies.push(`${layer}: ${detail}`);
  }
  record(r: AppRecord): void {
    this.cur.records.push(r);
  }
  all<K extends keyof Frame>(k: K): Frame[K] {
    return [...this.frames.values()].flatMap((f) => f[k] as unknown[]) as Frame[K];
  }
  values(name: string): AppValue[] {
    return this.all('fields')
      .filter(([n]) => n === name)
      .map(([, v]) => v);
  }
}

const INFO: StreamInfo = { stream: 7, client: { addr: '10.0.0.1', port: 50000 }, server: { addr: '10.0.0.2', port: 443 } };

function run(segments: [Dir, Uint8Array][]): TestSink {
  const sink = new TestSink();
  const p = new TlsParser(INFO);
  segments.forEach(([dir, bytes], i) => {
    sink.frame(i + 1);
    const ctx: FrameCtx = { frame: i + 1, tsSec: 0, tsNsec: 0, sink };
    p.data(dir, bytes, ctx);
  });
  return sink;
}

/** The Info column as Wireshark joins it. */
const infoOf = (f: Frame | undefined): string => (f?.columns ?? []).map(([, i]) => i).join(', ');
const protoOf = (f: Frame | undefined): string => f?.columns.at(-1)?.[0] ?? '';

// ---- fixtures ------------------------------------------------------------------------------

/** A TLS 1.2 ClientHello: SNI example.com, ALPN h2/http/1.1, no GREASE. */
const CH12 = clientHello({
  ciphers: [0xc02b, 0xc02f, 0xcca9, 0x002f],
  exts: [sniExt('example.com'), groupsExt([23, 24]), pointsExt([0]), sigExt([0x0403, 0x0401]), alpnExt(['h2', 'http/1.1']), ext(0xff01, [0])],
});
/** A TLS 1.3 ClientHello as Chrome sends it, with GREASE in ciphers, extensions, groups and versions. */
const CH13 = clientHello({
  ciphers: [0x2a2a, 0x1301, 0x1302, 0xc02b],
  exts: [
    ext(0x0a0a, []),
    sniExt('grease.example'),
    groupsExt([0x5a5a, 29, 23]),
    pointsExt([0]),
    versionsExt([0x7a7a, 0x0304, 0x0303]),
    sigExt([0x0403, 0x0804]),
    alpnExt(['h2']),
    ext(51, [0, 0]),
    ext(0x1a1a, [0]),
  ],
});

describe('TlsParser: ClientHello', () => {
  it('TLS 1.2: fields, JA3 and JA4 computed by hand', () => {
    const s = run([[0, rec(22, 0x0301, CH12)]]);
    const f = s.frames.get(1)!;
    expect(f.anomalies).toEqual([]);
    expect(f.columns).toEqual([['TLSv1', 'Client Hello']]);
    const names = f.fields.map(([n]) => n);
    expect(names.slice(0, 8)).toEqual([
      'tls', 'tls.record', 'tls.record.content_type', 'tls.record.version', 'tls.record.length', 'tls.handshake', 'tls.handshake.type', 'tls.handshake.length',
    ]);
    expect(names.at(-2)).toBe('tls.handshake.ja3_full');
    expect(names.at(-1)).toBe('tls.handshake.ja3');
    expect(s.values('tls.record.version')).toEqual([0x0301]);
    expect(s.values('tls.handshake.type')).toEqual([1]);
    expect(s.values('tls.handshake.version')).toEqual([0x0303]);
    expect(s.values('tls.handshake.ciphersuite')).toEqual([0xc02b, 0xc02f, 0xcca9, 0x002f]);
    expect(s.values('tls.handshake.extension.type')).toEqual([0, 10, 11, 13, 16, 0xff01]);
    expect(s.values('tls.handshake.extensions_server_name')).toEqual(['example.com']);
    expect(s.values('tls.handshake.extensions_alpn_str')).toEqual(['h2', 'http/1.1']);
    expect(s.values('tls.handshake.random')).toEqual([new Uint8Array(32).fill(0x11)]);
    // JA3: SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats
    const full = '771,49195-49199-52393-47,0-10-11-13-16-65281,23-24,0';
    expect(s.values('tls.handshake.ja3_full')).toEqual([full]);
    expect(s.values('tls.handshake.ja3')).toEqual([md5(full)]);
    const r = f.records[0];
    expect(r?.kind).toBe('tls.client_hello');
    if (r?.kind !== 'tls.client_hello') return;
    expect(r.sni).toBe('example.com');
    expect(r.alpn).toEqual(['h2', 'http/1.1']);
    expect(r.frame).toBe(1);
    expect(r.stream).toBe(7);
    // JA4: t, 12 (no supported_versions), d, 4 ciphers, 6 extensions, h2.
    const b = sha12('002f,c02b,c02f,cca9');
    const c = sha12('000a,000b,000d,ff01_0403,0401');
    expect(r.ja4).toBe(`t12d0406h2_${b}_${c}`);
  });

  it('TLS 1.3 with GREASE: GREASE dropped from JA3 and JA4 but shown in the fields', () => {
    const s = run([[0, rec(22, 0x0301, CH13)]]);
    expect(s.values('tls.handshake.ciphersuite')).toEqual([0x2a2a, 0x1301, 0x1302, 0xc02b]);
    expect(s.values('tls.handshake.extensions.supported_version')).toEqual([0x7a7a, 0x0304, 0x0303]);
    const full = '771,4865-4866-49195,0-10-11-43-13-16-51,29-23,0';
    expect(s.values('tls.handshake.ja3_full')).toEqual([full]);
    expect(s.values('tls.handshake.ja3')).toEqual([md5(full)]);
    const r = s.all('records')[0];
    if (r?.kind !== 'tls.client_hello') throw new Error('no hello record');
    expect(r.supportedVersions).toEqual([0x7a7a, 0x0304, 0x0303]);
    expect(r.ja4).toBe(`t13d0307h2_${sha12('1301,1302,c02b')}_${sha12('000a,000b,000d,002b,0033_0403,0804')}`);
  });
});

describe('TlsParser: server flight', () => {
  const sh = serverHello({ cipher: 0xc02f, exts: [ext(0xff01, [0]), pointsExt([0]), alpnExt(['h2'])] });
  const done = hs(14, new Uint8Array(0));
  const ske = hs(12, new Uint8Array(10));

  it('ServerHello: fields, JA3S, Protocol from the session version', () => {
    const s = run([
      [0, rec(22, 0x0301, CH12)],
      [1, rec(22, 0x0303, sh)],
    ]);
    const f = s.frames.get(2)!;
    expect(f.columns).toEqual([['TLSv1.2', 'Server Hello']]);
    const full = '771,49199,65281-11-16';
    expect(s.values('tls.handshake.ja3s_full')).toEqual([full]);
    expect(s.values('tls.handshake.ja3s')).toEqual([md5(full)]);
    const r = f.records[0];
    if (r?.kind !== 'tls.server_hello') throw new Error('no record');
    expect(r.ja3s).toBe(md5(full));
    expect(r.ciphers).toEqual([0xc02f]);
  });

  it('several handshake messages in one record, and several records in one segment', () => {
    const one = run([[1, rec(22, 0x0303, cat(sh, ske, done))]]);
    expect(infoOf(one.frames.get(1))).toBe('Server Hello, Server Key Exchange, Server Hello Done');
    expect(one.values('tls.handshake.type')).toEqual([2, 12, 14]);
    const many = run([[1, cat(rec(22, 0x0303, sh), rec(22, 0x0303, ske), rec(22, 0x0303, done))]]);
    expect(infoOf(many.frames.get(1))).toBe('Server Hello, Server Key Exchange, Server Hello Done');
    expect(many.values('tls.record.length')).toEqual([sh.length, ske.length, 4]);
    expect(many.values('tls')).toHaveLength(1);
  });

  it('a handshake message split over two records completes in the second', () => {
    const msg = cat(sh, done);
    const s = run([[1, cat(rec(22, 0x0303, msg.subarray(0, 20)), rec(22, 0x0303, msg.subarray(20)))]]);
    expect(s.values('tls.handshake.type')).toEqual([2, 14]);
    expect(infoOf(s.frames.get(1))).toBe('Server Hello, Server Hello Done');
  });

  it('CCS, then encrypted handshake, application data and alerts', () => {
    const s = run([
      [0, rec(22, 0x0301, CH12)],
      [1, rec(22, 0x0303, cat(sh, done))],
      [0, cat(rec(22, 0x0303, hs(16, new Uint8Array(33))), rec(20, 0x0303, Uint8Array.of(1)), rec(22, 0x0303, new Uint8Array(40).fill(0x99)))],
      [0, rec(23, 0x0303, new Uint8Array(100))],
      [0, rec(21, 0x0303, new Uint8Array(26))],
      [1, rec(21, 0x0303, Uint8Array.of(2, 40))],
    ]);
    expect(infoOf(s.frames.get(3))).toBe('Client Key Exchange, Change Cipher Spec, Encrypted Handshake Message');
    expect(s.frames.get(3)!.fields.filter(([n]) => n === 'tls.handshake.type').map(([, v]) => v)).toEqual([16]);
    expect(infoOf(s.frames.get(4))).toBe('Application Data');
    expect(s.frames.get(4)!.fields.some(([n]) => n === 'tls.app_data')).toBe(false);
    expect(infoOf(s.frames.get(5))).toBe('Encrypted Alert');
    expect(infoOf(s.frames.get(6))).toBe('Alert (Level: Fatal, Description: Handshake Failure)');
    expect(s.frames.get(6)!.fields.filter(([n]) => n.startsWith('tls.alert_message.'))).toEqual([
      ['tls.alert_message.level', 2],
      ['tls.alert_message.desc', 40],
    ]);
  });

  it('TLS 1.3: supported_versions switches the Protocol column and encrypted records carry opaque_type', () => {
    const sh13 = serverHello({ cipher: 0x1301, exts: [ext(43, u16(0x0304)), ext(51, [0, 29, 0, 0])] });
    const s = run([
      [0, rec(22, 0x0301, CH13)],
      [1, cat(rec(22, 0x0303, sh13), rec(20, 0x0303, Uint8Array.of(1)), rec(23, 0x0303, new Uint8Array(50)))],
    ]);
    const f = s.frames.get(2)!;
    expect(infoOf(f)).toBe('Server Hello, Change Cipher Spec, Application Data');
    expect(protoOf(f)).toBe('TLSv1.3');
    expect(f.columns[0]).toEqual(['TLSv1.2', 'Server Hello']);
    expect(s.values('tls.record.opaque_type')).toEqual([23]);
    expect(s.values('tls.record.content_type')).toEqual([22, 22, 20]);
    expect(s.values('tls.handshake.extensions.supported_version').at(-1)).toBe(0x0304);
  });

  it('heartbeat (RFC 6520) with an over-long payload_length is flagged', () => {
    const s = run([[0, rec(24, 0x0302, Uint8Array.of(1, 0x40, 0x00))]]);
    expect(infoOf(s.frames.get(1))).toBe('Heartbeat Request');
    expect(s.values('tls.heartbeat_message.payload_length')).toEqual([0x4000]);
    expect(s.all('anomalies').join()).toMatch(/Heartbleed/);
  });
});

describe('TlsParser: segmentation', () => {
  const flight: [Dir, Uint8Array][] = [
    [0, rec(22, 0x0301, CH13)],
    [1, cat(rec(22, 0x0303, serverHello({ cipher: 0xc02f, exts: [pointsExt([0])] })), rec(22, 0x0303, hs(14, new Uint8Array(0))))],
    [0, cat(rec(20, 0x0303, Uint8Array.of(1)), rec(22, 0x0303, new Uint8Array(40)), rec(23, 0x0303, new Uint8Array(30)))],
  ];
  const whole = run(flight);
  const strip = (s: TestSink): [string, AppValue][] => s.all('fields').filter(([n]) => n !== 'tls');
  const columns = (s: TestSink): string[] => s.all('columns').map(([p, i]) => `${p}|${i}`);

  it('splitting the client stream at every byte gives the same fields', () => {
    const bytes = flight[0]![1];
    for (let cut = 1; cut < bytes.length; cut++) {
      const s = run([
        [0, bytes.subarray(0, cut)],
        [0, bytes.subarray(cut)],
      ]);
      expect(strip(s)).toEqual(strip(run([flight[0]!])));
      // Everything completes in the second segment, and it shows as one carried-over record;
      // the first segment started the record, so it shows the protocol only (as Wireshark's
      // TLS dissector adds its item before asking TCP for the rest).
      expect(s.frames.get(1)!.fields.map(([n]) => n)).toEqual(['tls']);
      expect(s.frames.get(2)!.fields.filter(([n]) => n === 'tls')).toHaveLength(1);
    }
  });

  it('any chunking of each direction gives the same fields and columns (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 40 }), (sizes) => {
        const segs: [Dir, Uint8Array][] = [];
        for (const [dir, bytes] of flight) {
          let p = 0;
          let i = 0;
          while (p < bytes.length) {
            const n = sizes[i++ % sizes.length]!;
            segs.push([dir, bytes.subarray(p, p + n)]);
            p += n;
          }
        }
        const s = run(segs);
        expect(strip(s)).toEqual(strip(whole));
        expect(columns(s)).toEqual(columns(whole));
        expect(s.all('anomalies')).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});

describe('TlsParser: hostile input', () => {
  it('a record longer than 2^14 + 2048 stops the direction with an anomaly', () => {
    const s = run([
      [0, cat([22, 3, 3], u16(0x4801), new Uint8Array(10))],
      [0, rec(22, 0x0301, CH12)],
    ]);
    expect(s.all('anomalies').join()).toMatch(/exceeds 2\^14 \+ 2048/);
    expect(s.values('tls.handshake.type')).toEqual([]);
  });

  it('a non-TLS header stops the direction', () => {
    const s = run([[0, te.encode('GET / HTTP/1.1\r\n\r\n')]]);
    expect(s.all('anomalies').join()).toMatch(/not a TLS record header/);
  });

  it('a handshake message over the cap stops handshake parsing', () => {
    const s = run([[0, rec(22, 0x0303, cat([11], u24(MAX_HANDSHAKE_MESSAGE + 1)))]]);
    expect(s.all('anomalies').join()).toMatch(/exceeds the .*cap/);
  });

  it('an extension length past the end is an anomaly, fields before it stay', () => {
    const bad = clientHello({ ciphers: [0x002f], exts: [sniExt('a.example'), Uint8Array.from([0, 16, 0xff, 0xff, 0])] });
    const s = run([[0, rec(22, 0x0301, bad)]]);
    expect(s.values('tls.handshake.extensions_server_name')).toEqual(['a.example']);
    expect(s.all('anomalies')).toHaveLength(1);
    expect(s.values('tls.handshake.ja3')).toEqual([]);
  });

  it('random and mutated bytes never throw (fast-check)', () => {
    const base = cat(rec(22, 0x0301, CH13), rec(22, 0x0303, serverHello({ cipher: 1, exts: [] })));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 600 }),
          fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }).map((muts) => {
            const b = base.slice();
            for (const [i, v] of muts) b[i] = v;
            return b;
          }),
        ),
        fc.integer({ min: 1, max: 100 }),
        (bytes, chunk) => {
          const sink = new TestSink();
          const p = new TlsParser(INFO);
          const hsOnly = new TlsHandshakeStream(INFO, 'quic');
          const ctx: FrameCtx = { frame: 1, tsSec: 0, tsNsec: 0, sink };
          for (let i = 0; i < bytes.length; i += chunk) {
            p.data(0, bytes.subarray(i, i + chunk), ctx);
            hsOnly.data(1, bytes.subarray(i, i + chunk), ctx);
          }
          p.gap(1, 10, ctx);
          p.end(0, ctx);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('TlsHandshakeStream over QUIC CRYPTO data', () => {
  it('parses hello messages without records, computes a q JA4 and JA3, sets no columns', () => {
    const sink = new TestSink();
    const h = new TlsHandshakeStream(INFO, 'quic');
    const ctx: FrameCtx = { frame: 3, tsSec: 0, tsNsec: 0, sink };
    h.data(0, CH13.subarray(0, 50), ctx);
    h.data(0, CH13.subarray(50), ctx);
    expect(sink.values('tls.handshake.extensions_server_name')).toEqual(['grease.example']);
    expect(sink.values('tls.handshake.ja3')).toHaveLength(1);
    expect(sink.all('columns')).toEqual([]);
    const r = sink.all('records')[0];
    if (r?.kind !== 'tls.client_hello') throw new Error('no record');
    expect(r.transport).toBe('quic');
    expect(r.ja4?.startsWith('q13d0307h2_')).toBe(true);
  });
});

describe('looksLikeTls', () => {
  it('accepts handshake record headers carrying a hello', () => {
    expect(looksLikeTls(rec(22, 0x0301, CH12))).toBe(true);
    expect(looksLikeTls(Uint8Array.of(22, 3, 1))).toBe(true);
    expect(looksLikeTls(Uint8Array.of(23, 3, 3, 0, 5, 1))).toBe(false);
    expect(looksLikeTls(Uint8Array.of(22, 3, 5, 0, 5, 1))).toBe(false);
    expect(looksLikeTls(Uint8Array.of(22, 3, 3, 0x48, 1, 1))).toBe(false);
    expect(looksLikeTls(Uint8Array.of(22, 3, 3, 0, 40, 11))).toBe(false);
    expect(looksLikeTls(te.encode('GET / HTTP/1.1'))).toBe(false);
  });
});

// ---- Certificate with a certificate generated now -----------------------------------------

const hasOpenssl = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!hasOpenssl)('TlsParser: Certificate (openssl-generated, TLS 1.2)', () => {
  const tmp = tmpDir('th-tls-');
  afterAll(() => tmp.cleanup());
  const der = (() => {
    if (!hasOpenssl) return new Uint8Array(0);
    const out = join(tmp.dir, 'c.der');
    const r = spawnSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(tmp.dir, 'k.pem'),
      '-subj', '/C=US/ST=Test State/O=Tracehound Test/CN=leaf.example', '-addext', 'subjectAltName=DNS:leaf.example,DNS:www.leaf.example',
      '-days', '30', '-outform', 'DER', '-out', out,
    ]);
    if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr.toString()}`);
    return new Uint8Array(readFileSync(out));
  })();

  it('emits certificate lengths and X.509 fields (not the DER) and an x509 record', () => {
    const certs = cat(u24(der.length), der, u24(der.length), der);
    const msg = hs(11, cat(u24(certs.length), certs));
    const s = run([
      [1, rec(22, 0x0303, serverHello({ cipher: 0xc02b, exts: [] }))],
      [1, rec(22, 0x0303, msg)],
    ]);
    const f = s.frames.get(2)!;
    expect(f.anomalies).toEqual([]);
    expect(infoOf(f)).toBe('Certificate');
    expect(s.values('tls.handshake.certificate')).toEqual([]);
    expect(s.values('tls.handshake.certificate_length')).toEqual([der.length, der.length]);
    expect(s.values('x509ce.dNSName')).toEqual(['leaf.example', 'www.leaf.example', 'leaf.example', 'www.leaf.example']);
    const recs = f.records.filter((r) => r.kind === 'x509');
    expect(recs).toHaveLength(2);
    const r = recs[0];
    if (r?.kind !== 'x509') throw new Error('no record');
    expect(r.index).toBe(0);
    expect(r.subject).toBe('id-at-commonName=leaf.example,id-at-organizationName=Tracehound Test,id-at-stateOrProvinceName=Test State,id-at-countryName=US');
    expect(r.issuer).toBe(r.subject);
    expect(r.sha256).toBe(createHash('sha256').update(der).digest('hex'));
    expect(r.dnsNames).toEqual(['leaf.example', 'www.leaf.example']);
  });
});
