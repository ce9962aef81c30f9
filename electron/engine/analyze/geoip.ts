/**
 * Offline IP → country and IP → AS lookups over range tables, plus the private/reserved
 * classification that needs no database.
 *
 * Data: CSV range files, one range per line, `start,end,value[,organisation]`, inclusive
 * bounds as address text (`1.0.0.0,1.0.0.255,AU`, `2001:200::,2001:200:ffff:...,JP`) or as
 * decimal numbers (the `-num` variants), sorted by start. That is the format of the npm
 * packages @ip-location-db/dbip-country (DB-IP Lite country, CC BY 4.0: attribution to
 * DB-IP.com required) and @ip-location-db/asn (RouteViews + NRO + DB-IP ASN Lite, CC BY 4.0).
 * `geoIpPathsIn(nodeModules)` names their files. Tables load lazily on the first lookup of
 * their family and are searched by binary search.
 *
 * Reserved ranges (answered without a database): RFC 1122 §3.2.1.3 (0/8, 127/8), RFC 1918
 * (10/8, 172.16/12, 192.168/16), RFC 6598 (100.64/10 shared CGN space), RFC 3927 (169.254/16),
 * RFC 6890 (192.0.0/24), RFC 5737 (TEST-NET-1/2/3), RFC 2544 (198.18/15), RFC 5771 (224/4
 * multicast), RFC 1112 §4 (240/4), RFC 919 (255.255.255.255); IPv6 RFC 4291 §2.5.2/2.5.3
 * (::, ::1), §2.5.5.2 (::ffff:0:0/96 mapped: looked up as IPv4), §2.5.6 (fe80::/10), §2.7
 * (ff00::/8), RFC 4193 (fc00::/7), RFC 3849 (2001:db8::/32).
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Largest table file read: the DB-IP IPv6 country CSV is ~20 MB, the ASN IPv4 CSV ~24 MB; beyond this it is not a range table. */
export const MAX_DB_BYTES = 128 * 1024 * 1024;
/** Rows kept per table: the largest real table has well under 1.5 million rows. */
export const MAX_ROWS = 4_000_000;
/** Characters of an organisation name kept. */
const MAX_ORG = 256;

export interface CountryAnswer {
  /** ISO 3166-1 alpha-2 code, or 'private' for reserved ranges. */
  cc: string;
  /** English country name, or the reserved range's description. */
  name: string;
}

export interface AsnAnswer {
  /** AS number; 0 for reserved ranges. */
  asn: number;
  /** Organisation, or the reserved range's description. */
  org: string;
}

export interface GeoIpPaths {
  countryV4?: string;
  countryV6?: string;
  asnV4?: string;
  asnV6?: string;
}

/** The files of @ip-location-db/dbip-country and @ip-location-db/asn under a node_modules directory. */
export function geoIpPathsIn(nodeModules: string): GeoIpPaths {
  return {
    countryV4: join(nodeModules, '@ip-location-db/dbip-country/dbip-country-ipv4.csv'),
    countryV6: join(nodeModules, '@ip-location-db/dbip-country/dbip-country-ipv6.csv'),
    asnV4: join(nodeModules, '@ip-location-db/asn/asn-ipv4.csv'),
    asnV6: join(nodeModules, '@ip-location-db/asn/asn-ipv6.csv'),
  };
}

// ---- Address parsing --------------------------------------------------------------------

/** Dotted quad → unsigned 32-bit number, or null. */
export function parseIpv4(s: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const o = Number(m[i]);
    if (o > 255) return null;
    n = n * 256 + o;
  }
  return n;
}

