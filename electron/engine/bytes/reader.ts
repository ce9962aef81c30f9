/**
 * Bounds-checked cursor over captured bytes.
 *
 * Every byte of a capture is hostile. Dissectors read only through this class, which
 * tells two failures apart (as Wireshark's exceptions do):
 *  - TruncatedError: the read ran past the bytes that were captured (snaplen cut the
 *    packet, or the file ended). The protocol may well be correct.
 *  - MalformedError: a length or count field in the data contradicts the data itself.
 * Both carry the absolute offset (within the frame) where the problem was found.
 */

export class TruncatedError extends Error {
  override readonly name = 'TruncatedError';
  constructor(
    readonly offset: number,
    readonly wanted: number,
    readonly available: number,
  ) {
    super(`truncated at offset ${offset}: wanted ${wanted} bytes, ${available} captured`);
  }
}

export class MalformedError extends Error {
  override readonly name = 'MalformedError';
  constructor(
    readonly offset: number,
    readonly detail: string,
  ) {
    super(`malformed at offset ${offset}: ${detail}`);
  }
}

export function isReaderError(e: unknown): e is TruncatedError | MalformedError {
  return e instanceof TruncatedError || e instanceof MalformedError;
}

export class Reader {
  /** Absolute position of the cursor within `buf`. */
  pos: number;
  /** One past the last readable byte (exclusive). Narrowed by `sub()`. */
  readonly end: number;

  constructor(
    readonly buf: Uint8Array,
    start = 0,
    end = buf.length,
    /** Offset of buf[0] within the frame, so errors and tree nodes use frame offsets. */
    readonly base = 0,
  ) {
    if (start < 0 || end > buf.length || start > end) {
      throw new RangeError(`Reader bounds [${start}, ${end}) outside buffer of ${buf.length}`);
    }
    this.pos = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Frame offset of the cursor. */
  get offset(): number {
    return this.base + this.pos;
  }

  private need(n: number): void {
    if (n < 0 || this.pos + n > this.end) throw new TruncatedError(this.base + this.pos, n, this.end - this.pos);
  }

  /** Throws TruncatedError unless n more bytes are available. */
  ensure(n: number): void {
    this.need(n);
  }

  has(n: number): boolean {
    return n >= 0 && this.pos + n <= this.end;
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  u16(): number {
    this.need(2);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 2;
    return (b[p]! << 8) | b[p + 1]!;
  }

  u16le(): number {
    this.need(2);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 2;
    return b[p]! | (b[p + 1]! << 8);
  }

  u24(): number {
    this.need(3);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 3;
    return (b[p]! << 16) | (b[p + 1]! << 8) | b[p + 2]!;
  }

  u32(): number {
    this.need(4);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 4;
    return ((b[p]! << 24) >>> 0) + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
  }

  u32le(): number {
    this.need(4);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 4;
    return ((b[p + 3]! << 24) >>> 0) + ((b[p + 2]! << 16) | (b[p + 1]! << 8) | b[p]!);
  }

  /** 64-bit little-endian as a JS number; exact below 2^53 (callers that need more use u64leBig). */
  u64le(): number {
    const lo = this.u32le();
    const hi = this.u32le();
    return hi * 0x100000000 + lo;
  }

  u64leBig(): bigint {
    const lo = this.u32le();
    const hi = this.u32le();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  u64be(): number {
    const hi = this.u32();
    const lo = this.u32();
    return hi * 0x100000000 + lo;
  }

  /** A view of the next n bytes (no copy); advances the cursor. */
  bytes(n: number): Uint8Array {
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** A Reader limited to the next n bytes; advances this cursor past them. */
  sub(n: number): Reader {
    this.need(n);
    const r = new Reader(this.buf, this.pos, this.pos + n, this.base);
    this.pos += n;
    return r;
  }

  /** A Reader over the rest, limited to at most n bytes if given; does not advance. */
  rest(n?: number): Reader {
    const end = n === undefined ? this.end : Math.min(this.end, this.pos + n);
    return new Reader(this.buf, this.pos, end, this.base);
  }

  peekU8(at = 0): number {
    if (this.pos + at >= this.end || at < 0) throw new TruncatedError(this.base + this.pos + at, 1, 0);
    return this.buf[this.pos + at]!;
  }

  /** Latin-1 decoding of n bytes: never throws on bad UTF-8, one char per byte. */
  latin1(n: number): string {
    const v = this.bytes(n);
    let s = '';
    for (let i = 0; i < v.length; i++) s += String.fromCharCode(v[i]!);
    return s;
  }

  malformed(detail: string): never {
    throw new MalformedError(this.base + this.pos, detail);
  }
}
