/**
 * Per-direction TCP stream reassembly: turns one direction's segments, in capture order,
 * into the contiguous byte stream the application parsers (TcpParser) consume, with
 * explicit gaps where bytes were never captured.
 *
 * Spec references:
 *  - RFC 9293 §3.3 (sequence space: SYN and FIN each occupy one sequence number, data of a
 *    SYN starts at ISN+1), §3.4 (sequence numbers are compared modulo 2^32), §3.10.7.4
 *    (segments are processed in sequence order; a FIN is acted on once every byte before
 *    it has arrived).
 *  - RFC 7323 §2.3: the largest window is 2^30 bytes, so no legitimate segment is longer
 *    than that and every in-flight sequence number is within ±2^31 of the next expected
 *    one; modular comparison is therefore unambiguous.
 *  - RFC 7413 (TCP Fast Open): a SYN may carry data, which starts at ISN+1.
 *  - RFC 1122 §4.2.2.12: a RST may carry diagnostic text, which is not stream data.
 *  - Wireshark's TCP analysis flags (User's Guide §7.5 "TCP Analysis", and the
 *    tcp_analyze_sequence_number rules of tshark 4.0): tcp.analysis.retransmission,
 *    .out_of_order, .spurious_retransmission, .lost_segment, .keep_alive,
 *    .zero_window_probe. Where this class lacks what Wireshark looks at, the comment on
 *    the flag says what is approximated.
 *
 * Positions. Sequence numbers are unwrapped into "positions": a plain number counting
 * sequence space from the first sequence number seen in this direction (position 0). The
 * position of a u32 `seq` is `next + seqDiff(seq, nextSeq)`, i.e. the modular distance to
 * the next expected byte, so a stream may cross 2^32 any number of times (a double holds
 * 2^53 exactly: 8 PiB per direction).
 *
 * Overlaps. Out-of-order segments are copied into a sorted list of non-overlapping
 * entries; a byte already held (or already delivered) is never replaced by a later copy
 * ("first seen wins": the copy that reached the capture point first is the one the
 * receiver most likely accepted; Follow TCP Stream in tshark agrees on the corpus).
 * A later copy that disagrees sets TA_OVERLAP_CONFLICT; against bytes already delivered
 * that needs `limits.conflictHistoryBytes` (off by default, because it costs a copy on the
 * in-order path).
 *
 * Performance. The in-order path (the next expected segment, nothing buffered) hands the
 * caller's payload straight through: no allocation, no copy, a handful of comparisons.
 */

/** Output of a reassembler: the framework routes it to TcpParser.data / TcpParser.gap. */
export interface ReassemblyOutput {
  /** Contiguous in-order bytes (a view; valid only during the call). */
  data(bytes: Uint8Array): void;
  /** `length` bytes will never arrive (hole skipped). */
  gap(length: number): void;
}

// ---- Analysis bits (returned by segment()) ------------------------------------------------
// Named after Wireshark's tcp.analysis.* fields; see TA_FIELDS for the mapping.

/**
 * tcp.analysis.retransmission: carries data (or SYN/FIN) and starts below the highest
 * sequence number seen, and is neither a keep-alive, spurious, nor out-of-order.
 * Wireshark's "fast retransmission" (which needs the peer's duplicate-ACK count) is
 * reported as this bit.
 */
export const TA_RETRANSMISSION = 0x01;
/**
 * tcp.analysis.out_of_order: a retransmission-like segment that arrived within the
 * out-of-order threshold (Wireshark: the handshake RTT, else 3 ms) of the segment that
 * last raised the highest sequence number, and does not end exactly there. That needs
 * the capture time (segment()'s `tsSec`); without it, the approximation is "it carries
 * bytes never seen before" (it fills a hole).
 */
