/**
 * Display-filter text built from values the views show. Every value is captured data, so it is
 * never pasted into a filter raw: strings become Wireshark string literals (`"` and `\` escaped,
 * control bytes as \xHH, per the Wireshark 4 display-filter grammar, wireshark-filter(4)
 * "Literals"), and addresses/numbers are accepted only when they look like what they claim to
 * be. Anything else yields null and the view offers no filter pivot for it.
 */

/** A Wireshark display-filter string literal for `s`. */
export function quoteFilterString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + '"';
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
// RFC 5952 text (and the usual variants): hex groups, '::', an optional dotted-quad tail.
const IPV6 = /^[0-9A-Fa-f:.]{2,45}$/;
const MAC = /^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$/;

export type AddrKind = 'ipv4' | 'ipv6' | 'mac';

export function addrKind(addr: string): AddrKind | null {
  const m = IPV4.exec(addr);
  if (m) return m.slice(1).every((p) => Number(p) <= 255) ? 'ipv4' : null;
  if (MAC.test(addr)) return 'mac';
  if (IPV6.test(addr) && addr.includes(':')) return 'ipv6';
  return null;
}

/** `ip.addr == X` / `ipv6.addr == X` / `eth.addr == X`, or null when `addr` is not an address. */
export function addrFilter(addr: string): string | null {
  switch (addrKind(addr)) {
    case 'ipv4':
      return `ip.addr == ${addr}`;
    case 'ipv6':
      return `ipv6.addr == ${addr}`;
    case 'mac':
      return `eth.addr == ${addr.replace(/-/g, ':')}`;
    default:
      return null;
  }
}

/** True for an address the connections graph can centre on (IP only: the graph is IP-level). */
export function isHostAddr(addr: string): boolean {
  const k = addrKind(addr);
  return k === 'ipv4' || k === 'ipv6';
}

/** `tcp.port == N` / `udp.port == N`, or null for another transport or a non-port. */
export function portFilter(proto: string, port: number | null): string | null {
  if (port === null || !Number.isInteger(port) || port < 0 || port > 65535) return null;
  if (proto === 'tcp' || proto === 'udp') return `${proto}.port == ${port}`;
  return null;
}

/** `field == "value"` for a string field. */
export function stringFilter(field: string, value: string): string {
  return `${field} == ${quoteFilterString(value)}`;
}

/** `field == N` for an unsigned integer field, or null when `n` is not one. */
export function numberFilter(field: string, n: number | null): string | null {
  if (n === null || !Number.isSafeInteger(n) || n < 0) return null;
  return `${field} == ${n}`;
}

/** Wireshark's "Filter on this conversation" expression for an IP (and port) pair. */
export function conversationFilter(proto: string, a: string, pa: number | null, b: string, pb: number | null): string | null {
  const fa = addrFilter(a);
  const fb = addrFilter(b);
  if (fa === null || fb === null) return null;
  const parts = [fa];
  const pfa = portFilter(proto, pa);
  if (pfa) parts.push(pfa);
  parts.push(fb);
  const pfb = portFilter(proto, pb);
  if (pfb) parts.push(pfb);
  return parts.join(' && ');
}
