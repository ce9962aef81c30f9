/**
 * TCP (RFC 9293), with the options of RFC 7323 (window scale, timestamps), RFC 2018
 * (SACK), RFC 7413 (Fast Open cookie) and the AE/NS bit of RFC 3540 / AccECN.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |          Source Port          |       Destination Port        |
 *   |                        Sequence Number                        |
 *   |                    Acknowledgment Number                      |
 *   |  Data |     |A|C|E|U|A|P|R|S|F|                               |
 *   | Offset| Rsv |E|W|C|R|C|S|S|Y|I|            Window             |
 *   |       |     | |R|E|G|K|H|T|N|N|                               |
 *   |           Checksum            |         Urgent Pointer        |
 *   |                    Options (Data Offset > 5)                  |
 *
 * The Info column is built as Wireshark builds it, step by step, so that a frame cut
 * short shows what Wireshark shows ("51234 → 80[Packet size limited during capture]").
 * Relative sequence numbers need per-connection state kept by the ingest pipeline: it
 * calls `tcpInfo()` again with the connection's bases.
 */
import { need, needItem, short, type Ctx } from './ctx.js';
import { bits, hex4, u16Text, u32Text } from './format.js';
import type { FrameSummary, TreeSink } from './types.js';

const SYN = 0x02;
const ACK = 0x10;
const URG = 0x20;

/** Flag names in Wireshark's order (bit 0 upwards); bit 8 is AE (formerly NS). */
const FLAG_NAMES = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'AE'];

/** "[SYN, ACK]" text for every combination of the nine named flags (reserved bits are not shown). */
const FLAG_TEXT: readonly string[] = Array.from({ length: 512 }, (_, f) => {
  const names = FLAG_NAMES.filter((_, i) => f & (1 << i));
  return names.length ? names.join(', ') : '<None>';
});

export function tcpFlagsText(flags: number): string {
  return FLAG_TEXT[flags & 0x1ff]!;
}

/** Largest window-scale shift (RFC 7323 §2.3); Wireshark shows larger values as 14. */
const MAX_WINDOW_SHIFT = 14;

const OPTION_NAMES = new Map<number, string>([
  [0, 'End of Option List (EOL)'],
  [1, 'No-Operation (NOP)'],
  [2, 'Maximum segment size'],
  [3, 'Window scale'],
  [4, 'SACK permitted'],
  [5, 'SACK'],
  [8, 'Timestamps'],
  [19, 'MD5 signature'],
  [27, 'Quick-Start Response'],
  [28, 'User Timeout'],
  [29, 'TCP Authentication Option'],
  [30, 'Multipath TCP'],
  [34, 'TCP Fast Open Cookie'],
  [253, 'RFC3692-style Experiment 1'],
  [254, 'RFC3692-style Experiment 2'],
]);

/** Options whose length is fixed: a different length is reported and the option skipped. */
const FIXED_LENGTH = new Map<number, number>([
  [2, 4],
  [3, 3],
  [4, 2],
  [8, 10],
  [19, 18],
  [28, 4],
]);

function optionName(kind: number): string {
  return OPTION_NAMES.get(kind) ?? `Unknown (0x${kind.toString(16).padStart(2, '0')})`;
}

function u32(d: Uint8Array, o: number): number {
  return ((d[o]! << 24) >>> 0) + ((d[o + 1]! << 16) | (d[o + 2]! << 8) | d[o + 3]!);
}

/** Where the option walk appends Info text: the summary itself, or a scratch for tcpInfo(). */
interface InfoSink {
  info: string;
  /** Window-scale shift from a WS option, -1 when none (the summary records it for the indexer). */
  tcpWsShift?: number;
}

/**
 * Walk the options in d[p, oend), appending Wireshark's Info text (" MSS=1460 SACK_PERM
 * TSval=.. TSecr=.. WS=128 SLE=.. SRE=.."). With a context (the dissector) a read past
 * the captured / reported bytes throws like any other read and problems are anomalies;
 * without one (tcpInfo) the walk just stops there, as the dissector's did.
 * Forward progress (≥ 1 byte per option, ≤ 40 bytes of options) bounds the loop.
 */
