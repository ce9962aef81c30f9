/**
 * IPv6 (RFC 8200) and its extension headers: hop-by-hop options (0), routing (43),
 * fragment (44, reassembled), destination options (60), authentication header (51,
 * RFC 4302), no next header (59); mobility (135), HIP (139) and shim6 (140) are skipped
 * by their generic length. Anything else is the upper-layer protocol.
 *
 *   +-------+---------------+---------------------------------------+
 *   |Version| Traffic Class |              Flow Label               |
 *   +-------+---------------+-------+---------------+---------------+
 *   |        Payload Length         |  Next Header  |   Hop Limit   |
 *   +-------------------------------+---------------+---------------+
 *   |                  Source Address (128 bits)                    |
 *   |               Destination Address (128 bits)                  |
 *   +---------------------------------------------------------------+
 *
 * Extension header (generic):  | Next Header | Hdr Ext Len (8-octet units, minus 1) | ...
 * Fragment header (8 bytes):   | Next Header | Reserved | Offset(13) |Res|M| Identification (32) |
 */
import { need, type Ctx } from './ctx.js';
import { bits, hex2, hex8, hexBytes, ip6Text, u16At, u32At } from './format.js';
import { dsfieldSummary, dsfieldTree } from './dsfield.js';
import { markReassembled, reassemblyTree } from './reassembled.js';
import { dispatchIpProto, ipProtoName } from './tables.js';

/**
 * Extension headers followed per packet. RFC 8200 §4.1 allows each header once (the
 * destination options header twice), about 8 in all; 16 leaves room for odd stacks while
 * bounding a packet made of nothing but empty extension headers.
 */
export const MAX_IPV6_EXT_HEADERS = 16;

const EXT_LAYER = new Map<number, string>([
  [0, 'ipv6.hopopts'],
  [43, 'ipv6.routing'],
  [44, 'ipv6.fraghdr'],
  [51, 'ah'],
  [60, 'ipv6.dstopts'],
  [135, 'mipv6'],
  [139, 'hip'],
  [140, 'shim6'],
]);

const EXT_TITLE = new Map<number, string>([
  [0, 'IPv6 Hop-by-Hop Option'],
  [43, 'Routing Header for IPv6'],
  [60, 'Destination Options for IPv6'],
  [135, 'Mobile IPv6'],
  [139, 'Host Identity Protocol'],
  [140, 'Shim6 header'],
]);

const OPT_NAMES = new Map<number, string>([
  [0x00, 'Pad1'],
  [0x01, 'PadN'],
  [0x04, 'Tunnel Encapsulation Limit'],
  [0x05, 'Router Alert'],
  [0x06, 'Quick-Start'],
  [0x07, 'CALIPSO'],
  [0x08, 'SMF_DPD'],
  [0x26, 'Home Address'],
  [0x63, 'RPL Option'],
  [0x6d, 'MPL Option'],
  [0x8b, 'ILNP Nonce'],
  [0xc2, 'Jumbo Payload'],
  [0xc9, 'Home Address'],
  [0xee, 'IP_DFF'],
]);

const ROUTING_TYPES = new Map<number, string>([
  [0, 'Source Route'],
  [2, 'Type 2 Routing'],
  [3, 'RPL Source Route'],
  [4, 'Segment Routing'],
]);

