import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { PcapParser } from './pcap.js';
import { CaptureFormatError, type CaptureRecord } from './types.js';
import { PcapWriter, type PcapWriterOptions } from './writer.js';

interface Rec {
  recordOffset: number;
  dataOffset: number;
  caplen: number;
  origlen: number;
  tsSec: number;
  tsNsec: number;
  linktype: number;
  interfaceId: number;
  comments: string[] | null;
  data: number[];
}

function copy(r: CaptureRecord): Rec {
  return { ...r, comments: r.comments ? [...r.comments] : null, data: Array.from(r.data) };
}

/** Feeds `bytes` in chunks of the sizes `sizes(i)` returns; collects records and the error. */
function parse(bytes: Uint8Array, sizes: (i: number) => number = () => bytes.length || 1) {
  const records: Rec[] = [];
  const parser = new PcapParser((r) => records.push(copy(r)));
  let error: CaptureFormatError | null = null;
  try {
    for (let p = 0, i = 0; p < bytes.length; i++) {
      const n = sizes(i);
      parser.push(bytes.subarray(p, p + n));
      p += n;
    }
    parser.end();
  } catch (e) {
    if (!(e instanceof CaptureFormatError)) throw e;
    error = e;
  }
  return { records, error, parser };
}

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function payload(n: number, salt: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + salt) & 0xff;
  return b;
}

/** Three records (60, 1514 and 7 bytes) plus the offsets the writer put them at. */
function threeRecords(opts: PcapWriterOptions = {}) {
  const w = new PcapWriter(opts);
  const offsets: number[] = [];
  const pkts = [
    { sec: 1_700_000_000, ns: 123_456_789, data: payload(60, 1) },
    { sec: 1_700_000_001, ns: 999_999_999, data: payload(1514, 2), origlen: 9000 },
    { sec: 4_294_967_295, ns: 0, data: payload(7, 3) },
  ];
  for (const p of pkts) {
    offsets.push(w.offset);
    w.packet(p.sec, p.ns, p.data, { origlen: p.origlen ?? p.data.length });
  }
  return { bytes: w.toBuffer(), offsets, pkts };
}