export const TA_OUT_OF_ORDER = 0x02;
/** tcp.analysis.lost_segment: starts beyond the highest sequence number seen (not on RST). */
export const TA_LOST_SEGMENT = 0x04;
/** tcp.analysis.keep_alive: 0 or 1 byte at one below the highest sequence number, no SYN/FIN/RST. */
export const TA_KEEP_ALIVE = 0x08;
/**
 * tcp.analysis.spurious_retransmission: carries data that the peer had already
 * acknowledged (seq + len <= the peer's last ACK given to acked()). Always returned
 * together with TA_RETRANSMISSION, as tshark shows both fields on such a frame.
 */
export const TA_SPURIOUS_RETRANSMISSION = 0x10;
/**
 * tcp.analysis.zero_window_probe: exactly one byte at the highest sequence number while
 * the peer's last advertised window (acked()'s `window`) is zero. Such a segment does not
 * raise the highest sequence number (as in Wireshark).
 */
export const TA_ZERO_WINDOW_PROBE = 0x20;
/**
 * Retransmitted bytes differ from the copy seen first (which is the one kept). Wireshark's
 * nearest field is tcp.segment.overlap.conflict, which it only reports inside a
 * reassembled PDU; this bit covers every overlap we can still compare.
 */
export const TA_OVERLAP_CONFLICT = 0x40;

/** Each TA_* bit with the Wireshark field a frame carrying it shows (conflict: nearest analogue). */
export const TA_FIELDS: readonly (readonly [number, string])[] = [
  [TA_RETRANSMISSION, 'tcp.analysis.retransmission'],
  [TA_OUT_OF_ORDER, 'tcp.analysis.out_of_order'],
  [TA_LOST_SEGMENT, 'tcp.analysis.lost_segment'],
  [TA_KEEP_ALIVE, 'tcp.analysis.keep_alive'],
  [TA_SPURIOUS_RETRANSMISSION, 'tcp.analysis.spurious_retransmission'],
  [TA_ZERO_WINDOW_PROBE, 'tcp.analysis.zero_window_probe'],
  [TA_OVERLAP_CONFLICT, 'tcp.segment.overlap.conflict'],
];

// ---- TCP header flag bits (RFC 9293 §3.1) -------------------------------------------------
const TH_FIN = 0x01;
const TH_SYN = 0x02;
const TH_RST = 0x04;

// ---- Limits -------------------------------------------------------------------------------

export interface ReassemblyLimits {
  /** Out-of-order payload bytes held per direction; beyond it the earliest hole is skipped as a gap. */
  maxBufferedBytes: number;
  /** Buffered entries (segments and snaplen holes) per direction; bounds insertion work too. */
  maxSegmentsBuffered: number;
  /**
   * Bytes of already-delivered stream kept (in a ring) to detect retransmissions whose
   * bytes differ from what was delivered (TA_OVERLAP_CONFLICT, e.g. TCP injection).
   * 0 (the default) keeps nothing and the in-order path copies nothing.
   */
  conflictHistoryBytes?: number;
}

/**
 * 4 MiB per direction covers the bytes in flight behind one loss on a ~300 Mbit/s,
 * 100 ms path (bandwidth-delay product) while bounding a hostile stream; 4096 entries is
 * ~4 MiB of full-size 1460-byte segments, and bounds the per-insertion array shuffle.
 */
export const DEFAULT_LIMITS: Readonly<ReassemblyLimits> = Object.freeze({
  maxBufferedBytes: 4 * 1024 * 1024,
  maxSegmentsBuffered: 4096,
  conflictHistoryBytes: 0,
});

/** Upper bound for any configured limit (1 GiB): a typo must not disable the memory bound. */
const MAX_LIMIT = 1 << 30;

/**
 * Longest segment believed (RFC 7323 §2.3: nothing larger fits the largest window). A
 * wireLen beyond it is a lie from a hostile or broken header: only the captured bytes count.
 */
const MAX_SEGMENT_LEN = 1 << 30;

/** Wireshark's out-of-order threshold when the handshake RTT is unknown (3 ms). */
export const DEFAULT_OOO_THRESHOLD_SEC = 0.003;

/** Dead entries at the front of the buffer list before it is compacted (amortises the shift). */
const COMPACT_HEAD = 64;

const TWO32 = 4294967296;

