/**
 * A minimal DER / X.509 certificate reader: enough to name a certificate the way Wireshark
 * does (subject, issuer, serial, validity, subjectAltName dNSNames) and to emit its
 * x509af / x509if / x509sat / x509ce fields.
 *
 * Specs: ITU-T X.690 §8.1 (BER/DER tag-length-value: identifier octets §8.1.2, length
 * octets §8.1.3; DER forbids the indefinite form, §10.1), RFC 5280 §4.1 (Certificate,
 * TBSCertificate, Name, Validity: UTCTime §4.1.2.5.1 with the 1950–2049 window,
 * GeneralizedTime §4.1.2.5.2) and §4.2.1.6 (subjectAltName: dNSName is [2] IA5String).
 * Attribute names follow Wireshark's OID names (id-at-commonName, ...) and its DirectoryString
 * CHOICE numbering (X.520: teletexString 0, printableString 1, universalString 2,
 * bmpString 3, uTF8String 4).
 *
 *   Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }
 *   TBSCertificate ::= SEQUENCE { [0] version OPTIONAL, serialNumber INTEGER, signature,
 *       issuer Name, validity SEQUENCE { notBefore Time, notAfter Time }, subject Name,
 *       subjectPublicKeyInfo, [1] [2] unique ids OPTIONAL, [3] extensions OPTIONAL }
 *
 * Every length is hostile: indefinite lengths, lengths past the enclosing element and
 * long-form lengths wider than 4 octets are rejected; nesting, RDN and extension counts
 * are capped. The reader never throws: a certificate it cannot read yields null and a
 * reason.
 */

import { createHash } from 'node:crypto';
import type { AppValue } from './types.js';

/**
 * Largest certificate parsed (64 KiB). Real certificates are 1–4 KiB; a few with huge SAN
 * lists reach ~30 KiB. The TLS Certificate message can carry 2^24 bytes, so bigger ones are
 * hashed but not parsed.
 */
export const MAX_CERT_BYTES = 64 * 1024;
/** DER nesting depth walked. A certificate's deepest path (extensions → SAN → names) is < 10. */
export const MAX_DER_DEPTH = 16;
/** RDNs per Name (real names have ≤ 10; the cap bounds the subject string). */
export const MAX_RDNS = 32;
/** Attribute values per RDN (multi-valued RDNs are rare and small). */
export const MAX_AVAS_PER_RDN = 8;
/** Extensions walked (real certificates carry ≤ 15). */
export const MAX_EXTENSIONS = 64;
/** subjectAltName dNSNames kept (CDN certificates carry up to a few hundred; 1000 bounds the record). */
export const MAX_DNS_NAMES = 1000;
/** Characters kept of one attribute value or dNSName (the DirectoryString upper bound in X.520 is 32768). */
export const MAX_STRING = 1024;

/** One DER element: tag byte, where its contents are, and where the next sibling starts. */
export interface Tlv {
  tag: number;
  /** Offset of the first content byte. */
  start: number;
  /** One past the last content byte. */
  end: number;
}

/**
 * Reads the TLV at `pos` that must end by `limit`; null when it does not fit, uses the
 * indefinite form, a multi-byte tag (X.690 §8.1.2.4, unused by X.509) or a length over 2^32.
 */
export function readTlv(buf: Uint8Array, pos: number, limit: number): Tlv | null {
  if (limit > buf.length) limit = buf.length;
  if (pos + 2 > limit) return null;
  const tag = buf[pos]!;
  if ((tag & 0x1f) === 0x1f) return null;
  let len = buf[pos + 1]!;
  let p = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    // n = 0 is the indefinite form (forbidden in DER); more than 4 octets cannot fit a capture.
    if (n === 0 || n > 4 || p + n > limit) return null;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p + i]!;
    p += n;
  }
  if (len > limit - p) return null;
  return { tag, start: p, end: p + len };
}

/** The TLVs directly inside [start, end), at most `cap`; null when one does not parse. */
function children(buf: Uint8Array, start: number, end: number, cap: number): Tlv[] | null {
  const out: Tlv[] = [];
  let p = start;
  while (p < end) {
    if (out.length >= cap) return null;
    const t = readTlv(buf, p, end);
    if (t === null) return null;
    out.push(t);
    p = t.end;
  }
  return out;
}

