/**
 * QUIC (IETF) analyzer: long and short headers, coalesced packets, and decryption of
 * Initial packets so the TLS ClientHello / ServerHello carried in their CRYPTO frames
 * reach the TLS handshake parser.
 *
 * Specs:
 *  - RFC 9000 (QUIC transport): §16 variable-length integers, §17.2 long header
 *    (Initial §17.2.2, 0-RTT §17.2.3, Handshake §17.2.4, Retry §17.2.5, Version
 *    Negotiation §17.2.1), §17.3 short header, §12.2 coalesced packets, §19 frames,
 *    Appendix A.3 packet-number decoding.
 *  - RFC 9001 (QUIC-TLS): §5.2 Initial secrets (HKDF-Extract with the version salt over the
 *    client's first Destination Connection ID, then "client in" / "server in"), §5.1 packet
 *    protection keys ("quic key", "quic iv", "quic hp"), §5.3 AEAD_AES_128_GCM with the
 *    nonce = iv XOR packet number, §5.4 header protection (AES-128-ECB over a 16-byte sample
 *    taken 4 bytes after the start of the Packet Number field).
 *  - RFC 8446 §7.1 HKDF-Expand-Label ("tls13 " prefix); RFC 5869 HKDF.
 *  - RFC 9369 (QUIC v2): version 0x6b3343cf, its own salt, labels "quicv2 key/iv/hp" and
 *    renumbered long-header types (Initial 0b01, 0-RTT 0b10, Handshake 0b11, Retry 0b00).
 *  - draft-ietf-quic-tls-23/-29: the draft salts, for the draft versions still seen.
 *
 * Long header (RFC 9000 §17.2):
 *
 *   +-+-+-+-+-+-+-+-+
 *   |1|1|T T|X X X X|  form, fixed bit, type, type-specific (reserved + PN length, protected)
 *   +-+-+-+-+-+-+-+-+---------------------------------------------+
 *   |                         Version (32)                        |
 *   +-+-+-+-+-+-+-+-+---------------------------------------------+
 *   | DCID Len (8)  |  Destination Connection ID (0..160) ...
 *   | SCID Len (8)  |  Source Connection ID (0..160) ...
 *   [Initial only: Token Length (i), Token]
 *   Length (i) = packet number + protected payload, Packet Number (8..32), Payload ...
 *
 * Wireshark (packet-quic.c, 4.0) is the reference for field names, values, tree order and
 * the Info column: each QUIC packet *replaces* Info (so a datagram's Info describes its last
 * packet), connections are tracked by Connection IDs (a short header's DCID is only known
 * from the peer's CIDs), and only Initial packets decrypt without a key log.
 */
import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { isReaderError, Reader, TruncatedError } from '../bytes/reader.js';
import type { AppSink, Dir, FrameCtx, StreamInfo, UdpParser } from './types.js';

// ---- Limits ---------------------------------------------------------------------------

/** QUIC packets read from one datagram. A 64 KiB UDP payload of minimal long headers (~25 bytes) is ~2600; real stacks coalesce at most 3 (Initial, Handshake, 1-RTT). */
export const MAX_PACKETS_PER_DATAGRAM = 16;
/** Frames read from one decrypted packet (PADDING runs count once). An Initial is ≤ 64 KiB; real ones carry a handful of frames. */
export const MAX_FRAMES_PER_PACKET = 256;
/** ACK ranges emitted as fields per ACK frame; the rest are skipped (still parsed for the frame's length). */
export const MAX_ACK_RANGES = 64;
/** Out-of-order CRYPTO bytes held per direction: a ClientHello with post-quantum key shares is ~2–8 KiB, so 64 KiB leaves room for reordering without letting a peer grow the buffer. */
export const MAX_CRYPTO_BUFFERED = 64 * 1024;
/** CRYPTO stream offset past which Initial data is refused: the Initial level only carries the ClientHello/ServerHello (RFC 9001 §4.1.3), far below 1 MiB. */
export const MAX_CRYPTO_OFFSET = 1024 * 1024;
/** Out-of-order CRYPTO segments held per direction (each costs a Map entry). */
export const MAX_CRYPTO_SEGMENTS = 64;
/** QUIC connections tracked per UDP conversation (several can share a 5-tuple after a new client Initial); the oldest is forgotten. */
export const MAX_CONNECTIONS = 8;
/** Connection IDs remembered per side of a connection (the first, plus NEW_CONNECTION_ID frames seen in decrypted packets). */
export const MAX_CIDS_PER_SIDE = 8;
/** RFC 9000 §17.2: a v1 connection ID is at most 20 bytes. Longer ones are shown but not used for tracking (as Wireshark). */
export const MAX_CID_LENGTH = 20;
/** Reason phrases are shown cut to this many characters (they are free text from the peer). */
const MAX_REASON_CHARS = 1024;

// ---- Versions and Initial secrets ------------------------------------------------------

export const QUIC_V1 = 0x00000001;
export const QUIC_V2 = 0x6b3343cf;
/** draft-ietf-quic-v2-01, wire-compatible with RFC 9369. */
const QUIC_V2_DRAFT = 0x709a50c4;

function hex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s, 'hex'));
}

