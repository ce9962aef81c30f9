/**
 * Deterministic synthetic traffic of a busy corporate LAN segment, for the benchmark (1–4 GB
 * captures) and for tests. Everything random comes from one seeded PRNG (mulberry32), so a
 * seed always gives the same bytes.
 *
 * The segment: ~420 workstations in 10.20.1.0–10.20.2.255, servers in 10.20.0.0/24 (two DNS
 * resolvers, intranet web servers on 80/8080, file servers on 445, mail/SSO on 443) and ~48
 * outside services in the documentation ranges 192.0.2.0/24, 198.51.100.0/24 and
 * 203.0.113.0/24, reached through the gateway 10.20.0.1 (so their frames carry its MAC).
 *
 * Traffic: a fixed number of concurrent conversations, each a small state machine stepped
 * in timestamp order from a min-heap, so timestamps never go backwards and conversations
 * interleave as on a real wire:
 *  - TCP with SYN / SYN-ACK / ACK (MSS, window scale, SACK-permitted options), data in
 *    segments of up to 1460 bytes (full 1514-byte frames), a pure ACK every second segment
 *    (RFC 1122 §4.2.3.2 delayed ACK), FIN/ACK teardown from either side or an RST; sequence
 *    and acknowledgement numbers advance by payload length so reassembly works.
 *    Payloads: HTTP/1.1 on 80/8080 (request lines, headers, bodies with exact
 *    Content-Length), TLS 1.3 on 443 (ClientHello with SNI, ServerHello, then encrypted
 *    application-data records), SMB2 over NBSS on 445 (NEGOTIATE, SESSION_SETUP with SPNEGO-
 *    wrapped NTLMSSP, TREE_CONNECT, READs); some connection attempts are refused with RST.
 *  - DNS over UDP 53 (A queries, answers or NXDOMAIN), often just before a connection to
 *    the name it resolved; ICMP echo; ARP request/reply.
 * Frames shorter than the 60-byte Ethernet minimum are zero-padded to 60.
 *
 * Speed: every TCP/UDP frame is written by `writeTcpFrame`/`writeUdpFrame` into one
 * preallocated scratch buffer and handed to the sink as a preallocated view of it; payloads
 * are views of templates built once per process (HTTP responses, TLS record streams, SMB
 * sessions), so the steady state allocates almost nothing per packet.
 *
 * The protocol payload builders are exported for the demo capture (demo.ts) and tests.
 * Specs: RFC 9112 (HTTP/1.1), RFC 8446 (TLS 1.3), RFC 6066 §3 (SNI), RFC 1035 (DNS),
 * RFC 1002 §4.3.1 (NBSS), [MS-SMB2] 2.2, [MS-NLMP] 2.2, RFC 4178 (SPNEGO), RFC 792 (ICMP).
 */

import {
  ETH_ARP,
  TCP_ACK,
  TCP_FIN,
  TCP_PSH,
  TCP_RST,
  TCP_SYN,
  arp,
  ether,
  icmp,
  ipv4,
  tcpOptions,
  writeTcpFrame,
  writeUdpFrame,
  type TcpFrameOpts,
  type UdpFrameOpts,
} from './packet.js';

// ---------------------------------------------------------------------------
// PRNG

/** mulberry32: tiny, fast, and good enough for traffic shapes (not for cryptography). */
export class Rng {
  private s: number;

  constructor(seed: number) {
    this.s = seed >>> 0;
  }

  u32(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Uniform integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)]!;
  }

  /** Exponentially distributed with the given mean. */
  exp(mean: number): number {
    return -Math.log(1 - this.float()) * mean;
  }

  /** Index into `weights` with probability proportional to its weight. */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let x = this.float() * total;
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i]!;
      if (x < 0) return i;
    }
    return weights.length - 1;
  }

  fill(b: Uint8Array): Uint8Array {
    let i = 0;
    for (; i + 4 <= b.length; i += 4) {
      const v = this.u32();
      b[i] = v & 0xff;
      b[i + 1] = (v >>> 8) & 0xff;
      b[i + 2] = (v >>> 16) & 0xff;
      b[i + 3] = v >>> 24;
    }
    for (; i < b.length; i++) b[i] = this.u32() & 0xff;
    return b;
  }

  bytes(n: number): Uint8Array {
    return this.fill(new Uint8Array(n));
  }
}

// ---------------------------------------------------------------------------
// Byte building (templates only: never on the per-packet path)

/** Growable byte buffer with the integer writers the protocol builders need. */
export class ByteBuilder {
  private buf = new Uint8Array(256);
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  u8(v: number): this {
    this.room(1);
    this.buf[this.length++] = v & 0xff;
    return this;
  }

  u16be(v: number): this {
    return this.u8(v >>> 8).u8(v);
  }

  u24be(v: number): this {
    return this.u8(v >>> 16)
      .u8(v >>> 8)
      .u8(v);
  }

  u32be(v: number): this {
    return this.u16be(v >>> 16).u16be(v & 0xffff);
  }

  u16le(v: number): this {
    return this.u8(v).u8(v >>> 8);
  }

  u32le(v: number): this {
    return this.u16le(v & 0xffff).u16le(v >>> 16);
  }

  u64le(v: bigint): this {
    return this.u32le(Number(v & 0xffffffffn)).u32le(Number((v >> 32n) & 0xffffffffn));
  }