/** Signed 32-bit difference a − b of two sequence numbers (RFC 9293 §3.4 modular compare). */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** A buffered entry: bytes [pos, pos+len) (data !== null) or a known hole (data === null: snaplen cut). */
interface Entry {
  pos: number;
  len: number;
  data: Uint8Array | null;
}

function clampLimit(v: number | undefined, dflt: number): number {
  if (v === undefined || !Number.isFinite(v)) return dflt;
  return Math.max(0, Math.min(MAX_LIMIT, Math.floor(v)));
}

export class TcpDirectionReassembler {
  private readonly maxBytes: number;
  private readonly maxEntries: number;

  /**
   * Out-of-order threshold in seconds (Wireshark uses the handshake RTT when it knows it,
   * else 3 ms). The framework may set it from the SYN → SYN/ACK → ACK timing.
   */
  oooThresholdSec = DEFAULT_OOO_THRESHOLD_SEC;

  private started = false;
  /** u32 sequence number at position 0. */
  private origin = 0;
  /** Position of the next byte to deliver (everything before it was delivered or gapped). */
  private next = 0;
  /** `next` as a u32 sequence number (kept in step, so the fast path needs no modulo). */
  private nextU32 = 0;
  /** Wireshark's "next expected sequence number": the highest seq+len(+SYN/FIN) seen, as a position. */
  private high = 0;
  /** Capture time of the segment that last raised `high` (NaN: unknown). */
  private highTime = Number.NaN;
  /** Peer's last acknowledgement, as a position (NaN: none yet). */
  private lastAck = Number.NaN;
  /** Peer's last advertised (unscaled) window, -1 unknown. Only its zero-ness is used. */
  private peerWindow = -1;
  /** Position of the FIN's sequence number (-1: no FIN seen). Data at or beyond it is dropped. */
  private finPos = -1;
  private finDone = false;

  /** Sorted, non-overlapping buffered entries; live ones are entries[head..]. */
  private entries: (Entry | undefined)[] = [];
  private head = 0;
  private bytes = 0;
  /** Set by the compare helpers while one segment is processed. */
  private conflict = false;

  /** Ring of the last delivered bytes (position p at p % ring.length), or null. */
  private readonly ring: Uint8Array | null;
  /** Ring bytes are valid from this position (a gap invalidates what came before). */
  private ringFrom = 0;

  constructor(limits: ReassemblyLimits = DEFAULT_LIMITS) {
    this.maxBytes = clampLimit(limits.maxBufferedBytes, DEFAULT_LIMITS.maxBufferedBytes);
    this.maxEntries = Math.max(1, clampLimit(limits.maxSegmentsBuffered, DEFAULT_LIMITS.maxSegmentsBuffered));
    const hist = clampLimit(limits.conflictHistoryBytes, 0);
    this.ring = hist > 0 ? new Uint8Array(hist) : null;
  }

  /** Out-of-order payload bytes currently held (for the framework's global budget). */
  get buffered(): number {
    return this.bytes;
  }

  /** Next expected absolute sequence number (u32), or -1 before the first segment. */
  get nextSeq(): number {
    return this.started ? this.nextU32 : -1;
  }

  /** The FIN has been reached in order (every byte before it delivered or gapped): time for TcpParser.end. */
  get finished(): boolean {
    return this.finDone;
  }

