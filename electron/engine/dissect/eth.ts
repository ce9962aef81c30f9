/**
 * Ethernet II and IEEE 802.3 (IEEE Std 802.3 clause 3.2.6: a type/length field ≤ 1500
 * is a length and an 802.2 LLC header follows; ≥ 1536 is an ethertype; values between
 * are invalid).
 *
 *   0                   6                   12      14
 *   +-------------------+-------------------+-------+--------------
 *   | destination MAC   | source MAC        | type  | payload ...
 *   +-------------------+-------------------+-------+--------------
 *
 * No FCS handling: captures almost never carry it, and trailing bytes (padding, FCS)
 * are excluded by the IP layer's own length anyway.
 */
import { need, type Ctx } from './ctx.js';
import { bits, macNum, macText, u16At } from './format.js';
import { dissectLlc } from './llc.js';
import { dispatchEthertype, ETHERTYPE_NAMES } from './tables.js';

/** Largest 802.3 length value (IEEE 802.3 §3.2.6); 1501..1535 are invalid. */
const MAX_8023_LENGTH = 1500;
const MIN_ETHERTYPE = 0x0600;

export function ethertypeLabel(type: number): string {
  const n = ETHERTYPE_NAMES.get(type);
  return `${n ? n[1] : 'Unknown'} (0x${type.toString(16).padStart(4, '0')})`;
}

function macTree(c: Ctx, off: number, name: string, field: string): void {
  const t = c.tree!;
  const d = c.data;
  const mac = macText(d, off);
  t.open(`${name}: ${mac}`, off, 6, field, mac);
  t.add(`Address: ${mac}`, off, 6, 'eth.addr', mac);
  const top = (d[off]! << 16) | (d[off + 1]! << 8) | d[off + 2]!;
  const lg = (top & 0x020000) !== 0;
  const ig = (top & 0x010000) !== 0;
  t.add(
    `${bits(top, 0x020000, 24)}LG bit: ${lg ? 'Locally administered address (this is NOT the factory default)' : 'Globally unique address (factory default)'}`,
    off, 3, `${field}.lg`, lg,
  );
  t.add(`${bits(top, 0x010000, 24)}IG bit: ${ig ? 'Group address (multicast/broadcast)' : 'Individual address (unicast)'}`, off, 3, `${field}.ig`, ig);
  t.close();
}

export function dissectEth(c: Ctx, off: number, end: number, rend: number): void {
  c.layer = 'eth';
  c.push('eth');
  const s = c.s;
  s.protocol = 'Ethernet';
  s.info = '';
  need(off, 14, end, rend);
  const d = c.data;
  if (c.outer) {
    s.ethDst = macNum(d, off);
    s.ethSrc = macNum(d, off + 6);
  }
  c.vlanTags = 0;
  c.vlanId = -1;
  const type = u16At(d, off + 12);
  const t = c.tree;
  if (type <= MAX_8023_LENGTH) {
    if (t !== null) {
      t.open(`IEEE 802.3 Ethernet`, off, 14, 'eth');
      macTree(c, off, 'Destination', 'eth.dst');
      macTree(c, off + 6, 'Source', 'eth.src');
      t.add(`Length: ${type}`, off + 12, 2, 'eth.len', type);
    }
    const p = off + 14;
    if (p + type > rend) c.anomaly('malformed', off + 12, 'Length field value goes past the end of the payload');
    if (t !== null) t.close();
    const lend = Math.min(rend, p + type);
    if (end - p >= 2 && d[p] === 0xff && d[p + 1] === 0xff) {
      // Novell "raw 802.3": IPX straight after the length, no LLC header.
      c.push('ipx');
      s.protocol = 'IPX';
      s.info = 'IPX';
      return;
    }
    dissectLlc(c, p, Math.min(end, lend), lend);
    return;
  }
  if (t !== null) {
    t.open(`Ethernet II, Src: ${macText(d, off + 6)}, Dst: ${macText(d, off)}`, off, 14, 'eth');
    macTree(c, off, 'Destination', 'eth.dst');
    macTree(c, off + 6, 'Source', 'eth.src');
  }
  if (type < MIN_ETHERTYPE) {
    const hex = type.toString(16).padStart(4, '0');
    s.info = `Ethernet Unknown: Invalid length/type: 0x${hex} (${type})`;
    if (t !== null) t.add(`Invalid length/type: 0x${hex} (${type})`, off + 12, 2, 'eth.invalid_lentype', type);
    c.anomaly('malformed', off + 12, `Invalid length/type: 0x${hex} (${type})`);
    if (t !== null) t.close();
    return;
  }
  if (t !== null) {
    t.add(`Type: ${ethertypeLabel(type)}`, off + 12, 2, 'eth.type', type);
    t.close();
  }
  s.info = 'Ethernet II';
  dispatchEthertype(c, type, off + 14, end, rend);
}