  bytes(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  ascii(s: string): this {
    return this.bytes(ascii(s));
  }

  zeros(n: number): this {
    this.room(n);
    this.buf.fill(0, this.length, this.length + n);
    this.length += n;
    return this;
  }

  done(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** Latin-1 bytes of a string (the protocols here carry ASCII). */
export function ascii(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

export function utf16le(s: string): Uint8Array {
  const out = new Uint8Array(s.length * 2);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out[2 * i] = c & 0xff;
    out[2 * i + 1] = c >>> 8;
  }
  return out;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

// ---------------------------------------------------------------------------
// HTTP/1.1 (RFC 9112)

export type HeaderList = ReadonlyArray<readonly [string, string]>;

/** A request with CRLF line ends; Content-Length is added when there is a body. */
export function httpRequest(method: string, target: string, host: string, headers: HeaderList, body?: Uint8Array | string): Uint8Array {
  const b = typeof body === 'string' ? ascii(body) : body;
  let head = `${method} ${target} HTTP/1.1\r\nHost: ${host}\r\n`;
  for (const [k, v] of headers) head += `${k}: ${v}\r\n`;
  if (b) head += `Content-Length: ${b.length}\r\n`;
  head += '\r\n';
  return b ? concatBytes([ascii(head), b]) : ascii(head);
}

/** A response; Content-Length is added except for 1xx/204/304 (RFC 9110 §8.6). */
export function httpResponse(status: number, reason: string, headers: HeaderList, body: Uint8Array | string = ''): Uint8Array {
  const b = typeof body === 'string' ? ascii(body) : body;
  let head = `HTTP/1.1 ${status} ${reason}\r\n`;
  for (const [k, v] of headers) head += `${k}: ${v}\r\n`;
  if (status !== 204 && status !== 304 && status >= 200) head += `Content-Length: ${b.length}\r\n`;
  head += '\r\n';
  return concatBytes([ascii(head), b]);
}

/** The fixed Date of the bulk templates; the demo writes real ones. */
const TEMPLATE_DATE = 'Tue, 12 Mar 2024 09:30:00 GMT';

export const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:123.0) Gecko/20100101 Firefox/123.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36 Edg/122.0.2365.80',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3.1 Safari/605.1.15',
] as const;

const LOREM =
  'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. ' +
  'Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. ';

/** An HTML page of exactly `size` bytes (for sizes above ~200). */
export function htmlBody(size: number, title: string, rng: Rng): Uint8Array {
  const head = `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>${title}</title>\n<link rel="stylesheet" href="/static/css/site.css">\n</head>\n<body>\n`;
  const tail = '</body>\n</html>\n';
  let mid = '';
  let i = 0;
  while (head.length + mid.length + tail.length < size) {
    const n = rng.range(1, 9999);
    mid += i % 5 === 0 ? `<h2 id="s${i}">Section ${i}</h2>\n` : `<p class="c${n % 7}"><a href="/docs/${n}">Item ${n}</a> ${LOREM}</p>\n`;
    i++;
  }
  return ascii((head + mid).slice(0, size - tail.length - 1) + '\n' + tail);
}

/** Script/stylesheet-looking text of exactly `size` bytes. */
function textBody(size: number, rng: Rng): Uint8Array {
  let s = '/*! bundle v3.4.1 | (c) Example Corp */\n';
  let i = 0;
  while (s.length < size) {
    const n = rng.range(1, 99999);
    s += `function f${i}(a,b){var c=a[${n % 97}]||b;return c&&c.length>${n % 13}?c.slice(0,${n % 50}):"k${n}";}\n`;
    i++;
  }
  return ascii(s.slice(0, size));
}

/** A valid JSON document of exactly `size` bytes (size ≥ 32). */
function jsonBody(size: number, rng: Rng): Uint8Array {
  const items: string[] = [];
  let len = 0;
  const frame = '{"items":[],"next":null,"pad":""}'.length;
  while (true) {
    const n = rng.range(1000, 99999);
    const item = `{"id":${n},"name":"user${n}","dept":"${rng.pick(['ops', 'sales', 'it', 'hr', 'finance'])}","active":${n % 3 !== 0}}`;
    if (frame + len + item.length + 1 > size) break;
    items.push(item);
    len += item.length + 1;
  }
  const list = items.join(',');
  const pad = 'x'.repeat(Math.max(0, size - frame - list.length));
  return ascii(`{"items":[${list}],"next":null,"pad":"${pad}"}`);
}

// ---------------------------------------------------------------------------
// DNS (RFC 1035 §4.1)

export function dnsName(name: string): Uint8Array {
  const b = new ByteBuilder();
  for (const label of name.split('.')) {
    if (label === '') continue;
    b.u8(label.length).ascii(label);
  }
  return b.u8(0).done();
}

/** A recursive query (RD set) for `name`; qtype 1 = A. */
export function dnsQuery(id: number, name: string, qtype = 1): Uint8Array {
  return new ByteBuilder().u16be(id).u16be(0x0100).u16be(1).u16be(0).u16be(0).u16be(0).bytes(dnsName(name)).u16be(qtype).u16be(1).done();
}

/**
 * The answer to `dnsQuery(id, name)`: one A record per address, names compressed as a
 * pointer to the question (0xc00c); rcode 3 (NXDOMAIN) with no addresses.
 */
export function dnsResponse(id: number, name: string, addrs: readonly string[], opts: { rcode?: number; ttl?: number } = {}): Uint8Array {
  const rcode = opts.rcode ?? 0;
  const b = new ByteBuilder()
    .u16be(id)
    .u16be(0x8180 | rcode)
    .u16be(1)
    .u16be(addrs.length)
    .u16be(0)
    .u16be(0)
    .bytes(dnsName(name))
    .u16be(1)
    .u16be(1);
  for (const a of addrs) {
    b.u16be(0xc00c).u16be(1).u16be(1).u32be(opts.ttl ?? 300).u16be(4);
    for (const part of a.split('.')) b.u8(Number(part));
  }
  return b.done();
}

// ---------------------------------------------------------------------------
// TLS 1.3 (RFC 8446)

const TLS_HANDSHAKE = 22;
const TLS_CCS = 20;
const TLS_APPDATA = 23;
/** TLSCiphertext.length may be at most 2^14 + 256 (RFC 8446 §5.2); records here stay at 2^14 + 17. */
const TLS_MAX_RECORD = 16384 + 17;

function tlsRecord(type: number, version: number, body: Uint8Array): Uint8Array {
  return new ByteBuilder().u8(type).u16be(version).u16be(body.length).bytes(body).done();
}

function tlsExt(type: number, body: Uint8Array): Uint8Array {
  return new ByteBuilder().u16be(type).u16be(body.length).bytes(body).done();
}

/** A browser-like ClientHello record offering TLS 1.3 and 1.2, with SNI and ALPN. */
export function tlsClientHello(sni: string, rng: Rng): Uint8Array {
  const name = ascii(sni);
  const suites = [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035];
  const ext = (t: number, f: (b: ByteBuilder) => void) => {
    const b = new ByteBuilder();
    f(b);
    return tlsExt(t, b.done());
  };
  const exts = concatBytes([
    ext(0x0000, (b) => b.u16be(name.length + 3).u8(0).u16be(name.length).bytes(name)), // server_name
    ext(0x0017, () => {}), // extended_master_secret
    ext(0xff01, (b) => b.u8(0)), // renegotiation_info
    ext(0x000a, (b) => b.u16be(6).u16be(0x001d).u16be(0x0017).u16be(0x0018)), // supported_groups
    ext(0x000b, (b) => b.u8(1).u8(0)), // ec_point_formats
    ext(0x0023, () => {}), // session_ticket
    ext(0x0010, (b) => b.u16be(12).u8(2).ascii('h2').u8(8).ascii('http/1.1')), // ALPN
    ext(0x0005, (b) => b.u8(1).u16be(0).u16be(0)), // status_request
    ext(0x000d, (b) => {
      const algs = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601];
      b.u16be(algs.length * 2);
      for (const a of algs) b.u16be(a);
    }),
    ext(0x0033, (b) => b.u16be(36).u16be(0x001d).u16be(32).bytes(rng.bytes(32))), // key_share
    ext(0x002d, (b) => b.u8(1).u8(1)), // psk_key_exchange_modes
    ext(0x002b, (b) => b.u8(4).u16be(0x0304).u16be(0x0303)), // supported_versions
  ]);
  const hello = new ByteBuilder().u16be(0x0303).bytes(rng.bytes(32)).u8(32).bytes(rng.bytes(32)).u16be(suites.length * 2);
  for (const s of suites) hello.u16be(s);
  hello.u8(1).u8(0).u16be(exts.length).bytes(exts);
  const body = hello.done();
  const hs = new ByteBuilder().u8(1).u24be(body.length).bytes(body).done();
  return tlsRecord(TLS_HANDSHAKE, 0x0301, hs);
}

/** A sequence of application-data records carrying `total` bytes of "ciphertext". */
export function tlsAppData(total: number, rng: Rng, maxRecord = TLS_MAX_RECORD): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let left = Math.max(total, 1); left > 0; ) {
    const n = Math.min(left, maxRecord);
    parts.push(tlsRecord(TLS_APPDATA, 0x0303, rng.bytes(n)));
    left -= n;
  }
  return concatBytes(parts);
}

/** The server's first flight: ServerHello (TLS 1.3, X25519), ChangeCipherSpec and the
 * encrypted rest of the handshake (`encryptedLen` bytes: certificate chain and so on). */
export function tlsServerFlight(rng: Rng, encryptedLen: number): Uint8Array {
  const exts = concatBytes([
    tlsExt(0x002b, Uint8Array.of(0x03, 0x04)),
    tlsExt(0x0033, new ByteBuilder().u16be(0x001d).u16be(32).bytes(rng.bytes(32)).done()),
  ]);
  const body = new ByteBuilder().u16be(0x0303).bytes(rng.bytes(32)).u8(32).bytes(rng.bytes(32)).u16be(0x1301).u8(0).u16be(exts.length).bytes(exts).done();
  const hs = new ByteBuilder().u8(2).u24be(body.length).bytes(body).done();
  return concatBytes([tlsRecord(TLS_HANDSHAKE, 0x0303, hs), tlsRecord(TLS_CCS, 0x0303, Uint8Array.of(1)), tlsAppData(encryptedLen, rng, 4096)]);
}

/** The client's second flight: ChangeCipherSpec, Finished (53 bytes encrypted), then the
 * first request as application data. */
export function tlsClientFinished(rng: Rng, requestLen: number): Uint8Array {
  return concatBytes([tlsRecord(TLS_CCS, 0x0303, Uint8Array.of(1)), tlsRecord(TLS_APPDATA, 0x0303, rng.bytes(53)), tlsAppData(requestLen, rng)]);
}

// ---------------------------------------------------------------------------
// SPNEGO (RFC 4178) in DER, just what SMB2 carries

function der(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const body = concatBytes(parts);
  const n = body.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >>> 8, n & 0xff] : [0x83, n >>> 16, (n >>> 8) & 0xff, n & 0xff];
  return concatBytes([Uint8Array.of(tag, ...len), body]);
}

/** 1.3.6.1.5.5.2 */
const OID_SPNEGO = Uint8Array.of(0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02);
/** 1.3.6.1.4.1.311.2.2.10 */
const OID_NTLMSSP = Uint8Array.of(0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a);

/** GSS-API InitialContextToken with a negTokenInit offering NTLMSSP (and its first token). */
export function spnegoInit(mechToken?: Uint8Array): Uint8Array {
  const fields = [der(0xa0, der(0x30, OID_NTLMSSP))];
  if (mechToken) fields.push(der(0xa2, der(0x04, mechToken)));
  return der(0x60, OID_SPNEGO, der(0xa0, der(0x30, ...fields)));
}

/** negTokenResp; negState 0 accept-completed, 1 accept-incomplete, 2 reject. */
export function spnegoResp(o: { negState?: number; supportedMech?: boolean; token?: Uint8Array }): Uint8Array {
  const fields: Uint8Array[] = [];
  if (o.negState !== undefined) fields.push(der(0xa0, Uint8Array.of(0x0a, 0x01, o.negState)));
  if (o.supportedMech) fields.push(der(0xa1, OID_NTLMSSP));
  if (o.token) fields.push(der(0xa2, der(0x04, o.token)));
  return der(0xa1, der(0x30, ...fields));
}

// ---------------------------------------------------------------------------
// NTLMSSP ([MS-NLMP] 2.2.1)

const NTLMSSP_SIG = ascii('NTLMSSP\0');
const NTLM_FLAGS_NEGOTIATE = 0xe2088297;
const NTLM_FLAGS_CHALLENGE = 0xe28a8215;
const NTLM_FLAGS_AUTH = 0xe2888215;

/** Seconds between 1601-01-01 and 1970-01-01: FILETIME epoch offset. */
const FILETIME_EPOCH_OFFSET = 11644473600n;

export function filetime(unixSec: number): bigint {
  return (BigInt(Math.floor(unixSec)) + FILETIME_EPOCH_OFFSET) * 10_000_000n;
}

