/** RFC 1071 Internet checksum helpers (tree mode only: the fast path never validates). */

/** Unfolded one's-complement sum of big-endian 16-bit words of b[off, off+len). */
export function sum16(b: Uint8Array, off: number, len: number, acc: number): number {
  const last = off + len - 1;
  let i = off;
  for (; i < last; i += 2) acc += (b[i]! << 8) | b[i + 1]!;
  if (i === last) acc += b[i]! << 8;
  return acc;
}

export function fold(acc: number): number {
  while (acc > 0xffff) acc = (acc & 0xffff) + Math.floor(acc / 0x10000);
  return ~acc & 0xffff;
}

/**
 * Checksum of the message b[off, off+len) whose checksum field is at `ckOff`, computed
 * as if that field were zero, starting from `acc` (a pseudo-header sum, or 0).
 */
export function expectedChecksum(b: Uint8Array, off: number, len: number, ckOff: number, acc: number): number {
  acc = sum16(b, off, ckOff - off, acc);
  acc = sum16(b, ckOff + 2, off + len - ckOff - 2, acc);
  return fold(acc);
}

/** Wireshark's label tail: "[correct]" or "[incorrect, should be 0x1234]". */
export function checksumLabel(stored: number, expected: number): string {
  const hex = (v: number): string => v.toString(16).padStart(4, '0');
  return stored === expected ? `0x${hex(stored)} [correct]` : `0x${hex(stored)} [incorrect, should be 0x${hex(expected)}]`;
}
