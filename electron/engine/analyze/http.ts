/**
 * HTTP/1.x analyzer: requests and responses from reassembled TCP bytes.
 *
 * References: RFC 9112 (HTTP/1.1 message syntax): §2.1 message format (start-line, header
 * lines, empty line, body), §2.2 (a recipient SHOULD ignore at least one empty line before a
 * request-line; bare LF may be accepted as a line terminator), §3 request-line
 * (method SP request-target SP HTTP-version), §4 status-line (HTTP-version SP 3DIGIT SP
 * [reason-phrase]), §5 field lines (no whitespace before the colon; obs-fold), §6.1
 * Transfer-Encoding, §6.3 message body length (HEAD, 1xx, 204 and 304 responses have none;
 * a 2xx answer to CONNECT starts a tunnel; Transfer-Encoding overrides Content-Length; a
 * response with neither is delimited by close; a request with neither has no body), §7.1
 * chunked coding (chunk-size in hex, extensions after ';', trailer section). RFC 9110 §9
 * (methods), §15 (status codes), §7.8 (101 Switching Protocols / Upgrade).
 *
 * What is emitted mirrors Wireshark 4.0's HTTP dissector with TCP reassembly on (checked
 * against tshark 4.0.17): the fields of a message go on the frame that completes it, in
 * Wireshark's tree order; header lines are `http.request.line` / `http.response.line` with
 * their CRLF; the Info column is the start line plus a space, then what the body's media
 * dissector adds (" (text/html)", " (PNG)", ", JavaScript Object Notation (...)"), and
 * several messages completed in one frame concatenate their Info with no separator.
 * Wireshark's request/response numbering pairs a response only with the most recent
 * request (a pipelined burst gets one match); that numbering drives the http.*_number and
 * http.*_in fields, while the record's `requestFrame` uses the correct FIFO pairing.
 */
import type { AppSink, Dir, FrameCtx, HttpRequestRecord, HttpResponseRecord, StreamInfo, TcpParser, BodyInfo } from './types.js';
import {
  BodyAccumulator,
  MAX_FORM_PARAMS,
  MAX_PARAM_VALUE,
  dispositionFilename,
  headerParam,
  parseMultipart,
  parseUrlEncoded,
  percentDecode,
  type BodyResult,
  type HashAlgo,
} from './http-body.js';
import { mediaType } from './mime.js';

/** Bytes of one header block (start line + fields): servers refuse far less (8-16 KiB is typical); beyond this the stream is not HTTP we can frame. */
export const MAX_HEADER_BLOCK = 64 * 1024;
/** A start line longer than this without LF is not HTTP (URIs in the wild stay well under it). */
export const MAX_START_LINE = 16 * 1024;
/** Header fields emitted and recorded per message: real messages carry tens; the rest are counted as an anomaly. */
export const MAX_HEADERS = 256;
/** Characters of a header value kept in a record (the fields carry the full value, as Wireshark shows it). */
export const MAX_HEADER_VALUE = 4096;
/** A chunk-size line (hex size plus extensions): RFC 9112 §7.1.1 extensions are short; longer is an attack. */
export const MAX_CHUNK_LINE = 4096;
/** Trailer section bytes after the last chunk: trailers are a few fields. */
export const MAX_TRAILER = 64 * 1024;
/** Requests awaiting their response (pipelining depth): browsers pipeline a handful, scanners tens. */
export const MAX_PENDING = 1024;
/** Default bytes of a decoded body kept for onBody (objects to export). */
export const DEFAULT_MAX_KEEP_BODY = 16 * 1024 * 1024;
/** Bytes of a form body buffered to extract parameters (urlencoded, multipart uploads with small files). */
export const MAX_FORM_BUFFER = 8 * 1024 * 1024;
/** Bytes probed at a line start while resynchronising: enough for the longest method name plus a space, or "HTTP/1.". */
const RESYNC_PROBE = 24;
/** Start-line candidates tried inside one bad line (bounds the work on a line full of method names). */
const MAX_START_CANDIDATES = 8;

const CR = 0x0d;
const LF = 0x0a;

/** Request methods Wireshark's HTTP dissector recognises (RFC 9110 §9, WebDAV RFC 4918/3253/3648/3744/5842, CalDAV, RPC over HTTP). */
const METHODS: ReadonlySet<string> = new Set([
  'GET',
  'POST',
  'HEAD',
  'PUT',
  'DELETE',
  'OPTIONS',
  'TRACE',
  'CONNECT',
  'PATCH',
  'PROPFIND',
  'PROPPATCH',
  'MKCOL',
  'COPY',
  'MOVE',
  'LOCK',
  'UNLOCK',
  'SEARCH',
  'REPORT',
  'CHECKOUT',
  'CHECKIN',
  'UNCHECKOUT',
  'MERGE',
  'MKACTIVITY',
  'MKWORKSPACE',
  'UPDATE',
  'LABEL',
  'VERSION-CONTROL',
  'BASELINE-CONTROL',
  'ACL',
  'BIND',
  'UNBIND',
  'REBIND',
  'ORDERPATCH',
  'MKREDIRECTREF',
  'UPDATEREDIRECTREF',
  'MKCALENDAR',
  'NOTIFY',
  'SUBSCRIBE',
  'UNSUBSCRIBE',
  'POLL',
  'BCOPY',
  'BDELETE',
  'BMOVE',
  'BPROPFIND',
  'BPROPPATCH',
  'LINK',
  'UNLINK',
  'PURGE',
  'RPC_IN_DATA',
  'RPC_OUT_DATA',
  'RPC_CONNECT',
  'M-SEARCH',
  'ANNOUNCE',
  'DESCRIBE',
  'SETUP',
  'PLAY',
]);
const START_PROBES: readonly string[] = [...[...METHODS].map((m) => `${m} `), 'HTTP/1.'];

/** Header → Wireshark field, for the headers Wireshark names (others are only a request/response line). */
const HEADER_FIELDS: Readonly<Record<string, string>> = {
  host: 'http.host',
  'user-agent': 'http.user_agent',
  cookie: 'http.cookie',
  referer: 'http.referer',
  authorization: 'http.authorization',
  'proxy-authorization': 'http.proxy_authorization',
  'proxy-authenticate': 'http.proxy_authenticate',
  'www-authenticate': 'http.www_authenticate',
  'content-type': 'http.content_type',
  'content-length': 'http.content_length_header',
  'content-encoding': 'http.content_encoding',
  'transfer-encoding': 'http.transfer_encoding',
  connection: 'http.connection',
  accept: 'http.accept',
  'accept-encoding': 'http.accept_encoding',
  'accept-language': 'http.accept_language',
  server: 'http.server',
  location: 'http.location',
  'set-cookie': 'http.set_cookie',
  'x-forwarded-for': 'http.x_forwarded_for',
  date: 'http.date',
  'cache-control': 'http.cache_control',
  'last-modified': 'http.last_modified',
  upgrade: 'http.upgrade',
};