/** TLV options of a hop-by-hop / destination options header (tree only; bounded by the header). */
function optionsTree(c: Ctx, p: number, hend: number): void {
  const t = c.tree!;
  const d = c.data;
  while (p < hend) {
    const type = d[p]!;
    const name = OPT_NAMES.get(type) ?? `Unknown IPv6 Option (0x${hex2(type)})`;
    if (type === 0) {
      t.open(name, p, 1, 'ipv6.opt');
      t.add(`Type: ${name} (0x00)`, p, 1, 'ipv6.opt.type', 0);
      t.close();
      p++;
      continue;
    }
    if (p + 2 > hend || p + 2 + d[p + 1]! > hend) {
      c.anomaly('malformed', p, `Invalid IPv6 option length`);
      return;
    }
    const len = d[p + 1]!;
    t.open(name, p, 2 + len, 'ipv6.opt');
    t.add(`Type: ${name} (0x${hex2(type)})`, p, 1, 'ipv6.opt.type', type);
    t.add(`${bits(type, 0xc0, 8)}Action: ${(type >> 6) & 3}`, p, 1, 'ipv6.opt.type.action', (type >> 6) & 3);
    t.add(`${bits(type, 0x20, 8)}May Change: ${type & 0x20 ? 'Yes' : 'No'}`, p, 1, 'ipv6.opt.type.change', (type & 0x20) !== 0);
    t.add(`Length: ${len}`, p + 1, 1, 'ipv6.opt.length', len);
    if (type === 0x01) t.add(`PadN: ${len ? hexBytes(d, p + 2, len) : '<none>'}`, p + 2, len, 'ipv6.opt.padn', hexBytes(d, p + 2, len));
    else if (type === 0x05 && len === 2) {
      const v = u16At(d, p + 2);
      t.add(`Router Alert: ${v === 0 ? 'MLD' : v === 1 ? 'RSVP' : v === 2 ? 'Active Networks' : 'Unknown'} (${v})`, p + 2, 2, 'ipv6.opt.router_alert', v);
    } else if (type === 0xc2 && len === 4) t.add(`Payload Length: ${u32At(d, p + 2)}`, p + 2, 4, 'ipv6.opt.jumbo', u32At(d, p + 2));
    t.close();
    p += 2 + len;
  }
}

