/**
 * Classic libpcap file reader (push parser).
 *
 * Format: draft-ietf-opsawg-pcap (https://datatracker.ietf.org/doc/draft-ietf-opsawg-pcap/);
 * behaviour on odd input follows Wireshark's wiretap/libpcap.c.
 *
 *   global header (24 bytes)                 record header (16 bytes)
 *   +--------------------------------+       +--------------------------------+
 *   | magic  a1b2c3d4 | a1b23c4d      |       | ts seconds (u32)               |
 *   | version major u16 | minor u16  |       | ts usec or nsec (u32)          |
 *   | thiszone (i32, always 0)       |       | captured length (u32)          |
 *   | sigfigs (u32, always 0)        |       | original length (u32)          |
 *   | snaplen (u32)                  |       +--------------------------------+
 *   | linktype (u32; FCS info above  |       | packet data (captured length)  |
 *   |   bit 16, ignored)             |
 *   +--------------------------------+
 *
 * Chunks of any size arrive in order. A record that lies inside one chunk is delivered as a
 * view of that chunk (no copy); only a record that spans chunks is copied into a scratch
 * buffer. One CaptureRecord object is reused for every callback: the callback must copy
 * whatever it wants to keep (including `data`) before it returns.
 */

import {
  CaptureFormatError,
  type CaptureHeaderInfo,
  type CaptureParser,
  type CaptureRecord,
  type InterfaceInfo,
  type NameRecord,
  type RecordCallback,
} from './types.js';

const GLOBAL_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;

/** Wireshark's WTAP_MAX_PACKET_SIZE_STANDARD: libpcap.c rejects any larger record as damage
 * ("pcap: File has N-byte packet, bigger than maximum of 262144"). Also bounds our scratch
 * buffer, so a lying length field cannot make us buffer gigabytes. */
export const MAX_PACKET_BYTES_STANDARD = 262_144;
/** LINKTYPE_DBUS carries whole D-Bus messages; Wireshark allows 128 MiB for it
 * (WTAP_MAX_PACKET_SIZE_DBUS) and 256 KiB for every other link type. */
const LINKTYPE_DBUS = 231;
const MAX_PACKET_BYTES_DBUS = 128 * 1024 * 1024;

/** Largest captured length Wireshark accepts for a link type (wtap_max_snaplen_for_encap). */
export function maxCaplenForLinktype(linktype: number): number {
  return linktype === LINKTYPE_DBUS ? MAX_PACKET_BYTES_DBUS : MAX_PACKET_BYTES_STANDARD;
}

/** Scratch buffers above this size are dropped after use, so one huge record does not pin
 * its memory for the rest of the file. */
const SCRATCH_KEEP_BYTES = 1024 * 1024;

const MAGIC_USEC = 0xa1b2c3d4;
const MAGIC_NSEC = 0xa1b23c4d;

function hexBytes(b: Uint8Array, start: number, n: number): string {
  const out: string[] = [];
  for (let i = start; i < start + n && i < b.length; i++) out.push(b[i]!.toString(16).padStart(2, '0'));
  return out.join(' ');
}

/** The four magic byte sequences a classic pcap file may start with. */
const PCAP_MAGIC_PREFIXES: readonly (readonly number[])[] = [
  [0xd4, 0xc3, 0xb2, 0xa1],
  [0xa1, 0xb2, 0xc3, 0xd4],
  [0x4d, 0x3c, 0xb2, 0xa1],
  [0xa1, 0xb2, 0x3c, 0x4d],
];

function isMagicPrefix(b: Uint8Array, n: number): boolean {
  return PCAP_MAGIC_PREFIXES.some((m) => {
    for (let i = 0; i < n; i++) if (b[i] !== m[i]) return false;
    return true;
  });
}

export class PcapParser implements CaptureParser {
  header: CaptureHeaderInfo | null = null;
  interfaces: InterfaceInfo[] = [];
  readonly names: readonly NameRecord[] = [];
  records = 0;
  consumed = 0;

