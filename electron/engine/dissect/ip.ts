/**
 * IPv4 (RFC 791), with fragment reassembly (RFC 791 §3.2; RFC 815 hole tracking is done
 * by coverage in reassembly.ts).
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |Version|  IHL  |    DSCP   |ECN|          Total Length         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |         Identification        |Flags|      Fragment Offset    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Time to Live |    Protocol   |         Header Checksum       |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                       Source Address                          |
 *   |                    Destination Address                        |
 *   |                    Options (IHL > 5)                          |
 *
 * As in Wireshark (ip.check_checksum defaults to FALSE) the header checksum is shown but
 * not validated. A total length of 0 is taken as TSO (ip.tso_support, on by default):
 * the datagram is the rest of the frame.
 */
import { need, type Ctx } from './ctx.js';
import { bits, hex4, ip4Text, u16At, u32At } from './format.js';
import { dsfieldSummary, dsfieldTree } from './dsfield.js';
import { markReassembled, reassemblyTree } from './reassembled.js';
import { dispatchIpProto, ethertypes, ipProtoName } from './tables.js';

const OPTION_NAMES = new Map<number, string>([
  [0, 'End of Options List (EOL)'],
  [1, 'No-Operation (NOP)'],
  [7, 'Record Route'],
  [10, 'ZSU'],
  [11, 'Probe MTU'],
  [12, 'Reply MTU'],
  [15, 'ENCODE'],
  [25, 'Quick-Start'],
  [68, 'Time Stamp'],
  [82, 'Traceroute'],
  [130, 'Security'],
  [131, 'Loose Source Route'],
  [133, 'Extended Security'],
  [134, 'Commercial IP Security Option'],
  [136, 'Stream ID'],
  [137, 'Strict Source Route'],
  [142, 'Experimental Access Control'],
  [144, 'IMI Traffic Descriptor'],
  [145, 'Extended Internet Protocol'],
  [147, 'Address Extension'],
  [148, 'Router Alert'],
  [149, 'Selective Directed Broadcast'],
  [151, 'Dynamic Packet State'],
  [152, 'Upstream Multicast Packet'],
  [205, 'Experimental Flow Control'],
]);

function optName(type: number): string {
  return OPTION_NAMES.get(type) ?? `Unknown (0x${type.toString(16).padStart(2, '0')})`;
}

/**
 * Walk the options (both paths: malformed options are anomalies either way). Forward
 * progress (≥ 1 byte per option, at most 40 bytes) bounds the loop. Returns the offset
 * of the final destination of a loose/strict source route, or -1 (RFC 791 §3.1: the
 * last route entry is the real destination unless the route is exhausted).
 */
function options(c: Ctx, off: number, oend: number): number {
  const d = c.data;
  const t = c.tree;
  let dstOff = -1;
  let names = '';
  const head = t !== null ? t.open(`Options: (${oend - off} bytes)`, off, oend - off, 'ip.options') : null;
  for (let p = off; p < oend; ) {
    const type = d[p]!;
    const name = optName(type);
    if (type === 0 || type === 1) {
      if (t !== null) {
        t.open(`IP Option - ${name}`, p, 1, 'ip.opt.type', type);
        t.add(`Type: ${type}`, p, 1, 'ip.opt.type', type);
        t.close();
      }
      if (type === 0) break;
      p++;
      continue;
    }
    if (p + 1 >= oend) {
      c.anomaly('malformed', p, `${name} (length byte past end of options)`);
      break;
    }
    const len = d[p + 1]!;
    if (len < 2) {
      c.anomaly('malformed', p, `${name} (with too-short option length = ${len} byte${len === 1 ? '' : 's'})`);
      break;
    }
    if (p + len > oend) {
      c.anomaly('malformed', p, `${name} (option length = ${len} bytes says option goes past end of options)`);
      break;
    }
    names += ', ' + name;
    if ((type === 131 || type === 137) && len >= 7) {
      const ptr = d[p + 2]!;
      if (ptr <= len) dstOff = p + len - 4;
    }
    if (t !== null) {
      t.open(`IP Option - ${name} (${len} bytes)`, p, len, 'ip.opt.type', type);
      t.add(`Type: ${type}`, p, 1, 'ip.opt.type', type);
      t.add(`${bits(type, 0x80, 8)}Copy on fragmentation: ${type & 0x80 ? 'Yes' : 'No'}`, p, 1, 'ip.opt.type.copy', (type & 0x80) !== 0);
      t.add(`${bits(type, 0x1f, 8)}Number: ${type & 0x1f}`, p, 1, 'ip.opt.type.number', type & 0x1f);
      t.add(`Length: ${len}`, p + 1, 1, 'ip.opt.len', len);
      if ((type === 7 || type === 131 || type === 137 || type === 68) && len >= 3) {
        t.add(`Pointer: ${d[p + 2]}`, p + 2, 1, 'ip.opt.ptr', d[p + 2]!);
        if (type !== 68) {
          for (let a = p + 3; a + 4 <= p + len; a += 4) t.add(`IP Address: ${ip4Text(u32At(d, a))}`, a, 4, 'ip.opt.addr', ip4Text(u32At(d, a)));
        }
      } else if (type === 148 && len === 4) {
        const v = u16At(d, p + 2);
        t.add(`Router Alert: ${v === 0 ? 'Router shall examine packet' : 'Reserved'} (${v})`, p + 2, 2, 'ip.opt.ra', v);
      }
      t.close();
    }
    p += len;
  }
  if (head !== null) {
    head.label += names;
    t!.close();
  }
  return dstOff;
}

