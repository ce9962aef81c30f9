/**
 * TLS analyzer: the record layer over reassembled TCP bytes and the handshake-message layer
 * (shared with QUIC, whose CRYPTO frames carry handshake messages without records).
 *
 * Specs:
 *  - RFC 8446 (TLS 1.3) §4 (handshake: 1-byte msg_type, 3-byte length), §4.1.2 ClientHello,
 *    §4.1.3 ServerHello, §4.2 extensions (supported_versions §4.2.1, signature_algorithms
 *    §4.2.3, supported_groups §4.2.7, key_share §4.2.8), §4.4.2 Certificate, §5.1 record
 *    layer (TLSPlaintext: type, legacy_record_version, uint16 length ≤ 2^14), §5.2
 *    (TLSCiphertext: opaque_type 23, length ≤ 2^14 + 256), §D.4 (middlebox-compat CCS).
 *  - RFC 5246 (TLS 1.2) §6.2.1–6.2.3 (records ≤ 2^14 + 2048 when protected), §7.1 (CCS),
 *    §7.2 (alerts), §7.4 (handshake messages, Certificate §7.4.2).
 *  - RFC 6066 §3 (server_name), RFC 7301 §3.1 (ALPN), RFC 8422 §5.1 (ec_point_formats),
 *    RFC 6520 §3–4 (heartbeat), RFC 8701 (GREASE; see ja.ts).
 * Field names, values, tree order and the Protocol/Info columns follow Wireshark 4.0's
 * packet-tls.c / packet-tls-utils.c as observed with tshark 4.0.17.
 *
 *   record:    | type (1) | version (2) | length (2) | fragment (length) |
 *   handshake: | msg_type (1) | length (3) | body (length) |   (may span records)
 */

import { field as registryField } from '../../../shared/fields.js';
import { MalformedError, Reader, TruncatedError } from '../bytes/reader.js';
import { ja3, ja3s, ja4, type ClientHelloSummary } from './ja.js';
import type { AppSink, Dir, FrameCtx, StreamInfo, TcpParser, TlsHelloRecord } from './types.js';
import { parseCertificate } from './x509.js';

/**
 * Largest handshake message reassembled (256 KiB). Certificate chains are the largest
 * messages seen in practice (≤ ~64 KiB); the 2^24 protocol limit would let one stream pin
 * 16 MiB.
 */
export const MAX_HANDSHAKE_MESSAGE = 256 * 1024;
/** RFC 5246 §6.2.3: a protected record's fragment is at most 2^14 + 2048 bytes; beyond that the stream is not TLS. */
export const MAX_RECORD_LENGTH = 16384 + 2048;
/** Cipher suites emitted per hello (the 2-byte length allows 32767; real clients offer ≤ ~100). */
export const MAX_CIPHERS = 512;
/** Extensions walked per hello (about 30 types are defined; real hellos carry ≤ ~25). */
export const MAX_EXTENSIONS = 128;
/** Items of one extension's list (groups, ALPN names, signature algorithms, versions): real lists hold ≤ ~40. */
export const MAX_LIST_ITEMS = 256;
/** Certificates parsed per Certificate message (real chains are 2–5 deep). */
export const MAX_CERTIFICATES = 16;
/** Characters kept of a server name or ALPN protocol (DNS names are ≤ 253; ALPN ids ≤ 255). */
export const MAX_NAME = 255;

const EMPTY = new Uint8Array(0);

const CT_CCS = 20;
const CT_ALERT = 21;
const CT_HANDSHAKE = 22;
const CT_APPDATA = 23;
const CT_HEARTBEAT = 24;

/** Wireshark's handshake type names (the TLS value_string of tls.handshake.type, from the registry), used in Info. */
export const HANDSHAKE_NAMES: Readonly<Record<number, string>> = registryField('tls.handshake.type')?.valueNames ?? {};

const ALERT_LEVELS: Readonly<Record<number, string>> = { 1: 'Warning', 2: 'Fatal' };