/** Dotted OID text from DER contents (X.690 §8.19); '' when malformed. */
export function oidText(buf: Uint8Array, start: number, end: number): string {
  if (start >= end || end - start > 64) return '';
  const arcs: number[] = [];
  let v = 0;
  for (let i = start; i < end; i++) {
    const b = buf[i]!;
    // 2^53 bounds the arc (JS safe integer); OIDs in certificates use far smaller arcs.
    if (v > 2 ** 45) return '';
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      if (arcs.length === 0) {
        const first = v < 40 ? 0 : v < 80 ? 1 : 2;
        arcs.push(first, v - first * 40);
      } else arcs.push(v);
      v = 0;
    } else if (i === end - 1) return '';
  }
  return arcs.join('.');
}

/** Wireshark's names for the attribute types seen in certificate names. */
const ATTR_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'id-at-commonName',
  '2.5.4.4': 'id-at-surname',
  '2.5.4.5': 'id-at-serialNumber',
  '2.5.4.6': 'id-at-countryName',
  '2.5.4.7': 'id-at-localityName',
  '2.5.4.8': 'id-at-stateOrProvinceName',
  '2.5.4.9': 'id-at-streetAddress',
  '2.5.4.10': 'id-at-organizationName',
  '2.5.4.11': 'id-at-organizationalUnitName',
  '2.5.4.12': 'id-at-title',
  '2.5.4.13': 'id-at-description',
  '2.5.4.15': 'id-at-businessCategory',
  '2.5.4.17': 'id-at-postalCode',
  '2.5.4.41': 'id-at-name',
  '2.5.4.42': 'id-at-givenName',
  '2.5.4.43': 'id-at-initials',
  '2.5.4.44': 'id-at-generationQualifier',
  '2.5.4.46': 'id-at-dnQualifier',
  '2.5.4.65': 'id-at-pseudonym',
  '1.2.840.113549.1.9.1': 'pkcs-9-at-emailAddress',
  '0.9.2342.19200300.100.1.25': 'id-domainComponent',
  '0.9.2342.19200300.100.1.1': 'userid',
};

/**
 * Attribute types whose syntax is DirectoryString in X.520, so Wireshark shows an
 * x509sat.DirectoryString CHOICE node; countryName is a plain PrintableString (x509sat.CountryName).
 */
const DIRECTORY_STRING_ATTRS = new Set([
  '2.5.4.3', '2.5.4.4', '2.5.4.7', '2.5.4.8', '2.5.4.9', '2.5.4.10', '2.5.4.11', '2.5.4.12', '2.5.4.13',
  '2.5.4.15', '2.5.4.17', '2.5.4.41', '2.5.4.42', '2.5.4.43', '2.5.4.44', '2.5.4.65',
]);

/** Universal string tags → [DirectoryString CHOICE index, x509sat field]. */
const DIRECTORY_STRING_TAGS: ReadonlyMap<number, readonly [number, string]> = new Map([
  [0x14, [0, 'x509sat.teletexString']],
  [0x13, [1, 'x509sat.printableString']],
  [0x1c, [2, 'x509sat.universalString']],
  [0x1e, [3, 'x509sat.bmpString']],
  [0x0c, [4, 'x509sat.uTF8String']],
]);

