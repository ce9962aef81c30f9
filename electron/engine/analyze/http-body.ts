/**
 * HTTP message body decoding: content codings, hashing, sniffing, and form parameters.
 *
 * References: RFC 9110 §8.4 (Content-Encoding: codings listed in the order applied, so they
 * are undone in reverse), §8.4.1 (gzip, deflate = zlib stream, compress), RFC 1950 (zlib),
 * RFC 1951 (raw deflate, which some servers send for "deflate"), RFC 1952 (gzip), RFC 7932
 * (br); RFC 9112 §7 (transfer codings; chunked is undone by the caller); RFC 7578
 * (multipart/form-data), RFC 2046 §5.1.1 (multipart boundary delimiters); WHATWG URL
 * Standard §5.1 (application/x-www-form-urlencoded parsing: `&` separated, `+` is space,
 * percent-decoding leaves a malformed `%` sequence as it is); RFC 6266 §4 (Content-
 * Disposition filename / filename*), RFC 8187 (ext-value `charset'lang'pct-encoded`).
 *
 * A body that needs no decoding is hashed as it streams and never buffered (except the
 * sniff prefix and, when asked, a copy for the caller). A body with a content coding is
 * buffered encoded (up to MAX_ENCODED_BUFFER) and decoded once complete, with the output
 * capped (MAX_DECODED_OUTPUT and MAX_DECODE_RATIO) against decompression bombs.
 */
import { createHash, type Hash } from 'node:crypto';
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import { SNIFF_BYTES, mediaType, sniffMime } from './mime.js';

/** Encoded bytes buffered for one body awaiting decompression: well above ordinary compressed pages and downloads, bounded per stream. */
export const MAX_ENCODED_BUFFER = 32 * 1024 * 1024;
/** Decoded output allowed for one body: a decompressed body beyond this is treated as a bomb (or simply too big to analyse). */
export const MAX_DECODED_OUTPUT = 64 * 1024 * 1024;
/** Output/input ratio allowed beyond DECODE_RATIO_FLOOR: text and JSON compress 5-50:1, even very repetitive logs stay below ~200:1; zero-filled bombs reach ~1000:1 (gzip) and far more (br). */
export const MAX_DECODE_RATIO = 256;
/** Output always allowed regardless of ratio, so small compressed bodies of repetitive text decode. */
export const DECODE_RATIO_FLOOR = 4 * 1024 * 1024;
/** Form parameters kept per body: forms have tens of fields; more is an attack or junk. */
export const MAX_FORM_PARAMS = 256;
/** Characters kept of a parameter name or value (the record is for display and detection, not storage). */
export const MAX_PARAM_VALUE = 1024;
/** Multipart parts looked at per body: uploads carry a handful; a cap bounds the scan. */
export const MAX_MULTIPART_PARTS = 256;
/** Bytes of a multipart part's header block: a few short headers (RFC 7578 §4.8 allows only Content-Type, Content-Disposition, Content-Transfer-Encoding). */
export const MAX_PART_HEADER = 8 * 1024;

/** Content codings node:zlib can undo (RFC 9110 §18.6 registry names and the x- aliases of §8.4.1). */
/** Digests an object can carry. */
export type HashAlgo = 'md5' | 'sha1' | 'sha256';
export const ALL_HASHES: readonly HashAlgo[] = ['md5', 'sha1', 'sha256'];

export function isSupportedCoding(c: string): boolean {
  return c === 'gzip' || c === 'x-gzip' || c === 'deflate' || c === 'br';
}

export interface BodyResult {
  /** Decoded length, or -1 when not decoded in full. */
  length: number;
  complete: boolean;
  md5: string | null;
  sha1: string | null;
  sha256: string | null;
  /** First SNIFF_BYTES of the decoded body (or of the raw bytes when decoding failed). */
  head: Uint8Array;
  mime: string;
  /** The decoded body when it was collected in full (collectLimit), else null. */
  bytes: Uint8Array | null;
  /** Problems met while decoding (for sink.anomaly). */
  anomalies: string[];
}

/**
 * Receives one body's bytes with the transfer framing already removed (de-chunked) and
 * produces its decoded digest. `codings` are the codings to undo, in decoding order.
 */
