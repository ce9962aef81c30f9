/**
 * TLS fingerprints: JA3 / JA3S (Salesforce, 2017: the fields of the ClientHello / ServerHello
 * as decimal lists, md5'd) and JA4 (FoxIO's JA4 technical details: `JA4_a_JA4_b_JA4_c`).
 *
 * GREASE values (RFC 8701 §2: 0x?A?A with both bytes equal) are dropped everywhere, as both
 * definitions and Wireshark 4.0's tls.handshake.ja3 require.
 *
 * JA3      = SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats
 *            (each list '-'-joined, in wire order; version = the ClientHello's legacy version)
 * JA3S     = SSLVersion,Cipher,Extensions
 * JA4_a    = proto (t|q|d) + version (13,12,11,10,s3,s2,d1,d2,d3, else 00; the highest
 *            supported_versions value when present) + (d: SNI present | i) + cipher count
 *            (2 digits, ≤ 99) + extension count (2 digits, ≤ 99, SNI and ALPN included) +
 *            first and last character of the first ALPN value ('00' without ALPN; the hex
 *            digits of the value when either end is not alphanumeric)
 * JA4_b    = sha256(sorted 4-hex cipher list, ',') truncated to 12 hex ('000000000000' if none)
 * JA4_c    = sha256(sorted 4-hex extensions without SNI 0000 and ALPN 0010, ',' + '_' +
 *            signature algorithms in wire order, ',') truncated to 12; the '_' part is left
 *            out when there are no signature algorithms; '000000000000' without extensions.
 */

import { createHash } from 'node:crypto';

/** RFC 8701 §2: GREASE code points are 0x0A0A, 0x1A1A, ... 0xFAFA. */
export function isGrease(v: number): boolean {
  return (v & 0x0f0f) === 0x0a0a && v >> 8 === (v & 0xff);
}

/** What the fingerprints read from a ClientHello. */
export interface ClientHelloSummary {
  /** Legacy handshake version (ClientHello.legacy_version). */
  version: number;
  ciphers: readonly number[];
  /** Extension types in wire order. */
  extensions: readonly number[];
  /** supported_groups (formerly elliptic_curves). */
  groups: readonly number[];
  pointFormats: readonly number[];
  /** signature_algorithms in wire order. */
  sigAlgs: readonly number[];
  supportedVersions: readonly number[];
  /** Raw bytes of the first ALPN protocol name, or null without an ALPN extension. */
  alpnFirst: Uint8Array | null;
}

export interface ServerHelloSummary {
  version: number;
  cipher: number;
  extensions: readonly number[];
}

const noGrease = (l: readonly number[]): number[] => l.filter((v) => !isGrease(v));

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

export function ja3Full(ch: ClientHelloSummary): string {
  return [
    String(ch.version),
    noGrease(ch.ciphers).join('-'),
    noGrease(ch.extensions).join('-'),
    noGrease(ch.groups).join('-'),
    ch.pointFormats.join('-'),
  ].join(',');
}

export function ja3(ch: ClientHelloSummary): { full: string; hash: string } {
  const full = ja3Full(ch);
  return { full, hash: md5(full) };
}

export function ja3s(sh: ServerHelloSummary): { full: string; hash: string } {
  const full = [String(sh.version), String(sh.cipher), noGrease(sh.extensions).join('-')].join(',');
  return { full, hash: md5(full) };
}

const VERSION_CODES: ReadonlyMap<number, string> = new Map([
  [0x0304, '13'],
  [0x0303, '12'],
  [0x0302, '11'],
  [0x0301, '10'],
  [0x0300, 's3'],
  [0x0002, 's2'],
  [0xfeff, 'd1'],
  [0xfefd, 'd2'],
  [0xfefc, 'd3'],
]);

const hex4 = (v: number): string => v.toString(16).padStart(4, '0');
const sha12 = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 12);
const two = (n: number): string => String(Math.min(n, 99)).padStart(2, '0');

function isAlnum(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
}

function alpnCode(v: Uint8Array | null): string {
  if (v === null || v.length === 0) return '00';
  const first = v[0]!;
  const last = v[v.length - 1]!;
  if (isAlnum(first) && isAlnum(last)) return String.fromCharCode(first, last);
  const h = Buffer.from(v).toString('hex');
  return h[0]! + h[h.length - 1]!;
}

/** The JA4 raw parts (JA4_r style, unhashed) and the fingerprint. */
export function ja4Parts(ch: ClientHelloSummary, proto: 't' | 'q' | 'd'): { a: string; bRaw: string; cRaw: string } {
  const versions = noGrease(ch.supportedVersions);
  const version = versions.length > 0 ? Math.max(...versions) : ch.version;
  const ciphers = noGrease(ch.ciphers);
  const exts = noGrease(ch.extensions);
  const sni = exts.includes(0) ? 'd' : 'i';
  const a = `${proto}${VERSION_CODES.get(version) ?? '00'}${sni}${two(ciphers.length)}${two(exts.length)}${alpnCode(ch.alpnFirst)}`;
  const bRaw = ciphers.map(hex4).sort().join(',');
  const extList = exts.filter((e) => e !== 0x0000 && e !== 0x0010).map(hex4).sort().join(',');
  const sigs = noGrease(ch.sigAlgs).map(hex4).join(',');
  const cRaw = sigs.length > 0 ? `${extList}_${sigs}` : extList;
  return { a, bRaw, cRaw };
}

export function ja4(ch: ClientHelloSummary, proto: 't' | 'q' | 'd'): string {
  const { a, bRaw, cRaw } = ja4Parts(ch, proto);
  const exts = noGrease(ch.extensions);
  const b = bRaw.length > 0 ? sha12(bRaw) : '000000000000';
  const c = exts.length > 0 ? sha12(cRaw) : '000000000000';
  return `${a}_${b}_${c}`;
}
