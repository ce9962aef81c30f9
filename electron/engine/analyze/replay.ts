/**
 * On-demand analysis of stored streams: follow a TCP stream, export objects. The frames of
 * the stream are re-read from the capture (read-only) and run through the same AppSession
 * the ingest used, so what the user follows or exports is exactly what was indexed.
 */
import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeSync, fsyncSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { FollowedStream, ObjectRow, StreamSegment } from '../../../shared/model.js';
import { newSummary } from '../dissect/types.js';
import { FrameDecoder } from '../query/decoder.js';
import type { CaseStore } from '../store/case-store.js';
import { packetId, PF_IS_TCP } from '../store/schema.js';
import { AppSession, InnerView, OuterView, type AppFlowSlot, type SessionHooks } from './session.js';
import type { Dir } from './types.js';

/** Default follow window: enough to read a conversation, small enough to render. */
export const DEFAULT_FOLLOW_BYTES = 4 * 2 ** 20;
/** The largest window a caller may ask for. */
export const MAX_FOLLOW_BYTES = 64 * 2 ** 20;

export class StreamNotFoundError extends Error {
  override readonly name = 'StreamNotFoundError';
}

interface FlowRow {
  id: number;
  a: number;
  b: number;
  a_port: number | null;
  b_port: number | null;
  app: string | null;
}

/** Frames of a TCP stream in capture order, with whether the stream is the frame's own (outer) conversation. */
function streamFrames(store: CaseStore, captureId: number, stream: number): { flow: FlowRow; frames: [number, boolean][] } {
  const flow = store.db
    .prepare('SELECT id, a, b, a_port, b_port, app FROM flows WHERE capture_id = ? AND tcp_stream = ?')
    .get(captureId, stream) as FlowRow | undefined;
  if (!flow) throw new StreamNotFoundError(`no TCP stream ${stream} in this capture`);
  const base = packetId(captureId, 0);
  const rows = store.db
    .prepare(
      `SELECT id, 1 FROM packets WHERE flow = ? AND (flags & ${PF_IS_TCP}) != 0
       UNION ALL SELECT packet_id, 0 FROM packet_flows WHERE flow = ? ORDER BY 1`,
    )
    .raw()
    .all(flow.id, flow.id) as [number, number][];
  return { flow, frames: rows.map(([id, outer]) => [id - base, outer === 1]) };
}

/**
 * Runs a stream's frames through a fresh AppSession with `hooks`; `stop()` ends early.
 * Returns the number of frames read.
 */
function replay(store: CaseStore, captureId: number, stream: number, hooks: SessionHooks, stop: () => boolean): { flow: FlowRow; frames: number; session: AppSession } {
  const { flow, frames } = streamFrames(store, captureId, stream);
  const hostA = store.db.prepare('SELECT addr FROM hosts WHERE id = ?').pluck().get(flow.a) as string;
  const session = new AppSession({ ...hooks, onlyStreams: new Set([stream]) });
  const slot: AppFlowSlot = { conv: null };
  const dec = new FrameDecoder(store, captureId);
  const s = newSummary();
  const outer = new OuterView();
  let n = 0;
  try {
    for (const [frame, own] of frames) {
      if (stop()) break;
      const r = dec.summary(frame, s);
      if (!r) continue;
      n++;
      if (own) {
        outer.s = s;
        const ab = outer.srcText() === hostA && (flow.a_port === null || s.srcPort === flow.a_port);
        session.frame(outer, slot, ab, stream, frame, r.tsSec, r.tsNsec);
      } else if (s.inner !== null) {
        const v = new InnerView(s.inner, s.payloadData ?? r.data);
        const ab = v.srcText() === hostA && (flow.a_port === null || v.srcPort === flow.a_port);
        session.frame(v, slot, ab, stream, frame, r.tsSec, r.tsNsec);
      }
    }
    if (!stop()) session.finish([slot]);
  } finally {
    dec.close();
  }
  return { flow, frames: n, session };
}

/**
 * The conversation of a TCP stream in order, both directions, with missing bytes marked:
 * at most `maxBytes` bytes (after skipping `skipBytes`), as Wireshark's Follow TCP Stream.
 */