/** Wireshark's status-code descriptions (http.response.code.desc). */
const STATUS_DESC: Readonly<Record<number, string>> = {
  100: 'Continue',
  101: 'Switching Protocols',
  102: 'Processing',
  103: 'Early Hints',
  199: 'Informational - Others',
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  203: 'Non-authoritative Information',
  204: 'No Content',
  205: 'Reset Content',
  206: 'Partial Content',
  207: 'Multi-Status',
  208: 'Already Reported',
  226: 'IM Used',
  299: 'Success - Others',
  300: 'Multiple Choices',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  304: 'Not Modified',
  305: 'Use Proxy',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  399: 'Redirection - Others',
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  407: 'Proxy Authentication Required',
  408: 'Request Time-out',
  409: 'Conflict',
  410: 'Gone',
  411: 'Length Required',
  412: 'Precondition Failed',
  413: 'Request Entity Too Large',
  414: 'Request-URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Requested Range Not Satisfiable',
  417: 'Expectation Failed',
  418: "I'm a teapot",
  421: 'Misdirected Request',
  422: 'Unprocessable Entity',
  423: 'Locked',
  424: 'Failed Dependency',
  425: 'Too Early',
  426: 'Upgrade Required',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  451: 'Unavailable For Legal Reasons',
  499: 'Client Error - Others',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Time-out',
  505: 'HTTP Version not supported',
  506: 'Variant Also Negotiates',
  507: 'Insufficient Storage',
  508: 'Loop Detected',
  510: 'Not Extended',
  511: 'Network Authentication Required',
  599: 'Server Error - Others',
};

/** Media types Wireshark's XML dissector takes (its Info is left alone, its Protocol becomes HTTP/XML). */
function isXmlMedia(mt: string): boolean {
  return mt === 'text/xml' || mt === 'application/xml' || mt.endsWith('+xml') || mt === 'application/xml-dtd';
}
/** Media types Wireshark's JSON dissector takes. */
function isJsonMedia(mt: string): boolean {
  return mt === 'application/json' || mt === 'application/json-rpc' || mt === 'application/jsonrequest' || mt === 'application/x-json';
}

// ---- helpers ------------------------------------------------------------------------------

/** Bytes as Wireshark shows an ASCII string: bytes >= 0x80 become U+FFFD. */
function asciiText(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    s += c < 0x80 ? String.fromCharCode(c) : '\ufffd';
  }
  return s;
}

