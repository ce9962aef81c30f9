/** Text forms used everywhere (CLI, API, exporters): one implementation each. */

export function formatIp4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

const HEX = '0123456789abcdef';

/** 48-bit MAC held in a JS number → aa:bb:cc:dd:ee:ff */
export function formatMac(n: number): string {
  let s = '';
  for (let i = 5; i >= 0; i--) {
    const b = Math.floor(n / 2 ** (8 * i)) & 255;
    s += HEX[b >> 4]! + HEX[b & 15]! + (i ? ':' : '');
  }
  return s;
}

/** Epoch seconds + nanoseconds → "1385400647.217572000" (tshark's frame.time_epoch form). */
export function formatEpoch(sec: number, nsec: number): string {
  return `${sec}.${String(nsec).padStart(9, '0')}`;
}

export function toHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i]! >> 4]! + HEX[b[i]! & 15]!;
  return s;
}

/** Seconds since a reference time, with 6 decimals as tshark's default column shows them. */
export function formatRelative(sec: number, nsec: number, refSec: number, refNsec: number): string {
  let ds = sec - refSec;
  let dn = nsec - refNsec;
  if (dn < 0) {
    dn += 1e9;
    ds -= 1;
  }
  const neg = ds < 0;
  if (neg) {
    // Negative deltas (out-of-order timestamps): compute on the absolute value.
    const total = -(ds * 1e9 + dn);
    ds = Math.floor(total / 1e9);
    dn = total - ds * 1e9;
  }
  return `${neg ? '-' : ''}${ds}.${String(Math.floor(dn / 1000)).padStart(6, '0')}`;
}