export function dissectIpv6(c: Ctx, off: number, end: number, rend: number): void {
  c.layer = 'ipv6';
  c.push('ipv6');
  const s = c.s;
  const quoted = c.quoted > 0;
  s.protocol = 'IPv6';
  s.info = '';
  need(off, 1, end, rend);
  const d = c.data;
  const version = d[off]! >> 4;
  const t = c.tree;
  if (version !== 6) {
    s.info = `Bogus IPv6 version (${version}, must be 6)`;
    if (t !== null) {
      t.open('Internet Protocol Version 6', off, 1, 'ipv6');
      t.add(`${bits(d[off]!, 0xf0, 8)}Version: ${version}`, off, 1, 'ipv6.version', version);
    }
    c.anomaly('malformed', off, `Bogus IPv6 version (${version}, must be 6)`);
    if (t !== null) t.close();
    return;
  }
  need(off, 40, end, rend);
  const w0 = u32At(d, off);
  const plen = u16At(d, off + 4);
  const nxt = d[off + 6]!;
  const hlim = d[off + 7]!;
  let pend = off + 40 + plen;
  // Text forms: the summary needs them for the outer packet, the tree always.
  const wantText = t !== null || !quoted;
  const srcT = wantText ? ip6Text(d, off + 8) : '';
  const dstT = wantText ? ip6Text(d, off + 24) : '';
  if (t !== null) {
    const tc = (w0 >>> 20) & 0xff;
    t.open(`Internet Protocol Version 6, Src: ${srcT}, Dst: ${dstT}`, off, 40, 'ipv6');
    t.add(`${bits(d[off]!, 0xf0, 8)}Version: 6`, off, 1, 'ipv6.version', 6);
    t.open(`${bits(w0, 0x0ff00000, 32)}Traffic Class: 0x${hex2(tc)} (${dsfieldSummary(tc)})`, off, 4, 'ipv6.tclass', tc);
    dsfieldTree(c, tc, off, 4, 'ipv6.tclass', 32, 20, w0);
    t.close();
    t.add(`${bits(w0, 0x000fffff, 32)}Flow Label: 0x${(w0 & 0xfffff).toString(16).padStart(5, '0')}`, off + 1, 3, 'ipv6.flow', w0 & 0xfffff);
    t.add(`Payload Length: ${plen}`, off + 4, 2, 'ipv6.plen', plen);
    t.add(`Next Header: ${ipProtoName(nxt)} (${nxt})`, off + 6, 1, 'ipv6.nxt', nxt);
    t.add(`Hop Limit: ${hlim}`, off + 7, 1, 'ipv6.hlim', hlim);
    t.add(`Source Address: ${srcT}`, off + 8, 16, 'ipv6.src', srcT);
    t.add(`Destination Address: ${dstT}`, off + 24, 16, 'ipv6.dst', dstT);
    c.ip6Src.set(d.subarray(off + 8, off + 24));
    c.ip6Dst.set(d.subarray(off + 24, off + 40));
  }
  if (pend > rend) {
    if (!quoted) c.anomaly('malformed', off + 4, `IPv6 payload length exceeds framing length (${rend - off - 40} bytes)`);
    pend = rend;
  }
  if (c.encap === 0) {
    if (!quoted) {
      s.l3 = 6;
      s.ip6Src = srcT;
      s.ip6Dst = dstT;
      s.ipProto = nxt;
    } else {
      const q = c.quoteSummary();
      if (q !== null && q.l3 === 0) {
        q.l3 = 6;
        q.src = srcT;
        q.dst = dstT;
        q.ipProto = nxt;
      }
    }
  } else if (!quoted) {
    const inner = c.innerSummary();
    inner.l3 = 6;
    inner.src = srcT;
    inner.dst = dstT;
    inner.ipProto = nxt;
  }
  c.ttl = hlim;
  c.ipVersion = 6;
  const cend = Math.min(end, pend);

  let nh = nxt;
  let p = off + 40;
  for (let count = 0; ; count++) {
    if (count >= MAX_IPV6_EXT_HEADERS && EXT_LAYER.has(nh)) {
      c.anomaly('malformed', p, `More than ${MAX_IPV6_EXT_HEADERS} IPv6 extension headers; the rest is not dissected`);
      if (t !== null) t.close();
      return;
    }
    if (nh === 59) {
      if (t !== null) t.close();
      if (!quoted) s.info = 'IPv6 no next header';
      return;
    }
    if (nh === 44) {
      need(p, 8, cend, pend);
      const next = d[p]!;
      const fo = u16At(d, p + 2);
      const fragOff = fo & 0xfff8;
      const more = (fo & 1) !== 0;
      const ident = u32At(d, p + 4);
      c.push('ipv6.fraghdr');
      if (t !== null) {
        t.open('Fragment Header for IPv6', p, 8, 'ipv6.fraghdr');
        t.add(`Next header: ${ipProtoName(next)} (${next})`, p, 1, 'ipv6.fraghdr.nxt', next);
        t.add(`Reserved octet: 0x${hex2(d[p + 1]!)}`, p + 1, 1, 'ipv6.fraghdr.reserved_octet', d[p + 1]!);
        t.add(`${bits(fo, 0xfff8, 16)}Offset: ${fragOff >> 3} (${fragOff} bytes)`, p + 2, 2, 'ipv6.fraghdr.offset', fragOff >> 3);
        t.add(`${bits(fo, 0x0006, 16)}Reserved bits: ${(fo >> 1) & 3}`, p + 2, 2, 'ipv6.fraghdr.reserved_bits', (fo >> 1) & 3);
        t.add(`${bits(fo, 0x0001, 16)}More Fragments: ${more ? 'Yes' : 'No'}`, p + 2, 2, 'ipv6.fraghdr.more', more);
        t.add(`Identification: 0x${hex8(ident)}`, p + 4, 4, 'ipv6.fraghdr.ident', ident);
        t.close();
      }
      p += 8;
      if (c.outer) s.ipProto = next;
      if (fragOff === 0 && !more) {
        // RFC 6946 atomic fragment: nothing to reassemble.
        nh = next;
        continue;
      }
      if (!quoted && cend === pend) {
        const key = `${srcT}|${dstT}|${ident}`;
        const r = c.ip6Frags.add(key, c.frameNo, fragOff, d.subarray(p, pend), more, c.now);
        for (const n of r.notes) c.anomaly(n.kind, p, n.detail);
        if (r.status === 'complete') {
          reassemblyTree(c, 'ipv6', 'IPv6', r.parts, r.data);
          if (t !== null) t.close();
          if (c.outer) s.ipReassembled = true;
          markReassembled(c, r.parts, r.data, 'Reassembled IPv6');
          upper(c, next, 0, r.data.length, r.data.length);
          return;
        }
      }
      if (fragOff !== 0 || (!quoted && cend === pend)) {
        if (t !== null) t.close();
        if (c.outer) s.ipFragment = true;
        if (!quoted) s.info = `IPv6 fragment (off=${fragOff} more=${more ? 'y' : 'n'} ident=0x${hex8(ident)} nxt=${next})`;
        c.push('data');
        if (t !== null && p < cend) t.add(`Data (${pend - p} bytes)`, p, cend - p, 'data');
        return;
      }
      if (c.outer) s.ipFragment = true;
      nh = next;
      continue;
    }
    const layer = EXT_LAYER.get(nh);
    if (layer === undefined) break;
    need(p, 2, cend, pend);
    const next = d[p]!;
    const len = nh === 51 ? (d[p + 1]! + 2) * 4 : (d[p + 1]! + 1) * 8;
    need(p, len, cend, pend);
    c.push(layer);
    if (t !== null) {
      if (nh === 51) {
        t.open('Authentication Header', p, len, 'ah');
        t.add(`Next header: ${ipProtoName(next)} (${next})`, p, 1, 'ah.next_header', next);
        t.add(`Length: ${len} (${d[p + 1]})`, p + 1, 1, 'ah.length', d[p + 1]!);
        if (len >= 12) {
          t.add(`AH SPI: 0x${hex8(u32At(d, p + 4))}`, p + 4, 4, 'ah.spi', u32At(d, p + 4));
          t.add(`AH Sequence: ${u32At(d, p + 8)}`, p + 8, 4, 'ah.sequence', u32At(d, p + 8));
          if (len > 12) t.add(`AH ICV: ${hexBytes(d, p + 12, len - 12)}`, p + 12, len - 12, 'ah.icv', hexBytes(d, p + 12, len - 12));
        }
      } else {
        const f = layer;
        t.open(EXT_TITLE.get(nh)!, p, len, f);
        t.add(`Next Header: ${ipProtoName(next)} (${next})`, p, 1, `${f}.nxt`, next);
        t.add(`Length: ${d[p + 1]}`, p + 1, 1, `${f}.len`, d[p + 1]!);
        t.add(`[Length: ${len} bytes]`, p + 1, 1, `${f}.len_oct`, len);
        if (nh === 0 || nh === 60) optionsTree(c, p + 2, p + len);
        else if (nh === 43 && len >= 4) {
          const rt = d[p + 2]!;
          t.add(`Type: ${ROUTING_TYPES.get(rt) ?? 'Unknown'} (${rt})`, p + 2, 1, 'ipv6.routing.type', rt);
          t.add(`Segments Left: ${d[p + 3]}`, p + 3, 1, 'ipv6.routing.segleft', d[p + 3]!);
        }
      }
      t.close();
    }
    if (c.outer) s.ipProto = next;
    p += len;
    nh = next;
  }
  if (c.encap > 0 && !quoted) c.innerSummary().ipProto = nh;
  if (t !== null) t.close();
  upper(c, nh, p, cend, pend);
}

/** The upper-layer protocol. Unlike IPv4, Wireshark's IPv6 dissects an empty payload too. */
function upper(c: Ctx, nh: number, off: number, end: number, rend: number): void {
  dispatchIpProto(c, nh, off, end, rend, true);
}