/** RFC 9001 §5.2 */
const SALT_V1 = hex('38762cf7f55934b34d179ae6a4c80cadccbb7f0a');
/** RFC 9369 §3.3.1 */
const SALT_V2 = hex('0dede3def700a6db819381be6e269dcbf9bd2ed9');
/** draft-ietf-quic-tls-29 §5.2 (drafts 29–32) */
const SALT_D29 = hex('afbfec289993d24c9e9786f19c6111e04390a899');
/** draft-ietf-quic-tls-23 §5.2 (drafts 23–28) */
const SALT_D23 = hex('c3eef712c72ebb5a11a7d2432bb46365bef9f502');
/** draft-ietf-quic-tls-22 §5.2 */
const SALT_D22 = hex('7fbcdb0e7c66bbe9193a96cd21519ebd7a02644a');

function isV2(version: number): boolean {
  return version === QUIC_V2 || version === QUIC_V2_DRAFT;
}

/** Draft number of an IETF draft version 0xff0000NN, else 0. */
function draftNumber(version: number): number {
  return version >>> 8 === 0xff0000 ? version & 0xff : 0;
}

/** The Initial salt for a version whose Initial packets this analyzer can decrypt, else null. */
function initialSalt(version: number): Uint8Array | null {
  if (version === QUIC_V1) return SALT_V1;
  if (isV2(version)) return SALT_V2;
  const d = draftNumber(version);
  if (d >= 33) return SALT_V1;
  if (d >= 29) return SALT_D29;
  if (d >= 23) return SALT_D23;
  if (d === 22) return SALT_D22;
  return null;
}

/**
 * Versions whose long header has the RFC 8999 invariant layout with separate CID lengths
 * (draft-22 and later, v1, v2): what looksLikeQuic accepts.
 */
function isKnownVersion(version: number): boolean {
  if (version === QUIC_V1 || isV2(version)) return true;
  const d = draftNumber(version);
  return d >= 22 && d <= 34;
}

/** Long-header packet type, normalised to the v1 numbering (RFC 9369 §3.2 renumbers v2). */
export const LPT_INITIAL = 0;
export const LPT_0RTT = 1;
export const LPT_HANDSHAKE = 2;
export const LPT_RETRY = 3;
const V2_TO_V1 = [LPT_RETRY, LPT_INITIAL, LPT_0RTT, LPT_HANDSHAKE] as const;
const LPT_NAMES = ['Initial', '0-RTT', 'Handshake', 'Retry'] as const;

function longPacketType(firstByte: number, version: number): number {
  const bits = (firstByte >> 4) & 3;
  return isV2(version) ? (V2_TO_V1[bits] ?? bits) : bits;
}

/** HKDF-Expand (RFC 5869 §2.3) with SHA-256; `length` ≤ 255 × 32. */
function hkdfExpand(prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let t = new Uint8Array(0);
  let done = 0;
  for (let i = 1; done < length; i++) {
    t = new Uint8Array(createHmac('sha256', prk).update(t).update(info).update(Uint8Array.of(i)).digest());
    out.set(t.subarray(0, Math.min(t.length, length - done)), done);
    done += t.length;
  }
  return out;
}

/** HKDF-Expand-Label (RFC 8446 §7.1) with an empty context, as RFC 9001 uses it. */
export function hkdfExpandLabel(secret: Uint8Array, label: string, length: number): Uint8Array {
  const full = Buffer.from(`tls13 ${label}`, 'latin1');
  const info = new Uint8Array(2 + 1 + full.length + 1);
  info[0] = length >> 8;
  info[1] = length & 0xff;
  info[2] = full.length;
  info.set(full, 3);
  info[3 + full.length] = 0; // zero-length context
  return hkdfExpand(secret, info, length);
}

/** Packet-protection material for one direction (RFC 9001 §5.1). */
export interface QuicKeys {
  key: Uint8Array;
  iv: Uint8Array;
  hp: Uint8Array;
}

export interface InitialSecrets {
  initialSecret: Uint8Array;
  clientSecret: Uint8Array;
  serverSecret: Uint8Array;
  client: QuicKeys;
  server: QuicKeys;
}

/** RFC 9001 §5.2 / RFC 9369 §3.3: Initial keys from the client's first DCID; null for versions without a known salt. */
export function deriveInitialSecrets(dcid: Uint8Array, version: number): InitialSecrets | null {
  const salt = initialSalt(version);
  if (!salt) return null;
  const initialSecret = new Uint8Array(createHmac('sha256', salt).update(dcid).digest());
  const clientSecret = hkdfExpandLabel(initialSecret, 'client in', 32);
  const serverSecret = hkdfExpandLabel(initialSecret, 'server in', 32);
  const prefix = isV2(version) ? 'quicv2 ' : 'quic ';
  const keys = (secret: Uint8Array): QuicKeys => ({
    key: hkdfExpandLabel(secret, `${prefix}key`, 16),
    iv: hkdfExpandLabel(secret, `${prefix}iv`, 12),
    hp: hkdfExpandLabel(secret, `${prefix}hp`, 16),
  });
  return { initialSecret, clientSecret, serverSecret, client: keys(clientSecret), server: keys(serverSecret) };
}

/** RFC 9001 §5.4.3: the AES-based header-protection mask (first 5 bytes of AES-ECB(hp, sample)). */
export function headerProtectionMask(hp: Uint8Array, sample: Uint8Array): Uint8Array {
  const c = createCipheriv('aes-128-ecb', hp, null);
  c.setAutoPadding(false);
  return new Uint8Array(c.update(sample)).subarray(0, 5);
}

