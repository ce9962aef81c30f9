/**
 * IP fragment reassembly (RFC 791 §3.2 for IPv4, RFC 8200 §4.5 for IPv6), keyed the
 * way Wireshark keys its tables: IPv4 by (src, dst, identification, protocol, VLAN),
 * IPv6 by (src, dst, fragment identification).
 *
 * Captures are hostile: a flood of first fragments that never complete, or thousands of
 * overlapping 8-byte fragments, must not grow memory without bound. Every limit below is
 * a named constant; what is dropped is reported to the caller as a note, never thrown.
 *
 * Overlaps are resolved as Wireshark resolves them: fragments are taken in offset order
 * (arrival order on ties) and each byte comes from the first of them that covers it;
 * conflicting copies are reported. Which copy a real host keeps differs by OS, so the
 * choice follows the oracle rather than any one stack.
 */

/** The 16-bit total length (IPv4) / payload length (IPv6) bound every datagram. */
export const MAX_DATAGRAM = 65535;

/**
 * Datagrams waiting for more fragments. Real traffic rarely has more than a handful in
 * flight; 1024 keeps a fragment flood from costing more than MAX_PENDING_BYTES while
 * still covering busy links. The oldest is evicted first.
 */
export const MAX_PENDING_DATAGRAMS = 1024;

/** Bytes held by pending fragments across all datagrams (32 MiB): the memory bound. */
export const MAX_PENDING_BYTES = 32 * 1024 * 1024;

/**
 * Fragments kept per datagram. 65535 / 8 = 8192 distinct fragments is the theoretical
 * maximum, but no stack sends more than ~120 (576-byte MTU); 1024 still reassembles the
 * tiny-fragment evasion trick while bounding the O(n) coverage check per fragment.
 */
export const MAX_FRAGMENTS_PER_DATAGRAM = 1024;

/**
 * Seconds after its first fragment that a datagram is given up, when the caller tells the
 * table the time. RFC 8200 §4.5 says 60 s; Linux uses 30 s for IPv4. Wireshark never
 * times out, so the longer of the two keeps us closest to it.
 */
export const FRAG_TIMEOUT_SEC = 60;

export interface FragmentPart {
  frame: number;
  offset: number;
  length: number;
}

export interface ReassemblyNote {
  kind: 'malformed' | 'note';
  detail: string;
}

export type AddResult =
  | { status: 'pending'; notes: ReassemblyNote[] }
  | { status: 'complete'; data: Uint8Array; parts: FragmentPart[]; notes: ReassemblyNote[] }
  | { status: 'rejected'; notes: ReassemblyNote[] };

interface Fragment {
  frame: number;
  offset: number;
  data: Uint8Array;
}

interface Pending {
  /** Sorted by offset, then arrival. */
  frags: Fragment[];
  /** Datagram length once the last fragment (MF = 0) is seen, else -1. */
  total: number;
  bytes: number;
  firstSec: number;
}

const NO_NOTES: ReassemblyNote[] = [];

export class FragmentTable {
  private readonly pending = new Map<string, Pending>();
  private bytes = 0;
  /** Datagrams dropped by the caps or the timeout (for diagnostics). */
  evicted = 0;

  constructor(readonly name: string) {}

  get size(): number {
    return this.pending.size;
  }

  get pendingBytes(): number {
    return this.bytes;
  }

  clear(): void {
    this.pending.clear();
    this.bytes = 0;
  }

