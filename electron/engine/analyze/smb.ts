/**
 * SMB analyzer: SMB2/3 (and enough SMB1 to see negotiation, sessions, trees and opens) over
 * the NetBIOS session service (TCP 139) or Direct TCP (TCP 445), with NTLMSSP credentials.
 *
 * References: RFC 1002 4.3 (NetBIOS session service: 1-byte type, 1-byte flags whose low bit
 * extends the 16-bit length to 17 bits; 0x00 session message, 0x81 request, 0x82 positive,
 * 0x83 negative, 0x84 retarget, 0x85 keep-alive; 4.1 first-level name encoding); [MS-SMB2]
 * 2.1 (Direct TCP: a zero byte then a 24-bit length), 2.2.1 (SYNC/ASYNC header), 2.2.3/2.2.4
 * NEGOTIATE, 2.2.5/2.2.6 SESSION_SETUP (SessionFlags IS_GUEST 0x1, IS_NULL 0x2), 2.2.9/2.2.10
 * TREE_CONNECT, 2.2.13/2.2.14 CREATE (CreateDisposition, CreateAction, FILE_DELETE_ON_CLOSE
 * 0x1000), 2.2.15/2.2.16 CLOSE, 2.2.19-2.2.22 READ/WRITE, 2.2.31/2.2.32 IOCTL
 * (FSCTL_PIPE_TRANSCEIVE 0x0011C017), 2.2.33 QUERY_DIRECTORY, 2.2.37 QUERY_INFO, 2.2.39
 * SET_INFO (FileDispositionInformation class 13, FileRenameInformation class 10), 2.2.2 ERROR
 * response, 3.2.4.1.4 compounding (NextCommand, SMB2_FLAGS_RELATED_OPERATIONS, FileId all-ones
 * = the previous CREATE's), 3.3.4.2 interim responses (STATUS_PENDING, ASYNC flag), 2.2.41
 * TRANSFORM_HEADER (0xFD 'SMB': encrypted, recognised only), 2.2.42 COMPRESSION_TRANSFORM_HEADER
 * (0xFC 'SMB', recognised only); [MS-CIFS] 2.2.3.1 (SMB1 header), 2.2.4.x (NEGOTIATE 0x72,
 * SESSION_SETUP_ANDX 0x73, TREE_CONNECT_ANDX 0x75, NT_CREATE_ANDX 0xA2, READ_ANDX 0x2E,
 * WRITE_ANDX 0x2F, CLOSE 0x04, TRANSACTION 0x25 with TransactNmPipe 0x0026); [MS-SMB] 2.2.4.6
 * (extended-security SESSION_SETUP_ANDX). NTLMSSP and SPNEGO: ./ntlmssp.ts.
 *
 * SMB2 header (64 bytes, little-endian):
 *
 *   0        4      6       8        12      14      16      20      24           32
 *   +--------+------+-------+--------+-------+-------+-------+-------+------------+
 *   |FE 'SMB'|size64|credit |status  |command|credits|flags  |next   | message id |
 *   +--------+------+-------+--------+-------+-------+-------+-------+------------+
 *   32: sync: process id u32, tree id u32 | async: async id u64; 40: session id u64; 48: signature
 *
 * Wireshark 4.0 is the reference for fields and the Info column.
 */

import { looksLikeDcerpc } from './dcerpc.js';
import { createHash, type Hash } from 'node:crypto';
import { SNIFF_BYTES, sniffMime } from './mime.js';
import {
  emitNtlmFields,
  findSecurityToken,
  netNtlmString,
  ntlmInfo,
  parseNtlmssp,
  type NtlmAuthenticate,
  type NtlmChallenge,
  type NtlmMessage,
} from './ntlmssp.js';
import { STATUS_MORE_PROCESSING_REQUIRED, STATUS_PENDING, ntStatusName } from './nt-status.js';
import type { AppSink, AppValue, BodyInfo, Dir, FrameCtx, SmbFileRecord, StreamInfo, TcpParser } from './types.js';

/** TCP ports Wireshark dissects as SMB: Direct TCP and NetBIOS over TCP. */
export const SMB_PORTS: readonly number[] = [445, 139];

/** Largest NBSS message: the Direct TCP length is 24 bits ([MS-SMB2] 2.1), so nothing larger can be framed. */
const MAX_PDU = 0xffffff + 4;
/** Commands in one compound chain: clients send a handful; a loop guard against NextCommand cycles. */
const MAX_COMPOUND = 64;
/** Requests awaiting a response per stream: Windows grants up to 8192 credits, real streams keep far fewer in flight. */
const MAX_PENDING = 4096;
/** Sessions tracked per stream (one TCP connection multiplexes few users). */
const MAX_SESSIONS = 256;
/** Tree connects tracked per stream. */
const MAX_TREES = 1024;
/** Open files and pipes tracked per stream: beyond this the oldest is flushed as a record. */
const MAX_OPENS = 4096;
/** Out-of-order chunks kept per open while hashing (SMB clients pipeline a few writes ahead). */
const MAX_REORDER_CHUNKS = 64;
/** Bytes buffered per open for out-of-order chunks: 64 one-MiB writes fit; more gives up hashing. */
const MAX_REORDER_BYTES = 64 * 1024 * 1024;
/** Longest name kept (path, share, file): Windows paths stop at 32767 UTF-16 units. */
const MAX_NAME_CHARS = 4096;
/** Distinct host facts reported per stream. */
const MAX_FACTS = 32;
/** Bytes searched for an NBSS/SMB header after a gap before giving up on the direction. */
const MAX_RESYNC_SCAN = 1024 * 1024;

const SMB2_MAGIC = 0xfe;
const SMB1_MAGIC = 0xff;
const TRANSFORM_MAGIC = 0xfd;
const COMPRESSION_MAGIC = 0xfc;

const SMB2_FLAGS_SERVER_TO_REDIR = 0x1;
const SMB2_FLAGS_ASYNC = 0x2;
const SESSION_FLAG_IS_GUEST = 0x1;
const SESSION_FLAG_IS_NULL = 0x2;
const FILE_DELETE_ON_CLOSE = 0x1000;
const FSCTL_PIPE_TRANSCEIVE = 0x0011c017;
const FSCTL_PIPE_WAIT = 0x00110018;

/** [MS-SMB2] 2.2.1.2 command codes, named as Wireshark names them. */
const SMB2_COMMANDS: readonly string[] = [
  'Negotiate Protocol',
  'Session Setup',
  'Session Logoff',
  'Tree Connect',
  'Tree Disconnect',
  'Create',
  'Close',
  'Flush',
  'Read',
  'Write',
  'Lock',
  'Ioctl',
  'Cancel',
  'KeepAlive',
  'Find',
  'Notify',
  'GetInfo',
  'SetInfo',
  'Break',
];

const DIALECTS: Readonly<Record<number, string>> = {
  0x0202: 'SMB 2.0.2',
  0x0210: 'SMB 2.1',
  0x0222: 'SMB 2.2.2',
  0x0224: 'SMB 2.2.4',
  0x02ff: 'SMB2 wildcard',
  0x0300: 'SMB 3.0',
  0x0302: 'SMB 3.0.2',
  0x0310: 'SMB 3.1.0',
  0x0311: 'SMB 3.1.1',
};

/** [MS-SMB2] 2.2.13 CreateDisposition names (as the record shows them). */
const DISPOSITIONS: readonly string[] = ['FILE_SUPERSEDE', 'FILE_OPEN', 'FILE_CREATE', 'FILE_OPEN_IF', 'FILE_OVERWRITE', 'FILE_OVERWRITE_IF'];

