/**
 * ICMPv6 (RFC 4443), Neighbor Discovery (RFC 4861), MLD (RFC 2710) and MLDv2 (RFC 3810).
 *
 *   +--------+--------+-----------------+
 *   |  Type  |  Code  |    Checksum     |   checksum over the RFC 8200 §8.1 pseudo-header
 *   +--------+--------+-----------------+
 *   |      message body (id/seq, flags, target, options, quoted packet ...)
 *
 * Info as Wireshark words it: "Echo (ping) request id=0x1234, seq=7, hop limit=64",
 * "Neighbor Solicitation for fe80::2 from aa:bb:..", "Neighbor Advertisement fe80::2
 * (rtr, sol, ovr) is at aa:bb:..". Error messages quote the offending packet (see
 * icmp.ts for how quotes are handled).
 */
import { checksumLabel, expectedChecksum, sum16 } from './checksum.js';
import { need, type Ctx } from './ctx.js';
import { bits, hex4, hex8, ip6Text, macText, u16At, u32At } from './format.js';
import { dissectQuoted } from './icmp.js';
import { dissectIpv6 } from './ipv6.js';

const TYPES = new Map<number, string>([
  [1, 'Destination Unreachable'],
  [2, 'Packet Too Big'],
  [3, 'Time Exceeded'],
  [4, 'Parameter Problem'],
  [100, 'Private experimentation'],
  [101, 'Private experimentation'],
  [127, 'Reserved for expansion of ICMPv6 error messages'],
  [128, 'Echo (ping) request'],
  [129, 'Echo (ping) reply'],
  [130, 'Multicast Listener Query'],
  [131, 'Multicast Listener Report'],
  [132, 'Multicast Listener Done'],
  [133, 'Router Solicitation'],
  [134, 'Router Advertisement'],
  [135, 'Neighbor Solicitation'],
  [136, 'Neighbor Advertisement'],
  [137, 'Redirect'],
  [138, 'Router Renumbering'],
  [139, 'Node Information Query'],
  [140, 'Node Information Response'],
  [141, 'Inverse Neighbor Discovery Solicitation'],
  [142, 'Inverse Neighbor Discovery Advertisement'],
  [143, 'Multicast Listener Report Message v2'],
  [144, 'Home Agent Address Discovery Request'],
  [145, 'Home Agent Address Discovery Reply'],
  [146, 'Mobile Prefix Solicitation'],
  [147, 'Mobile Prefix Advertisement'],
  [148, 'Certification Path Solicitation'],
  [149, 'Certification Path Advertisement'],
  [150, 'Experimental Mobility'],
  [151, 'Multicast Router Advertisement'],
  [152, 'Multicast Router Solicitation'],
  [153, 'Multicast Router Termination'],
  [154, 'FMIPv6'],
  [155, 'RPL Control'],
  [156, 'ILNPv6 Locator Update'],
  [157, 'Duplicate Address Request'],
  [158, 'Duplicate Address Confirmation'],
  [159, 'MPL Control'],
  [160, 'Extended Echo request'],
  [161, 'Extended Echo reply'],
  [200, 'Private experimentation'],
  [201, 'Private experimentation'],
  [255, 'Reserved for expansion of ICMPv6 informational messages'],
]);

/** Code tables, and what an unlisted code prints as (Wireshark is not consistent here). */
const CODES = new Map<number, { names: ReadonlyMap<number, string>; unknown: (code: number) => string }>([
  [1, {
    names: new Map([
      [0, 'no route to destination'], [1, 'Administratively prohibited'], [2, 'Beyond scope of source address'],
      [3, 'Address unreachable'], [4, 'Port unreachable'], [5, 'Source address failed ingress/egress policy'],
      [6, 'Reject route to destination'], [7, 'Error in Source Routing Header'],
    ]),
    unknown: () => 'Unknown',
  }],
  [3, { names: new Map([[0, 'hop limit exceeded in transit'], [1, 'fragment reassembly time exceeded']]), unknown: () => 'Unknown' }],
  [4, {
    names: new Map([
      [0, 'erroneous header field encountered'], [1, 'unrecognized Next Header type encountered'],
      [2, 'unrecognized IPv6 option encountered'], [3, 'IPv6 First Fragment has incomplete IPv6 Header Chain'],
    ]),
    unknown: (c) => `Unknown (${c})`,
  }],
  [138, { names: new Map([[0, 'Command'], [1, 'Result'], [255, 'Sequence Number Reset']]), unknown: (c) => `Unknown (${c})` }],
  [139, {
    names: new Map([[0, 'Query subject = IPv6 addresses'], [1, 'Query subject = Name'], [2, 'Query subject = IPv4 addresses']]),
    unknown: (c) => `Unknown (${c})`,
  }],
  [140, { names: new Map([[0, 'Successful reply'], [1, 'Refuses to supply the answer'], [2, 'Qtype of the query is unknown']]), unknown: (c) => `Unknown (${c})` }],
  [150, { names: new Map(), unknown: (c) => `Unknown (${c})` }],
  [154, { names: new Map(), unknown: (c) => `Unknown (${c})` }],
  [160, { names: new Map([[0, 'No error']]), unknown: (c) => `Unknown (${c})` }],
  [161, {
    names: new Map([[0, 'No error'], [1, 'Malformed Query'], [2, 'No Such Interface'], [3, 'No Such Table Entry'], [4, 'Multiple Interfaces Satisfy Query']]),
    unknown: (c) => `Unknown (${c})`,
  }],
]);

