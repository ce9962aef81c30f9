/**
 * Number, size and time formatting for the views, plus defensive readers for analyzer records:
 * `records.list` hands over `data` as JSON written by a (versioned) engine, so a view reads every
 * field through these helpers and shows '—' for anything missing or of the wrong type.
 */
import type { Lang } from './types.js';

export const DASH = '—';

const intFormats = new Map<string, Intl.NumberFormat>();

/** Integer with the language's thousands separators (1,234,567). */
export function fmtInt(n: number | null | undefined, lang: Lang = 'en'): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return DASH;
  let f = intFormats.get(lang);
  if (!f) intFormats.set(lang, (f = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 })));
  return f.format(n);
}

const SIZE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** Human size in binary units: 512 B, 1.5 KiB, 12.3 MiB. */
export function fmtBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n) || n < 0) return DASH;
  if (n < 1024) return `${Math.round(n)} B`;
  let v = n;
  let u = 0;
  while (v >= 1024 && u < SIZE_UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0)} ${SIZE_UNITS[u]}`;
}

/** Duration in seconds as `0.123 s`, `12.5 s`, `3 m 20 s`, `2 h 5 m`. */
export function fmtDuration(sec: number | null | undefined): string {
  if (sec === null || sec === undefined || !Number.isFinite(sec) || sec < 0) return DASH;
  if (sec < 10) return `${sec.toFixed(3)} s`;
  if (sec < 60) return `${sec.toFixed(1)} s`;
  if (sec < 3600) return `${Math.floor(sec / 60)} m ${Math.floor(sec % 60)} s`;
  return `${Math.floor(sec / 3600)} h ${Math.floor((sec % 3600) / 60)} m`;
}

/** Percentage with one decimal (0.0 % when the total is zero). */
export function fmtPercent(part: number, total: number): string {
  if (!(total > 0)) return '0.0 %';
  return `${((100 * part) / total).toFixed(1)} %`;
}

/** Interval label: 10 ms, 1 s, 1 min, 1 h. */
export function fmtInterval(sec: number): string {
  if (sec < 1) return `${Math.round(sec * 1000)} ms`;
  if (sec < 60) return `${sec} s`;
  if (sec < 3600) return `${sec / 60} min`;
  return `${sec / 3600} h`;
}

// ---- defensive readers over unknown JSON --------------------------------------------------------

export type Data = Record<string, unknown>;

export function asData(v: unknown): Data {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Data) : {};
}

/** A string field, or null. */
export function str(d: Data, key: string): string | null {
  const v = d[key];
  return typeof v === 'string' ? v : null;
}

/** A finite number field, or null. */
export function num(d: Data, key: string): number | null {
  const v = d[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** A boolean field, or null. */
export function bool(d: Data, key: string): boolean | null {
  const v = d[key];
  return typeof v === 'boolean' ? v : null;
}

/** An array field (empty when missing). */
export function arr(d: Data, key: string): unknown[] {
  const v = d[key];
  return Array.isArray(v) ? v : [];
}

/** The strings of an array field (other elements dropped). */
export function strs(d: Data, key: string): string[] {
  return arr(d, key).filter((x): x is string => typeof x === 'string');
}

/** A value as display text, '—' when missing. */
export function text(v: string | number | null | undefined): string {
  if (v === null || v === undefined || v === '') return DASH;
  return String(v);
}

/** TLS/SSL version number as its name (0x0303 → TLS 1.2), else hex. */
export function tlsVersionName(v: number | null): string {
  switch (v) {
    case null:
      return DASH;
    case 0x0300:
      return 'SSL 3.0';
    case 0x0301:
      return 'TLS 1.0';
    case 0x0302:
      return 'TLS 1.1';
    case 0x0303:
      return 'TLS 1.2';
    case 0x0304:
      return 'TLS 1.3';
    default:
      return `0x${v.toString(16).padStart(4, '0')}`;
  }
}

const DNS_TYPES: Record<number, string> = {
  1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 15: 'MX', 16: 'TXT', 28: 'AAAA', 33: 'SRV', 35: 'NAPTR', 41: 'OPT',
  43: 'DS', 46: 'RRSIG', 47: 'NSEC', 48: 'DNSKEY', 64: 'SVCB', 65: 'HTTPS', 255: 'ANY', 257: 'CAA',
};
export function dnsTypeName(t: number | null): string {
  if (t === null) return DASH;
  return DNS_TYPES[t] ?? `TYPE${t}`;
}

// RFC 1035 §4.1.1 and RFC 6895 §2.3 rcode names, as Wireshark shows them.
const DNS_RCODES: Record<number, string> = {
  0: 'No error', 1: 'Format error', 2: 'Server failure', 3: 'No such name', 4: 'Not implemented', 5: 'Refused',
  6: 'Name exists', 7: 'RRset exists', 8: 'RRset does not exist', 9: 'Not authoritative', 10: 'Name out of zone',
};
export function dnsRcodeName(r: number | null): string {
  if (r === null) return DASH;
  return DNS_RCODES[r] ?? `RCODE ${r}`;
}
