/**
 * MIME type sniffing from magic numbers, for bodies and transferred files.
 *
 * References: WHATWG MIME Sniffing Standard (§6 "Matching a MIME type pattern": the image,
 * archive and text patterns); RFC 9110 §8.3 (Content-Type, media type syntax: type "/"
 * subtype *( OWS ";" OWS parameter ), case-insensitive type and subtype); the PE/COFF
 * specification (the "MZ" DOS stub), the ELF gABI (0x7f "ELF"), PKWARE APPNOTE 4.3.7 (local
 * file header "PK\x03\x04"), RFC 1952 (gzip 1f 8b), the JVM spec §4.1 (class file
 * 0xCAFEBABE), [MS-CAB] ("MSCF"), the 7z and RAR format notes.
 *
 * The sniffer looks only at a prefix of the decoded bytes (SNIFF_BYTES): it never needs the
 * whole body, so a streaming consumer keeps just that prefix.
 */

/** Bytes of a body the sniffer looks at: every signature below sits in the first few hundred bytes (WHATWG sniffs 1445). */
export const SNIFF_BYTES = 512;

/**
 * The media type of a Content-Type value: `type/subtype`, lower-cased, parameters dropped
 * (RFC 9110 §8.3.1), or null when the value has no `/`.
 */
export function mediaType(contentType: string | null | undefined): string | null {
  if (contentType == null) return null;
  const semi = contentType.indexOf(';');
  const t = (semi >= 0 ? contentType.slice(0, semi) : contentType).trim().toLowerCase();
  if (t.length === 0 || !t.includes('/')) return null;
  return t;
}

function startsWith(b: Uint8Array, sig: readonly number[], at = 0): boolean {
  if (b.length < at + sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (b[at + i] !== sig[i]) return false;
  return true;
}

function ascii(s: string): number[] {
  return Array.from(s, (c) => c.charCodeAt(0));
}

/** Printable text prefix (lower-cased) after skipping whitespace and a UTF-8 BOM, for the text patterns. */
function textHead(b: Uint8Array, n: number): string {
  let i = 0;
  if (startsWith(b, [0xef, 0xbb, 0xbf])) i = 3;
  while (i < b.length && (b[i] === 0x20 || b[i] === 0x09 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x0c)) i++;
  let s = '';
  for (let k = i; k < b.length && s.length < n; k++) s += String.fromCharCode(b[k]!);
  return s.toLowerCase();
}

/** No control bytes other than whitespace in the prefix: the body is plausibly text. */
function looksTextual(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c && c !== 0x1b) return false;
  }
  return true;
}

/** The OOXML/ODF flavour of a ZIP from the first entry names (e.g. `word/`, `mimetypeapplication/vnd.oasis...`). */
function zipFlavour(b: Uint8Array): string {
  // Local file header: name length at offset 26, name at 30 (APPNOTE 4.3.7).
  if (b.length < 30) return 'application/zip';
  const nameLen = b[26]! | (b[27]! << 8);
  const name = String.fromCharCode(...b.subarray(30, Math.min(b.length, 30 + nameLen)));
  if (name === 'mimetype') {
    const extraLen = b[28]! | (b[29]! << 8);
    const start = 30 + nameLen + extraLen;
    const mt = String.fromCharCode(...b.subarray(start, Math.min(b.length, start + 80)));
    const m = /^application\/[a-z0-9.+-]+/.exec(mt);
    if (m) return m[0];
  }
  // A prefix only shows the first entry or two; the named parts are the usual first entries.
  const head = String.fromCharCode(...b.subarray(0, Math.min(b.length, SNIFF_BYTES)));
  if (head.includes('word/')) return 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
  if (head.includes('xl/')) return 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  if (head.includes('ppt/')) return 'application/vnd.openxmlformats-officedocument.presentationml.presentation';
  if (head.includes('META-INF/')) return 'application/java-archive';
  if (head.includes('[Content_Types].xml')) return 'application/vnd.openxmlformats-officedocument';
  return 'application/zip';
}

/**
 * The MIME type of a body from its first bytes, else the declared media type (parameters
 * dropped), else `application/octet-stream`. `head` may be any prefix of the body.
 */
export function sniffMime(head: Uint8Array, declared?: string | null): string {
  const b = head.length > SNIFF_BYTES ? head.subarray(0, SNIFF_BYTES) : head;
  const sniffed = sniffMagic(b);
  if (sniffed) return sniffed;
  return mediaType(declared) ?? 'application/octet-stream';
}

/** The type the magic numbers prove, or null when nothing matches (empty, unknown binary). */
export function sniffMagic(b: Uint8Array): string | null {
  if (b.length === 0) return null;
  if (startsWith(b, ascii('MZ'))) return 'application/x-msdownload';
  if (startsWith(b, [0x7f, 0x45, 0x4c, 0x46])) return 'application/x-elf';
  if (startsWith(b, ascii('%PDF-'))) return 'application/pdf';
  if (startsWith(b, [0x50, 0x4b, 0x03, 0x04]) || startsWith(b, [0x50, 0x4b, 0x05, 0x06])) return zipFlavour(b);
  if (startsWith(b, [0x1f, 0x8b])) return 'application/gzip';
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(b, ascii('GIF87a')) || startsWith(b, ascii('GIF89a'))) return 'image/gif';
  if (startsWith(b, ascii('MSCF')) && startsWith(b, [0, 0, 0, 0], 4)) return 'application/vnd.ms-cab-compressed';
  if (startsWith(b, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return 'application/x-7z-compressed';
  if (startsWith(b, ascii('Rar!\x1a\x07'))) return 'application/vnd.rar';
  if (startsWith(b, [0xca, 0xfe, 0xba, 0xbe])) {
    // 0xCAFEBABE is also the Mach-O fat header; a class file's major version (bytes 6-7) is >= 45,
    // a fat binary's architecture count there is small.
    const major = b.length >= 8 ? (b[6]! << 8) | b[7]! : 0;
    return major >= 45 ? 'application/java-vm' : 'application/x-mach-binary';
  }
  if (startsWith(b, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return 'application/x-ole-storage';
  if (startsWith(b, ascii('BM')) && b.length >= 14 && b[6] === 0 && b[7] === 0 && b[8] === 0 && b[9] === 0) return 'image/bmp';
  if (startsWith(b, ascii('RIFF')) && startsWith(b, ascii('WEBP'), 8)) return 'image/webp';
  if (startsWith(b, ascii('#!'))) return 'text/x-shellscript';
  if (!looksTextual(b)) return null;
  const t = textHead(b, 64);
  if (t.startsWith('<?xml')) return 'text/xml';
  if (t.startsWith('<!doctype html') || /^<(html|head|body|script|iframe|title|div|table|a |p>|br|h1|style|font|b>)/.test(t)) {
    return 'text/html';
  }
  if (t.startsWith('<?php') || (t.startsWith('<?') && !t.startsWith('<?xml'))) return 'application/x-httpd-php';
  if (t.startsWith('<%@') || t.startsWith('<%')) return 'application/x-jsp';
  if (t.startsWith('<svg')) return 'image/svg+xml';
  if (t.startsWith('{') || t.startsWith('[')) {
    // JSON starts with an object or an array whose next token is a value (RFC 8259 §2).
    if (/^[{[]\s*($|["{[\]}\d-]|true|false|null)/.test(t)) return 'application/json';
  }
  return null;
}
