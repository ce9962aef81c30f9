/**
 * pcapng file reader (push parser).
 *
 * Spec: draft-ietf-opsawg-pcapng (https://datatracker.ietf.org/doc/draft-ietf-opsawg-pcapng/);
 * behaviour on damaged input follows Wireshark's wiretap/pcapng.c.
 *
 * Every block has the same frame, so unknown blocks are skipped by their length:
 *
 *    0                   1                   2                   3
 *   +---------------------------------------------------------------+
 *   |                          Block Type                           |
 *   +---------------------------------------------------------------+
 *   |                      Block Total Length                       |
 *   +---------------------------------------------------------------+
 *   /                          Block Body (options last, 32-bit     /
 *   /                          aligned: code u16, length u16, value)/
 *   +---------------------------------------------------------------+
 *   |                      Block Total Length                       |
 *   +---------------------------------------------------------------+
 *
 * Each Section Header Block (SHB) starts a section with its own byte order (from the
 * byte-order magic 0x1A2B3C4D) and its own list of interfaces. Interface ids in packet
 * blocks are section-local; the records and `interfaces` use global ids (the position in
 * `interfaces`, counting across sections), as Wireshark's frame.interface_id does.
 *
 * A block that lies inside one chunk is parsed in place and its packet delivered as a view
 * of the chunk; only a block that spans chunks is copied. One CaptureRecord object is reused
 * for every callback: the callback must copy whatever it wants to keep.
 */

import { maxCaplenForLinktype } from './pcap.js';
import {
  CaptureFormatError,
  type CaptureHeaderInfo,
  type CaptureParser,
  type CaptureRecord,
  type InterfaceInfo,
  type NameRecord,
  type RecordCallback,
} from './types.js';

/** Largest block we accept. A lying length field must not make us buffer gigabytes.
 * Wireshark capped blocks at 16 MiB for years and now allows one maximum-size D-Bus packet
 * (128 MiB) plus options; 64 MiB keeps four times the old cap for real files (EPBs of jumbo
 * or D-Bus packets, big custom blocks) while bounding the memory a hostile file can pin. */
export const MAX_BLOCK_BYTES = 64 * 1024 * 1024;

const BT_SHB = 0x0a0d0d0a;
const BT_IDB = 0x00000001;
const BT_PB = 0x00000002; // obsolete Packet Block
const BT_SPB = 0x00000003;
const BT_NRB = 0x00000004;
const BT_ISB = 0x00000005;
const BT_EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/** Every block: type, leading length, trailing length. */
const MIN_BLOCK_BYTES = 12;
/** Fixed parts plus the 12-byte frame (Wireshark's MIN_*_SIZE). */
const MIN_SHB_BYTES = 28;
const MIN_IDB_BYTES = 20;
const MIN_EPB_BYTES = 32;
const MIN_PB_BYTES = 32;
const MIN_SPB_BYTES = 16;
const MIN_ISB_BYTES = 24;

const OPT_ENDOFOPT = 0;
const OPT_COMMENT = 1;
const OPT_IF_NAME = 2;
const OPT_IF_DESCRIPTION = 3;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;
const OPT_ISB_IFRECV = 4;
const OPT_ISB_IFDROP = 5;

const NRB_RECORD_END = 0;
const NRB_RECORD_IPV4 = 1;
const NRB_RECORD_IPV6 = 2;

/** Wireshark refuses if_tsresol beyond these: units per second would not fit in 64 bits. */
const MAX_TSRESOL_POW10 = 19;
const MAX_TSRESOL_POW2 = 63;

/** Interfaces kept for the whole file. Real captures have one per capture interface (the
 * corpus maximum is 126; concatenated ring-buffer files add one per section); the cap stops
 * a flood of 20-byte IDBs from costing hundreds of bytes of objects each. */
export const MAX_INTERFACES = 100_000;
/** NRB addresses kept; further records are skipped (they cost no packets). A name is a few
 * bytes in the file but ~50 bytes as a JS string, so an NRB flood must not be kept whole. */