export function dissectIp(c: Ctx, off: number, end: number, rend: number): void {
  c.layer = 'ip';
  c.push('ip');
  const s = c.s;
  const quoted = c.quoted > 0;
  s.protocol = 'IPv4';
  s.info = '';
  need(off, 1, end, rend);
  const d = c.data;
  const vhl = d[off]!;
  const version = vhl >> 4;
  const t = c.tree;
  if (version !== 4) {
    if (version === 6) {
      // Wireshark's "ip" hands a version-6 packet to IPv6 (and flags it).
      c.anomaly('malformed', off, 'Bogus IPv4 version (6, must be 4)');
      const v6 = ethertypes.get(0x86dd);
      if (v6 !== undefined) v6(c, off, end, rend);
      return;
    }
    s.info = `Bogus IPv4 version (${version}, must be 4)`;
    if (t !== null) {
      t.open(`Internet Protocol, bogus version (${version})`, off, 1, 'ip');
      t.add(`${bits(vhl, 0xf0, 8)}Version: ${version}`, off, 1, 'ip.version', version);
    }
    c.anomaly('malformed', off, `Bogus IPv4 version (${version}, must be 4)`);
    if (t !== null) t.close();
    return;
  }
  const hlen = (vhl & 0x0f) * 4;
  if (hlen < 20) {
    s.info = `Bogus IP header length (${hlen}, must be at least 20)`;
    if (t !== null) {
      t.open('Internet Protocol Version 4', off, 1, 'ip');
      t.add(`${bits(vhl, 0xf0, 8)}Version: 4`, off, 1, 'ip.version', 4);
      t.add(`${bits(vhl, 0x0f, 8)}Header Length: ${hlen} bytes (${vhl & 0x0f})`, off, 1, 'ip.hdr_len', hlen);
    }
    c.anomaly('malformed', off, `Bogus IP header length (${hlen}, must be at least 20)`);
    if (t !== null) t.close();
    return;
  }
  need(off, 20, end, rend);
  const tos = d[off + 1]!;
  let len = u16At(d, off + 2);
  const id = u16At(d, off + 4);
  const fw = u16At(d, off + 6);
  const ttl = d[off + 8]!;
  const proto = d[off + 9]!;
  const src = u32At(d, off + 12);
  let dst = u32At(d, off + 16);
  const wireLen = len;
  const tso = len === 0;
  if (tso) len = rend - off;

  if (t !== null) {
    t.open(`Internet Protocol Version 4, Src: ${ip4Text(src)}, Dst: ${ip4Text(dst)}`, off, hlen, 'ip');
    t.add(`${bits(vhl, 0xf0, 8)}Version: 4`, off, 1, 'ip.version', 4);
    t.add(`${bits(vhl, 0x0f, 8)}Header Length: ${hlen} bytes (${vhl & 0x0f})`, off, 1, 'ip.hdr_len', hlen);
    t.open(`Differentiated Services Field: 0x${tos.toString(16).padStart(2, '0')} (${dsfieldSummary(tos)})`, off + 1, 1, 'ip.dsfield', tos);
    dsfieldTree(c, tos, off + 1, 1, 'ip.dsfield', 8, 0, tos);
    t.close();
    t.add(`Total Length: ${wireLen}`, off + 2, 2, 'ip.len', wireLen);
  }
  if (len < hlen) {
    s.info = `Bogus IP length (${len}, less than header length ${hlen})`;
    c.anomaly('malformed', off + 2, `Bogus IP length (${len}, less than header length ${hlen})`);
    if (t !== null) t.close();
    return;
  }
  if (t !== null) {
    t.add(`Identification: 0x${hex4(id)} (${id})`, off + 4, 2, 'ip.id', id);
    const fb = d[off + 6]!;
    const flags = fb >> 5;
    t.open(
      `${bits(fb, 0xe0, 8)}Flags: 0x${flags}${flags & 2 ? ", Don't fragment" : ''}${flags & 1 ? ', More fragments' : ''}`,
      off + 6, 1, 'ip.flags', flags,
    );
    t.add(`${bits(fb, 0x80, 8)}Reserved bit: ${flags & 4 ? 'Set' : 'Not set'}`, off + 6, 1, 'ip.flags.rb', (flags & 4) !== 0);
    t.add(`${bits(fb, 0x40, 8)}Don't fragment: ${flags & 2 ? 'Set' : 'Not set'}`, off + 6, 1, 'ip.flags.df', (flags & 2) !== 0);
    t.add(`${bits(fb, 0x20, 8)}More fragments: ${flags & 1 ? 'Set' : 'Not set'}`, off + 6, 1, 'ip.flags.mf', (flags & 1) !== 0);
    t.close();
    t.add(`${bits(fw, 0x1fff, 16)}Fragment Offset: ${(fw & 0x1fff) * 8}`, off + 6, 2, 'ip.frag_offset', fw & 0x1fff);
    t.add(`Time to Live: ${ttl}`, off + 8, 1, 'ip.ttl', ttl);
    t.add(`Protocol: ${ipProtoName(proto)} (${proto})`, off + 9, 1, 'ip.proto', proto);
    const ck = u16At(d, off + 10);
    t.add(`Header Checksum: 0x${hex4(ck)} [validation disabled]`, off + 10, 2, 'ip.checksum', ck);
    t.add('[Header checksum status: Unverified]', off + 10, 0, 'ip.checksum.status', 2);
    t.add(`Source Address: ${ip4Text(src)}`, off + 12, 4, 'ip.src', ip4Text(src));
  }
  const dstNode = t !== null ? t.add(`Destination Address: ${ip4Text(dst)}`, off + 16, 4, 'ip.dst', ip4Text(dst)) : null;
  if (hlen > 20) {
    need(off, hlen, end, rend);
    const dstOff = options(c, off + 20, off + hlen);
    if (dstOff >= 0) {
      // Source-routed: the header holds the current hop; ip.dst is the route's last entry.
      dst = u32At(d, dstOff);
      if (dstNode !== null) {
        dstNode.label = `Current Route: ${dstNode.value as string}`;
        dstNode.field = 'ip.cur_rt';
        t!.add(`Destination Address: ${ip4Text(dst)}`, dstOff, 4, 'ip.dst', ip4Text(dst));
      }
    }
  }
  if (off + len > rend) {
    // In an ICMP error the quoted datagram is cut short by design: not a problem there.
    if (!quoted) c.anomaly('malformed', off + 2, `IPv4 total length exceeds packet length (${rend - off} bytes)`);
    len = rend - off;
  } else if (tso && !quoted) {
    c.anomaly('note', off + 2, 'IPv4 total length is 0: assuming TCP segmentation offload');
  }
  if (c.encap === 0) {
    if (!quoted) {
      s.l3 = 4;
      s.ip4Src = src;
      s.ip4Dst = dst;
      s.ipProto = proto;
    } else {
      const q = c.quoteSummary();
      if (q !== null && q.l3 === 0) {
        q.l3 = 4;
        q.src = ip4Text(src);
        q.dst = ip4Text(dst);
        q.ipProto = proto;
      }
    }
  } else if (!quoted) {
    const inner = c.innerSummary();
    inner.l3 = 4;
    inner.src = ip4Text(src);
    inner.dst = ip4Text(dst);
    inner.ipProto = proto;
  }
  c.ttl = ttl;
  c.ipVersion = 4;
  c.ip4Src = src;
  c.ip4Dst = dst;

  const pOff = off + hlen;
  const ipEnd = off + len;
  const cend = Math.min(end, ipEnd);
  const mf = (fw & 0x2000) !== 0;
  const fragOff = (fw & 0x1fff) * 8;
  if (mf || fragOff !== 0) {
    if (!quoted && cend === ipEnd) {
      const key = `${src}|${dst}|${id}|${proto}|${c.vlanId}`;
      const r = c.ip4Frags.add(key, c.frameNo, fragOff, d.subarray(pOff, ipEnd), mf, c.now);
      for (const n of r.notes) c.anomaly(n.kind, pOff, n.detail);
      if (r.status === 'complete') {
        reassemblyTree(c, 'ip', 'IPv4', r.parts, r.data);
        if (t !== null) t.close();
        if (c.outer) s.ipReassembled = true;
        markReassembled(c, r.parts, r.data, 'Reassembled IPv4');
        dispatchIpProto(c, proto, 0, r.data.length, r.data.length, false);
        return;
      }
    }
    if (fragOff !== 0 || !quoted && cend === ipEnd) {
      if (t !== null) t.close();
      if (c.outer) s.ipFragment = true;
      if (!quoted) s.info = `Fragmented IP protocol (proto=${ipProtoName(proto)} ${proto}, off=${fragOff}, ID=${hex4(id)})`;
      c.push('data');
      if (t !== null && pOff < cend) t.add(`Data (${ipEnd - pOff} bytes)`, pOff, cend - pOff, 'data');
      return;
    }
    // A first fragment we cannot reassemble (not fully captured): dissect what is there.
    if (c.outer) s.ipFragment = true;
  }
  if (t !== null) t.close();
  dispatchIpProto(c, proto, pOff, cend, ipEnd, false);
}
