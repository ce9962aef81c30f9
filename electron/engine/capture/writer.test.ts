import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { PcapngWriter, PcapWriter, parseIpAddress } from './writer.js';

const dir = mkdtempSync(join(tmpdir(), 'th-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function payload(n: number, salt: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + salt) & 0xff;
  return b;
}

describe('PcapWriter', () => {
  it('usec little-endian file with one 3-byte record, byte for byte', () => {
    const w = new PcapWriter({ snaplen: 65535 });
    w.packet(1, 2_999, Uint8Array.of(0xaa, 0xbb, 0xcc));
    // d4c3b2a1 0200 0400 | thiszone 0 | sigfigs 0 | snaplen 65535 | linktype 1
    // ts 1 s, 2 us (2999 ns truncated) | caplen 3 | origlen 3 | aa bb cc
    expect(hex(w.toBuffer())).toBe(
      'd4c3b2a1' + '02000400' + '00000000' + '00000000' + 'ffff0000' + '01000000' + '01000000' + '02000000' + '03000000' + '03000000' + 'aabbcc',
    );
  });

  it('nsec big-endian file with one record of origlen 1500, byte for byte', () => {
    const w = new PcapWriter({ nsec: true, bigEndian: true, linktype: 113, snaplen: 262144 });
    w.packet(0x01020304, 999_999_999, Uint8Array.of(1), { origlen: 1500 });
    expect(hex(w.toBuffer())).toBe('a1b23c4d' + '00020004' + '00000000' + '00000000' + '00040000' + '00000071' + '01020304' + '3b9ac9ff' + '00000001' + '000005dc' + '01');
  });

  it('offset is the position of the next record', () => {
    const w = new PcapWriter();
    expect(w.offset).toBe(24);
    w.packet(1, 0, payload(10, 0));
    expect(w.offset).toBe(24 + 16 + 10);
  });

  it('tsSec 2^32 does not fit the 32-bit field: RangeError', () => {
    expect(() => new PcapWriter().packet(2 ** 32, 0, payload(1, 0))).toThrow(RangeError);
  });

  it('file output equals memory output for 3000 records across batch boundaries and a 700 KB record', () => {
    const path = join(dir, 'a.pcap');
    const mem = new PcapWriter({ nsec: true });
    const file = new PcapWriter({ nsec: true, path });
    for (let i = 0; i < 3000; i++) {
      const d = payload((i * 977) % 3000, i);
      mem.packet(1_700_000_000 + i, i, d);
      file.packet(1_700_000_000 + i, i, d);
      if (i === 1500) {
        const big = payload(700_000, 1);
        mem.packet(1, 1, big);
        file.packet(1, 1, big);
      }
    }
    expect(file.offset).toBe(mem.offset);
    file.close();
    expect(Buffer.compare(readFileSync(path), mem.toBuffer())).toBe(0);
  });

  it('file writer: toBuffer() throws, writing after close() throws, close() twice is harmless', () => {
    const w = new PcapWriter({ path: join(dir, 'b.pcap') });
    expect(() => w.toBuffer()).toThrow(/memory output/);
    w.close();
    w.close();
    expect(() => w.packet(1, 0, payload(1, 0))).toThrow(/closed/);
    expect(readFileSync(join(dir, 'b.pcap')).length).toBe(24);
  });

  it('writes 64 MiB of 1514-byte records to a file in well under 10 s (no per-packet syscalls)', () => {
    const path = join(dir, 'speed.pcap');
    const w = new PcapWriter({ path });
    const d = payload(1514, 0);
    const t = performance.now();
    while (w.offset < 64 * 1024 * 1024) w.packet(1_700_000_000, 0, d);
    w.close();
    expect(performance.now() - t).toBeLessThan(10_000);
    rmSync(path);
  });
});

describe('PcapngWriter', () => {
  const SHB = '0a0d0d0a' + '1c000000' + '4d3c2b1a' + '0100' + '0000' + 'ffffffffffffffff' + '1c000000';
  const IDB = '01000000' + '14000000' + '0100' + '0000' + '00000400' + '14000000';

  it('SHB, IDB and a 3-byte EPB, little-endian, byte for byte', () => {
    const w = new PcapngWriter();
    w.section();
    const i = w.addInterface({ linktype: 1 });
    w.packet(i, 1, 2_000, Uint8Array.of(0xaa, 0xbb, 0xcc));
    // EPB: type 6, length 36, iface 0, ts high 0, ts low 1000002 us, caplen 3, origlen 3, data + 1 pad, length
    const epb = '06000000' + '24000000' + '00000000' + '00000000' + '42420f00' + '03000000' + '03000000' + 'aabbcc00' + '24000000';
    expect(hex(w.toBuffer())).toBe(SHB + IDB + epb);
  });

  it('EPB with comment "hi": opt_comment, padding and opt_endofopt', () => {
    const w = new PcapngWriter();
    w.addInterface({ linktype: 1 });
    const at = w.offset;
    w.packet(0, 0, 0, new Uint8Array(0), { comments: ['hi'] });
    const epb = hex(w.toBuffer().subarray(at));
    expect(epb).toBe('06000000' + '2c000000' + '00000000' + '00000000' + '00000000' + '00000000' + '00000000' + '0100' + '0200' + '68690000' + '00000000' + '2c000000');
  });

  it('big-endian SHB and IDB with if_name "en0" and if_tsresol 9', () => {
    const w = new PcapngWriter({ bigEndian: true });
    w.addInterface({ linktype: 1, snaplen: 65535, name: 'en0', tsResolution: 1e9 });
    const b = w.toBuffer();
    expect(hex(b.subarray(0, 12))).toBe('0a0d0d0a' + '0000001c' + '1a2b3c4d');
    // IDB: 20 fixed + if_name (4 + 4) + if_tsresol (4 + 4) + endofopt 4 = 40
    expect(hex(b.subarray(28))).toBe('00000001' + '00000028' + '0001' + '0000' + '0000ffff' + '0002' + '0003' + '656e3000' + '0009' + '0001' + '09000000' + '00000000' + '00000028');
  });

  it('name resolution block with one IPv4 record, byte for byte', () => {
    const w = new PcapngWriter();
    w.section();
    const at = w.offset;
    w.nameResolution([{ address: '192.0.2.1', names: ['a'] }]);
    expect(hex(w.toBuffer().subarray(at))).toBe('04000000' + '1c000000' + '0100' + '0600' + 'c0000201' + '61000000' + '0000' + '0000' + '1c000000');
  });

  it('custom block 0x40000bad with a 5-byte body is padded to 4', () => {
    const w = new PcapngWriter();
    w.section();
    const at = w.offset;
    w.customBlock(0x40000bad, Uint8Array.of(1, 2, 3, 4, 5));
    expect(hex(w.toBuffer().subarray(at))).toBe('ad0b0040' + '14000000' + '0102030405000000' + '14000000');
  });

  it('timestamps in picoseconds past 2^64, before if_tsoffset, or on a missing interface: RangeError', () => {
    const w = new PcapngWriter();
    const ps = w.addInterface({ linktype: 1, tsResolution: { pow10: 12 } });
    const off = w.addInterface({ linktype: 1, tsOffsetSec: 1000 });
    expect(() => w.packet(ps, 1_700_000_000, 0, payload(1, 0))).toThrow(/64 bits/);
    expect(() => w.packet(off, 999, 0, payload(1, 0))).toThrow(/if_tsoffset/);
    expect(() => w.packet(7, 1, 0, payload(1, 0))).toThrow(/no interface 7/);
  });

  it('a new section forgets the interfaces of the previous one', () => {
    const w = new PcapngWriter();
    w.addInterface({ linktype: 1 });
    w.addInterface({ linktype: 1 });
    w.section();
    expect(() => w.packet(1, 0, 0, payload(1, 0))).toThrow(/no interface 1/);
    expect(w.addInterface({ linktype: 113 })).toBe(0);
  });

  it('file output equals memory output for 2000 packets with comments and a 600 KB packet', () => {
    const path = join(dir, 'a.pcapng');
    const mem = new PcapngWriter();
    const file = new PcapngWriter({ path });
    for (const w of [mem, file]) {
      w.section({ comment: 'section' });
      w.addInterface({ linktype: 1, name: 'eth0', tsResolution: 1e9 });
      for (let i = 0; i < 2000; i++) {
        w.packet(0, 1_700_000_000 + i, i * 1000, payload((i * 613) % 2000, i), i % 10 === 0 ? { comments: [`#${i}`] } : {});
        if (i === 1000) w.packet(0, 1, 1, payload(600_000, 3));
      }
      w.simplePacket(payload(10, 0));
      w.interfaceStats(0, { received: 2001, dropped: 0 });
    }
    file.close();
    expect(Buffer.compare(readFileSync(path), mem.toBuffer())).toBe(0);
  });
});

describe('parseIpAddress', () => {
  it.each([
    ['192.0.2.1', 'c0000201'],
    ['::', '00000000000000000000000000000000'],
    ['2001:db8::1', '20010db8000000000000000000000001'],
    ['::ffff:192.0.2.1', '00000000000000000000ffffc0000201'],
    ['1:2:3:4:5:6:7:8', '00010002000300040005000600070008'],
  ])('%s', (text, bytes) => {
    expect(hex(parseIpAddress(text))).toBe(bytes);
  });

  it.each(['256.0.0.1', '1.2.3', '1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', 'x'])('rejects %s', (text) => {
    expect(() => parseIpAddress(text)).toThrow(RangeError);
  });
});
