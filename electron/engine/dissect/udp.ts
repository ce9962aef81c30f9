/**
 * UDP (RFC 768).
 *
 *   +----------------+----------------+----------------+----------------+
 *   |  Source Port   | Destination Port|     Length     |    Checksum    |
 *   +----------------+----------------+----------------+----------------+
 *
 * The length field is checked against the IP payload as Wireshark does: larger is
 * malformed ("[BAD UDP LENGTH 100 > IP PAYLOAD LENGTH]"), below 8 is malformed and
 * stops; smaller leaves a trailer. Payloads are handed to the UDP port table (VXLAN).
 */
import { need, type Ctx } from './ctx.js';
import { hex4, u16At, u16Text } from './format.js';
import { udpPorts } from './tables.js';

export function dissectUdp(c: Ctx, off: number, end: number, rend: number): void {
  c.layer = 'udp';
  c.push('udp');
  const s = c.s;
  const d = c.data;
  const quoted = c.quoted > 0;
  const t = c.tree;
  if (end - off < 8) {
    if (quoted) {
      if (t !== null && end - off >= 4) {
        const sp = u16At(d, off);
        const dp = u16At(d, off + 2);
        t.open(`User Datagram Protocol, Src Port: ${sp}, Dst Port: ${dp}`, off, end - off, 'udp');
        t.add(`Source Port: ${sp}`, off, 2, 'udp.srcport', sp);
        t.add(`Destination Port: ${dp}`, off + 2, 2, 'udp.dstport', dp);
        t.close();
      }
      return;
    }
    // Columns as far as Wireshark gets before the read that fails.
    if (end - off >= 4) {
      s.protocol = 'UDP';
      s.info = `${u16At(d, off)} → ${u16At(d, off + 2)}`;
      if (end - off >= 6) {
        const ul = u16At(d, off + 4);
        if (ul >= 8 && ul <= rend - off) s.info += ` Len=${ul - 8}`;
      }
    }
    need(off, 8, end, rend);
  }
  const sp = u16At(d, off);
  const dp = u16At(d, off + 2);
  const ulen = u16At(d, off + 4);
  const ck = u16At(d, off + 6);
  const avail = rend - off;
  let uend = off + ulen;
  let bad = '';
  if (!quoted) {
    if (ulen < 8) bad = `[BAD UDP LENGTH ${ulen} < 8]`;
    else if (ulen > avail) bad = `[BAD UDP LENGTH ${ulen} > IP PAYLOAD LENGTH]`;
  }
  if (bad !== '' || quoted) uend = Math.min(rend, Math.max(off + 8, uend));
  const pOff = off + 8;
  const pEnd = Math.min(end, uend);
  const l4Len = ulen >= 8 ? ulen - 8 : -1;
  if (c.encap === 0) {
    if (!quoted) {
      s.srcPort = sp;
      s.dstPort = dp;
      s.l4Offset = off;
      s.l4Len = l4Len;
      s.payloadData = d;
      s.payloadOffset = pOff;
      s.payloadLen = Math.max(0, pEnd - pOff);
    } else {
      const q = c.quoteSummary();
      if (q !== null && q.srcPort < 0) {
        q.srcPort = sp;
        q.dstPort = dp;
        q.l4Len = l4Len;
        q.payloadOffset = pOff;
        q.payloadLen = Math.max(0, pEnd - pOff);
      }
    }
  } else if (!quoted) {
    const inner = c.innerSummary();
    inner.srcPort = sp;
    inner.dstPort = dp;
    inner.payloadOffset = pOff;
    inner.payloadLen = Math.max(0, pEnd - pOff);
  }
  if (t !== null) {
    t.open(`User Datagram Protocol, Src Port: ${sp}, Dst Port: ${dp}`, off, 8, 'udp');
    t.add(`Source Port: ${sp}`, off, 2, 'udp.srcport', sp);
    t.add(`Destination Port: ${dp}`, off + 2, 2, 'udp.dstport', dp);
    t.add(`Length: ${ulen}`, off + 4, 2, 'udp.length', ulen);
    t.add(`Checksum: 0x${hex4(ck)} ${ck === 0 ? '[zero-value ignored]' : '[unverified]'}`, off + 6, 2, 'udp.checksum', ck);
    t.add(`[Checksum Status: ${ck === 0 ? 'Not present' : 'Unverified'}]`, off + 6, 0, 'udp.checksum.status', ck === 0 ? 3 : 2);
    if (pEnd > pOff) t.add(`UDP payload (${uend - pOff} bytes)`, pOff, pEnd - pOff, 'udp.payload');
  }
  if (quoted) {
    if (t !== null) t.close();
    return;
  }
  s.protocol = 'UDP';
  if (ulen < 8) {
    s.info = `${sp} → ${dp} ${bad}`;
    c.anomaly('malformed', off + 4, `Bad length value ${ulen} < 8`);
    if (t !== null) t.close();
    return;
  }
  if (bad !== '') {
    s.info = `${sp} → ${dp} ${bad} Len=${l4Len}`;
    c.anomaly('malformed', off + 4, `Bad length value ${ulen} > IP payload length`);
  } else {
    s.info = u16Text(sp) + ' → ' + u16Text(dp) + ' Len=' + u16Text(l4Len);
  }
  if (t !== null) t.close();
  // Port table, lower port first (Wireshark's default order).
  const lo = sp < dp ? sp : dp;
  const hi = sp < dp ? dp : sp;
  let fn = udpPorts.get(lo);
  if (fn === undefined && hi !== lo) fn = udpPorts.get(hi);
  if (fn !== undefined) fn(c, pOff, pEnd, uend);
}
