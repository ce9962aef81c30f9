/**
 * The API contract: every operation the renderer may ask of a host, with its request schema
 * (valibot, validated by the host before anything runs and by the client before sending) and
 * its response type. Three hosts implement it: the Electron main process (IPC channel
 * `th:<name>`), `tracehound serve` (HTTP `POST /api/<name>` on 127.0.0.1 with a per-run
 * token) and, for tests, the engine directly. The engine's implementation is
 * electron/engine/api.ts; hosts only carry the calls.
 *
 * Every call takes ONE argument object and resolves to `Result<T>`: hosts never throw across
 * the boundary. Captured strings inside responses are data: the renderer shows them as text.
 */
import * as v from 'valibot';
import type {
  CaptureInfo, CaptureStats, FlowRow, FollowedStream, FrameDetail, HostRow, IngestProgress, ObjectRow, PacketRow,
} from './model.js';

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export interface ApiError {
  /** Stable machine code: 'bad-request', 'bad-filter', 'not-found', 'bad-capture', 'io', 'cancelled', 'internal'. */
  code: string;
  message: string;
  /** For 'bad-filter': Wireshark-style diagnostics with positions. */
  diagnostics?: { message: string; start: number; length: number; hint?: string }[];
  /** For 'bad-capture': the byte offset where reading stopped. */
  offset?: number | null;
}

// ---- shared pieces --------------------------------------------------------------------------

const captureId = v.pipe(v.number(), v.integer(), v.minValue(1));
const frame = v.pipe(v.number(), v.integer(), v.minValue(0));
const filter = v.pipe(v.string(), v.maxLength(65536));
const limit = (max: number) => v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(max));

// ---- responses ------------------------------------------------------------------------------

export interface OpenedCapture {
  captureId: number;
  /** The case file holding the index. */
  casePath: string;
  capture: CaptureInfo;
  /** True when the index already existed (same SHA-256) and nothing was ingested. */
  reused: boolean;
}

export interface RecentCase {
  casePath: string;
  capturePath: string;
  sha256: string;
  packets: number;
  openedAt: string;
}

export interface PacketPage {
  rows: PacketRow[];
  /** No more matching rows after the last one. */
  done: boolean;
}

export interface ProtocolNode {
  name: string;
  packets: number;
  bytes: number;
  children: ProtocolNode[];
}

export interface IoSeries {
  filter: string;
  packets: number[];
  bytes: number[];
}

export interface IoGraph {
  /** Epoch seconds of the first bucket and the bucket width. */
  start: number;
  interval: number;
  series: IoSeries[];
}

export interface RecordRow {
  id: number;
  frame: number;
  stream: number | null;
  kind: string;
  /** The analyzer record (analyze/types.ts AppRecord), as JSON. Credentials are masked unless revealed. */
  data: Record<string, unknown>;
}

export interface GraphNode {
  id: number;
  addr: string;
  names: string[];
  packets: number;
  bytes: number;
}

export interface GraphEdge {
  id: string;
  from: number;
  to: number;
  packets: number;
  bytes: number;
  /** Service labels (`tcp/445`, `http`, `tls`, ...), most traffic first. */
  services: string[];
  /** Flows behind the edge (for "filter its packets"). */
  flows: number[];
  /** A display filter selecting the edge's packets. */
  filter: string;
}

export interface ConnectionGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** The neighbourhood was cut to the largest edges. */
  truncated: boolean;
}

/** `objects.hash`: the objects' rows after hashing; `mismatched`: objects whose re-extracted
 * bytes did not give the SHA-256 recorded at ingest (left without MD5/SHA-1). */
export interface HashedObjects {
  objects: ObjectRow[];
  mismatched: number[];
}

export interface ExportedObjects {
  files: { id: number; path: string; size: number; sha256: string }[];
}

// ---- the contract -----------------------------------------------------------------------------