const ND_OPTIONS = new Map<number, string>([
  [1, 'Source link-layer address'],
  [2, 'Target link-layer address'],
  [3, 'Prefix information'],
  [4, 'Redirected header'],
  [5, 'MTU'],
  [14, 'Nonce'],
  [24, 'Route Information'],
  [25, 'Recursive DNS Server'],
  [31, 'DNS Search List'],
]);

function codeText(type: number, code: number): string {
  const t = CODES.get(type);
  if (t === undefined) return '';
  return t.names.get(code) ?? t.unknown(code);
}

function typeName(type: number): string {
  return TYPES.get(type) ?? `Unknown (${type})`;
}

/**
 * Walk ND options in d[p, oend); returns the MAC of the first source (1) or target (2)
 * link-layer address option, '' if none. An option length of 0 is malformed and ends
 * the walk (RFC 4861 §4.6); otherwise every option advances ≥ 8 bytes.
 */
function ndOptions(c: Ctx, p: number, oend: number, end: number, rend: number, want: number): string {
  const d = c.data;
  const t = c.tree;
  let mac = '';
  while (p < oend) {
    need(p, 2, end, rend);
    const type = d[p]!;
    const units = d[p + 1]!;
    if (units === 0) {
      c.anomaly('malformed', p + 1, 'Invalid option length (Zero)');
      return mac;
    }
    const len = units * 8;
    need(p, Math.min(len, oend - p), end, rend);
    const name = ND_OPTIONS.get(type) ?? 'Unknown';
    const isLink = (type === 1 || type === 2) && len >= 8;
    const addr = isLink ? macText(d, p + 2) : '';
    if (type === want && mac === '' && isLink) mac = addr;
    if (t !== null) {
      t.open(`ICMPv6 Option (${name}${isLink ? ` : ${addr}` : ''})`, p, len, 'icmpv6.opt');
      t.add(`Type: ${name} (${type})`, p, 1, 'icmpv6.opt.type', type);
      t.add(`Length: ${units} (${len} bytes)`, p + 1, 1, 'icmpv6.opt.length', units);
      if (isLink) t.add(`Link-layer address: ${addr}`, p + 2, 6, 'icmpv6.opt.linkaddr', addr);
      else if (type === 5 && len >= 8) t.add(`MTU: ${u32At(d, p + 4)}`, p + 4, 4, 'icmpv6.opt.mtu', u32At(d, p + 4));
      else if (type === 3 && len >= 32) {
        const pfx = ip6Text(d, p + 16);
        t.add(`Prefix Length: ${d[p + 2]}`, p + 2, 1, 'icmpv6.opt.prefix.length', d[p + 2]!);
        t.add(`Prefix: ${pfx}`, p + 16, 16, 'icmpv6.opt.prefix', pfx);
      }
      t.close();
    }
    p += len;
  }
  return mac;
}

const NA_FLAGS: readonly [number, string][] = [
  [0x80000000, 'rtr'],
  [0x40000000, 'sol'],
  [0x20000000, 'ovr'],
];