export const MAX_NAME_RECORDS = 1_000_000;
/** Names kept per NRB address (hosts have a handful; one 64 KiB record could hold 32768). */
export const MAX_NAMES_PER_ADDRESS = 64;
/** opt_comment options kept per packet; a 64 MiB block could hold 16 million empty ones. */
export const MAX_COMMENTS_PER_PACKET = 1000;

const SCRATCH_KEEP_BYTES = 1024 * 1024;
const TWO_POW_32 = 4294967296;
/** Resolutions below this take the double-only path in setTimestamp (long division in 16-bit
 * digits keeps every intermediate below 2^47, so it is exact). Covers 10^0..10^9 and 2^0..2^30. */
const FAST_UNITS_LIMIT = 2 ** 31;
/** 1e9 = 5^9 * 2^9: multiplying by 5^9 then by a power of two keeps 2^-n fractions exact. */
const FIVE_POW_9 = 1_953_125;

const utf8 = new TextDecoder('utf-8');

interface Iface {
  info: InterfaceInfo;
  linktype: number;
  snaplen: number;
  maxCaplen: number;
  /** Units per second below FAST_UNITS_LIMIT: no BigInt needed. */
  fast: boolean;
  unitsPerSec: number;
  unitsPerSecBig: bigint;
  /** nsec = floor(remainder * nsMulA * nsMulB): 10^(9-v) * 1 for 10^-v, 5^9 * 2^(9-v) for 2^-v. */
  nsMulA: number;
  nsMulB: number;
  offsetSec: number;
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

function hex32(v: number): string {
  return '0x' + (v >>> 0).toString(16).padStart(8, '0');
}

function decodeString(b: Uint8Array, start: number, len: number): string {
  let end = start + len;
  // Some writers NUL-terminate string options; the spec says they are not.
  while (end > start && b[end - 1] === 0) end--;
  return utf8.decode(b.subarray(start, end));
}

function formatIPv4(b: Uint8Array, p: number): string {
  return `${b[p]}.${b[p + 1]}.${b[p + 2]}.${b[p + 3]}`;
}

/** RFC 5952 text: lower case, no leading zeros, longest run (>= 2) of zero groups as "::". */
export function formatIPv6(b: Uint8Array, p: number): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((b[p + 2 * i]! << 8) | b[p + 2 * i + 1]!);
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number) => g.slice(from, to).map((x) => x.toString(16)).join(':');
  if (bestAt < 0) return hex(0, 8);
  return `${hex(0, bestAt)}::${hex(bestAt + bestLen, 8)}`;
}

export class PcapngParser implements CaptureParser {
  header: CaptureHeaderInfo | null = null;
  readonly interfaces: InterfaceInfo[] = [];
  readonly names: NameRecord[] = [];
  records = 0;
  consumed = 0;

  /** Byte order of the current section. */
  private le = true;
  /** Interfaces of the current section, indexed by section-local id. */
  private section: Iface[] = [];
  private inSection = false;
  private streamPos = 0;
  private scratch: Uint8Array = new Uint8Array(MIN_BLOCK_BYTES);
  private scratchDv: DataView = new DataView(this.scratch.buffer);
  private pendLen = 0;
  /** 12 until the pending block's header is checked, then its total length. */
  private pendWant = MIN_BLOCK_BYTES;
  /** Set by checkHeader for the block about to be processed. */
  private blockType = 0;
  private blockLe = true;
  private failed: CaptureFormatError | null = null;
  private readonly rec: CaptureRecord = {
    dataOffset: 0,
    recordOffset: 0,
    caplen: 0,
    origlen: 0,
    tsSec: 0,
    tsNsec: 0,
    linktype: 0,
    interfaceId: 0,
    comments: null,
    data: new Uint8Array(0),
  };

  /** `onRecord` receives one reused record object; it must not keep it or its `data`. */
  constructor(private readonly onRecord: RecordCallback) {}

