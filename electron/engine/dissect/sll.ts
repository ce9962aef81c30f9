/**
 * Linux "cooked" capture headers (tcpdump.org link-layer types LINKTYPE_LINUX_SLL = 113
 * and LINKTYPE_LINUX_SLL2 = 276).
 *
 * SLL (16 bytes):  | packet type (2) | ARPHRD type (2) | addr len (2) | addr (8) | protocol (2) |
 * SLL2 (20 bytes): | protocol (2) | reserved (2) | ifindex (4) | ARPHRD type (2) |
 *                  | packet type (1) | addr len (1) | addr (8) |
 *
 * The protocol is an ethertype, except for a few Linux values below 0x0600 (802.2 LLC
 * frames and the like). Wireshark's SLL dissector (abbreviation `sll` for both) puts
 * the packet type in the Info column; the next layer replaces it.
 */
import { need, type Ctx } from './ctx.js';
import { ethertypeLabel } from './eth.js';
import { hex4, hexBytes, macNum, macText, u16At, u32At } from './format.js';
import { dissectLlc } from './llc.js';
import { dispatchEthertype } from './tables.js';

const PKTTYPES = ['Unicast to us', 'Broadcast', 'Multicast', 'Unicast to another host', 'Sent by us'];

/** Linux protocol values below 0x0600 that are not ethertypes (linux/if_ether.h). */
const LINUX_PROTOCOLS = new Map<number, string>([
  [0x0001, 'Novell 802.3'],
  [0x0002, 'AX.25'],
  [0x0003, 'All'],
  [0x0004, '802.2 LLC'],
  [0x0005, 'SNAP'],
  [0x0006, 'DDCMP'],
  [0x000c, 'CAN'],
  [0x000d, 'CAN FD'],
  [0x0010, 'Localtalk'],
  [0x0011, 'PPP Multi'],
  [0x0019, 'IEEE 802.15.4'],
]);

const ARPHRD_ETHER = 1;
const ARPHRD_LOOPBACK = 772;

function pkttypeText(p: number): string {
  return PKTTYPES[p] ?? 'Unknown';
}

function sllPayload(c: Ctx, protocol: number, off: number, end: number, rend: number, protoOff: number): void {
  const t = c.tree;
  if (protocol >= 0x0600) {
    if (t !== null) t.add(`Protocol: ${ethertypeLabel(protocol)}`, protoOff, 2, 'sll.etype', protocol);
    if (t !== null) t.close();
    dispatchEthertype(c, protocol, off, end, rend);
    return;
  }
  const name = LINUX_PROTOCOLS.get(protocol) ?? 'Unknown';
  if (t !== null) {
    t.add(`Protocol: ${name} (0x${hex4(protocol)})`, protoOff, 2, 'sll.ltype', protocol);
    t.close();
  }
  if (protocol === 0x0004) {
    dissectLlc(c, off, end, rend);
    return;
  }
  c.s.protocol = name === 'Unknown' ? `0x${hex4(protocol)}` : name;
}

export function dissectSll(c: Ctx, off: number, end: number, rend: number): void {
  c.layer = 'sll';
  c.push('sll');
  const s = c.s;
  s.protocol = 'SLL';
  s.info = '';
  need(off, 16, end, rend);
  const d = c.data;
  const pkttype = u16At(d, off);
  const hatype = u16At(d, off + 2);
  const halen = u16At(d, off + 4);
  const protocol = u16At(d, off + 14);
  s.info = pkttypeText(pkttype);
  if (c.outer && halen === 6 && (hatype === ARPHRD_ETHER || hatype === ARPHRD_LOOPBACK)) s.ethSrc = macNum(d, off + 6);
  const t = c.tree;
  if (t !== null) {
    t.open(`Linux cooked capture v1`, off, 16, 'sll');
    t.add(`Packet type: ${pkttypeText(pkttype)} (${pkttype})`, off, 2, 'sll.pkttype', pkttype);
    t.add(`Link-layer address type: ${hatype}`, off + 2, 2, 'sll.hatype', hatype);
    t.add(`Link-layer address length: ${halen}`, off + 4, 2, 'sll.halen', halen);
    if (halen === 6) t.add(`Source: ${macText(d, off + 6)}`, off + 6, 6, 'sll.src.eth', macText(d, off + 6));
    else if (halen > 0) t.add(`Source: ${hexBytes(d, off + 6, Math.min(halen, 8))}`, off + 6, Math.min(halen, 8), 'sll.src.other');
    if (halen < 8) t.add(`Unused: ${hexBytes(d, off + 6 + halen, 8 - halen)}`, off + 6 + halen, 8 - halen, 'sll.unused');
  }
  sllPayload(c, protocol, off + 16, end, rend, off + 14);
}

export function dissectSll2(c: Ctx, off: number, end: number, rend: number): void {
  c.layer = 'sll';
  c.push('sll');
  const s = c.s;
  s.protocol = 'SLL';
  s.info = '';
  need(off, 20, end, rend);
  const d = c.data;
  const protocol = u16At(d, off);
  const ifindex = u32At(d, off + 4);
  const hatype = u16At(d, off + 8);
  const pkttype = d[off + 10]!;
  const halen = d[off + 11]!;
  s.info = pkttypeText(pkttype);
  if (c.outer && halen === 6 && (hatype === ARPHRD_ETHER || hatype === ARPHRD_LOOPBACK)) s.ethSrc = macNum(d, off + 12);
  const t = c.tree;
  if (t !== null) {
    t.open(`Linux cooked capture v2`, off, 20, 'sll');
    t.add(`Reserved: ${hex4(u16At(d, off + 2))}`, off + 2, 2, 'sll.reserved');
    t.add(`Interface index: ${ifindex}`, off + 4, 4, 'sll.ifindex', ifindex);
    t.add(`Link-layer address type: ${hatype}`, off + 8, 2, 'sll.hatype', hatype);
    t.add(`Packet type: ${pkttypeText(pkttype)} (${pkttype})`, off + 10, 1, 'sll.pkttype', pkttype);
    t.add(`Link-layer address length: ${halen}`, off + 11, 1, 'sll.halen', halen);
    if (halen === 6) t.add(`Source: ${macText(d, off + 12)}`, off + 12, 6, 'sll.src.eth', macText(d, off + 12));
    else if (halen > 0) t.add(`Source: ${hexBytes(d, off + 12, Math.min(halen, 8))}`, off + 12, Math.min(halen, 8), 'sll.src.other');
  }
  sllPayload(c, protocol, off + 20, end, rend, off);
}