const FSCTL_NAMES: ReadonlyMap<number, string> = new Map([
  [0x00060194, 'FSCTL_DFS_GET_REFERRALS'],
  [0x000601b0, 'FSCTL_DFS_GET_REFERRALS_EX'],
  [0x000900a8, 'FSCTL_GET_REPARSE_POINT'],
  [0x000900c4, 'FSCTL_SET_SPARSE'],
  [0x0011400c, 'FSCTL_PIPE_PEEK'],
  [0x00110018, 'FSCTL_PIPE_WAIT'],
  [0x0011c017, 'FSCTL_PIPE_TRANSCEIVE'],
  [0x00140078, 'FSCTL_SRV_REQUEST_RESUME_KEY'],
  [0x001401fc, 'FSCTL_QUERY_NETWORK_INTERFACE_INFO'],
  [0x00140204, 'FSCTL_VALIDATE_NEGOTIATE_INFO'],
  [0x00144064, 'FSCTL_SRV_ENUMERATE_SNAPSHOTS'],
  [0x001440f2, 'FSCTL_SRV_COPYCHUNK'],
  [0x001480f2, 'FSCTL_SRV_COPYCHUNK_WRITE'],
]);

/** [MS-FSCC] 2.4 file information classes, as Wireshark names them for GetInfo/SetInfo. */
const FILE_INFO_NAMES: Readonly<Record<number, string>> = {
  4: 'SMB2_FILE_BASIC_INFO',
  5: 'SMB2_FILE_STANDARD_INFO',
  6: 'SMB2_FILE_INTERNAL_INFO',
  7: 'SMB2_FILE_EA_INFO',
  8: 'SMB2_FILE_ACCESS_INFO',
  10: 'SMB2_FILE_RENAME_INFO',
  11: 'SMB2_FILE_LINK_INFO',
  13: 'SMB2_FILE_DISPOSITION_INFO',
  14: 'SMB2_FILE_POSITION_INFO',
  15: 'SMB2_FILE_FULL_EA_INFO',
  16: 'SMB2_FILE_MODE_INFO',
  17: 'SMB2_FILE_ALIGNMENT_INFO',
  18: 'SMB2_FILE_ALL_INFO',
  19: 'SMB2_FILE_ALLOCATION_INFO',
  20: 'SMB2_FILE_ENDOFFILE_INFO',
  21: 'SMB2_FILE_ALTERNATE_NAME_INFO',
  22: 'SMB2_FILE_STREAM_INFO',
  23: 'SMB2_FILE_PIPE_INFO',
  28: 'SMB2_FILE_COMPRESSION_INFO',
  34: 'SMB2_FILE_NETWORK_OPEN_INFO',
  35: 'SMB2_FILE_ATTRIBUTE_TAG_INFO',
  64: 'SMB2_FILE_DISPOSITION_INFO_EX',
};
const FS_INFO_NAMES: Readonly<Record<number, string>> = {
  1: 'FileFsVolumeInformation',
  2: 'FileFsLabelInformation',
  3: 'FileFsSizeInformation',
  4: 'FileFsDeviceInformation',
  5: 'FileFsAttributeInformation',
  6: 'FileFsControlInformation',
  7: 'FileFsFullSizeInformation',
  8: 'FileFsObjectIdInformation',
  11: 'FileFsSectorSizeInformation',
};
/** Per QUERY_DIRECTORY class: offsets of FileNameLength and FileName in an entry ([MS-FSCC] 2.4.8, 2.4.10, 2.4.14, 2.4.17, 2.4.18, 2.4.28). */
const FIND_NAME_AT: Readonly<Record<number, readonly [number, number]>> = {
  0x01: [60, 64],
  0x02: [60, 68],
  0x03: [60, 94],
  0x0c: [8, 12],
  0x25: [60, 104],
  0x26: [60, 80],
};
/** Directory entries read from one QUERY_DIRECTORY response (a 64 KiB buffer holds about 600). */
const MAX_DIR_ENTRIES = 4096;
const FIND_NAMES: Readonly<Record<number, string>> = {
  0x01: 'SMB2_FIND_DIRECTORY_INFO',
  0x02: 'SMB2_FIND_FULL_DIRECTORY_INFO',
  0x03: 'SMB2_FIND_BOTH_DIRECTORY_INFO',
  0x0c: 'SMB2_FIND_NAME_INFO',
  0x25: 'SMB2_FIND_ID_BOTH_DIRECTORY_INFO',
  0x26: 'SMB2_FIND_ID_FULL_DIRECTORY_INFO',
};

/** [MS-CIFS] 2.2.2.1 SMB1 command names as Wireshark shows them. */
const SMB1_COMMANDS: ReadonlyMap<number, string> = new Map([
  [0x04, 'Close'],
  [0x06, 'Delete'],
  [0x24, 'Locking AndX'],
  [0x25, 'Trans'],
  [0x2b, 'Echo'],
  [0x2e, 'Read AndX'],
  [0x2f, 'Write AndX'],
  [0x32, 'Trans2'],
  [0x71, 'Tree Disconnect'],
  [0x72, 'Negotiate Protocol'],
  [0x73, 'Session Setup AndX'],
  [0x74, 'Logoff AndX'],
  [0x75, 'Tree Connect AndX'],
  [0xa0, 'NT Trans'],
  [0xa2, 'NT Create AndX'],
  [0xa4, 'NT Cancel'],
]);
/** SMB1 commands whose first parameter words are the AndX block (command, reserved, offset). */
const SMB1_ANDX = new Set([0x24, 0x2e, 0x2f, 0x73, 0x74, 0x75, 0xa2]);

export interface PipeInfo {
  name: string;
  fid: string;
  sessionId: string;
}

export interface SmbParserOptions {
  /** Named-pipe payloads (WRITE to / READ from a pipe, FSCTL_PIPE_TRANSCEIVE in and out, SMB1 TransactNmPipe). */
  onPipe?: (pipe: PipeInfo, dir: Dir, bytes: Uint8Array, ctx: FrameCtx) => void;
}

// ---- small readers (bounds-checked: out of range reads give 0) -------------------------------

function u8(b: Uint8Array, o: number): number {
  return b[o] ?? 0;
}
function u16(b: Uint8Array, o: number): number {
  return (b[o] ?? 0) | ((b[o + 1] ?? 0) << 8);
}
function u32(b: Uint8Array, o: number): number {
  return ((b[o] ?? 0) | ((b[o + 1] ?? 0) << 8) | ((b[o + 2] ?? 0) << 16) | ((b[o + 3] ?? 0) << 24)) >>> 0;
}
/** A u64 as a JS number (exact below 2^53; callers check with `exactU64`). */
function u64(b: Uint8Array, o: number): number {
  return u32(b, o + 4) * 0x100000000 + u32(b, o);
}
function exactU64(b: Uint8Array, o: number): boolean {
  return u32(b, o + 4) < 0x200000;
}
function hexBytes(b: Uint8Array, o: number, n: number): string {
  let s = '';
  for (let i = n - 1; i >= 0; i--) s += (b[o + i] ?? 0).toString(16).padStart(2, '0');
  return s;
}
/** UTF-16LE string of `len` bytes at `o`, cut to the buffer and MAX_NAME_CHARS. */
function utf16(b: Uint8Array, o: number, len: number): string {
  if (o < 0 || o >= b.length || len <= 0) return '';
  const end = Math.min(b.length, o + len, o + MAX_NAME_CHARS * 2);
  const v = b.subarray(o, o + ((end - o) & ~1));
  return Buffer.from(v.buffer, v.byteOffset, v.length).toString('utf16le');
}
/** NUL-terminated string (UTF-16LE when `uni`, else Latin-1) at `o`; returns the text and the offset after the NUL. */
function cstr(b: Uint8Array, o: number, uni: boolean): [string, number] {
  let e = o;
  if (uni) {
    while (e + 1 < b.length && (b[e] !== 0 || b[e + 1] !== 0) && e - o < MAX_NAME_CHARS * 2) e += 2;
    return [utf16(b, o, e - o), e + 2];
  }
  while (e < b.length && b[e] !== 0 && e - o < MAX_NAME_CHARS) e++;
  return [Buffer.from(b.subarray(o, e)).toString('latin1'), e + 1];
}
function lastComponent(name: string): string | null {
  const parts = name.split(/[\\/]/).filter((p) => p !== '');
  return parts.at(-1) ?? null;
}

// ---- content hashing for an open ------------------------------------------------------------