export class BodyAccumulator {
  private readonly codings: string[];
  private readonly collectLimit: number;
  private encoded: Uint8Array[] = [];
  private encodedLen = 0;
  private encodedOverflow = false;
  private hashes: Hash[] | null = null;
  private head = new Uint8Array(0);
  private decodedLen = 0;
  private collected: Uint8Array[] | null = [];
  private collectedLen = 0;
  private readonly anomalies: string[] = [];
  private readonly declared: string | null;
  private readonly algos: readonly HashAlgo[];

  /** `algos`: the digests computed as the body streams (the others stay null). */
  constructor(codings: string[], declaredContentType: string | null, collectLimit: number, algos: readonly HashAlgo[] = ALL_HASHES) {
    this.codings = codings;
    this.declared = declaredContentType;
    this.algos = algos;
    this.collectLimit = Math.max(0, collectLimit);
    if (this.collectLimit === 0) this.collected = null;
    if (codings.length === 0) this.hashes = this.algos.map((a) => createHash(a));
  }

  /** Copies what it keeps: `bytes` is only valid during the call. */
  write(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (this.codings.length === 0) {
      this.decoded(bytes);
      return;
    }
    if (this.encodedOverflow) return;
    if (this.encodedLen + bytes.length > MAX_ENCODED_BUFFER) {
      this.encodedOverflow = true;
      this.encoded = [];
      this.anomalies.push(`encoded body larger than ${MAX_ENCODED_BUFFER} bytes: not decoded`);
      return;
    }
    this.encoded.push(new Uint8Array(bytes));
    this.encodedLen += bytes.length;
  }

  private decoded(bytes: Uint8Array): void {
    for (const h of this.hashes ?? []) h.update(bytes);
    if (this.head.length < SNIFF_BYTES) {
      const take = bytes.subarray(0, SNIFF_BYTES - this.head.length);
      const h = new Uint8Array(this.head.length + take.length);
      h.set(this.head);
      h.set(take, this.head.length);
      this.head = h;
    }
    this.decodedLen += bytes.length;
    if (this.collected) {
      if (this.collectedLen + bytes.length > this.collectLimit) {
        this.collected = null;
      } else {
        this.collected.push(new Uint8Array(bytes));
        this.collectedLen += bytes.length;
      }
    }
  }

  /** Ends the body. `complete`: every byte arrived (no gap, no truncation). */
  finish(complete: boolean): BodyResult {
    let ok = complete;
    if (this.codings.length > 0) {
      const encoded = concat(this.encoded, this.encodedLen);
      this.encoded = [];
      if (complete && !this.encodedOverflow) {
        const out = decodeAll(encoded, this.codings, this.anomalies);
        if (out) {
          this.hashes = this.algos.map((a) => createHash(a));
          this.decoded(out);
        } else {
          ok = false;
        }
      } else {
        ok = false;
      }
      // Still sniff something when decoding was impossible: the raw prefix.
      if (!ok && this.head.length === 0) this.head = encoded.slice(0, SNIFF_BYTES);
    }
    const digest = (a: HashAlgo): string | null => {
      const i = this.algos.indexOf(a);
      return ok && this.hashes && i >= 0 ? this.hashes[i]!.digest('hex') : null;
    };
    const bytes = ok && this.collected ? concat(this.collected, this.collectedLen) : null;
    const mime =
      ok || this.codings.length === 0 ? sniffMime(this.head, this.declared) : (mediaType(this.declared) ?? 'application/octet-stream');
    return {
      length: ok ? this.decodedLen : -1,
      complete: ok,
      md5: digest('md5'),
      sha1: digest('sha1'),
      sha256: digest('sha256'),
      head: this.head,
      mime,
      bytes,
      anomalies: this.anomalies,
    };
  }
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Undoes `codings` in order; null (with an anomaly) when one fails or is unsupported. */
function decodeAll(input: Uint8Array, codings: string[], anomalies: string[]): Uint8Array | null {
  let data = input;
  for (const c of codings) {
    const limit = Math.min(MAX_DECODED_OUTPUT, Math.max(DECODE_RATIO_FLOOR, data.length * MAX_DECODE_RATIO));
    const opts = { maxOutputLength: limit };
    try {
      if (c === 'gzip' || c === 'x-gzip') data = gunzipSync(data, opts);
      else if (c === 'br') data = brotliDecompressSync(data, opts);
      else if (c === 'deflate') {
        // RFC 9110 §8.4.1.2 says zlib; some servers send raw deflate, so try that on failure.
        try {
          data = inflateSync(data, opts);
        } catch (e) {
          if (isRangeError(e)) throw e;
          data = inflateRawSync(data, opts);
        }
      } else {
        anomalies.push(`unsupported content coding "${c}": body not decoded`);
        return null;
      }
    } catch (e) {
      anomalies.push(
        isRangeError(e)
          ? `${c} output exceeds ${limit} bytes (cap or ratio): not decoded`
          : `${c} decoding failed: ${e instanceof Error ? e.message : String(e)}`,
      );
      return null;
    }
  }
  return data;
}

/** node:zlib reports maxOutputLength as ERR_BUFFER_TOO_LARGE (a RangeError). */
function isRangeError(e: unknown): boolean {
  return e instanceof RangeError || (e instanceof Error && (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE');
}

// ---- Percent-decoding and form parameters -------------------------------------------------

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/**
 * Percent-decodes `s` (WHATWG URL §1.3 percent-decode): `%XX` with two hex digits becomes
 * the byte, anything else stays literal; `+` becomes a space when `plus`. `s` is a byte
 * string (one code unit per byte, as from latin1); the bytes are read as UTF-8, invalid
 * sequences as U+FFFD. Never throws.
 */
export function percentDecode(s: string, plus: boolean): string {
  return percentDecodeBytes(s, plus).toString('utf8');
}

/** percentDecode's bytes, before reading them as text. */
export function percentDecodeBytes(s: string, plus: boolean): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 && i + 2 < s.length) {
      const h = hexVal(s.charCodeAt(i + 1));
      const l = hexVal(s.charCodeAt(i + 2));
      if (h >= 0 && l >= 0) {
        bytes.push((h << 4) | l);
        i += 2;
        continue;
      }
    }
    if (c === 0x2b && plus) {
      bytes.push(0x20);
      continue;
    }
    // The input is a byte string (latin1): each code unit below 0x100 is one byte.
    if (c < 0x100) bytes.push(c);
    else for (const b of Buffer.from(s[i]!, 'utf8')) bytes.push(b);
  }
  return Buffer.from(bytes);
}

