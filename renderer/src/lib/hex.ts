/**
 * The hex pane's model: rows of 16 bytes with offset, hex and ASCII columns, each split into
 * at most three runs (before / inside / after the highlighted field) so a 256 KiB frame is
 * ~16k rows × 6 text runs, not a quarter-million spans.
 */
export const BYTES_PER_ROW = 16;

export interface HexRun {
  text: string;
  highlight: boolean;
}

export interface HexRow {
  offset: number;
  /** Offset column text: 4 hex digits, more for frames over 64 KiB. */
  offsetText: string;
  hex: HexRun[];
  ascii: HexRun[];
}

export interface ByteRange {
  start: number;
  /** Exclusive. */
  end: number;
}

/** Lower-case hex (FrameDetail.hex) → bytes; odd or non-hex characters end the data. */
export function hexToBytes(hex: string): Uint8Array {
  const n = Math.floor(hex.length / 2);
  const out = new Uint8Array(n);
  let i = 0;
  for (; i < n; i++) {
    const v = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
    if (Number.isNaN(v)) break;
    out[i] = v;
  }
  return i === n ? out : out.slice(0, i);
}

/**
 * The bytes of a tree node clipped to the frame: null when the node has no bytes (offset −1,
 * length 0: generated fields, reassembled application data) or lies wholly outside.
 */
export function highlightRange(offset: number, length: number, frameLength: number): ByteRange | null {
  if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length <= 0) return null;
  const start = Math.min(offset, frameLength);
  const end = Math.min(offset + length, frameLength);
  return end > start ? { start, end } : null;
}

const printable = (b: number): string => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.');

function runs(parts: [string, boolean][]): HexRun[] {
  const out: HexRun[] = [];
  for (const [text, highlight] of parts) {
    if (text === '') continue;
    const last = out[out.length - 1];
    if (last && last.highlight === highlight) last.text += text;
    else out.push({ text, highlight });
  }
  return out;
}

export function hexRows(bytes: Uint8Array, range: ByteRange | null): HexRow[] {
  const width = bytes.length > 0x10000 ? 8 : 4;
  const rows: HexRow[] = [];
  for (let offset = 0; offset < bytes.length; offset += BYTES_PER_ROW) {
    const end = Math.min(offset + BYTES_PER_ROW, bytes.length);
    const hexParts: [string, boolean][] = [];
    const asciiParts: [string, boolean][] = [];
    for (let i = offset; i < end; i++) {
      const b = bytes[i]!;
      const inside = range !== null && i >= range.start && i < range.end;
      // The separator after a byte belongs to the highlight only when the next byte does too,
      // so a highlighted run has no trailing space; an extra space splits the row in halves.
      const nextInside = range !== null && i + 1 >= range.start && i + 1 < range.end && i + 1 < end;
      const sep = i + 1 === end ? '' : i - offset === 7 ? '  ' : ' ';
      hexParts.push([b.toString(16).padStart(2, '0'), inside]);
      if (sep) hexParts.push([sep, inside && nextInside]);
      asciiParts.push([printable(b), inside]);
    }
    rows.push({ offset, offsetText: offset.toString(16).padStart(width, '0'), hex: runs(hexParts), ascii: runs(asciiParts) });
  }
  return rows;
}
