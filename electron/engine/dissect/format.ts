/**
 * Text forms of addresses and numbers as Wireshark prints them. Callers check bounds
 * before calling (these read a fixed number of bytes at a given offset).
 */

const HEX = '0123456789abcdef';
/** Two-digit lower-case hex for every byte value, so MACs and hex dumps need no toString(16). */
export const HEX2: readonly string[] = Array.from({ length: 256 }, (_, i) => HEX[i >> 4]! + HEX[i & 15]!);

/** Decimal text of 0..65535, made once each: ports, windows and lengths repeat endlessly. */
const U16_TEXT: (string | undefined)[] = new Array<string | undefined>(65536).fill(undefined);

export function u16Text(n: number): string {
  if (n > 0xffff) return String(n);
  let t = U16_TEXT[n];
  if (t === undefined) {
    t = String(n);
    U16_TEXT[n] = t;
  }
  return t;
}

const DIGITS = Array.from({ length: 10000 }, (_, i) => String(i));
const DIGITS4 = DIGITS.map((d) => d.padStart(4, '0'));

/**
 * Decimal text of an unsigned 32-bit integer. V8's number-to-string costs ~120 ns for a
 * random 10-digit value; joining 4-digit table entries costs under half of that, and TCP
 * Info needs two per segment.
 */
export function u32Text(n: number): string {
  if (n < 10000) return DIGITS[n]!;
  const lo = n % 10000;
  const rest = (n - lo) / 10000;
  if (rest < 10000) return DIGITS[rest]! + DIGITS4[lo]!;
  const mid = rest % 10000;
  return DIGITS[(rest - mid) / 10000]! + DIGITS4[mid]! + DIGITS4[lo]!;
}

export function ip4Text(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** 4 bytes at `o` as an unsigned 32-bit integer. */
export function u32At(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) >>> 0) + ((b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!);
}

export function u16At(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

/** 6 bytes at `o` as aa:bb:cc:dd:ee:ff. */
export function macText(b: Uint8Array, o: number): string {
  return (
    HEX2[b[o]!]! + ':' + HEX2[b[o + 1]!]! + ':' + HEX2[b[o + 2]!]! + ':' + HEX2[b[o + 3]!]! + ':' + HEX2[b[o + 4]!]! + ':' + HEX2[b[o + 5]!]!
  );
}

/** 6 bytes at `o` as a 48-bit integer (exact in a double). */
export function macNum(b: Uint8Array, o: number): number {
  return ((b[o]! << 8) | b[o + 1]!) * 0x100000000 + u32At(b, o + 2);
}

/**
 * 16 bytes at `o` in RFC 5952 text: lower case, no leading zeros, the longest run of
 * two or more zero groups (the first on a tie) as "::". IPv4-mapped (::ffff:a.b.c.d)
 * and IPv4-compatible (::a.b.c.d, not :: or ::1) addresses end in a dotted quad, as
 * inet_ntop and Wireshark print them.
 */
export function ip6Text(b: Uint8Array, o: number): string {
  // Longest zero run.
  let bestStart = -1;
  let bestLen = 0;
  let curStart = -1;
  for (let i = 0; i < 8; i++) {
    const zero = b[o + 2 * i] === 0 && b[o + 2 * i + 1] === 0;
    if (zero) {
      if (curStart < 0) curStart = i;
      const len = i - curStart + 1;
      if (len > bestLen) {
        bestLen = len;
        bestStart = curStart;
      }
    } else curStart = -1;
  }
  if (bestLen < 2) bestStart = -1;
  const dotted = bestStart === 0 && (bestLen === 6 || (bestLen === 5 && b[o + 10] === 0xff && b[o + 11] === 0xff));
  const groups = dotted ? 6 : 8;
  let s = '';
  for (let i = 0; i < groups; i++) {
    if (i === bestStart) {
      s += i === 0 ? '::' : ':';
      i += bestLen - 1;
      continue;
    }
    s += ((b[o + 2 * i]! << 8) | b[o + 2 * i + 1]!).toString(16);
    if (i < groups - 1) s += ':';
  }
  if (dotted) {
    if (!s.endsWith(':')) s += ':';
    s += `${b[o + 12]}.${b[o + 13]}.${b[o + 14]}.${b[o + 15]}`;
  }
  return s;
}

export function hex4(n: number): string {
  return HEX2[(n >> 8) & 255]! + HEX2[n & 255]!;
}

export function hex8(n: number): string {
  return hex4((n >>> 16) & 0xffff) + hex4(n & 0xffff);
}

export function hex2(n: number): string {
  return HEX2[n & 255]!;
}

/** Lower-case hex of b[o, o+n). */
export function hexBytes(b: Uint8Array, o: number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += HEX2[b[o + i]!]!;
  return s;
}

/**
 * Wireshark's bit-field prefix: "0100 .... " for bits under `mask` in a `width`-bit
 * value (MSB first, a space every 4 bits).
 */
export function bits(value: number, mask: number, width: number): string {
  let s = '';
  for (let i = width - 1; i >= 0; i--) {
    const bit = 2 ** i;
    const inMask = Math.floor(mask / bit) % 2 === 1;
    s += inMask ? (Math.floor(value / bit) % 2 === 1 ? '1' : '0') : '.';
    if (i % 4 === 0 && i > 0) s += ' ';
  }
  return s + ' = ';
}

/** Wireshark's "%-20s" column padding. */
export function padRight(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Nov 14, 2023 22:13:20.000000000 UTC" (tshark -V with TZ=UTC). */
export function arrivalTimeText(sec: number, nsec: number): string {
  const d = new Date(sec * 1000);
  if (Number.isNaN(d.getTime())) return `${sec}.${String(nsec).padStart(9, '0')} (out of range)`;
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return (
    `${MONTHS[d.getUTCMonth()]} ${p2(d.getUTCDate())}, ${d.getUTCFullYear()} ` +
    `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${String(nsec).padStart(9, '0')} UTC`
  );
}