/** Hashes a file's bytes as they arrive at increasing offsets, with a small reorder buffer. */
class ContentTracker {
  total = 0;
  private next = 0;
  private hashing = true;
  private readonly md5: Hash = createHash('md5');
  private readonly sha1: Hash = createHash('sha1');
  private readonly sha256: Hash = createHash('sha256');
  private head = new Uint8Array(0);
  private readonly pending = new Map<number, Uint8Array>();
  private pendingBytes = 0;

  add(offset: number, bytes: Uint8Array): void {
    this.total += bytes.length;
    if (!this.hashing || bytes.length === 0) return;
    if (offset === this.next) {
      this.feed(bytes);
      for (let c = this.pending.get(this.next); c !== undefined; c = this.pending.get(this.next)) {
        this.pending.delete(this.next);
        this.pendingBytes -= c.length;
        this.feed(c);
      }
    } else if (offset > this.next && this.pending.size < MAX_REORDER_CHUNKS && this.pendingBytes + bytes.length <= MAX_REORDER_BYTES && !this.pending.has(offset)) {
      this.pending.set(offset, bytes.slice());
      this.pendingBytes += bytes.length;
    } else {
      // Rewritten region, overlap, or a reorder window overflow: the run from 0 is not provable.
      this.hashing = false;
      this.pending.clear();
      this.pendingBytes = 0;
    }
  }

  private feed(b: Uint8Array): void {
    this.md5.update(b);
    this.sha1.update(b);
    this.sha256.update(b);
    if (this.head.length < SNIFF_BYTES) {
      const h = new Uint8Array(Math.min(SNIFF_BYTES, this.head.length + b.length));
      h.set(this.head);
      h.set(b.subarray(0, h.length - this.head.length), this.head.length);
      this.head = h;
    }
    this.next += b.length;
  }

  finish(filename: string | null): BodyInfo | null {
    if (this.total === 0) return null;
    const complete = this.hashing && this.pending.size === 0 && this.next > 0;
    return {
      wireLength: this.total,
      length: complete ? this.next : -1,
      encodings: [],
      mime: sniffMime(this.head),
      md5: complete ? this.md5.digest('hex') : null,
      sha1: complete ? this.sha1.digest('hex') : null,
      sha256: complete ? this.sha256.digest('hex') : null,
      filename,
      complete,
    };
  }
}

// ---- per-stream state -------------------------------------------------------------------------

interface Session {
  id: string;
  user: string | null;
  domain: string | null;
  host: string | null;
  auth: string | null;
  anonymous: boolean;
  challenge: Uint8Array | null;
  authMsg: NtlmAuthenticate | null;
  authFrame: number;
  kerberos: boolean;
}

interface Tree {
  path: string;
  shareType: string | null;
  /** Wireshark's smb2.share_type value (1 disk, 2 pipe, 3 print) or 0 when unknown. */
  shareCode: number;
}

interface Open {
  frame: number;
  sessionId: string;
  tree: string;
  name: string;
  finalName: string;
  pipe: boolean;
  disposition: string | null;
  status: number;
  fid: string;
  deleted: boolean;
  written: ContentTracker;
  read: ContentTracker;
}

interface Pending {
  cmd: number;
  frame: number;
  sessionId: string;
  open: Open | null;
  path: string;
  offset: number;
  length: number;
  ctlCode: number;
  infoText: string;
  related: boolean;
}

interface DirState {
  chunks: Uint8Array[];
  size: number;
  /** After a gap: look for the next plausible header before parsing again. */
  resync: boolean;
  scanned: number;
  dead: boolean;
}

const SENTINEL_FID = 'ffffffffffffffffffffffffffffffff';

/** NBSS header + SMB1/SMB2/transform magic at the start of a stream. */
export function looksLikeSmb(firstBytes: Uint8Array): boolean {
  if (firstBytes.length < 8) return false;
  if (firstBytes[0] !== 0x00) return false;
  const m = firstBytes[4];
  return (m === SMB2_MAGIC || m === SMB1_MAGIC || m === TRANSFORM_MAGIC || m === COMPRESSION_MAGIC) && firstBytes[5] === 0x53 && firstBytes[6] === 0x4d && firstBytes[7] === 0x42;
}

function isHeaderAt(b: Uint8Array, o: number): boolean {
  if (o + 8 > b.length || b[o] !== 0) return false;
  const m = b[o + 4];
  return (m === SMB2_MAGIC || m === SMB1_MAGIC || m === TRANSFORM_MAGIC) && b[o + 5] === 0x53 && b[o + 6] === 0x4d && b[o + 7] === 0x42;
}

/** RFC 1002 4.1: first-level decoding of a 32-character NetBIOS name to `NAME<xx>`. */
function netbiosName(b: Uint8Array, o: number): [string, number] {
  const len = u8(b, o);
  if (len !== 32 || o + 1 + 32 > b.length) return ['<malformed>', b.length];
  let s = '';
  for (let i = 0; i < 16; i++) {
    const hi = u8(b, o + 1 + 2 * i) - 0x41;
    const lo = u8(b, o + 2 + 2 * i) - 0x41;
    s += String.fromCharCode(((hi & 0xf) << 4) | (lo & 0xf));
  }
  // Skip the scope labels up to the root's zero length.
  let p = o + 33;
  while (p < b.length && b[p] !== 0) p += 1 + u8(b, p);
  const suffix = s.charCodeAt(15).toString(16).padStart(2, '0');
  return [`${s.slice(0, 15).trimEnd()}<${suffix}>`, p + 1];
}

export class SmbParser implements TcpParser {
  private readonly info: StreamInfo;
  private readonly onPipe: SmbParserOptions['onPipe'];
  private readonly dirs: [DirState, DirState] = [
    { chunks: [], size: 0, resync: false, scanned: 0, dead: false },
    { chunks: [], size: 0, resync: false, scanned: 0, dead: false },
  ];
  private readonly ended: [boolean, boolean] = [false, false];
  private lastCtx: FrameCtx | null = null;
  private dialect: string | null = null;
  private readonly sessions = new Map<string, Session>();
  private readonly trees = new Map<string, Tree>();
  private readonly opens = new Map<string, Open>();
  private readonly pending = new Map<string, Pending>();
  private readonly facts = new Set<string>();
  /** SMB1: the server's NTLM challenge from the last CHALLENGE without a known UID yet. */
  private lastChallenge: Uint8Array | null = null;

  constructor(info: StreamInfo, opts?: SmbParserOptions) {
    this.info = info;
    this.onPipe = opts?.onPipe;
  }

  data(dir: Dir, bytes: Uint8Array, ctx: FrameCtx): void {
    this.lastCtx = ctx;
    const d = this.dirs[dir];
    if (d.dead || bytes.length === 0) return;
    d.chunks.push(bytes.slice());
    d.size += bytes.length;
    this.drain(dir, d, ctx, bytes.length);
  }

  gap(dir: Dir, length: number, ctx: FrameCtx): void {
    this.lastCtx = ctx;
    const d = this.dirs[dir];
    if (d.dead) return;
    if (d.size > 0 || length > 0) ctx.sink.anomaly('smb', `${length} bytes missing in the ${dir === 0 ? 'client' : 'server'} direction; resynchronising`);
    d.chunks = [];
    d.size = 0;
    d.resync = true;
    d.scanned = 0;
  }

  end(dir: Dir, ctx: FrameCtx | null): void {
    if (ctx !== null) this.lastCtx = ctx;
    this.ended[dir] = true;
    const d = this.dirs[dir];
    if (d.size > 0 && ctx !== null && !d.dead) ctx.sink.anomaly('smb', `stream ended inside an NBSS message (${d.size} bytes buffered)`);
    d.chunks = [];
    d.size = 0;
    if (!this.ended[0] || !this.ended[1]) return;
    const c = ctx ?? this.lastCtx;
    if (c === null) return;
    // Opens never closed in the capture, and authentications never answered.
    for (const o of this.opens.values()) this.fileRecord(o, c);
    this.opens.clear();
    for (const p of this.pending.values()) {
      if (p.cmd === 5 && p.open !== null) this.fileRecord(p.open, c);
    }
    this.pending.clear();
  }