export function followStream(store: CaseStore, captureId: number, stream: number, opts: { maxBytes?: number; skipBytes?: number } = {}): FollowedStream {
  const max = Math.min(Math.max(1, opts.maxBytes ?? DEFAULT_FOLLOW_BYTES), MAX_FOLLOW_BYTES);
  const skip = Math.max(0, opts.skipBytes ?? 0);
  const segments: StreamSegment[] = [];
  const offsets: [number, number] = [0, 0];
  const shown: [number, number] = [0, 0];
  let seen = 0;
  let kept = 0;
  let truncated = false;
  let client: FollowedStream['client'] | null = null;
  let server: FollowedStream['server'] | null = null;
  const hooks: SessionHooks = {
    onStreamInfo: (info) => {
      client = info.client;
      server = info.server;
    },
    onStreamData: (_stream, dir, bytes, frame) => {
      const off = offsets[dir];
      offsets[dir] += bytes.length;
      let b = bytes;
      if (seen + b.length <= skip) {
        seen += b.length;
        return;
      }
      if (seen < skip) {
        b = b.subarray(skip - seen);
        seen = skip;
      }
      seen += b.length;
      if (kept >= max) {
        truncated = true;
        return;
      }
      if (kept + b.length > max) {
        b = b.subarray(0, max - kept);
        truncated = true;
      }
      kept += b.length;
      shown[dir] += b.length;
      const last = segments.at(-1);
      // Consecutive runs of one direction and frame merge (as a reader would see them).
      if (last && last.dir === dir && last.frame === frame && !last.gap && last.offset + Buffer.from(last.data, 'base64').length === off + (bytes.length - b.length)) {
        last.data = Buffer.concat([Buffer.from(last.data, 'base64'), b]).toString('base64');
      } else {
        segments.push({ dir, frame, offset: off + (bytes.length - b.length), data: Buffer.from(b).toString('base64') });
      }
    },
    onStreamGap: (_stream, dir, length, frame) => {
      const off = offsets[dir];
      offsets[dir] += length;
      if (kept < max && seen >= skip) segments.push({ dir, frame, offset: off, data: '', gap: length });
    },
  };
  const { flow, frames } = replay(store, captureId, stream, hooks, () => truncated);
  const fallback = (id: number, port: number | null) => ({
    addr: store.db.prepare('SELECT addr FROM hosts WHERE id = ?').pluck().get(id) as string,
    port: port ?? 0,
  });
  return {
    stream,
    transport: 'tcp',
    client: client ?? fallback(flow.a, flow.a_port),
    server: server ?? fallback(flow.b, flow.b_port),
    protocol: flow.app,
    segments,
    bytes: shown,
    truncated,
    frames,
  };
}

/** Objects the analyzers recorded, in frame order (metadata only). */
export function listObjects(store: CaseStore, captureId: number): ObjectRow[] {
  const base = packetId(captureId, 0);
  return (
    store.db
      .prepare('SELECT id, packet_id, stream, source, part, filename, mime, size, complete, md5, sha1, sha256 FROM objects WHERE capture_id = ? ORDER BY packet_id, id')
      .all(captureId) as {
      id: number; packet_id: number; stream: number | null; source: string; part: number; filename: string | null; mime: string; size: number; complete: number;
      md5: string | null; sha1: string | null; sha256: string | null;
    }[]
  ).map((r) => ({
    id: r.id, frame: r.packet_id - base, stream: r.stream, source: r.source, filename: r.filename, mime: r.mime, size: r.size,
    complete: r.complete === 1, md5: r.md5, sha1: r.sha1, sha256: r.sha256,
  }));
}

/** Characters never written into a file name (path separators, controls, Windows-reserved). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what must not reach a file name
const UNSAFE_NAME = /[\u0000-\u001f\u007f/\\:*?"<>|]/g;
/** Windows device names: a file called `CON.txt` cannot be opened on Windows. */
const DEVICE_NAMES = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;
/** Longest name component written (bytes in UTF-8 stay under every filesystem's 255). */
const MAX_NAME = 120;

/** A safe file name for an object: no traversal, no device names, no controls, bounded. */
export function sanitizeFilename(name: string | null, fallback: string): string {
  let n = (name ?? '').normalize('NFC').replace(UNSAFE_NAME, '_').replace(/^[.\s]+/, '').replace(/[.\s]+$/, '');
  if (n === '' || DEVICE_NAMES.test(n)) n = n ? `_${n}` : fallback;
  if (n.length > MAX_NAME) {
    const dot = n.lastIndexOf('.');
    const ext = dot > 0 && n.length - dot <= 10 ? n.slice(dot) : '';
    n = n.slice(0, MAX_NAME - ext.length) + ext;
  }
  return n;
}

export interface ExportedObject {
  id: number;
  path: string;
  size: number;
  sha256: string;
}

/**
 * Writes the chosen objects (all when `ids` is empty) into `dir`, re-extracting the bodies
 * from the capture. Each file is written under a temporary name, synced, then renamed, so a
 * failure (disk full) never leaves a half-written file under its final name. Names are
 * sanitised and prefixed with the object id; nothing is ever opened or executed.
 */