function walkOptions(
  c: Ctx | null,
  d: Uint8Array,
  p: number,
  oend: number,
  end: number,
  rend: number,
  ackBase: number,
  out: InfoSink,
  t: TreeSink | null,
): void {
  let names = '';
  const head = t !== null ? t.open(`Options: (${oend - p} bytes)`, p, oend - p, 'tcp.options') : null;
  try {
    while (p < oend) {
      if (p + 1 > end) {
        if (c === null) return;
        short(p, 1, end, rend);
      }
      const kind = d[p]!;
      const name = optionName(kind);
      if (kind === 0 || kind === 1) {
        if (t !== null) {
          t.open(`TCP Option - ${name}`, p, 1, kind === 0 ? 'tcp.option_kind' : 'tcp.options.nop');
          t.add(`Kind: ${kind === 0 ? 'End of Option List' : 'No-Operation'} (${kind})`, p, 1, 'tcp.option_kind', kind);
          t.close();
        }
        names += ', ' + name;
        if (kind === 0) {
          // Wireshark shows the rest of the header as padding: it must be there too.
          if (c !== null) need(p, oend - p, end, rend);
          return;
        }
        p++;
        continue;
      }
      if (p + 1 >= oend) {
        if (c !== null) c.anomaly('malformed', p, `${name} (length byte past end of options)`);
        return;
      }
      if (p + 2 > end) {
        if (c === null) return;
        short(p, 2, end, rend);
      }
      const len = d[p + 1]!;
      if (len < 2) {
        if (c !== null) c.anomaly('malformed', p, `${name} (with too-short option length = ${len} byte${len === 1 ? '' : 's'})`);
        return;
      }
      if (p + len > oend) {
        if (c !== null) c.anomaly('malformed', p, `${name} (option length = ${len} bytes says option goes past end of options)`);
        return;
      }
      if (p + len > end) {
        if (c === null) return;
        needItem(p, len, end, rend);
      }
      names += ', ' + name;
      const fixed = FIXED_LENGTH.get(kind);
      if (fixed !== undefined && fixed !== len) {
        if (c !== null) c.anomaly('malformed', p, `${name}: option length should be ${fixed}`);
        p += len;
        continue;
      }
      const node = t !== null ? t.open(`TCP Option - ${name}`, p, len, 'tcp.option_kind', kind) : null;
      if (t !== null) {
        t.add(`Kind: ${name} (${kind})`, p, 1, 'tcp.option_kind', kind);
        t.add(`Length: ${len}`, p + 1, 1, 'tcp.option_len', len);
      }
      switch (kind) {
        case 2: {
          const mss = (d[p + 2]! << 8) | d[p + 3]!;
          out.info += ` MSS=${mss}`;
          if (t !== null) {
            node!.label += `: ${mss} bytes`;
            t.add(`MSS Value: ${mss}`, p + 2, 2, 'tcp.options.mss_val', mss);
          }
          break;
        }
        case 3: {
          const shift = d[p + 2]!;
          const mult = 2 ** Math.min(shift, MAX_WINDOW_SHIFT);
          out.info += ` WS=${mult}`;
          out.tcpWsShift = shift;
          if (t !== null) {
            node!.label += `: ${shift} (multiply by ${mult})`;
            t.add(`Shift count: ${shift}`, p + 2, 1, 'tcp.options.wscale.shift', shift);
            t.add(`[Multiplier: ${mult}]`, p + 2, 1, 'tcp.options.wscale.multiplier', mult);
          }
          break;
        }
        case 4:
          out.info += ' SACK_PERM';
          break;
        case 5: {
          // Blocks of 8 bytes; a partial block reads past the option: malformed, as in Wireshark.
          let count = 0;
          for (let q = p + 2; q < p + len; q += 8) {
            if (q + 8 > p + len) {
              if (c === null) return;
              short(q, 8, p + len, p + len);
            }
            const le = (u32(d, q) - ackBase) >>> 0;
            const re = (u32(d, q + 4) - ackBase) >>> 0;
            out.info += ` SLE=${le} SRE=${re}`;
            count++;
            if (t !== null) {
              node!.label += ` ${le}-${re}`;
              t.add(`left edge = ${le}`, q, 4, 'tcp.options.sack_le', le);
              t.add(`right edge = ${re}`, q + 4, 4, 'tcp.options.sack_re', re);
            }
          }
          if (t !== null) t.add(`[TCP SACK Count: ${count}]`, p, len, 'tcp.options.sack.count', count);
          break;
        }
        case 8: {
          const val = u32(d, p + 2);
          const ecr = u32(d, p + 6);
          out.info += ` TSval=${val} TSecr=${ecr}`;
          if (t !== null) {
            node!.label += `: TSval ${val}, TSecr ${ecr}`;
            t.add(`Timestamp value: ${val}`, p + 2, 4, 'tcp.options.timestamp.tsval', val);
            t.add(`Timestamp echo reply: ${ecr}`, p + 6, 4, 'tcp.options.timestamp.tsecr', ecr);
          }
          break;
        }
        case 34:
          out.info += len === 2 ? ' TFO=R' : ' TFO=C';
          break;
        default:
          break;
      }
      if (t !== null) t.close();
      p += len;
    }
  } finally {
    if (head !== null) {
      head.label += names;
      t!.close();
    }
  }
}