  // ---- framing --------------------------------------------------------------------------------

  private flat(d: DirState): Uint8Array {
    if (d.chunks.length === 1) return d.chunks[0] ?? new Uint8Array(0);
    const all = new Uint8Array(d.size);
    let o = 0;
    for (const c of d.chunks) {
      all.set(c, o);
      o += c.length;
    }
    d.chunks = [all];
    return all;
  }

  private drain(dir: Dir, d: DirState, outer: FrameCtx, added: number): void {
    // Columns of every PDU completed here are gathered and set once: Wireshark appends NBSS's
    // "Session message" (no separator) when a further message starts in the same segment.
    const cols: [string, string][] = [];
    const sink: AppSink = {
      field: (n, v) => outer.sink.field(n, v),
      anomaly: (l, t, o) => outer.sink.anomaly(l, t, o),
      record: (r) => outer.sink.record(r),
      columns: (p, i) => cols.push([p, i]),
    };
    const ctx: FrameCtx = { ...outer, sink };
    const partialStart = this.drainPdus(dir, d, ctx, added);
    if (cols.length === 0) return;
    const last = cols.at(-1)?.[0] ?? 'SMB';
    const info = cols.map(([, i]) => i).join(', ') + (partialStart ? 'Session message' : '');
    outer.sink.columns(last, info);
  }

  /** Parses the complete PDUs buffered; true when a partial one is left that began in the newest bytes. */
  private drainPdus(dir: Dir, d: DirState, ctx: FrameCtx, added: number): boolean {
    // A message still incomplete: wait without copying (flattening on every segment of a
    // 64 KiB READ/WRITE would copy it again and again).
    if (!d.resync && d.chunks.length > 1 && d.size >= 4) {
      const h = new Uint8Array(4);
      let o = 0;
      for (const c of d.chunks) {
        const n = Math.min(4 - o, c.length);
        h.set(c.subarray(0, n), o);
        o += n;
        if (o === 4) break;
      }
      const len = h[0] === 0x00 && this.info.server.port !== 139 ? (h[1]! << 16) | (h[2]! << 8) | h[3]! : ((h[1]! & 1) << 16) | (h[2]! << 8) | h[3]!;
      // More than one chunk: the message began in older bytes, so no new partial start here.
      if (len + 4 <= MAX_PDU && d.size < 4 + len) return false;
    }
    const buf = this.flat(d);
    const newFrom = buf.length - added;
    let off = 0;
    if (d.resync) {
      let found = -1;
      for (let i = 0; i + 8 <= buf.length; i++) {
        if (isHeaderAt(buf, i)) {
          found = i;
          break;
        }
      }
      if (found < 0) {
        d.scanned += Math.max(0, buf.length - 7);
        if (d.scanned > MAX_RESYNC_SCAN) {
          d.dead = true;
          ctx.sink.anomaly('smb', 'no SMB header found after a gap; direction given up');
        }
        const keep = buf.subarray(Math.max(0, buf.length - 7));
        d.chunks = [keep.slice()];
        d.size = keep.length;
        return false;
      }
      d.resync = false;
      off = found;
    }
    while (buf.length - off >= 4) {
      const type = u8(buf, off);
      const len = type === 0x00 && this.info.server.port !== 139 ? (u8(buf, off + 1) << 16) | u16be(buf, off + 2) : ((u8(buf, off + 1) & 1) << 16) | u16be(buf, off + 2);
      if (len + 4 > MAX_PDU) {
        d.dead = true;
        ctx.sink.anomaly('nbss', `message length ${len} beyond the cap`);
        return false;
      }
      if (buf.length - off < 4 + len) break;
      const pdu = buf.subarray(off, off + 4 + len);
      off += 4 + len;
      this.pdu(dir, type, len, pdu.subarray(4), ctx);
    }
    const rest = buf.subarray(off);
    d.chunks = rest.length > 0 ? [rest.slice()] : [];
    d.size = rest.length;
    return rest.length > 0 && off >= newFrom && !d.dead;
  }

  private pdu(dir: Dir, type: number, len: number, body: Uint8Array, ctx: FrameCtx): void {
    const s = ctx.sink;
    s.field('nbss', '');
    s.field('nbss.type', type);
    s.field('nbss.length', len);
    if (type === 0x00) {
      const m = u8(body, 0);
      const isSmb = body.length >= 4 && body[1] === 0x53 && body[2] === 0x4d && body[3] === 0x42;
      if (isSmb && m === SMB2_MAGIC) this.smb2(dir, body, ctx);
      else if (isSmb && m === SMB1_MAGIC) this.smb1(dir, body, ctx);
      else if (isSmb && m === TRANSFORM_MAGIC) {
        s.field('smb2', '');
        if (body.length >= 52 && exactU64(body, 44)) s.field('smb2.sesid', u64(body, 44));
        s.columns('SMB2', 'Encrypted SMB3');
      } else if (isSmb && m === COMPRESSION_MAGIC) {
        s.field('smb2', '');
        s.columns('SMB2', 'Compressed SMB3');
      } else {
        if (body.length > 0) s.anomaly('nbss', 'session message carries neither SMB1 nor SMB2');
        s.columns('NBSS', 'Session message');
      }
      return;
    }
    if (type === 0x81) {
      const [called, p] = netbiosName(body, 0);
      const [calling] = netbiosName(body, p);
      s.columns('NBSS', `Session request, to ${called} from ${calling}`);
    } else if (type === 0x82) s.columns('NBSS', 'Positive session response');
    else if (type === 0x83) s.columns('NBSS', 'Negative session response');
    else if (type === 0x84) s.columns('NBSS', 'Retarget session response');
    else if (type === 0x85) s.columns('NBSS', 'Session keep-alive');
    else {
      s.anomaly('nbss', `unknown NBSS message type 0x${type.toString(16)}`);
      s.columns('NBSS', `Unknown packet type 0x${type.toString(16).padStart(2, '0')}`);
    }
  }

  // ---- SMB2 -----------------------------------------------------------------------------------

  private pendingKey(msgId: string, sesId: string): string {
    return `${msgId}/${sesId}`;
  }

  private addPending(key: string, p: Pending, ctx: FrameCtx): void {
    if (this.pending.size >= MAX_PENDING) {
      const oldest = this.pending.keys().next().value;
      if (oldest !== undefined) this.pending.delete(oldest);
      ctx.sink.anomaly('smb', `more than ${MAX_PENDING} requests awaiting a response; oldest forgotten`);
    }
    this.pending.set(key, p);
  }

  private smb2(dir: Dir, msg: Uint8Array, ctx: FrameCtx): void {
    const infos: string[] = [];
    let off = 0;
    /** The CREATE earlier in this chain, for related operations that name it with the all-ones FileId. */
    let chainOpen: Open | null = null;
    for (let n = 0; n < MAX_COMPOUND; n++) {
      if (msg.length - off < 64) {
        ctx.sink.anomaly('smb2', `SMB2 header truncated (${msg.length - off} bytes)`, off);
        break;
      }
      const next = u32(msg, off + 20);
      let end = msg.length;
      if (next !== 0) {
        if (next < 64 || off + next > msg.length || next % 8 !== 0) {
          ctx.sink.anomaly('smb2', `NextCommand ${next} points outside the message`, off);
        } else end = off + next;
      }
      const cmd = msg.subarray(off, end);
      try {
        const r = this.smb2Command(dir, cmd, ctx, chainOpen);
        infos.push(r.info);
        chainOpen = r.open ?? chainOpen;
      } catch (e) {
        ctx.sink.anomaly('smb2', `command not parsed: ${e instanceof Error ? e.message : String(e)}`, off);
      }
      if (end === msg.length) break;
      off = end;
    }
    ctx.sink.columns('SMB2', infos.join(';'));
  }