/** RFC 9000 Appendix A.3: the full packet number closest to largest+1 with the given truncated bits. */
export function decodePacketNumber(largest: number, truncated: number, pnLen: number): number {
  const expected = largest + 1;
  const win = 2 ** (pnLen * 8);
  const hwin = win / 2;
  // Arithmetic instead of the RFC's bit masks: packet numbers exceed 32 bits.
  const candidate = expected - (expected % win) + truncated;
  if (candidate <= expected - hwin && candidate < 2 ** 62 - win) return candidate + win;
  if (candidate > expected + hwin && candidate >= win) return candidate - win;
  return candidate;
}

/** RFC 9000 §16: a variable-length integer (values above 2^53 lose precision; no real field gets there). */
export function readVarint(r: Reader): number {
  const first = r.u8();
  const len = 1 << (first >> 6);
  let v = first & 0x3f;
  for (let i = 1; i < len; i++) v = v * 256 + r.u8();
  return v;
}

// ---- Heuristic ------------------------------------------------------------------------

/**
 * A long-header packet of a version this analyzer knows (v1, v2, drafts 22–34) with
 * plausible connection-ID lengths — Wireshark's heuristic minus gQUIC. Short headers carry
 * no version and are recognised only within a tracked conversation.
 */
export function looksLikeQuic(bytes: Uint8Array): boolean {
  // Wireshark's minimum: flags (1) + version (4) + at least an 8-byte CID's worth.
  if (bytes.length < 13) return false;
  const first = bytes[0] ?? 0;
  if ((first & 0x80) === 0) return false;
  const version = (((bytes[1] ?? 0) << 24) | ((bytes[2] ?? 0) << 16) | ((bytes[3] ?? 0) << 8) | (bytes[4] ?? 0)) >>> 0;
  if (!isKnownVersion(version)) return false;
  const dcil = bytes[5] ?? 0xff;
  if (dcil > MAX_CID_LENGTH) return false;
  const scilAt = 6 + dcil;
  if (scilAt >= bytes.length) return false;
  return (bytes[scilAt] ?? 0xff) <= MAX_CID_LENGTH;
}

// ---- Connection state -----------------------------------------------------------------

/** In-order delivery of one direction's Initial-level CRYPTO stream (RFC 9000 §19.6). */
class CryptoStream {
  /** Next stream offset to deliver. */
  next = 0;
  private readonly pending = new Map<number, Uint8Array>();
  private buffered = 0;

  /** Adds [offset, offset+data.length); returns contiguous new bytes to deliver (possibly empty), or a string on refusal. */
  add(offset: number, data: Uint8Array): Uint8Array | string {
    const end = offset + data.length;
    if (end > MAX_CRYPTO_OFFSET) return `CRYPTO data at offset ${offset} beyond the ${MAX_CRYPTO_OFFSET}-byte Initial cap`;
    if (end <= this.next) return new Uint8Array(0); // retransmission
    if (offset > this.next) {
      if (this.pending.size >= MAX_CRYPTO_SEGMENTS || this.buffered + data.length > MAX_CRYPTO_BUFFERED) {
        return 'out-of-order CRYPTO data beyond the reassembly buffer';
      }
      const prev = this.pending.get(offset);
      if (!prev || prev.length < data.length) {
        this.buffered += data.length - (prev?.length ?? 0);
        this.pending.set(offset, data.slice());
      }
      return new Uint8Array(0);
    }
    const parts: Uint8Array[] = [data.subarray(this.next - offset)];
    this.next = end;
    // Pull buffered segments that are now contiguous (each pass removes one entry, so this ends).
    for (let progressed = true; progressed && this.pending.size > 0;) {
      progressed = false;
      for (const [off, seg] of this.pending) {
        if (off > this.next) continue;
        this.pending.delete(off);
        this.buffered -= seg.length;
        if (off + seg.length > this.next) {
          parts.push(seg.subarray(this.next - off));
          this.next = off + seg.length;
        }
        progressed = true;
      }
    }
    if (parts.length === 1) return parts[0] ?? new Uint8Array(0);
    return Buffer.concat(parts);
  }
}

interface Conn {
  version: number;
  /** Conversation direction of the client (the sender of the first Initial). */
  clientDir: Dir;
  /** Client's first Initial DCID: the input to the Initial secrets; null after a Retry until the next client Initial. */
  initialDcid: Uint8Array | null;
  /** CIDs chosen by each side; element 0 always exists (possibly empty, which matches any short-header DCID, as in Wireshark). */
  clientCids: Uint8Array[];
  serverCids: Uint8Array[];
  secrets: { version: number; dcid: Uint8Array; s: InitialSecrets } | null;
  /** Largest Initial packet number decrypted per direction (0 = client, 1 = server), -1 = none. */
  largestPn: [number, number];
  crypto: [CryptoStream, CryptoStream];
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Non-empty exact CID match (Wireshark's hash-table lookup only holds non-empty CIDs). */
function hasExact(cids: Uint8Array[], cid: Uint8Array): boolean {
  return cid.length > 0 && cids.some((c) => c.length > 0 && equal(c, cid));
}

/** Any known CID that is a prefix of `raw` (short headers: the DCID length is not on the wire). */
function prefixMatch(cids: Uint8Array[], raw: Uint8Array): Uint8Array | null {
  for (const c of cids) {
    if (raw.length >= c.length && equal(raw.subarray(0, c.length), c)) return c;
  }
  return null;
}

function cidHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');
}

// ---- The parser -----------------------------------------------------------------------

export interface QuicParserOptions {
  /** In-order bytes of the Initial-level TLS handshake stream, per direction (ClientHello / ServerHello). */
  onCrypto: (dir: Dir, bytes: Uint8Array, ctx: FrameCtx) => void;
}

/** Per-packet state the frame walker needs. */
interface PacketCtx {
  conn: Conn;
  fromServer: boolean;
  dir: Dir;
  ctx: FrameCtx;
  info: string[];
}

const EMPTY: Uint8Array = new Uint8Array(0);

/** A reader error raised inside a packet: stops the datagram, as Wireshark's exceptions do. */
class StopDatagram extends Error {}

export class QuicParser implements UdpParser {
  private readonly conns: Conn[] = [];

