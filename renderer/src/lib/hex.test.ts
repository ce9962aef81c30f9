import { describe, expect, it } from 'vitest';
import { hexRows, hexToBytes, highlightRange } from './hex.js';

const text = (runs: { text: string; highlight: boolean }[]) => runs.map((r) => (r.highlight ? `[${r.text}]` : r.text)).join('');

describe('hex pane model', () => {
  // 20 bytes: 00 01 .. 13
  const bytes = hexToBytes(Array.from({ length: 20 }, (_, i) => i.toString(16).padStart(2, '0')).join(''));

  it('decodes FrameDetail.hex and stops at garbage', () => {
    expect([...hexToBytes('00ff7f')]).toEqual([0, 255, 127]);
    expect([...hexToBytes('00zz11')]).toEqual([0]);
    expect(hexToBytes('').length).toBe(0);
  });

  it('lays out 16 bytes a row with offset, hex and ASCII columns', () => {
    const rows = hexRows(hexToBytes('48656c6c6f00'), null);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.offsetText).toBe('0000');
    expect(text(rows[0]!.hex)).toBe('48 65 6c 6c 6f 00');
    expect(text(rows[0]!.ascii)).toBe('Hello.');
    const two = hexRows(bytes, null);
    expect(two.map((r) => r.offsetText)).toEqual(['0000', '0010']);
    expect(text(two[0]!.hex)).toBe('00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f');
  });

  it('highlights exactly the field bytes, across rows, without trailing separators', () => {
    const r = highlightRange(14, 4, bytes.length);
    expect(r).toEqual({ start: 14, end: 18 });
    const rows = hexRows(bytes, r);
    expect(text(rows[0]!.hex)).toBe('00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d [0e 0f]');
    expect(text(rows[1]!.hex)).toBe('[10 11] 12 13');
    expect(text(rows[1]!.ascii)).toBe('[..]..');
  });

  it('no highlight for offset −1, zero length, or bytes outside the frame; clipped at the end', () => {
    expect(highlightRange(-1, 0, 20)).toBeNull();
    expect(highlightRange(-1, 4, 20)).toBeNull();
    expect(highlightRange(3, 0, 20)).toBeNull();
    expect(highlightRange(25, 2, 20)).toBeNull();
    expect(highlightRange(18, 10, 20)).toEqual({ start: 18, end: 20 });
  });

  it('uses 8 offset digits past 64 KiB', () => {
    expect(hexRows(new Uint8Array(0x10001), null)[1]!.offsetText).toBe('00000010');
  });
});