  /**
   * One segment of this direction, in capture order. `seq` absolute u32, `flags` the TCP
   * flags byte, `payload` the captured payload, `wireLen` tcp.len (payload.length < wireLen
   * when the snaplen cut it: the missing tail becomes a gap). `tsSec` (capture time, epoch
   * seconds) enables Wireshark's timing rule for out-of-order. Delivers through `out`,
   * synchronously and in order, every byte that became contiguous; returns TA_* bits.
   * `out` must not throw (the framework wraps the parser calls behind it).
   */
  segment(seq: number, flags: number, payload: Uint8Array, wireLen: number, out: ReassemblyOutput, tsSec = Number.NaN): number {
    const s32 = seq >>> 0;
    let segLen = wireLen;
    if (!(segLen >= 0 && segLen <= MAX_SEGMENT_LEN) || segLen !== Math.floor(segLen)) segLen = payload.length;
    if (!this.started) this.start(s32);

    // Fast path: the next expected segment, nothing pending, nothing to flag.
    if (
      s32 === this.nextU32 &&
      this.next === this.high &&
      (flags & (TH_SYN | TH_FIN | TH_RST)) === 0 &&
      payload.length === segLen &&
      this.head === this.entries.length &&
      this.finPos < 0 &&
      !(segLen === 1 && this.peerWindow === 0) &&
      !(this.next + segLen <= this.lastAck && segLen > 0)
    ) {
      if (segLen > 0) {
        if (this.ring !== null) this.remember(payload);
        this.next += segLen;
        this.nextU32 = (this.nextU32 + segLen) >>> 0;
        this.high = this.next;
        this.highTime = tsSec;
        out.data(payload);
      }
      return 0;
    }
    return this.slowSegment(s32, flags, payload, segLen, out, tsSec);
  }

  /**
   * The peer acknowledged up to `ack` (absolute u32; call only for segments with the ACK
   * bit). A hole before it that was never captured will not be retransmitted into the
   * capture: it is delivered as a gap, then the buffered bytes behind it, so parsers do not
   * stall. `window` is the peer's raw window field (for zero-window-probe detection).
   */
  acked(ack: number, out: ReassemblyOutput, window?: number): void {
    if (window !== undefined) this.peerWindow = window;
    if (!this.started) return;
    const a = this.posOf(ack >>> 0);
    this.lastAck = a;
    if (a > this.next) {
      this.skipTo(a, out);
      this.settle(out);
    }
  }

  /** End of stream (FIN processed / RST / end of capture): deliver what is held, holes as gaps. */
  flush(out: ReassemblyOutput): void {
    if (!this.started) return;
    let target = this.finPos;
    const last = this.entries[this.entries.length - 1];
    if (this.head < this.entries.length && last !== undefined) target = Math.max(target, last.pos + last.len);
    if (target > this.next) this.skipTo(target, out);
    this.settle(out);
  }

  // ---- internals --------------------------------------------------------------------------

  private start(s32: number): void {
    // The first segment seen fixes position 0 (RFC 9293 gives no way to know what came
    // before a mid-stream capture start). A SYN there occupies position 0 and is consumed
    // below like any in-order SYN.
    this.started = true;
    this.origin = s32;
    this.next = 0;
    this.nextU32 = s32;
    this.high = 0;
  }

  private posOf(s32: number): number {
    return this.next + seqDiff(s32, this.nextU32);
  }

  private setNext(p: number): void {
    this.next = p;
    this.nextU32 = (this.origin + p) % TWO32;
  }