  constructor(
    readonly info: StreamInfo,
    private readonly opts: QuicParserOptions,
  ) {}

  datagram(dir: Dir, bytes: Uint8Array, ctx: FrameCtx): void {
    const sink = ctx.sink;
    const info: string[] = [];
    try {
      this.process(dir, bytes, ctx, info);
      sink.columns('QUIC', info.join(', '));
    } catch (e) {
      if (e instanceof StopDatagram || isReaderError(e)) {
        if (isReaderError(e)) sink.anomaly('quic', e.message, e.offset);
        sink.columns('QUIC', `${info.join(', ')} [Malformed Packet]`.trimStart());
      } else {
        // A bug, not the data: still never throw out of the analyzer.
        sink.anomaly('quic', `dissector error: ${e instanceof Error ? e.message : String(e)}`);
        sink.columns('QUIC', info.join(', '));
      }
    }
  }

  // -- Connection tracking (Wireshark's quic_connection_find / _create_or_update, per conversation)

  private fromServerOf(conn: Conn, dir: Dir): boolean {
    return dir !== conn.clientDir;
  }

  private findConn(dir: Dir, bytes: Uint8Array): { conn: Conn | null; type: number; version: number; dcid: Uint8Array; scid: Uint8Array } {
    const first = bytes[0] ?? 0;
    let dcid = EMPTY;
    let scid = EMPTY;
    if (first & 0x80) {
      if (bytes.length < 7) return { conn: null, type: -1, version: 0, dcid, scid };
      const version = (((bytes[1] ?? 0) << 24) | ((bytes[2] ?? 0) << 16) | ((bytes[3] ?? 0) << 8) | (bytes[4] ?? 0)) >>> 0;
      const type = version === 0 ? -2 : longPacketType(first, version);
      const dcil = bytes[5] ?? 0;
      if (dcil <= MAX_CID_LENGTH && 6 + dcil <= bytes.length) dcid = bytes.subarray(6, 6 + dcil);
      const scil = bytes[6 + dcil] ?? 0;
      if (scil <= MAX_CID_LENGTH && 7 + dcil + scil <= bytes.length) scid = bytes.subarray(7 + dcil, 7 + dcil + scil);
      let conn: Conn | null = null;
      if (dcid.length === 0) {
        // RFC 9000 §5.2: a zero-length DCID is matched by address, i.e. this conversation's newest connection.
        conn = this.conns.at(-1) ?? null;
      } else if (type === LPT_0RTT) {
        conn = this.conns.find((c) => c.initialDcid !== null && equal(c.initialDcid, dcid)) ?? null;
      } else {
        // Newest first: after a fresh client Initial on the same 5-tuple the new connection wins.
        for (let i = this.conns.length - 1; i >= 0 && !conn; i--) {
          const c = this.conns[i];
          if (c && (hasExact(c.clientCids, dcid) || hasExact(c.serverCids, dcid))) conn = c;
        }
        if (type === LPT_INITIAL && !conn && dcid.length > 0) {
          conn = this.conns.find((c) => c.initialDcid !== null && equal(c.initialDcid, dcid)) ?? null;
        }
        // A client Initial must match the first Initial's DCID or a server CID; otherwise it
        // starts a fresh connection (e.g. after Version Negotiation).
        if (type === LPT_INITIAL && conn && !this.fromServerOf(conn, dir) && dcid.length > 0) {
          if (
            !(conn.initialDcid && equal(conn.initialDcid, dcid)) &&
            !prefixMatch(
              conn.serverCids.filter((c) => c.length > 0),
              dcid,
            )
          )
            conn = null;
        }
      }
      return { conn, type, version, dcid, scid };
    }
    // Short header: the newest connection on this 5-tuple whose peer CID prefixes the DCID.
    const raw = bytes.subarray(1, Math.min(bytes.length, 1 + MAX_CID_LENGTH));
    for (let i = this.conns.length - 1; i >= 0; i--) {
      const c = this.conns[i];
      if (!c) continue;
      const peer = this.fromServerOf(c, dir) ? c.clientCids : c.serverCids;
      if (prefixMatch(peer, raw)) return { conn: c, type: -3, version: 0, dcid: EMPTY, scid: EMPTY };
    }
    return { conn: null, type: -3, version: 0, dcid: EMPTY, scid: EMPTY };
  }