  private smb2Command(dir: Dir, m: Uint8Array, ctx: FrameCtx, chainOpen: Open | null): { info: string; open: Open | null } {
    const s = ctx.sink;
    const f = (name: string, v: AppValue): void => s.field(name, v);
    const status = u32(m, 8);
    const cmd = u16(m, 12);
    const flags = u32(m, 16);
    const response = (flags & SMB2_FLAGS_SERVER_TO_REDIR) !== 0;
    const async = (flags & SMB2_FLAGS_ASYNC) !== 0;
    const related = (flags & 0x4) !== 0;
    const msgId = hexBytes(m, 24, 8);
    const tid = u32(m, 36);
    const sesId = hexBytes(m, 40, 8);
    const cmdName = SMB2_COMMANDS[cmd] ?? `Unknown command 0x${cmd.toString(16).padStart(4, '0')}`;
    let info = `${cmdName} ${response ? 'Response' : 'Request'}`;

    f('smb2', '');
    if (response) f('smb2.nt_status', status);
    f('smb2.cmd', cmd);
    f('smb2.flags.response', response ? 1 : 0);
    if (exactU64(m, 24)) f('smb2.msg_id', u64(m, 24));
    const treeKey = `${sesId}:${tid}`;
    const tree = async ? undefined : this.trees.get(treeKey);
    if (!async) {
      f('smb2.tid', tid);
      if (tree !== undefined) {
        f('smb2.tree', tree.path);
        if (tree.shareCode !== 0) f('smb2.share_type', tree.shareCode);
      }
    }
    if (exactU64(m, 40)) f('smb2.sesid', u64(m, 40));

    const body = 64;
    const key = this.pendingKey(msgId, cmd === 1 ? '' : sesId);
    const lookupOpen = (at: number): { fid: string; open: Open | null } => {
      const fid = hexBytes(m, at, 16);
      if (fid === SENTINEL_FID) return { fid, open: chainOpen };
      return { fid, open: this.opens.get(fid) ?? null };
    };
    const fileSuffix = (o: Open | null): string => (o !== null ? ` File: ${o.name}` : '');

    if (!response) {
      const base: Pending = { cmd, frame: ctx.frame, sessionId: sesId, open: null, path: '', offset: 0, length: 0, ctlCode: 0, infoText: '', related };
      let newOpen: Open | null = null;
      switch (cmd) {
        case 0: {
          const count = Math.min(u16(m, body + 2), 64);
          for (let i = 0; i < count && body + 36 + 2 * i + 2 <= m.length; i++) f('smb2.dialect', u16(m, body + 36 + 2 * i));
          break;
        }
        case 1: {
          const blob = secBlob(m, u16(m, body + 12), u16(m, body + 14));
          info += this.securityRequest(sesId, blob, ctx);
          break;
        }
        case 3: {
          const path = utf16(m, u16(m, body + 4), u16(m, body + 6));
          f('smb2.tree', path);
          base.path = path;
          info += ` Tree: ${path}`;
          break;
        }
        case 5: {
          const disposition = u32(m, body + 36);
          const options = u32(m, body + 40);
          const name = utf16(m, u16(m, body + 44), u16(m, body + 46));
          f('smb2.create.disposition', disposition);
          f('smb2.filename', name);
          info += ` File: ${name}`;
          const tr = this.trees.get(treeKey);
          newOpen = {
            frame: ctx.frame,
            sessionId: sesId,
            tree: tr?.path ?? '',
            name,
            finalName: name,
            pipe: tr !== undefined && (tr.shareType === 'pipe' || /\\IPC\$$/i.test(tr.path)),
            disposition: DISPOSITIONS[disposition] ?? null,
            status: -1,
            fid: '',
            deleted: (options & FILE_DELETE_ON_CLOSE) !== 0,
            written: new ContentTracker(),
            read: new ContentTracker(),
          };
          base.open = newOpen;
          break;
        }
        case 6: {
          const { open } = lookupOpen(body + 8);
          base.open = open;
          info += fileSuffix(open);
          break;
        }
        case 8: {
          const length = u32(m, body + 4);
          const offset = u64(m, body + 8);
          const { open } = lookupOpen(body + 16);
          Object.assign(base, { open, offset, length });
          info += ` Len:${length} Off:${offset}${fileSuffix(open)}`;
          break;
        }
        case 9: {
          const dataOff = u16(m, body + 2);
          const length = u32(m, body + 4);
          const offset = u64(m, body + 8);
          const { fid, open } = lookupOpen(body + 16);
          Object.assign(base, { open, offset, length });
          info += ` Len:${length} Off:${offset}${fileSuffix(open)}`;
          if (dataOff + length > m.length) s.anomaly('smb2', `WRITE data (offset ${dataOff}, length ${length}) runs past the message`);
          const data = m.subarray(Math.min(dataOff, m.length), Math.min(dataOff + length, m.length));
          if (open !== null) this.transfer(open, fid, 0, offset, data, ctx);
          break;
        }
        case 11: {
          const ctl = u32(m, body + 4);
          const { fid, open } = lookupOpen(body + 8);
          f('smb2.ioctl.function', ctl);
          Object.assign(base, { open, ctlCode: ctl });
          const input = m.subarray(Math.min(u32(m, body + 24), m.length), Math.min(u32(m, body + 24) + u32(m, body + 28), m.length));
          if (ctl === FSCTL_PIPE_WAIT) {
            const name = utf16(input, 14, u32(input, 8));
            base.infoText = ` ${fsctlName(ctl)} Pipe: ${name}`;
          } else base.infoText = ` ${fsctlName(ctl)}${fileSuffix(open)}`;
          info += base.infoText;
          if (ctl === FSCTL_PIPE_TRANSCEIVE && open !== null && input.length > 0) this.pipeData(open, fid, 0, input, ctx);
          break;
        }
        case 14: {
          const cls = u8(m, body + 2);
          const { open } = lookupOpen(body + 8);
          const pattern = utf16(m, u16(m, body + 24), u16(m, body + 26));
          base.ctlCode = cls;
          base.infoText = ` ${FIND_NAMES[cls] ?? `Unknown (0x${cls.toString(16).padStart(2, '0')})`} Pattern: ${pattern}`;
          info += `${fileSuffix(open)}${base.infoText}`;
          break;
        }
        case 16: {
          const { open } = lookupOpen(body + 24);
          info += ` ${infoLevelName(u8(m, body + 2), u8(m, body + 3))}${fileSuffix(open)}`;
          break;
        }
        case 17: {
          const infoType = u8(m, body + 2);
          const cls = u8(m, body + 3);
          const bufLen = u32(m, body + 4);
          const bufOff = u16(m, body + 8);
          const { open } = lookupOpen(body + 16);
          info += ` ${infoLevelName(infoType, cls)}${fileSuffix(open)}`;
          const buf = m.subarray(Math.min(bufOff, m.length), Math.min(bufOff + bufLen, m.length));
          base.open = open;
          if (infoType === 1 && open !== null) {
            if ((cls === 13 || cls === 64) && buf.length >= 1) base.length = u8(buf, 0) & 1 ? 1 : 0;
            if (cls === 10 && buf.length >= 20) base.path = utf16(buf, 20, u32(buf, 16));
            base.ctlCode = cls;
          }
          break;
        }
        case 7:
        case 10:
        case 15: {
          // FLUSH, LOCK and CHANGE_NOTIFY all carry the FileId at body offset 8.
          const { open } = lookupOpen(body + 8);
          info += fileSuffix(open);
          break;
        }
        default:
          break;
      }
      // Cancel requests reuse the message id of what they cancel; they get no response of their own.
      if (cmd !== 12) this.addPending(key, base, ctx);
      return { info, open: newOpen };
    }

    // ---- responses ----
    const p = this.pending.get(key);
    if (p !== undefined && status !== STATUS_PENDING) this.pending.delete(key);
    const size = u16(m, body);
    const errorBody = status !== 0 && status !== STATUS_MORE_PROCESSING_REQUIRED && size === 9 && cmd !== 1;
    if (status !== 0) info += `, Error: ${ntStatusName(status)}`;
    let openOut: Open | null = null;
    if (!errorBody) {
      switch (cmd) {
        case 0: {
          const rev = u16(m, body + 4);
          f('smb2.dialect', rev);
          if (rev !== 0x02ff) this.dialect = DIALECTS[rev] ?? `SMB2 0x${rev.toString(16).padStart(4, '0')}`;
          break;
        }
        case 3:
          f('smb2.share_type', u8(m, body + 2));
          break;
        case 5: {
          f('smb2.create.action', u32(m, body + 4));
          const fid = hexBytes(m, body + 64, 16);
          const open = p?.open ?? null;
          if (open !== null) {
            info += ` File: ${open.name}`;
            open.fid = fid;
            open.frame = ctx.frame;
            open.status = status;
            if (status === 0 && m.length >= body + 80) {
              if (this.opens.size >= MAX_OPENS) {
                const [oldKey, old] = this.opens.entries().next().value ?? [];
                if (oldKey !== undefined && old !== undefined) {
                  this.opens.delete(oldKey);
                  this.fileRecord(old, ctx);
                }
                s.anomaly('smb2', `more than ${MAX_OPENS} opens; oldest reported early`);
              }
              this.opens.set(fid, open);
              openOut = open;
            }
          }
          break;
        }
        case 8: {
          if (p?.open != null) {
            const dataOff = u8(m, body + 2);
            const len = u32(m, body + 4);
            if (dataOff + len > m.length) s.anomaly('smb2', `READ data (offset ${dataOff}, length ${len}) runs past the message`);
            const data = m.subarray(Math.min(dataOff, m.length), Math.min(dataOff + len, m.length));
            this.transfer(p.open, p.open.fid, 1, p.offset, data, ctx);
          }
          break;
        }
        case 11: {
          const ctl = u32(m, body + 4);
          f('smb2.ioctl.function', ctl);
          const open = p?.open ?? null;
          // Wireshark repeats the request's FSCTL and file name, but not FSCTL_PIPE_WAIT's pipe name.
          info += ctl === FSCTL_PIPE_WAIT ? ` ${fsctlName(ctl)}` : (p?.infoText ?? ` ${fsctlName(ctl)}`);
          if (ctl === FSCTL_PIPE_TRANSCEIVE && open !== null) {
            const outOff = u32(m, body + 32);
            const outLen = u32(m, body + 36);
            const out = m.subarray(Math.min(outOff, m.length), Math.min(outOff + outLen, m.length));
            if (out.length > 0) this.pipeData(open, open.fid, 1, out, ctx);
          }
          break;
        }
        case 14:
          if (p !== undefined) this.findEntries(m, p.ctlCode, f);
          break;
        default:
          break;
      }
    } else if (cmd === 5 && p?.open != null && status !== STATUS_PENDING) {
      // A failed open: reported at once, nothing will close it.
      p.open.status = status;
      p.open.frame = ctx.frame;
      this.fileRecord(p.open, ctx);
    }
    if (cmd === 14 && p !== undefined) info += p.infoText;
    if (cmd === 1) {
      if (sesId !== '0000000000000000') this.adoptSession('0000000000000000', sesId);
      const flagsS = u16(m, body + 2);
      const blob = secBlob(m, u16(m, body + 4), u16(m, body + 6));
      info += this.securityResponse(sesId, blob, status, ctx, flagsS, 'SMB2');
    } else if (cmd === 3 && p !== undefined) {
      const code = status === 0 ? u8(m, body + 2) : 0;
      const shareType = code === 1 ? 'disk' : code === 2 ? 'pipe' : code === 3 ? 'print' : null;
      if (status === 0) {
        if (this.trees.size >= MAX_TREES) this.trees.delete(this.trees.keys().next().value ?? '');
        this.trees.set(treeKey, { path: p.path, shareType, shareCode: code });
      }
      s.record({ kind: 'smb.tree', frame: ctx.frame, stream: this.info.stream, sessionId: sesId, path: p.path, shareType, status, statusName: ntStatusName(status), success: status === 0 });
    } else if (cmd === 6 && status === 0 && p?.open != null) {
      const o = p.open;
      if (this.opens.get(o.fid) === o) this.opens.delete(o.fid);
      this.fileRecord(o, ctx);
    } else if (cmd === 17 && status === 0 && p?.open != null) {
      if (p.ctlCode === 13 || p.ctlCode === 64) p.open.deleted = p.length === 1;
      if (p.ctlCode === 10 && p.path !== '') p.open.finalName = p.path;
    }
    return { info, open: openOut };
  }