function ntlmVersion(b: ByteBuilder): void {
  // Windows 10 build 19041, NTLMSSP_REVISION_W2K3.
  b.u8(10).u8(0).u16le(19041).zeros(3).u8(15);
}

export function ntlmNegotiate(): Uint8Array {
  const b = new ByteBuilder().bytes(NTLMSSP_SIG).u32le(1).u32le(NTLM_FLAGS_NEGOTIATE);
  b.u16le(0).u16le(0).u32le(40).u16le(0).u16le(0).u32le(40);
  ntlmVersion(b);
  return b.done();
}

export interface NtlmNames {
  /** NetBIOS domain, e.g. CORP. */
  domain: string;
  dnsDomain: string;
  /** NetBIOS name of the server. */
  server: string;
}

function ntlmTargetInfo(n: NtlmNames, unixSec: number): Uint8Array {
  const b = new ByteBuilder();
  const av = (id: number, v: Uint8Array) => b.u16le(id).u16le(v.length).bytes(v);
  av(2, utf16le(n.domain));
  av(1, utf16le(n.server));
  av(4, utf16le(n.dnsDomain));
  av(3, utf16le(`${n.server.toLowerCase()}.${n.dnsDomain}`));
  av(5, utf16le(n.dnsDomain));
  av(7, new ByteBuilder().u64le(filetime(unixSec)).done());
  b.u16le(0).u16le(0); // MsvAvEOL
  return b.done();
}

export function ntlmChallenge(n: NtlmNames, rng: Rng, unixSec: number): Uint8Array {
  const target = utf16le(n.domain);
  const info = ntlmTargetInfo(n, unixSec);
  const b = new ByteBuilder().bytes(NTLMSSP_SIG).u32le(2);
  b.u16le(target.length).u16le(target.length).u32le(56);
  b.u32le(NTLM_FLAGS_CHALLENGE).bytes(rng.bytes(8)).zeros(8);
  b.u16le(info.length).u16le(info.length).u32le(56 + target.length);
  ntlmVersion(b);
  return b.bytes(target).bytes(info).done();
}

/** An NTLMv2 AUTHENTICATE_MESSAGE (the proof is random: nothing here can be verified). */
export function ntlmAuthenticate(n: NtlmNames & { user: string; workstation: string }, rng: Rng, unixSec: number): Uint8Array {
  const domain = utf16le(n.domain);
  const user = utf16le(n.user);
  const ws = utf16le(n.workstation);
  const lm = new Uint8Array(24);
  const blob = new ByteBuilder().u8(1).u8(1).zeros(6).u64le(filetime(unixSec)).bytes(rng.bytes(8)).zeros(4).bytes(ntlmTargetInfo(n, unixSec)).zeros(4).done();
  const nt = concatBytes([rng.bytes(16), blob]);
  const key = rng.bytes(16);
  // The payload follows the 88-byte fixed part in the order Windows writes it: domain, user,
  // workstation, LM, NT, session key; the header lists the fields in a different order.
  const payload = [domain, user, ws, lm, nt, key];
  const offs: number[] = [];
  for (let o = 88, i = 0; i < payload.length; o += payload[i]!.length, i++) offs.push(o);
  const b = new ByteBuilder().bytes(NTLMSSP_SIG).u32le(3);
  for (const i of [3, 4, 0, 1, 2, 5]) b.u16le(payload[i]!.length).u16le(payload[i]!.length).u32le(offs[i]!);
  b.u32le(NTLM_FLAGS_AUTH);
  ntlmVersion(b);
  b.bytes(rng.bytes(16)); // MIC
  return b.bytes(domain).bytes(user).bytes(ws).bytes(lm).bytes(nt).bytes(key).done();
}

// ---------------------------------------------------------------------------
// SMB2 over NBSS ([MS-SMB2] 2.1, 2.2)

export const SMB2_NEGOTIATE = 0;
export const SMB2_SESSION_SETUP = 1;
export const SMB2_TREE_CONNECT = 3;
export const SMB2_READ = 8;
export const STATUS_SUCCESS = 0;
export const STATUS_MORE_PROCESSING_REQUIRED = 0xc0000016;
export const STATUS_LOGON_FAILURE = 0xc000006d;

/** RFC 1002 session message: type 0, 24-bit length (the SMB2 direct-TCP framing on 445). */
export function nbss(msg: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + msg.length);
  out[1] = (msg.length >>> 16) & 0xff;
  out[2] = (msg.length >>> 8) & 0xff;
  out[3] = msg.length & 0xff;
  out.set(msg, 4);
  return out;
}

export interface Smb2HeaderOpts {
  command: number;
  messageId: number;
  response?: boolean;
  status?: number;
  sessionId?: bigint;
  treeId?: number;
  credits?: number;
}

/** The 64-byte sync header ([MS-SMB2] 2.2.1.2). */
function smb2Header(o: Smb2HeaderOpts): ByteBuilder {
  const b = new ByteBuilder().u8(0xfe).ascii('SMB').u16le(64).u16le(1);
  b.u32le(o.response ? (o.status ?? 0) : 0);
  b.u16le(o.command).u16le(o.credits ?? (o.response ? 1 : 31));
  b.u32le(o.response ? 1 : 0); // SMB2_FLAGS_SERVER_TO_REDIR
  b.u32le(0).u64le(BigInt(o.messageId)).u32le(0xfeff).u32le(o.treeId ?? 0).u64le(o.sessionId ?? 0n).zeros(16);
  return b;
}

const SMB2_DIALECTS = [0x0202, 0x0210, 0x0300, 0x0302];

export function smb2NegotiateRequest(rng: Rng): Uint8Array {
  const b = smb2Header({ command: SMB2_NEGOTIATE, messageId: 0 });
  b.u16le(36).u16le(SMB2_DIALECTS.length).u16le(1).u16le(0).u32le(0x7f).bytes(rng.bytes(16)).zeros(8);
  for (const d of SMB2_DIALECTS) b.u16le(d);
  return nbss(b.done());
}

export function smb2NegotiateResponse(rng: Rng, unixSec: number): Uint8Array {
  const blob = spnegoInit();
  const b = smb2Header({ command: SMB2_NEGOTIATE, messageId: 0, response: true });
  b.u16le(65).u16le(1).u16le(0x0302).u16le(0).bytes(rng.bytes(16)).u32le(0x2f);
  b.u32le(8388608).u32le(8388608).u32le(8388608);
  b.u64le(filetime(unixSec)).u64le(0n);
  b.u16le(64 + 64).u16le(blob.length).u32le(0);
  return nbss(b.bytes(blob).done());
}

export function smb2SessionSetupRequest(messageId: number, sessionId: bigint, blob: Uint8Array): Uint8Array {
  const b = smb2Header({ command: SMB2_SESSION_SETUP, messageId, sessionId });
  b.u16le(25).u8(0).u8(1).u32le(1).u32le(0).u16le(64 + 24).u16le(blob.length).u64le(0n);
  return nbss(b.bytes(blob).done());
}

export function smb2SessionSetupResponse(messageId: number, sessionId: bigint, status: number, blob: Uint8Array | null): Uint8Array {
  const b = smb2Header({ command: SMB2_SESSION_SETUP, messageId, sessionId, status, response: true });
  if (blob === null) {
    // ERROR response ([MS-SMB2] 2.2.2): no error contexts, one byte of ErrorData.
    b.u16le(9).u8(0).u8(0).u32le(0).u8(0);
  } else {
    b.u16le(9).u16le(0).u16le(64 + 8).u16le(blob.length).bytes(blob);
  }
  return nbss(b.done());
}

export function smb2TreeConnectRequest(messageId: number, sessionId: bigint, path: string): Uint8Array {
  const p = utf16le(path);
  const b = smb2Header({ command: SMB2_TREE_CONNECT, messageId, sessionId });
  b.u16le(9).u16le(0).u16le(64 + 8).u16le(p.length).bytes(p);
  return nbss(b.done());
}

export function smb2TreeConnectResponse(messageId: number, sessionId: bigint, treeId: number, pipe: boolean): Uint8Array {
  const b = smb2Header({ command: SMB2_TREE_CONNECT, messageId, sessionId, treeId, response: true });
  b.u16le(16)
    .u8(pipe ? 2 : 1)
    .u8(0)
    .u32le(pipe ? 0x30 : 0) // SMB2_SHAREFLAG_NO_CACHING for pipes
    .u32le(0)
    .u32le(0x001f01ff);
  return nbss(b.done());
}

export function smb2ReadRequest(messageId: number, sessionId: bigint, treeId: number, fileId: Uint8Array, offset: number, length: number): Uint8Array {
  const b = smb2Header({ command: SMB2_READ, messageId, sessionId, treeId });
  b.u16le(49).u8(0x50).u8(0).u32le(length).u64le(BigInt(offset)).bytes(fileId).u32le(1).u32le(0).u32le(0).u16le(0).u16le(0).u8(0);
  return nbss(b.done());
}

export function smb2ReadResponse(messageId: number, sessionId: bigint, treeId: number, data: Uint8Array): Uint8Array {
  const b = smb2Header({ command: SMB2_READ, messageId, sessionId, treeId, response: true });
  b.u16le(17).u8(64 + 16).u8(0).u32le(data.length).u32le(0).u32le(0);
  return nbss(b.bytes(data).done());
}

