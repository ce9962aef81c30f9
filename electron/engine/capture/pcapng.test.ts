import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { formatIPv6, MAX_BLOCK_BYTES, MAX_COMMENTS_PER_PACKET, MAX_INTERFACES, PcapngParser } from './pcapng.js';
import { CaptureFormatError, type CaptureRecord } from './types.js';
import { PcapngWriter, parseIpAddress } from './writer.js';

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

function parse(bytes: Uint8Array, sizes: (i: number) => number = () => bytes.length || 1) {
  const records: Rec[] = [];
  const parser = new PcapngParser((r) => records.push(copy(r)));
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

/** Every block type: two sections (LE then BE), EPB/PB/SPB, comments, NRB, ISB, custom. */
function kitchenSink() {
  const w = new PcapngWriter();
  const at: Record<string, number> = {};
  w.section({ comment: 'first section' });
  const eth = w.addInterface({ linktype: 1, snaplen: 262144, name: 'eth0', description: 'uplink', tsResolution: 1e9 });
  const sll = w.addInterface({ linktype: 113, snaplen: 0 });
  at.epb1 = w.offset;
  w.packet(eth, 1_700_000_000, 1, payload(60, 1), { comments: ['plain', 'Ünïcödé ✓ 🚀'] });
  w.customBlock(0x00000bad, payload(13, 9));
  w.customBlock(0x40000bad, payload(8, 9));
  w.customBlock(0x0000000a, payload(20, 9)); // decryption secrets
  w.customBlock(0x12345678, new Uint8Array(0)); // unknown type
  at.epb2 = w.offset;
  w.packet(sll, 1_700_000_001, 999_999_000, payload(1514, 2), { origlen: 4000 });
  w.nameResolution([
    { address: '192.0.2.1', names: ['a.example', 'b.example'] },
    { address: '2001:db8::1', names: ['v6.example'] },
  ]);
  at.pb = w.offset;
  w.obsoletePacket(eth, 1_700_000_002, 5, payload(33, 3), { comments: ['old style'], dropsCount: 7 });
  w.interfaceStats(eth, { received: 1234, dropped: 5 });
  w.section({ bigEndian: true });
  const raw = w.addInterface({ linktype: 101, snaplen: 64, name: 'tun0' });
  at.spb = w.offset;
  w.simplePacket(payload(100, 4), 150);
  at.epb3 = w.offset;
  w.packet(raw, 1_600_000_000, 250_000_000, payload(3, 5));
  return { bytes: w.toBuffer(), at };
}

describe('PcapngParser', () => {
  describe('file with two sections and every block type', () => {
    const { bytes, at } = kitchenSink();

    it('yields the packets of EPB, PB and SPB with global interface ids, timestamps and comments', () => {
      const { records, error, parser } = parse(bytes);
      expect(error).toBeNull();
      expect(parser.records).toBe(5);
      expect(parser.consumed).toBe(bytes.length);
      expect(records.map(({ data, ...r }) => ({ ...r, n: data.length }))).toEqual([
        { recordOffset: at.epb1, dataOffset: at.epb1! + 28, caplen: 60, origlen: 60, tsSec: 1_700_000_000, tsNsec: 1, linktype: 1, interfaceId: 0, comments: ['plain', 'Ünïcödé ✓ 🚀'], n: 60 },
        { recordOffset: at.epb2, dataOffset: at.epb2! + 28, caplen: 1514, origlen: 4000, tsSec: 1_700_000_001, tsNsec: 999_999_000, linktype: 113, interfaceId: 1, comments: null, n: 1514 },
        { recordOffset: at.pb, dataOffset: at.pb! + 28, caplen: 33, origlen: 33, tsSec: 1_700_000_002, tsNsec: 5, linktype: 1, interfaceId: 0, comments: ['old style'], n: 33 },
        // SPB: no timestamp; caplen = min(origlen 150, snaplen 64, 100 bytes in the block)
        { recordOffset: at.spb, dataOffset: at.spb! + 12, caplen: 64, origlen: 150, tsSec: 0, tsNsec: 0, linktype: 101, interfaceId: 2, comments: null, n: 64 },
        { recordOffset: at.epb3, dataOffset: at.epb3! + 28, caplen: 3, origlen: 3, tsSec: 1_600_000_000, tsNsec: 250_000_000, linktype: 101, interfaceId: 2, comments: null, n: 3 },
      ]);
      expect(records[0]!.data).toEqual(Array.from(payload(60, 1)));
      expect(records[3]!.data).toEqual(Array.from(payload(100, 4).subarray(0, 64)));
    });

    it('describes the interfaces of both sections, with ISB statistics', () => {
      const { parser } = parse(bytes);
      expect(parser.header).toEqual({ format: 'pcapng', byteOrder: 'little', tsPrecision: null, versionMajor: 1, versionMinor: 0 });
      expect(parser.interfaces).toEqual([
        { id: 0, linktype: 1, snaplen: 262144, name: 'eth0', description: 'uplink', tsResolution: 1e9, tsOffsetSec: 0, stats: { received: 1234, dropped: 5 } },
        { id: 1, linktype: 113, snaplen: 0, name: null, description: null, tsResolution: 1e6, tsOffsetSec: 0, stats: null },
        { id: 2, linktype: 101, snaplen: 64, name: 'tun0', description: null, tsResolution: 1e6, tsOffsetSec: 0, stats: null },
      ]);
    });

    it('reads IPv4 and IPv6 name resolution records', () => {
      expect(parse(bytes).parser.names).toEqual([
        { address: '192.0.2.1', names: ['a.example', 'b.example'] },
        { address: '2001:db8::1', names: ['v6.example'] },
      ]);
    });

    it('gives the same result when split at every byte boundary', () => {
      const whole = parse(bytes);
      for (let k = 1; k < bytes.length; k++) {
        const split = parse(bytes, (i) => (i === 0 ? k : bytes.length));
        expect(split.error, `split at ${k}`).toBeNull();
        expect(split.records, `split at ${k}`).toEqual(whole.records);
        expect(split.parser.interfaces, `split at ${k}`).toEqual(whole.parser.interfaces);
        expect(split.parser.names, `split at ${k}`).toEqual(whole.parser.names);
      }
    });

    it('gives the same result fed one byte at a time and in random-size chunks', () => {
      const whole = parse(bytes);
      expect(parse(bytes, () => 1).records).toEqual(whole.records);
      const rnd = seeded(3);
      for (let t = 0; t < 20; t++) expect(parse(bytes, () => 1 + Math.floor(rnd() * 300)).records).toEqual(whole.records);
    });
  });

  it('big-endian SHB with one interface', () => {
    const w = new PcapngWriter({ bigEndian: true });
    const i = w.addInterface({ linktype: 1, name: 'en0' });
    w.packet(i, 1_500_000_000, 123_456_000, payload(42, 0), { comments: ['be'] });
    const bytes = w.toBuffer();
    expect(Array.from(bytes.subarray(8, 12))).toEqual([0x1a, 0x2b, 0x3c, 0x4d]);
    const { records, error, parser } = parse(bytes);
    expect(error).toBeNull();
    expect(parser.header?.byteOrder).toBe('big');
    expect(parser.interfaces[0]?.name).toBe('en0');
    expect(records[0]).toMatchObject({ tsSec: 1_500_000_000, tsNsec: 123_456_000, caplen: 42, comments: ['be'] });
  });

  it('round-trips: writing the parsed packets and interfaces again gives the same bytes', () => {
    const w = new PcapngWriter();
    const a = w.addInterface({ linktype: 1, snaplen: 1500, name: 'a', tsResolution: 1e9 });
    const b = w.addInterface({ linktype: 113, snaplen: 0, description: 'b', tsOffsetSec: 3600 });
    const rnd = seeded(11);
    for (let n = 0; n < 200; n++) {
      const id = n % 3 === 0 ? b : a;
      w.packet(id, 1_650_000_000 + n, id === a ? Math.floor(rnd() * 1e9) : Math.floor(rnd() * 1e6) * 1000, payload(Math.floor(rnd() * 300), n), {
        origlen: 300 + n,
        ...(n % 7 === 0 ? { comments: [`packet ${n}`] } : {}),
      });
    }
    const bytes = w.toBuffer();
    const { records, parser } = parse(bytes, () => 999);
    const again = new PcapngWriter();
    for (const f of parser.interfaces) {
      again.addInterface({
        linktype: f.linktype,
        snaplen: f.snaplen,
        ...(f.name !== null ? { name: f.name } : {}),
        ...(f.description !== null ? { description: f.description } : {}),
        tsResolution: f.tsResolution === 1e9 ? 1e9 : 1e6,
        tsOffsetSec: f.tsOffsetSec,
      });
    }
    for (const r of records) again.packet(r.interfaceId, r.tsSec, r.tsNsec, Uint8Array.from(r.data), { origlen: r.origlen, ...(r.comments ? { comments: r.comments } : {}) });
    expect(Buffer.compare(again.toBuffer(), bytes)).toBe(0);
  });

  it('packet data inside one chunk is a view of the chunk', () => {
    const { bytes } = kitchenSink();
    const chunk = new Uint8Array(bytes);
    let views = 0;
    const p = new PcapngParser((r) => {
      if (r.data.buffer === chunk.buffer) views++;
    });
    p.push(chunk);
    p.end();
    expect(views).toBe(5);
  });

  describe('timestamps', () => {
    function one(tsResolution: Parameters<PcapngWriter['addInterface']>[0]['tsResolution'], sec: number, nsec: number, tsOffsetSec = 0) {
      const w = new PcapngWriter();
      const i = w.addInterface({ linktype: 1, ...(tsResolution !== undefined ? { tsResolution } : {}), tsOffsetSec });
      w.packet(i, sec, nsec, payload(4, 0));
      const { records, error, parser } = parse(w.toBuffer());
      expect(error).toBeNull();
      return { rec: records[0]!, iface: parser.interfaces[0]!, bytes: w.toBuffer() };
    }

    it('default resolution (no if_tsresol) is microseconds', () => {
      const { rec, iface } = one(undefined, 1_700_000_000, 987_654_321);
      expect(iface.tsResolution).toBe(1e6);
      expect([rec.tsSec, rec.tsNsec]).toEqual([1_700_000_000, 987_654_000]);
    });

    it('if_tsresol 9 (10^-9) keeps nanoseconds of a 2^60-range timestamp exactly', () => {
      const { rec, iface } = one(1e9, 1_767_663_089, 500_330_493);
      expect(iface.tsResolution).toBe(1e9);
      expect([rec.tsSec, rec.tsNsec]).toEqual([1_767_663_089, 500_330_493]);
    });

    it('if_tsresol 0x94 (2^-20) converts the fraction to nanoseconds rounding down', () => {
      const { rec, iface, bytes } = one({ pow2: 20 }, 1_000, 500_000_000);
      expect(iface.tsResolution).toBe(2 ** 20);
      // 0.5 s = 524288 / 2^20 exactly.
      expect([rec.tsSec, rec.tsNsec]).toEqual([1_000, 500_000_000]);
      // 1 unit = 953.674316... ns: write raw units 1000 * 2^20 + 3 and expect floor(3e9 / 2^20).
      const b = new Uint8Array(bytes);
      const dv = new DataView(b.buffer);
      const epb = b.length - 32 - 4; // the EPB is last: 28 fixed + 4 data + 4 trailer
      const units = 1000 * 2 ** 20 + 3;
      dv.setUint32(epb + 12, Math.floor(units / 2 ** 32), true);
      dv.setUint32(epb + 16, units % 2 ** 32, true);
      expect(parse(b).records[0]).toMatchObject({ tsSec: 1000, tsNsec: Math.floor(3e9 / 2 ** 20) });
    });

    it('if_tsresol 0x9e (2^-30) near 2^64 units is exact without BigInt', () => {
      // units = (2^34 - 1) * 2^30 + (2^30 - 1): seconds 2^34-1, fraction (2^30-1)/2^30 s.
      const w = new PcapngWriter();
      w.addInterface({ linktype: 1, tsResolution: { pow2: 30 } });
      w.packet(0, 0, 0, payload(4, 0));
      const b = new Uint8Array(w.toBuffer());
      const dv = new DataView(b.buffer);
      const epb = b.length - 36;
      dv.setUint32(epb + 12, 0xffffffff, true);
      dv.setUint32(epb + 16, 0xffffffff, true);
      const rec = parse(b).records[0]!;
      expect(rec.tsSec).toBe(2 ** 34 - 1);
      expect(rec.tsNsec).toBe(Number(((2n ** 30n - 1n) * 1_000_000_000n) / 2n ** 30n));
    });

    it('if_tsresol 12 (10^-12, picoseconds) with if_tsoffset goes through the exact BigInt path', () => {
      // 10000.123456789 s after the offset = 10^16 + ... ps: above 2^53, below 2^64.
      const { rec, iface } = one({ pow10: 12 }, 1_700_000_000, 123_456_789, 1_699_990_000);
      expect(iface.tsResolution).toBe(1e12);
      expect([rec.tsSec, rec.tsNsec]).toEqual([1_700_000_000, 123_456_789]);
    });

    it('if_tsresol 3 (milliseconds)', () => {
      const { rec } = one({ pow10: 3 }, 1_700_000_000, 123_999_999);
      expect([rec.tsSec, rec.tsNsec]).toEqual([1_700_000_000, 123_000_000]);
    });

    it('if_tsoffset 1000000000 is added to every timestamp', () => {
      const { rec, iface } = one(1e6, 1_700_000_000, 1_000, 1_000_000_000);
      expect(iface.tsOffsetSec).toBe(1_000_000_000);
      expect([rec.tsSec, rec.tsNsec]).toEqual([1_700_000_000, 1_000]);
      // the stored units exclude the offset
      const { bytes } = one(1e6, 1_700_000_000, 0, 1_000_000_000);
      const dv = new DataView(bytes.buffer, bytes.byteOffset);
      const epb = bytes.length - 36;
      expect(dv.getUint32(epb + 12, true) * 2 ** 32 + dv.getUint32(epb + 16, true)).toBe(700_000_000 * 1e6);
    });

    it('usec timestamp 18446744073204126329 (near 2^64) is unsigned, as in Wireshark', () => {
      const { rec, bytes } = one(1e6, 18_446_744_073_204, 126_329_000);
      const dv = new DataView(bytes.buffer, bytes.byteOffset);
      const epb = bytes.length - 36;
      const units = (BigInt(dv.getUint32(epb + 12, true)) << 32n) | BigInt(dv.getUint32(epb + 16, true));
      expect(units).toBe(18446744073204126329n);
      expect([rec.tsSec, rec.tsNsec]).toEqual([18_446_744_073_204, 126_329_000]);
    });

    it('nsec timestamp 2^64-1 is 18446744073.709551615 s', () => {
      const w = new PcapngWriter();
      w.addInterface({ linktype: 1, tsResolution: 1e9 });
      w.packet(0, 0, 0, payload(4, 0));
      const b = new Uint8Array(w.toBuffer());
      const dv = new DataView(b.buffer);
      dv.setUint32(b.length - 36 + 12, 0xffffffff, true);
      dv.setUint32(b.length - 36 + 16, 0xffffffff, true);
      expect(parse(b).records[0]).toMatchObject({ tsSec: 18_446_744_073, tsNsec: 709_551_615 });
    });

    it('if_tsresol 20 (10^-20, beyond 64 bits): bad-block', () => {
      const w = new PcapngWriter();
      w.addInterface({ linktype: 1, tsResolution: { pow10: 20 } });
      expect(parse(w.toBuffer()).error).toMatchObject({ kind: 'bad-block', offset: 28 });
    });
  });

  describe('damage', () => {
    /** SHB, IDB, then 10 EPBs; returns the bytes and each EPB's offset. */
    function tenPackets() {
      const w = new PcapngWriter();
      w.addInterface({ linktype: 1 });
      const offsets: number[] = [];
      for (let n = 0; n < 10; n++) {
        offsets.push(w.offset);
        w.packet(0, 1_700_000_000 + n, 0, payload(100 + n, n), n === 3 ? { comments: ['c'] } : {});
      }
      return { bytes: w.toBuffer(), offsets };
    }

    it('EPB halfway with total length 3735928559: five packets, then bad-block-length naming offset and value', () => {
      const { bytes, offsets } = tenPackets();
      const b = new Uint8Array(bytes);
      new DataView(b.buffer).setUint32(offsets[5]! + 4, 0xdeadbeef, true);
      for (const sizes of [() => b.length, () => 1, () => 64]) {
        const { records, error } = parse(b, sizes);
        expect(records).toHaveLength(5);
        expect(error?.kind).toBe('bad-block-length');
        expect(error?.offset).toBe(offsets[5]);
        expect(error?.message).toBe(`pcapng: block at byte ${offsets[5]} has total length 3735928559, not a multiple of 4`);
      }
    });

    it('EPB with total length 0x7ffffffc (multiple of 4, past the 64 MiB cap) fails at once, without buffering', () => {
      const { bytes, offsets } = tenPackets();
      const b = new Uint8Array(bytes);
      new DataView(b.buffer).setUint32(offsets[2]! + 4, 0x7ffffffc, true);
      const parser = new PcapngParser(() => {});
      // The header alone is enough to reject it: no end(), no more data needed.
      expect(() => parser.push(b.subarray(0, offsets[2]! + 12))).toThrow(/total length 2147483644, more than the limit of 67108864 bytes/);
      expect(MAX_BLOCK_BYTES).toBe(64 * 1024 * 1024);
    });

    it('EPB with total length 8 (< 12): bad-block-length', () => {
      const { bytes, offsets } = tenPackets();
      const b = new Uint8Array(bytes);
      new DataView(b.buffer).setUint32(offsets[1]! + 4, 8, true);
      expect(parse(b).error).toMatchObject({ kind: 'bad-block-length', offset: offsets[1] });
    });

    it('EPB whose trailing length differs from the leading one: bad-block-length', () => {
      const { bytes, offsets } = tenPackets();
      const b = new Uint8Array(bytes);
      new DataView(b.buffer).setUint32(offsets[2]! - 4, 12345, true); // trailer of EPB 1
      const { records, error } = parse(b);
      expect(records).toHaveLength(1);
      expect(error).toMatchObject({ kind: 'bad-block-length', offset: offsets[1] });
      expect(error?.message).toContain('trailing length 12345');
    });

    it('EPB for interface 5 in a section with one interface: bad-block', () => {
      const { bytes, offsets } = tenPackets();
      const b = new Uint8Array(bytes);
      new DataView(b.buffer).setUint32(offsets[4]! + 8, 5, true);
      const { records, error } = parse(b);
      expect(records).toHaveLength(4);
      expect(error).toMatchObject({ kind: 'bad-block', offset: offsets[4] });
      expect(error?.message).toContain('interface 5');
    });

    it('EPB whose captured length runs past the block: bad-block', () => {
      const { bytes, offsets } = tenPackets();
      const b = new Uint8Array(bytes);
      new DataView(b.buffer).setUint32(offsets[0]! + 20, 200, true);
      expect(parse(b).error).toMatchObject({ kind: 'bad-block', offset: offsets[0] });
    });

    it('EPB with a comment option of length 60000: bad-block (option runs past the block)', () => {
      const { bytes, offsets } = tenPackets();
      const b = new Uint8Array(bytes);
      const opt = offsets[3]! + 28 + 104; // 103 data bytes padded to 104
      expect(new DataView(b.buffer).getUint16(opt, true)).toBe(1);
      new DataView(b.buffer).setUint16(opt + 2, 60000, true);
      const { records, error } = parse(b);
      expect(records).toHaveLength(3);
      expect(error).toMatchObject({ kind: 'bad-block', offset: offsets[3] });
    });

    it('SPB before any interface: bad-block', () => {
      const w = new PcapngWriter();
      w.section();
      w.simplePacket(payload(10, 0));
      expect(parse(w.toBuffer()).error).toMatchObject({ kind: 'bad-block', offset: 28 });
    });

    it.each([
      ['inside the block header', 6],
      ['inside the packet data', 40],
      ['one byte before the trailer ends', 100 + 32 - 1],
    ])('file cut %s of the 6th EPB: five packets, then truncated-record at its offset', (_n, into) => {
      const { bytes, offsets } = tenPackets();
      const cut = bytes.subarray(0, offsets[5]! + into);
      for (const sizes of [() => cut.length, () => 1, () => 50]) {
        const { records, error } = parse(cut, sizes);
        expect(records).toHaveLength(5);
        expect(error).toMatchObject({ kind: 'truncated-record', offset: offsets[5] });
      }
    });

    it('file cut inside the section header: truncated-header', () => {
      const { bytes } = tenPackets();
      expect(parse(bytes.subarray(0, 20)).error).toMatchObject({ kind: 'truncated-header', offset: 0 });
      expect(parse(bytes.subarray(0, 3)).error).toMatchObject({ kind: 'truncated-header', offset: 0 });
    });

    it('empty input: empty', () => {
      expect(parse(new Uint8Array(0)).error).toMatchObject({ kind: 'empty', offset: 0 });
    });

    it('classic pcap bytes: unknown-magic naming the bytes', () => {
      const b = Uint8Array.of(0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0);
      const { error } = parse(b);
      expect(error?.kind).toBe('unknown-magic');
      expect(error?.message).toContain('d4 c3 b2 a1');
    });

    it('SHB type with byte-order magic 11 22 33 44: unknown-magic', () => {
      const { bytes } = tenPackets();
      const b = new Uint8Array(bytes);
      b.set([0x11, 0x22, 0x33, 0x44], 8);
      expect(parse(b).error?.kind).toBe('unknown-magic');
    });

    it('SHB version 2.0: unsupported-version', () => {
      const { bytes } = tenPackets();
      const b = new Uint8Array(bytes);
      new DataView(b.buffer).setUint16(12, 2, true);
      expect(parse(b).error).toMatchObject({ kind: 'unsupported-version', offset: 0 });
    });

    it('SHB version 1.2 is read like 1.0', () => {
      const { bytes } = tenPackets();
      const b = new Uint8Array(bytes);
      new DataView(b.buffer).setUint16(14, 2, true);
      const { records, error, parser } = parse(b);
      expect(error).toBeNull();
      expect(records).toHaveLength(10);
      expect(parser.header?.versionMinor).toBe(2);
    });
  });

  it('EPB with 1005 comments keeps the first MAX_COMMENTS_PER_PACKET', () => {
    const w = new PcapngWriter();
    w.addInterface({ linktype: 1 });
    w.packet(0, 1, 0, payload(4, 0), { comments: Array.from({ length: 1005 }, (_, i) => `c${i}`) });
    const { records, error } = parse(w.toBuffer());
    expect(error).toBeNull();
    expect(records[0]!.comments).toHaveLength(MAX_COMMENTS_PER_PACKET);
    expect(records[0]!.comments![999]).toBe('c999');
  });

  it('file with MAX_INTERFACES + 1 interface descriptions: bad-block at the last one', () => {
    const w = new PcapngWriter();
    let at = 0;
    for (let i = 0; i <= MAX_INTERFACES; i++) {
      at = w.offset;
      w.addInterface({ linktype: 1 });
    }
    const { error, parser } = parse(w.toBuffer());
    expect(error).toMatchObject({ kind: 'bad-block', offset: at });
    expect(parser.interfaces).toHaveLength(MAX_INTERFACES);
  });

  it('SHB-only file has no records and no error', () => {
    const w = new PcapngWriter();
    w.section({ comment: 'nothing here' });
    const { records, error, parser } = parse(w.toBuffer());
    expect(error).toBeNull();
    expect(records).toEqual([]);
    expect(parser.header?.format).toBe('pcapng');
  });

  it('formatIPv6 writes RFC 5952 text and parseIpAddress reads it back', () => {
    for (const text of ['::', '::1', '2001:db8::1', 'fe80::1:2:3:4', '2001:db8:0:1:1:1:1:1', '1::', '2001:0:0:1::1', 'ff02::1:ff00:0']) {
      expect(formatIPv6(parseIpAddress(text), 0)).toBe(text);
    }
    expect(formatIPv6(parseIpAddress('2001:DB8:0000:0000:0000:0000:0000:0001'), 0)).toBe('2001:db8::1');
    expect(formatIPv6(parseIpAddress('::ffff:192.0.2.1'), 0)).toBe('::ffff:c000:201');
  });
});

describe('PcapngParser on mutated and truncated files (fast-check)', () => {
  const base = (() => {
    const { bytes } = kitchenSink();
    return bytes;
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
        const parser = new PcapngParser((r) => {
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
