/**
 * BSD loopback encapsulations (tcpdump.org link-layer types):
 *  - LINKTYPE_NULL (0): a 4-byte address family in the *capturing host's* byte order,
 *    which need not be the file's. As Wireshark does, a value with the upper 16 bits
 *    set is taken as byte-swapped (families are small numbers).
 *  - LINKTYPE_LOOP (108, OpenBSD): the same, always in network byte order.
 * A value above 1500 is an ethertype (some BSDs wrote those); otherwise it is a BSD
 * AF_ value: 2 = IPv4, and IPv6 is 24 (NetBSD/OpenBSD/BSD/OS), 28 (FreeBSD) or 30
 * (Darwin) since each BSD numbered AF_INET6 differently.
 */
import { need, type Ctx } from './ctx.js';
import { u32At } from './format.js';
import { dispatchEthertype, ethertypes } from './tables.js';

const FAMILIES = new Map<number, string>([
  [2, 'IP'],
  [7, 'OSI'],
  [16, 'Appletalk'],
  [23, 'Netware IPX/SPX'],
  [24, 'IPv6'],
  [28, 'IPv6'],
  [30, 'IPv6'],
]);

function loopback(c: Ctx, off: number, end: number, rend: number, networkOrder: boolean): void {
  c.layer = 'null';
  c.push('null');
  const s = c.s;
  s.protocol = 'N/A';
  s.info = 'Null/Loopback';
  need(off, 4, end, rend);
  const d = c.data;
  let family: number;
  if (networkOrder) family = u32At(d, off);
  else {
    family = (d[off]! | (d[off + 1]! << 8) | (d[off + 2]! << 16) | (d[off + 3]! << 24)) >>> 0;
    if ((family & 0xffff0000) !== 0) family = u32At(d, off);
  }
  const t = c.tree;
  if (family > 1500 && family <= 0xffff) {
    if (t !== null) {
      t.open('Null/Loopback', off, 4, 'null');
      t.add(`Type: 0x${family.toString(16).padStart(4, '0')}`, off, 4, 'null.type', family);
      t.close();
    }
    // tshark's stack shows null:ip here, without an ethertype layer.
    dispatchEthertype(c, family, off + 4, end, rend, true);
    return;
  }
  const name = FAMILIES.get(family);
  if (t !== null) {
    t.open('Null/Loopback', off, 4, 'null');
    t.add(`Family: ${name ?? 'Unknown'} (${family})`, off, 4, 'null.family', family);
    t.close();
  }
  const next = family === 2 ? ethertypes.get(0x0800) : name === 'IPv6' ? ethertypes.get(0x86dd) : undefined;
  if (next === undefined) {
    c.anomaly('unsupported', off, `Unknown BSD address family ${family}`);
    c.push('data');
    return;
  }
  next(c, off + 4, end, rend);
}

export function dissectNull(c: Ctx, off: number, end: number, rend: number): void {
  loopback(c, off, end, rend, false);
}

export function dissectLoop(c: Ctx, off: number, end: number, rend: number): void {
  loopback(c, off, end, rend, true);
}