function cut(s: string): string {
  return s.length > MAX_PARAM_VALUE ? s.slice(0, MAX_PARAM_VALUE) : s;
}

/** `a=1&b=2` pairs (query strings and urlencoded forms), capped at `max`. */
export function parseUrlEncoded(s: string, max: number = MAX_FORM_PARAMS): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  let start = 0;
  while (start <= s.length && out.length < max) {
    let end = s.indexOf('&', start);
    if (end < 0) end = s.length;
    const pair = s.slice(start, end);
    if (pair.length > 0) {
      const eq = pair.indexOf('=');
      const name = eq >= 0 ? pair.slice(0, eq) : pair;
      const value = eq >= 0 ? pair.slice(eq + 1) : '';
      // Cut before decoding too, so a huge value costs no more than the cap.
      out.push({
        name: cut(percentDecode(name.slice(0, MAX_PARAM_VALUE * 3), true)),
        value: cut(percentDecode(value.slice(0, MAX_PARAM_VALUE * 3), true)),
      });
    }
    start = end + 1;
  }
  return out;
}

/** A Content-Type or Content-Disposition parameter (`; name=value` or quoted-string), case-insensitive name. */
export function headerParam(value: string, name: string): string | null {
  const want = name.toLowerCase();
  let i = value.indexOf(';');
  while (i >= 0 && i < value.length) {
    i++;
    while (i < value.length && (value[i] === ' ' || value[i] === '\t')) i++;
    const eq = value.indexOf('=', i);
    if (eq < 0) return null;
    const pname = value.slice(i, eq).trim().toLowerCase();
    let j = eq + 1;
    let pval: string;
    if (value[j] === '"') {
      // quoted-string (RFC 9110 §5.6.4): backslash escapes the next character.
      let s = '';
      j++;
      while (j < value.length && value[j] !== '"') {
        if (value[j] === '\\' && j + 1 < value.length) j++;
        s += value[j];
        j++;
      }
      pval = s;
      const next = value.indexOf(';', j);
      i = next;
    } else {
      const next = value.indexOf(';', j);
      pval = value.slice(j, next < 0 ? value.length : next).trim();
      i = next;
    }
    if (pname === want) return pval;
    if (i < 0) return null;
  }
  return null;
}