  private createOrUpdate(conn: Conn | null, dir: Dir, type: number, version: number, dcid: Uint8Array, scid: Uint8Array): Conn | null {
    if (type === LPT_INITIAL && (!conn || !this.fromServerOf(conn, dir))) {
      if (!conn) {
        const c: Conn = {
          version,
          clientDir: dir,
          initialDcid: dcid.length > 0 ? dcid.slice() : null,
          clientCids: [scid.slice()],
          serverCids: [EMPTY],
          secrets: null,
          largestPn: [-1, -1],
          crypto: [new CryptoStream(), new CryptoStream()],
        };
        if (this.conns.length >= MAX_CONNECTIONS) this.conns.shift();
        this.conns.push(c);
        return c;
      }
      if (conn.initialDcid === null && dcid.length > 0) {
        // The client's Initial after a Retry (RFC 9000 §17.2.5.2): new Initial keys from the
        // new DCID; forget the Retry's SCID so the next server Initial sets the server CID.
        conn.initialDcid = dcid.slice();
        conn.clientCids[0] = scid.slice();
        conn.serverCids = [EMPTY];
        conn.largestPn = [-1, -1];
      }
      return conn;
    }
    if ((type === LPT_INITIAL || type === LPT_RETRY || type === LPT_HANDSHAKE) && conn && this.fromServerOf(conn, dir)) {
      if (type === LPT_RETRY) conn.initialDcid = null;
      if ((conn.serverCids[0]?.length ?? 0) === 0 && scid.length > 0) conn.serverCids[0] = scid.slice();
    }
    return conn;
  }

  private secretsFor(conn: Conn, version: number): InitialSecrets | null {
    const dcid = conn.initialDcid;
    if (!dcid) return null;
    const cached = conn.secrets;
    if (cached && cached.version === version && equal(cached.dcid, dcid)) return cached.s;
    const s = deriveInitialSecrets(dcid, version);
    conn.secrets = s ? { version, dcid, s } : null;
    return s;
  }

  // -- Datagram walk (Wireshark's dissect_quic)

  private process(dir: Dir, bytes: Uint8Array, ctx: FrameCtx, info: string[]): void {
    const sink = ctx.sink;
    if (bytes.length === 0) {
      sink.field('quic', EMPTY);
      sink.anomaly('quic', 'empty datagram', 0);
      return;
    }
    const found = this.findConn(dir, bytes);
    const conn = this.createOrUpdate(found.conn, dir, found.type, found.version, found.dcid, found.scid);
    const fromServer = conn ? this.fromServerOf(conn, dir) : dir === 1;

    let offset = 0;
    let firstDcid: Uint8Array | null = null;
    for (let n = 0; offset < bytes.length; n++) {
      if (n >= MAX_PACKETS_PER_DATAGRAM) {
        sink.anomaly('quic', `more than ${MAX_PACKETS_PER_DATAGRAM} coalesced packets; rest ignored`, offset);
        return;
      }
      const pkt = bytes.subarray(offset, offset + this.packetLength(bytes, offset));
      // RFC 9000 §12.2: coalesced packets share the DCID; a mismatch is junk after the last packet.
      const dcid = this.coalescedDcid(pkt, conn, fromServer);
      if (n === 0) firstDcid = dcid;
      else if (dcid !== null && firstDcid !== null && !equal(dcid, firstDcid)) {
        sink.field('quic', EMPTY);
        sink.anomaly('quic', '(Random) padding data appended to the datagram', offset);
        return;
      }
      sink.field('quic', EMPTY);
      sink.field('quic.packet_length', pkt.length);
      const r = new Reader(pkt, 0, pkt.length, offset);
      const first = pkt[0] ?? 0;
      if (first & 0x80) {
        sink.field('quic.header_form', 1);
        const version = pkt.length >= 5 ? (((pkt[1] ?? 0) << 24) | ((pkt[2] ?? 0) << 16) | ((pkt[3] ?? 0) << 8) | (pkt[4] ?? 0)) >>> 0 : -1;
        if (version >= 0 && (version & 0x0f0f0f0f) === 0x0a0a0a0a) {
          // RFC 9000 §6.3: a reserved version forces Version Negotiation; nothing after it can be read.
          info.length = 0;
          info.push('Forcing Version Negotiation');
          sink.field('quic.vn.unused', first & 0x7f);
          r.skip(1);
          this.longCommon(r, sink, info);
          return;
        }
        if (version === 0) {
          this.versionNegotiation(r, sink, info);
          return;
        }
        const type = longPacketType(first, version < 0 ? 0 : version);
        if (type === LPT_RETRY) this.retry(r, sink, info, version);
        else this.longHeader(r, pkt, conn, dir, fromServer, ctx, info);
      } else {
        this.shortHeader(r, conn, fromServer, sink, info);
      }
      offset += pkt.length;
    }
  }

  /** Wireshark's quic_get_message_tvb: a long header (not Retry/VN) spans its Length; anything else takes the rest. */
  private packetLength(bytes: Uint8Array, offset: number): number {
    const rest = bytes.length - offset;
    const first = bytes[offset] ?? 0;
    if (!(first & 0x80) || rest < 7) return rest;
    try {
      const r = new Reader(bytes, offset, bytes.length);
      r.skip(1);
      const version = r.u32();
      if (version === 0 || longPacketType(first, version) === LPT_RETRY) return rest;
      r.skip(r.u8());
      r.skip(r.u8());
      if (longPacketType(first, version) === LPT_INITIAL) r.skip(readVarint(r));
      const len = readVarint(r);
      const total = r.pos - offset + len;
      return total < rest ? total : rest;
    } catch {
      return rest;
    }
  }

  /** The DCID used for the coalescing check (Wireshark's check_dcid_on_coalesced_packet); null = cannot tell. */
  private coalescedDcid(pkt: Uint8Array, conn: Conn | null, fromServer: boolean): Uint8Array | null {
    const first = pkt[0] ?? 0;
    if (first & 0x80) {
      const dcil = pkt[5] ?? 0;
      if (dcil === 0 || dcil > MAX_CID_LENGTH || 6 + dcil > pkt.length) return EMPTY;
      return pkt.subarray(6, 6 + dcil);
    }
    if (!conn) return null;
    const len = (fromServer ? conn.clientCids[0] : conn.serverCids[0])?.length ?? 0;
    return pkt.subarray(1, Math.min(pkt.length, 1 + len));
  }