/** One application message of a TCP conversation. */
export interface TcpMessage {
  fromClient: boolean;
  data: Uint8Array;
}

export interface SmbSessionOpts extends NtlmNames {
  user: string;
  workstation: string;
  /** Share path for TREE_CONNECT after a successful logon, e.g. \\FS01\projects. */
  share: string;
  logon: 'success' | 'failure';
  /** Sizes of the READ responses after the tree connect. */
  reads: readonly number[];
  sessionId: bigint;
  unixSec: number;
  rng: Rng;
  /** Where READ data comes from (cycled); default random bytes. */
  dataPool?: Uint8Array;
}

/**
 * An SMB2 logon as Windows does it: NEGOTIATE, SESSION_SETUP (SPNEGO + NTLMSSP NEGOTIATE),
 * STATUS_MORE_PROCESSING_REQUIRED with the CHALLENGE, SESSION_SETUP with the AUTHENTICATE,
 * then STATUS_SUCCESS (followed by TREE_CONNECT and READs) or STATUS_LOGON_FAILURE.
 */
export function smbSession(o: SmbSessionOpts): TcpMessage[] {
  const { rng, sessionId } = o;
  const c = (data: Uint8Array): TcpMessage => ({ fromClient: true, data });
  const s = (data: Uint8Array): TcpMessage => ({ fromClient: false, data });
  const out: TcpMessage[] = [
    c(smb2NegotiateRequest(rng)),
    s(smb2NegotiateResponse(rng, o.unixSec)),
    c(smb2SessionSetupRequest(1, 0n, spnegoInit(ntlmNegotiate()))),
    s(smb2SessionSetupResponse(1, sessionId, STATUS_MORE_PROCESSING_REQUIRED, spnegoResp({ negState: 1, supportedMech: true, token: ntlmChallenge(o, rng, o.unixSec) }))),
    c(smb2SessionSetupRequest(2, sessionId, spnegoResp({ token: ntlmAuthenticate(o, rng, o.unixSec) }))),
  ];
  if (o.logon === 'failure') {
    out.push(s(smb2SessionSetupResponse(2, sessionId, STATUS_LOGON_FAILURE, null)));
    return out;
  }
  out.push(s(smb2SessionSetupResponse(2, sessionId, STATUS_SUCCESS, spnegoResp({ negState: 0 }))));
  const treeId = 1 + rng.int(0xffff);
  const pipe = /\\IPC\$$/i.test(o.share);
  out.push(c(smb2TreeConnectRequest(3, sessionId, o.share)), s(smb2TreeConnectResponse(3, sessionId, treeId, pipe)));
  const fileId = rng.bytes(16);
  let msgId = 4;
  let offset = 0;
  let poolAt = 0;
  for (const n of o.reads) {
    out.push(c(smb2ReadRequest(msgId, sessionId, treeId, fileId, offset, n)));
    let data: Uint8Array;
    if (o.dataPool && o.dataPool.length >= n) {
      if (poolAt + n > o.dataPool.length) poolAt = 0;
      data = o.dataPool.subarray(poolAt, poolAt + n);
      poolAt += n;
    } else {
      data = rng.bytes(n);
    }
    out.push(s(smb2ReadResponse(msgId, sessionId, treeId, data)));
    msgId++;
    offset += n;
  }
  return out;
}

// ---------------------------------------------------------------------------
// ICMP echo and ARP frames (rare: built per packet with the allocating builders)

/** Linux ping's 56-byte payload: an 8-byte timestamp, then bytes 0x10, 0x11, ... */
export function pingPayload(unixSec: number, usec: number): Uint8Array {
  const p = new Uint8Array(56);
  const lo = unixSec >>> 0;
  p[0] = lo & 0xff;
  p[1] = (lo >>> 8) & 0xff;
  p[2] = (lo >>> 16) & 0xff;
  p[3] = lo >>> 24;
  p[8] = usec & 0xff;
  p[9] = (usec >>> 8) & 0xff;
  p[10] = (usec >>> 16) & 0xff;
  for (let i = 16; i < 56; i++) p[i] = i;
  return p;
}

/** Ethernet minimum frame size without the FCS (IEEE 802.3 §3.2.8). */
export const ETH_MIN_FRAME = 60;

export function padFrame(f: Uint8Array): Uint8Array {
  if (f.length >= ETH_MIN_FRAME) return f;
  const out = new Uint8Array(ETH_MIN_FRAME);
  out.set(f);
  return out;
}

export interface L2Host {
  ip: string;
  /** The MAC frames to/from this host carry on the capture segment (the gateway's for outside hosts). */
  mac: string;
  ttl: number;
}

export function icmpEchoFrame(from: L2Host, to: L2Host, reply: boolean, ident: number, seq: number, ipId: number, payload: Uint8Array): Uint8Array {
  const msg = icmp({ type: reply ? 0 : 8, code: 0, ident, seq }, payload);
  const ip = ipv4({ src: from.ip, dst: to.ip, proto: 1, id: ipId, ttl: from.ttl, flags: reply ? 0 : 2 }, msg);
  return ether({ src: from.mac, dst: to.mac, type: 0x0800 }, ip);
}

export const BROADCAST_MAC = 'ff:ff:ff:ff:ff:ff';

export function arpFrame(op: 1 | 2, sender: L2Host, target: L2Host): Uint8Array {
  const body = arp({ op, senderMac: sender.mac, senderIp: sender.ip, targetMac: op === 1 ? '00:00:00:00:00:00' : target.mac, targetIp: target.ip });
  return padFrame(ether({ src: sender.mac, dst: op === 1 ? BROADCAST_MAC : target.mac, type: ETH_ARP }, body));
}

// ---------------------------------------------------------------------------
// The bulk generator's world (hosts, sites, payload pools): built once per process

type Host = L2Host;

/**
 * A message template with the running one's-complement sums of its 16-bit words:
 * pre[k] = (words 0..k-1) mod 0xffff. One's-complement addition is addition mod 0xffff, so
 * the checksum contribution of any even-aligned slice is pre[b] - pre[a]: a segment's TCP
 * checksum costs O(1) instead of a pass over its payload.
 */
interface Tpl extends TcpMessage {
  pre: Uint16Array;
}

function tpl(fromClient: boolean, data: Uint8Array): Tpl {
  const words = data.length >>> 1;
  const pre = new Uint16Array(words + 1);
  let acc = 0;
  for (let k = 0; k < words; k++) {
    acc += (data[2 * k]! << 8) | data[2 * k + 1]!;
    if (acc >= 0xffff) acc -= 0xffff;
    pre[k + 1] = acc;
  }
  return { fromClient, data, pre };
}

/** A request template and the kind of response it gets. */
interface HttpReq {
  msg: Tpl;
  kind: RespKind;
}

type RespKind = 0 | 1 | 2 | 3; // html, text (css/js), json, binary download

interface Site {
  name: string;
  host: Host;
  port: number;
  reqs: HttpReq[];
}

interface TlsSite {
  name: string;
  host: Host;
  hellos: Tpl[];
}

interface DnsEntry {
  query: Uint8Array;
  response: Uint8Array;
}

interface World {
  gateway: Host;
  clients: Host[];
  resolvers: Host[];
  fileServers: Host[];
  refusers: Host[];
  sites: Site[];
  externalSites: Site[];
  internalTls: TlsSite[];
  externalTls: TlsSite[];
  /** DNS entries by host (for lookups before connecting), and standalone names. */
  dnsFor: Map<Host, DnsEntry[]>;
  dnsAll: DnsEntry[];
  /** Responses by kind, then size class; weights per size class. */
  responses: Tpl[][];
  respWeights: number[][];
  notModified: Tpl;
  notFound: Tpl;
  redirect: Tpl;
  tlsServerFlights: Tpl[];
  tlsClientFinished: Tpl[];
  tlsResponses: Tpl[];
  tlsRespWeights: number[];
  tlsRequests: Tpl[];
  smbSessions: { server: Host; msgs: Tpl[] }[];
  synOpts: Uint8Array;
  synAckOpts: Uint8Array;
}

/** Templates are independent of the traffic seed (the seed drives which are used when). */
const WORLD_SEED = 0x7ace4007;
/** Base time written into template timestamps (NTLM, SMB) — 2024-03-12 09:30 UTC. */
const WORLD_TIME = 1710235800;

/** Workstations: "hundreds of hosts", and few enough that packet.ts's 4096-entry address
 * cache never has to evict (one IP and one MAC entry per host). */
const CLIENTS = 420;
const CLIENT_OUIS = ['f8:bc:12', '3c:52:82', '54:ee:75', '00:50:56', 'a4:bb:6d', '98:90:96'];

function mac(oui: string, n: number): string {
  const h = (v: number) => (v & 0xff).toString(16).padStart(2, '0');
  return `${oui}:${h(n >>> 16)}:${h(n >>> 8)}:${h(n)}`;
}

let worldCache: World | null = null;

