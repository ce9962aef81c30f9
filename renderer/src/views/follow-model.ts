/**
 * Follow-stream text: decoding the segments' base64 and rendering bytes as Wireshark's
 * "Follow TCP Stream" does in ASCII and Hex Dump modes. Pure functions over bytes; the view
 * puts their output into React text nodes only.
 */
import type { StreamSegment } from '../../../shared/model.js';

/** Base64 → bytes; invalid text gives an empty array (the engine wrote it, but never trust it). */
export function decodeBase64(s: string): Uint8Array {
  try {
    const bin = atob(s);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return new Uint8Array(0);
  }
}

/**
 * ASCII mode: printable ASCII, tab and line breaks kept; CR before LF folded into the line
 * break; every other byte shown as '.'. (Wireshark's ASCII view does the same.)
 */
export function asciiText(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x0d && bytes[i + 1] === 0x0a) continue;
    if (b === 0x0a || b === 0x09 || (b >= 0x20 && b < 0x7f)) out += String.fromCharCode(b);
    else out += '.';
  }
  return out;
}

function hex2(b: number): string {
  return b.toString(16).padStart(2, '0');
}

/** Bytes per hex-dump line, as in Wireshark and hexdump -C. */
export const HEX_LINE = 16;

/**
 * Hex dump lines: `OOOOOOOO  hh hh … hh  hh … hh  |ascii|`, offsets counted within the
 * direction's stream (the segment's `offset`), so client and server dumps each read on.
 */
export function hexDump(bytes: Uint8Array, startOffset: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += HEX_LINE) {
    const row = bytes.subarray(i, Math.min(bytes.length, i + HEX_LINE));
    let hex = '';
    let asc = '';
    for (let j = 0; j < HEX_LINE; j++) {
      const b = row[j];
      hex += b === undefined ? '   ' : `${hex2(b)} `;
      if (j === 7) hex += ' ';
      if (b !== undefined) asc += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
    }
    lines.push(`${(startOffset + i).toString(16).padStart(8, '0')}  ${hex} |${asc}|`);
  }
  return lines;
}

export type Direction = 'both' | 'client' | 'server';

export function keepSegment(seg: StreamSegment, dir: Direction): boolean {
  return dir === 'both' || (dir === 'client' ? seg.dir === 0 : seg.dir === 1);
}

/** The followed bytes as plain text (ASCII mode, gaps marked), for "Copy as text". */
export function streamText(segments: readonly StreamSegment[], dir: Direction, gapText: (n: number) => string): string {
  let out = '';
  for (const s of segments) {
    if (!keepSegment(s, dir)) continue;
    if (s.gap) out += `${gapText(s.gap)}\n`;
    else out += asciiText(decodeBase64(s.data));
  }
  return out;
}

/** `addr:port`, with IPv6 in brackets (RFC 5952 §6). */
export function endpointText(addr: string, port: number): string {
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}