/** RFC 4291 §2.2 text (with `::` and a trailing dotted quad) → 128-bit bigint, or null. */
export function parseIpv6(s: string): bigint | null {
  let t = s.trim();
  const pct = t.indexOf('%');
  if (pct >= 0) t = t.slice(0, pct); // zone index (RFC 4007 §11)
  if (t.length === 0 || t.length > 45) return null;
  const lastColon = t.lastIndexOf(':');
  if (lastColon >= 0 && t.includes('.', lastColon)) {
    // A trailing dotted quad (RFC 4291 §2.2 form 3) stands for the last two groups.
    const v4 = parseIpv4(t.slice(lastColon + 1));
    if (v4 === null) return null;
    t = `${t.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = t.split('::');
  if (halves.length > 2) return null;
  const parse = (h: string): number[] | null => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  if (head === null || rest === null) return null;
  if (halves.length === 2 && head.length + rest.length > 7) return null;
  const groups = halves.length === 2 ? [...head, ...new Array<number>(8 - head.length - rest.length).fill(0), ...rest] : head;
  if (groups.length !== 8) return null;
  let v = 0n;
  for (const g of groups) v = (v << 16n) | BigInt(g);
  return v;
}

// ---- Reserved ranges --------------------------------------------------------------------

const V4_RESERVED: readonly [number, number, string][] = (
  [
    ['0.0.0.0', 8, 'This network (RFC 1122)'],
    ['10.0.0.0', 8, 'Private network (RFC 1918)'],
    ['100.64.0.0', 10, 'Shared address space (RFC 6598)'],
    ['127.0.0.0', 8, 'Loopback (RFC 1122)'],
    ['169.254.0.0', 16, 'Link-local (RFC 3927)'],
    ['172.16.0.0', 12, 'Private network (RFC 1918)'],
    ['192.0.0.0', 24, 'IETF protocol assignments (RFC 6890)'],
    ['192.0.2.0', 24, 'Documentation (TEST-NET-1, RFC 5737)'],
    ['192.168.0.0', 16, 'Private network (RFC 1918)'],
    ['198.18.0.0', 15, 'Benchmarking (RFC 2544)'],
    ['198.51.100.0', 24, 'Documentation (TEST-NET-2, RFC 5737)'],
    ['203.0.113.0', 24, 'Documentation (TEST-NET-3, RFC 5737)'],
    ['224.0.0.0', 4, 'Multicast (RFC 5771)'],
    ['255.255.255.255', 32, 'Limited broadcast (RFC 919)'],
    ['240.0.0.0', 4, 'Reserved (RFC 1112)'],
  ] as const
).map(([a, len, d]) => [parseIpv4(a)!, len, d]);

const V6_RESERVED: readonly [bigint, number, string][] = (
  [
    ['::', 128, 'Unspecified address (RFC 4291)'],
    ['::1', 128, 'Loopback (RFC 4291)'],
    ['fc00::', 7, 'Unique local address (RFC 4193)'],
    ['fe80::', 10, 'Link-local (RFC 4291)'],
    ['ff00::', 8, 'Multicast (RFC 4291)'],
    ['2001:db8::', 32, 'Documentation (RFC 3849)'],
  ] as const
).map(([a, len, d]) => [parseIpv6(a)!, len, d]);

const MAPPED_PREFIX = 0xffffn << 32n;

/** What a reserved (non-routable, special-purpose) address is, or null for a public one or unparsable text. */
export function reservedRange(addr: string): string | null {
  const v4 = parseIpv4(addr);
  if (v4 !== null) return reservedV4(v4);
  const v6 = parseIpv6(addr);
  if (v6 === null) return null;
  if (v6 >> 32n === 0xffffn) return reservedV4(Number(v6 & 0xffffffffn));
  for (const [net, len, d] of V6_RESERVED) if (v6 >> BigInt(128 - len) === net >> BigInt(128 - len)) return d;
  return null;
}

function reservedV4(v4: number): string | null {
  for (const [net, len, d] of V4_RESERVED) {
    const shift = 32 - len;
    if (Math.floor(v4 / 2 ** shift) === Math.floor(net / 2 ** shift)) return d;
  }
  return null;
}

// ---- Range tables -----------------------------------------------------------------------

interface V4Table {
  starts: Uint32Array;
  ends: Uint32Array;
  values: Uint32Array;
  strings: string[];
  asns: Uint32Array | null;
}

interface V6Table {
  starts: BigUint64Array; // hi, lo interleaved
  ends: BigUint64Array;
  values: Uint32Array;
  strings: string[];
  asns: Uint32Array | null;
}

/** One CSV field, honouring double quotes ("Cloudflare, Inc."). Returns the field and the index after its comma. */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length && out.length < 8) {
    if (line[i] === '"') {
      let v = '';
      i++;
      while (i < line.length) {
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            v += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += line[i++];
      }
      out.push(v);
      if (line[i] === ',') i++;
      else break;
    } else {
      const c = line.indexOf(',', i);
      out.push(c < 0 ? line.slice(i) : line.slice(i, c));
      if (c < 0) break;
      i = c + 1;
    }
  }
  return out;
}

function readTableText(path: string): string | null {
  try {
    if (statSync(path).size > MAX_DB_BYTES) return null;
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** Parses a range table; `asn` tables carry `start,end,asn,org`, country tables `start,end,cc`. */
export function loadV4Table(text: string, asn: boolean): V4Table {
  const starts: number[] = [];
  const ends: number[] = [];
  const values: number[] = [];
  const asns: number[] = [];
  const strings: string[] = [];
  const index = new Map<string, number>();
  let sorted = true;
  for (const line of text.split('\n')) {
    if (starts.length >= MAX_ROWS) break;
    const f = csvFields(line.replace(/\r$/, ''));
    if (f.length < 3) continue;
    const a = /^\d+$/.test(f[0]!) ? Number(f[0]) : parseIpv4(f[0]!);
    const b = /^\d+$/.test(f[1]!) ? Number(f[1]) : parseIpv4(f[1]!);
    if (a === null || b === null || a > b || b > 0xffffffff) continue;
    const value = asn ? (f[3] ?? '').slice(0, MAX_ORG) : f[2]!.trim().toUpperCase();
    let vi = index.get(value);
    if (vi === undefined) {
      vi = strings.length;
      strings.push(value);
      index.set(value, vi);
    }
    if (starts.length > 0 && a < starts[starts.length - 1]!) sorted = false;
    starts.push(a);
    ends.push(b);
    values.push(vi);
    if (asn) asns.push(Number(f[2]) >>> 0);
  }
  let order = starts.map((_, i) => i);
  if (!sorted) order = order.sort((x, y) => starts[x]! - starts[y]!);
  return {
    starts: Uint32Array.from(order, (i) => starts[i]!),
    ends: Uint32Array.from(order, (i) => ends[i]!),
    values: Uint32Array.from(order, (i) => values[i]!),
    strings,
    asns: asn ? Uint32Array.from(order, (i) => asns[i]!) : null,
  };
}

export function loadV6Table(text: string, asn: boolean): V6Table {
  const rows: { a: bigint; b: bigint; v: number; asn: number }[] = [];
  const strings: string[] = [];
  const index = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (rows.length >= MAX_ROWS) break;
    const f = csvFields(line.replace(/\r$/, ''));
    if (f.length < 3) continue;
    const a = /^\d+$/.test(f[0]!) ? BigInt(f[0]!) : parseIpv6(f[0]!);
    const b = /^\d+$/.test(f[1]!) ? BigInt(f[1]!) : parseIpv6(f[1]!);
    if (a === null || b === null || a > b || b >> 128n !== 0n) continue;
    const value = asn ? (f[3] ?? '').slice(0, MAX_ORG) : f[2]!.trim().toUpperCase();
    let vi = index.get(value);
    if (vi === undefined) {
      vi = strings.length;
      strings.push(value);
      index.set(value, vi);
    }
    rows.push({ a, b, v: vi, asn: asn ? Number(f[2]) >>> 0 : 0 });
  }
  rows.sort((x, y) => (x.a < y.a ? -1 : x.a > y.a ? 1 : 0));
  const starts = new BigUint64Array(rows.length * 2);
  const ends = new BigUint64Array(rows.length * 2);
  const mask = 0xffffffffffffffffn;
  rows.forEach((r, i) => {
    starts[2 * i] = r.a >> 64n;
    starts[2 * i + 1] = r.a & mask;
    ends[2 * i] = r.b >> 64n;
    ends[2 * i + 1] = r.b & mask;
  });
  return { starts, ends, values: Uint32Array.from(rows, (r) => r.v), strings, asns: asn ? Uint32Array.from(rows, (r) => r.asn) : null };
}

/** Index of the last range starting at or before `x`, or -1. */
function searchV4(t: V4Table, x: number): number {
  let lo = 0;
  let hi = t.starts.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (t.starts[mid]! <= x) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best >= 0 && t.ends[best]! >= x ? best : -1;
}

function searchV6(t: V6Table, x: bigint): number {
  const mask = 0xffffffffffffffffn;
  const xh = x >> 64n;
  const xl = x & mask;
  const le = (h: bigint, l: bigint, bh: bigint, bl: bigint): boolean => h < bh || (h === bh && l <= bl);
  let lo = 0;
  let hi = t.values.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (le(t.starts[2 * mid]!, t.starts[2 * mid + 1]!, xh, xl)) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best >= 0 && le(xh, xl, t.ends[2 * best]!, t.ends[2 * best + 1]!) ? best : -1;
}

let regionNames: Intl.DisplayNames | null | undefined;

/** English name of an ISO 3166 code (Node's ICU data), or the code itself. */
export function countryName(cc: string): string {
  if (regionNames === undefined) {
    try {
      regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
    } catch {
      regionNames = null;
    }
  }
  if (!/^[A-Z]{2}$/.test(cc) || regionNames === null) return cc;
  try {
    return regionNames.of(cc) ?? cc;
  } catch {
    return cc;
  }
}

type Loaded<T> = { state: 'unloaded' } | { state: 'missing' } | { state: 'ready'; table: T };

/** Country and AS lookups over the configured files; each file is read on first need, once. */
export class GeoIp {
  private c4: Loaded<V4Table> = { state: 'unloaded' };
  private c6: Loaded<V6Table> = { state: 'unloaded' };
  private a4: Loaded<V4Table> = { state: 'unloaded' };
  private a6: Loaded<V6Table> = { state: 'unloaded' };

  constructor(private readonly paths: GeoIpPaths) {}

  /** Country of `addr`; reserved ranges answer `{cc: 'private', name: <range>}`; null when unknown or no table. */
  lookupCountry(addr: string): CountryAnswer | null {
    const r = reservedRange(addr);
    if (r !== null) return { cc: 'private', name: r };
    const k = key(addr);
    if (k === null) return null;
    if (typeof k === 'number') {
      const t = this.table4('c4', this.paths.countryV4, false);
      const i = t ? searchV4(t, k) : -1;
      if (!t || i < 0) return null;
      const cc = t.strings[t.values[i]!]!;
      return { cc, name: countryName(cc) };
    }
    const t = this.table6('c6', this.paths.countryV6, false);
    const i = t ? searchV6(t, k) : -1;
    if (!t || i < 0) return null;
    const cc = t.strings[t.values[i]!]!;
    return { cc, name: countryName(cc) };
  }

  /** Autonomous system of `addr`; reserved ranges answer `{asn: 0, org: <range>}`; null when unknown or no table. */
  lookupAsn(addr: string): AsnAnswer | null {
    const r = reservedRange(addr);
    if (r !== null) return { asn: 0, org: r };
    const k = key(addr);
    if (k === null) return null;
    if (typeof k === 'number') {
      const t = this.table4('a4', this.paths.asnV4, true);
      const i = t ? searchV4(t, k) : -1;
      if (!t || i < 0) return null;
      return { asn: t.asns![i]!, org: t.strings[t.values[i]!]! };
    }
    const t = this.table6('a6', this.paths.asnV6, true);
    const i = t ? searchV6(t, k) : -1;
    if (!t || i < 0) return null;
    return { asn: t.asns![i]!, org: t.strings[t.values[i]!]! };
  }

  private table4(slot: 'c4' | 'a4', path: string | undefined, asn: boolean): V4Table | null {
    const cur = this[slot];
    if (cur.state === 'ready') return cur.table;
    if (cur.state === 'missing') return null;
    const text = path ? readTableText(path) : null;
    this[slot] = text === null ? { state: 'missing' } : { state: 'ready', table: loadV4Table(text, asn) };
    const now = this[slot];
    return now.state === 'ready' ? now.table : null;
  }

  private table6(slot: 'c6' | 'a6', path: string | undefined, asn: boolean): V6Table | null {
    const cur = this[slot];
    if (cur.state === 'ready') return cur.table;
    if (cur.state === 'missing') return null;
    const text = path ? readTableText(path) : null;
    this[slot] = text === null ? { state: 'missing' } : { state: 'ready', table: loadV6Table(text, asn) };
    const now = this[slot];
    return now.state === 'ready' ? now.table : null;
  }
}

/** Lookup key: an IPv4 number (also for ::ffff:a.b.c.d), an IPv6 bigint, or null. */
function key(addr: string): number | bigint | null {
  const v4 = parseIpv4(addr);
  if (v4 !== null) return v4;
  const v6 = parseIpv6(addr);
  if (v6 === null) return null;
  if (v6 >> 32n === MAPPED_PREFIX >> 32n) return Number(v6 & 0xffffffffn);
  return v6;
}