export function dissectIcmpv6(c: Ctx, off: number, end: number, rend: number): void {
  c.layer = 'icmpv6';
  c.push('icmpv6');
  const s = c.s;
  const d = c.data;
  const quoted = c.quoted > 0;
  if (!quoted) {
    s.protocol = 'ICMPv6';
    s.info = '';
  }
  if (quoted && end - off < 8) return;
  need(off, 4, end, rend);
  const type = d[off]!;
  const code = d[off + 1]!;
  const ck = u16At(d, off + 2);
  const cap = Math.min(end, rend);
  if (c.outer) {
    s.icmpType = type;
    s.icmpCode = code;
    s.l4Offset = off;
    s.payloadData = d;
    s.payloadOffset = Math.min(off + 8, cap);
    s.payloadLen = Math.max(0, cap - off - 8);
    s.l4Len = Math.max(0, rend - off - 8);
  }
  const t = c.tree;
  const ct = codeText(type, code);
  if (t !== null) {
    t.open('Internet Control Message Protocol v6', off, rend - off, 'icmpv6');
    t.add(`Type: ${typeName(type)} (${type})`, off, 1, 'icmpv6.type', type);
    t.add(`Code: ${code}${ct ? ` (${ct})` : ''}`, off + 1, 1, 'icmpv6.code', code);
    if (cap === rend && c.ipVersion === 6) {
      let acc = sum16(c.ip6Src, 0, 16, 0);
      acc = sum16(c.ip6Dst, 0, 16, acc);
      const len = rend - off;
      acc += (len >>> 16) + (len & 0xffff) + 58;
      const exp = expectedChecksum(d, off, len, off + 2, acc);
      t.add(`Checksum: ${checksumLabel(ck, exp)}`, off + 2, 2, 'icmpv6.checksum', ck);
      t.add(`[Checksum Status: ${exp === ck ? 'Good' : 'Bad'}]`, off + 2, 0, 'icmpv6.checksum.status', exp === ck ? 1 : 0);
    } else t.add(`Checksum: 0x${hex4(ck)} [unverified]`, off + 2, 2, 'icmpv6.checksum', ck);
  }
  let info = ct ? `${typeName(type)} (${ct})` : typeName(type);
  try {
    switch (type) {
      case 1:
      case 2:
      case 3:
      case 4: {
        need(off, 8, end, rend);
        if (t !== null) {
          if (type === 2) t.add(`MTU: ${u32At(d, off + 4)}`, off + 4, 4, 'icmpv6.mtu', u32At(d, off + 4));
          else if (type === 4) t.add(`Pointer: ${u32At(d, off + 4)}`, off + 4, 4, 'icmpv6.pointer', u32At(d, off + 4));
          else t.add(`Reserved: ${hex8(u32At(d, off + 4))}`, off + 4, 4, 'icmpv6.reserved', u32At(d, off + 4));
        }
        if (quoted) break;
        // An empty quote is malformed (Wireshark's IPv6 dissector throws on it); a short one is normal.
        need(off + 8, 1, end, rend);
        dissectQuoted(c, dissectIpv6, off + 8, end, rend);
        break;
      }
      case 128:
      case 129: {
        need(off, 8, end, rend);
        const id = u16At(d, off + 4);
        const seq = u16At(d, off + 6);
        info += ` id=0x${hex4(id)}, seq=${seq}, hop limit=${c.ttl}`;
        if (t !== null) {
          t.add(`Identifier: 0x${hex4(id)}`, off + 4, 2, 'icmpv6.echo.identifier', id);
          t.add(`Sequence: ${seq}`, off + 6, 2, 'icmpv6.echo.sequence_number', seq);
          if (off + 8 < cap) t.add(`Data (${rend - off - 8} bytes)`, off + 8, cap - off - 8, 'data');
        }
        break;
      }
      case 133: {
        need(off, 8, end, rend);
        if (t !== null) t.add(`Reserved: ${hex8(u32At(d, off + 4))}`, off + 4, 4, 'icmpv6.reserved', u32At(d, off + 4));
        const mac = ndOptions(c, off + 8, rend, end, rend, 1);
        if (mac) info += ` from ${mac}`;
        break;
      }
      case 134: {
        need(off, 16, end, rend);
        if (t !== null) {
          t.add(`Cur hop limit: ${d[off + 4]}`, off + 4, 1, 'icmpv6.nd.ra.cur_hop_limit', d[off + 4]!);
          t.add(`Flags: 0x${d[off + 5]!.toString(16).padStart(2, '0')}`, off + 5, 1, 'icmpv6.nd.ra.flag', d[off + 5]!);
          t.add(`Router lifetime (s): ${u16At(d, off + 6)}`, off + 6, 2, 'icmpv6.nd.ra.router_lifetime', u16At(d, off + 6));
          t.add(`Reachable time (ms): ${u32At(d, off + 8)}`, off + 8, 4, 'icmpv6.nd.ra.reachable_time', u32At(d, off + 8));
          t.add(`Retrans timer (ms): ${u32At(d, off + 12)}`, off + 12, 4, 'icmpv6.nd.ra.retrans_timer', u32At(d, off + 12));
        }
        const mac = ndOptions(c, off + 16, rend, end, rend, 1);
        if (mac) info += ` from ${mac}`;
        break;
      }
      case 135:
      case 136: {
        need(off, 24, end, rend);
        const target = ip6Text(d, off + 8);
        const flags = u32At(d, off + 4);
        if (t !== null) {
          if (type === 136) {
            const names = NA_FLAGS.filter(([m]) => flags & m).map(([, n]) => n);
            t.open(`Flags: 0x${hex8(flags)}${names.length ? ', ' + names.join(', ') : ''}`, off + 4, 4, 'icmpv6.nd.na.flag', flags);
            t.add(`${bits(flags, 0x80000000, 32)}Router: ${flags & 0x80000000 ? 'Set' : 'Not set'}`, off + 4, 4, 'icmpv6.nd.na.flag.r', (flags & 0x80000000) !== 0);
            t.add(`${bits(flags, 0x40000000, 32)}Solicited: ${flags & 0x40000000 ? 'Set' : 'Not set'}`, off + 4, 4, 'icmpv6.nd.na.flag.s', (flags & 0x40000000) !== 0);
            t.add(`${bits(flags, 0x20000000, 32)}Override: ${flags & 0x20000000 ? 'Set' : 'Not set'}`, off + 4, 4, 'icmpv6.nd.na.flag.o', (flags & 0x20000000) !== 0);
            t.close();
          } else t.add(`Reserved: ${hex8(flags)}`, off + 4, 4, 'icmpv6.reserved', flags);
          t.add(`Target Address: ${target}`, off + 8, 16, type === 135 ? 'icmpv6.nd.ns.target_address' : 'icmpv6.nd.na.target_address', target);
        }
        if (type === 135) {
          info = `Neighbor Solicitation for ${target}`;
          const mac = ndOptions(c, off + 24, rend, end, rend, 1);
          if (mac) info += ` from ${mac}`;
        } else {
          const names = NA_FLAGS.filter(([m]) => flags & m).map(([, n]) => n);
          info = `Neighbor Advertisement ${target} (${names.length ? names.join(', ') : 'none'})`;
          const mac = ndOptions(c, off + 24, rend, end, rend, 2);
          if (mac) info += ` is at ${mac}`;
        }
        break;
      }
      case 137: {
        need(off, 40, end, rend);
        if (t !== null) {
          t.add(`Target Address: ${ip6Text(d, off + 8)}`, off + 8, 16, 'icmpv6.nd.rd.target_address', ip6Text(d, off + 8));
          t.add(`Destination Address: ${ip6Text(d, off + 24)}`, off + 24, 16, 'icmpv6.nd.rd.destination_address', ip6Text(d, off + 24));
        }
        ndOptions(c, off + 40, rend, end, rend, 0);
        break;
      }
      case 130:
      case 131:
      case 132: {
        need(off, 24, end, rend);
        if (t !== null) {
          t.add(`Maximum Response Delay [ms]: ${u16At(d, off + 4)}`, off + 4, 2, 'icmpv6.mld.maximum_response_delay', u16At(d, off + 4));
          t.add(`Multicast Address: ${ip6Text(d, off + 8)}`, off + 8, 16, 'icmpv6.mld.multicast_address', ip6Text(d, off + 8));
        }
        break;
      }
      case 143: {
        need(off, 8, end, rend);
        const n = u16At(d, off + 6);
        if (t !== null) t.add(`Number of Multicast Address Records: ${n}`, off + 6, 2, 'icmpv6.mldr.nb_mcast_records', n);
        // Each record: type, aux len (32-bit words), #sources, group, sources, aux data.
        let p = off + 8;
        for (let i = 0; i < n; i++) {
          need(p, 20, end, rend);
          const nsrc = u16At(d, p + 2);
          const rlen = 20 + 16 * nsrc + 4 * d[p + 1]!;
          need(p, rlen, end, rend);
          if (t !== null) t.add(`Multicast Address Record ${ip6Text(d, p + 4)}`, p, rlen, 'icmpv6.mldr.mar', ip6Text(d, p + 4));
          p += rlen;
        }
        break;
      }
      default:
        break;
    }
  } finally {
    if (!quoted) s.info = info;
    if (t !== null) t.close();
  }
}