/** Bytes as a byte string (one code unit per byte), for percent-decoding. */
function latin1Text(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

function startsWithText(b: Uint8Array, s: string): boolean {
  if (b.length < s.length) return false;
  for (let i = 0; i < s.length; i++) if (b[i] !== s.charCodeAt(i)) return false;
  return true;
}

/** 'yes' when `b` (a line prefix) starts with a method and space or "HTTP/1.", 'no' when it cannot, 'maybe' when too short to say. */
function probeStart(b: Uint8Array): 'yes' | 'no' | 'maybe' {
  let maybe = false;
  for (const p of START_PROBES) {
    const n = Math.min(p.length, b.length);
    let ok = true;
    for (let i = 0; i < n; i++) {
      if (b[i] !== p.charCodeAt(i)) {
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    if (b.length >= p.length) return 'yes';
    maybe = true;
  }
  return maybe ? 'maybe' : 'no';
}

/**
 * Whether a stream's first bytes in `dir` start an HTTP/1.x message: a request line with a
 * known method followed by a space, or a status line starting "HTTP/1.". Leading empty
 * lines are skipped (RFC 9112 §2.2). Used to choose HTTP on any port.
 */
export function looksLikeHttp(firstBytes: Uint8Array, _dir: Dir): boolean {
  let i = 0;
  // A few empty lines at most: more is not the start of an HTTP stream.
  while (i < firstBytes.length && i < 8 && (firstBytes[i] === CR || firstBytes[i] === LF)) i++;
  return probeStart(firstBytes.subarray(i, i + RESYNC_PROBE)) === 'yes';
}

/** A growable byte buffer with a hard cap. */
class ByteBuf {
  buf = new Uint8Array(256);
  len = 0;
  /** Appends; false (nothing appended) when the cap would be exceeded. */
  push(b: Uint8Array, cap: number): boolean {
    if (this.len + b.length > cap) return false;
    if (this.len + b.length > this.buf.length) {
      let n = this.buf.length * 2;
      while (n < this.len + b.length) n *= 2;
      const nb = new Uint8Array(Math.min(n, Math.max(cap, this.len + b.length)));
      nb.set(this.buf.subarray(0, this.len));
      this.buf = nb;
    }
    this.buf.set(b, this.len);
    this.len += b.length;
    return true;
  }
  view(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
  clear(): void {
    this.len = 0;
    if (this.buf.length > 4096) this.buf = new Uint8Array(256);
  }
}

interface Header {
  name: string;
  value: string;
  /** The whole line with its terminator, as http.request.line / http.response.line. */
  line: string;
  /** The value as a byte string (latin1), for parameters and file names. */
  raw: string;
}

interface PendingRequest {
  method: string;
  uri: string;
  /** Frame that completed the request; null until its body ends. */
  frame: number | null;
}

interface Message {
  request: boolean;
  startLine: string;
  method: string;
  uri: string;
  uriRaw: string;
  version: string;
  code: number;
  phrase: string;
  headers: Header[];
  droppedHeaders: number;
  contentType: string | null;
  firstFrame: number;
  /** Body framing decided from the headers. */
  framing: 'none' | 'length' | 'chunked' | 'close';
  encodings: string[];
  wireLength: number;
  acc: BodyAccumulator | null;
  /** A gap or a framing error lost body bytes. */
  broken: boolean;
  pending: PendingRequest | null;
  /** For a request: its FIFO entry (frame filled when it completes). */
  own: PendingRequest | null;
  /** After this message the connection stops being HTTP (101, CONNECT 2xx). */
  switches: boolean;
}

type Mode = 'start' | 'headers' | 'body' | 'resync' | 'dead';
type ChunkState = 'size' | 'data' | 'data-crlf' | 'trailer';

interface DirState {
  mode: Mode;
  hbuf: ByteBuf;
  /** The start line was checked (hbuf holds more than it). */
  startChecked: boolean;
  firstFrame: number;
  /** The data() call in which the current message started (see partialInfo). */
  startCall: number;
  msg: Message | null;
  remaining: number;
  chunk: ChunkState;
  lbuf: ByteBuf;
  trailerBytes: number;
  /** Resync: skipping to the next LF. */
  rskip: boolean;
  rline: ByteBuf;
  /** Objects reported through onBody for frame `objFrame`, to number them. */
  objFrame: number;
  objIndex: number;
}

function newDir(): DirState {
  return {
    mode: 'start',
    hbuf: new ByteBuf(),
    startChecked: false,
    firstFrame: 0,
    startCall: -1,
    msg: null,
    remaining: 0,
    chunk: 'size',
    lbuf: new ByteBuf(),
    trailerBytes: 0,
    rskip: false,
    rline: new ByteBuf(),
    objFrame: -1,
    objIndex: 0,
  };
}

/** Wireshark's request/response bookkeeping entry (see the header comment). */
interface WsEntry {
  number: number;
  reqFrame: number;
  resFrame: number;
}

export interface HttpParserOptions {
  /** Called with each complete decoded body (index 0.. per frame and direction: the message body, then its multipart file parts). */
  onBody?: (b: { frame: number; dir: Dir; index: number }, bytes: Uint8Array) => void;
  /** Largest body handed to onBody (default DEFAULT_MAX_KEEP_BODY). */
  maxKeepBody?: number;
  /** Digests computed for each body as it streams (default all three; the ingest computes
   * SHA-256 only and fills MD5/SHA-1 on demand by re-extracting the body). */
  hashes?: readonly HashAlgo[];
}

export class HttpParser implements TcpParser {
  private readonly info: StreamInfo;
  private readonly opts: HttpParserOptions;
  private readonly keepLimit: number;
  private readonly dirs: [DirState, DirState] = [newDir(), newDir()];
  private readonly pending: PendingRequest[] = [];
  private pendingOverflow = false;
  // Wireshark-numbering state.
  private wsCounter = 0;
  private wsTail: WsEntry | null = null;
  private wsBeforeTail: WsEntry | null = null;
  private wsLastUri: string | null = null;
  // Columns of the current call.
  private infos: string[] = [];
  private proto = 'HTTP';
  private callSeq = 0;

  constructor(info: StreamInfo, opts?: HttpParserOptions) {
    this.info = info;
    this.opts = opts ?? {};
    this.keepLimit = this.opts.onBody ? Math.max(0, this.opts.maxKeepBody ?? DEFAULT_MAX_KEEP_BODY) : 0;
  }

  data(dir: Dir, bytes: Uint8Array, ctx: FrameCtx): void {
    this.infos = [];
    this.callSeq++;
    try {
      this.feed(dir, bytes, ctx);
      if (this.infos.length > 0) this.partialInfo(this.dirs[dir]);
    } catch (e) {
      // A bug must cost this direction only, never loop or escape.
      ctx.sink.anomaly('http', `analyzer error: ${e instanceof Error ? e.message : String(e)}`);
      this.dirs[dir].mode = 'dead';
    }
    this.flushColumns(ctx.sink);
  }

  /**
   * Wireshark writes a message's start line to Info as soon as it parses it, before asking
   * TCP for the rest; so a frame that completes messages and then starts another whose
   * start line it holds shows that line too. (A frame that completes nothing shows TCP's
   * "[TCP segment of a reassembled PDU]", which is the framework's business.)
   */
  private partialInfo(d: DirState): void {
    if (d.startCall !== this.callSeq) return;
    if (d.mode === 'body' && d.msg) {
      this.infos.push(`${d.msg.startLine} `);
    } else if (d.mode === 'headers' && d.startChecked) {
      const v = d.hbuf.view();
      const lf = v.indexOf(LF);
      if (lf >= 0) this.infos.push(`${asciiText(trimEol(v.subarray(0, lf + 1)))} `);
    }
  }

  gap(dir: Dir, length: number, ctx: FrameCtx): void {
    this.infos = [];
    try {
      this.onGap(dir, length, ctx);
    } catch (e) {
      ctx.sink.anomaly('http', `analyzer error: ${e instanceof Error ? e.message : String(e)}`);
      this.dirs[dir].mode = 'dead';
    }
    this.flushColumns(ctx.sink);
  }

  end(dir: Dir, ctx: FrameCtx | null): void {
    this.infos = [];
    try {
      this.onEnd(dir, ctx);
    } catch (e) {
      ctx?.sink.anomaly('http', `analyzer error: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.dirs[dir].mode = 'dead';
    if (ctx) this.flushColumns(ctx.sink);
  }

  private flushColumns(sink: AppSink): void {
    if (this.infos.length > 0) sink.columns(this.proto, this.infos.join(''));
    this.infos = [];
    this.proto = 'HTTP';
  }

  // ---- byte loop ----------------------------------------------------------------------------

  private feed(dir: Dir, bytes: Uint8Array, ctx: FrameCtx): void {
    const d = this.dirs[dir];
    let off = 0;
    // Every step consumes a byte or changes state; a state change without consuming can
    // happen at most a few times per byte, so this bound is never hit by a correct parser.
    let guard = bytes.length * 4 + 64;
    while (off < bytes.length) {
      if (--guard < 0) {
        ctx.sink.anomaly('http', 'analyzer made no progress: direction given up');
        d.mode = 'dead';
        return;
      }
      switch (d.mode) {
        case 'dead':
          return;
        case 'start': {
          const c = bytes[off]!;
          // RFC 9112 §2.2: empty lines before a message are ignored.
          if (c === CR || c === LF) {
            off++;
            break;
          }
          d.mode = 'headers';
          d.hbuf.clear();
          d.startChecked = false;
          d.firstFrame = ctx.frame;
          d.startCall = this.callSeq;
          break;
        }
        case 'headers':
          off = this.headers(dir, d, bytes, off, ctx);
          break;
        case 'body':
          off = this.body(dir, d, bytes, off, ctx);
          break;
        case 'resync':
          off = this.resync(d, bytes, off, ctx);
          break;
      }
    }
  }

  private headers(dir: Dir, d: DirState, bytes: Uint8Array, off: number, ctx: FrameCtx): number {
    if (!d.startChecked) {
      // Take bytes up to and including the first LF, then check the start line before
      // buffering more, so a non-HTTP line is rejected early and the rest resynchronises.
      let lf = -1;
      for (let i = off; i < bytes.length; i++) {
        if (bytes[i] === LF) {
          lf = i;
          break;
        }
      }
      const take = lf >= 0 ? lf + 1 - off : bytes.length - off;
      if (!d.hbuf.push(bytes.subarray(off, off + take), MAX_START_LINE)) {
        ctx.sink.anomaly('http', `start line longer than ${MAX_START_LINE} bytes`);
        this.toResync(d, true);
        return off;
      }
      // Buffered up to MAX_START_LINE even when it does not start like HTTP: a stray byte
      // (e.g. a keep-alive probe's) may precede the real start line (findStartInLine).
      if (lf < 0) return off + take;
      d.startChecked = true;
      const line = d.hbuf.view();
      if (!this.checkStartLine(line)) {
        const at = this.findStartInLine(line);
        if (at > 0) {
          // Stray bytes before a message (a keep-alive byte, the tail of a misframed body).
          ctx.sink.anomaly('http', `${at} bytes before an HTTP start line skipped`);
          const rest = line.slice(at);
          d.hbuf.clear();
          d.hbuf.push(rest, MAX_START_LINE);
          d.firstFrame = ctx.frame;
          d.startCall = this.callSeq;
        } else {
          ctx.sink.anomaly('http', `not an HTTP request or status line: ${JSON.stringify(asciiText(line.subarray(0, 64)))}`);
          this.toResync(d, false);
        }
      }
      return off + take;
    }
    // Find the empty line that ends the header block in the bytes now arriving.
    for (let i = off; i < bytes.length; i++) {
      if (bytes[i] !== LF) continue;
      const n = i + 1 - off;
      if (!d.hbuf.push(bytes.subarray(off, i + 1), MAX_HEADER_BLOCK)) {
        return this.headerOverflow(d, ctx, off);
      }
      off += n;
      const v = d.hbuf.view();
      const L = v.length;
      // The LF just added ends an empty line when the previous line ended right before it.
      const empty = v[L - 2] === LF || (v[L - 2] === CR && v[L - 3] === LF);
      if (empty) {
        this.headersDone(dir, d, ctx);
        return off;
      }
      i = off - 1;
    }
    if (!d.hbuf.push(bytes.subarray(off), MAX_HEADER_BLOCK)) return this.headerOverflow(d, ctx, off);
    return bytes.length;
  }

  private headerOverflow(d: DirState, ctx: FrameCtx, off: number): number {
    ctx.sink.anomaly('http', `header block longer than ${MAX_HEADER_BLOCK} bytes: direction given up`);
    d.mode = 'dead';
    d.hbuf.clear();
    return off;
  }

  /**
   * A status line needs "HTTP/d.d SP 3DIGIT"; a request line a known method, a space and a
   * non-empty target. The version is what follows the second space, unchecked, as in
   * Wireshark (which shows a target containing a space with the rest as the version).
   */
  private checkStartLine(line: Uint8Array): boolean {
    const t = asciiText(trimEol(line));
    if (t.startsWith('HTTP/')) return /^HTTP\/\d\.\d \d{3}( |$)/.test(t);
    const sp = t.indexOf(' ');
    if (sp <= 0 || !METHODS.has(t.slice(0, sp))) return false;
    return t.length > sp + 1 && t[sp + 1] !== ' ';
  }

  /** Offset of a valid start line inside `line` after some leading bytes, or -1 (tries a bounded number of candidates). */
  private findStartInLine(line: Uint8Array): number {
    let tries = 0;
    for (let p = 1; p < line.length && tries < MAX_START_CANDIDATES; p++) {
      const c = line[p]!;
      // Methods and "HTTP/" start with an upper-case letter.
      if (c < 0x41 || c > 0x5a) continue;
      if (probeStart(line.subarray(p, p + RESYNC_PROBE)) !== 'yes') continue;
      tries++;
      if (this.checkStartLine(line.subarray(p))) return p;
    }
    return -1;
  }

  private toResync(d: DirState, skipLine: boolean): void {
    d.mode = 'resync';
    d.rskip = skipLine;
    d.rline.clear();
    d.hbuf.clear();
    d.msg = null;
  }

  private resync(d: DirState, bytes: Uint8Array, off: number, ctx: FrameCtx): number {
    for (let i = off; i < bytes.length; i++) {
      const c = bytes[i]!;
      if (d.rskip) {
        if (c === LF) {
          d.rskip = false;
          d.rline.clear();
        }
        continue;
      }
      if (d.rline.len === 0 && (c === CR || c === LF)) continue;
      d.rline.push(bytes.subarray(i, i + 1), RESYNC_PROBE);
      const p = probeStart(d.rline.view());
      if (p === 'no') {
        d.rskip = c !== LF;
        d.rline.clear();
      } else if (p === 'yes') {
        d.mode = 'headers';
        d.hbuf.clear();
        d.hbuf.push(d.rline.view(), MAX_START_LINE);
        d.rline.clear();
        d.startChecked = false;
        d.firstFrame = ctx.frame;
        d.startCall = this.callSeq;
        return i + 1;
      }
    }
    return bytes.length;
  }

  // ---- header block -------------------------------------------------------------------------

  private headersDone(dir: Dir, d: DirState, ctx: FrameCtx): void {
    const block = d.hbuf.view();
    const lines: Uint8Array[] = [];
    let s = 0;
    for (let i = 0; i < block.length; i++) {
      if (block[i] === LF) {
        lines.push(block.subarray(s, i + 1));
        s = i + 1;
      }
    }
    d.hbuf.clear();
    const first = lines[0] ?? new Uint8Array(0);
    const startText = asciiText(trimEol(first));
    const m: Message = {
      request: !startText.startsWith('HTTP/'),
      startLine: startText,
      method: '',
      uri: '',
      uriRaw: '',
      version: '',
      code: 0,
      phrase: '',
      headers: [],
      droppedHeaders: 0,
      contentType: null,
      firstFrame: d.firstFrame,
      framing: 'none',
      encodings: [],
      wireLength: 0,
      acc: null,
      broken: false,
      pending: null,
      own: null,
      switches: false,
    };
    if (m.request) {
      // method SP target SP version (RFC 9112 §3), split at the first two spaces as Wireshark does.
      const sp1 = startText.indexOf(' ');
      let sp2 = startText.indexOf(' ', sp1 + 1);
      if (sp2 < 0) sp2 = startText.length;
      m.method = startText.slice(0, sp1);
      m.uri = startText.slice(sp1 + 1, sp2);
      m.version = startText.slice(sp2 + 1);
      m.uriRaw = latin1Text(trimEol(first)).slice(sp1 + 1, sp2);
    } else {
      const sp1 = startText.indexOf(' ');
      m.version = startText.slice(0, sp1);
      m.code = Number(startText.slice(sp1 + 1, sp1 + 4));
      m.phrase = startText.slice(sp1 + 5);
    }
    let badColon = false;
    let wsBeforeColon = false;
    for (let k = 1; k < lines.length - 1; k++) {
      const lineBytes = lines[k]!;
      const body = trimEol(lineBytes);
      // obs-fold (RFC 9112 §5.2): a line starting with whitespace continues the previous value.
      if ((body[0] === 0x20 || body[0] === 0x09) && m.headers.length > 0) {
        const prev = m.headers[m.headers.length - 1]!;
        prev.value += ' ' + asciiText(body).trim();
        prev.raw += ' ' + latin1Text(body).trim();
        continue;
      }
      const colon = body.indexOf(0x3a);
      const lineText = asciiText(lineBytes);
      if (colon <= 0) {
        badColon = true;
        if (m.headers.length < MAX_HEADERS) m.headers.push({ name: '', value: asciiText(body), line: lineText, raw: latin1Text(body) });
        else m.droppedHeaders++;
        continue;
      }
      const nameBytes = body.subarray(0, colon);
      if (nameBytes[nameBytes.length - 1] === 0x20 || nameBytes[nameBytes.length - 1] === 0x09) wsBeforeColon = true;
      let vs = colon + 1;
      while (vs < body.length && (body[vs] === 0x20 || body[vs] === 0x09)) vs++;
      const h: Header = {
        name: asciiText(nameBytes),
        value: asciiText(body.subarray(vs)),
        line: lineText,
        raw: latin1Text(body.subarray(vs)),
      };
      if (m.headers.length < MAX_HEADERS) m.headers.push(h);
      else {
        m.droppedHeaders++;
        // Framing headers beyond the cap still count, or the body would be misframed.
        const ln = h.name.toLowerCase();
        if (ln === 'content-length' || ln === 'transfer-encoding') m.headers.push(h);
      }
    }
    if (badColon) ctx.sink.anomaly('http', 'header line without a colon');
    if (wsBeforeColon) ctx.sink.anomaly('http', 'whitespace between header name and colon (RFC 9112 §5.1)');
    if (m.droppedHeaders > 0) ctx.sink.anomaly('http', `more than ${MAX_HEADERS} header lines: ${m.droppedHeaders} not kept`);
    this.frame(dir, d, m, ctx);
  }

  /** Decides the body framing (RFC 9112 §6.3) and starts the body or completes the message. */
  private frame(dir: Dir, d: DirState, m: Message, ctx: FrameCtx): void {
    const get = (n: string): Header[] => m.headers.filter((h) => h.name.toLowerCase() === n);
    const ct = get('content-type')[0];
    m.contentType = ct ? ct.value : null;
    const te = get('transfer-encoding')
      .flatMap((h) => h.value.split(','))
      .map((s) => s.trim().toLowerCase())
      .filter((s) => s.length > 0);
    const ce = get('content-encoding')
      .flatMap((h) => h.value.split(','))
      .map((s) => s.trim().toLowerCase())
      .filter((s) => s.length > 0 && s !== 'identity');
    const cls = get('content-length').map((h) => h.value.trim());
    let length: number | null = null;
    let badLength = false;
    for (const v of cls) {
      // RFC 9112 §6.3 item 5: a list of identical values may be taken as one; anything else is invalid.
      for (const part of v.split(',')) {
        const p = part.trim();
        if (!/^\d{1,15}$/.test(p)) {
          badLength = true;
          continue;
        }
        const n = Number(p);
        if (length !== null && length !== n) badLength = true;
        length = n;
      }
    }

    let hasBody = true;
    if (m.request) {
      m.own = { method: m.method, uri: m.uriRaw, frame: null };
      if (this.pending.length >= MAX_PENDING) {
        this.pending.shift();
        if (!this.pendingOverflow) ctx.sink.anomaly('http', `more than ${MAX_PENDING} requests awaiting a response`);
        this.pendingOverflow = true;
      }
      this.pending.push(m.own);
    } else {
      const informational = m.code >= 100 && m.code < 200;
      // 1xx do not answer the request (RFC 9110 §15.2): the final response still will.
      m.pending = (informational ? this.pending[0] : this.pending.shift()) ?? null;
      const method = m.pending?.method ?? '';
      if (informational || m.code === 204 || m.code === 304 || method === 'HEAD') hasBody = false;
      if (m.code === 101) m.switches = true;
      if (method === 'CONNECT' && m.code >= 200 && m.code < 300) {
        m.switches = true;
        hasBody = false;
      }
    }

    if (hasBody && te.length > 0) {
      if (cls.length > 0) ctx.sink.anomaly('http', 'both Transfer-Encoding and Content-Length (RFC 9112 §6.1: possible request smuggling)');
      const chunked = te[te.length - 1] === 'chunked';
      if (chunked) {
        m.framing = 'chunked';
      } else if (m.request) {
        // RFC 9112 §6.3 item 4: a request whose final transfer coding is not chunked cannot be framed.
        ctx.sink.anomaly('http', `request Transfer-Encoding "${te.join(', ')}" without final chunked: direction given up`);
        this.emit(dir, m, ctx, null, false);
        d.mode = 'dead';
        return;
      } else {
        m.framing = 'close';
      }
      m.encodings = [...te].reverse();
    } else if (hasBody && (cls.length > 0 || badLength)) {
      if (badLength || length === null) {
        ctx.sink.anomaly('http', `invalid Content-Length ${JSON.stringify(cls.join(', ').slice(0, 64))}: direction given up`);
        this.emit(dir, m, ctx, null, false);
        d.mode = 'dead';
        return;
      }
      m.framing = length > 0 ? 'length' : 'none';
      d.remaining = length;
    } else if (hasBody && !m.request) {
      m.framing = 'close';
    } else {
      m.framing = 'none';
    }
    if (m.framing === 'none') {
      d.msg = m;
      this.complete(dir, d, ctx, true);
      return;
    }
    // Codings to undo after the transfer framing: non-chunked transfer codings, then content codings (both in reverse of application).
    const decodeOrder = [...te.filter((c) => c !== 'chunked')].reverse().concat([...ce].reverse());
    m.encodings = [...(m.framing === 'chunked' ? ['chunked'] : []), ...decodeOrder];
    const mt = mediaType(m.contentType);
    const wantsForm = m.request && (mt === 'application/x-www-form-urlencoded' || mt === 'multipart/form-data');
    const collect = Math.max(this.keepLimit, wantsForm ? MAX_FORM_BUFFER : 0);
    m.acc = new BodyAccumulator(decodeOrder, m.contentType, collect, this.opts.hashes);
    d.msg = m;
    d.mode = 'body';
    d.chunk = 'size';
    d.lbuf.clear();
    d.trailerBytes = 0;
  }

  // ---- body ---------------------------------------------------------------------------------

  private body(dir: Dir, d: DirState, bytes: Uint8Array, off: number, ctx: FrameCtx): number {
    const m = d.msg!;
    if (m.framing === 'length') {
      const n = Math.min(d.remaining, bytes.length - off);
      m.acc!.write(bytes.subarray(off, off + n));
      m.wireLength += n;
      d.remaining -= n;
      if (d.remaining === 0) this.complete(dir, d, ctx, true);
      return off + n;
    }
    if (m.framing === 'close') {
      m.acc!.write(bytes.subarray(off));
      m.wireLength += bytes.length - off;
      return bytes.length;
    }
    // chunked (RFC 9112 §7.1)
    switch (d.chunk) {
      case 'data': {
        const n = Math.min(d.remaining, bytes.length - off);
        m.acc!.write(bytes.subarray(off, off + n));
        m.wireLength += n;
        d.remaining -= n;
        if (d.remaining === 0) {
          d.chunk = 'data-crlf';
          d.lbuf.clear();
        }
        return off + n;
      }
      case 'data-crlf': {
        const c = bytes[off]!;
        m.wireLength++;
        if (c === CR && d.lbuf.len === 0) {
          d.lbuf.push(bytes.subarray(off, off + 1), 1);
          return off + 1;
        }
        if (c === LF) {
          d.chunk = 'size';
          d.lbuf.clear();
          return off + 1;
        }
        ctx.sink.anomaly('http', 'chunk data not followed by CRLF');
        this.chunkError(dir, d, ctx);
        return off + 1;
      }
      case 'size':
      case 'trailer': {
        let lf = -1;
        for (let i = off; i < bytes.length; i++) {
          if (bytes[i] === LF) {
            lf = i;
            break;
          }
        }
        const end = lf >= 0 ? lf + 1 : bytes.length;
        const piece = bytes.subarray(off, end);
        m.wireLength += piece.length;
        if (d.chunk === 'trailer') {
          d.trailerBytes += piece.length;
          if (d.trailerBytes > MAX_TRAILER) {
            ctx.sink.anomaly('http', `trailer section longer than ${MAX_TRAILER} bytes`);
            this.chunkError(dir, d, ctx);
            return end;
          }
        }
        if (!d.lbuf.push(piece, d.chunk === 'size' ? MAX_CHUNK_LINE : MAX_TRAILER)) {
          ctx.sink.anomaly('http', d.chunk === 'size' ? `chunk-size line longer than ${MAX_CHUNK_LINE} bytes` : 'trailer line too long');
          this.chunkError(dir, d, ctx);
          return end;
        }
        if (lf < 0) return end;
        const line = trimEol(d.lbuf.view());
        d.lbuf.clear();
        if (d.chunk === 'trailer') {
          if (line.length === 0) this.complete(dir, d, ctx, true);
          return end;
        }
        const size = parseChunkSize(line);
        if (size === null) {
          ctx.sink.anomaly('http', `bad chunk size ${JSON.stringify(asciiText(line.subarray(0, 32)))}`);
          this.chunkError(dir, d, ctx);
          return end;
        }
        if (size === 0) {
          d.chunk = 'trailer';
          d.trailerBytes = 0;
        } else {
          d.chunk = 'data';
          d.remaining = size;
        }
        return end;
      }
    }
  }

  /** Chunk framing lost: the message ends here incomplete, and the direction resynchronises. */
  private chunkError(dir: Dir, d: DirState, ctx: FrameCtx): void {
    const m = d.msg;
    if (m) {
      m.broken = true;
      this.emit(dir, m, ctx, m.acc ? m.acc.finish(false) : null, true);
    }
    this.toResync(d, true);
  }

  /** The current message ended (body complete when `bodyOk`): emit it and get ready for the next. */
  private complete(dir: Dir, d: DirState, ctx: FrameCtx, bodyOk: boolean): void {
    const m = d.msg;
    if (!m) return;
    d.msg = null;
    const res = m.acc ? m.acc.finish(bodyOk && !m.broken) : null;
    // A message with lost bytes is recorded, but Wireshark's reassembly never completes it: no fields.
    this.emit(dir, m, ctx, res, !m.broken);
    d.mode = m.switches ? 'dead' : 'start';
    if (m.switches) {
      // The connection now carries another protocol (RFC 9110 §7.8, §9.3.6): stop in both directions.
      this.dirs[0].mode = 'dead';
      this.dirs[1].mode = 'dead';
    }
  }

  private onGap(dir: Dir, length: number, ctx: FrameCtx): void {
    const d = this.dirs[dir];
    if (d.mode === 'dead') return;
    const m = d.msg;
    if (d.mode === 'body' && m) {
      if (m.framing === 'close') {
        m.broken = true;
        m.wireLength += length;
        return;
      }
      if (m.framing === 'length' && length <= d.remaining) {
        // The body's extent is still known: keep framing, only its content is lost.
        m.broken = true;
        m.wireLength += length;
        d.remaining -= length;
        if (d.remaining === 0) this.complete(dir, d, ctx, false);
        return;
      }
      m.broken = true;
      ctx.sink.anomaly('http', `${length} bytes missing in a message body: resynchronising`);
      // A message whose framing the gap swallowed: record it, but it has no completing frame in Wireshark's sense.
      this.emit(dir, m, ctx, m.acc ? m.acc.finish(false) : null, false);
      this.toResync(d, false);
      return;
    }
    if (d.mode === 'headers') ctx.sink.anomaly('http', `${length} bytes missing in a header block: resynchronising`);
    this.toResync(d, false);
  }

  private onEnd(dir: Dir, ctx: FrameCtx | null): void {
    const d = this.dirs[dir];
    if (d.mode === 'body' && d.msg) {
      const m = d.msg;
      if (m.framing === 'close') {
        // RFC 9112 §6.3 item 8: the close delimits the body.
        if (ctx) this.complete(dir, d, ctx, true);
        return;
      }
      if (ctx) {
        ctx.sink.anomaly('http', 'connection closed inside a message body');
        this.emit(dir, m, ctx, m.acc ? m.acc.finish(false) : null, false);
      }
      d.msg = null;
      return;
    }
    if (d.mode === 'headers' && ctx && d.hbuf.len > 0) ctx.sink.anomaly('http', 'connection closed inside a header block');
  }

  // ---- emission -----------------------------------------------------------------------------

  /**
   * Emits one message: fields and Info (when `withFields`: Wireshark would show it on this
   * frame), the record, and the bodies through onBody.
   */
  private emit(dir: Dir, m: Message, ctx: FrameCtx, res: BodyResult | null, withFields: boolean): void {
    const sink = ctx.sink;
    for (const a of res?.anomalies ?? []) sink.anomaly('http', a);
    const host = m.headers.find((h) => h.name.toLowerCase() === 'host')?.value ?? null;
    const hostClean = host === null ? null : host.trim();
    const absolute = /^https?:\/\//i.test(m.uri) || m.method === 'CONNECT';
    const wsFullUri = m.request && hostClean !== null ? (absolute ? m.uri : `http://${hostClean}${m.uri}`) : null;

    // multipart parts and form parameters come from the collected body.
    const mt = mediaType(m.contentType);
    let parts: ReturnType<typeof parseMultipart> = [];
    if (mt?.startsWith('multipart/') && res?.bytes) {
      const boundary = headerParam(m.contentType ?? '', 'boundary');
      if (boundary) parts = parseMultipart(res.bytes, boundary);
    }

    if (withFields) this.emitFields(m, ctx, res, wsFullUri, parts);

    if (m.request && m.own) m.own.frame = ctx.frame;

    // Objects for export, numbered per frame and direction.
    const onBody = this.opts.onBody;
    const state = this.dirs[dir];
    if (state.objFrame !== ctx.frame) {
      state.objFrame = ctx.frame;
      state.objIndex = 0;
    }
    if (onBody && res?.bytes && res.complete && res.length > 0 && res.bytes.length <= this.keepLimit) {
      onBody({ frame: ctx.frame, dir, index: state.objIndex++ }, res.bytes);
    }
    const params: HttpRequestRecord['params'] = [];
    if (m.request) {
      const q = m.uriRaw.indexOf('?');
      if (q >= 0) {
        const hash = m.uriRaw.indexOf('#', q);
        for (const p of parseUrlEncoded(m.uriRaw.slice(q + 1, hash >= 0 ? hash : undefined))) params.push({ source: 'query', ...p });
      }
      if (mt === 'application/x-www-form-urlencoded' && res?.bytes) {
        for (const p of parseUrlEncoded(latin1Text(res.bytes), MAX_FORM_PARAMS - params.length)) params.push({ source: 'form', ...p });
      }
    }
    for (const part of parts) {
      if (part.filename !== null) {
        if (onBody && part.body.length <= this.keepLimit) onBody({ frame: ctx.frame, dir, index: state.objIndex++ }, part.body);
      }
      if (m.request && params.length < MAX_FORM_PARAMS) {
        const value =
          part.filename !== null
            ? ''
            : Buffer.from(part.body.subarray(0, MAX_PARAM_VALUE * 4))
                .toString('utf8')
                .slice(0, MAX_PARAM_VALUE);
        const p: HttpRequestRecord['params'][number] = { source: 'multipart', name: (part.name ?? '').slice(0, MAX_PARAM_VALUE), value };
        if (part.filename !== null) p.filename = part.filename.slice(0, MAX_PARAM_VALUE);
        params.push(p);
      }
    }

    const headers: [string, string][] = m.headers
      .slice(0, MAX_HEADERS)
      .map((h) => [h.name, h.value.length > MAX_HEADER_VALUE ? h.value.slice(0, MAX_HEADER_VALUE) : h.value]);
    const body = this.bodyInfo(m, res);
    if (m.request) {
      const rec: HttpRequestRecord = {
        kind: 'http.request',
        stream: this.info.stream,
        frame: ctx.frame,
        firstFrame: m.firstFrame,
        method: m.method,
        uri: m.uri,
        version: m.version,
        host: hostClean,
        fullUri: wsFullUri ?? m.uri,
        userAgent: m.headers.find((h) => h.name.toLowerCase() === 'user-agent')?.value ?? null,
        headers,
        params,
        body,
      };
      sink.record(rec);
    } else {
      const rec: HttpResponseRecord = {
        kind: 'http.response',
        stream: this.info.stream,
        frame: ctx.frame,
        firstFrame: m.firstFrame,
        requestFrame: m.pending?.frame ?? null,
        version: m.version,
        code: m.code,
        phrase: m.phrase,
        contentType: m.contentType,
        headers,
        body,
      };
      sink.record(rec);
    }
  }

  private bodyInfo(m: Message, res: BodyResult | null): BodyInfo | null {
    if (!res) return null;
    const cd = m.headers.find((h) => h.name.toLowerCase() === 'content-disposition');
    let filename = cd ? dispositionFilename(cd.raw) : null;
    if (!filename) filename = lastSegment(m.request ? m.uriRaw : (m.pending?.uri ?? ''));
    return {
      wireLength: m.wireLength,
      length: res.length,
      encodings: m.encodings,
      mime: res.mime,
      md5: res.md5,
      sha1: res.sha1,
      sha256: res.sha256,
      filename,
      complete: res.complete,
    };
  }

  private emitFields(
    m: Message,
    ctx: FrameCtx,
    res: BodyResult | null,
    fullUri: string | null,
    parts: ReturnType<typeof parseMultipart>,
  ): void {
    const f = (n: string, v: number | string | Uint8Array): void => ctx.sink.field(n, v);
    f('http', new Uint8Array(0));
    if (m.request) {
      f('http.request.method', m.method);
      f('http.request.uri', m.uri);
      const q = m.uri.indexOf('?');
      if (q >= 0) {
        f('http.request.uri.path', m.uri.slice(0, q));
        const query = m.uri.slice(q + 1);
        f('http.request.uri.query', query);
        for (const p of query.split('&')) if (p.length > 0) f('http.request.uri.query.parameter', p);
      }
      f('http.request.version', m.version);
    } else {
      f('http.response.version', m.version);
      f('http.response.code', m.code);
      f('http.response.code.desc', STATUS_DESC[m.code] ?? `Unknown (${m.code})`);
      if (m.phrase.length > 0) f('http.response.phrase', m.phrase);
    }
    const lineField = m.request ? 'http.request.line' : 'http.response.line';
    for (const h of m.headers.slice(0, MAX_HEADERS)) {
      const ln = h.name.toLowerCase();
      const field = HEADER_FIELDS[ln];
      if (field) {
        f(field, h.value);
        if (ln === 'cookie') {
          for (const c of h.value.split(';')) {
            const t = c.trim();
            if (t.length > 0) f('http.cookie_pair', t);
          }
        } else if (ln === 'content-length') {
          const t = h.value.trim();
          if (/^\d{1,15}$/.test(t)) f('http.content_length', Number(t));
        } else if (ln === 'authorization') {
          const basic = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(h.value);
          if (basic) f('http.authbasic', Buffer.from(basic[1]!, 'base64').toString('latin1'));
        }
      }
      f(lineField, h.line);
    }

    // Wireshark's numbering (see the header comment).
    if (m.request) {
      if (fullUri !== null) f('http.request.full_uri', fullUri);
      f('http.request', 1);
      const prev = this.wsTail;
      const entry: WsEntry = { number: ++this.wsCounter, reqFrame: ctx.frame, resFrame: 0 };
      f('http.request_number', entry.number);
      if (prev && prev.reqFrame !== 0) f('http.prev_request_in', prev.reqFrame);
      this.wsBeforeTail = prev;
      this.wsTail = entry;
      this.wsLastUri = fullUri ?? m.uri;
    } else {
      f('http.response', 1);
      let entry: WsEntry;
      let prev: WsEntry | null;
      let matched = false;
      if (this.wsTail && this.wsTail.resFrame === 0 && this.wsTail.reqFrame !== 0) {
        entry = this.wsTail;
        prev = this.wsBeforeTail;
        matched = true;
      } else {
        prev = this.wsTail;
        entry = { number: ++this.wsCounter, reqFrame: 0, resFrame: 0 };
        this.wsBeforeTail = prev;
        this.wsTail = entry;
      }
      entry.resFrame = ctx.frame;
      f('http.response_number', entry.number);
      if (prev && prev.reqFrame !== 0) f('http.prev_request_in', prev.reqFrame);
      if (prev && prev.resFrame !== 0) f('http.prev_response_in', prev.resFrame);
      if (matched) f('http.request_in', entry.reqFrame);
      if (this.wsLastUri !== null) f('http.response_for.uri', this.wsLastUri);
    }

    // Info and Protocol (the media dissectors' additions).
    let info = `${m.startLine} `;
    const mt = mediaType(m.contentType);
    const bodyLen = res ? (res.length >= 0 ? res.length : m.wireLength) : 0;
    if (mt && bodyLen > 0) {
      if (isJsonMedia(mt)) {
        this.proto = 'HTTP/JSON';
        info += `, JavaScript Object Notation (${mt})`;
      } else if (isXmlMedia(mt)) {
        this.proto = 'HTTP/XML';
      } else if (mt === 'application/ocsp-request' || mt === 'application/ocsp-response') {
        this.proto = 'OCSP';
        info = mt === 'application/ocsp-request' ? 'Request' : 'Response';
      } else if (mt.startsWith('multipart/')) {
        for (const p of parts) if (p.body.length > 0) info += mediaSuffix(mediaType(p.contentType), p.body);
      } else {
        info += mediaSuffix(mt, res?.head ?? new Uint8Array(0));
      }
    }
    this.infos.push(info);
  }
}

/** What Wireshark's media dissectors append to Info for a body part of type `mt` starting with `head`. */
function mediaSuffix(mt: string | null, head: Uint8Array): string {
  if (mt === null) return '';
  if (mt === 'image/gif' && startsWithText(head, 'GIF8')) return ` (${asciiText(head.subarray(0, 6))})`;
  if (mt === 'image/png' && startsWithText(head, '\x89PNG')) return ' (PNG)';
  // The JFIF dissector takes a body opening with SOI then APP0 (JFIF) or APP1 (Exif).
  const jpeg = mt === 'image/jpeg' || mt === 'image/jpg' || mt === 'image/pjpeg';
  if (jpeg && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff && (head[3] === 0xe0 || head[3] === 0xe1))
    return ' (JPEG JFIF image)';
  // octet-stream goes to the data dissector, which adds nothing.
  if (mt === 'application/octet-stream') return '';
  return ` (${mt})`;
}

function trimEol(b: Uint8Array): Uint8Array {
  let n = b.length;
  if (n > 0 && b[n - 1] === LF) n--;
  if (n > 0 && b[n - 1] === CR) n--;
  return b.subarray(0, n);
}

/** RFC 9112 §7.1: chunk-size = 1*HEXDIG, then optional BWS ";" extensions. Null when invalid or beyond 2^48. */
function parseChunkSize(line: Uint8Array): number | null {
  let i = 0;
  let v = 0;
  let digits = 0;
  while (i < line.length) {
    const c = line[i]!;
    let h = -1;
    if (c >= 0x30 && c <= 0x39) h = c - 0x30;
    else if (c >= 0x41 && c <= 0x46) h = c - 0x37;
    else if (c >= 0x61 && c <= 0x66) h = c - 0x57;
    if (h < 0) break;
    v = v * 16 + h;
    digits++;
    // 12 hex digits = 2^48 bytes: far beyond any body, and exact in a double.
    if (digits > 12) return null;
    i++;
  }
  if (digits === 0) return null;
  while (i < line.length && (line[i] === 0x20 || line[i] === 0x09)) i++;
  if (i < line.length && line[i] !== 0x3b) return null;
  return v;
}

/** The percent-decoded last path segment of a request target, or null when empty. */
function lastSegment(uri: string): string | null {
  let path = uri;
  const q = path.search(/[?#]/);
  if (q >= 0) path = path.slice(0, q);
  const abs = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(path);
  if (abs) path = path.slice(abs[0].length);
  const seg = path.slice(path.lastIndexOf('/') + 1);
  if (seg.length === 0) return null;
  return percentDecode(seg, false);
}
