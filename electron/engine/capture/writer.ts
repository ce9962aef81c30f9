/**
 * pcap and pcapng writers: test fixtures, the demo capture and the multi-GB benchmark
 * capture are built with these, so the readers are tested against bytes we control.
 *
 * Formats as in pcap.ts / pcapng.ts. Values are written as given (a tsNsec of a second or
 * more, data longer than the snaplen, ...), so tests can build odd but well-framed files;
 * damage beyond that (lying lengths) is made by editing the bytes of `toBuffer()`.
 *
 * Output goes to memory (`toBuffer()`) or, with `path`, to a file through one ~1 MiB batch
 * buffer flushed with fs.writeSync: no syscall and no allocation per packet.
 */

import { closeSync, openSync, writeSync } from 'node:fs';

import type { NameRecord } from './types.js';

/** File output is written in batches of this size: large enough that syscalls vanish from
 * the profile, small enough to stay in L2/L3 cache. */
const BATCH_BYTES = 1024 * 1024;
/** Memory output starts here and doubles. */
const INITIAL_MEMORY_BYTES = 64 * 1024;
/** Payloads at least this large skip the batch buffer in file mode (one copy fewer). */
const DIRECT_WRITE_BYTES = BATCH_BYTES / 2;

const TWO_POW_32 = 4294967296;

/** Byte sink shared by both writers: growable memory buffer or batched file output. */
class ByteSink {
  private buf: Buffer;
  private pos = 0;
  private flushed = 0;
  private fd: number | null;
  private closed = false;
  /** Byte order of the multi-byte writes. */
  le = true;

  constructor(path: string | undefined) {
    this.fd = path === undefined ? null : openSync(path, 'w');
    this.buf = Buffer.allocUnsafe(this.fd === null ? INITIAL_MEMORY_BYTES : BATCH_BYTES);
  }

  get offset(): number {
    return this.flushed + this.pos;
  }