export const API = {
  /** Open (and ingest when needed) a capture or a case by path; progress comes as events. */
  'capture.open': { req: v.object({ path: v.pipe(v.string(), v.minLength(1), v.maxLength(4096)) }) },
  'capture.recent': { req: v.object({}) },
  'capture.info': { req: v.object({ captureId }) },
  /** Cancel a running ingest. */
  'capture.cancel': { req: v.object({}) },
  'stats.summary': { req: v.object({ captureId }) },
  /** A page of the packet list: rows after `after` (a frame number) matching `filter` ('' = all). */
  'packets.page': { req: v.object({ captureId, filter, after: frame, limit: limit(10_000) }) },
  'packets.count': { req: v.object({ captureId, filter }) },
  /** Frames matching `filter` before `frame` (the row index of `frame` in the filtered list). */
  'packets.rank': { req: v.object({ captureId, filter, frame }) },
  'frame.detail': { req: v.object({ captureId, frame }) },
  'frame.comment': { req: v.object({ captureId, frame, text: v.pipe(v.string(), v.maxLength(10_000)) }) },
  'stream.follow': { req: v.object({ captureId, stream: frame, maxBytes: v.optional(limit(64 * 2 ** 20)), skipBytes: v.optional(frame) }) },
  'stats.conversations': {
    req: v.object({ captureId, proto: v.optional(v.picklist(['all', 'tcp', 'udp', 'ip'])), filter: v.optional(filter), limit: limit(100_000) }),
  },
  'stats.endpoints': { req: v.object({ captureId, limit: limit(100_000) }) },
  'stats.hierarchy': { req: v.object({ captureId }) },
  'stats.io': {
    req: v.object({ captureId, interval: v.pipe(v.number(), v.minValue(0.001), v.maxValue(86_400)), filters: v.pipe(v.array(filter), v.maxLength(8)) }),
  },
  /** Analyzer records of a kind ('http.request', 'dns', 'tls.client_hello', 'smb.session', 'credential', ...). */
  'records.list': {
    req: v.object({ captureId, kind: v.pipe(v.string(), v.maxLength(64)), afterId: frame, limit: limit(10_000), reveal: v.optional(v.boolean()) }),
  },
  'objects.list': { req: v.object({ captureId }) },
  'objects.export': { req: v.object({ captureId, ids: v.pipe(v.array(frame), v.maxLength(100_000)), dir: v.pipe(v.string(), v.minLength(1), v.maxLength(4096)) }) },
  /** MD5 and SHA-1 of these objects (the ingest records SHA-256 only), re-extracted from the capture. */
  'objects.hash': { req: v.object({ captureId, ids: v.pipe(v.array(frame), v.minLength(1), v.maxLength(1000)) }) },
  'hosts.list': { req: v.object({ captureId, limit: limit(100_000) }) },
  /** The peers of `addr` (hop by hop from the renderer), narrowed by an optional display filter. */
  'graph.neighbors': {
    req: v.object({ captureId, addr: v.pipe(v.string(), v.maxLength(64)), filter: v.optional(filter), maxEdges: v.optional(limit(500)) }),
  },
} as const;

export type ApiName = keyof typeof API;
export type ApiRequest<K extends ApiName> = v.InferOutput<(typeof API)[K]['req']>;

/** Response type of each operation. */
export interface ApiResponses {
  'capture.open': OpenedCapture;
  'capture.recent': RecentCase[];
  'capture.info': CaptureInfo;
  'capture.cancel': { cancelled: boolean };
  'stats.summary': CaptureStats;
  'packets.page': PacketPage;
  'packets.count': { count: number };
  'packets.rank': { rank: number };
  'frame.detail': FrameDetail;
  'frame.comment': { ok: true };
  'stream.follow': FollowedStream;
  'stats.conversations': FlowRow[];
  'stats.endpoints': HostRow[];
  'stats.hierarchy': ProtocolNode[];
  'stats.io': IoGraph;
  'records.list': RecordRow[];
  'objects.list': ObjectRow[];
  'objects.export': ExportedObjects;
  'objects.hash': HashedObjects;
  'hosts.list': HostRow[];
  'graph.neighbors': ConnectionGraph;
}

/** What a host implements and a client offers: one async function per operation. */
export type ApiHandlers = { [K in ApiName]: (req: ApiRequest<K>) => Promise<Result<ApiResponses[K]>> };

/** Events a host pushes to the renderer (IPC `th:event`, or SSE `GET /api/events`). */
export type ApiEvent =
  | { type: 'ingest.progress'; path: string; progress: IngestProgress }
  | { type: 'ingest.done'; path: string; captureId: number }
  | { type: 'ingest.error'; path: string; error: ApiError };

/**
 * Desktop-only events the Electron shell sends its window (menus, files opened from the
 * system); the browser host never sends them. electron/main/events.ts produces them.
 */
export type ShellEvent =
  | { type: 'shell.open'; path: string }
  | { type: 'shell.close' }
  | { type: 'shell.view'; view: 'conversations' | 'endpoints' | 'hierarchy' | 'io-graph' }
  | { type: 'shell.theme' }
  | { type: 'shell.lang'; lang: 'en' | 'zh-CN' }
  | { type: 'shell.shortcuts' };

/** Validates a request against its schema: the value, or a 'bad-request' error naming the problem. */
export function checkRequest<K extends ApiName>(name: K, req: unknown): Result<ApiRequest<K>> {
  const spec = API[name];
  if (!spec) return { ok: false, error: { code: 'bad-request', message: `unknown operation ${String(name)}` } };
  const r = v.safeParse(spec.req, req);
  if (r.success) return { ok: true, value: r.output as ApiRequest<K> };
  const issue = r.issues[0];
  const path = issue.path?.map((p) => String(p.key)).join('.') ?? '';
  return { ok: false, error: { code: 'bad-request', message: `${String(name)}: ${path ? `${path}: ` : ''}${issue.message}` } };
}

export const API_NAMES = Object.keys(API) as ApiName[];

export function isApiName(s: string): s is ApiName {
  return Object.prototype.hasOwnProperty.call(API, s);
}
