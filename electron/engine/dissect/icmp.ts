/**
 * ICMP (RFC 792; RFC 950 address mask; RFC 1256 router discovery; RFC 8335 extended
 * echo).
 *
 *   +--------+--------+-----------------+
 *   |  Type  |  Code  |    Checksum     |
 *   +--------+--------+-----------------+
 *   |  rest of header (id/seq, unused, gateway, MTU, pointer)  |
 *   +----------------------------------------------------------+
 *   | data: for errors, the offending IP header + at least 8 bytes |
 *
 * The quoted datagram of an error is dissected into the tree (its addresses are further
 * ip.src / ip.dst occurrences, as in Wireshark) but never changes the summary, the
 * Protocol or the Info column; being cut short is normal there and not an anomaly.
 */
import { isReaderError } from '../bytes/reader.js';
import { checksumLabel, expectedChecksum } from './checksum.js';
import { need, type Ctx } from './ctx.js';
import { hex4, ip4Text, padRight, u16At, u32At } from './format.js';
import { dissectIp } from './ip.js';

const TYPES = new Map<number, string>([
  [0, 'Echo (ping) reply'],
  [3, 'Destination unreachable'],
  [4, 'Source quench (flow control)'],
  [5, 'Redirect'],
  [6, 'Alternate host address'],
  [8, 'Echo (ping) request'],
  [9, 'Router advertisement'],
  [10, 'Router solicitation'],
  [11, 'Time-to-live exceeded'],
  [12, 'Parameter problem'],
  [13, 'Timestamp request'],
  [14, 'Timestamp reply'],
  [15, 'Information request'],
  [16, 'Information reply'],
  [17, 'Address mask request'],
  [18, 'Address mask reply'],
  [30, 'Traceroute'],
  [31, 'Datagram Conversion Error'],
  [32, 'Mobile Host Redirect'],
  [33, 'IPv6 Where-Are-You'],
  [34, 'IPv6 I-Am-Here'],
  [35, 'Mobile Registration Request'],
  [36, 'Mobile Registration Reply'],
  [37, 'Domain Name Request'],
  [38, 'Domain Name Reply'],
  [39, 'SKIP'],
  [40, 'Photuris'],
  [42, 'Extended Echo request'],
  [43, 'Extended Echo reply'],
]);

const CODES = new Map<number, readonly string[]>([
  [3, [
    'Network unreachable', 'Host unreachable', 'Protocol unreachable', 'Port unreachable', 'Fragmentation needed',
    'Source route failed', 'Destination network unknown', 'Destination host unknown', 'Source host isolated',
    'Network administratively prohibited', 'Host administratively prohibited', 'Network unreachable for TOS',
    'Host unreachable for TOS', 'Communication administratively filtered', 'Host precedence violation',
    'Precedence cutoff in effect',
  ]],
  [5, ['Redirect for network', 'Redirect for host', 'Redirect for TOS and network', 'Redirect for TOS and host']],
  [11, ['Time to live exceeded in transit', 'Fragment reassembly time exceeded']],
  [12, ['Pointer indicates the error', 'Required option missing', 'Bad length']],
  [40, ['Bad SPI', 'Authentication Failed', 'Decompression Failed', 'Decryption Failed', 'Need Authentication', 'Need Authorization']],
  [42, ['No error']],
  [43, ['No error', 'Malformed Query', 'No Such Interface', 'No Such Table Entry', 'Multiple Interfaces Satisfy Query']],
]);

/** Router advertisement codes are sparse (RFC 5944 adds 16). */
function codeText(type: number, code: number): string {
  if (type === 9) return code === 0 ? 'Normal router advertisement' : code === 16 ? 'Does not route common traffic' : `Unknown code: ${code}`;
  const table = CODES.get(type);
  if (table === undefined) return '';
  return table[code] ?? `Unknown code: ${code}`;
}

/** Messages carrying an identifier and sequence number. */
function hasIdSeq(type: number): boolean {
  return type === 0 || type === 8 || (type >= 13 && type <= 18);
}

/** Error messages quoting the offending datagram. */
function isError(type: number): boolean {
  return type === 3 || type === 4 || type === 5 || type === 11 || type === 12;
}

function headInfo(type: number, code: number): string {
  const name = TYPES.get(type);
  if (name === undefined) return 'Unknown ICMP (obsolete or malformed?)';
  const ct = codeText(type, code);
  return padRight(name, 20) + (ct ? ` (${ct})` : '');
}

/**
 * Dissect a quoted datagram: the columns are frozen and any bounds error is swallowed
 * (a shortened quote is normal). Shared with ICMPv6.
 */