describe('PcapParser', () => {
  describe.each([
    { name: 'usec little-endian (d4 c3 b2 a1)', nsec: false, bigEndian: false, magic: [0xd4, 0xc3, 0xb2, 0xa1] },
    { name: 'usec big-endian (a1 b2 c3 d4)', nsec: false, bigEndian: true, magic: [0xa1, 0xb2, 0xc3, 0xd4] },
    { name: 'nsec little-endian (4d 3c b2 a1)', nsec: true, bigEndian: false, magic: [0x4d, 0x3c, 0xb2, 0xa1] },
    { name: 'nsec big-endian (a1 b2 3c 4d)', nsec: true, bigEndian: true, magic: [0xa1, 0xb2, 0x3c, 0x4d] },
  ])('$name file of three records', ({ nsec, bigEndian, magic }) => {
    const { bytes, offsets, pkts } = threeRecords({ nsec, bigEndian, linktype: 1, snaplen: 65535 });

    it('starts with the expected magic', () => {
      expect(Array.from(bytes.subarray(0, 4))).toEqual(magic);
    });

    it('yields the header, the interface and every record with its timestamp, lengths and offsets', () => {
      const { records, error, parser } = parse(bytes);
      expect(error).toBeNull();
      expect(parser.header).toEqual({ format: 'pcap', byteOrder: bigEndian ? 'big' : 'little', tsPrecision: nsec ? 'nsec' : 'usec', versionMajor: 2, versionMinor: 4 });
      expect(parser.interfaces).toEqual([{ id: 0, linktype: 1, snaplen: 65535, name: null, description: null, tsResolution: nsec ? 1e9 : 1e6, tsOffsetSec: 0, stats: null }]);
      expect(parser.names).toEqual([]);
      expect(parser.records).toBe(3);
      expect(parser.consumed).toBe(bytes.length);
      expect(records).toEqual(
        pkts.map((p, i) => ({
          recordOffset: offsets[i],
          dataOffset: offsets[i]! + 16,
          caplen: p.data.length,
          origlen: p.origlen ?? p.data.length,
          tsSec: p.sec,
          tsNsec: nsec ? p.ns : Math.floor(p.ns / 1000) * 1000,
          linktype: 1,
          interfaceId: 0,
          comments: null,
          data: Array.from(p.data),
        })),
      );
    });

    it('gives the same records when split at every byte boundary', () => {
      const whole = parse(bytes).records;
      for (let k = 1; k < bytes.length; k++) {
        const split = parse(bytes, (i) => (i === 0 ? k : bytes.length));
        expect(split.error, `split at ${k}`).toBeNull();
        expect(split.records, `split at ${k}`).toEqual(whole);
      }
    });

    it('gives the same records when fed one byte at a time', () => {
      expect(parse(bytes, () => 1).records).toEqual(parse(bytes).records);
    });

    it('round-trips: writing the parsed records again gives the same bytes', () => {
      const { records, parser } = parse(bytes);
      const w = new PcapWriter({ nsec, bigEndian, linktype: parser.interfaces[0]!.linktype, snaplen: parser.interfaces[0]!.snaplen });
      for (const r of records) w.packet(r.tsSec, r.tsNsec, Uint8Array.from(r.data), { origlen: r.origlen });
      expect(Buffer.compare(w.toBuffer(), bytes)).toBe(0);
    });
  });

  it('500 records of random sizes fed in random-size chunks give the same records as one chunk', () => {
    const rnd = seeded(7);
    const w = new PcapWriter({ nsec: true });
    for (let i = 0; i < 500; i++) w.packet(1_600_000_000 + i, Math.floor(rnd() * 1e9), payload(Math.floor(rnd() * 2000), i));
    const bytes = w.toBuffer();
    const whole = parse(bytes);
    expect(whole.records).toHaveLength(500);
    for (const max of [3, 17, 100, 4096, 65536]) {
      const r = parse(bytes, () => 1 + Math.floor(rnd() * max));
      expect(r.error).toBeNull();
      expect(r.records).toEqual(whole.records);
    }
  });

  it('record data inside one chunk is a view of the chunk; a record across chunks is a copy', () => {
    const { bytes, offsets } = threeRecords();
    const seen: { sameBuffer: boolean }[] = [];
    let chunk = new Uint8Array(0);
    const parser = new PcapParser((r) => seen.push({ sameBuffer: r.data.buffer === chunk.buffer }));
    // First chunk ends inside record 2's data.
    const cut = offsets[1]! + 16 + 100;
    chunk = new Uint8Array(bytes.subarray(0, cut));
    parser.push(chunk);
    chunk = new Uint8Array(bytes.subarray(cut));
    parser.push(chunk);
    parser.end();
    expect(seen).toEqual([{ sameBuffer: true }, { sameBuffer: false }, { sameBuffer: true }]);
  });

  it('reuses one record object for every callback', () => {
    const { bytes } = threeRecords();
    const objs = new Set<CaptureRecord>();
    const parser = new PcapParser((r) => objs.add(r));
    parser.push(bytes);
    parser.end();
    expect(objs.size).toBe(1);
  });

  it('usec file whose sub-second field is 2500000 carries 2 s into the seconds', () => {
    const w = new PcapWriter();
    w.packet(100, 2_500_000_000, payload(10, 0)); // usec field 2_500_000
    expect(parse(w.toBuffer()).records[0]).toMatchObject({ tsSec: 102, tsNsec: 500_000_000 });
  });

  it('nsec file whose sub-second field is 1000000001 carries 1 s into the seconds', () => {
    const w = new PcapWriter({ nsec: true });
    w.packet(100, 1_000_000_001, payload(10, 0));
    expect(parse(w.toBuffer()).records[0]).toMatchObject({ tsSec: 101, tsNsec: 1 });
  });

  it('record with caplen 0 and origlen 1500', () => {
    const w = new PcapWriter();
    w.packet(1, 0, new Uint8Array(0), { origlen: 1500 });
    w.packet(2, 0, payload(4, 0));
    const { records, error } = parse(w.toBuffer(), () => 5);
    expect(error).toBeNull();
    expect(records.map((r) => [r.caplen, r.origlen, r.data.length])).toEqual([
      [0, 1500, 0],
      [4, 4, 4],
    ]);
  });

  it('record whose caplen exceeds origlen is delivered as is (Wireshark reads it)', () => {
    const w = new PcapWriter();
    w.packet(1, 0, payload(100, 0), { origlen: 60 });
    expect(parse(w.toBuffer()).records[0]).toMatchObject({ caplen: 100, origlen: 60 });
  });

  it('linktype field 0x10000071 (FCS bits set) reads as LINKTYPE 113', () => {
    const w = new PcapWriter({ linktype: 0x10000071 });
    w.packet(1, 0, payload(20, 0));
    const { records, parser } = parse(w.toBuffer());
    expect(parser.interfaces[0]!.linktype).toBe(113);
    expect(records[0]!.linktype).toBe(113);
  });

  it('header-only file (24 bytes) has no records and no error', () => {
    const { records, error, parser } = parse(new PcapWriter().toBuffer());
    expect(error).toBeNull();
    expect(records).toEqual([]);
    expect(parser.header?.format).toBe('pcap');
  });

  describe('third record with caplen 2147483647', () => {
    const { bytes, offsets } = threeRecords();
    const bad = new Uint8Array(bytes);
    new DataView(bad.buffer).setUint32(offsets[2]! + 8, 0x7fffffff, true);

    it.each([
      ['one chunk', () => bad.length],
      ['1-byte chunks', () => 1],
    ])('fails with bad-record-length at the record offset after two records (%s)', (_name, sizes) => {
      const { records, error } = parse(bad, sizes);
      expect(records).toHaveLength(2);
      expect(error?.kind).toBe('bad-record-length');
      expect(error?.offset).toBe(offsets[2]);
      expect(error?.message).toBe(`pcap: record at byte ${offsets[2]} has a 2147483647-byte packet, bigger than the maximum of 262144`);
    });

    it('reports the failure again on any later push or end', () => {
      const parser = new PcapParser(() => {});
      expect(() => parser.push(bad)).toThrow(CaptureFormatError);
      expect(() => parser.push(new Uint8Array(10))).toThrow(/2147483647-byte packet/);
      expect(() => parser.end()).toThrow(/2147483647-byte packet/);
    });
  });

  it('record of exactly 262144 bytes is read; 262145 is bad-record-length', () => {
    const ok = new PcapWriter();
    ok.packet(1, 0, new Uint8Array(262_144));
    expect(parse(ok.toBuffer(), () => 100_000).records[0]?.caplen).toBe(262_144);
    const big = new PcapWriter();
    big.packet(1, 0, new Uint8Array(262_145));
    expect(parse(big.toBuffer()).error).toMatchObject({ kind: 'bad-record-length', offset: 24 });
  });

  it('D-Bus file (LINKTYPE 231) accepts a 1 MiB record, as Wireshark allows 128 MiB there', () => {
    const w = new PcapWriter({ linktype: 231 });
    w.packet(1, 0, new Uint8Array(1 << 20));
    const { records, error } = parse(w.toBuffer(), () => 300_000);
    expect(error).toBeNull();
    expect(records[0]?.caplen).toBe(1 << 20);
  });

  describe('file cut inside the third record', () => {
    const { bytes, offsets } = threeRecords();

    it.each([
      ['inside its header', 5],
      ['inside its data', 16 + 3],
      ['right after its header', 16],
    ])('%s: two records, then truncated-record at the record offset', (_n, into) => {
      const cut = bytes.subarray(0, offsets[2]! + into);
      for (const sizes of [() => cut.length, () => 1, () => 7]) {
        const { records, error, parser } = parse(cut, sizes);
        expect(records).toHaveLength(2);
        expect(error?.kind).toBe('truncated-record');
        expect(error?.offset).toBe(offsets[2]);
        expect(error?.message).toMatch(new RegExp(`record at byte ${offsets[2]}`));
        expect(parser.consumed).toBe(offsets[2]);
      }
    });
  });

  it('empty input: empty', () => {
    expect(parse(new Uint8Array(0)).error).toMatchObject({ kind: 'empty', offset: 0 });
  });

  it('10-byte file starting with the usec magic: truncated-header', () => {
    const head = new PcapWriter().toBuffer().subarray(0, 10);
    expect(parse(head).error).toMatchObject({ kind: 'truncated-header', offset: 0 });
  });

  it('3-byte file d4 c3 b2 (a magic prefix): truncated-header', () => {
    expect(parse(Uint8Array.of(0xd4, 0xc3, 0xb2)).error?.kind).toBe('truncated-header');
  });

  it('3-byte file "abc": unknown-magic', () => {
    expect(parse(new TextEncoder().encode('abc')).error).toMatchObject({ kind: 'unknown-magic', message: 'pcap: unknown magic bytes 61 62 63' });
  });

  it('24 bytes of "GET / HTTP/1.1..." text: unknown-magic naming the four bytes', () => {
    const text = new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n');
    const { error } = parse(text);
    expect(error).toMatchObject({ kind: 'unknown-magic', offset: 0 });
    expect(error?.message).toContain('47 45 54 20');
  });

  it('version 1.0 header: unsupported-version', () => {
    const b = new Uint8Array(new PcapWriter().toBuffer());
    new DataView(b.buffer).setUint16(4, 1, true);
    expect(parse(b).error?.kind).toBe('unsupported-version');
  });
});

