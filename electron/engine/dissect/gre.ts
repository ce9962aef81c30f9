/**
 * GRE (RFC 2784, with the key and sequence number of RFC 2890; version 1 is PPTP's
 * enhanced GRE, RFC 2637) and the ERSPAN headers it commonly carries (Type I: none,
 * Type II: 8 bytes, Type III: 12 bytes + optional 8-byte subheader; the ERSPAN draft
 * draft-foschiano-erspan).
 *
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-------------------------------+
 *   |C|R|K|S|s|Recur|A| Flags | Ver |         Protocol Type         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-------------------------------+
 *   |   Checksum (C) / Payload length (v1)  |  Offset / Call ID    |
 *   |                   Key (K)                                     |
 *   |             Sequence Number (S)  /  Acknowledgment (A, v1)    |
 *
 * Like tshark the payload is dissected (IPv4, IPv6, Ethernet via 0x6558 or ERSPAN) and
 * becomes the columns; the summary keeps the outer packet (see vxlan.ts).
 */
import { need, type Ctx } from './ctx.js';
import { ethertypeLabel, dissectEth } from './eth.js';
import { bits, hex4, u16At, u32At } from './format.js';
import { ethertypes } from './tables.js';
import { enterTunnel } from './vxlan.js';

const GRE_NAMES = new Map<number, string>([
  [0x0000, 'Possible GRE keepalive packet'],
  [0x0800, 'IP'],
  [0x86dd, 'IPv6'],
  [0x6558, 'Transparent Ethernet bridging'],
  [0x88be, 'ERSPAN'],
  [0x22eb, 'ERSPAN'],
  [0x880b, 'PPP'],
  [0x8847, 'MPLS label switched packet'],
  [0x0806, 'ARP'],
]);

function greName(type: number): string {
  return GRE_NAMES.get(type) ?? `0x${hex4(type)} (unknown)`;
}

function erspan(c: Ctx, off: number, end: number, rend: number, type3: boolean, hasSeq: boolean): void {
  c.layer = 'erspan';
  c.push('erspan');
  const t = c.tree;
  if (!type3 && !hasSeq) {
    // Type I: no ERSPAN header at all.
    if (t !== null) t.add('Encapsulated Remote Switch Packet ANalysis Type I', off, 0, 'erspan');
    dissectEth(c, off, end, rend);
    return;
  }
  const d = c.data;
  need(off, type3 ? 12 : 8, end, rend);
  const w0 = u16At(d, off);
  let hlen = type3 ? 12 : 8;
  if (type3 && (d[off + 11]! & 0x01) !== 0) hlen += 8;
  need(off, hlen, end, rend);
  if (t !== null) {
    t.open(`Encapsulated Remote Switch Packet ANalysis Type ${type3 ? 'III' : 'II'}`, off, hlen, 'erspan');
    t.add(`${bits(w0, 0xf000, 16)}Version: ${w0 >> 12}`, off, 2, 'erspan.version', w0 >> 12);
    t.add(`${bits(w0, 0x0fff, 16)}Vlan: ${w0 & 0xfff}`, off, 2, 'erspan.vlan', w0 & 0xfff);
    t.add(`SpanID: ${u16At(d, off + 2) & 0x3ff}`, off + 2, 2, 'erspan.spanid', u16At(d, off + 2) & 0x3ff);
    if (!type3) t.add(`Index: ${u32At(d, off + 4) & 0xfffff}`, off + 4, 4, 'erspan.index', u32At(d, off + 4) & 0xfffff);
    else t.add(`Timestamp: ${u32At(d, off + 4)}`, off + 4, 4, 'erspan.timestamp', u32At(d, off + 4));
    t.close();
  }
  dissectEth(c, off + hlen, end, rend);
}