  /** Version, DCID and SCID (RFC 9000 §17.2), common to every long header. */
  private longCommon(r: Reader, sink: AppSink, info: string[]): { dcid: Uint8Array; scid: Uint8Array } {
    sink.field('quic.version', r.u32());
    const dcil = r.u8();
    sink.field('quic.dcil', dcil);
    const dcid = r.bytes(dcil);
    if (dcil > 0) sink.field('quic.dcid', dcid);
    const scil = r.u8();
    sink.field('quic.scil', scil);
    const scid = r.bytes(scil);
    if (scil > 0) sink.field('quic.scid', scid);
    if (dcil > 0 && dcil <= MAX_CID_LENGTH) info.push(`DCID=${cidHex(dcid)}`);
    if (scil > 0 && scil <= MAX_CID_LENGTH) info.push(`SCID=${cidHex(scid)}`);
    return { dcid, scid };
  }

  private versionNegotiation(r: Reader, sink: AppSink, info: string[]): void {
    info.length = 0;
    info.push('Version Negotiation');
    sink.field('quic.vn.unused', r.u8() & 0x7f);
    this.longCommon(r, sink, info);
    // Each supported version is 4 bytes; the loop advances 4 per pass and ends with the packet.
    while (r.remaining > 0) sink.field('quic.supported_version', r.u32());
  }

  private retry(r: Reader, sink: AppSink, info: string[], version: number): void {
    const first = r.u8();
    sink.field('quic.fixed_bit', first & 0x40 ? 1 : 0);
    sink.field(isV2(version) ? 'quic.long.packet_type_v2' : 'quic.long.packet_type', (first >> 4) & 3);
    info.length = 0;
    info.push('Retry');
    this.longCommon(r, sink, info);
    // RFC 9001 §5.8: the last 16 bytes are the Retry Integrity Tag, the rest the token.
    const tokenLen = Math.max(0, r.remaining - 16);
    sink.field('quic.retry_token', r.bytes(tokenLen));
    sink.field('quic.retry_integrity_tag', r.bytes(16));
  }

  private longHeader(r: Reader, pkt: Uint8Array, conn: Conn | null, dir: Dir, fromServer: boolean, ctx: FrameCtx, info: string[]): void {
    const sink = ctx.sink;
    const first = r.u8();
    const version = (((pkt[1] ?? 0) << 24) | ((pkt[2] ?? 0) << 16) | ((pkt[3] ?? 0) << 8) | (pkt[4] ?? 0)) >>> 0;
    const type = longPacketType(first, version);

    // Header protection first (Wireshark does it before building the tree, so the reserved
    // bits and PN length appear right after the packet type).
    let unprotected: { firstByte: number; pnOffset: number; pnLen: number; pn: number; keys: QuicKeys } | null = null;
    let failure: string | null = null;
    if (type === LPT_INITIAL && conn) {
      const secrets = this.secretsFor(conn, version);
      if (!secrets)
        failure = conn.initialDcid
          ? `Initial keys unknown for QUIC version 0x${version.toString(16).padStart(8, '0')}`
          : 'Initial DCID unknown (Retry seen, no client Initial yet)';
      else unprotected = this.removeHeaderProtection(pkt, fromServer ? secrets.server : secrets.client, conn.largestPn[fromServer ? 1 : 0]);
      if (secrets && !unprotected) failure = 'Header deprotection failed';
    }

    sink.field('quic.fixed_bit', first & 0x40 ? 1 : 0);
    sink.field(isV2(version) ? 'quic.long.packet_type_v2' : 'quic.long.packet_type', (first >> 4) & 3);
    if (unprotected) {
      sink.field('quic.long.reserved', (unprotected.firstByte >> 2) & 3);
      sink.field('quic.packet_number_length', unprotected.firstByte & 3);
    }
    info.length = 0;
    info.push(LPT_NAMES[type] ?? 'Long Header');
    this.longCommon(r, sink, info);
    if (type === LPT_INITIAL) {
      const tokenLen = readVarint(r);
      sink.field('quic.token_length', tokenLen);
      if (tokenLen > 0) sink.field('quic.token', r.bytes(tokenLen));
    }
    sink.field('quic.length', readVarint(r));
    if (failure) sink.anomaly('quic', `Failed to create decryption context: ${failure}`, r.offset);
    if (!unprotected || !conn) return;

    sink.field('quic.packet_number', unprotected.pn);
    info.push(`PKN: ${unprotected.pn}`);
    const plain = this.decryptPayload(pkt, unprotected);
    if (typeof plain === 'string') {
      sink.anomaly('quic', `Decryption failed: ${plain}`, r.offset + unprotected.pnLen);
      return;
    }
    const side = fromServer ? 1 : 0;
    if (unprotected.pn > conn.largestPn[side]) conn.largestPn[side] = unprotected.pn;
    this.frames(plain, { conn, fromServer, dir, ctx, info });
  }