/** Text of a DER string (UTF8String, PrintableString, IA5String, T61String, BMPString, UniversalString), capped. */
export function derString(buf: Uint8Array, tag: number, start: number, end: number): string {
  const bytes = buf.subarray(start, Math.min(end, start + MAX_STRING * 4));
  let s: string;
  if (tag === 0x1e) {
    // BMPString: UCS-2 big-endian.
    let t = '';
    for (let i = 0; i + 1 < bytes.length; i += 2) t += String.fromCharCode((bytes[i]! << 8) | bytes[i + 1]!);
    s = t;
  } else if (tag === 0x1c) {
    // UniversalString: UCS-4 big-endian.
    let t = '';
    for (let i = 0; i + 3 < bytes.length; i += 4) {
      const cp = ((bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!) >>> 0;
      t += cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
    }
    s = t;
  } else if (tag === 0x0c) {
    s = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  } else {
    s = '';
    for (const b of bytes) s += String.fromCharCode(b);
  }
  return s.length > MAX_STRING ? s.slice(0, MAX_STRING) : s;
}

/** A certificate as read, plus the fields it contributes to the frame in Wireshark's tree order. */
export interface X509Info {
  subject: string;
  issuer: string;
  /** Serial number, lower-case hex of the INTEGER's content octets (as Wireshark shows x509af.serialNumber). */
  serial: string;
  /** Validity bounds as ISO 8601 UTC (`2014-04-09T12:07:45Z`), '' when unreadable. */
  notBefore: string;
  notAfter: string;
  dnsNames: string[];
  sha1: string;
  sha256: string;
  /** Registry fields in tree order. */
  fields: [string, AppValue][];
}

export type X509Result = { ok: true; cert: X509Info } | { ok: false; reason: string; sha1: string; sha256: string };

/** Parses one DER certificate. Never throws. */
export function parseCertificate(der: Uint8Array): X509Result {
  const sha1 = createHash('sha1').update(der).digest('hex');
  const sha256 = createHash('sha256').update(der).digest('hex');
  const fail = (reason: string): X509Result => ({ ok: false, reason, sha1, sha256 });
  if (der.length > MAX_CERT_BYTES) return fail(`certificate of ${der.length} bytes exceeds the ${MAX_CERT_BYTES}-byte parse cap`);
  const cert = readTlv(der, 0, der.length);
  if (cert === null || cert.tag !== 0x30) return fail('certificate is not a DER SEQUENCE');
  const tbs = readTlv(der, cert.start, cert.end);
  if (tbs === null || tbs.tag !== 0x30) return fail('tbsCertificate is not a SEQUENCE');
  const parts = children(der, tbs.start, tbs.end, 16);
  if (parts === null) return fail('tbsCertificate contents are malformed');
  const fields: [string, AppValue][] = [];
  let i = 0;
  const first = parts[0];
  if (first !== undefined && first.tag === 0xa0) {
    const v = readTlv(der, first.start, first.end);
    if (v === null || v.tag !== 0x02 || v.end - v.start !== 1) return fail('version is not a one-byte INTEGER');
    fields.push(['x509af.version', der[v.start]! << 24 >> 24]);
    i++;
  }
  const serialT = parts[i++];
  const algT = parts[i++];
  const issuerT = parts[i++];
  const validityT = parts[i++];
  const subjectT = parts[i++];
  if (serialT === undefined || algT === undefined || issuerT === undefined || validityT === undefined || subjectT === undefined) {
    return fail('tbsCertificate lacks mandatory elements');
  }
  if (serialT.tag !== 0x02) return fail('serialNumber is not an INTEGER');
  const serialBytes = der.subarray(serialT.start, serialT.end);
  fields.push(['x509af.serialNumber', serialBytes.slice()]);
  const serial = Buffer.from(serialBytes).toString('hex');

  const issuer = readName(der, issuerT, 'x509af.issuer', 'x509if.rdnSequence', fields);
  if (issuer === null) return fail('issuer Name is malformed');

  if (validityT.tag !== 0x30) return fail('validity is not a SEQUENCE');
  const times = children(der, validityT.start, validityT.end, 2);
  if (times === null || times.length !== 2) return fail('validity does not hold two times');
  const notBefore = readTime(der, times[0]!, 'x509af.notBefore', fields);
  const notAfter = readTime(der, times[1]!, 'x509af.notAfter', fields);

  const subject = readName(der, subjectT, 'x509af.subject', 'x509af.rdnSequence', fields);
  if (subject === null) return fail('subject Name is malformed');

  const dnsNames: string[] = [];
  for (; i < parts.length; i++) {
    const p = parts[i]!;
    if (p.tag === 0xa3) readExtensions(der, p, dnsNames, fields);
  }
  return { ok: true, cert: { subject, issuer, serial, notBefore, notAfter, dnsNames, sha1, sha256, fields } };
}

/**
 * Name ::= CHOICE { rdnSequence RDNSequence } — Wireshark's display string lists the RDNs
 * last-to-first joined with ',' (`id-at-commonName=x,id-at-organizationName=y,id-at-countryName=US`),
 * the AVAs of one multi-valued RDN joined with '+'.
 */
function readName(der: Uint8Array, t: Tlv, choiceField: string, seqField: string, fields: [string, AppValue][]): string | null {
  if (t.tag !== 0x30) return null;
  const rdns = children(der, t.start, t.end, MAX_RDNS);
  if (rdns === null) return null;
  fields.push([choiceField, 0], [seqField, rdns.length]);
  const texts: string[] = [];
  for (const rdn of rdns) {
    if (rdn.tag !== 0x31) return null;
    const avas = children(der, rdn.start, rdn.end, MAX_AVAS_PER_RDN);
    if (avas === null) return null;
    fields.push(['x509if.RDNSequence_item', avas.length]);
    const parts: string[] = [];
    for (const ava of avas) {
      if (ava.tag !== 0x30) return null;
      const oidT = readTlv(der, ava.start, ava.end);
      if (oidT === null || oidT.tag !== 0x06) return null;
      const valT = readTlv(der, oidT.end, ava.end);
      if (valT === null) return null;
      const oid = oidText(der, oidT.start, oidT.end);
      const value = derString(der, valT.tag, valT.start, valT.end);
      if (oid === '2.5.4.6') fields.push(['x509sat.CountryName', value]);
      else if (DIRECTORY_STRING_ATTRS.has(oid)) {
        const ds = DIRECTORY_STRING_TAGS.get(valT.tag);
        if (ds !== undefined) fields.push(['x509sat.DirectoryString', ds[0]], [ds[1], value]);
      }
      parts.push(`${ATTR_NAMES[oid] ?? oid}=${value}`);
    }
    texts.push(parts.join('+'));
  }
  return texts.reverse().join(',');
}

/** Time ::= CHOICE { utcTime (0), generalTime (1) }; returns ISO 8601 UTC or ''. */
function readTime(der: Uint8Array, t: Tlv, choiceField: string, fields: [string, AppValue][]): string {
  const s = derString(der, 0x13, t.start, t.end);
  if (t.tag === 0x17) {
    fields.push([choiceField, 0]);
    // RFC 5280 §4.1.2.5.1: YYMMDDHHMMSSZ; YY ≥ 50 is 19YY, else 20YY.
    const m = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)?Z$/.exec(s);
    if (m === null) return '';
    const yy = Number(m[1]);
    const year = `${yy >= 50 ? 19 : 20}${m[1]}`;
    const sec = m[6] ?? '00';
    fields.push(['x509af.utcTime', `${year}-${m[2]}-${m[3]} ${m[4]}:${m[5]}:${sec} (UTC)`]);
    return `${year}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${sec}Z`;
  }
  if (t.tag === 0x18) {
    fields.push([choiceField, 1]);
    // RFC 5280 §4.1.2.5.2: YYYYMMDDHHMMSSZ (fractions are not allowed, but tolerated here).
    const m = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(?:\.\d+)?Z$/.exec(s);
    return m === null ? '' : `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`;
  }
  return '';
}