export function dissectGre(c: Ctx, off: number, end: number, rend: number): void {
  c.layer = 'gre';
  c.push('gre');
  const s = c.s;
  const quoted = c.quoted > 0;
  if (!quoted) {
    s.protocol = 'GRE';
    s.info = '';
  }
  need(off, 4, end, rend);
  const d = c.data;
  const fv = u16At(d, off);
  const type = u16At(d, off + 2);
  const version = fv & 0x7;
  const C = (fv & 0x8000) !== 0;
  const R = (fv & 0x4000) !== 0;
  const K = (fv & 0x2000) !== 0;
  const S = (fv & 0x1000) !== 0;
  const A = version === 1 && (fv & 0x0080) !== 0;
  if (!quoted) s.info = `Encapsulated ${greName(type)}`;
  const hlen = 4 + (C || R ? 4 : 0) + (K ? 4 : 0) + (S ? 4 : 0) + (A ? 4 : 0);
  const t = c.tree;
  if (t !== null) {
    t.open(`Generic Routing Encapsulation (${greName(type)})`, off, hlen, 'gre');
    t.open(`Flags and Version: 0x${hex4(fv)}`, off, 2, 'gre.flags_and_version', fv);
    t.add(`${bits(fv, 0x8000, 16)}Checksum Bit: ${C ? 'Yes' : 'No'}`, off, 2, 'gre.flags.checksum', C);
    t.add(`${bits(fv, 0x4000, 16)}Routing Bit: ${R ? 'Yes' : 'No'}`, off, 2, 'gre.flags.routing', R);
    t.add(`${bits(fv, 0x2000, 16)}Key Bit: ${K ? 'Yes' : 'No'}`, off, 2, 'gre.flags.key', K);
    t.add(`${bits(fv, 0x1000, 16)}Sequence Number Bit: ${S ? 'Yes' : 'No'}`, off, 2, 'gre.flags.sequence_number', S);
    t.add(`${bits(fv, 0x0007, 16)}Version: ${version}`, off, 2, 'gre.flags.version', version);
    t.close();
    t.add(`Protocol Type: ${type === 0x6558 || GRE_NAMES.has(type) ? `${greName(type)} (0x${hex4(type)})` : ethertypeLabel(type)}`, off + 2, 2, 'gre.proto', type);
  }
  if (R) {
    // RFC 1701 source routing (deprecated by RFC 2784): the SRE list is not followed.
    c.anomaly('unsupported', off, 'GRE source routing (RFC 1701) is not dissected');
    if (t !== null) t.close();
    return;
  }
  need(off, hlen, end, rend);
  let p = off + 4;
  if (t !== null) {
    if (C) t.add(`Checksum: 0x${hex4(u16At(d, p))} [unverified]`, p, 2, 'gre.checksum', u16At(d, p));
    if (C) p += 4;
    if (K) {
      if (version === 1) {
        t.add(`Payload Length: ${u16At(d, p)}`, p, 2, 'gre.key.payload_length', u16At(d, p));
        t.add(`Call ID: ${u16At(d, p + 2)}`, p + 2, 2, 'gre.key.call_id', u16At(d, p + 2));
      } else t.add(`Key: 0x${u32At(d, p).toString(16).padStart(8, '0')}`, p, 4, 'gre.key', u32At(d, p));
      p += 4;
    }
    if (S) {
      t.add(`Sequence Number: ${u32At(d, p)}`, p, 4, 'gre.sequence_number', u32At(d, p));
      p += 4;
    }
    if (A) t.add(`Acknowledgment Number: ${u32At(d, p)}`, p, 4, 'gre.ack_number', u32At(d, p));
    t.close();
  }
  const pOff = off + hlen;
  if (rend <= pOff || quoted) return;
  let next: ((c: Ctx, off: number, end: number, rend: number) => void) | undefined;
  if (type === 0x6558) next = dissectEth;
  else if (type === 0x88be || type === 0x22eb) {
    if (!enterTunnel(c, pOff)) return;
    erspan(c, pOff, end, rend, type === 0x22eb, S);
    return;
  } else if (type === 0x0800 || type === 0x86dd) next = ethertypes.get(type);
  if (next === undefined) {
    c.push('data');
    return;
  }
  if (!enterTunnel(c, pOff)) return;
  next(c, pOff, end, rend);
}