  /** QUERY_DIRECTORY response entries ([MS-FSCC] 2.4): Wireshark shows each entry's name as smb2.filename. */
  private findEntries(m: Uint8Array, cls: number, f: (name: string, v: AppValue) => void): void {
    const at = FIND_NAME_AT[cls];
    if (at === undefined) return;
    const bufOff = u16(m, 64 + 2);
    const buf = m.subarray(Math.min(bufOff, m.length), Math.min(bufOff + u32(m, 64 + 4), m.length));
    let o = 0;
    for (let n = 0; n < MAX_DIR_ENTRIES && o + at[1] <= buf.length; n++) {
      f('smb2.filename', utf16(buf, o + at[1], u32(buf, o + at[0])));
      const next = u32(buf, o);
      if (next === 0) break;
      o += next;
    }
  }

  /** Pipe payload to the DCE/RPC hand-off, file payload to the hashes. */
  private transfer(open: Open, fid: string, dir: Dir, offset: number, data: Uint8Array, ctx: FrameCtx): void {
    // The tree connect was not captured (the capture began later): like Wireshark's DCE/RPC
    // heuristic, a file whose first bytes are a DCE/RPC PDU is taken for a named pipe.
    if (!open.pipe && open.tree === '' && open.written.total === 0 && open.read.total === 0 && looksLikeDcerpc(data)) open.pipe = true;
    if (open.pipe) {
      if (dir === 0) open.written.total += data.length;
      else open.read.total += data.length;
      if (data.length > 0) this.pipeData(open, fid, dir, data, ctx);
      return;
    }
    (dir === 0 ? open.written : open.read).add(offset, data);
  }

  private pipeData(open: Open, fid: string, dir: Dir, data: Uint8Array, ctx: FrameCtx): void {
    if (this.onPipe === undefined) return;
    const name = open.name.replace(/^\\+/, '').replace(/^PIPE\\/i, '');
    this.onPipe({ name, fid, sessionId: open.sessionId }, dir, data, ctx);
  }

  private fileRecord(o: Open, ctx: FrameCtx): void {
    const filename = lastComponent(o.finalName);
    const written = o.written.total > 0;
    const rec: SmbFileRecord = {
      kind: 'smb.file',
      frame: o.frame,
      stream: this.info.stream,
      sessionId: o.sessionId,
      tree: o.tree,
      name: o.name,
      pipe: o.pipe,
      disposition: o.disposition,
      status: o.status < 0 ? 0 : o.status,
      statusName: o.status < 0 ? 'unanswered' : ntStatusName(o.status),
      bytesRead: o.read.total,
      bytesWritten: o.written.total,
      deleted: o.deleted,
      object: o.pipe ? null : written ? o.written.finish(filename) : o.read.finish(filename),
    };
    ctx.sink.record(rec);
  }

  // ---- authentication (shared by SMB1 and SMB2) ----------------------------------------------

  private session(id: string): Session {
    let ses = this.sessions.get(id);
    if (ses === undefined) {
      if (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value ?? '');
      ses = { id, user: null, domain: null, host: null, auth: null, anonymous: false, challenge: null, authMsg: null, authFrame: 0, kerberos: false };
      this.sessions.set(id, ses);
    }
    return ses;
  }

  /**
   * The first SESSION_SETUP request carries session id 0 (SMB1: UID 0); the response assigns
   * the id. Move what the request told (Kerberos, an AUTHENTICATE) to the assigned id.
   */
  private adoptSession(fromId: string, toId: string): void {
    const pre = this.sessions.get(fromId);
    if (pre === undefined) return;
    this.sessions.delete(fromId);
    const cur = this.session(toId);
    if (cur.authMsg === null && pre.authMsg !== null) Object.assign(cur, { ...pre, id: toId, challenge: cur.challenge ?? pre.challenge });
    else if (cur.auth === null) cur.auth = pre.auth;
  }