/** The file name a Content-Disposition value suggests: `filename*` (RFC 8187) before `filename`. */
export function dispositionFilename(value: string): string | null {
  const ext = headerParam(value, 'filename*');
  if (ext) {
    const m = /^([^']*)'[^']*'(.*)$/.exec(ext);
    if (m) {
      const charset = (m[1] ?? '').toLowerCase();
      const text = m[2] ?? '';
      // ISO-8859-1 (RFC 8187 §3.2.1): every byte is its own code point; otherwise UTF-8.
      if (charset === 'iso-8859-1') return percentDecodeBytes(text, false).toString('latin1');
      return percentDecode(text, false);
    }
  }
  return headerParam(value, 'filename');
}

export interface MultipartPart {
  name: string | null;
  filename: string | null;
  contentType: string | null;
  /** The part's body within the multipart bytes. */
  body: Uint8Array;
}

function indexOfBytes(hay: Uint8Array, needle: Uint8Array, from: number): number {
  const n = needle.length;
  if (n === 0) return from;
  const first = needle[0]!;
  const last = hay.length - n;
  outer: for (let i = from; i <= last; i++) {
    if (hay[i] !== first) continue;
    for (let k = 1; k < n; k++) if (hay[i + k] !== needle[k]) continue outer;
    return i;
  }
  return -1;
}

function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

/**
 * The parts of a multipart body (RFC 2046 §5.1.1): each delimiter is CRLF "--" boundary
 * (the first may open the body without the CRLF); the close delimiter adds "--". Parts of a
 * truncated body that did not end are dropped. Capped at MAX_MULTIPART_PARTS.
 */
export function parseMultipart(body: Uint8Array, boundary: string): MultipartPart[] {
  const parts: MultipartPart[] = [];
  // RFC 2046 §5.1.1: 1 to 70 characters.
  if (boundary.length === 0 || boundary.length > 70) return parts;
  const delim = Buffer.from(`--${boundary}`, 'latin1');
  let pos = indexOfBytes(body, delim, 0);
  while (pos >= 0 && parts.length < MAX_MULTIPART_PARTS) {
    let p = pos + delim.length;
    // Close delimiter.
    if (body[p] === 0x2d && body[p + 1] === 0x2d) break;
    // Transport padding then CRLF (or bare LF).
    while (p < body.length && (body[p] === 0x20 || body[p] === 0x09)) p++;
    if (body[p] === 0x0d) p++;
    if (body[p] !== 0x0a) break;
    p++;
    // Part headers end at an empty line.
    let hdrEnd = -1;
    let bodyStart = -1;
    for (let i = p; i < body.length && i - p <= MAX_PART_HEADER; i++) {
      if (body[i] !== 0x0a) continue;
      if (i === p || (i === p + 1 && body[p] === 0x0d)) {
        hdrEnd = p;
        bodyStart = i + 1;
        break;
      }
      if (body[i + 1] === 0x0a) {
        hdrEnd = i + 1;
        bodyStart = i + 2;
        break;
      }
      if (body[i + 1] === 0x0d && body[i + 2] === 0x0a) {
        hdrEnd = i + 1;
        bodyStart = i + 3;
        break;
      }
    }
    if (bodyStart < 0) break;
    const next = indexOfBytes(body, delim, bodyStart);
    if (next < 0) break;
    // The CRLF before the delimiter belongs to the delimiter.
    let bodyEnd = next;
    if (bodyEnd > bodyStart && body[bodyEnd - 1] === 0x0a) bodyEnd--;
    if (bodyEnd > bodyStart && body[bodyEnd - 1] === 0x0d) bodyEnd--;
    const headerText = latin1(body.subarray(p, hdrEnd));
    let name: string | null = null;
    let filename: string | null = null;
    let contentType: string | null = null;
    for (const line of headerText.split(/\r?\n/)) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const hn = line.slice(0, colon).trim().toLowerCase();
      const hv = line.slice(colon + 1).trim();
      if (hn === 'content-disposition') {
        name = headerParam(hv, 'name');
        filename = dispositionFilename(hv);
      } else if (hn === 'content-type') {
        contentType = hv;
      }
    }
    parts.push({ name, filename, contentType, body: body.subarray(bodyStart, bodyEnd) });
    pos = next;
  }
  return parts;
}
