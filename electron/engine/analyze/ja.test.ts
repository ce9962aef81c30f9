import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isGrease, ja3, ja3s, ja4, ja4Parts, type ClientHelloSummary } from './ja.js';

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
const sha12 = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 12);
const te = new TextEncoder();

/** The ClientHello of FoxIO's JA4 technical-details example (Chrome): JA4 = t13d1516h2_8daaf6152771_e5627efa2ab1. */
const SPEC_EXAMPLE: ClientHelloSummary = {
  version: 0x0303,
  ciphers: [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035],
  extensions: [0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015],
  groups: [0x001d, 0x0017, 0x0018],
  pointFormats: [0],
  sigAlgs: [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601],
  supportedVersions: [0x0304, 0x0303],
  alpnFirst: te.encode('h2'),
};

describe('isGrease (RFC 8701 §2)', () => {
  it('accepts the 16 GREASE values only', () => {
    const grease = [];
    for (let v = 0; v < 0x10000; v++) if (isGrease(v)) grease.push(v);
    expect(grease).toEqual([0x0a0a, 0x1a1a, 0x2a2a, 0x3a3a, 0x4a4a, 0x5a5a, 0x6a6a, 0x7a7a, 0x8a8a, 0x9a9a, 0xaaaa, 0xbaba, 0xcaca, 0xdada, 0xeaea, 0xfafa]);
  });
});

describe('JA3 / JA3S (Salesforce definition)', () => {
  it('joins the five fields with GREASE removed, then md5', () => {
    const ch: ClientHelloSummary = {
      version: 771,
      ciphers: [0x0a0a, 0x1301, 0xc02b],
      extensions: [0x1a1a, 0, 10, 11, 13, 43],
      groups: [0x2a2a, 29, 23],
      pointFormats: [0],
      sigAlgs: [0x0403],
      supportedVersions: [0x3a3a, 0x0304],
      alpnFirst: null,
    };
    const full = '771,4865-49195,0-10-11-13-43,29-23,0';
    expect(ja3(ch)).toEqual({ full, hash: md5(full) });
  });

  it('leaves empty lists empty', () => {
    const ch: ClientHelloSummary = { version: 769, ciphers: [5], extensions: [], groups: [], pointFormats: [], sigAlgs: [], supportedVersions: [], alpnFirst: null };
    expect(ja3(ch).full).toBe('769,5,,,');
  });

  it('JA3S is version,cipher,extensions (the google.de ServerHello of the corpus)', () => {
    const r = ja3s({ version: 771, cipher: 49199, extensions: [0, 65281, 11, 35, 30032, 16] });
    expect(r.full).toBe('771,49199,0-65281-11-35-30032-16');
    expect(r.hash).toBe('9f5e2e0d84076af5475bbe44debdb03e');
  });
});

describe('JA4 (FoxIO technical details)', () => {
  it('reproduces the specification example', () => {
    const p = ja4Parts(SPEC_EXAMPLE, 't');
    expect(p.a).toBe('t13d1516h2');
    expect(p.bRaw).toBe('002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9');
    expect(p.cRaw).toBe('0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,0501,0806,0601');
    expect(ja4(SPEC_EXAMPLE, 't')).toBe('t13d1516h2_8daaf6152771_e5627efa2ab1');
    expect(ja4(SPEC_EXAMPLE, 'q')).toBe('q13d1516h2_8daaf6152771_e5627efa2ab1');
  });

  it('uses the legacy version without supported_versions, i without SNI, 00 without ALPN', () => {
    const ch: ClientHelloSummary = { ...SPEC_EXAMPLE, supportedVersions: [], extensions: [0x000d], alpnFirst: null, version: 0x0302 };
    expect(ja4(ch, 't').slice(0, 10)).toBe('t11i150100');
  });

  it('drops GREASE from counts and hashes', () => {
    const ch: ClientHelloSummary = {
      ...SPEC_EXAMPLE,
      ciphers: [0x0a0a, ...SPEC_EXAMPLE.ciphers],
      extensions: [0x1a1a, ...SPEC_EXAMPLE.extensions, 0x2a2a],
      supportedVersions: [0x3a3a, 0x0304],
    };
    expect(ja4(ch, 't')).toBe('t13d1516h2_8daaf6152771_e5627efa2ab1');
  });

  it('takes hex digits when the ALPN value starts or ends with a non-alphanumeric byte', () => {
    expect(ja4({ ...SPEC_EXAMPLE, alpnFirst: te.encode('http/1.1') }, 't').slice(8, 10)).toBe('h1');
    expect(ja4({ ...SPEC_EXAMPLE, alpnFirst: Uint8Array.of(0xab, 0x41, 0xcd) }, 't').slice(8, 10)).toBe('ad');
    expect(ja4({ ...SPEC_EXAMPLE, alpnFirst: new Uint8Array(0) }, 't').slice(8, 10)).toBe('00');
  });

  it('ends the extension string without "_" when there are no signature algorithms, and zero-hashes empty lists', () => {
    const ch: ClientHelloSummary = { ...SPEC_EXAMPLE, sigAlgs: [] };
    expect(ja4(ch, 't').split('_')[2]).toBe(sha12('0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01'));
    const bare: ClientHelloSummary = { ...SPEC_EXAMPLE, ciphers: [], extensions: [], supportedVersions: [], version: 0x0300, alpnFirst: null };
    expect(ja4(bare, 't')).toBe('ts3i000000_000000000000_000000000000');
  });

  it('caps the counts at 99', () => {
    const ch: ClientHelloSummary = { ...SPEC_EXAMPLE, ciphers: Array.from({ length: 150 }, (_, i) => i + 1) };
    expect(ja4(ch, 't').slice(4, 6)).toBe('99');
  });
});