  private slowSegment(s32: number, flags: number, payload: Uint8Array, segLen: number, out: ReassemblyOutput, tsSec: number): number {
    const syn = (flags & TH_SYN) !== 0 ? 1 : 0;
    const fin = (flags & TH_FIN) !== 0 ? 1 : 0;
    const rst = (flags & TH_RST) !== 0;
    const capLen = Math.min(payload.length, segLen);
    const pos = this.posOf(s32);
    const high = this.high;
    this.conflict = false;

    // ---- analysis flags (Wireshark's order of tests; see the TA_* comments) ----
    let ta = 0;
    if (segLen === 1 && pos === high && this.peerWindow === 0) {
      ta = TA_ZERO_WINDOW_PROBE;
    } else {
      if (pos > high && !rst) ta |= TA_LOST_SEGMENT;
      if (segLen <= 1 && pos === high - 1 && syn === 0 && fin === 0 && !rst) {
        ta |= TA_KEEP_ALIVE;
      } else if (segLen > 0 || syn !== 0 || fin !== 0) {
        // More than one byte at high-1 follows a zero window probe: it brings new data.
        const notAdvanced = pos < high && !(segLen > 1 && pos === high - 1);
        if (segLen > 0 && pos + segLen <= this.lastAck) {
          // tshark shows tcp.analysis.retransmission on these frames too.
          ta |= TA_SPURIOUS_RETRANSMISSION | TA_RETRANSMISSION;
        } else if (notAdvanced) {
          let ooo: boolean;
          if (Number.isFinite(tsSec) && Number.isFinite(this.highTime)) {
            // Wireshark's elapsed time is unsigned: a clock going backwards never counts as "soon".
            const dt = tsSec - this.highTime;
            ooo = dt >= 0 && dt < this.oooThresholdSec && high !== pos + segLen + (syn | fin);
          } else {
            // A hole lies below the highest seq; bytes beyond it are a repacketised extension.
            ooo = this.fillsHole(pos + syn, Math.min(pos + syn + capLen, high));
          }
          ta |= ooo ? TA_OUT_OF_ORDER : TA_RETRANSMISSION;
        }
      }
      const end = pos + syn + segLen + fin;
      if (end > high) {
        this.high = end;
        this.highTime = tsSec;
      }
    }

    // RST payload is diagnostic text (RFC 1122 §4.2.2.12), never stream data; ending the
    // stream on RST is the framework's decision.
    if (rst) return ta;

    // A keep-alive's byte is garbage by design (RFC 1122 §4.2.3.6): never compare it.
    const compare = (ta & TA_KEEP_ALIVE) === 0;
    if (syn !== 0 && pos === this.next) this.setNext(pos + 1);
    const dataStart = pos + syn;
    let dataEnd = dataStart + segLen;
    let capEnd = dataStart + capLen;
    if (fin !== 0) this.recordFin(dataEnd);
    if (this.finPos >= 0) {
      dataEnd = Math.min(dataEnd, this.finPos);
      capEnd = Math.min(capEnd, this.finPos);
    }
    if (this.finDone) {
      if (compare) this.compareHistory(payload, dataStart, dataStart, Math.min(capEnd, this.next));
    } else if (dataEnd <= this.next) {
      // Fully old: a retransmission of delivered (or skipped) bytes.
      if (compare) this.compareHistory(payload, dataStart, dataStart, capEnd);
    } else if (dataStart <= this.next) {
      // Reaches the delivery point: deliver from the caller's buffer (no copy).
      if (compare) this.compareHistory(payload, dataStart, dataStart, Math.min(capEnd, this.next));
      if (capEnd > this.next) this.walk(capEnd, payload, dataStart, compare, out);
      if (dataEnd > this.next) this.walk(dataEnd, null, 0, false, out);
    } else {
      // Beyond a hole: hold a copy until the hole fills, is acknowledged, or the cap hits.
      this.insert(dataStart, capEnd, payload, dataStart, compare);
      this.insert(capEnd, dataEnd, null, 0, false);
      this.enforceCaps(out);
    }
    this.settle(out);
    if (this.conflict) ta |= TA_OVERLAP_CONFLICT;
    return ta;
  }

  /** A FIN at position p: the stream ends there (RFC 9293 §3.10.7.4). First FIN wins. */
  private recordFin(p: number): void {
    if (this.finPos >= 0 || this.finDone || p < this.next) return;
    this.finPos = p;
    // Drop held bytes at or beyond the FIN: a peer never sends data past its FIN.
    const e = this.entries;
    while (e.length > this.head) {
      const last = e[e.length - 1]!;
      if (last.pos >= p) {
        e.pop();
        if (last.data !== null) this.bytes -= last.len;
        continue;
      }
      if (last.pos + last.len > p) {
        const keep = p - last.pos;
        if (last.data !== null) {
          this.bytes -= last.len - keep;
          last.data = last.data.subarray(0, keep);
        }
        last.len = keep;
      }
      break;
    }
  }

