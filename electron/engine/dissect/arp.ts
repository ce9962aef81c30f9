/**
 * ARP (RFC 826), RARP (RFC 903) and Inverse ARP (RFC 2390).
 *
 *   +--------+--------+----+----+--------+-----+-----+-----+-----+
 *   | htype  | ptype  |hlen|plen| opcode | sha | spa | tha | tpa |
 *   +--------+--------+----+----+--------+-----+-----+-----+-----+
 *     16 bit   16 bit   8    8    16 bit  hlen  plen  hlen  plen
 *
 * Info as Wireshark words it: "Who has 10.0.0.1? Tell 10.0.0.2", "10.0.0.1 is at
 * aa:bb:..", gratuitous ARP, RFC 5227 probes and announcements.
 */
import { need, type Ctx } from './ctx.js';
import { ethertypeLabel } from './eth.js';
import { hexBytes, ip4Text, macText, u16At, u32At } from './format.js';

const OPCODES = new Map<number, string>([
  [1, 'request'],
  [2, 'reply'],
  [3, 'reverse request'],
  [4, 'reverse reply'],
  [5, 'drarp-request'],
  [6, 'drarp-reply'],
  [7, 'drarp-error'],
  [8, 'inverse request'],
  [9, 'inverse reply'],
  [10, 'arp-nak'],
]);

const HW_TYPES = new Map<number, string>([
  [1, 'Ethernet'],
  [6, 'IEEE 802 Networks'],
  [15, 'Frame Relay'],
  [16, 'ATM'],
  [24, 'IEEE 1394.1995'],
  [32, 'InfiniBand'],
]);

function addrText(c: Ctx, off: number, len: number, mac: boolean): string {
  if (mac && len === 6) return macText(c.data, off);
  if (!mac && len === 4) return ip4Text(u32At(c.data, off));
  return len === 0 ? '<No address>' : hexBytes(c.data, off, len);
}

export function dissectArp(c: Ctx, off: number, end: number, rend: number): void {
  c.layer = 'arp';
  c.push('arp');
  const s = c.s;
  s.protocol = 'ARP';
  s.info = '';
  need(off, 8, end, rend);
  const d = c.data;
  const htype = u16At(d, off);
  const ptype = u16At(d, off + 2);
  const hlen = d[off + 4]!;
  const plen = d[off + 5]!;
  const op = u16At(d, off + 6);
  const total = 8 + 2 * hlen + 2 * plen;
  need(off, total, end, rend);
  const sha = off + 8;
  const spa = sha + hlen;
  const tha = spa + plen;
  const tpa = tha + hlen;
  const ipv4 = ptype === 0x0800 && plen === 4;
  const ether = hlen === 6;
  const spaT = addrText(c, spa, plen, false);
  const tpaT = addrText(c, tpa, plen, false);
  const shaT = addrText(c, sha, hlen, true);
  const thaT = addrText(c, tha, hlen, true);
  const sameIp = ipv4 && u32At(d, spa) === u32At(d, tpa);
  const zeroSpa = ipv4 && u32At(d, spa) === 0;
  let kind = OPCODES.get(op) ?? 'unknown';

  if (op === 3 || op === 4) s.protocol = 'RARP';
  else if (op === 5 || op === 6 || op === 7) s.protocol = 'DRARP';
  else if (op === 8 || op === 9) s.protocol = 'Inverse ARP';

  switch (op) {
    case 1:
      if (sameIp) {
        s.info = `ARP Announcement for ${spaT}`;
        kind = 'ARP Announcement';
      } else if (zeroSpa) {
        s.info = `Who has ${tpaT}? (ARP Probe)`;
        kind = 'ARP Probe';
      } else s.info = `Who has ${tpaT}? Tell ${spaT}`;
      break;
    case 2:
      if (sameIp) {
        s.info = `Gratuitous ARP for ${spaT} (Reply)`;
        kind = 'reply/gratuitous ARP';
      } else s.info = `${spaT} is at ${shaT}`;
      break;
    case 3:
    case 5:
      s.info = `Who is ${thaT}? Tell ${shaT}`;
      break;
    case 4:
    case 6:
      s.info = `${thaT} is at ${tpaT}`;
      break;
    case 7:
      s.info = 'DRARP Error';
      break;
    case 8:
      s.info = `Who is ${thaT}? Tell ${shaT}`;
      break;
    case 9:
      s.info = `${shaT} is at ${spaT}`;
      break;
    default:
      s.info = `Unknown ARP opcode 0x${op.toString(16).padStart(4, '0')}`;
  }

  const t = c.tree;
  if (t !== null) {
    t.open(`Address Resolution Protocol (${kind})`, off, total, 'arp');
    t.add(`Hardware type: ${HW_TYPES.get(htype) ?? 'Unknown'} (${htype})`, off, 2, 'arp.hw.type', htype);
    t.add(`Protocol type: ${ethertypeLabel(ptype)}`, off + 2, 2, 'arp.proto.type', ptype);
    t.add(`Hardware size: ${hlen}`, off + 4, 1, 'arp.hw.size', hlen);
    t.add(`Protocol size: ${plen}`, off + 5, 1, 'arp.proto.size', plen);
    t.add(`Opcode: ${OPCODES.get(op) ?? 'Unknown'} (${op})`, off + 6, 2, 'arp.opcode', op);
    if (sameIp) t.add('[Is gratuitous: True]', off, 0, 'arp.isgratuitous', true);
    const hw = (name: string, o: number, text: string, f: string): void => {
      if (hlen) t.add(`${name} ${ether ? 'MAC' : 'hardware'} address: ${text}`, o, hlen, ether ? `${f}.hw_mac` : `${f}.hw`, text);
    };
    const pr = (name: string, o: number, text: string, f: string): void => {
      if (plen) t.add(`${name} ${ipv4 ? 'IP' : 'protocol'} address: ${text}`, o, plen, ipv4 ? `${f}.proto_ipv4` : `${f}.proto`, text);
    };
    hw('Sender', sha, shaT, 'arp.src');
    pr('Sender', spa, spaT, 'arp.src');
    hw('Target', tha, thaT, 'arp.dst');
    pr('Target', tpa, tpaT, 'arp.dst');
    t.close();
  }
}