/** extensions [3] EXPLICIT SEQUENCE OF Extension { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }. */
function readExtensions(der: Uint8Array, wrapper: Tlv, dnsNames: string[], fields: [string, AppValue][]): void {
  const seq = readTlv(der, wrapper.start, wrapper.end);
  if (seq === null || seq.tag !== 0x30) return;
  const exts = children(der, seq.start, seq.end, MAX_EXTENSIONS);
  if (exts === null) return;
  for (const ext of exts) {
    const items = children(der, ext.start, ext.end, 3);
    if (items === null || items.length < 2) continue;
    const oidT = items[0]!;
    const valT = items[items.length - 1]!;
    if (oidT.tag !== 0x06 || valT.tag !== 0x04) continue;
    // id-ce-subjectAltName (RFC 5280 §4.2.1.6): GeneralNames ::= SEQUENCE OF GeneralName.
    if (oidText(der, oidT.start, oidT.end) !== '2.5.29.17') continue;
    const names = readTlv(der, valT.start, valT.end);
    if (names === null || names.tag !== 0x30) continue;
    let p = names.start;
    while (p < names.end) {
      const gn = readTlv(der, p, names.end);
      if (gn === null) break;
      p = gn.end;
      // dNSName [2] IMPLICIT IA5String.
      if (gn.tag === 0x82 && dnsNames.length < MAX_DNS_NAMES) {
        const name = derString(der, 0x16, gn.start, gn.end);
        dnsNames.push(name);
        fields.push(['x509ce.dNSName', name]);
      }
    }
  }
}

/** Depth-checked walk used by tests and robustness checks: true when every constructed element nests cleanly within MAX_DER_DEPTH. */
export function derWellFormed(buf: Uint8Array, start = 0, end = buf.length, depth = 0): boolean {
  if (depth > MAX_DER_DEPTH) return false;
  let p = start;
  // Each iteration consumes ≥ 2 bytes, so the loop ends.
  while (p < end) {
    const t = readTlv(buf, p, end);
    if (t === null) return false;
    if (t.tag & 0x20 && !derWellFormed(buf, t.start, t.end, depth + 1)) return false;
    p = t.end;
  }
  return true;
}