export function exportObjects(store: CaseStore, captureId: number, dir: string, ids: readonly number[] = []): ExportedObject[] {
  const all = listObjects(store, captureId);
  const want = ids.length ? all.filter((o) => ids.includes(o.id)) : all;
  mkdirSync(dir, { recursive: true });
  const out: ExportedObject[] = [];
  const digests: ObjectDigests[] = [];
  extractObjects(store, captureId, want, (o, bytes) => {
    const name = `${o.id}-${sanitizeFilename(o.filename, `object-${o.frame}`)}`;
    const final = join(dir, name);
    const tmp = join(dir, `.${name}.partial`);
    rmSync(tmp, { force: true });
    const fd = openSync(tmp, 'wx');
    try {
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } catch (e) {
      closeSync(fd);
      rmSync(tmp, { force: true });
      throw e;
    }
    closeSync(fd);
    renameSync(tmp, final);
    const d = digestsOf(o.id, bytes);
    digests.push(d);
    out.push({ id: o.id, path: final, size: bytes.length, sha256: d.sha256 });
  });
  saveDigests(store, digests);
  return out;
}

/** The three digests of one object's bytes. */
export interface ObjectDigests {
  id: number;
  md5: string;
  sha1: string;
  sha256: string;
}

function digestsOf(id: number, bytes: Uint8Array): ObjectDigests {
  const hex = (a: string) => createHash(a).update(bytes).digest('hex');
  return { id, md5: hex('md5'), sha1: hex('sha1'), sha256: hex('sha256') };
}

/** Objects hashed per call at most (each is re-extracted from the capture). */
export const MAX_HASH_OBJECTS = 1000;

/**
 * Fills in the MD5 and SHA-1 of the chosen objects (the ingest computes SHA-256 only) by
 * re-extracting their bytes from the capture, and stores them. An object whose re-extracted
 * bytes do not give the SHA-256 recorded at ingest keeps no MD5/SHA-1 (and is reported);
 * objects that cannot be re-extracted (incomplete, SMB files) are left as they are.
 * Returns the objects' rows after the update.
 */
export function hashObjects(store: CaseStore, captureId: number, ids: readonly number[]): { objects: ObjectRow[]; mismatched: number[] } {
  const wanted = new Set(ids.slice(0, MAX_HASH_OBJECTS));
  const rows = listObjects(store, captureId).filter((o) => wanted.has(o.id));
  const todo = rows.filter((o) => o.complete && (o.md5 === null || o.sha1 === null));
  const digests: ObjectDigests[] = [];
  const mismatched: number[] = [];
  extractObjects(store, captureId, todo, (o, bytes) => {
    const d = digestsOf(o.id, bytes);
    if (o.sha256 !== null && o.sha256 !== d.sha256) mismatched.push(o.id);
    else digests.push(d);
  });
  saveDigests(store, digests);
  const byId = new Map(digests.map((d) => [d.id, d]));
  return { objects: rows.map((o) => ({ ...o, ...(byId.get(o.id) ?? {}) })), mismatched };
}

function saveDigests(store: CaseStore, digests: readonly ObjectDigests[]): void {
  if (digests.length === 0) return;
  const st = store.db.prepare('UPDATE objects SET md5 = ?, sha1 = ?, sha256 = coalesce(sha256, ?) WHERE id = ?');
  store.db.transaction(() => {
    for (const d of digests) st.run(d.md5, d.sha1, d.sha256, d.id);
  })();
}

/**
 * Re-extracts HTTP bodies from the capture (one replay per TCP stream) and hands each
 * chosen object's decoded bytes to `each`, in the objects' order within their stream.
 */
function extractObjects(store: CaseStore, captureId: number, objs: readonly ObjectRow[], each: (o: ObjectRow, bytes: Uint8Array) => void): void {
  const byStream = new Map<number, ObjectRow[]>();
  for (const o of objs) {
    if (o.stream === null || !o.source.startsWith('http.')) continue;
    let l = byStream.get(o.stream);
    if (!l) byStream.set(o.stream, (l = []));
    l.push(o);
  }
  for (const [stream, list] of byStream) {
    // Bodies in the order the HTTP parser completes them: match by frame, direction and order.
    const pending = new Map<string, Uint8Array[]>();
    const hooks: SessionHooks = {
      onHttpBody: (_s, b, bytes) => {
        const key = `${b.frame}:${b.dir}`;
        let l = pending.get(key);
        if (!l) pending.set(key, (l = []));
        l[b.index] = Uint8Array.from(bytes);
      },
      objectHashes: [],
    };
    replay(store, captureId, stream, hooks, () => false);
    const seenPerKey = new Map<string, number>();
    for (const o of list) {
      const dirOf: Dir = o.source === 'http.request' ? 0 : 1;
      const key = `${o.frame}:${dirOf}`;
      const idx = seenPerKey.get(key) ?? 0;
      seenPerKey.set(key, idx + 1);
      const bytes = pending.get(key)?.[idx];
      if (bytes) each(o, bytes);
    }
  }
}