/** Wireshark's alert description names (tls.alert_message.desc), used in Info. */
const ALERT_NAMES: Readonly<Record<number, string>> = {
  0: 'Close Notify', 1: 'End of Early Data', 10: 'Unexpected Message', 20: 'Bad Record MAC', 21: 'Decryption Failed',
  22: 'Record Overflow', 30: 'Decompression Failure', 40: 'Handshake Failure', 41: 'No Certificate', 42: 'Bad Certificate',
  43: 'Unsupported Certificate', 44: 'Certificate Revoked', 45: 'Certificate Expired', 46: 'Certificate Unknown',
  47: 'Illegal Parameter', 48: 'Unknown CA', 49: 'Access Denied', 50: 'Decode Error', 51: 'Decrypt Error',
  60: 'Export Restriction', 70: 'Protocol Version', 71: 'Insufficient Security', 80: 'Internal Error',
  86: 'Inappropriate Fallback', 90: 'User Canceled', 100: 'No Renegotiation', 109: 'Missing Extension',
  110: 'Unsupported Extension', 111: 'Certificate Unobtainable', 112: 'Unrecognized Name',
  113: 'Bad Certificate Status Response', 114: 'Bad Certificate Hash Value', 115: 'Unknown PSK Identity',
  116: 'Certificate Required', 120: 'No application Protocol', 121: 'ECH Required',
};

/** Wireshark's short version names (Protocol column). */
export function versionShortName(v: number): string {
  switch (v) {
    case 0x0002:
      return 'SSLv2';
    case 0x0300:
      return 'SSLv3';
    case 0x0301:
      return 'TLSv1';
    case 0x0302:
      return 'TLSv1.1';
    case 0x0303:
      return 'TLSv1.2';
    case 0x0304:
      return 'TLSv1.3';
    default:
      return 'TLS';
  }
}

/** Versions Wireshark accepts as a session version from a record (ssl_try_set_version). */
function isRecordVersion(v: number): boolean {
  return v >= 0x0300 && v <= 0x0304;
}

/**
 * Handshake-message reassembly and dissection for one TLS connection (both directions).
 * `data` emits the fields of every message completed by the bytes and the hello / X.509
 * records; it never sets columns (the record layer or QUIC does that).
 */
export class TlsHandshakeStream {
  /** Version the ServerHello selected (supported_versions, else legacy_version); 0 until seen. */
  negotiatedVersion = 0;
  private readonly dirs: [HsDir, HsDir] = [newHsDir(), newHsDir()];

  constructor(
    private readonly info: StreamInfo,
    private readonly transport: 'tcp' | 'quic',
  ) {}

  data(dir: Dir, bytes: Uint8Array, ctx: FrameCtx): void {
    this.feed(dir, bytes, ctx);
  }

  /** Like `data`; returns the names (Info text) of the messages it completed, in order. */
  feed(dir: Dir, bytes: Uint8Array, ctx: FrameCtx): string[] {
    const names: string[] = [];
    const d = this.dirs[dir];
    if (d.dead) return names;
    let p = 0;
    while (p < bytes.length) {
      if (d.body === null) {
        const take = Math.min(4 - d.hdrLen, bytes.length - p);
        d.hdr.set(bytes.subarray(p, p + take), d.hdrLen);
        d.hdrLen += take;
        p += take;
        if (d.hdrLen < 4) break;
        const len = (d.hdr[1]! << 16) | (d.hdr[2]! << 8) | d.hdr[3]!;
        if (len > MAX_HANDSHAKE_MESSAGE) {
          ctx.sink.anomaly('tls', `handshake message of ${len} bytes exceeds the ${MAX_HANDSHAKE_MESSAGE}-byte cap; handshake parsing stopped`);
          d.dead = true;
          return names;
        }
        d.body = new Uint8Array(4 + len);
        d.body.set(d.hdr, 0);
        d.filled = 4;
      }
      const take = Math.min(d.body.length - d.filled, bytes.length - p);
      d.body.set(bytes.subarray(p, p + take), d.filled);
      d.filled += take;
      p += take;
      if (d.filled === d.body.length) {
        const msg = d.body;
        d.body = null;
        d.hdrLen = 0;
        d.filled = 0;
        names.push(this.message(msg, ctx));
      }
    }
    return names;
  }

  /** Whether `dir` holds part of an unfinished handshake message. */
  pending(dir: Dir): boolean {
    const d = this.dirs[dir];
    return !d.dead && (d.body !== null || d.hdrLen > 0);
  }