  /** RFC 9001 §5.4.1/§5.4.2; null when the packet is too short to hold the sample. */
  private removeHeaderProtection(
    pkt: Uint8Array,
    keys: QuicKeys,
    largest: number,
  ): { firstByte: number; pnOffset: number; pnLen: number; pn: number; keys: QuicKeys } | null {
    try {
      const r = new Reader(pkt);
      r.skip(5);
      r.skip(r.u8());
      r.skip(r.u8());
      r.skip(readVarint(r)); // token
      readVarint(r); // length
      const pnOffset = r.pos;
      // §5.4.2: the sample starts 4 bytes after the packet number field's start.
      if (pnOffset + 4 + 16 > pkt.length) return null;
      const mask = headerProtectionMask(keys.hp, pkt.subarray(pnOffset + 4, pnOffset + 20));
      const firstByte = (pkt[0] ?? 0) ^ ((mask[0] ?? 0) & 0x0f);
      const pnLen = (firstByte & 3) + 1;
      let truncated = 0;
      for (let i = 0; i < pnLen; i++) truncated = truncated * 256 + ((pkt[pnOffset + i] ?? 0) ^ (mask[1 + i] ?? 0));
      return { firstByte, pnOffset, pnLen, pn: decodePacketNumber(largest, truncated, pnLen), keys };
    } catch (e) {
      if (isReaderError(e)) return null;
      throw e;
    }
  }

  /** RFC 9001 §5.3: AEAD_AES_128_GCM over header (with unprotected first byte and PN) as AAD. */
  private decryptPayload(
    pkt: Uint8Array,
    u: { firstByte: number; pnOffset: number; pnLen: number; pn: number; keys: QuicKeys },
  ): Uint8Array | string {
    const hdrLen = u.pnOffset + u.pnLen;
    if (pkt.length <= hdrLen + 16) return 'Decryption not possible, ciphertext is too short';
    const aad = pkt.slice(0, hdrLen);
    aad[0] = u.firstByte;
    for (let i = 0; i < u.pnLen; i++) aad[hdrLen - 1 - i] = Math.floor(u.pn / 2 ** (8 * i)) & 0xff;
    const nonce = u.keys.iv.slice();
    // The 62-bit packet number, left-padded to the IV length, XORed into the IV.
    for (let i = 0; i < 8; i++) {
      const at = nonce.length - 1 - i;
      nonce[at] = (nonce[at] ?? 0) ^ (Math.floor(u.pn / 2 ** (8 * i)) & 0xff);
    }
    try {
      const d = createDecipheriv('aes-128-gcm', u.keys.key, nonce);
      d.setAAD(aad);
      d.setAuthTag(pkt.subarray(pkt.length - 16));
      const body = d.update(pkt.subarray(hdrLen, pkt.length - 16));
      d.final();
      return new Uint8Array(body.buffer, body.byteOffset, body.length);
    } catch {
      return 'authentication tag mismatch (wrong keys or damaged packet)';
    }
  }

  private shortHeader(r: Reader, conn: Conn | null, fromServer: boolean, sink: AppSink, info: string[]): void {
    const first = r.u8();
    sink.field('quic.short', EMPTY);
    sink.field('quic.header_form', 0);
    sink.field('quic.fixed_bit', first & 0x40 ? 1 : 0);
    sink.field('quic.spin_bit', first & 0x20 ? 1 : 0);
    info.length = 0;
    // Without 1-RTT keys the key phase bit stays protected; Wireshark shows KP0.
    info.push('Protected Payload (KP0)');
    if (!conn) return;
    const len = (fromServer ? conn.clientCids[0] : conn.serverCids[0])?.length ?? 0;
    if (len > 0 && r.remaining >= len) {
      const dcid = r.bytes(len);
      sink.field('quic.dcid', dcid);
      info.push(`DCID=${cidHex(dcid)}`);
    }
  }

  // -- Frames (RFC 9000 §19; Wireshark's dissect_quic_frame_type)

  private frames(plain: Uint8Array, p: PacketCtx): void {
    const sink = p.ctx.sink;
    const r = new Reader(plain);
    let n = 0;
    while (r.remaining > 0) {
      if (n++ >= MAX_FRAMES_PER_PACKET) {
        sink.anomaly('quic', `more than ${MAX_FRAMES_PER_PACKET} frames in one packet; rest ignored`, -1);
        return;
      }
      try {
        this.frame(r, p);
      } catch (e) {
        if (!isReaderError(e)) throw e;
        // Offsets inside decrypted data mean nothing in the frame: report -1.
        sink.anomaly('quic', `malformed frame in decrypted payload: ${e instanceof TruncatedError ? 'truncated' : e.message}`, -1);
        throw new StopDatagram();
      }
    }
  }