export function dissectQuoted(c: Ctx, fn: (c: Ctx, off: number, end: number, rend: number) => void, off: number, end: number, rend: number): void {
  const s = c.s;
  const protocol = s.protocol;
  const info = s.info;
  const layer = c.layer;
  const ttl = c.ttl;
  c.quoted++;
  try {
    fn(c, off, end, Math.min(rend, end));
  } catch (e) {
    if (!isReaderError(e)) throw e;
    if (c.tree !== null) c.tree.add('[Quoted datagram cut short]', e.offset, 0);
  } finally {
    c.quoted--;
    s.protocol = protocol;
    s.info = info;
    c.layer = layer;
    c.ttl = ttl;
  }
}

export function dissectIcmp(c: Ctx, off: number, end: number, rend: number): void {
  c.layer = 'icmp';
  c.push('icmp');
  const s = c.s;
  const d = c.data;
  const quoted = c.quoted > 0;
  if (!quoted) {
    s.protocol = 'ICMP';
    s.info = '';
  }
  if (end - off < 8) {
    if (quoted) return;
    if (end - off >= 6) s.info = headInfo(d[off]!, d[off + 1]!);
    need(off, 8, end, rend);
  }
  const type = d[off]!;
  const code = d[off + 1]!;
  const ck = u16At(d, off + 2);
  const cap = Math.min(end, rend);
  if (c.outer) {
    s.icmpType = type;
    s.icmpCode = code;
    s.l4Offset = off;
    s.payloadData = d;
    s.payloadOffset = off + 8;
    s.payloadLen = cap - off - 8;
    s.l4Len = rend - off - 8;
  }
  if (!quoted) {
    let info = headInfo(type, code);
    if (hasIdSeq(type)) {
      const id = u16At(d, off + 4);
      const seq = u16At(d, off + 6);
      info += ` id=0x${hex4(id)}, seq=${seq}/${((seq & 0xff) << 8) | (seq >> 8)}, ttl=${c.ttl}`;
    }
    s.info = info;
  }
  const t = c.tree;
  if (t !== null) {
    const name = TYPES.get(type) ?? 'Unknown';
    const ct = codeText(type, code);
    t.open('Internet Control Message Protocol', off, rend - off, 'icmp');
    t.add(`Type: ${type} (${name})`, off, 1, 'icmp.type', type);
    t.add(`Code: ${code}${ct ? ` (${ct})` : ''}`, off + 1, 1, 'icmp.code', code);
    if (cap === rend) {
      const exp = expectedChecksum(d, off, rend - off, off + 2, 0);
      t.add(`Checksum: ${checksumLabel(ck, exp)}`, off + 2, 2, 'icmp.checksum', ck);
      t.add(`[Checksum Status: ${exp === ck ? 'Good' : 'Bad'}]`, off + 2, 0, 'icmp.checksum.status', exp === ck ? 1 : 0);
    } else t.add(`Checksum: 0x${hex4(ck)} [unverified]`, off + 2, 2, 'icmp.checksum', ck);
    if (hasIdSeq(type)) {
      const id = u16At(d, off + 4);
      const seq = u16At(d, off + 6);
      const sw = (v: number): number => ((v & 0xff) << 8) | (v >> 8);
      t.add(`Identifier (BE): ${id} (0x${hex4(id)})`, off + 4, 2, 'icmp.ident', id);
      t.add(`Identifier (LE): ${sw(id)} (0x${hex4(sw(id))})`, off + 4, 2, 'icmp.ident_le', sw(id));
      t.add(`Sequence Number (BE): ${seq} (0x${hex4(seq)})`, off + 6, 2, 'icmp.seq', seq);
      t.add(`Sequence Number (LE): ${sw(seq)} (0x${hex4(sw(seq))})`, off + 6, 2, 'icmp.seq_le', sw(seq));
    } else if (type === 5) {
      t.add(`Gateway Address: ${ip4Text(u32At(d, off + 4))}`, off + 4, 4, 'icmp.redir_gw', ip4Text(u32At(d, off + 4)));
    } else if (type === 3 && code === 4) {
      t.add(`Unused: ${hex4(u16At(d, off + 4))}`, off + 4, 2, 'icmp.unused', u16At(d, off + 4));
      t.add(`MTU of next hop: ${u16At(d, off + 6)}`, off + 6, 2, 'icmp.mtu', u16At(d, off + 6));
    } else if (type === 12) {
      t.add(`Pointer: ${d[off + 4]}`, off + 4, 1, 'icmp.pointer', d[off + 4]!);
    } else if (isError(type)) {
      t.add(`Unused: ${hex4(u16At(d, off + 4))}${hex4(u16At(d, off + 6))}`, off + 4, 4, 'icmp.unused', u32At(d, off + 4));
    }
  }
  if (isError(type) && !quoted) {
    if (off + 8 < cap) dissectQuoted(c, dissectIp, off + 8, end, rend);
  } else if (t !== null && off + 8 < cap) {
    t.add(`Data (${rend - off - 8} bytes)`, off + 8, cap - off - 8, 'data');
  }
  if (t !== null) t.close();
}