function world(): World {
  if (worldCache) return worldCache;
  const rng = new Rng(WORLD_SEED);
  const gateway: Host = { ip: '10.20.0.1', mac: '00:1a:2b:3c:00:01', ttl: 64 };
  const server = (last: number, ttl = 128): Host => ({ ip: `10.20.0.${last}`, mac: mac('00:15:5d', 0x140000 + last), ttl });
  const outside = (ip: string): Host => ({ ip, mac: gateway.mac, ttl: rng.range(44, 58) });

  const clients: Host[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    const ip = `10.20.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;
    clients.push({ ip, mac: mac(CLIENT_OUIS[i % CLIENT_OUIS.length]!, 0x100000 + i * 7), ttl: i % 5 === 0 ? 64 : 128 });
  }
  const resolvers = [server(2), server(3)];
  const fileServers = [20, 21, 22, 23, 24].map((n) => server(n));
  const refusers = [40, 41, 42, 43].map((n) => server(n, 64));

  const dnsFor = new Map<Host, DnsEntry[]>();
  const dnsAll: DnsEntry[] = [];
  const addDns = (name: string, host: Host | null) => {
    const addrs = host ? [host.ip] : [];
    const e: DnsEntry = { query: dnsQuery(0, name), response: dnsResponse(0, name, addrs, host ? { ttl: rng.pick([60, 300, 3600]) } : { rcode: 3 }) };
    dnsAll.push(e);
    if (host) dnsFor.set(host, [...(dnsFor.get(host) ?? []), e]);
  };

  const ua = (i: number) => USER_AGENTS[i % USER_AGENTS.length]!;
  const commonHeaders = (agent: string, accept: string): [string, string][] => [
    ['User-Agent', agent],
    ['Accept', accept],
    ['Accept-Language', 'en-US,en;q=0.9'],
    ['Accept-Encoding', 'identity'],
    ['Connection', 'keep-alive'],
  ];
  const paths: [string, RespKind][] = [
    ['/', 0],
    ['/index.html', 0],
    ['/news/2024/03/quarterly-results.html', 0],
    ['/search?q=expense+report&page=1', 0],
    ['/static/css/site.css', 1],
    ['/static/js/app.bundle.js', 1],
    ['/static/js/vendor.min.js', 1],
    ['/api/v1/users?dept=it', 2],
    ['/api/v1/notifications', 2],
    ['/downloads/handbook.pdf', 3],
    ['/downloads/tools/installer-3.2.1.msi', 3],
  ];
  const makeSite = (name: string, host: Host, port: number): Site => {
    const reqs: HttpReq[] = [];
    const hostHdr = port === 80 ? name : `${name}:${port}`;
    paths.forEach(([p, kind], i) => {
      for (let v = 0; v < 2; v++) {
        const accept = kind === 0 ? 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' : kind === 2 ? 'application/json' : '*/*';
        const headers = commonHeaders(ua(i + v), accept);
        if (v === 1) headers.push(['Cookie', `SESSIONID=${Array.from(rng.bytes(12), (x) => x.toString(16).padStart(2, '0')).join('')}; lang=en`]);
        reqs.push({ msg: tpl(true, httpRequest('GET', p, hostHdr, headers)), kind });
      }
    });
    const form = `username=user${rng.range(100, 999)}&password=${'x'.repeat(rng.range(8, 14))}&remember=on`;
    reqs.push({ msg: tpl(true, httpRequest('POST', '/login', hostHdr, [...commonHeaders(ua(1), 'text/html'), ['Content-Type', 'application/x-www-form-urlencoded']], form)), kind: 0 });
    const event = `{"event":"page_view","ts":${WORLD_TIME},"path":"/index.html","client":"web-${rng.range(1000, 9999)}"}`;
    reqs.push({ msg: tpl(true, httpRequest('POST', '/api/v1/events', hostHdr, [...commonHeaders(ua(2), 'application/json'), ['Content-Type', 'application/json']], event)), kind: 2 });
    addDns(name, host);
    return { name, host, port, reqs };
  };
  const sites = [
    makeSite('intranet.corp.example', server(10), 80),
    makeSite('wiki.corp.example', server(11), 80),
    makeSite('jira.corp.example', server(12), 8080),
    makeSite('builds.corp.example', server(13), 8080),
    makeSite('hr.corp.example', server(14), 80),
  ];

  const prefixes = ['www', 'cdn', 'api', 'static', 'login', 'mail', 'img', 'update', 'telemetry', 'news', 'docs', 'files', 'media', 'assets', 'portal', 'auth'];
  const domains = ['example.com', 'example.net', 'example.org'];
  const nets = ['192.0.2', '198.51.100', '203.0.113'];
  const tlsSite = (name: string, host: Host): TlsSite => {
    addDns(name, host);
    return { name, host, hellos: [0, 1].map(() => tpl(true, tlsClientHello(name, rng))) };
  };
  const externalTls: TlsSite[] = [];
  const externalSites: Site[] = [];
  prefixes.forEach((p, i) => {
    domains.forEach((d, j) => {
      const host = outside(`${nets[j]!}.${10 + i * 3 + j}`);
      if ((i + j) % 6 === 0) externalSites.push(makeSite(`${p}.${d}`, host, 80));
      else externalTls.push(tlsSite(`${p}.${d}`, host));
    });
  });
  const internalTls = [tlsSite('mail.corp.example', server(30)), tlsSite('sso.corp.example', server(31))];
  for (const name of ['wpad.corp.example', 'printer7.corp.example', 'old-share.corp.example', 'www.example.invalid']) addDns(name, null);

  const kindsHeaders: [string, string][][] = [
    [['Content-Type', 'text/html; charset=utf-8']],
    [['Content-Type', 'application/javascript']],
    [['Content-Type', 'application/json']],
    [['Content-Type', 'application/octet-stream']],
  ];
  const sizes = [
    [1800, 6000, 14000, 32000, 75000],
    [3000, 12000, 48000, 160000],
    [120, 600, 2400, 9000],
    [65536, 262144, 1048576, 3145728, 8388608],
  ];
  const respWeights = [
    [30, 30, 20, 12, 8],
    [30, 35, 25, 10],
    [40, 30, 20, 10],
    [50, 30, 14, 5, 1],
  ];
  const random = rng.bytes(8388608);
  const responses = sizes.map((list, kind) =>
    list.map((n) => {
      const body = kind === 0 ? htmlBody(n, 'Corporate portal', rng) : kind === 1 ? textBody(n, rng) : kind === 2 ? jsonBody(n, rng) : random.subarray(0, n);
      const headers: [string, string][] = [['Date', TEMPLATE_DATE], ['Server', kind === 3 ? 'Microsoft-IIS/10.0' : 'nginx/1.24.0'], ...kindsHeaders[kind]!, ['Cache-Control', 'max-age=600'], ['Connection', 'keep-alive']];
      return tpl(false, httpResponse(200, 'OK', headers, body));
    }),
  );
  const notModified = tpl(false, httpResponse(304, 'Not Modified', [['Date', TEMPLATE_DATE], ['Server', 'nginx/1.24.0'], ['ETag', '"65f01a2c-1d4c"']]));
  const notFound = tpl(
    false,
    httpResponse(404, 'Not Found', [['Date', TEMPLATE_DATE], ['Server', 'nginx/1.24.0'], ['Content-Type', 'text/html']], '<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>\n'),
  );
  const redirect = tpl(false, httpResponse(302, 'Found', [['Date', TEMPLATE_DATE], ['Server', 'nginx/1.24.0'], ['Location', '/index.html']]));

  const tlsServerFlights = [2600, 3400, 4300, 5200].map((n) => tpl(false, tlsServerFlight(rng, n)));
  const tlsClientFin = [180, 320, 450, 700, 950].map((n) => tpl(true, tlsClientFinished(rng, n)));
  const tlsSizes = [900, 4000, 16000, 60000, 250000, 1000000, 4000000];
  const tlsResponses = tlsSizes.map((n) => tpl(false, tlsAppData(n, rng)));
  const tlsRequests = [120, 260, 480, 900, 1500, 6000].map((n) => tpl(true, tlsAppData(n, rng)));

  const users = ['jsmith', 'akumar', 'mgarcia', 'lchen', 'bwilson', 'okeller', 'svc_backup', 'tnguyen'];
  const smbSessions: World['smbSessions'] = [];
  for (let i = 0; i < 10; i++) {
    const fs = fileServers[i % fileServers.length]!;
    const nreads = rng.range(1, 24);
    smbSessions.push({
      server: fs,
      msgs: smbSession({
        domain: 'CORP',
        dnsDomain: 'corp.example',
        server: `FS0${1 + (i % fileServers.length)}`,
        user: users[i % users.length]!,
        workstation: `WS-${String(rng.range(100, 999))}`,
        share: `\\\\${fs.ip}\\${['projects', 'finance', 'home', 'software', 'IPC$'][i % 5]!}`,
        logon: i === 7 ? 'failure' : 'success',
        reads: Array.from({ length: i === 7 ? 0 : nreads }, () => 65536),
        sessionId: (BigInt(rng.u32()) << 16n) | 0x1000n,
        unixSec: WORLD_TIME,
        rng,
        dataPool: random,
      }).map((m) => tpl(m.fromClient, m.data)),
    });
  }
  // Windows-style SYN options; SYN-ACK answers with the server's own scale.
  const synOpts = tcpOptions([{ kind: 'mss', value: 1460 }, { kind: 'nop' }, { kind: 'wscale', shift: 8 }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'sackPerm' }]);
  const synAckOpts = tcpOptions([{ kind: 'mss', value: 1460 }, { kind: 'nop' }, { kind: 'wscale', shift: 7 }, { kind: 'sackPerm' }, { kind: 'eol' }]);
  worldCache = {
    gateway,
    clients,
    resolvers,
    fileServers,
    refusers,
    sites,
    externalSites,
    internalTls,
    externalTls,
    dnsFor,
    dnsAll,
    responses,
    respWeights,
    notModified,
    notFound,
    redirect,
    tlsServerFlights,
    tlsClientFinished: tlsClientFin,
    tlsResponses,
    tlsRespWeights: [34, 28, 18, 11, 6, 2.5, 0.5],
    tlsRequests,
    smbSessions,
    synOpts,
    synAckOpts,
  };
  return worldCache;
}

// ---------------------------------------------------------------------------
// Conversations

const K_TCP = 0;
const K_DNS = 1;
const K_ICMP = 2;
const K_ARP = 3;

const P_SYN = 0;
const P_SYNACK = 1;
const P_HSACK = 2;
const P_DATA = 3;
const P_ACK = 4;
const P_FIN_A = 5;
const P_FIN_B = 6;
const P_FIN_C = 7;
const P_RST = 8;
const P_REFUSE = 9;
const P_DONE = 10;

const CLOSE_CLIENT_FIN = 0;
const CLOSE_SERVER_FIN = 1;
const CLOSE_RST = 2;
/** SYN to a closed port: answered by RST/ACK, no connection. */
const CLOSE_REFUSED = 3;

/** Eth (14) + IPv4 (20) + TCP (20): the header of every segment without options. */
const HDR = 54;
/** Offsets in a HDR-byte header of the fields seg() patches. */
const IP_LEN = 16;
const IP_ID = 18;
const IP_CKSUM = 24;
const TCP_SEQ = 38;
const TCP_ACKNO = 42;
const TCP_OFF_FLAGS = 46;
const TCP_WIN = 48;
const TCP_CKSUM = 50;

function word(b: Uint8Array, i: number): number {
  return (b[i]! << 8) | b[i + 1]!;
}

/** The Internet checksum field for an unfolded word sum, exactly as packet.ts's fold gives it
 * (a non-zero sum ≡ 0 mod 0xffff folds to 0xffff, whose complement is 0). */
function checksumOf(sum: number): number {
  const s = sum % 0xffff;
  return s === 0 ? 0 : 0xffff - s;
}

/** Payload per segment: Ethernet MTU 1500 − 20 (IPv4) − 20 (TCP without options). */
const MSS = 1460;
/** Largest frame the generator writes (1514) plus slack for SYN options. */
const SCRATCH_BYTES = 1600;
const NS_PER_SEC = 1e9;
const US = 1e3;
const MS = 1e6;

/** One conversation in flight; one class for every kind keeps the hot path monomorphic. */
class Flow {
  kind = K_TCP;
  /** Time of the next packet, ns since the start. */
  next = 0;
  /** Start a replacement when this one ends (false for the DNS look-ups that precede a connection). */
  replace = true;
  c: Host;
  s: Host;
  cport = 0;
  sport = 0;
  phase = P_SYN;
  msgs: Tpl[] = [];
  mi = 0;
  off = 0;
  unacked = 0;
  ackFromClient = false;
  afterAck = 0;
  cisn = 0;
  cseq = 0;
  sseq = 0;
  cid = 0;
  sid = 0;
  cwin = 0;
  swin = 0;
  close = CLOSE_CLIENT_FIN;
  /** Eth+IPv4+TCP headers (no options) per direction, built by writeTcpFrame at the start;
   * data segments copy one and patch lengths, id, seq/ack, flags, window and checksums. */
  hdrC: Uint8Array | null = null;
  hdrS: Uint8Array | null = null;
  /** Word sums of the header parts that never change, per direction (see Generator.seg). */
  ipBaseC = 0;
  ipBaseS = 0;
  tcpBaseC = 0;
  tcpBaseS = 0;
  rtt = 0;
  gap = 0;
  /** DNS / ICMP / ARP state. */
  dns: DnsEntry | null = null;
  ident = 0;
  count = 0;

  constructor(c: Host, s: Host) {
    this.c = c;
    this.s = s;
  }
}

/** Where frames go: PcapWriter (or anything with its `packet` and `offset`). */
export interface FrameSink {
  packet(tsSec: number, tsNsec: number, data: Uint8Array): void;
  /** Bytes written so far. */
  readonly offset: number;
}

export interface TrafficOptions {
  /** Stop once the sink's offset (the capture file size) reaches this many bytes. */
  targetBytes: number;
  seed?: number;
  /** Unix time of the first packet; default 2024-03-12 09:30:00 UTC. */
  startSec?: number;
  /** Conversations in flight at once; default 192. */
  concurrency?: number;
}

export interface TrafficResult {
  packets: number;
  /** Frame bytes written (captured lengths, without the pcap record headers). */
  bytes: number;
  /** Bytes the sink grew by (record headers included). */
  fileBytes: number;
  /** Conversations started: TCP connections, DNS exchanges, ICMP echo sessions, ARP exchanges. */
  flows: number;
  firstTs: { sec: number; nsec: number } | null;
  lastTs: { sec: number; nsec: number } | null;
}

const DEFAULT_START_SEC = WORLD_TIME;
const DEFAULT_CONCURRENCY = 192;

class Generator {
  private readonly rng: Rng;
  private readonly w = world();
  private readonly heap: Flow[] = [];
  private readonly scratch = new Uint8Array(SCRATCH_BYTES);
  /** views[n] = scratch[0, n): handed to the sink without a per-packet subarray. */
  private readonly views: Uint8Array[] = [];
  private readonly fo: TcpFrameOpts;
  private readonly uo: UdpFrameOpts;
  private readonly empty = new Uint8Array(0);
  private readonly startSec: number;
  private packets = 0;
  private bytes = 0;
  private flows = 0;
  private lastT = 0;

  constructor(
    private readonly sink: FrameSink,
    private readonly opts: TrafficOptions,
  ) {
    this.rng = new Rng(opts.seed ?? 1);
    this.startSec = opts.startSec ?? DEFAULT_START_SEC;
    for (let i = 0; i <= SCRATCH_BYTES; i++) this.views.push(this.scratch.subarray(0, i));
    this.fo = { srcIp: '', dstIp: '', sport: 0, dport: 0, seq: 0, ack: 0, flags: 0, win: 0, payload: this.empty, options: undefined, srcMac: '', dstMac: '', id: 0, ttl: 64 };
    this.uo = { srcIp: '', dstIp: '', sport: 0, dport: 0, payload: this.empty, srcMac: '', dstMac: '', id: 0, ttl: 64 };
  }

  run(): TrafficResult {
    const start = this.sink.offset;
    const target = this.opts.targetBytes;
    const n = this.opts.concurrency ?? DEFAULT_CONCURRENCY;
    for (let i = 0; i < n; i++) this.spawn(this.rng.exp(50 * MS));
    let first: { sec: number; nsec: number } | null = null;
    while (this.sink.offset < target && this.heap.length > 0) {
      const f = this.heap[0]!;
      const t = f.next;
      this.lastT = t;
      this.step(f, t);
      if (first === null && this.packets > 0) first = this.ts(t);
      if (f.phase === P_DONE) {
        this.popTop();
        if (f.replace) this.spawn(t + this.rng.exp(2 * MS));
      } else {
        this.siftDown(0);
      }
    }
    return { packets: this.packets, bytes: this.bytes, fileBytes: this.sink.offset - start, flows: this.flows, firstTs: first, lastTs: this.packets > 0 ? this.ts(this.lastT) : null };
  }

  private ts(t: number): { sec: number; nsec: number } {
    const s = Math.floor(t / NS_PER_SEC);
    return { sec: this.startSec + s, nsec: Math.floor(t - s * NS_PER_SEC) };
  }

  // -- heap keyed on Flow.next ---------------------------------------------

  private push(f: Flow): void {
    const h = this.heap;
    h.push(f);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.next <= f.next) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = f;
  }

  private popTop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    this.siftDown(0);
  }

  private siftDown(i: number): void {
    const h = this.heap;
    const f = h[i]!;
    const n = h.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && h[r]!.next < h[l]!.next ? r : l;
      if (h[c]!.next >= f.next) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = f;
  }

  // -- conversation starts --------------------------------------------------

  private spawn(t: number): void {
    const r = this.rng;
    const w = this.w;
    const c = r.pick(w.clients);
    this.flows++;
    switch (r.weighted([24, 8, 30, 6, 7, 12, 3, 4, 4])) {
      case 0:
        return this.startHttp(t, c, r.pick(w.sites), false);
      case 1:
        return this.startHttp(t, c, r.pick(w.externalSites), true);
      case 2:
        return this.startTls(t, c, r.pick(w.externalTls), true);
      case 3:
        return this.startTls(t, c, r.pick(w.internalTls), false);
      case 4: {
        const smb = r.pick(w.smbSessions);
        this.push(this.tcp(t, c, smb.server, 445, smb.msgs, false));
        return;
      }
      case 5: {
        const f = new Flow(c, r.pick(w.resolvers));
        f.kind = K_DNS;
        f.dns = r.pick(w.dnsAll);
        f.next = t;
        f.cport = r.range(49152, 65535);
        f.cid = r.u32() & 0xffff;
        this.push(f);
        return;
      }
      case 6: {
        const f = new Flow(c, r.chance(0.5) ? w.gateway : r.pick([...w.fileServers, ...w.resolvers]));
        f.kind = K_ICMP;
        f.next = t;
        f.ident = r.u32() & 0xffff;
        f.count = 2 * r.range(1, 4);
        f.cid = r.u32() & 0xffff;
        f.sid = r.u32() & 0xffff;
        f.rtt = r.range(150, 900) * US;
        this.push(f);
        return;
      }
      case 7: {
        const f = new Flow(c, r.chance(0.6) ? w.gateway : r.pick(w.clients));
        f.kind = K_ARP;
        f.next = t;
        f.count = 2;
        this.push(f);
        return;
      }
      default: {
        // A connection attempt to a closed port: SYN answered by RST/ACK.
        const f = this.tcp(t, c, r.pick(w.refusers), r.pick([22, 135, 139, 3389, 5985, 8443]), [], false);
        f.phase = P_SYN;
        f.close = CLOSE_REFUSED;
        this.push(f);
        return;
      }
    }
  }

  /** A DNS look-up of `host` by `c` just before `t`, when it has a name; returns the connect time. */
  private lookup(t: number, c: Host, host: Host): number {
    const entries = this.w.dnsFor.get(host);
    if (!entries || !this.rng.chance(0.45)) return t;
    const f = new Flow(c, this.rng.pick(this.w.resolvers));
    f.kind = K_DNS;
    f.replace = false;
    f.dns = this.rng.pick(entries);
    f.next = t;
    f.cport = this.rng.range(49152, 65535);
    f.cid = this.rng.u32() & 0xffff;
    this.flows++;
    this.push(f);
    return t + this.rng.range(1, 25) * MS;
  }

  private tcp(t: number, c: Host, s: Host, port: number, msgs: Tpl[], wan: boolean): Flow {
    const r = this.rng;
    const f = new Flow(c, s);
    f.next = t;
    f.cport = r.range(49152, 65535);
    f.sport = port;
    f.msgs = msgs;
    f.cisn = r.u32();
    f.cseq = f.cisn;
    f.sseq = r.u32();
    f.cid = r.u32() & 0xffff;
    f.sid = r.u32() & 0xffff;
    f.cwin = r.range(500, 2053);
    f.swin = r.range(200, 4000);
    f.rtt = wan ? r.range(8, 90) * MS : r.range(150, 1200) * US;
    f.gap = wan ? r.range(40, 400) * US : r.range(12, 150) * US;
    const x = r.float();
    f.close = x < 0.7 ? CLOSE_CLIENT_FIN : x < 0.9 ? CLOSE_SERVER_FIN : CLOSE_RST;
    f.hdrC = this.header(c, s, f.cport, port);
    f.hdrS = this.header(s, c, port, f.cport);
    // Constant words: IP version/IHL/TOS, flags/fragment, TTL/protocol, addresses; TCP pseudo-
    // header addresses and protocol, ports, urgent pointer.
    const ipBase = (h: Uint8Array) => word(h, 14) + word(h, 20) + word(h, 22) + word(h, 26) + word(h, 28) + word(h, 30) + word(h, 32);
    const tcpBase = (h: Uint8Array) => word(h, 26) + word(h, 28) + word(h, 30) + word(h, 32) + 6 + word(h, 34) + word(h, 36) + word(h, 52);
    f.ipBaseC = ipBase(f.hdrC);
    f.ipBaseS = ipBase(f.hdrS);
    f.tcpBaseC = tcpBase(f.hdrC);
    f.tcpBaseS = tcpBase(f.hdrS);
    return f;
  }

  private header(a: Host, b: Host, sport: number, dport: number): Uint8Array {
    const o = this.fo;
    o.srcIp = a.ip;
    o.dstIp = b.ip;
    o.srcMac = a.mac;
    o.dstMac = b.mac;
    o.ttl = a.ttl;
    o.sport = sport;
    o.dport = dport;
    o.seq = 0;
    o.ack = 0;
    o.flags = 0;
    o.win = 0;
    o.id = 0;
    o.payload = this.empty;
    o.options = undefined;
    const h = new Uint8Array(HDR);
    writeTcpFrame(h, 0, o);
    return h;
  }

  private startHttp(t: number, c: Host, site: Site, wan: boolean): void {
    const r = this.rng;
    const w = this.w;
    const msgs: Tpl[] = [];
    const exchanges = 1 + Math.min(7, Math.floor(r.exp(1.5)));
    for (let i = 0; i < exchanges; i++) {
      const req = r.pick(site.reqs);
      msgs.push(req.msg);
      const x = r.float();
      if (req.kind === 0 && x < 0.08) msgs.push(w.notModified);
      else if (x < 0.11) msgs.push(w.notFound);
      else if (req.kind === 0 && x < 0.13) msgs.push(w.redirect);
      else msgs.push(w.responses[req.kind]![r.weighted(w.respWeights[req.kind]!)]!);
    }
    const at = this.lookup(t, c, site.host);
    this.push(this.tcp(at, c, site.host, site.port, msgs, wan));
  }

  private startTls(t: number, c: Host, site: TlsSite, wan: boolean): void {
    const r = this.rng;
    const w = this.w;
    const msgs: Tpl[] = [r.pick(site.hellos), r.pick(w.tlsServerFlights), r.pick(w.tlsClientFinished), w.tlsResponses[r.weighted(w.tlsRespWeights)]!];
    const more = Math.min(10, Math.floor(r.exp(1.2)));
    for (let i = 0; i < more; i++) msgs.push(r.pick(w.tlsRequests), w.tlsResponses[r.weighted(w.tlsRespWeights)]!);
    const at = this.lookup(t, c, site.host);
    this.push(this.tcp(at, c, site.host, 443, msgs, wan));
  }

  // -- packets ------------------------------------------------------------------

  private emit(t: number, len: number): void {
    if (len < ETH_MIN_FRAME) {
      this.scratch.fill(0, len, ETH_MIN_FRAME);
      len = ETH_MIN_FRAME;
    }
    const s = Math.floor(t / NS_PER_SEC);
    this.sink.packet(this.startSec + s, Math.floor(t - s * NS_PER_SEC), this.views[len]!);
    this.packets++;
    this.bytes += len;
  }

  private emitFrame(t: number, frame: Uint8Array): void {
    this.scratch.set(frame);
    this.emit(t, frame.length);
  }

  /**
   * A segment with ACK set and no options: the flow's header template, patched. Checksums
   * come from word sums: the header's constant part (Flow.ipBaseC and friends), the patched
   * fields, and the payload slice's sum from its template's prefix table (`off` is always
   * even: segments start at multiples of the even MSS).
   */
  private seg(f: Flow, t: number, fromClient: boolean, flags: number, m: Tpl | null, off: number, n: number): void {
    const out = this.scratch;
    out.set(fromClient ? f.hdrC! : f.hdrS!);
    let psum = 0;
    if (m !== null && n > 0) {
      const d = m.data;
      out.set(d.subarray(off, off + n), HDR);
      const a = off >>> 1;
      psum = m.pre[a + (n >>> 1)]! - m.pre[a]!;
      if (psum < 0) psum += 0xffff;
      if (n & 1) psum += d[off + n - 1]! << 8;
    }
    let id: number, seq: number, ack: number, win: number, ipBase: number, tcpBase: number;
    if (fromClient) {
      id = f.cid;
      f.cid = (id + 1) & 0xffff;
      seq = f.cseq;
      ack = f.sseq;
      win = f.cwin;
      ipBase = f.ipBaseC;
      tcpBase = f.tcpBaseC;
    } else {
      id = f.sid;
      f.sid = (id + 1) & 0xffff;
      seq = f.sseq;
      ack = f.cseq;
      win = f.swin;
      ipBase = f.ipBaseS;
      tcpBase = f.tcpBaseS;
    }
    const ipLen = 40 + n;
    out[IP_LEN] = ipLen >>> 8;
    out[IP_LEN + 1] = ipLen & 0xff;
    out[IP_ID] = id >>> 8;
    out[IP_ID + 1] = id & 0xff;
    const ipck = checksumOf(ipBase + ipLen + id);
    out[IP_CKSUM] = ipck >>> 8;
    out[IP_CKSUM + 1] = ipck & 0xff;
    out[TCP_SEQ] = seq >>> 24;
    out[TCP_SEQ + 1] = (seq >>> 16) & 0xff;
    out[TCP_SEQ + 2] = (seq >>> 8) & 0xff;
    out[TCP_SEQ + 3] = seq & 0xff;
    out[TCP_ACKNO] = ack >>> 24;
    out[TCP_ACKNO + 1] = (ack >>> 16) & 0xff;
    out[TCP_ACKNO + 2] = (ack >>> 8) & 0xff;
    out[TCP_ACKNO + 3] = ack & 0xff;
    out[TCP_OFF_FLAGS] = 0x50;
    out[TCP_OFF_FLAGS + 1] = flags;
    out[TCP_WIN] = win >>> 8;
    out[TCP_WIN + 1] = win & 0xff;
    const sum = tcpBase + 20 + n + (seq >>> 16) + (seq & 0xffff) + (ack >>> 16) + (ack & 0xffff) + (0x5000 | flags) + win + psum;
    const tcpck = checksumOf(sum);
    out[TCP_CKSUM] = tcpck >>> 8;
    out[TCP_CKSUM + 1] = tcpck & 0xff;
    this.emit(t, HDR + n);
  }

  /** SYN and SYN-ACK (they carry options) through writeTcpFrame itself. */
  private synSeg(f: Flow, t: number, fromClient: boolean, flags: number, options: Uint8Array): void {
    const o = this.fo;
    const payload = this.empty;
    const a = fromClient ? f.c : f.s;
    const b = fromClient ? f.s : f.c;
    o.srcIp = a.ip;
    o.dstIp = b.ip;
    o.srcMac = a.mac;
    o.dstMac = b.mac;
    o.ttl = a.ttl;
    o.flags = flags;
    o.payload = payload;
    o.options = options;
    if (fromClient) {
      o.sport = f.cport;
      o.dport = f.sport;
      o.seq = f.cseq;
      o.ack = flags & TCP_ACK ? f.sseq : 0;
      o.id = f.cid;
      f.cid = (f.cid + 1) & 0xffff;
      o.win = flags & TCP_SYN ? 64240 : f.cwin;
    } else {
      o.sport = f.sport;
      o.dport = f.cport;
      o.seq = f.sseq;
      o.ack = f.cseq;
      o.id = f.sid;
      f.sid = (f.sid + 1) & 0xffff;
      o.win = flags & TCP_SYN ? 65535 : f.swin;
    }
    this.emit(t, writeTcpFrame(this.scratch, 0, o));
  }

  private step(f: Flow, t: number): void {
    switch (f.kind) {
      case K_TCP:
        return this.stepTcp(f, t);
      case K_DNS:
        return this.stepDns(f, t);
      case K_ICMP:
        return this.stepIcmp(f, t);
      default:
        return this.stepArp(f, t);
    }
  }

  private stepTcp(f: Flow, t: number): void {
    const r = this.rng;
    switch (f.phase) {
      case P_SYN:
        this.synSeg(f, t, true, TCP_SYN, this.w.synOpts);
        f.cseq = (f.cisn + 1) >>> 0;
        f.phase = f.close === CLOSE_REFUSED ? P_REFUSE : P_SYNACK;
        f.next = t + f.rtt;
        return;
      case P_REFUSE: {
        // RFC 9293 §3.10.7.1: the RST for a closed port acknowledges the SYN, with seq 0.
        f.sseq = 0;
        this.seg(f, t, false, TCP_RST | TCP_ACK, null, 0, 0);
        f.phase = P_DONE;
        return;
      }
      case P_SYNACK:
        this.synSeg(f, t, false, TCP_SYN | TCP_ACK, this.w.synAckOpts);
        f.sseq = (f.sseq + 1) >>> 0;
        f.phase = P_HSACK;
        f.next = t + r.range(20, 120) * US;
        return;
      case P_HSACK:
        this.seg(f, t, true, TCP_ACK, null, 0, 0);
        f.phase = f.msgs.length > 0 ? P_DATA : this.teardownPhase(f);
        f.next = t + r.range(30, 400) * US;
        return;
      case P_DATA: {
        const m = f.msgs[f.mi]!;
        const fromClient = m.fromClient;
        const len = m.data.length;
        const n = Math.min(MSS, len - f.off);
        const last = f.off + n >= len;
        this.seg(f, t, fromClient, last ? TCP_PSH | TCP_ACK : TCP_ACK, m, f.off, n);
        if (fromClient) f.cseq = (f.cseq + n) >>> 0;
        else f.sseq = (f.sseq + n) >>> 0;
        f.unacked++;
        if (!last) {
          f.off += n;
          if (f.unacked >= 2) {
            f.phase = P_ACK;
            f.ackFromClient = !fromClient;
            f.afterAck = f.gap;
            f.next = t + r.range(15, 90) * US;
          } else {
            f.next = t + f.gap;
          }
          return;
        }
        f.mi++;
        f.off = 0;
        const nextMsg = f.msgs[f.mi];
        const think = nextMsg === undefined ? r.exp(40 * MS) : nextMsg.fromClient ? f.rtt + r.exp(120 * MS) : f.rtt + r.exp(3 * MS);
        if (nextMsg === undefined || nextMsg.fromClient === fromClient || f.unacked >= 2 || r.chance(0.35)) {
          f.phase = P_ACK;
          f.ackFromClient = !fromClient;
          const ackDelay = f.unacked >= 2 ? r.range(15, 90) * US : r.range(200, 40000) * US;
          f.afterAck = Math.max(think - ackDelay, r.range(20, 200) * US);
          f.next = t + ackDelay;
        } else {
          f.unacked = 0;
          f.next = t + think;
        }
        return;
      }
      case P_ACK:
        this.seg(f, t, f.ackFromClient, TCP_ACK, null, 0, 0);
        f.unacked = 0;
        if (f.mi < f.msgs.length) {
          f.phase = P_DATA;
          f.next = t + f.afterAck;
        } else {
          f.phase = this.teardownPhase(f);
          f.next = t + f.afterAck;
        }
        return;
      case P_RST:
        this.seg(f, t, true, TCP_RST | TCP_ACK, null, 0, 0);
        f.phase = P_DONE;
        return;
      case P_FIN_A: {
        const byClient = f.close === CLOSE_CLIENT_FIN;
        this.seg(f, t, byClient, TCP_FIN | TCP_ACK, null, 0, 0);
        if (byClient) f.cseq = (f.cseq + 1) >>> 0;
        else f.sseq = (f.sseq + 1) >>> 0;
        f.phase = P_FIN_B;
        f.next = t + f.rtt * 0.5 + r.range(20, 300) * US;
        return;
      }
      case P_FIN_B: {
        const byClient = f.close !== CLOSE_CLIENT_FIN;
        this.seg(f, t, byClient, TCP_FIN | TCP_ACK, null, 0, 0);
        if (byClient) f.cseq = (f.cseq + 1) >>> 0;
        else f.sseq = (f.sseq + 1) >>> 0;
        f.phase = P_FIN_C;
        f.next = t + f.rtt * 0.5 + r.range(20, 300) * US;
        return;
      }
      case P_FIN_C:
        this.seg(f, t, f.close === CLOSE_CLIENT_FIN, TCP_ACK, null, 0, 0);
        f.phase = P_DONE;
        return;
      default:
        f.phase = P_DONE;
    }
  }

  private teardownPhase(f: Flow): number {
    return f.close === CLOSE_RST ? P_RST : P_FIN_A;
  }

  private stepDns(f: Flow, t: number): void {
    const d = f.dns!;
    const fromClient = f.count === 0;
    const payload = fromClient ? d.query : d.response;
    // The templates carry id 0: the transaction id is patched in just before the copy.
    payload[0] = f.cid >>> 8;
    payload[1] = f.cid & 0xff;
    const o = this.uo;
    const a = fromClient ? f.c : f.s;
    const b = fromClient ? f.s : f.c;
    o.srcIp = a.ip;
    o.dstIp = b.ip;
    o.srcMac = a.mac;
    o.dstMac = b.mac;
    o.ttl = a.ttl;
    o.sport = fromClient ? f.cport : 53;
    o.dport = fromClient ? 53 : f.cport;
    o.id = (f.cid * 7 + f.count) & 0xffff;
    o.payload = payload;
    this.emit(t, writeUdpFrame(this.scratch, 0, o));
    f.count++;
    if (f.count >= 2) f.phase = P_DONE;
    else f.next = t + this.rng.range(300, 20000) * US;
  }

  private stepIcmp(f: Flow, t: number): void {
    // f.mi counts packets sent: even ones are requests, odd ones their replies.
    const reply = (f.mi & 1) === 1;
    const seq = (f.mi >> 1) + 1;
    f.mi++;
    const s = Math.floor(t / NS_PER_SEC);
    const payload = pingPayload(this.startSec + s, Math.floor((t - s * NS_PER_SEC) / 1000));
    const frame = reply ? icmpEchoFrame(f.s, f.c, true, f.ident, seq, f.sid++ & 0xffff, payload) : icmpEchoFrame(f.c, f.s, false, f.ident, seq, f.cid++ & 0xffff, payload);
    this.emitFrame(t, frame);
    f.count--;
    if (f.count <= 0) f.phase = P_DONE;
    else f.next = t + (reply ? NS_PER_SEC - f.rtt : f.rtt);
  }

  private stepArp(f: Flow, t: number): void {
    if (f.count === 2) {
      this.emitFrame(t, arpFrame(1, f.c, f.s));
      f.count = 1;
      f.next = t + this.rng.range(50, 800) * US;
    } else {
      this.emitFrame(t, arpFrame(2, f.s, f.c));
      f.phase = P_DONE;
    }
  }
}

/**
 * Streams synthetic traffic into `sink` until its offset reaches `targetBytes`. The same
 * seed (default 1) and start time always give the same bytes. Conversations still open at
 * the end are cut off mid-way, as in a capture stopped on a busy link.
 */
export function generateTraffic(sink: FrameSink, opts: TrafficOptions): TrafficResult {
  if (!Number.isFinite(opts.targetBytes) || opts.targetBytes < 0) throw new RangeError(`targetBytes must be a non-negative number, got ${opts.targetBytes}`);
  return new Generator(sink, opts).run();
}