/** " [SYN, ACK] Seq=" for every flag combination. */
const FLAG_SEQ: readonly string[] = FLAG_TEXT.map((f) => ` [${f}] Seq=`);

/** "51234 → 80 [SYN] Seq=0 Win=64240" (the part every TCP Info starts with). */
function baseInfo(sp: number, dp: number, flags: number, seq: number, ack: number, win: number, urg: number): string {
  let s = u16Text(sp) + ' → ' + u16Text(dp) + FLAG_SEQ[flags & 0x1ff]! + u32Text(seq);
  if (flags & ACK) s += ' Ack=' + u32Text(ack);
  s += ' Win=' + (win <= 0xffff ? u16Text(win) : String(win));
  if (flags & URG) s += ' Urg=' + u16Text(urg);
  return s;
}

export interface TcpInfoOptions {
  /** Window-scale shift of this direction (from its SYN), when both sides sent one; -1 / absent = unknown. */
  windowScale?: number;
  /** Analysis prefix Wireshark puts first ("[TCP Retransmission] "). */
  prefix?: string;
}

const scratch: InfoSink = { info: '' };

/**
 * The TCP Info column for a dissected frame with relative sequence numbers: Seq and
 * SACK edges relative to `seqBase` / `ackBase` (each the ISN of its direction; 0 gives
 * raw numbers, which is what dissectFrame put in `s.info`). Options are re-read from
 * `s.payloadData`, so call it while the frame's bytes are still valid.
 */
export function tcpInfo(s: FrameSummary, seqBase: number, ackBase: number, options?: TcpInfoOptions): string {
  if (s.tcpFlags < 0 || s.payloadData === null || s.l4Offset < 0) return s.info;
  const d = s.payloadData;
  const off = s.l4Offset;
  const sb = Number.isFinite(seqBase) ? seqBase : 0;
  const ab = Number.isFinite(ackBase) ? ackBase : 0;
  const flags = s.tcpFlags;
  const shift = options?.windowScale ?? -1;
  const win = shift >= 0 && !(flags & SYN) ? s.tcpWin * 2 ** Math.min(shift, MAX_WINDOW_SHIFT) : s.tcpWin;

  let info = baseInfo(s.srcPort, s.dstPort, flags, (s.tcpSeq - sb) >>> 0, (s.tcpAck - ab) >>> 0, win, s.tcpUrg);
  const hlen = s.tcpHdrLen;
  if (hlen < 20) {
    info += `, bogus TCP header length (${hlen}, must be at least 20)`;
  } else {
    if (s.l4Len >= 0) info += ' Len=' + u16Text(s.l4Len);
    if (hlen > 20) {
      scratch.info = info;
      scratch.tcpWsShift = -1;
      // Bounds as the dissector had them: captured bytes, and the reported segment end.
      const cap = s.payloadOffset + s.payloadLen;
      const wire = s.l4Len >= 0 ? off + hlen + s.l4Len : cap;
      walkOptions(null, d, off + 20, off + hlen, Math.min(cap, wire), wire, ab, scratch, null);
      info = scratch.info;
      // With deferTcpInfo the dissector skipped the options: record the WS shift here.
      if (scratch.tcpWsShift! >= 0) s.tcpWsShift = scratch.tcpWsShift!;
    }
  }
  const prefix = options !== undefined && options.prefix !== undefined ? options.prefix : '';
  return s.infoTail.length === 0 && prefix.length === 0 ? info : prefix + info + s.infoTail;
}

/** Quoted in an ICMP error (usually 8 bytes): show what is there, never fail. */
function quotedTcp(c: Ctx, off: number, end: number): void {
  const t = c.tree;
  const d = c.data;
  if (t === null || end - off < 4) return;
  const sp = (d[off]! << 8) | d[off + 1]!;
  const dp = (d[off + 2]! << 8) | d[off + 3]!;
  t.open(`Transmission Control Protocol, Src Port: ${sp}, Dst Port: ${dp}`, off, end - off, 'tcp');
  t.add(`Source Port: ${sp}`, off, 2, 'tcp.srcport', sp);
  t.add(`Destination Port: ${dp}`, off + 2, 2, 'tcp.dstport', dp);
  if (end - off >= 8) t.add(`Sequence Number: ${u32(d, off + 4)}`, off + 4, 4, 'tcp.seq', u32(d, off + 4));
  t.close();
}