  private le = true;
  private nsec = false;
  private linktype = 0;
  private maxCaplen = MAX_PACKET_BYTES_STANDARD;
  /** Stream offset of the next byte push() will see. */
  private streamPos = 0;
  /** Bytes of the unit in progress (global header or record) that spanned a chunk end. */
  private scratch: Uint8Array = new Uint8Array(GLOBAL_HEADER_BYTES);
  private scratchDv: DataView = new DataView(this.scratch.buffer);
  private pendLen = 0;
  /** Bytes the unit in progress needs in total (header first, then header + data). */
  private pendWant = 0;
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
    const at = this.consumed;
    if (!this.header) {
      if (this.streamPos === 0) this.fail('empty', 0, 'pcap: the file is empty (0 bytes)');
      if (!isMagicPrefix(this.scratch, Math.min(this.pendLen, 4))) {
        this.fail('unknown-magic', 0, `pcap: unknown magic bytes ${hexBytes(this.scratch, 0, this.pendLen)}`);
      }
      this.fail('truncated-header', 0, `pcap: the file ends after ${this.pendLen} bytes, inside the ${GLOBAL_HEADER_BYTES}-byte global header`);
    }
    if (this.pendLen > 0) {
      const want = this.pendWant;
      const detail =
        this.pendLen < RECORD_HEADER_BYTES
          ? `inside the record header (${this.pendLen} of ${RECORD_HEADER_BYTES} bytes)`
          : `inside the packet data (${this.pendLen - RECORD_HEADER_BYTES} of ${want - RECORD_HEADER_BYTES} bytes)`;
      this.fail('truncated-record', at, `pcap: the file ends in the middle of the record at byte ${at}, ${detail}`);
    }
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

    // 1. Finish a unit that spans the previous chunk boundary (one pass: every branch exits).
    while (this.pendLen > 0 || (!this.header && p < n)) {
      if (!this.header) {
        const take = Math.min(GLOBAL_HEADER_BYTES - this.pendLen, n - p);
        if (this.pendLen === 0 && take === GLOBAL_HEADER_BYTES) {
          this.readGlobalHeader(chunk, p);
          p += GLOBAL_HEADER_BYTES;
          break;
        }
        this.scratch.set(chunk.subarray(p, p + take), this.pendLen);
        this.pendLen += take;
        p += take;
        if (this.pendLen < GLOBAL_HEADER_BYTES) return;
        this.pendLen = 0;
        this.readGlobalHeader(this.scratch, 0);
        break;
      }
      if (this.pendLen < RECORD_HEADER_BYTES) {
        const take = Math.min(RECORD_HEADER_BYTES - this.pendLen, n - p);
        this.scratch.set(chunk.subarray(p, p + take), this.pendLen);
        this.pendLen += take;
        p += take;
        if (this.pendLen < RECORD_HEADER_BYTES) return;
        const caplen = this.checkCaplen(this.scratchDv.getUint32(8, this.le), this.consumed);
        this.pendWant = RECORD_HEADER_BYTES + caplen;
        // The header straddled the boundary but the data lies wholly in this chunk: no copy.
        if (n - p >= caplen) {
          this.deliver(this.scratchDv, 0, chunk, p, base + p, caplen);
          p += caplen;
          this.pendLen = 0;
          break;
        }
        this.growScratch(this.pendWant);
      }
      const take = Math.min(this.pendWant - this.pendLen, n - p);
      this.scratch.set(chunk.subarray(p, p + take), this.pendLen);
      this.pendLen += take;
      p += take;
      if (this.pendLen < this.pendWant) return;
      this.pendLen = 0;
      this.deliver(this.scratchDv, 0, this.scratch, RECORD_HEADER_BYTES, this.consumed + RECORD_HEADER_BYTES, this.pendWant - RECORD_HEADER_BYTES);
      if (this.scratch.length > SCRATCH_KEEP_BYTES) this.setScratch(new Uint8Array(GLOBAL_HEADER_BYTES));
      break;
    }

    // 2. Records wholly inside this chunk: delivered as views of it.
    const dv = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const le = this.le;
    while (n - p >= RECORD_HEADER_BYTES) {
      const caplen = this.checkCaplen(dv.getUint32(p + 8, le), base + p);
      if (n - p - RECORD_HEADER_BYTES < caplen) break;
      this.deliver(dv, p, chunk, p + RECORD_HEADER_BYTES, base + p + RECORD_HEADER_BYTES, caplen);
      p += RECORD_HEADER_BYTES + caplen;
    }