  private ntlm(blob: Uint8Array, ctx: FrameCtx): { msg: NtlmMessage | null; kerberos: boolean } {
    const tok = findSecurityToken(blob);
    if (tok.malformed && tok.ntlmssp === null) ctx.sink.anomaly('spnego', 'security blob is not valid SPNEGO/GSS-API DER');
    if (tok.ntlmssp === null) return { msg: null, kerberos: tok.kerberos };
    const r = parseNtlmssp(tok.ntlmssp);
    for (const i of r.issues) ctx.sink.anomaly('ntlmssp', i);
    if (r.msg !== null) emitNtlmFields(r.msg, (n, v) => ctx.sink.field(n, v));
    return { msg: r.msg, kerberos: tok.kerberos };
  }

  /** A SESSION_SETUP request's security blob; returns the Info suffix. */
  private securityRequest(sesId: string, blob: Uint8Array, ctx: FrameCtx): string {
    const { msg, kerberos } = this.ntlm(blob, ctx);
    const ses = this.session(sesId);
    if (kerberos) {
      ses.kerberos = true;
      ses.auth = 'Kerberos';
    }
    if (msg === null) return '';
    if (msg.type === 3) {
      const a = msg as NtlmAuthenticate;
      ses.authMsg = a;
      ses.authFrame = ctx.frame;
      ses.user = a.user;
      ses.domain = a.domain;
      ses.host = a.host;
      ses.anonymous = a.anonymous;
      ses.auth = a.version === 'NTLMv2' ? 'NTLMv2' : a.version === 'NTLMv1' ? 'NTLMv1' : 'NTLM';
      if (ses.challenge === null && this.lastChallenge !== null) ses.challenge = this.lastChallenge;
      if (a.host !== '') this.fact(this.info.client.addr, a.host, 'NTLMSSP AUTHENTICATE workstation', ctx);
    }
    return `, ${ntlmInfo(msg)}`;
  }

  /** A SESSION_SETUP response: challenge, or the final outcome (records). Returns the Info suffix. */
  private securityResponse(sesId: string, blob: Uint8Array, status: number, ctx: FrameCtx, sessionFlags: number, kind: 'SMB1' | 'SMB2'): string {
    const { msg, kerberos } = this.ntlm(blob, ctx);
    let suffix = '';
    const ses = this.session(sesId);
    if (kerberos) ses.auth = 'Kerberos';
    if (msg !== null) {
      suffix = `, ${ntlmInfo(msg)}`;
      if (msg.type === 2) {
        const c = msg as NtlmChallenge;
        ses.challenge = c.serverChallenge;
        this.lastChallenge = c.serverChallenge;
        const src = 'NTLMSSP CHALLENGE target info';
        if (c.nbComputerName) this.fact(this.info.server.addr, c.nbComputerName, src, ctx);
        if (c.dnsComputerName) this.fact(this.info.server.addr, c.dnsComputerName, src, ctx);
      }
    }
    if (status === STATUS_MORE_PROCESSING_REQUIRED || status === STATUS_PENDING) return suffix;
    // Final response: one session record per exchange, one credential per NTLM AUTHENTICATE.
    const success = status === 0;
    const a = ses.authMsg;
    const guest = (sessionFlags & SESSION_FLAG_IS_GUEST) !== 0;
    const anonymous = ses.anonymous || (kind === 'SMB2' && (sessionFlags & SESSION_FLAG_IS_NULL) !== 0);
    ctx.sink.record({
      kind: 'smb.session',
      frame: ctx.frame,
      stream: this.info.stream,
      dialect: kind === 'SMB1' ? 'SMB1' : (this.dialect ?? 'SMB2'),
      sessionId: sesId,
      user: ses.user,
      domain: ses.domain,
      host: ses.host,
      principal: null,
      anonymous,
      guest,
      auth: ses.auth,
      status,
      statusName: ntStatusName(status),
      success,
    });
    if (a !== null && !a.anonymous) {
      ctx.sink.record({
        kind: 'credential',
        frame: ses.authFrame,
        stream: this.info.stream,
        protocol: 'ntlm',
        client: this.info.client.addr,
        server: this.info.server.addr,
        user: a.user,
        domain: a.domain === '' ? null : a.domain,
        secret: null,
        crackable: netNtlmString(a, ses.challenge),
        success,
      });
    }
    ses.authMsg = null;
    if (!success) {
      ses.challenge = null;
      if (this.sessions.get(sesId) === ses) this.sessions.delete(sesId);
    }
    return suffix;
  }

  private fact(addr: string, value: string, source: string, ctx: FrameCtx): void {
    const k = `${addr}|${value}`;
    if (addr === '' || this.facts.has(k) || this.facts.size >= MAX_FACTS) return;
    this.facts.add(k);
    ctx.sink.record({ kind: 'host.fact', frame: ctx.frame, addr, fact: 'name.ntlm', value, source });
  }

  // ---- SMB1 -----------------------------------------------------------------------------------

