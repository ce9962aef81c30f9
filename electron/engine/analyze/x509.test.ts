import { X509Certificate, createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { tmpDir } from '../../../test/support/shared.js';
import { MAX_DER_DEPTH, derWellFormed, oidText, parseCertificate, readTlv } from './x509.js';

describe('readTlv (X.690 §8.1.3 lengths)', () => {
  it('reads short and long form lengths', () => {
    // 30 03 02 01 05  — SEQUENCE { INTEGER 5 }
    expect(readTlv(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x05), 0, 5)).toEqual({ tag: 0x30, start: 2, end: 5 });
    // 04 81 02 aa bb  — OCTET STRING, long form length 2
    expect(readTlv(Uint8Array.of(0x04, 0x81, 0x02, 0xaa, 0xbb), 0, 5)).toEqual({ tag: 0x04, start: 3, end: 5 });
  });

  it('rejects indefinite lengths, lengths past the end, over-wide lengths and multi-byte tags', () => {
    expect(readTlv(Uint8Array.of(0x30, 0x80, 0, 0), 0, 4)).toBeNull();
    expect(readTlv(Uint8Array.of(0x30, 0x05, 0x02, 0x01), 0, 4)).toBeNull();
    expect(readTlv(Uint8Array.of(0x30, 0x85, 1, 0, 0, 0, 0), 0, 7)).toBeNull();
    expect(readTlv(Uint8Array.of(0x30, 0x84, 0xff, 0xff, 0xff, 0xff), 0, 6)).toBeNull();
    expect(readTlv(Uint8Array.of(0x1f, 0x81, 0x01, 0x00), 0, 4)).toBeNull();
    expect(readTlv(Uint8Array.of(0x30), 0, 1)).toBeNull();
  });

  it('caps nesting depth', () => {
    let b: Uint8Array = Uint8Array.of(0x05, 0x00);
    for (let i = 0; i <= MAX_DER_DEPTH + 1; i++) b = Uint8Array.from([0x30, b.length, ...b]);
    expect(derWellFormed(b)).toBe(false);
  });
});

describe('oidText (X.690 §8.19)', () => {
  it('decodes arcs', () => {
    expect(oidText(Uint8Array.of(0x55, 0x04, 0x03), 0, 3)).toBe('2.5.4.3');
    expect(oidText(Uint8Array.of(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01), 0, 9)).toBe('1.2.840.113549.1.9.1');
    expect(oidText(Uint8Array.of(0x2a, 0x86), 0, 2)).toBe('');
  });
});

const hasOpenssl = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!hasOpenssl)('parseCertificate on openssl-generated certificates', () => {
  const tmp = tmpDir('th-x509-');
  afterAll(() => tmp.cleanup());
  function make(name: string, args: string[]): Uint8Array {
    const out = join(tmp.dir, `${name}.der`);
    const r = spawnSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(tmp.dir, `${name}.key`),
      '-outform', 'DER', '-out', out, ...args,
    ]);
    if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr.toString()}`);
    return new Uint8Array(readFileSync(out));
  }

  it('matches node:crypto X509Certificate and prints names as Wireshark does', () => {
    const der = make('a', ['-subj', '/C=DE/L=Berlin/O=Example GmbH/OU=Ops/CN=a.example', '-addext', 'subjectAltName=DNS:a.example,IP:10.1.2.3,DNS:*.a.example', '-days', '10']);
    const x = new X509Certificate(der);
    const r = parseCertificate(der);
    if (!r.ok) throw new Error(r.reason);
    const c = r.cert;
    // node may drop the INTEGER's leading 00 sign octet; Wireshark (and we) keep the content octets.
    expect(c.serial.replace(/^00/, '')).toBe(x.serialNumber.toLowerCase().replace(/^00/, ''));
    expect(c.sha1).toBe(x.fingerprint.replaceAll(':', '').toLowerCase());
    expect(c.sha256).toBe(createHash('sha256').update(der).digest('hex'));
    expect(c.subject).toBe('id-at-commonName=a.example,id-at-organizationalUnitName=Ops,id-at-organizationName=Example GmbH,id-at-localityName=Berlin,id-at-countryName=DE');
    expect(c.issuer).toBe(c.subject);
    expect(c.dnsNames).toEqual(['a.example', '*.a.example']);
    expect(Date.parse(c.notBefore)).toBe(Date.parse(x.validFrom));
    expect(Date.parse(c.notAfter)).toBe(Date.parse(x.validTo));
    const names = c.fields.map(([n]) => n);
    expect(names.slice(0, 5)).toEqual(['x509af.version', 'x509af.serialNumber', 'x509af.issuer', 'x509if.rdnSequence', 'x509if.RDNSequence_item']);
    expect(c.fields).toContainEqual(['x509sat.CountryName', 'DE']);
    expect(c.fields).toContainEqual(['x509sat.uTF8String', 'Example GmbH']);
    expect(c.fields.filter(([n]) => n === 'x509af.utcTime')).toHaveLength(2);
    expect(names.indexOf('x509af.subject')).toBeGreaterThan(names.indexOf('x509af.notAfter'));
  });

  it('reads GeneralizedTime validity past 2049 (RFC 5280 §4.1.2.5)', () => {
    const der = make('b', ['-subj', '/CN=far', '-days', '36500']);
    const r = parseCertificate(der);
    if (!r.ok) throw new Error(r.reason);
    expect(Number(r.cert.notAfter.slice(0, 4))).toBeGreaterThan(2049);
    expect(r.cert.fields).toContainEqual(['x509af.notAfter', 1]);
  });

  it('truncated and mutated certificates never throw (fast-check)', () => {
    const der = make('c', ['-subj', '/CN=fuzz', '-addext', 'subjectAltName=DNS:fuzz.example']);
    fc.assert(
      fc.property(fc.nat(der.length), fc.array(fc.tuple(fc.nat(der.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), (cut, muts) => {
        const b = der.slice(0, cut);
        for (const [i, v] of muts) if (i < b.length) b[i] = v;
        const r = parseCertificate(b);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseCertificate on garbage', () => {
  it('reports a reason and still hashes', () => {
    const r = parseCertificate(Uint8Array.of(0x30, 0x80, 0x00, 0x00));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.sha1).toHaveLength(40);
  });
});
