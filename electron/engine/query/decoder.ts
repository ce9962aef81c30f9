import { closeSync, openSync, readSync } from 'node:fs';
import type { TreeNode } from '../../../shared/model.js';
import { DissectState, dissectFrame, dissectTree } from '../dissect/frame.js';
import type { FrameSummary } from '../dissect/types.js';
import type { CaseStore } from '../store/case-store.js';
import { packetId } from '../store/schema.js';

export interface DecodedFrame {
  frame: number;
  tree: TreeNode[];
  data: Uint8Array;
  tsSec: number;
  tsNsec: number;
  origlen: number;
  iface: number;
  /** Previous frame's time (frame.time_delta), this frame's own for frame 1. */
  prevSec: number;
  prevNsec: number;
}

interface Loc {
  id: number;
  off: number;
  caplen: number;
  origlen: number;
  ts_sec: number;
  ts_nsec: number;
  iface: number;
}

/**
 * Re-dissects frames of one capture on demand, many in a row (filters, field export): one
 * read-only descriptor on the capture, prepared statements reused. Frames that completed a
 * reassembly re-read their parts first. Call close() when done.
 */
export class FrameDecoder {
  private fd: number | null = null;
  private readonly links: Map<number, number>;
  private readonly locStmt;
  private readonly prevStmt;
  private readonly partsStmt;
  private readonly commentsStmt;
  private readonly hasReassembly: boolean;
  private readonly hasComments: boolean;

  constructor(
    readonly store: CaseStore,
    readonly captureId: number,
  ) {
    const db = store.db;
    this.links = store.linkTypes(captureId);
    this.locStmt = db.prepare('SELECT id, off, caplen, origlen, ts_sec, ts_nsec, iface FROM packets WHERE id = ?');
    this.prevStmt = db.prepare('SELECT ts_sec, ts_nsec FROM packets WHERE id = ?');
    this.partsStmt = db.prepare('SELECT parts FROM reassembly WHERE packet_id = ?').pluck();
    this.commentsStmt = db.prepare('SELECT text FROM comments WHERE packet_id = ?').pluck();
    this.hasReassembly = db.prepare('SELECT 1 FROM reassembly LIMIT 1').get() !== undefined;
    this.hasComments = db.prepare('SELECT 1 FROM comments LIMIT 1').get() !== undefined;
    const path = store.dataPath(captureId);
    if (path) this.fd = openSync(path, 'r');
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private read(loc: Loc): Uint8Array | null {
    if (this.fd === null) return null;
    const buf = Buffer.allocUnsafe(loc.caplen);
    const n = readSync(this.fd, buf, 0, loc.caplen, loc.off);
    return n === loc.caplen ? buf : null;
  }

  /**
   * Fast path: the frame's summary (no tree), reassembly parts replayed first. Returns the
   * frame's bytes (the summary's payloadData may point into them) or null.
   */
  summary(frame: number, s: FrameSummary): { data: Uint8Array; tsSec: number; tsNsec: number } | null {
    const id = packetId(this.captureId, frame);
    const loc = this.locStmt.get(id) as Loc | undefined;
    if (!loc) return null;
    const state = new DissectState();
    if (this.hasReassembly) {
      for (const parts of this.partsStmt.all(id) as string[]) {
        for (const part of JSON.parse(parts) as number[]) {
          if (part === frame) continue;
          const pl = this.locStmt.get(packetId(this.captureId, part)) as Loc | undefined;
          const bytes = pl ? this.read(pl) : null;
          if (pl && bytes) dissectFrame(bytes, this.links.get(pl.iface) ?? -1, s, null, state, part, pl.origlen);
        }
      }
    }
    const data = this.read(loc);
    if (!data) return null;
    dissectFrame(data, this.links.get(loc.iface) ?? -1, s, null, state, frame, loc.origlen);
    return { data, tsSec: loc.ts_sec, tsNsec: loc.ts_nsec };
  }

  decode(frame: number): DecodedFrame | null {
    const id = packetId(this.captureId, frame);
    const loc = this.locStmt.get(id) as Loc | undefined;
    if (!loc) return null;
    const state = new DissectState();
    if (this.hasReassembly) {
      for (const parts of this.partsStmt.all(id) as string[]) {
        for (const part of JSON.parse(parts) as number[]) {
          if (part === frame) continue;
          const pl = this.locStmt.get(packetId(this.captureId, part)) as Loc | undefined;
          const bytes = pl ? this.read(pl) : null;
          if (pl && bytes) dissectTree(bytes, this.links.get(pl.iface) ?? -1, state, part, { caplen: pl.caplen, origlen: pl.origlen, tsSec: pl.ts_sec, tsNsec: pl.ts_nsec, interfaceId: pl.iface, comments: [] });
        }
      }
    }
    const data = this.read(loc);
    if (!data) return null;
    const comments = this.hasComments ? (this.commentsStmt.all(id) as string[]) : [];
    const tree = dissectTree(data, this.links.get(loc.iface) ?? -1, state, frame, {
      caplen: loc.caplen, origlen: loc.origlen, tsSec: loc.ts_sec, tsNsec: loc.ts_nsec, interfaceId: loc.iface, comments,
    });
    const prev = frame > 1 ? (this.prevStmt.get(id - 1) as { ts_sec: number; ts_nsec: number } | undefined) : undefined;
    return {
      frame, tree, data, tsSec: loc.ts_sec, tsNsec: loc.ts_nsec, origlen: loc.origlen, iface: loc.iface,
      prevSec: prev?.ts_sec ?? loc.ts_sec, prevNsec: prev?.ts_nsec ?? loc.ts_nsec,
    };
  }
}
