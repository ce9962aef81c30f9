/**
 * VXLAN (RFC 7348) on UDP/4789: an 8-byte header, then a whole inner Ethernet frame.
 *
 *   +-+-+-+-+-+-+-+-+-------------------------------------------------+
 *   |R|R|R|R|I|R|R|R|            Reserved (24) / GBP fields           |
 *   +-+-+-+-+-+-+-+-+-----------------------------------+-------------+
 *   |           VXLAN Network Identifier (VNI, 24)      | Reserved(8) |
 *   +---------------------------------------------------+-------------+
 *
 * Like tshark, the inner frame is dissected: its addresses become further occurrences
 * of ip.src / ip.dst in the tree and the columns show the inner protocol, but the
 * summary's addresses and ports stay the outer ones (the inner ones go to
 * `summary.inner`).
 */
import { need, type Ctx } from './ctx.js';
import { bits } from './format.js';
import { dissectEth } from './eth.js';

/**
 * Tunnels followed inside one frame (VXLAN, IP-in-IP). Real networks nest one or two;
 * four bounds a crafted frame that tunnels into itself over and over.
 */
export const MAX_ENCAP_DEPTH = 4;

/** Enter a tunnel; false (and an anomaly) when the nesting limit is reached. */
export function enterTunnel(c: Ctx, off: number): boolean {
  if (c.encap >= MAX_ENCAP_DEPTH) {
    c.anomaly('malformed', off, `More than ${MAX_ENCAP_DEPTH} nested tunnels; the inner packet is not dissected`);
    return false;
  }
  c.encap++;
  return true;
}

export function dissectVxlan(c: Ctx, off: number, end: number, rend: number): void {
  c.layer = 'vxlan';
  c.push('vxlan');
  const s = c.s;
  s.protocol = 'VXLAN';
  s.info = '';
  need(off, 8, end, rend);
  const d = c.data;
  const flags = (d[off]! << 8) | d[off + 1]!;
  const gbp = (d[off + 2]! << 8) | d[off + 3]!;
  const vni = (d[off + 4]! << 16) | (d[off + 5]! << 8) | d[off + 6]!;
  const t = c.tree;
  if (t !== null) {
    t.open('Virtual eXtensible Local Area Network', off, 8, 'vxlan');
    t.open(`Flags: 0x${flags.toString(16).padStart(4, '0')}${flags & 0x0800 ? ', VXLAN Network ID (VNI)' : ''}`, off, 2, 'vxlan.flags', flags);
    t.add(`${bits(flags, 0x8000, 16)}GBP Extension: ${flags & 0x8000 ? 'Defined' : 'Not defined'}`, off, 2, 'vxlan.flags.gbp', (flags & 0x8000) !== 0);
    t.add(`${bits(flags, 0x0800, 16)}VXLAN Network ID (VNI): ${flags & 0x0800 ? 'True' : 'False'}`, off, 2, 'vxlan.flags.vni', (flags & 0x0800) !== 0);
    t.add(`${bits(flags, 0x77b7, 16)}Reserved(R): 0x${(flags & 0x77b7).toString(16).padStart(4, '0')}`, off, 2, 'vxlan.flags.reserved', flags & 0x77b7);
    t.close();
    t.add(`Group Policy ID: ${gbp}`, off + 2, 2, 'vxlan.gpid', gbp);
    t.add(`VXLAN Network Identifier (VNI): ${vni}`, off + 4, 3, 'vxlan.vni', vni);
    t.add(`Reserved: ${d[off + 7]}`, off + 7, 1, 'vxlan.reserved_8', d[off + 7]!);
    t.close();
  }
  if (!enterTunnel(c, off)) return;
  dissectEth(c, off + 8, end, rend);
}