describe('PcapParser on mutated and truncated files (fast-check)', () => {
  const base = (() => {
    const w = new PcapWriter({ nsec: true });
    for (let i = 0; i < 12; i++) w.packet(1_700_000_000 + i, i * 1000, payload(20 + i * 9, i), { origlen: 200 });
    return w.toBuffer();
  })();
  const mutation = fc.oneof(
    fc.record({ at: fc.nat(base.length - 1), byte: fc.integer({ min: 0, max: 255 }) }),
    // 32-bit values on 4-byte boundaries hit the length, id and timestamp fields.
    fc.record({ at: fc.nat(Math.floor(base.length / 4) - 1).map((i) => i * 4), word: fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.constantFrom(0, 4, 12, 0xffffffff, 0x7ffffffc)) }),
  );

  it('only CaptureFormatError escapes; records stay in order and inside the input; the error lies after them', () => {
    fc.assert(
      fc.property(fc.array(mutation, { maxLength: 6 }), fc.nat(base.length), fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 8 }), (muts, cut, sizes) => {
        const b = new Uint8Array(base.subarray(0, cut));
        const dv = new DataView(b.buffer);
        for (const m of muts) {
          if ('byte' in m) {
            if (m.at < b.length) b[m.at] = m.byte;
          } else if (m.at + 4 <= b.length) {
            dv.setUint32(m.at, m.word, true);
          }
        }
        let last = -1;
        const parser = new PcapParser((r) => {
          expect(r.recordOffset).toBeGreaterThan(last);
          last = r.recordOffset;
          expect(r.data.length).toBe(r.caplen);
          expect(r.dataOffset + r.caplen).toBeLessThanOrEqual(b.length);
          expect(r.tsNsec >= 0 && r.tsNsec < 1e9).toBe(true);
        });
        try {
          for (let p = 0, i = 0; p < b.length; i++) {
            const n = sizes[i % sizes.length]!;
            parser.push(b.subarray(p, p + n));
            p += n;
          }
          parser.end();
        } catch (e) {
          if (!(e instanceof CaptureFormatError)) throw e;
          expect(e.offset).toBeGreaterThan(last);
          expect(e.offset).toBeLessThanOrEqual(b.length);
        }
      }),
      { numRuns: 400, seed: 20240601 },
    );
  });
});
