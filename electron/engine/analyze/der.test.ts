import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  CLASS_APPLICATION,
  CLASS_CONTEXT,
  CLASS_UNIVERSAL,
  DerError,
  DerReader,
  MAX_DEPTH,
  int32,
  readBitString,
  readBoolean,
  readGeneralizedTime,
  readHeader,
  readInteger,
  uint32,
  type Tlv,
} from './der.js';

const b = (...x: number[]): Uint8Array => Uint8Array.from(x);

function errorOf(fn: () => unknown): DerError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DerError) return e;
    throw e;
  }
  throw new Error('no error thrown');
}

describe('readHeader', () => {
  it('reads a short-form length: 02 01 05 (INTEGER 5)', () => {
    expect(readHeader(b(0x02, 0x01, 0x05), 0, 3)).toEqual({
      cls: CLASS_UNIVERSAL,
      constructed: false,
      tag: 2,
      start: 0,
      valueStart: 2,
      end: 3,
    });
  });

  it('reads long-form lengths: 04 81 80 + 128 bytes, 04 82 01 00 + 256 bytes', () => {
    const one = new Uint8Array(3 + 128);
    one.set([0x04, 0x81, 0x80]);
    expect(readHeader(one, 0, one.length)).toMatchObject({ tag: 4, valueStart: 3, end: 131 });
    const two = new Uint8Array(4 + 256);
    two.set([0x04, 0x82, 0x01, 0x00]);
    expect(readHeader(two, 0, two.length)).toMatchObject({ tag: 4, valueStart: 4, end: 260 });
  });

  it('reads class, constructed bit and high tag numbers: 6a 00 ([APPLICATION 10]), bf 87 68 00 ([CONTEXT 1000])', () => {
    expect(readHeader(b(0x6a, 0x00), 0, 2)).toMatchObject({ cls: CLASS_APPLICATION, constructed: true, tag: 10, end: 2 });
    expect(readHeader(b(0xbf, 0x87, 0x68, 0x00), 0, 4)).toMatchObject({ cls: CLASS_CONTEXT, constructed: true, tag: 1000, valueStart: 4 });
  });

  it('rejects the indefinite length form (30 80 ... 00 00)', () => {
    const e = errorOf(() => readHeader(b(0x30, 0x80, 0x02, 0x01, 0x01, 0x00, 0x00), 0, 7));
    expect(e.kind).toBe('malformed');
    expect(e.message).toMatch(/indefinite/);
  });

  it('rejects lengths of more than 4 octets and over-long tag numbers', () => {
    expect(errorOf(() => readHeader(b(0x04, 0x85, 1, 0, 0, 0, 0), 0, 7)).kind).toBe('malformed');
    expect(errorOf(() => readHeader(b(0x1f, 0x81, 0x81, 0x81, 0x81, 0x01, 0x00), 0, 7)).kind).toBe('malformed');
  });

  it('tells truncation (past the data) from a lie (past the parent)', () => {
    // 04 05 aa bb: five bytes announced, two held.
    expect(errorOf(() => readHeader(b(0x04, 0x05, 0xaa, 0xbb), 0, 4)).kind).toBe('truncated');
    // Inside a parent that ends at 3: the child claims 5.
    expect(errorOf(() => readHeader(b(0x04, 0x05, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff), 0, 3)).kind).toBe('malformed');
    // Header cut in the middle of a long-form length.
    expect(errorOf(() => readHeader(b(0x04, 0x82, 0x01), 0, 3)).kind).toBe('truncated');
    expect(errorOf(() => readHeader(b(), 0, 0)).kind).toBe('truncated');
  });
});