  private message(msg: Uint8Array, ctx: FrameCtx): string {
    const sink = ctx.sink;
    const type = msg[0]!;
    const name = HANDSHAKE_NAMES[type] ?? `Unknown (${type})`;
    sink.field('tls.handshake', EMPTY);
    sink.field('tls.handshake.type', type);
    sink.field('tls.handshake.length', msg.length - 4);
    const r = new Reader(msg, 4, msg.length);
    try {
      if (type === 1) this.clientHello(r, ctx);
      else if (type === 2) this.serverHello(r, ctx);
      else if (type === 11) this.certificate(r, ctx);
    } catch (e) {
      if (e instanceof TruncatedError || e instanceof MalformedError) {
        sink.anomaly('tls', `${name}: ${e instanceof MalformedError ? e.detail : 'a length field runs past the end of the message'}`, e.offset);
      } else {
        sink.anomaly('tls', `${name}: dissector error: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    return name;
  }

  private clientHello(r: Reader, ctx: FrameCtx): void {
    const sink = ctx.sink;
    const version = r.u16();
    sink.field('tls.handshake.version', version);
    sink.field('tls.handshake.random', r.bytes(32).slice());
    const sidLen = r.u8();
    sink.field('tls.handshake.session_id_length', sidLen);
    if (sidLen > 0) sink.field('tls.handshake.session_id', r.bytes(sidLen).slice());
    const csLen = r.u16();
    sink.field('tls.handshake.cipher_suites_length', csLen);
    const cs = r.sub(csLen);
    sink.field('tls.handshake.ciphersuites', EMPTY);
    const ciphers: number[] = [];
    while (cs.remaining >= 2) {
      if (ciphers.length >= MAX_CIPHERS) {
        sink.anomaly('tls', `Client Hello offers more than ${MAX_CIPHERS} cipher suites; the rest are ignored`);
        break;
      }
      const c = cs.u16();
      ciphers.push(c);
      sink.field('tls.handshake.ciphersuite', c);
    }
    const cmLen = r.u8();
    sink.field('tls.handshake.comp_methods_length', cmLen);
    const cm = r.sub(cmLen);
    sink.field('tls.handshake.comp_methods', EMPTY);
    while (cm.remaining > 0) sink.field('tls.handshake.comp_method', cm.u8());
    const hello: HelloExts = newHelloExts();
    if (r.remaining > 0) this.extensions(r, ctx, hello, false);
    const summary: ClientHelloSummary = {
      version,
      ciphers,
      extensions: hello.types,
      groups: hello.groups,
      pointFormats: hello.pointFormats,
      sigAlgs: hello.sigAlgs,
      supportedVersions: hello.versions,
      alpnFirst: hello.alpnFirst,
    };
    // Wireshark 4.0 shows JA3 for QUIC's ClientHello too (c2-merlin-quic.pcapng frame 1).
    const j3 = ja3(summary);
    sink.field('tls.handshake.ja3_full', j3.full);
    sink.field('tls.handshake.ja3', j3.hash);
    const rec: TlsHelloRecord = {
      kind: 'tls.client_hello',
      frame: ctx.frame,
      stream: this.info.stream,
      transport: this.transport,
      version,
      supportedVersions: hello.versions,
      sni: hello.sni,
      alpn: hello.alpn,
      ciphers,
      extensions: hello.types,
      ja3: j3.hash,
      ja3Full: j3.full,
      ja3s: null,
      ja3sFull: null,
      ja4: ja4(summary, this.transport === 'quic' ? 'q' : 't'),
    };
    sink.record(rec);
  }

  private serverHello(r: Reader, ctx: FrameCtx): void {
    const sink = ctx.sink;
    const version = r.u16();
    sink.field('tls.handshake.version', version);
    sink.field('tls.handshake.random', r.bytes(32).slice());
    const sidLen = r.u8();
    sink.field('tls.handshake.session_id_length', sidLen);
    if (sidLen > 0) sink.field('tls.handshake.session_id', r.bytes(sidLen).slice());
    const cipher = r.u16();
    sink.field('tls.handshake.ciphersuite', cipher);
    sink.field('tls.handshake.comp_method', r.u8());
    const hello = newHelloExts();
    // Set before the extensions so a truncated ServerHello still leaves the legacy version.
    if (isRecordVersion(version)) this.negotiatedVersion = version;
    if (r.remaining > 0) this.extensions(r, ctx, hello, true);
    const selected = hello.versions[0];
    if (selected !== undefined) this.negotiatedVersion = selected;
    const j3s = ja3s({ version, cipher, extensions: hello.types });
    sink.field('tls.handshake.ja3s_full', j3s.full);
    sink.field('tls.handshake.ja3s', j3s.hash);
    sink.record({
      kind: 'tls.server_hello',
      frame: ctx.frame,
      stream: this.info.stream,
      transport: this.transport,
      version,
      supportedVersions: hello.versions,
      sni: null,
      alpn: hello.alpn,
      ciphers: [cipher],
      extensions: hello.types,
      ja3: null,
      ja3Full: null,
      ja3s: j3s.hash,
      ja3sFull: j3s.full,
      ja4: null,
    });
  }

  /** Extensions block (RFC 8446 §4.2): uint16 total, then (type, uint16 length, data)*. */
  private extensions(r: Reader, ctx: FrameCtx, h: HelloExts, server: boolean): void {
    const sink = ctx.sink;
    const total = r.u16();
    sink.field('tls.handshake.extensions_length', total);
    const all = r.sub(total);
    while (all.remaining > 0) {
      if (h.types.length >= MAX_EXTENSIONS) {
        sink.anomaly('tls', `more than ${MAX_EXTENSIONS} extensions; the rest are ignored`);
        return;
      }
      const type = all.u16();
      const len = all.u16();
      h.types.push(type);
      sink.field('tls.handshake.extension.type', type);
      sink.field('tls.handshake.extension.len', len);
      const e = all.sub(len);
      switch (type) {
        case 0:
          // server_name (RFC 6066 §3); a server echoes it empty.
          if (!server && len > 0) this.serverName(e, sink, h);
          break;
        case 16:
          this.alpn(e, sink, h);
          break;
        case 10: {
          sink.field('tls.handshake.extensions_supported_groups_length', e.u16());
          const l = e.rest(e.remaining);
          sink.field('tls.handshake.extensions_supported_groups', EMPTY);
          listU16(l, h.groups, (v) => sink.field('tls.handshake.extensions_supported_group', v));
          break;
        }
        case 11: {
          const n = e.u8();
          sink.field('tls.handshake.extensions_ec_point_formats_length', n);
          const l = e.sub(n);
          sink.field('tls.handshake.extensions_ec_point_formats', EMPTY);
          while (l.remaining > 0 && h.pointFormats.length < MAX_LIST_ITEMS) {
            const v = l.u8();
            h.pointFormats.push(v);
            sink.field('tls.handshake.extensions_ec_point_format', v);
          }
          break;
        }
        case 13: {
          const n = e.u16();
          sink.field('tls.handshake.sig_hash_alg_len', n);
          const l = e.sub(n);
          sink.field('tls.handshake.sig_hash_algs', EMPTY);
          listU16(l, h.sigAlgs, (v) => {
            sink.field('tls.handshake.sig_hash_alg', v);
            sink.field('tls.handshake.sig_hash_hash', v >> 8);
            sink.field('tls.handshake.sig_hash_sig', v & 0xff);
          });
          break;
        }
        case 43:
          // supported_versions (RFC 8446 §4.2.1): a list in the ClientHello, one value in the ServerHello.
          if (server) {
            const v = e.u16();
            h.versions.push(v);
            sink.field('tls.handshake.extensions.supported_version', v);
          } else {
            const n = e.u8();
            sink.field('tls.handshake.extensions.supported_versions_len', n);
            listU16(e.sub(n), h.versions, (v) => sink.field('tls.handshake.extensions.supported_version', v));
          }
          break;
        default:
          break;
      }
    }
  }

  private serverName(e: Reader, sink: AppSink, h: HelloExts): void {
    const listLen = e.u16();
    sink.field('tls.handshake.extensions_server_name_list_len', listLen);
    const l = e.sub(listLen);
    let n = 0;
    while (l.remaining > 0 && n++ < MAX_LIST_ITEMS) {
      const t = l.u8();
      const len = l.u16();
      sink.field('tls.handshake.extensions_server_name_type', t);
      sink.field('tls.handshake.extensions_server_name_len', len);
      const name = printable(l.bytes(len));
      sink.field('tls.handshake.extensions_server_name', name);
      if (t === 0 && h.sni === null) h.sni = name;
    }
  }

  private alpn(e: Reader, sink: AppSink, h: HelloExts): void {
    const n = e.u16();
    sink.field('tls.handshake.extensions_alpn_len', n);
    const l = e.sub(n);
    sink.field('tls.handshake.extensions_alpn_list', EMPTY);
    while (l.remaining > 0 && h.alpn.length < MAX_LIST_ITEMS) {
      const len = l.u8();
      sink.field('tls.handshake.extensions_alpn_str_len', len);
      const raw = l.bytes(len);
      if (h.alpnFirst === null) h.alpnFirst = raw.slice();
      const s = printable(raw);
      h.alpn.push(s);
      sink.field('tls.handshake.extensions_alpn_str', s);
    }
  }

  /**
   * Certificate (RFC 5246 §7.4.2: uint24 list of uint24-prefixed DER; RFC 8446 §4.4.2 adds a
   * request context before the list and uint16-prefixed extensions after each certificate).
   */
  private certificate(r: Reader, ctx: FrameCtx): void {
    const sink = ctx.sink;
    const tls13 = this.negotiatedVersion === 0x0304;
    if (tls13) {
      const n = r.u8();
      sink.field('tls.handshake.certificate_request_context_length', n);
      if (n > 0) sink.field('tls.handshake.certificate_request_context', r.bytes(n).slice());
    }
    const total = r.u24();
    sink.field('tls.handshake.certificates_length', total);
    const list = r.sub(total);
    sink.field('tls.handshake.certificates', EMPTY);
    let index = 0;
    while (list.remaining > 0) {
      if (index >= MAX_CERTIFICATES) {
        sink.anomaly('tls', `Certificate message carries more than ${MAX_CERTIFICATES} certificates; the rest are ignored`);
        return;
      }
      const len = list.u24();
      sink.field('tls.handshake.certificate_length', len);
      const der = list.bytes(len);
      const res = parseCertificate(der);
      if (res.ok) {
        for (const [name, value] of res.cert.fields) sink.field(name, value);
        const c = res.cert;
        sink.record({
          kind: 'x509',
          frame: ctx.frame,
          stream: this.info.stream,
          index,
          subject: c.subject,
          issuer: c.issuer,
          serial: c.serial,
          notBefore: c.notBefore,
          notAfter: c.notAfter,
          sha1: c.sha1,
          sha256: c.sha256,
          dnsNames: c.dnsNames,
        });
      } else {
        sink.anomaly('tls', `certificate ${index}: ${res.reason}`);
      }
      index++;
      if (tls13) {
        const extLen = list.u16();
        list.skip(extLen);
      }
    }
  }
}

interface HsDir {
  hdr: Uint8Array;
  hdrLen: number;
  /** Whole message (header included) being filled, once its length is known. */
  body: Uint8Array | null;
  filled: number;
  dead: boolean;
}

function newHsDir(): HsDir {
  return { hdr: new Uint8Array(4), hdrLen: 0, body: null, filled: 0, dead: false };
}

interface HelloExts {
  types: number[];
  groups: number[];
  pointFormats: number[];
  sigAlgs: number[];
  versions: number[];
  sni: string | null;
  alpn: string[];
  alpnFirst: Uint8Array | null;
}

function newHelloExts(): HelloExts {
  return { types: [], groups: [], pointFormats: [], sigAlgs: [], versions: [], sni: null, alpn: [], alpnFirst: null };
}

function listU16(l: Reader, out: number[], emit: (v: number) => void): void {
  while (l.remaining >= 2 && out.length < MAX_LIST_ITEMS) {
    const v = l.u16();
    out.push(v);
    emit(v);
  }
}

/** Bytes as text, one char per byte (Wireshark shows names as ASCII), capped at MAX_NAME. */
function printable(b: Uint8Array): string {
  let s = '';
  const n = Math.min(b.length, MAX_NAME);
  for (let i = 0; i < n; i++) s += String.fromCharCode(b[i]!);
  return s;
}

// ---- Record layer -------------------------------------------------------------------------

/** The body of a record whose bytes are counted but not kept. */
const SKIPPED = new Uint8Array(0);

interface RecDir {
  hdr: Uint8Array;
  hdrLen: number;
  body: Uint8Array | null;
  /** Length of the record being filled. */
  need: number;
  filled: number;
  /** The record being filled began in an earlier `data` call (Wireshark shows it in its own tls tree). */
  carried: boolean;
  /** A ChangeCipherSpec was sent in this direction: later handshake/alert records are encrypted. */
  encrypted: boolean;
  dead: boolean;
}

function newRecDir(): RecDir {
  return { hdr: new Uint8Array(5), hdrLen: 0, body: null, need: 0, filled: 0, carried: false, encrypted: false, dead: false };
}

/**
 * Port-independent detection: a handshake record header (RFC 8446 §5.1: type 22, legacy
 * version 0x0300–0x0304, length 1..MAX_RECORD_LENGTH) carrying a ClientHello or ServerHello.
 */
export function looksLikeTls(firstBytes: Uint8Array): boolean {
  if (firstBytes.length < 3) return false;
  if (firstBytes[0] !== CT_HANDSHAKE || firstBytes[1] !== 3 || firstBytes[2]! > 4) return false;
  if (firstBytes.length >= 5) {
    const len = (firstBytes[3]! << 8) | firstBytes[4]!;
    if (len < 4 || len > MAX_RECORD_LENGTH) return false;
  }
  if (firstBytes.length >= 6) {
    const t = firstBytes[5]!;
    if (t !== 1 && t !== 2) return false;
  }
  return true;
}

/** TLS over one TCP stream. */
export class TlsParser implements TcpParser {
  /** The connection's handshake layer (exposed for tests and for QUIC-style reuse). */
  readonly handshake: TlsHandshakeStream;
  private readonly dirs: [RecDir, RecDir] = [newRecDir(), newRecDir()];
  /** Wireshark's session version: set from the server's ServerHello record, then from the ServerHello itself. */
  private sessionVersion = 0;

  constructor(info: StreamInfo) {
    this.handshake = new TlsHandshakeStream(info, 'tcp');
  }

  data(dir: Dir, bytes: Uint8Array, ctx: FrameCtx): void {
    const d = this.dirs[dir];
    if (d.dead) return;
    try {
      this.consume(dir, d, bytes, ctx);
    } catch (e) {
      // Every read is bounds-checked; this is a bug guard so one stream never stops the ingest.
      ctx.sink.anomaly('tls', `dissector error: ${e instanceof Error ? e.message : String(e)}`);
      d.dead = true;
    }
  }

  gap(dir: Dir, length: number, ctx: FrameCtx): void {
    const d = this.dirs[dir];
    if (d.dead) return;
    // Record boundaries cannot be recovered inside encrypted data, so the direction stops here.
    ctx.sink.anomaly('tls', `${length} bytes missing in the stream; TLS parsing of this direction stopped`);
    d.dead = true;
  }

  end(dir: Dir, ctx: FrameCtx | null): void {
    const d = this.dirs[dir];
    if (d.dead) return;
    if (ctx !== null && (d.hdrLen > 0 || d.body !== null)) {
      ctx.sink.anomaly('tls', 'stream ended inside a TLS record');
    }
    d.dead = true;
  }

  private consume(dir: Dir, d: RecDir, bytes: Uint8Array, ctx: FrameCtx): void {
    let p = 0;
    let group: 'carried' | 'fresh' | null = null;
    // Wireshark's TCP hands a segment that starts a record to the TLS dissector, which adds
    // its protocol item before asking for the rest: such a frame shows `tls` too.
    let startedRecord = false;
    const partial = () => {
      if (startedRecord && group === null) ctx.sink.field('tls', EMPTY);
    };
    while (p < bytes.length && !d.dead) {
      if (d.body === null) {
        const startedHere = d.hdrLen === 0;
        if (startedHere) startedRecord = true;
        const take = Math.min(5 - d.hdrLen, bytes.length - p);
        d.hdr.set(bytes.subarray(p, p + take), d.hdrLen);
        d.hdrLen += take;
        p += take;
        if (d.hdrLen < 5) {
          d.carried = true;
          partial();
          break;
        }
        if (startedHere) d.carried = false;
        const type = d.hdr[0]!;
        const major = d.hdr[1]!;
        const len = (d.hdr[3]! << 8) | d.hdr[4]!;
        if (type < CT_CCS || type > 25 || major !== 3) {
          ctx.sink.anomaly('tls', `not a TLS record header (content type ${type}, version 0x${hex(major, 2)}${hex(d.hdr[2]!, 2)}); TLS parsing of this direction stopped`);
          d.dead = true;
          return;
        }
        if (len > MAX_RECORD_LENGTH) {
          ctx.sink.anomaly('tls', `record length ${len} exceeds 2^14 + 2048 (RFC 5246 §6.2.3); TLS parsing of this direction stopped`);
          d.dead = true;
          return;
        }
        // Only the length of application data (and of anything encrypted) is used: such a
        // record's bytes are counted, not copied (they are most of a TLS stream).
        d.need = len;
        d.body = type === CT_APPDATA || (d.encrypted && type === CT_HANDSHAKE) ? SKIPPED : new Uint8Array(len);
        d.filled = 0;
      }
      const take = Math.min(d.need - d.filled, bytes.length - p);
      if (d.body !== SKIPPED) d.body.set(bytes.subarray(p, p + take), d.filled);
      d.filled += take;
      p += take;
      if (d.filled < d.need) {
        d.carried = true;
        partial();
        break;
      }
      const kind = d.carried ? 'carried' : 'fresh';
      if (kind !== group) {
        ctx.sink.field('tls', EMPTY);
        group = kind;
      }
      const body = d.body;
      d.body = null;
      d.hdrLen = 0;
      d.carried = false;
      this.record(dir, d, body, d.need, ctx);
    }
  }

  /** `body` is SKIPPED (empty) for records whose bytes were not kept; `length` is the record's. */
  private record(dir: Dir, d: RecDir, body: Uint8Array, length: number, ctx: FrameCtx): void {
    const sink = ctx.sink;
    const type = d.hdr[0]!;
    const version = (d.hdr[1]! << 8) | d.hdr[2]!;
    // ssl_try_set_version: a server record starting a ServerHello fixes the session version
    // before the Protocol column is set; the ServerHello's own version refines it afterwards.
    if (this.sessionVersion === 0 && dir === 1 && type === CT_HANDSHAKE && !d.encrypted && body[0] === 2 && isRecordVersion(version)) {
      this.sessionVersion = version;
    }
    const protocol = versionShortName(this.sessionVersion !== 0 ? this.sessionVersion : version);
    sink.field('tls.record', EMPTY);
    // RFC 8446 §5.2: in TLS 1.3 an encrypted record's type field is the opaque outer type.
    sink.field(this.sessionVersion === 0x0304 && type === CT_APPDATA ? 'tls.record.opaque_type' : 'tls.record.content_type', type);
    sink.field('tls.record.version', version);
    sink.field('tls.record.length', length);
    let info: string;
    switch (type) {
      case CT_HANDSHAKE:
        if (d.encrypted) {
          sink.field('tls.handshake', EMPTY);
          info = 'Encrypted Handshake Message';
        } else {
          const names = this.handshake.feed(dir, body, ctx);
          if (this.handshake.negotiatedVersion !== 0) this.sessionVersion = this.handshake.negotiatedVersion;
          info = names.join(', ');
        }
        break;
      case CT_CCS:
        sink.field('tls.change_cipher_spec', EMPTY);
        d.encrypted = true;
        info = 'Change Cipher Spec';
        break;
      case CT_ALERT:
        sink.field('tls.alert_message', EMPTY);
        if (!d.encrypted && body.length === 2) {
          const level = body[0]!;
          const desc = body[1]!;
          sink.field('tls.alert_message.level', level);
          sink.field('tls.alert_message.desc', desc);
          info = `Alert (Level: ${ALERT_LEVELS[level] ?? `Unknown (${level})`}, Description: ${ALERT_NAMES[desc] ?? `Unknown (${desc})`})`;
        } else info = 'Encrypted Alert';
        break;
      case CT_APPDATA:
        info = 'Application Data';
        break;
      case CT_HEARTBEAT:
        sink.field('tls.heartbeat_message', EMPTY);
        if (!d.encrypted && body.length >= 3) {
          const t = body[0]!;
          sink.field('tls.heartbeat_message.type', t);
          const plen = (body[1]! << 8) | body[2]!;
          sink.field('tls.heartbeat_message.payload_length', plen);
          // RFC 6520 §4: payload_length + 16 bytes of padding must fit the record (Heartbleed, CVE-2014-0160).
          if (plen + 3 + 16 > body.length) sink.anomaly('tls', `heartbeat payload_length ${plen} exceeds the record (${body.length} bytes): possible Heartbleed probe`);
          info = t === 1 ? 'Heartbeat Request' : t === 2 ? 'Heartbeat Response' : `Heartbeat Unknown (${t})`;
        } else info = 'Encrypted Heartbeat';
        break;
      default:
        info = 'Ignored Unknown Record';
        break;
    }
    // A record holding only part of a handshake message completes nothing: Wireshark shows it in the tree only.
    if (info !== '') sink.columns(protocol, info);
  }
}

function hex(v: number, digits: number): string {
  return v.toString(16).padStart(digits, '0');
}