  /**
   * Add one fragment (`payload` is copied). `now` is the capture time in seconds, or NaN
   * when unknown (no timeout then).
   */
  add(key: string, frame: number, offset: number, payload: Uint8Array, more: boolean, now: number): AddResult {
    let notes = NO_NOTES;
    const note = (kind: ReassemblyNote['kind'], detail: string): void => {
      if (notes === NO_NOTES) notes = [];
      notes.push({ kind, detail });
    };
    if (offset + payload.length > MAX_DATAGRAM) {
      note('malformed', `fragment ends at byte ${offset + payload.length}, past the ${MAX_DATAGRAM}-byte datagram limit`);
      return { status: 'rejected', notes };
    }
    this.expire(now, key);
    let p = this.pending.get(key);
    if (p === undefined) {
      while (this.pending.size >= MAX_PENDING_DATAGRAMS) this.evictOldest(key);
      p = { frags: [], total: -1, bytes: 0, firstSec: now };
      this.pending.set(key, p);
    }
    if (p.frags.length >= MAX_FRAGMENTS_PER_DATAGRAM) {
      this.drop(key, p);
      note('malformed', `more than ${MAX_FRAGMENTS_PER_DATAGRAM} fragments for one datagram; reassembly abandoned`);
      return { status: 'rejected', notes };
    }
    const end = offset + payload.length;
    if (!more) {
      if (p.total >= 0 && p.total !== end) note('malformed', `multiple tail fragments (datagram ends at ${p.total} and at ${end})`);
      else p.total = end;
    } else if (p.total >= 0 && end > p.total) {
      note('malformed', `fragment extends past the datagram end (${end} > ${p.total})`);
    }
    // Overlap check against what we already hold.
    for (const f of p.frags) {
      const fEnd = f.offset + f.data.length;
      if (f.offset >= end || fEnd <= offset) continue;
      const lo = Math.max(offset, f.offset);
      const hi = Math.min(end, fEnd);
      let same = true;
      for (let i = lo; i < hi; i++) {
        if (payload[i - offset] !== f.data[i - f.offset]) {
          same = false;
          break;
        }
      }
      if (!same) {
        note('malformed', `conflicting data in fragment overlap at bytes ${lo}-${hi - 1} (frames ${f.frame} and ${frame})`);
        break;
      }
      if (lo === offset && hi === end) {
        note('note', `duplicate fragment of bytes ${offset}-${end - 1} (first seen in frame ${f.frame})`);
        break;
      }
    }
    const frag: Fragment = { frame, offset, data: payload.slice() };
    let i = p.frags.length;
    while (i > 0 && p.frags[i - 1]!.offset > offset) i--;
    p.frags.splice(i, 0, frag);
    p.bytes += payload.length;
    this.bytes += payload.length;
    while (this.bytes > MAX_PENDING_BYTES && this.pending.size > 1) this.evictOldest(key);

    if (p.total < 0) return { status: 'pending', notes };
    let covered = 0;
    for (const f of p.frags) {
      if (f.offset > covered) return { status: 'pending', notes };
      covered = Math.max(covered, f.offset + f.data.length);
      if (covered >= p.total) break;
    }
    if (covered < p.total) return { status: 'pending', notes };

    const data = new Uint8Array(p.total);
    // Offset order (stable, so arrival order on ties): each byte from the first fragment covering it.
    let pos = 0;
    for (const f of p.frags) {
      const fEnd = Math.min(f.offset + f.data.length, p.total);
      if (fEnd <= pos) continue;
      data.set(f.data.subarray(pos - f.offset, fEnd - f.offset), pos);
      pos = fEnd;
    }
    const parts: FragmentPart[] = p.frags.map((f) => ({ frame: f.frame, offset: f.offset, length: f.data.length }));
    this.drop(key, p);
    return { status: 'complete', data, parts, notes };
  }

  private drop(key: string, p: Pending): void {
    this.pending.delete(key);
    this.bytes -= p.bytes;
  }

  private evictOldest(keep: string): void {
    for (const [k, p] of this.pending) {
      if (k === keep) continue;
      this.drop(k, p);
      this.evicted++;
      return;
    }
  }

  /** Drop datagrams whose first fragment is older than FRAG_TIMEOUT_SEC (oldest first). */
  private expire(now: number, keep: string): void {
    if (Number.isNaN(now)) return;
    for (const [k, p] of this.pending) {
      if (Number.isNaN(p.firstSec) || now - p.firstSec <= FRAG_TIMEOUT_SEC) break;
      if (k === keep) {
        // Our own datagram timed out: start it over, as a receiving host would.
        this.drop(k, p);
        this.evicted++;
        break;
      }
      this.drop(k, p);
      this.evicted++;
    }
  }
}
