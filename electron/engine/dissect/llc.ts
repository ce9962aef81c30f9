/**
 * IEEE 802.2 LLC (and the RFC 1042 SNAP extension), reached from 802.3 frames and SLL.
 * We only name it: SNAP with OUI 0 carries an ethertype and is dispatched as such;
 * anything else gets Wireshark's LLC summary ("U, func=UI; DSAP ... , SSAP ...").
 *
 *   +------+------+-----------------+----------------------------+
 *   | DSAP | SSAP | control (1 or 2)| SNAP: OUI (3) + PID (2) ...|
 *   +------+------+-----------------+----------------------------+
 */
import { need, type Ctx } from './ctx.js';
import { hex2, hex4, u16At } from './format.js';
import { dispatchEthertype } from './tables.js';

const SAP_NAMES = new Map<number, string>([
  [0x00, 'NULL LSAP'],
  [0x02, 'LLC Sub-Layer Management Individual'],
  [0x04, 'SNA Path Control Individual'],
  [0x06, 'TCP/IP'],
  [0x42, 'Spanning Tree BPDU'],
  [0x7e, 'ISO 8208 (X.25 over 802.2)'],
  [0x80, 'XNS'],
  [0xaa, 'SNAP'],
  [0xe0, 'NetWare'],
  [0xf0, 'NetBIOS'],
  [0xf4, 'IBM Net Management'],
  [0xfe, 'ISO Network Layer (OSLAN 1)'],
  [0xff, 'Global LSAP'],
]);

/** Protocol column for the SAPs whose payload Wireshark would dissect further. */
const SAP_COLUMN = new Map<number, string>([
  [0x42, 'STP'],
  [0xe0, 'IPX'],
  [0xf0, 'NetBIOS'],
  [0xfe, 'ISO'],
]);

const U_FUNC = new Map<number, string>([
  [0x03, 'UI'],
  [0x0f, 'DM'],
  [0x43, 'DISC'],
  [0x63, 'UA'],
  [0x6f, 'SABME'],
  [0x87, 'FRMR'],
  [0xaf, 'XID'],
  [0xe3, 'TEST'],
]);

const S_FUNC = ['RR', 'RNR', 'REJ', 'Unknown'];

function sapText(v: number): string {
  return SAP_NAMES.get(v & 0xfe) ?? `0x${hex2(v & 0xfe)}`;
}

export function dissectLlc(c: Ctx, off: number, end: number, rend: number): void {
  c.layer = 'llc';
  c.push('llc');
  const s = c.s;
  s.protocol = 'LLC';
  s.info = '';
  need(off, 3, end, rend);
  const d = c.data;
  const dsap = d[off]!;
  const ssap = d[off + 1]!;
  let ctrl = d[off + 2]!;
  let clen = 1;
  let summary: string;
  if ((ctrl & 0x03) === 0x03) {
    summary = `U, func=${U_FUNC.get(ctrl & 0xef) ?? 'Unknown'}`;
  } else {
    need(off, 4, end, rend);
    ctrl = u16At(d, off + 2);
    clen = 2;
    const nr = (ctrl & 0xfe) >> 1;
    summary = (ctrl & 0x0100) === 0
      ? `I, N(R)=${nr}, N(S)=${(ctrl >> 9) & 0x7f}`
      : `S, func=${S_FUNC[(ctrl >> 10) & 3]}, N(R)=${nr}`;
  }
  const t = c.tree;
  const snap = dsap === 0xaa && ssap === 0xaa && clen === 1;
  if (t !== null) {
    t.open('Logical-Link Control', off, snap ? 8 : 2 + clen, 'llc');
    t.add(`DSAP: ${sapText(dsap)} (0x${hex2(dsap & 0xfe)})`, off, 1, 'llc.dsap', dsap & 0xfe);
    t.add(`SSAP: ${sapText(ssap)} (0x${hex2(ssap & 0xfe)})`, off + 1, 1, 'llc.ssap', ssap & 0xfe);
    t.add(`Control field: ${summary.split(',')[0]} (0x${clen === 1 ? hex2(ctrl) : hex4(ctrl)})`, off + 2, clen, 'llc.control', ctrl);
  }
  if (snap) {
    need(off, 8, end, rend);
    const oui = (d[off + 3]! << 16) | (d[off + 4]! << 8) | d[off + 5]!;
    const pid = u16At(d, off + 6);
    if (t !== null) {
      t.add(`Organization Code: 0x${oui.toString(16).padStart(6, '0')}`, off + 3, 3, 'llc.oui', oui);
      t.add(`${oui === 0 ? 'Type' : 'PID'}: 0x${hex4(pid)}`, off + 6, 2, oui === 0 ? 'llc.type' : 'llc.pid', pid);
      t.close();
    }
    // RFC 1042 (OUI 00-00-00) and 802.1H (00-00-f8) encapsulate an ethertype.
    if (oui === 0 || oui === 0xf8) {
      dispatchEthertype(c, pid, off + 8, end, rend, true);
      return;
    }
    s.info = `${summary}; SNAP, OUI 0x${oui.toString(16).toUpperCase().padStart(6, '0')}, PID 0x${hex4(pid).toUpperCase()}`;
    return;
  }
  if (t !== null) t.close();
  s.protocol = SAP_COLUMN.get(dsap & 0xfe) ?? 'LLC';
  s.info = `${summary}; DSAP ${sapText(dsap)} ${dsap & 1 ? 'Group' : 'Individual'}, SSAP ${sapText(ssap)} ${ssap & 1 ? 'Response' : 'Command'}`;
}