  private smb1(dir: Dir, m: Uint8Array, ctx: FrameCtx): void {
    const s = ctx.sink;
    if (m.length < 33) {
      s.anomaly('smb', `SMB1 header truncated (${m.length} bytes)`);
      s.columns('SMB', 'SMB (truncated)');
      return;
    }
    const cmd = u8(m, 4);
    const status = u32(m, 5);
    const flags = u8(m, 9);
    const flags2 = u16(m, 10);
    const response = (flags & 0x80) !== 0;
    const ntStatus = (flags2 & 0x4000) !== 0;
    const uni = (flags2 & 0x8000) !== 0;
    const tid = u16(m, 24);
    const uid = u16(m, 28);
    const mid = u16(m, 30);
    const wc = u8(m, 32);
    const words = 33;
    const bytesAt = words + 2 * wc + 2;
    const byteCount = u16(m, words + 2 * wc);
    const bytes = m.subarray(Math.min(bytesAt, m.length), Math.min(bytesAt + byteCount, m.length));
    if (bytesAt + byteCount > m.length) s.anomaly('smb', `SMB1 ByteCount ${byteCount} runs past the message`);
    s.field('smb', '');
    s.field('smb.cmd', cmd);
    if (ntStatus) s.field('smb.nt_status', status);
    s.field('smb.flags.response', response ? 1 : 0);
    s.field('smb.tid', tid);
    if (SMB1_ANDX.has(cmd) && wc >= 2) s.field('smb.cmd', u8(m, words));
    let info = `${SMB1_COMMANDS.get(cmd) ?? `Unknown (0x${cmd.toString(16).padStart(2, '0')})`} ${response ? 'Response' : 'Request'}`;
    const sesId = uid.toString(16).padStart(4, '0');
    const key = `smb1/${mid}/${uid}`;
    const fidHex = (at: number): string => `0x${u16(m, at).toString(16).padStart(4, '0')}`;
    if (!response) {
      const base: Pending = { cmd, frame: ctx.frame, sessionId: sesId, open: null, path: '', offset: 0, length: 0, ctlCode: 0, infoText: '', related: false };
      if (cmd === 0x73 && wc === 12) {
        const blobLen = u16(m, words + 14);
        info += this.securityRequest(sesId, bytes.subarray(0, blobLen), ctx);
      } else if (cmd === 0x75 && wc >= 4) {
        const pwLen = u16(m, words + 6);
        let p = bytesAt + pwLen;
        if (uni && p % 2 === 1) p++;
        const [path] = cstr(m, p, uni);
        base.path = path;
        info += `, Path: ${path}`;
      } else if (cmd === 0xa2 && wc >= 24) {
        const nameLen = u16(m, words + 5);
        let p = bytesAt;
        if (uni && p % 2 === 1) p++;
        const name = uni ? utf16(m, p, nameLen).replace(/\0+$/, '') : cstr(m, p, false)[0];
        info += `, Path: ${name}`;
        const tr = this.trees.get(`${sesId}:${tid}`);
        base.open = {
          frame: ctx.frame,
          sessionId: sesId,
          tree: tr?.path ?? '',
          name,
          finalName: name,
          pipe: tr !== undefined && tr.shareType === 'pipe',
          disposition: DISPOSITIONS[u32(m, words + 35)] ?? null,
          status: -1,
          fid: '',
          deleted: (u32(m, words + 39) & FILE_DELETE_ON_CLOSE) !== 0,
          written: new ContentTracker(),
          read: new ContentTracker(),
        };
      } else if (cmd === 0x04 && wc >= 1) {
        base.open = this.opens.get(`smb1:${u16(m, words)}`) ?? null;
        info += `, FID: ${fidHex(words)}`;
      } else if (cmd === 0x2e && wc >= 10) {
        const open = this.opens.get(`smb1:${u16(m, words + 4)}`) ?? null;
        const offset = u32(m, words + 6) + (wc >= 12 ? u32(m, words + 20) * 0x100000000 : 0);
        const len = u16(m, words + 10);
        Object.assign(base, { open, offset, length: len });
        info += `, FID: ${fidHex(words + 4)}, ${len} bytes at offset ${offset}`;
      } else if (cmd === 0x2f && wc >= 12) {
        const fid = u16(m, words + 4);
        const open = this.opens.get(`smb1:${fid}`) ?? null;
        const offset = u32(m, words + 6) + (wc >= 14 ? u32(m, words + 24) * 0x100000000 : 0);
        const len = u16(m, words + 20) + u16(m, words + 18) * 0x10000;
        const dataOff = u16(m, words + 22);
        Object.assign(base, { open, offset, length: len });
        info += `, FID: ${fidHex(words + 4)}, ${len} bytes at offset ${offset}`;
        if (dataOff + len > m.length) s.anomaly('smb', `WRITE_ANDX data (offset ${dataOff}, length ${len}) runs past the message`);
        if (open !== null) this.transfer(open, open.fid, 0, offset, m.subarray(Math.min(dataOff, m.length), Math.min(dataOff + len, m.length)), ctx);
      } else if (cmd === 0x25 && wc >= 14) {
        const setupCount = u8(m, words + 26);
        const dataCount = u16(m, words + 22);
        const dataOff = u16(m, words + 24);
        if (setupCount >= 2 && u16(m, words + 28) === 0x0026) {
          const open = this.opens.get(`smb1:${u16(m, words + 30)}`) ?? null;
          base.open = open;
          const data = m.subarray(Math.min(dataOff, m.length), Math.min(dataOff + dataCount, m.length));
          if (open !== null && data.length > 0) this.pipeData(open, open.fid, 0, data, ctx);
        }
      }
      this.addPending(key, base, ctx);
    } else {
      const p = this.pending.get(key);
      this.pending.delete(key);
      if (cmd === 0x73) {
        const blobLen = wc === 4 ? u16(m, words + 6) : 0;
        const action = wc >= 3 ? u16(m, words + 4) : 0;
        if (uid !== 0) this.adoptSession('0000', sesId);
        info += this.securityResponse(sesId, bytes.subarray(0, blobLen), status, ctx, action & 1 ? SESSION_FLAG_IS_GUEST : 0, 'SMB1');
      } else if (cmd === 0x75 && p !== undefined) {
        const [service] = cstr(bytes, 0, false);
        const shareType = service.startsWith('IPC') ? 'pipe' : service.startsWith('A:') ? 'disk' : service.startsWith('LPT') ? 'print' : null;
        if (status === 0) {
          if (this.trees.size >= MAX_TREES) this.trees.delete(this.trees.keys().next().value ?? '');
          this.trees.set(`${sesId}:${tid}`, { path: p.path, shareType, shareCode: 0 });
        }
        s.record({ kind: 'smb.tree', frame: ctx.frame, stream: this.info.stream, sessionId: sesId, path: p.path, shareType: status === 0 ? shareType : null, status, statusName: ntStatusName(status), success: status === 0 });
      } else if (cmd === 0xa2 && p?.open != null) {
        const o = p.open;
        o.status = status;
        o.frame = ctx.frame;
        if (status === 0 && wc >= 34) {
          const fid = u16(m, words + 5);
          o.fid = fid.toString(16).padStart(4, '0');
          info += `, FID: ${fidHex(words + 5)}`;
          if (this.opens.size < MAX_OPENS) this.opens.set(`smb1:${fid}`, o);
          else this.fileRecord(o, ctx);
        } else this.fileRecord(o, ctx);
      } else if (cmd === 0x04 && status === 0 && p?.open != null) {
        this.opens.delete(`smb1:${parseInt(p.open.fid, 16)}`);
        this.fileRecord(p.open, ctx);
      } else if (cmd === 0x2e && p?.open != null && wc >= 12) {
        const len = u16(m, words + 10) + u16(m, words + 14) * 0x10000;
        const dataOff = u16(m, words + 12);
        info += `, FID: 0x${p.open.fid}, ${len} bytes`;
        this.transfer(p.open, p.open.fid, 1, p.offset, m.subarray(Math.min(dataOff, m.length), Math.min(dataOff + len, m.length)), ctx);
      } else if (cmd === 0x2f && p?.open != null && wc >= 6) {
        info += `, FID: 0x${p.open.fid}, ${u16(m, words + 4) + u16(m, words + 8) * 0x10000} bytes`;
      } else if (cmd === 0x25 && p?.open != null && wc >= 10) {
        const dataCount = u16(m, words + 12);
        const dataOff = u16(m, words + 14);
        const data = m.subarray(Math.min(dataOff, m.length), Math.min(dataOff + dataCount, m.length));
        if (data.length > 0) this.pipeData(p.open, p.open.fid, 1, data, ctx);
      }
      if (status !== 0) info += `, Error: ${ntStatus ? ntStatusName(status) : dosErrorName(status & 0xff, status >>> 16)}`;
    }
    s.columns('SMB', info);
  }
}

function u16be(b: Uint8Array, o: number): number {
  return ((b[o] ?? 0) << 8) | (b[o + 1] ?? 0);
}

/** A security buffer at an offset from the SMB2 header start, cut to the message. */
function secBlob(m: Uint8Array, off: number, len: number): Uint8Array {
  if (len === 0 || off >= m.length) return new Uint8Array(0);
  return m.subarray(off, Math.min(m.length, off + len));
}

/** [MS-CIFS] 2.2.2.4 SMB_ERROR classes ERRDOS (1) and ERRSRV (2), the codes Wireshark names most often. */
const DOS_ERRORS: Readonly<Record<number, Readonly<Record<number, string>>>> = {
  1: { 1: 'Invalid function', 2: 'File not found', 3: 'Directory invalid', 5: 'Access denied', 6: 'Invalid handle', 8: 'Insufficient server memory', 87: 'Invalid parameter' },
  2: { 1: 'Non-specific error code', 2: 'Bad password', 4: 'Access denied', 5: 'Invalid TID', 6: 'Invalid network name', 91: 'Bad userid' },
};

function dosErrorName(cls: number, code: number): string {
  return DOS_ERRORS[cls]?.[code] ?? `Unknown DOS error (class ${cls}, code ${code})`;
}

function fsctlName(ctl: number): string {
  return FSCTL_NAMES.get(ctl) ?? `Unknown (0x${ctl.toString(16).padStart(8, '0')})`;
}

function infoLevelName(infoType: number, cls: number): string {
  const unknown = `Unknown (0x${cls.toString(16).padStart(2, '0')})`;
  if (infoType === 1) return `FILE_INFO/${FILE_INFO_NAMES[cls] ?? unknown}`;
  if (infoType === 2) return `FS_INFO/${FS_INFO_NAMES[cls] ?? unknown}`;
  if (infoType === 3) return `SEC_INFO/SMB2_SEC_INFO_${cls.toString(16).padStart(2, '0')}`;
  if (infoType === 4) return `QUOTA_INFO/${unknown}`;
  return `Unknown (0x${infoType.toString(16).padStart(2, '0')})/${unknown}`;
}