  /** Deliver buffered entries that now start at or before `next`; consume the FIN when reached. */
  private settle(out: ReassemblyOutput): void {
    const e = this.entries;
    while (this.head < e.length) {
      const g = e[this.head]!;
      if (g.pos > this.next) break;
      this.dropHead();
      const gEnd = g.pos + g.len;
      if (gEnd <= this.next) continue;
      if (g.data !== null) this.emit(out, g.data, this.next - g.pos, g.len);
      else this.emitGap(out, gEnd - this.next);
    }
    this.compact();
    if (this.finPos >= 0 && !this.finDone && this.next >= this.finPos) {
      // The FIN occupies one sequence number (RFC 9293 §3.3).
      this.finDone = true;
      this.setNext(this.finPos + 1);
    }
  }

  /**
   * Deliver [next, end) of the current segment (`data` holds position p at data[p - dataPos],
   * or null for its snaplen-cut tail), letting bytes already held win (first seen), except
   * that real bytes replace a held snaplen hole.
   */
  private walk(end: number, data: Uint8Array | null, dataPos: number, compare: boolean, out: ReassemblyOutput): void {
    const e = this.entries;
    while (this.next < end) {
      const g = this.head < e.length ? e[this.head]! : undefined;
      if (g !== undefined && g.pos <= this.next) {
        const gEnd = g.pos + g.len;
        if (gEnd <= this.next) {
          this.dropHead();
        } else if (g.data !== null) {
          if (compare && data !== null) this.compareRange(data, dataPos, g.data, g.pos, this.next, Math.min(gEnd, end));
          this.dropHead();
          this.emit(out, g.data, this.next - g.pos, g.len);
        } else if (data !== null) {
          const lim = Math.min(gEnd, end);
          if (gEnd <= end) {
            this.dropHead();
          } else {
            g.len = gEnd - end;
            g.pos = end;
          }
          this.emit(out, data, this.next - dataPos, lim - dataPos);
        } else {
          this.dropHead();
          this.emitGap(out, gEnd - this.next);
        }
      } else {
        const lim = g === undefined ? end : Math.min(end, g.pos);
        if (data !== null) this.emit(out, data, this.next - dataPos, lim - dataPos);
        else this.emitGap(out, lim - this.next);
      }
    }
    this.compact();
  }

  /**
   * Hold [s, e) (`data` holds position p at data[p - dataPos], or null for a known hole),
   * copying only the parts not already held.
   */
  private insert(s: number, e: number, data: Uint8Array | null, dataPos: number, compare: boolean): void {
    if (s >= e) return;
    const list = this.entries;
    const first = this.lowerBound(s);
    let i = first;
    let cur = s;
    // Fast case: appending past the last held entry (the usual shape of a loss burst).
    if (i === list.length) {
      list.push(this.newEntry(s, e, data, dataPos));
      return;
    }
    const pieces: Entry[] = [];
    while (cur < e) {
      const g = i < list.length ? list[i]! : undefined;
      if (g !== undefined && g.pos <= cur) {
        const gEnd = g.pos + g.len;
        if (compare && data !== null && g.data !== null) this.compareRange(data, dataPos, g.data, g.pos, cur, Math.min(e, gEnd));
        pieces.push(g);
        cur = gEnd;
        i++;
      } else {
        const lim = g === undefined ? e : Math.min(e, g.pos);
        pieces.push(this.newEntry(cur, lim, data, dataPos));
        cur = lim;
      }
    }
    list.splice(first, i - first, ...pieces);
  }

  private newEntry(s: number, e: number, data: Uint8Array | null, dataPos: number): Entry {
    if (data === null) return { pos: s, len: e - s, data: null };
    this.bytes += e - s;
    // Copy: the caller's payload is a view valid only during segment().
    return { pos: s, len: e - s, data: data.slice(s - dataPos, e - dataPos) };
  }

