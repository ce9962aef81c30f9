/**
 * The packet list's data: a sparse cache of fixed-size pages over the rows matching one
 * filter, fetched by keyset (`packets.page` with `after` = the frame before the page's first
 * row). The list is virtualised over ALL matching rows (`packets.count`), so any page may be
 * asked for first (scrollbar drag, go to frame). Its `after` comes from:
 *
 *  - page 0: frame 0;
 *  - the previous page, when loaded: its last frame;
 *  - otherwise a binary search with `packets.rank` (matches before a frame) for the smallest
 *    frame f with rank(f) ≥ R, R the page's first row: rank grows by at most one per frame,
 *    so rank(f) = R exactly and the page starts right after frame f − 1. Every rank answer
 *    and every loaded row narrows later searches.
 *
 * A source belongs to one (capture, filter); a new filter makes a new source, and a disposed
 * source's late answers are dropped.
 */
import type { ApiError } from '../../../shared/api.js';
import type { PacketRow } from '../../../shared/model.js';
import type { ApiClient } from '../api/client.js';

/** Rows per request: big enough that scrolling rarely waits, small enough to answer fast. */
export const PAGE_SIZE = 500;
/** Pages kept (100k rows): beyond that the least recently used are dropped and refetched. */
export const MAX_CACHED_PAGES = 200;
/** Rank probes for one page: log2 of 2^32 frames (FRAME_BITS) plus slack; a bound on a lying host. */
const MAX_RANK_PROBES = 40;
/** Rank observations kept for narrowing searches; thinned (never emptied) past this. */
const MAX_OBSERVATIONS = 10_000;

interface Observation {
  frame: number;
  /** Matching frames before `frame`. */
  rank: number;
}

export class PacketSource {
  private readonly pages = new Map<number, PacketRow[]>();
  private readonly loading = new Map<number, Promise<void>>();
  /** Sorted by frame. */
  private observations: Observation[] = [];
  private disposed = false;
  error: ApiError | null = null;

  constructor(
    private readonly api: ApiClient,
    readonly captureId: number,
    readonly filter: string,
    /** Rows matching the filter. */
    readonly count: number,
    /** Frames in the capture (the search's upper bound). */
    private readonly totalFrames: number,
    private readonly onChange: () => void,
    readonly pageSize = PAGE_SIZE,
  ) {
    this.observe(1, 0);
    this.observe(totalFrames + 1, count);
  }

  dispose(): void {
    this.disposed = true;
  }

  /** The row at `index` when its page is loaded (it does not fetch). */
  row(index: number): PacketRow | undefined {
    if (index < 0 || index >= this.count) return undefined;
    const page = this.pages.get(Math.floor(index / this.pageSize));
    if (!page) return undefined;
    return page[index % this.pageSize];
  }

  /** Loads the pages covering rows [first, last]. */
  ensure(first: number, last: number): void {
    if (this.count === 0) return;
    const a = Math.max(0, Math.floor(first / this.pageSize));
    const b = Math.min(Math.floor((this.count - 1) / this.pageSize), Math.floor(Math.max(first, last) / this.pageSize));
    for (let p = a; p <= b; p++) void this.load(p);
  }

  loaded(page: number): boolean {
    return this.pages.has(page);
  }

  /** Fetches page `p` (deduplicated), then notifies. */
  load(p: number): Promise<void> {
    if (this.pages.has(p)) {
      // Touch for LRU order.
      const rows = this.pages.get(p)!;
      this.pages.delete(p);
      this.pages.set(p, rows);
      return Promise.resolve();
    }
    const pending = this.loading.get(p);
    if (pending) return pending;
    const job = this.fetchPage(p).finally(() => this.loading.delete(p));
    this.loading.set(p, job);
    return job;
  }

  /**
   * The row index of `frame` in this list: null when the frame does not match the filter
   * (then `nearest` is the index of the first matching row after it, clamped to the list).
   */
  async indexOfFrame(frame: number): Promise<{ index: number | null; nearest: number } | ApiError> {
    const r = await this.api['packets.rank']({ captureId: this.captureId, filter: this.filter, frame });
    if (!r.ok) return r.error;
    const rank = r.value.rank;
    this.observe(frame, rank);
    const nearest = Math.min(Math.max(0, rank), Math.max(0, this.count - 1));
    if (rank >= this.count) return { index: null, nearest };
    await this.load(Math.floor(rank / this.pageSize));
    const row = this.row(rank);
    return { index: row?.frame === frame ? rank : null, nearest };
  }

  private observe(frame: number, rank: number): void {
    const i = this.observations.findIndex((o) => o.frame >= frame);
    if (i >= 0 && this.observations[i]!.frame === frame) return;
    if (i < 0) this.observations.push({ frame, rank });
    else this.observations.splice(i, 0, { frame, rank });
    if (this.observations.length > MAX_OBSERVATIONS) {
      const last = this.observations.length - 1;
      this.observations = this.observations.filter((_, k) => k % 2 === 0 || k === last);
    }
  }

  /** The frame after which page `p` starts. */
  private async pageAfter(p: number): Promise<number | ApiError> {
    if (p === 0) return 0;
    const prev = this.pages.get(p - 1);
    if (prev && prev.length === this.pageSize) return prev[prev.length - 1]!.frame;
    const target = p * this.pageSize;
    // Without a filter every frame matches: row i is frame i + 1.
    if (this.filter.trim() === '') return target;
    let lo = 1;
    let hi = this.totalFrames + 1;
    for (const o of this.observations) {
      if (o.rank < target) lo = Math.max(lo, o.frame + 1);
      else hi = Math.min(hi, o.frame);
    }
    for (let probes = 0; lo < hi; probes++) {
      if (probes >= MAX_RANK_PROBES || this.disposed) return { code: 'internal', message: 'packets.rank did not converge' };
      const mid = lo + Math.floor((hi - lo) / 2);
      const r = await this.api['packets.rank']({ captureId: this.captureId, filter: this.filter, frame: mid });
      if (!r.ok) return r.error;
      this.observe(mid, r.value.rank);
      if (r.value.rank >= target) hi = mid;
      else lo = mid + 1;
    }
    return lo - 1;
  }

  private async fetchPage(p: number): Promise<void> {
    const after = await this.pageAfter(p);
    if (this.disposed) return;
    if (typeof after !== 'number') {
      this.error = after;
      this.onChange();
      return;
    }
    const r = await this.api['packets.page']({ captureId: this.captureId, filter: this.filter, after, limit: this.pageSize });
    if (this.disposed) return;
    if (!r.ok) {
      this.error = r.error;
      this.onChange();
      return;
    }
    const rows = r.value.rows;
    this.pages.set(p, rows);
    for (let i = 0; i < rows.length; i++) {
      // Row p*size+i is frame rows[i]: rank(frame) = index, rank(frame+1) = index+1.
      if (i === 0 || i === rows.length - 1) this.observe(rows[i]!.frame, p * this.pageSize + i);
    }
    while (this.pages.size > MAX_CACHED_PAGES) {
      const oldest = this.pages.keys().next().value as number;
      this.pages.delete(oldest);
    }
    this.onChange();
  }
}