export function dissectTcp(c: Ctx, off: number, end: number, rend: number): void {
  c.layer = 'tcp';
  c.push('tcp');
  const s = c.s;
  const d = c.data;
  const quoted = c.quoted > 0;
  if (quoted && end - off >= 4) {
    const q = c.quoteSummary();
    if (q !== null && q.srcPort < 0) {
      q.srcPort = (d[off]! << 8) | d[off + 1]!;
      q.dstPort = (d[off + 2]! << 8) | d[off + 3]!;
      if (end - off >= 14) q.tcpFlags = ((d[off + 12]! & 0x0f) << 8) | d[off + 13]!;
    }
  }
  if (end - off < 20) {
    if (quoted) {
      quotedTcp(c, off, end);
      return;
    }
    // Wireshark sets the columns after reading the ports; cut short before the rest.
    if (end - off >= 16) {
      s.protocol = 'TCP';
      const fl = ((d[off + 12]! & 0x0f) << 8) | d[off + 13]!;
      s.info = baseInfo((d[off]! << 8) | d[off + 1]!, (d[off + 2]! << 8) | d[off + 3]!, fl & ~URG, u32(d, off + 4), u32(d, off + 8), (d[off + 14]! << 8) | d[off + 15]!, 0);
    } else if (end - off >= 4) {
      s.protocol = 'TCP';
      s.info = `${(d[off]! << 8) | d[off + 1]!} → ${(d[off + 2]! << 8) | d[off + 3]!}`;
    }
    need(off, 20, end, rend);
  }
  const sp = (d[off]! << 8) | d[off + 1]!;
  const dp = (d[off + 2]! << 8) | d[off + 3]!;
  const seq = u32(d, off + 4);
  const ack = u32(d, off + 8);
  const b12 = d[off + 12]!;
  const flags = ((b12 & 0x0f) << 8) | d[off + 13]!;
  const hlen = (b12 >> 4) * 4;
  const win = (d[off + 14]! << 8) | d[off + 15]!;
  const urg = (d[off + 18]! << 8) | d[off + 19]!;
  const seglen = rend - off;
  const tcpLen = hlen >= 20 && hlen <= seglen ? seglen - hlen : -1;
  const pOff = hlen >= 20 ? Math.min(off + hlen, end) : end;

  if (c.encap === 0) {
    if (!quoted) {
      s.srcPort = sp;
      s.dstPort = dp;
      s.tcpFlags = flags;
      s.tcpSeq = seq;
      s.tcpAck = ack;
      s.tcpWin = win;
      s.tcpUrg = urg;
      s.tcpHdrLen = hlen;
      s.l4Offset = off;
      s.l4Len = tcpLen;
      s.payloadData = d;
      s.payloadOffset = pOff;
      s.payloadLen = Math.max(0, Math.min(end, rend) - pOff);
    }
  } else if (!quoted) {
    const inner = c.innerSummary();
    inner.srcPort = sp;
    inner.dstPort = dp;
    inner.tcpFlags = flags;
    inner.tcpSeq = seq;
    inner.tcpAck = ack;
    inner.l4Len = tcpLen;
    inner.payloadOffset = pOff;
    inner.payloadLen = Math.max(0, Math.min(end, rend) - pOff);
  }

  const t = c.tree;
  if (t !== null && hlen < 20) {
    // Wireshark stops the tree at the bogus header length.
    t.open(`Transmission Control Protocol, Src Port: ${sp}, Dst Port: ${dp}, Seq: ${seq}, Len: ${seglen - hlen}`, off, 20, 'tcp');
    t.add(`Source Port: ${sp}`, off, 2, 'tcp.srcport', sp);
    t.add(`Destination Port: ${dp}`, off + 2, 2, 'tcp.dstport', dp);
    t.add(`[TCP Segment Len: ${seglen - hlen}]`, off + 12, 1, 'tcp.len', seglen - hlen);
    t.add(`Sequence Number (raw): ${seq}`, off + 4, 4, 'tcp.seq_raw', seq);
    t.add(`${bits(b12, 0xf0, 8)}Header Length: ${hlen} bytes (${b12 >> 4})`, off + 12, 1, 'tcp.hdr_len', hlen);
  } else if (t !== null) {
    const lenText = tcpLen >= 0 ? tcpLen : 0;
    t.open(
      `Transmission Control Protocol, Src Port: ${sp}, Dst Port: ${dp}, Seq: ${seq}${flags & ACK ? `, Ack: ${ack}` : ''}, Len: ${lenText}`,
      off, Math.max(20, Math.min(hlen, end - off)), 'tcp',
    );
    t.add(`Source Port: ${sp}`, off, 2, 'tcp.srcport', sp);
    t.add(`Destination Port: ${dp}`, off + 2, 2, 'tcp.dstport', dp);
    if (quoted) {
      // In an ICMP error Wireshark shows the quoted sequence number as tcp.seq and no length.
      t.add(`Sequence Number: ${seq}`, off + 4, 4, 'tcp.seq', seq);
    } else {
      t.add(`[TCP Segment Len: ${lenText}]`, off + 12, 1, 'tcp.len', lenText);
      t.add(`Sequence Number (raw): ${seq}`, off + 4, 4, 'tcp.seq_raw', seq);
    }
    t.add(`Acknowledgment number (raw): ${ack}`, off + 8, 4, 'tcp.ack_raw', ack);
    t.add(`${bits(b12, 0xf0, 8)}Header Length: ${hlen} bytes (${b12 >> 4})`, off + 12, 1, 'tcp.hdr_len', hlen);
    t.open(`Flags: 0x${flags.toString(16).padStart(3, '0')} (${FLAG_TEXT[flags & 0x1ff]})`, off + 12, 2, 'tcp.flags', flags);
    const fl = (name: string, mask: number, field: string): void => {
      t.add(`${bits(flags, mask, 12)}${name}: ${flags & mask ? 'Set' : 'Not set'}`, off + 12, 2, field, (flags & mask) !== 0);
    };
    t.add(`${bits(flags, 0xe00, 12)}Reserved: ${flags & 0xe00 ? 'Set' : 'Not set'}`, off + 12, 2, 'tcp.flags.res', (flags & 0xe00) !== 0);
    fl('Accurate ECN', 0x100, 'tcp.flags.ae');
    fl('Congestion Window Reduced', 0x80, 'tcp.flags.cwr');
    fl('ECN-Echo', 0x40, 'tcp.flags.ece');
    fl('Urgent', 0x20, 'tcp.flags.urg');
    fl('Acknowledgment', 0x10, 'tcp.flags.ack');
    fl('Push', 0x08, 'tcp.flags.push');
    fl('Reset', 0x04, 'tcp.flags.reset');
    fl('Syn', 0x02, 'tcp.flags.syn');
    fl('Fin', 0x01, 'tcp.flags.fin');
    let str = '';
    const letters = 'RRRACEUAPRSF';
    for (let i = 11; i >= 0; i--) str += flags & (1 << i) ? letters[11 - i] : '·';
    t.add(`[TCP Flags: ${str}]`, off + 12, 2, 'tcp.flags.str', str);
    t.close();
    t.add(`Window: ${win}`, off + 14, 2, 'tcp.window_size_value', win);
    const ck = (d[off + 16]! << 8) | d[off + 17]!;
    t.add(`Checksum: 0x${hex4(ck)} [unverified]`, off + 16, 2, 'tcp.checksum', ck);
    t.add('[Checksum Status: Unverified]', off + 16, 0, 'tcp.checksum.status', 2);
    t.add(`Urgent Pointer: ${urg}`, off + 18, 2, 'tcp.urgent_pointer', urg);
  }

  if (!quoted) s.protocol = 'TCP';
  // Outer segments may leave Info to the caller's tcpInfo() (it rebuilds every variant below).
  const silent = quoted || (c.deferTcpInfo && c.encap === 0);
  const base = silent ? '' : baseInfo(sp, dp, flags, seq, ack, win, urg);
  if (hlen < 20) {
    if (!silent) s.info = base + `, bogus TCP header length (${hlen}, must be at least 20)`;
    c.anomaly('malformed', off + 12, `Bogus TCP header length (${hlen}, must be at least 20)`);
    if (t !== null) t.close();
    return;
  }
  if (silent && !quoted) s.info = '';
  if (hlen > seglen) {
    if (!silent) s.info = base;
    c.anomaly('malformed', off + 12, `Short segment: the header length (${hlen}) exceeds the segment (${seglen} bytes)`);
  } else if (!silent) {
    s.info = base + ' Len=' + u16Text(tcpLen);
  }
  if (hlen > 20) {
    // The options; in an ICMP quote they are usually not there at all.
    const oend = off + hlen;
    if (quoted && oend > end) {
      if (t !== null) t.close();
      return;
    }
    walkOptions(c, d, off + 20, oend, end, rend, 0, silent ? scratch : s, t);
  }
  if (t !== null) {
    if (tcpLen > 0) t.add(`TCP payload (${tcpLen} bytes)`, pOff, Math.max(0, Math.min(end, rend) - pOff), 'tcp.payload');
    t.close();
  }
}