  /** Index (>= head) of the first live entry ending after position p. */
  private lowerBound(p: number): number {
    const list = this.entries;
    let lo = this.head;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const g = list[mid]!;
      if (g.pos + g.len <= p) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Does [a, b) contain a byte at or after `next` that is not held? */
  private fillsHole(a: number, b: number): boolean {
    let cur = Math.max(a, this.next);
    if (cur >= b) return false;
    const list = this.entries;
    for (let i = this.lowerBound(cur); i < list.length && cur < b; i++) {
      const g = list[i]!;
      if (g.pos > cur) return true;
      cur = g.pos + g.len;
    }
    return cur < b;
  }

  /** Over a cap: skip the earliest hole as a gap and deliver what follows, until under both caps. */
  private enforceCaps(out: ReassemblyOutput): void {
    while (this.head < this.entries.length && (this.bytes > this.maxBytes || this.entries.length - this.head > this.maxEntries)) {
      this.skipTo(this.entries[this.head]!.pos, out);
      this.settle(out);
    }
  }

  /** Advance `next` to `target` (bounded by the FIN): held bytes are delivered, holes become gaps. */
  private skipTo(target: number, out: ReassemblyOutput): void {
    let t = target;
    if (this.finPos >= 0 && !this.finDone) t = Math.min(t, this.finPos);
    const e = this.entries;
    while (this.next < t) {
      const g = this.head < e.length ? e[this.head]! : undefined;
      if (g !== undefined && g.pos <= this.next) {
        this.dropHead();
        const gEnd = g.pos + g.len;
        if (gEnd <= this.next) continue;
        if (g.data !== null) this.emit(out, g.data, this.next - g.pos, g.len);
        else this.emitGap(out, gEnd - this.next);
      } else {
        const lim = g === undefined ? t : Math.min(t, g.pos);
        this.emitGap(out, lim - this.next);
      }
    }
    this.compact();
  }

  private dropHead(): void {
    const g = this.entries[this.head]!;
    this.entries[this.head] = undefined; // release the bytes now
    this.head++;
    if (g.data !== null) this.bytes -= g.len;
  }

  private compact(): void {
    const e = this.entries;
    if (this.head === e.length) {
      if (this.head > 0) {
        e.length = 0;
        this.head = 0;
      }
    } else if (this.head >= COMPACT_HEAD && this.head * 2 >= e.length) {
      e.splice(0, this.head);
      this.head = 0;
    }
  }

  /** Deliver src[from, to) at `next` (state first, then the callback). */
  private emit(out: ReassemblyOutput, src: Uint8Array, from: number, to: number): void {
    const n = to - from;
    if (n <= 0) return;
    const view = from === 0 && to === src.length ? src : src.subarray(from, to);
    if (this.ring !== null) this.remember(view);
    this.setNext(this.next + n);
    out.data(view);
  }

  private emitGap(out: ReassemblyOutput, n: number): void {
    if (n <= 0) return;
    this.setNext(this.next + n);
    this.ringFrom = this.next;
    out.gap(n);
  }

  /** Copy bytes about to be delivered at `next` into the history ring. */
  private remember(bytes: Uint8Array): void {
    const ring = this.ring!;
    const size = ring.length;
    let src = bytes;
    let p = this.next;
    if (src.length > size) {
      p += src.length - size;
      src = src.subarray(src.length - size);
    }
    const at = p % size;
    const first = Math.min(src.length, size - at);
    ring.set(src.subarray(0, first), at);
    if (first < src.length) ring.set(src.subarray(first), 0);
  }

  /** Compare data (position p at data[p - dataPos]) over [a, b) with delivered history, where kept. */
  private compareHistory(data: Uint8Array, dataPos: number, a: number, b: number): void {
    const ring = this.ring;
    if (ring === null || this.conflict) return;
    const lo = Math.max(a, this.ringFrom, this.next - ring.length);
    const hi = Math.min(b, this.next);
    for (let p = lo; p < hi; p++) {
      if (data[p - dataPos] !== ring[p % ring.length]) {
        this.conflict = true;
        return;
      }
    }
  }

  private compareRange(a: Uint8Array, aPos: number, b: Uint8Array, bPos: number, from: number, to: number): void {
    if (this.conflict) return;
    const hi = Math.min(to, aPos + a.length);
    for (let p = from; p < hi; p++) {
      if (a[p - aPos] !== b[p - bPos]) {
        this.conflict = true;
        return;
      }
    }
  }
}
