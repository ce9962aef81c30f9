/**
 * IEEE 802.1Q VLAN tag (TPID 0x8100, and 0x9100 as pre-standard Q-in-Q) and IEEE
 * 802.1ad S-tag (TPID 0x88a8). The TPID was the ethertype that brought us here; the
 * tag itself is:
 *
 *   +-----+---+--------------+----------------+
 *   | PCP |DEI| VID (12 bit) | inner type/len |
 *   +-----+---+--------------+----------------+
 *    3 bit 1 bit               16 bit
 */
import { need, type Ctx } from './ctx.js';
import { dissectLlc } from './llc.js';
import { ethertypeLabel } from './eth.js';
import { bits, u16At } from './format.js';
import { dispatchEthertype } from './tables.js';

/**
 * Tags followed per frame. 802.1ad stacks two; provider networks occasionally three.
 * Eight is generous for real traffic and bounds a crafted frame made of nothing but tags.
 */
export const MAX_VLAN_TAGS = 8;

const PRIORITY = ['Best Effort (default)', 'Background', 'Excellent Effort', 'Critical Applications', 'Video, < 100ms latency and jitter', 'Voice, < 10ms latency and jitter', 'Internetwork Control', 'Network Control'];

function tag(c: Ctx, off: number, end: number, rend: number, qinq: boolean): void {
  c.layer = 'vlan';
  c.push(qinq ? 'ieee8021ad' : 'vlan');
  const s = c.s;
  s.protocol = 'VLAN';
  s.info = '';
  if (++c.vlanTags > MAX_VLAN_TAGS) {
    c.anomaly('malformed', off, `More than ${MAX_VLAN_TAGS} VLAN tags; the rest of the frame is not dissected`);
    return;
  }
  need(off, 2, end, rend);
  const d = c.data;
  const tci = u16At(d, off);
  const id = tci & 0x0fff;
  const pri = tci >> 13;
  const dei = (tci >> 12) & 1;
  if (c.vlanId < 0) c.vlanId = id;
  if (c.outer && s.vlanId < 0) s.vlanId = id;
  s.info = `PRI: ${pri}  DEI: ${dei}  ID: ${id}`;
  need(off, 4, end, rend);
  const type = u16At(d, off + 2);
  const t = c.tree;
  if (t !== null) {
    const f = qinq ? 'ieee8021ad' : 'vlan';
    t.open(qinq ? `IEEE 802.1ad, ID: ${id}` : `802.1Q Virtual LAN, PRI: ${pri}, DEI: ${dei}, ID: ${id}`, off, 4, f);
    t.add(`${bits(tci, 0xe000, 16)}Priority: ${PRIORITY[pri]} (${pri})`, off, 2, `${f}.priority`, pri);
    t.add(`${bits(tci, 0x1000, 16)}DEI: ${dei ? 'Eligible' : 'Ineligible'}`, off, 2, `${f}.dei`, dei);
    t.add(`${bits(tci, 0x0fff, 16)}ID: ${id}`, off, 2, `${f}.id`, id);
    if (type <= 1500) t.add(`Length: ${type}`, off + 2, 2, 'vlan.len', type);
    else t.add(`Type: ${ethertypeLabel(type)}`, off + 2, 2, 'vlan.etype', type);
    t.close();
  }
  if (type <= 1500) {
    const lend = Math.min(rend, off + 4 + type);
    dissectLlc(c, off + 4, Math.min(end, lend), lend);
    return;
  }
  dispatchEthertype(c, type, off + 4, end, rend);
}

export function dissectVlan(c: Ctx, off: number, end: number, rend: number): void {
  tag(c, off, end, rend, false);
}

export function dissect8021ad(c: Ctx, off: number, end: number, rend: number): void {
  tag(c, off, end, rend, true);
}