    // 3. Keep the partial record for the next chunk.
    if (p < n) {
      const rest = n - p;
      if (rest >= RECORD_HEADER_BYTES) {
        this.pendWant = RECORD_HEADER_BYTES + dv.getUint32(p + 8, le);
        this.growScratch(this.pendWant);
      } else {
        this.pendWant = RECORD_HEADER_BYTES;
      }
      this.scratch.set(chunk.subarray(p), 0);
      this.pendLen = rest;
    }
  }

  private readGlobalHeader(b: Uint8Array, p: number): void {
    const dv = new DataView(b.buffer, b.byteOffset + p, GLOBAL_HEADER_BYTES);
    const magic = dv.getUint32(0, true);
    if (magic === MAGIC_USEC || magic === MAGIC_NSEC) this.le = true;
    else if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) this.le = false;
    else this.fail('unknown-magic', 0, `pcap: unknown magic bytes ${hexBytes(b, p, 4)}`);
    this.nsec = dv.getUint32(0, this.le) === MAGIC_NSEC;
    const major = dv.getUint16(4, this.le);
    const minor = dv.getUint16(6, this.le);
    // libpcap.c: versions before 2.0 predate the record format we read.
    if (major < 2) this.fail('unsupported-version', 4, `pcap: major version ${major}.${minor} is not supported`);
    const snaplen = dv.getUint32(16, this.le);
    // The upper bits carry the FCS length (LT_FCS_LENGTH); the link type is the low 16 bits.
    this.linktype = dv.getUint32(20, this.le) & 0xffff;
    this.maxCaplen = maxCaplenForLinktype(this.linktype);
    this.header = {
      format: 'pcap',
      byteOrder: this.le ? 'little' : 'big',
      tsPrecision: this.nsec ? 'nsec' : 'usec',
      versionMajor: major,
      versionMinor: minor,
    };
    this.interfaces = [
      {
        id: 0,
        linktype: this.linktype,
        snaplen,
        name: null,
        description: null,
        tsResolution: this.nsec ? 1e9 : 1e6,
        tsOffsetSec: 0,
        stats: null,
      },
    ];
    this.rec.linktype = this.linktype;
    this.consumed = GLOBAL_HEADER_BYTES;
  }

  private checkCaplen(caplen: number, recordOffset: number): number {
    if (caplen > this.maxCaplen) {
      this.fail(
        'bad-record-length',
        recordOffset,
        `pcap: record at byte ${recordOffset} has a ${caplen}-byte packet, bigger than the maximum of ${this.maxCaplen}`,
      );
    }
    return caplen;
  }

  /** hdr/h: the 16-byte record header; data/d: where the packet bytes are. */
  private deliver(hdr: DataView, h: number, data: Uint8Array, d: number, dataOffset: number, caplen: number): void {
    const le = this.le;
    let sec = hdr.getUint32(h, le);
    let frac = hdr.getUint32(h + 4, le);
    // Wireshark accepts a sub-second field of a full second or more; carry it into seconds.
    const unit = this.nsec ? 1e9 : 1e6;
    if (frac >= unit) {
      sec += Math.floor(frac / unit);
      frac %= unit;
    }
    const rec = this.rec;
    rec.recordOffset = dataOffset - RECORD_HEADER_BYTES;
    rec.dataOffset = dataOffset;
    rec.caplen = caplen;
    rec.origlen = hdr.getUint32(h + 12, le);
    rec.tsSec = sec;
    rec.tsNsec = this.nsec ? frac : frac * 1000;
    rec.data = data.subarray(d, d + caplen);
    this.records++;
    this.consumed = dataOffset + caplen;
    this.onRecord(rec);
  }

  private growScratch(n: number): void {
    if (this.scratch.length >= n) return;
    const next = new Uint8Array(Math.max(n, Math.min(this.scratch.length * 2, this.maxCaplen + RECORD_HEADER_BYTES)));
    next.set(this.scratch.subarray(0, this.pendLen));
    this.setScratch(next);
  }

  private setScratch(b: Uint8Array): void {
    this.scratch = b;
    this.scratchDv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
}