  /** Makes room for n more bytes in the buffer. */
  room(n: number): void {
    if (this.closed) throw new Error('capture writer: already closed');
    if (this.pos + n <= this.buf.length) return;
    if (this.fd !== null) {
      this.flush();
      if (n <= this.buf.length) return;
      this.buf = Buffer.allocUnsafe(n);
      return;
    }
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(v: number): void {
    this.room(1);
    this.buf[this.pos++] = v;
  }

  u16(v: number): void {
    this.room(2);
    this.pos = this.le ? this.buf.writeUInt16LE(v, this.pos) : this.buf.writeUInt16BE(v, this.pos);
  }

  u32(v: number): void {
    this.room(4);
    this.pos = this.le ? this.buf.writeUInt32LE(v, this.pos) : this.buf.writeUInt32BE(v, this.pos);
  }

  /** A 64-bit value as two 32-bit halves in the sink's byte order. */
  u64(hi: number, lo: number): void {
    if (this.le) {
      this.u32(lo);
      this.u32(hi);
    } else {
      this.u32(hi);
      this.u32(lo);
    }
  }

  bytes(data: Uint8Array): void {
    if (this.fd !== null && data.length >= DIRECT_WRITE_BYTES) {
      this.flush();
      this.writeAll(data);
      this.flushed += data.length;
      return;
    }
    this.room(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  zeros(n: number): void {
    this.room(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
  }

  toBuffer(): Buffer {
    if (this.fd !== null) throw new Error('capture writer: toBuffer() is for memory output; this one writes to a file');
    return this.buf.subarray(0, this.pos);
  }

  close(): void {
    if (this.closed) return;
    if (this.fd !== null) {
      try {
        this.flush();
      } finally {
        closeSync(this.fd);
        this.fd = null;
      }
    }
    this.closed = true;
  }

  private flush(): void {
    if (this.pos === 0 || this.fd === null) return;
    this.writeAll(this.buf.subarray(0, this.pos));
    this.flushed += this.pos;
    this.pos = 0;
  }

  private writeAll(data: Uint8Array): void {
    for (let off = 0; off < data.length; ) off += writeSync(this.fd!, data, off, data.length - off);
  }
}

// ---------------------------------------------------------------------------
// Classic pcap

export interface PcapWriterOptions {
  /** LINKTYPE_* value; default 1 (Ethernet). */
  linktype?: number;
  /** Default 262144. */
  snaplen?: number;
  /** Nanosecond magic a1b23c4d instead of microsecond a1b2c3d4. */
  nsec?: boolean;
  bigEndian?: boolean;
  /** Write to this file instead of memory. */
  path?: string;
}

export class PcapWriter {
  private readonly sink: ByteSink;
  private readonly nsec: boolean;

  constructor(opts: PcapWriterOptions = {}) {
    this.sink = new ByteSink(opts.path);
    this.sink.le = !opts.bigEndian;
    this.nsec = opts.nsec ?? false;
    const s = this.sink;
    s.u32(this.nsec ? 0xa1b23c4d : 0xa1b2c3d4);
    s.u16(2);
    s.u16(4);
    s.u32(0); // thiszone
    s.u32(0); // sigfigs
    s.u32(opts.snaplen ?? 262_144);
    s.u32(opts.linktype ?? 1);
  }

  /** Bytes written so far: the offset the next record will start at. */
  get offset(): number {
    return this.sink.offset;
  }

  /** One record. In usec files the nanoseconds are truncated to microseconds. */
  packet(tsSec: number, tsNsec: number, data: Uint8Array, opts: { origlen?: number } = {}): void {
    const s = this.sink;
    s.room(16);
    s.u32(tsSec);
    s.u32(this.nsec ? tsNsec : Math.floor(tsNsec / 1000));
    s.u32(data.length);
    s.u32(opts.origlen ?? data.length);
    s.bytes(data);
  }

  toBuffer(): Buffer {
    return this.sink.toBuffer();
  }

  /** Flushes and closes the file (a no-op for memory output apart from forbidding writes). */
  close(): void {
    this.sink.close();
  }
}

// ---------------------------------------------------------------------------
// pcapng

/** if_tsresol: units per second as 10^n or 2^n; 1e6 (the default) writes no option. */
export type TsResolution = 1e6 | 1e9 | { pow10: number } | { pow2: number };

export interface PcapngInterfaceOptions {
  linktype: number;
  /** 0 means no limit. Default 262144. */
  snaplen?: number;
  name?: string;
  description?: string;
  tsResolution?: TsResolution;
  /** if_tsoffset: seconds added to every timestamp of the interface. */
  tsOffsetSec?: number;
}

export interface PcapngPacketOptions {
  origlen?: number;
  /** opt_comment, one option per entry. */
  comments?: string[];
}

interface WriterIface {
  /** if_tsresol byte. */
  tsresol: number;
  offsetSec: number;
  /** Units per second when a power of ten up to 10^9 (fast path), else 0. */
  unitsFast: number;
  /** Nanoseconds per unit on the fast path (10^(9-n)). */
  nsPerUnit: number;
  unitsBig: bigint;
}

const BT_SHB = 0x0a0d0d0a;
const BT_IDB = 1;
const BT_PB = 2;
const BT_SPB = 3;
const BT_NRB = 4;
const BT_ISB = 5;
const BT_EPB = 6;

const OPT_ENDOFOPT = 0;
const OPT_COMMENT = 1;

interface Opt {
  code: number;
  value: Uint8Array;
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

function optionsSize(opts: readonly Opt[]): number {
  if (opts.length === 0) return 0;
  let n = 4; // opt_endofopt
  for (const o of opts) n += 4 + pad4(o.value.length);
  return n;
}

function tsresolByte(r: TsResolution | undefined): number {
  if (r === undefined || r === 1e6) return 6;
  if (r === 1e9) return 9;
  if ('pow2' in r) return 0x80 | r.pow2;
  return r.pow10;
}

/** Parses IPv4 dotted quads and IPv6 text (with "::" and an optional dotted-quad tail). */
export function parseIpAddress(text: string): Uint8Array {
  const v4 = (s: string): number[] | null => {
    const parts = s.split('.');
    if (parts.length !== 4) return null;
    const out = parts.map((x) => (/^\d{1,3}$/.test(x) ? Number(x) : 256));
    return out.every((x) => x <= 255) ? out : null;
  };
  if (!text.includes(':')) {
    const b = v4(text);
    if (!b) throw new RangeError(`not an IPv4 address: ${text}`);
    return Uint8Array.from(b);
  }
  const bad = () => new RangeError(`not an IPv6 address: ${text}`);
  const halves = text.split('::');
  if (halves.length > 2) throw bad();
  const groups = (s: string): number[] => {
    if (s === '') return [];
    const out: number[] = [];
    const parts = s.split(':');
    parts.forEach((g, i) => {
      if (i === parts.length - 1 && g.includes('.')) {
        const b = v4(g);
        if (!b) throw bad();
        out.push((b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) {
        out.push(parseInt(g, 16));
      } else {
        throw bad();
      }
    });
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) throw bad();
  const all = [...head, ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

export interface PcapngWriterOptions {
  /** Byte order of sections started without their own `bigEndian`. */
  bigEndian?: boolean;
  /** Write to this file instead of memory. */
  path?: string;
}

export class PcapngWriter {
  private readonly sink: ByteSink;
  private readonly bigEndian: boolean;
  private ifaces: WriterIface[] = [];
  private inSection = false;
  private readonly enc = new TextEncoder();

  constructor(opts: PcapngWriterOptions = {}) {
    this.sink = new ByteSink(opts.path);
    this.bigEndian = opts.bigEndian ?? false;
  }

  /** Bytes written so far: the offset the next block will start at. */
  get offset(): number {
    return this.sink.offset;
  }

  /** Starts a section (SHB). Interfaces of earlier sections are forgotten, as in the format. */
  section(opts: { comment?: string; bigEndian?: boolean; userAppl?: string } = {}): void {
    const s = this.sink;
    s.le = !(opts.bigEndian ?? this.bigEndian);
    const o: Opt[] = [];
    if (opts.comment !== undefined) o.push({ code: OPT_COMMENT, value: this.enc.encode(opts.comment) });
    if (opts.userAppl !== undefined) o.push({ code: 4, value: this.enc.encode(opts.userAppl) }); // shb_userappl
    const len = 28 + optionsSize(o);
    s.u32(BT_SHB);
    s.u32(len);
    s.u32(0x1a2b3c4d);
    s.u16(1);
    s.u16(0);
    s.u64(0xffffffff, 0xffffffff); // section length: unknown
    this.options(o);
    s.u32(len);
    this.ifaces = [];
    this.inSection = true;
  }

  /** Describes an interface (IDB); returns its id within the current section. */
  addInterface(opts: PcapngInterfaceOptions): number {
    if (!this.inSection) this.section();
    const tsresol = tsresolByte(opts.tsResolution);
    const offsetSec = opts.tsOffsetSec ?? 0;
    const o: Opt[] = [];
    if (opts.name !== undefined) o.push({ code: 2, value: this.enc.encode(opts.name) });
    if (opts.description !== undefined) o.push({ code: 3, value: this.enc.encode(opts.description) });
    if (tsresol !== 6 || (opts.tsResolution !== undefined && typeof opts.tsResolution === 'object')) {
      o.push({ code: 9, value: Uint8Array.of(tsresol) });
    }
    if (offsetSec !== 0) {
      const v = new Uint8Array(8);
      new DataView(v.buffer).setBigInt64(0, BigInt(offsetSec), this.sink.le);
      o.push({ code: 14, value: v });
    }
    const len = 20 + optionsSize(o);
    const s = this.sink;
    s.u32(BT_IDB);
    s.u32(len);
    s.u16(opts.linktype);
    s.u16(0);
    s.u32(opts.snaplen ?? 262_144);
    this.options(o);
    s.u32(len);
    const exp = tsresol & 0x7f;
    const unitsBig = tsresol & 0x80 ? 1n << BigInt(exp) : 10n ** BigInt(exp);
    const fast = (tsresol & 0x80) === 0 && exp <= 9;
    this.ifaces.push({ tsresol, offsetSec, unitsFast: fast ? 10 ** exp : 0, nsPerUnit: fast ? 10 ** (9 - exp) : 0, unitsBig });
    return this.ifaces.length - 1;
  }

  /** Enhanced Packet Block. */
  packet(ifaceId: number, tsSec: number, tsNsec: number, data: Uint8Array, opts: PcapngPacketOptions = {}): void {
    this.packetLike(BT_EPB, ifaceId, tsSec, tsNsec, data, opts, 0);
  }

  /** Obsolete Packet Block (type 2): 16-bit interface id and a drops count. */
  obsoletePacket(ifaceId: number, tsSec: number, tsNsec: number, data: Uint8Array, opts: PcapngPacketOptions & { dropsCount?: number } = {}): void {
    this.packetLike(BT_PB, ifaceId, tsSec, tsNsec, data, opts, opts.dropsCount ?? 0);
  }

  /** Simple Packet Block: no interface id (always 0), no timestamp, no captured length. */
  simplePacket(data: Uint8Array, origlen: number = data.length): void {
    const s = this.sink;
    const len = 16 + pad4(data.length);
    s.room(12);
    s.u32(BT_SPB);
    s.u32(len);
    s.u32(origlen);
    s.bytes(data);
    s.zeros(pad4(data.length) - data.length);
    s.u32(len);
  }

  /** Name Resolution Block; addresses with a ':' are IPv6 records, others IPv4. */
  nameResolution(records: readonly NameRecord[]): void {
    const recs = records.map((r) => {
      const addr = parseIpAddress(r.address);
      const names = r.names.map((n) => this.enc.encode(n));
      const vlen = addr.length + names.reduce((a, n) => a + n.length + 1, 0);
      return { type: addr.length === 4 ? 1 : 2, addr, names, vlen };
    });
    const len = 12 + recs.reduce((a, r) => a + 4 + pad4(r.vlen), 0) + 4;
    const s = this.sink;
    s.u32(BT_NRB);
    s.u32(len);
    for (const r of recs) {
      s.u16(r.type);
      s.u16(r.vlen);
      s.bytes(r.addr);
      for (const n of r.names) {
        s.bytes(n);
        s.u8(0);
      }
      s.zeros(pad4(r.vlen) - r.vlen);
    }
    s.u16(0); // nrb_record_end
    s.u16(0);
    s.u32(len);
  }

  /** Interface Statistics Block with isb_ifrecv / isb_ifdrop. */
  interfaceStats(ifaceId: number, stats: { received?: number; dropped?: number }, tsSec = 0, tsNsec = 0): void {
    const f = this.iface(ifaceId);
    const o: Opt[] = [];
    const u64 = (v: number) => {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigUint64(0, BigInt(v), this.sink.le);
      return b;
    };
    if (stats.received !== undefined) o.push({ code: 4, value: u64(stats.received) });
    if (stats.dropped !== undefined) o.push({ code: 5, value: u64(stats.dropped) });
    const len = 24 + optionsSize(o);
    const s = this.sink;
    s.u32(BT_ISB);
    s.u32(len);
    s.u32(ifaceId);
    this.timestamp(f, tsSec, tsNsec);
    this.options(o);
    s.u32(len);
  }

  /** Any block type with an opaque body (custom 0x00000BAD / 0x40000BAD, DSB 0x0A, unknown). */
  customBlock(type: number, body: Uint8Array): void {
    const s = this.sink;
    const len = 12 + pad4(body.length);
    s.u32(type);
    s.u32(len);
    s.bytes(body);
    s.zeros(pad4(body.length) - body.length);
    s.u32(len);
  }

  toBuffer(): Buffer {
    return this.sink.toBuffer();
  }

  close(): void {
    this.sink.close();
  }

  private iface(id: number): WriterIface {
    const f = this.ifaces[id];
    if (!f) throw new RangeError(`pcapng writer: no interface ${id} in this section`);
    return f;
  }

  private packetLike(type: number, ifaceId: number, tsSec: number, tsNsec: number, data: Uint8Array, opts: PcapngPacketOptions, drops: number): void {
    const f = this.iface(ifaceId);
    let o: Opt[] | null = null;
    if (opts.comments && opts.comments.length > 0) o = opts.comments.map((c) => ({ code: OPT_COMMENT, value: this.enc.encode(c) }));
    const padded = pad4(data.length);
    const len = 32 + padded + (o ? optionsSize(o) : 0);
    const s = this.sink;
    s.room(28);
    s.u32(type);
    s.u32(len);
    if (type === BT_PB) {
      s.u16(ifaceId);
      s.u16(drops);
    } else {
      s.u32(ifaceId);
    }
    this.timestamp(f, tsSec, tsNsec);
    s.u32(data.length);
    s.u32(opts.origlen ?? data.length);
    s.bytes(data);
    s.zeros(padded - data.length);
    if (o) this.options(o);
    s.u32(len);
  }

  /** Writes (tsSec, tsNsec) as the interface's unit count: high 32 bits, then low 32 bits,
   * each in the section's byte order (not one 64-bit integer). Fractions round down. */
  private timestamp(f: WriterIface, tsSec: number, tsNsec: number): void {
    const sec = tsSec - f.offsetSec;
    if (sec < 0 || tsNsec < 0) throw new RangeError(`pcapng writer: timestamp ${tsSec}.${tsNsec} is before the interface's if_tsoffset`);
    const r = f.unitsFast;
    if (r !== 0 && Number.isSafeInteger(sec)) {
      // sec * r + frac split into 32-bit halves without BigInt: sec = sh * 2^16 + sl keeps
      // both partial products below 2^47.
      const frac = Math.floor(tsNsec / f.nsPerUnit);
      const sh = Math.floor(sec / 65536);
      const sl = sec - sh * 65536;
      const a = sh * r;
      const t = (a % 65536) * 65536 + sl * r + frac;
      const lo = t % TWO_POW_32;
      const hi = Math.floor(a / 65536) + Math.floor(t / TWO_POW_32);
      if (hi >= TWO_POW_32) throw new RangeError(`pcapng writer: timestamp ${tsSec} does not fit in 64 bits`);
      this.sink.u32(hi);
      this.sink.u32(lo);
      return;
    }
    const units = BigInt(sec) * f.unitsBig + (BigInt(tsNsec) * f.unitsBig) / 1_000_000_000n;
    if (units >= 1n << 64n) throw new RangeError(`pcapng writer: timestamp ${tsSec} does not fit in 64 bits`);
    this.sink.u32(Number(units >> 32n));
    this.sink.u32(Number(units & 0xffffffffn));
  }

  private options(o: readonly Opt[]): void {
    if (o.length === 0) return;
    const s = this.sink;
    for (const { code, value } of o) {
      s.u16(code);
      s.u16(value.length);
      s.bytes(value);
      s.zeros(pad4(value.length) - value.length);
    }
    s.u16(OPT_ENDOFOPT);
    s.u16(0);
  }
}