describe('DerReader', () => {
  it('walks a SEQUENCE { [0] INTEGER 5, [1] GeneralString "A" }', () => {
    // 30 0a a0 03 02 01 05 a1 03 1b 01 41
    const r = new DerReader(b(0x30, 0x0a, 0xa0, 0x03, 0x02, 0x01, 0x05, 0xa1, 0x03, 0x1b, 0x01, 0x41));
    const seq = r.enter(r.expect(CLASS_UNIVERSAL, 16));
    const a0 = seq.next();
    expect(a0).toMatchObject({ cls: CLASS_CONTEXT, tag: 0 });
    const inner = seq.enter(a0);
    expect(readInteger(inner.value(inner.expect(CLASS_UNIVERSAL, 2)))).toBe(5);
    const a1 = seq.next();
    expect(a1.tag).toBe(1);
    expect(seq.done).toBe(true);
    expect(r.done).toBe(true);
  });

  it('caps nesting depth at MAX_DEPTH', () => {
    const depth = MAX_DEPTH + 5;
    let bytes: number[] = [0x05, 0x00];
    for (let i = 0; i < depth; i++) bytes = [0x30, ...(bytes.length < 128 ? [bytes.length] : [0x81, bytes.length]), ...bytes];
    let r = new DerReader(Uint8Array.from(bytes));
    let entered = 0;
    const e = errorOf(() => {
      for (;;) {
        r = r.enter(r.next());
        entered++;
      }
    });
    expect(e.kind).toBe('malformed');
    expect(e.message).toMatch(/nesting/);
    expect(entered).toBe(MAX_DEPTH);
  });

  it('refuses to enter a primitive element', () => {
    const r = new DerReader(b(0x02, 0x01, 0x05));
    expect(errorOf(() => r.enter(r.next())).kind).toBe('malformed');
  });

  it('reports the expected tag when another is found', () => {
    const r = new DerReader(b(0x02, 0x01, 0x05));
    expect(errorOf(() => r.expect(CLASS_UNIVERSAL, 16)).message).toMatch(/expected UNIVERSAL 16, found UNIVERSAL 2/);
  });
});

describe('primitive contents', () => {
  it('INTEGER: two’s complement, and the Int32/UInt32 views Wireshark uses', () => {
    expect(readInteger(b(0x00, 0xff))).toBe(255);
    expect(readInteger(b(0xff))).toBe(-1);
    expect(readInteger(b(0xff, 0x79))).toBe(-135);
    expect(int32(b(0xff, 0x79))).toBe(-135);
    expect(uint32(b(0x00, 0xff, 0xff, 0xff, 0xff))).toBe(0xffffffff);
    expect(int32(b(0x00, 0xff, 0xff, 0xff, 0xff))).toBe(-1);
    expect(uint32(b(0x9d, 0x1d, 0x5b, 0x2a))).toBe(0x9d1d5b2a);
    expect(uint32(b(0x05))).toBe(5);
    expect(errorOf(() => readInteger(b())).kind).toBe('malformed');
    expect(errorOf(() => int32(new Uint8Array(9))).kind).toBe('malformed');
  });

  it('BOOLEAN and BIT STRING', () => {
    expect(readBoolean(b(0xff))).toBe(true);
    expect(readBoolean(b(0x00))).toBe(false);
    expect(errorOf(() => readBoolean(b(1, 1))).kind).toBe('malformed');
    expect(readBitString(b(0x00, 0x40, 0x81, 0x00, 0x10))).toEqual(b(0x40, 0x81, 0x00, 0x10));
    expect(errorOf(() => readBitString(b())).kind).toBe('malformed');
    expect(errorOf(() => readBitString(b(8, 0))).kind).toBe('malformed');
  });

  it('GeneralizedTime: 20150119225459Z and variants', () => {
    const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
    expect(readGeneralizedTime(ascii('20150119225459Z'))).toBe(Date.UTC(2015, 0, 19, 22, 54, 59) / 1000);
    expect(readGeneralizedTime(ascii('20150119225459.5Z'))).toBe(Date.UTC(2015, 0, 19, 22, 54, 59) / 1000 + 0.5);
    expect(readGeneralizedTime(ascii('20150119225459+0100'))).toBe(Date.UTC(2015, 0, 19, 21, 54, 59) / 1000);
    expect(errorOf(() => readGeneralizedTime(ascii('2015011922545Z'))).kind).toBe('malformed');
    expect(errorOf(() => readGeneralizedTime(ascii('20151319225459Z'))).kind).toBe('malformed');
  });
});

/** Walks every element recursively; returns how many were read. Only DerError may escape. */
function walkAll(r: DerReader, visit: (t: Tlv) => void): void {
  while (!r.done) {
    const before = r.offset;
    const t = r.next();
    expect(r.offset).toBeGreaterThan(before);
    visit(t);
    if (t.constructed) walkAll(r.enter(t), visit);
  }
}

describe('hostile bytes (fast-check)', () => {
  it('random bytes: only DerError escapes, offsets only move forward, elements stay inside the buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        try {
          walkAll(new DerReader(bytes), (t) => {
            expect(t.start).toBeLessThan(t.valueStart);
            expect(t.end).toBeLessThanOrEqual(bytes.length);
          });
        } catch (e) {
          if (!(e instanceof DerError)) throw e;
        }
      }),
      { numRuns: 2000 },
    );
  });
});