  private frame(r: Reader, p: PacketCtx): void {
    const sink = p.ctx.sink;
    const info = p.info;
    const type = readVarint(r);
    sink.field('quic.frame_type', type);
    const v = (name: string): number => {
      const x = readVarint(r);
      sink.field(name, x);
      return x;
    };
    switch (type) {
      case 0x00: {
        // A run of zero bytes is shown as one PADDING frame.
        let len = 1;
        while (r.remaining > 0 && r.peekU8() === 0) {
          r.skip(1);
          len++;
        }
        sink.field('quic.padding_length', len);
        info.push('PADDING');
        return;
      }
      case 0x01:
        info.push('PING');
        return;
      case 0x02:
      case 0x03: {
        info.push(type === 2 ? 'ACK' : 'ACK_ECN');
        v('quic.ack.largest_acknowledged');
        v('quic.ack.ack_delay');
        const count = v('quic.ack.ack_range_count');
        v('quic.ack.first_ack_range');
        // Each range reads ≥ 2 bytes, so the reader ends a lying count; fields are capped.
        for (let i = 0; i < count; i++) {
          if (i < MAX_ACK_RANGES) {
            v('quic.ack.gap');
            v('quic.ack.ack_range');
          } else {
            readVarint(r);
            readVarint(r);
          }
        }
        if (type === 3) {
          v('quic.ack.ect0_count');
          v('quic.ack.ect1_count');
          v('quic.ack.ecn_ce_count');
        }
        return;
      }
      case 0x04: {
        const id = v('quic.rsts.stream_id');
        info.push(`RS(${id})`);
        v('quic.rsts.application_error_code');
        v('quic.rsts.final_size');
        return;
      }
      case 0x05: {
        const id = v('quic.ss.stream_id');
        info.push(`SS(${id})`);
        v('quic.ss.application_error_code');
        return;
      }
      case 0x06: {
        info.push('CRYPTO');
        const off = v('quic.crypto.offset');
        const len = v('quic.crypto.length');
        const data = r.bytes(len);
        this.crypto(off, data, p);
        return;
      }
      case 0x07: {
        info.push('NT');
        const len = v('quic.nt.length');
        sink.field('quic.nt.token', r.bytes(len));
        return;
      }
      case 0x10:
        info.push('MD');
        v('quic.md.maximum_data');
        return;
      case 0x11: {
        const id = v('quic.msd.stream_id');
        info.push(`MSD(${id})`);
        v('quic.msd.maximum_stream_data');
        return;
      }
      case 0x12:
      case 0x13:
        info.push('MS');
        v('quic.ms.max_streams');
        return;
      case 0x14:
        info.push('DB');
        v('quic.sb.stream_data_limit');
        return;
      case 0x15: {
        const id = v('quic.sdb.stream_id');
        info.push(`SDB(${id})`);
        v('quic.sb.stream_data_limit');
        return;
      }
      case 0x16:
      case 0x17:
        info.push('SB');
        v('quic.sib.stream_limit');
        return;
      case 0x18: {
        info.push('NCI');
        v('quic.nci.sequence');
        v('quic.nci.retire_prior_to');
        const len = r.u8();
        sink.field('quic.nci.connection_id.length', len);
        const cid = r.bytes(len);
        sink.field('quic.nci.connection_id', cid);
        if (len >= 1 && len <= MAX_CID_LENGTH) {
          const list = p.fromServer ? p.conn.serverCids : p.conn.clientCids;
          if (list.length < MAX_CIDS_PER_SIDE && !hasExact(list, cid)) list.push(cid.slice());
        } else {
          sink.anomaly('quic', `NEW_CONNECTION_ID length ${len} outside 1..${MAX_CID_LENGTH}`, -1);
        }
        sink.field('quic.nci.stateless_reset_token', r.bytes(16));
        return;
      }
      case 0x19:
        info.push('RC');
        v('quic.rci.sequence');
        return;
      case 0x1a:
        info.push('PC');
        sink.field('quic.path_challenge.data', r.bytes(8));
        return;
      case 0x1b:
        info.push('PR');
        sink.field('quic.path_response.data', r.bytes(8));
        return;
      case 0x1c:
      case 0x1d: {
        info.push('CC');
        if (type === 0x1c) {
          v('quic.cc.error_code');
          v('quic.cc.frame_type');
        } else {
          v('quic.cc.error_code.app');
        }
        const len = v('quic.cc.reason_phrase.length');
        const phrase = r.bytes(len);
        let text = '';
        // ASCII as Wireshark reads it; other bytes become U+FFFD.
        for (let i = 0; i < phrase.length && i < MAX_REASON_CHARS; i++) {
          const c = phrase[i] ?? 0;
          text += c < 0x80 ? String.fromCharCode(c) : '\ufffd';
        }
        sink.field('quic.cc.reason_phrase', text);
        return;
      }
      case 0x1e:
        info.push('DONE');
        return;
      case 0x30:
      case 0x31: {
        info.push('DG');
        const len = type === 0x31 ? v('quic.dg.length') : r.remaining;
        sink.field('quic.dg', r.bytes(len));
        return;
      }
      default:
        if (type >= 0x08 && type <= 0x0f) {
          const id = readVarint(r);
          info.push(`STREAM(${id})`);
          sink.field('quic.stream.fin', type & 1);
          sink.field('quic.stream.len', (type >> 1) & 1);
          sink.field('quic.stream.off', (type >> 2) & 1);
          sink.field('quic.stream.stream_id', id);
          if (type & 4) v('quic.stream.offset');
          const len = type & 2 ? v('quic.stream.length') : r.remaining;
          r.skip(len);
          return;
        }
        // Wireshark flags the type and carries on with the next byte.
        p.ctx.sink.anomaly('quic', `Unknown Frame Type 0x${type.toString(16)}`, -1);
    }
  }

  /** CRYPTO data of an Initial packet: reassemble per direction and hand in-order bytes on. */
  private crypto(offset: number, data: Uint8Array, p: PacketCtx): void {
    const side = p.fromServer ? 1 : 0;
    const got = p.conn.crypto[side].add(offset, data);
    if (typeof got === 'string') {
      p.ctx.sink.anomaly('quic', got, -1);
      return;
    }
    if (got.length === 0) return;
    try {
      this.opts.onCrypto(p.dir, got, p.ctx);
    } catch (e) {
      p.ctx.sink.anomaly('quic', `CRYPTO consumer failed: ${e instanceof Error ? e.message : String(e)}`, -1);
    }
  }
}