  push(chunk: Uint8Array): void {
    if (this.failed) throw this.failed;
    try {
      // Records are views of the chunk: plain Uint8Array views (a Buffer's subarray costs a
      // species lookup per record, and its slice() would not copy what analyzers keep).
      this.pushInner(chunk.constructor === Uint8Array ? chunk : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
    } catch (e) {
      if (e instanceof CaptureFormatError) this.failed = e;
      throw e;
    }
  }

  end(): void {
    if (this.failed) throw this.failed;
    if (this.streamPos === 0) this.fail('empty', 0, 'pcapng: the file is empty (0 bytes)');
    if (!this.inSection) {
      const n = Math.min(this.pendLen, 4);
      const shb = [0x0a, 0x0d, 0x0d, 0x0a];
      for (let i = 0; i < n; i++) {
        if (this.scratch[i] !== shb[i]) this.fail('unknown-magic', 0, `pcapng: unknown magic bytes ${this.hexPrefix()}`);
      }
      this.fail('truncated-header', 0, `pcapng: the file ends after ${this.pendLen} bytes, inside the section header block`);
    }
    if (this.pendLen > 0) {
      const at = this.consumed;
      const what = this.pendLen < MIN_BLOCK_BYTES ? 'block header' : `${this.pendWant}-byte block`;
      this.fail('truncated-record', at, `pcapng: the file ends in the middle of the ${what} at byte ${at} (${this.pendLen} bytes present)`);
    }
  }

  private hexPrefix(): string {
    const out: string[] = [];
    for (let i = 0; i < Math.min(this.pendLen, 4); i++) out.push(this.scratch[i]!.toString(16).padStart(2, '0'));
    return out.join(' ');
  }

  private fail(kind: CaptureFormatError['kind'], offset: number, message: string): never {
    const e = new CaptureFormatError(kind, offset, message);
    this.failed = e;
    throw e;
  }

  private pushInner(chunk: Uint8Array): void {
    const n = chunk.length;
    if (n === 0) return;
    const base = this.streamPos;
    this.streamPos += n;
    let p = 0;

    // 1. Finish a block that spans the previous chunk boundary.
    if (this.pendLen > 0) {
      if (this.pendLen < MIN_BLOCK_BYTES) {
        const take = Math.min(MIN_BLOCK_BYTES - this.pendLen, n - p);
        this.scratch.set(chunk.subarray(p, p + take), this.pendLen);
        this.pendLen += take;
        p += take;
        if (this.pendLen < MIN_BLOCK_BYTES) return;
        this.pendWant = this.checkHeader(this.scratchDv, 0, this.consumed);
        this.growScratch(this.pendWant);
      }
      const take = Math.min(this.pendWant - this.pendLen, n - p);
      this.scratch.set(chunk.subarray(p, p + take), this.pendLen);
      this.pendLen += take;
      p += take;
      if (this.pendLen < this.pendWant) return;
      this.pendLen = 0;
      this.processBlock(this.scratch, this.scratchDv, 0, this.pendWant, this.consumed);
      if (this.scratch.length > SCRATCH_KEEP_BYTES) this.setScratch(new Uint8Array(MIN_BLOCK_BYTES));
    }

    // 2. Blocks wholly inside this chunk: parsed in place.
    const dv = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let want = MIN_BLOCK_BYTES;
    while (n - p >= MIN_BLOCK_BYTES) {
      const len = this.checkHeader(dv, p, base + p);
      if (n - p < len) {
        want = len;
        break;
      }
      this.processBlock(chunk, dv, p, len, base + p);
      p += len;
    }

    // 3. Keep the partial block for the next chunk.
    if (p < n) {
      this.pendWant = want;
      this.growScratch(Math.max(want, n - p));
      this.scratch.set(chunk.subarray(p), 0);
      this.pendLen = n - p;
    }
  }

  /** Validates the block frame at p; returns its total length. Sets blockType/blockLe. */
  private checkHeader(dv: DataView, p: number, at: number): number {
    // The SHB type reads the same in both byte orders, so it can be recognised first.
    const rawType = dv.getUint32(p, true);
    let le = this.le;
    if (rawType === BT_SHB) {
      const bom = dv.getUint32(p + 8, true);
      if (bom === BYTE_ORDER_MAGIC) le = true;
      else if (bom === 0x4d3c2b1a) le = false;
      else if (!this.inSection) this.fail('unknown-magic', 0, `pcapng: unknown byte-order magic ${hex32(dv.getUint32(p + 8, false))} in the first section header`);
      else this.fail('bad-block', at, `pcapng: section header at byte ${at} has unknown byte-order magic ${hex32(dv.getUint32(p + 8, false))}`);
    } else if (!this.inSection) {
      const b = new Uint8Array(dv.buffer, dv.byteOffset + p, 4);
      const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
      this.fail('unknown-magic', 0, `pcapng: unknown magic bytes ${hex} (a pcapng file starts with a section header block, 0a 0d 0d 0a)`);
    }
    const len = dv.getUint32(p + 4, le);
    if (len < MIN_BLOCK_BYTES) this.fail('bad-block-length', at, `pcapng: block at byte ${at} has total length ${len}, less than the minimum of ${MIN_BLOCK_BYTES}`);
    if (len % 4 !== 0) this.fail('bad-block-length', at, `pcapng: block at byte ${at} has total length ${len}, not a multiple of 4`);
    if (len > MAX_BLOCK_BYTES) this.fail('bad-block-length', at, `pcapng: block at byte ${at} has total length ${len}, more than the limit of ${MAX_BLOCK_BYTES} bytes`);
    this.blockType = rawType === BT_SHB ? BT_SHB : dv.getUint32(p, le);
    this.blockLe = le;
    return len;
  }

  private processBlock(b: Uint8Array, dv: DataView, p: number, len: number, at: number): void {
    const le = this.blockLe;
    const trailing = dv.getUint32(p + len - 4, le);
    if (trailing !== len) {
      this.fail('bad-block-length', at, `pcapng: block at byte ${at} has total length ${len} but trailing length ${trailing}`);
    }
    switch (this.blockType) {
      case BT_EPB:
        this.packetBlock(b, dv, p, len, at, true);
        break;
      case BT_SHB:
        this.sectionHeader(dv, p, len, at);
        break;
      case BT_IDB:
        this.interfaceDescription(b, dv, p, len, at);
        break;
      case BT_SPB:
        this.simplePacket(b, dv, p, len, at);
        break;
      case BT_PB:
        this.packetBlock(b, dv, p, len, at, false);
        break;
      case BT_NRB:
        this.nameResolution(b, dv, p, len, at);
        break;
      case BT_ISB:
        this.interfaceStatistics(dv, p, len, at);
        break;
      default:
        // Decryption secrets, custom blocks (0x00000BAD / 0x40000BAD), systemd journal,
        // sysdig and anything newer: nothing to index.
        break;
    }
    this.consumed = at + len;
  }

  private tooShort(name: string, len: number, min: number, at: number): never {
    this.fail('bad-block', at, `pcapng: ${name} at byte ${at} has total length ${len}, less than the minimum of ${min}`);
  }

  private sectionHeader(dv: DataView, p: number, len: number, at: number): void {
    if (len < MIN_SHB_BYTES) this.tooShort('section header block', len, MIN_SHB_BYTES, at);
    const le = this.blockLe;
    const major = dv.getUint16(p + 12, le);
    const minor = dv.getUint16(p + 14, le);
    // Versions 1.0 and 1.2 are the same format (Wireshark reads both, nothing else).
    if (major !== 1 || (minor !== 0 && minor !== 2)) {
      this.fail('unsupported-version', at, `pcapng: section header at byte ${at} has unknown version ${major}.${minor}`);
    }
    this.le = le;
    this.section = [];
    this.inSection = true;
    this.header ??= {
      format: 'pcapng',
      byteOrder: le ? 'little' : 'big',
      tsPrecision: null,
      versionMajor: major,
      versionMinor: minor,
    };
  }

  private interfaceDescription(b: Uint8Array, dv: DataView, p: number, len: number, at: number): void {
    if (len < MIN_IDB_BYTES) this.tooShort('interface description block', len, MIN_IDB_BYTES, at);
    const le = this.blockLe;
    const linktype = dv.getUint16(p + 8, le);
    const snaplen = dv.getUint32(p + 12, le);
    let name: string | null = null;
    let description: string | null = null;
    let tsresol = 6;
    let offsetSec = 0;
    const end = p + len - 4;
    for (let q = p + 16; ; ) {
      const o = this.nextOption(dv, q, end, at);
      if (o < 0) break;
      const code = dv.getUint16(q, le);
      const olen = dv.getUint16(q + 2, le);
      if (code === OPT_IF_NAME) name = decodeString(b, q + 4, olen);
      else if (code === OPT_IF_DESCRIPTION) description = decodeString(b, q + 4, olen);
      else if (code === OPT_IF_TSRESOL && olen === 1) tsresol = b[q + 4]!;
      else if (code === OPT_IF_TSOFFSET && olen === 8) offsetSec = Number(dv.getBigInt64(q + 4, le));
      q = o;
    }

    const pow2 = (tsresol & 0x80) !== 0;
    const exp = tsresol & 0x7f;
    if (pow2 ? exp > MAX_TSRESOL_POW2 : exp > MAX_TSRESOL_POW10) {
      this.fail('bad-block', at, `pcapng: interface description at byte ${at} has if_tsresol ${pow2 ? 2 : 10}^-${exp}, finer than 64-bit timestamps can express`);
    }
    const unitsPerSecBig = pow2 ? 1n << BigInt(exp) : 10n ** BigInt(exp);
    const unitsPerSec = Number(unitsPerSecBig);
    if (this.interfaces.length >= MAX_INTERFACES) {
      this.fail('bad-block', at, `pcapng: interface description at byte ${at} is interface number ${MAX_INTERFACES + 1}, more than the limit of ${MAX_INTERFACES}`);
    }
    const info: InterfaceInfo = {
      id: this.interfaces.length,
      linktype,
      snaplen,
      name,
      description,
      tsResolution: unitsPerSec,
      tsOffsetSec: offsetSec,
      stats: null,
    };
    this.interfaces.push(info);
    this.section.push({
      info,
      linktype,
      snaplen,
      maxCaplen: maxCaplenForLinktype(linktype),
      fast: unitsPerSec < FAST_UNITS_LIMIT,
      unitsPerSec,
      unitsPerSecBig,
      nsMulA: pow2 ? FIVE_POW_9 : 10 ** (9 - exp),
      nsMulB: pow2 ? 2 ** (9 - exp) : 1,
      offsetSec,
    });
  }

  /**
   * Bounds-checks the option at q (options region ends at `end`). Returns the offset of the
   * next option, or -1 at opt_endofopt / the end of the region.
   */
  private nextOption(dv: DataView, q: number, end: number, at: number): number {
    if (q >= end) return -1;
    if (end - q < 4) this.fail('bad-block', at, `pcapng: block at byte ${at} ends inside an option header`);
    const code = dv.getUint16(q, this.blockLe);
    if (code === OPT_ENDOFOPT) return -1;
    const olen = dv.getUint16(q + 2, this.blockLe);
    const next = q + 4 + pad4(olen);
    if (next > end) {
      this.fail('bad-block', at, `pcapng: block at byte ${at} has option ${code} of length ${olen}, running past the end of the block`);
    }
    return next;
  }

  private ifaceFor(localId: number, at: number): Iface {
    const f = this.section[localId];
    if (!f) {
      this.fail('bad-block', at, `pcapng: packet block at byte ${at} refers to interface ${localId}, but its section has ${this.section.length} interface(s)`);
    }
    return f;
  }

  /** EPB (enhanced) and the obsolete PB share the layout after their first 4 bytes. */
  private packetBlock(b: Uint8Array, dv: DataView, p: number, len: number, at: number, enhanced: boolean): void {
    const le = this.blockLe;
    const name = enhanced ? 'enhanced packet block' : 'packet block';
    const min = enhanced ? MIN_EPB_BYTES : MIN_PB_BYTES;
    if (len < min) this.tooShort(name, len, min, at);
    const f = this.ifaceFor(enhanced ? dv.getUint32(p + 8, le) : dv.getUint16(p + 8, le), at);
    const caplen = dv.getUint32(p + 20, le);
    if (caplen > f.maxCaplen) {
      this.fail('bad-record-length', at, `pcapng: ${name} at byte ${at} has a ${caplen}-byte packet, bigger than the maximum of ${f.maxCaplen}`);
    }
    if (28 + pad4(caplen) > len - 4) {
      this.fail('bad-block', at, `pcapng: ${name} at byte ${at} has total length ${len}, too small for ${caplen} bytes of packet data`);
    }
    const rec = this.rec;
    this.setTimestamp(f, dv.getUint32(p + 12, le), dv.getUint32(p + 16, le));
    rec.origlen = dv.getUint32(p + 24, le);

    let comments: string[] | null = null;
    const end = p + len - 4;
    for (let q = p + 28 + pad4(caplen); ; ) {
      const o = this.nextOption(dv, q, end, at);
      if (o < 0) break;
      if (dv.getUint16(q, le) === OPT_COMMENT && (comments?.length ?? 0) < MAX_COMMENTS_PER_PACKET) {
        (comments ??= []).push(decodeString(b, q + 4, dv.getUint16(q + 2, le)));
      }
      q = o;
    }
    this.deliver(f, b, p, 28, caplen, at, comments);
  }

  private simplePacket(b: Uint8Array, dv: DataView, p: number, len: number, at: number): void {
    if (len < MIN_SPB_BYTES) this.tooShort('simple packet block', len, MIN_SPB_BYTES, at);
    const f = this.section[0];
    if (!f) this.fail('bad-block', at, `pcapng: simple packet block at byte ${at} comes before any interface description in its section`);
    const origlen = dv.getUint32(p + 8, this.blockLe);
    // The SPB has no captured length: the packet is cut to the snaplen (0 = none) and the block.
    let caplen = Math.min(origlen, len - MIN_SPB_BYTES);
    if (f.snaplen !== 0 && caplen > f.snaplen) caplen = f.snaplen;
    if (caplen > f.maxCaplen) {
      this.fail('bad-record-length', at, `pcapng: simple packet block at byte ${at} has a ${caplen}-byte packet, bigger than the maximum of ${f.maxCaplen}`);
    }
    const rec = this.rec;
    rec.tsSec = 0; // an SPB carries no timestamp
    rec.tsNsec = 0;
    rec.origlen = origlen;
    this.deliver(f, b, p, 12, caplen, at, null);
  }

  /** The packet data starts `rel` bytes into the block at b[p] (stream offset `at`). */
  private deliver(f: Iface, b: Uint8Array, p: number, rel: number, caplen: number, at: number, comments: string[] | null): void {
    const rec = this.rec;
    rec.recordOffset = at;
    rec.dataOffset = at + rel;
    rec.caplen = caplen;
    rec.linktype = f.linktype;
    rec.interfaceId = f.info.id;
    rec.comments = comments;
    rec.data = b.subarray(p + rel, p + rel + caplen);
    this.records++;
    this.onRecord(rec);
  }

  /**
   * Converts a 64-bit timestamp (hi:lo, unsigned, in interface units) into rec.tsSec and
   * rec.tsNsec. Nanosecond timestamps of today are ~2^60, past what a double holds exactly,
   * so the common resolutions use long division by 16-bit digits: every intermediate stays
   * below 2^47, each quotient digit's floor is exact, and no BigInt is allocated per packet.
   */
  private setTimestamp(f: Iface, hi: number, lo: number): void {
    const rec = this.rec;
    if (f.fast) {
      const r = f.unitsPerSec;
      const q0 = Math.floor(hi / r);
      let rem = hi - q0 * r;
      let x = rem * 65536 + (lo >>> 16);
      const q1 = Math.floor(x / r);
      rem = x - q1 * r;
      x = rem * 65536 + (lo & 0xffff);
      const q2 = Math.floor(x / r);
      rem = x - q2 * r;
      rec.tsSec = q0 * TWO_POW_32 + q1 * 65536 + q2 + f.offsetSec;
      rec.tsNsec = Math.floor(rem * f.nsMulA * f.nsMulB);
      return;
    }
    const ts = (BigInt(hi) << 32n) | BigInt(lo);
    const r = f.unitsPerSecBig;
    rec.tsSec = Number(ts / r) + f.offsetSec;
    rec.tsNsec = Number(((ts % r) * 1_000_000_000n) / r);
  }

  private nameResolution(b: Uint8Array, dv: DataView, p: number, len: number, at: number): void {
    const le = this.blockLe;
    const end = p + len - 4;
    let q = p + 8;
    while (end - q >= 4) {
      const type = dv.getUint16(q, le);
      const rlen = dv.getUint16(q + 2, le);
      if (type === NRB_RECORD_END) break;
      const v = q + 4;
      if (v + rlen > end) {
        this.fail('bad-block', at, `pcapng: name resolution block at byte ${at} has a record of length ${rlen} running past the end of the block`);
      }
      const addrLen = type === NRB_RECORD_IPV4 ? 4 : type === NRB_RECORD_IPV6 ? 16 : -1;
      if (addrLen > 0 && rlen < addrLen) {
        this.fail('bad-block', at, `pcapng: name resolution block at byte ${at} has an IPv${addrLen === 4 ? 4 : 6} record of length ${rlen}, shorter than an address`);
      }
      if (addrLen > 0 && this.names.length < MAX_NAME_RECORDS) {
        const address = addrLen === 4 ? formatIPv4(b, v) : formatIPv6(b, v);
        const names: string[] = [];
        // Names follow the address, each NUL-terminated.
        let s = v + addrLen;
        const stop = v + rlen;
        while (s < stop && names.length < MAX_NAMES_PER_ADDRESS) {
          let z = s;
          while (z < stop && b[z] !== 0) z++;
          if (z > s) names.push(utf8.decode(b.subarray(s, z)));
          s = z + 1;
        }
        this.names.push({ address, names });
      }
      q = v + pad4(rlen);
    }
    // The NRB's own options (ns_dnsname, ...) are not used.
  }

  private interfaceStatistics(dv: DataView, p: number, len: number, at: number): void {
    if (len < MIN_ISB_BYTES) this.tooShort('interface statistics block', len, MIN_ISB_BYTES, at);
    const le = this.blockLe;
    const f = this.section[dv.getUint32(p + 8, le)];
    const end = p + len - 4;
    const stats: { received?: number; dropped?: number } = {};
    let any = false;
    for (let q = p + 20; ; ) {
      const o = this.nextOption(dv, q, end, at);
      if (o < 0) break;
      const code = dv.getUint16(q, le);
      const olen = dv.getUint16(q + 2, le);
      if (olen === 8 && (code === OPT_ISB_IFRECV || code === OPT_ISB_IFDROP)) {
        const v = Number(dv.getBigUint64(q + 4, le));
        if (code === OPT_ISB_IFRECV) stats.received = v;
        else stats.dropped = v;
        any = true;
      }
      q = o;
    }
    // Statistics for an interface the section never described have nowhere to go; they
    // lose no packets, so they are dropped rather than failing the file.
    if (f && any) f.info.stats = { ...f.info.stats, ...stats };
  }

  private growScratch(n: number): void {
    if (this.scratch.length >= n) return;
    const next = new Uint8Array(Math.max(n, Math.min(this.scratch.length * 2, MAX_BLOCK_BYTES)));
    next.set(this.scratch.subarray(0, this.pendLen));
    this.setScratch(next);
  }

  private setScratch(b: Uint8Array): void {
    this.scratch = b;
    this.scratchDv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
}
