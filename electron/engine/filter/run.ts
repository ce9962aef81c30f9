/**
 * Running a display filter over a capture in a case: count, keyset pages, membership.
 *
 * Plan: the checked tree is compiled to SQL (sql.ts). Frames without PF_MULTI are decided
 * by that SQL when it is exact; frames flagged PF_MULTI, and every candidate of a filter
 * that uses a field the packets table does not store, are re-dissected from the capture
 * and decided by the exact evaluator (evaluate.ts) — one semantics, two executions, both
 * held to tshark by the parity tests.
 */
import { checkFilter, type Diagnostic } from '../../../shared/filter/index.js';
import type { CheckedExpr } from '../../../shared/filter/ast.js';
import type { CaseStore } from '../store/case-store.js';
import { PF_IS_TCP, PF_MULTI, packetId } from '../store/schema.js';
import { FrameDecoder } from '../query/decoder.js';
import { compileEvaluator } from './evaluate.js';
import { frameFields } from './frame-fields.js';
import { HALF_FLOW_FIELDS, isAppField, SqlBuilder, type HostEntry, type SqlEnv, type SqlParam } from './sql.js';
import { isSupportedField } from './supported.js';

export interface PreparedFilter {
  text: string;
  /** null for the empty filter (every frame). */
  checked: CheckedExpr | null;
  /** SQL deciding non-MULTI frames exactly, or null. */
  exactSql: string | null;
  /** SQL true for every non-MULTI frame that may match. */
  supersetSql: string;
  params: SqlParam[];
  /** frame.interface_id exists only in pcapng captures (as in Wireshark). */
  pcapng: boolean;
  /** Evaluates re-dissected frames exactly. */
  evaluate: ((fields: ReturnType<typeof frameFields>) => boolean) | null;
  /**
   * The same filter over half-flows (HALF_FLOWS), or null: set when the filter reads only
   * addresses, ports and ip/ipv6/tcp/udp, and no frame without a flow can match it. Counts
   * then come from the flows table, and sparse pages from the per-flow packet index.
   */
  flowSql: string | null;
  flowParams: SqlParam[];
  /** The filter reads fields the case stores per frame (application fields, tcp.stream). */
  needsStored: boolean;
}

/** Field names a checked filter mentions. */
function fieldNames(e: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(e)) for (const x of e) fieldNames(x, out);
  else if (e !== null && typeof e === 'object') {
    const o = e as { kind?: unknown; name?: unknown };
    if (o.kind === 'field' && typeof o.name === 'string') out.add(o.name);
    for (const v of Object.values(o)) if (v !== null && typeof v === 'object') fieldNames(v, out);
  }
  return out;
}

export class FilterError extends Error {
  override readonly name = 'FilterError';
  constructor(
    readonly filter: string,
    readonly diagnostics: Diagnostic[],
  ) {
    super(diagnostics[0]?.message ?? 'invalid filter');
  }
}

/**
 * One row per direction of each flow of a capture (params: capture id twice): the
 * addresses, ports, transport and address family every packet of that direction shares,
 * and how many packets of the capture have it as their own conversation.
 */
const HALF_FLOWS = `(SELECT f.id AS flow, f.a AS src, f.b AS dst, f.a_port AS sport, f.b_port AS dport, f.ipproto AS ipproto,
    h.family AS fam, f.direct_ab AS pkts, f.tcp_stream AS stream FROM flows f JOIN hosts h ON h.id = f.a WHERE f.capture_id = ?
  UNION ALL
  SELECT f.id, f.b, f.a, f.b_port, f.a_port, f.ipproto, h.family, f.direct_ba, f.tcp_stream FROM flows f JOIN hosts h ON h.id = f.b WHERE f.capture_id = ?) hf`;

const MULTI = `(flags & ${PF_MULTI}) != 0`;

/** True when no frame without a flow (no IP) can match: some conjunct tests a half-flow field positively. */
function requiresFlow(e: CheckedExpr): boolean {
  switch (e.kind) {
    case 'and':
      return requiresFlow(e.left) || requiresFlow(e.right);
    case 'or':
      return requiresFlow(e.left) && requiresFlow(e.right);
    case 'exists':
      return e.value.kind === 'field' && HALF_FLOW_FIELDS.has(e.value.name);
    case 'compare':
      return e.left.kind === 'field' && HALF_FLOW_FIELDS.has(e.left.name);
    case 'in':
      return HALF_FLOW_FIELDS.has(e.operand.name);
    default:
      return false;
  }
}

/** Largest |timestamp seconds| of a capture: a scan of every row, so computed once per open case. */
const maxAbsCache = new WeakMap<CaseStore, Map<number, number>>();
function maxAbsSeconds(store: CaseStore, captureId: number): number {
  let m = maxAbsCache.get(store);
  if (!m) maxAbsCache.set(store, (m = new Map()));
  let v = m.get(captureId);
  if (v === undefined) {
    v = (store.db.prepare('SELECT max(abs(ts_sec)) FROM packets WHERE id > ? AND id < ?').pluck().get(packetId(captureId, 0), packetId(captureId + 1, 0)) as number | null) ?? 0;
    m.set(captureId, v);
  }
  return v;
}

function envFor(store: CaseStore, captureId: number): SqlEnv {
  let hosts: HostEntry[] | null = null;
  const first = store.db.prepare('SELECT first_ts_sec AS s, first_ts_nsec AS n, format FROM captures WHERE id = ?').get(captureId) as
    { s: number | null; n: number | null; format: string | null } | undefined;
  const maxAbsSec = maxAbsSeconds(store, captureId);
  return {
    maxAbsSec: maxAbsSec ?? 0,
    pcapng: first?.format === 'pcapng',
    base: packetId(captureId, 0),
    firstSec: first?.s ?? 0,
    firstNsec: first?.n ?? 0,
    hosts: () => (hosts ??= store.db.prepare('SELECT id, family, ip4, addr FROM hosts').all() as HostEntry[]),
    protocolId: (name) => store.db.prepare('SELECT id FROM protocols WHERE name = ?').pluck().get(name) as number | undefined,
    appFieldId: (name) => store.db.prepare('SELECT id FROM field_names WHERE name = ?').pluck().get(name) as number | undefined,
  };
}

/** Checks and compiles a filter; throws FilterError with Wireshark-like diagnostics. */
export function prepareFilter(store: CaseStore, captureId: number, text: string): PreparedFilter {
  const { ast, diagnostics } = checkFilter(text, { isSupported: isSupportedField });
  if (diagnostics.length) throw new FilterError(text, diagnostics);
  const env = envFor(store, captureId);
  if (!ast) return { text, checked: null, exactSql: '1', supersetSql: '1', params: [], evaluate: null, pcapng: env.pcapng, flowSql: null, flowParams: [], needsStored: false };
  const b = new SqlBuilder(env);
  const frag = b.compile(ast);
  let flowSql: string | null = null;
  let flowParams: SqlParam[] = [];
  if (frag.exact !== null && requiresFlow(ast)) {
    const hb = new SqlBuilder({ ...env, halfFlow: true });
    const hf = hb.compile(ast);
    if (hf.exact !== null) {
      flowSql = hf.exact;
      flowParams = hb.params;
    }
  }
  const names = fieldNames(ast);
  return {
    flowSql,
    flowParams,
    needsStored: [...names].some((n) => n === 'tcp.stream' || isAppField(n)),
    text,
    checked: ast,
    exactSql: frag.exact,
    supersetSql: frag.superset,
    params: b.params,
    evaluate: compileEvaluator(ast),
    pcapng: env.pcapng,
  };
}

/** Frames of the capture whose own half-flow matches (counted from the flows table). */
function halfFlowCount(store: CaseStore, captureId: number, f: PreparedFilter): number {
  return store.db.prepare(`SELECT coalesce(sum(hf.pkts), 0) FROM ${HALF_FLOWS} WHERE ${f.flowSql}`).pluck().get(captureId, captureId, ...f.flowParams) as number;
}

/**
 * Candidate rows in frame order: [packet id, needs re-dissection]. `want` (how many rows the
 * caller expects to consume) picks the plan for a half-flow filter: walking the packets in
 * frame order costs about want × packets / matches rows, the per-flow index about matches.
 */
function candidates(store: CaseStore, captureId: number, f: PreparedFilter, afterFrame: number, want = Infinity): IterableIterator<[number, number]> {
  const lo = packetId(captureId, afterFrame);
  const hi = packetId(captureId + 1, 0);
  if (f.flowSql !== null && f.exactSql !== null) {
    const matches = halfFlowCount(store, captureId, f);
    const total = (store.db.prepare('SELECT packets FROM captures WHERE id = ?').pluck().get(captureId) as number | undefined) ?? 0;
    if (matches * matches < Math.min(want, total) * total) {
      return store.db
        .prepare(
          `SELECT id, m FROM (
             SELECT p.id AS id, 0 AS m FROM packets p INDEXED BY packets_flow
               WHERE p.flow IN (SELECT hf.flow FROM ${HALF_FLOWS} WHERE ${f.flowSql})
                 AND p.id > ? AND p.id < ? AND (p.flags & ${PF_MULTI}) = 0 AND ${f.exactSql}
             UNION ALL
             SELECT id, 1 FROM packets WHERE ${MULTI} AND id > ? AND id < ?)
           ORDER BY id`,
        )
        .raw()
        .iterate(captureId, captureId, ...f.flowParams, lo, hi, ...f.params, lo, hi) as IterableIterator<[number, number]>;
    }
  }
  if (f.exactSql !== null) {
    // Non-MULTI frames are decided here; MULTI ones come back flagged for the evaluator.
    return store.db
      .prepare(
        `SELECT id, (flags & ${PF_MULTI}) != 0 FROM packets p
         WHERE id > ? AND id < ? AND (((flags & ${PF_MULTI}) = 0 AND ${f.exactSql}) OR (flags & ${PF_MULTI}) != 0) ORDER BY id`,
      )
      .raw()
      .iterate(lo, hi, ...f.params) as IterableIterator<[number, number]>;
  }
  return store.db
    .prepare(
      `SELECT id, 1 FROM packets p WHERE id > ? AND id < ? AND (((flags & ${PF_MULTI}) = 0 AND ${f.supersetSql}) OR (flags & ${PF_MULTI}) != 0) ORDER BY id`,
    )
    .raw()
    .iterate(lo, hi, ...f.params) as IterableIterator<[number, number]>;
}

/** What the case stores for a frame beyond its bytes: application fields, then tcp.stream (outer, then tunnelled). */
export function storedFields(store: CaseStore, id: number): [string, number | string | Uint8Array][] {
  const out = store.db
    .prepare('SELECT n.name, a.value FROM app_fields a JOIN field_names n ON n.id = a.field WHERE a.packet_id = ? ORDER BY a.rowid')
    .raw()
    .all(id) as [string, number | string | Uint8Array][];
  const streams = store.db
    .prepare(
      `SELECT f.tcp_stream FROM packets p JOIN flows f ON f.id = p.flow WHERE p.id = ? AND (p.flags & ${PF_IS_TCP}) != 0 AND f.tcp_stream IS NOT NULL
       UNION ALL SELECT f.tcp_stream FROM packet_flows x JOIN flows f ON f.id = x.flow WHERE x.packet_id = ? AND f.tcp_stream IS NOT NULL`,
    )
    .pluck()
    .all(id, id) as number[];
  for (const s of streams) out.push(['tcp.stream', s]);
  return out;
}

/** Decides one frame with the evaluator (re-dissected from the capture). */
function evaluateFrame(dec: FrameDecoder, f: PreparedFilter, frame: number, firstTs: [number, number]): boolean {
  if (!f.evaluate) return true;
  const d = dec.decode(frame);
  if (!d) return false;
  const fields = frameFields(d.tree, d.data, {
    ...(f.needsStored ? { stored: storedFields(dec.store, packetId(dec.captureId, frame)) } : {}),
    frameNumber: frame,
    tsSec: d.tsSec,
    tsNsec: d.tsNsec,
    firstTs: { sec: firstTs[0], nsec: firstTs[1] },
    prevTs: { sec: d.prevSec, nsec: d.prevNsec },
    ...(f.pcapng ? { interfaceId: d.iface } : {}),
  });
  return f.evaluate(fields);
}

function firstTs(store: CaseStore, captureId: number): [number, number] {
  const r = store.db.prepare('SELECT first_ts_sec AS s, first_ts_nsec AS n FROM captures WHERE id = ?').get(captureId) as
    { s: number | null; n: number | null } | undefined;
  return [r?.s ?? 0, r?.n ?? 0];
}

export interface FilterRunOptions {
  signal?: AbortSignal;
}

/** Number of frames the filter matches. */
export async function countMatches(store: CaseStore, captureId: number, f: PreparedFilter, opts: FilterRunOptions = {}): Promise<number> {
  const lo = packetId(captureId, 0);
  const hi = packetId(captureId + 1, 0);
  const ft = firstTs(store, captureId);
  if (f.exactSql !== null) {
    // Half-flow plan: the flows table counts every frame whose own half-flow matches; MULTI
    // frames among them are taken back out and decided by the evaluator like all MULTI frames.
    const n =
      f.flowSql !== null
        ? halfFlowCount(store, captureId, f) -
          (store.db.prepare(`SELECT count(*) FROM packets p WHERE ${MULTI} AND id > ? AND id < ? AND ${f.exactSql}`).pluck().get(lo, hi, ...f.params) as number)
        : (store.db
            .prepare(`SELECT count(*) FROM packets p WHERE id > ? AND id < ? AND (flags & ${PF_MULTI}) = 0 AND ${f.exactSql}`)
            .pluck()
            .get(lo, hi, ...f.params) as number);
    if (!f.evaluate) return n;
    let m = 0;
    const multi = store.db
      .prepare(`SELECT id FROM packets WHERE ${MULTI} AND id > ? AND id < ? ORDER BY id`)
      .pluck()
      .all(lo, hi) as number[];
    if (!multi.length) return n;
    const dec = new FrameDecoder(store, captureId);
    try {
      for (const id of multi) {
        opts.signal?.throwIfAborted();
        if (evaluateFrame(dec, f, id - lo, ft)) m++;
      }
    } finally {
      dec.close();
    }
    return n + m;
  }
  let n = 0;
  const dec = new FrameDecoder(store, captureId);
  try {
    for (const [id] of [...candidates(store, captureId, f, 0)]) {
      opts.signal?.throwIfAborted();
      if (evaluateFrame(dec, f, id - lo, ft)) n++;
    }
  } finally {
    dec.close();
  }
  return n;
}

/**
 * Frames matching the filter before `frame` (the row of `frame` in the filtered list). A
 * half-flow filter counts through the per-flow index (work ∝ matches); others scan the
 * frames before `frame`.
 */
export async function countBefore(store: CaseStore, captureId: number, f: PreparedFilter, frame: number, opts: FilterRunOptions = {}): Promise<number> {
  const lo = packetId(captureId, 0);
  const hi = packetId(captureId, Math.max(0, frame));
  const ft = firstTs(store, captureId);
  let n = 0;
  let multi: number[];
  if (f.exactSql !== null) {
    n =
      f.flowSql !== null
        ? (store.db
            .prepare(
              `SELECT count(*) FROM packets p INDEXED BY packets_flow
               WHERE p.flow IN (SELECT hf.flow FROM ${HALF_FLOWS} WHERE ${f.flowSql}) AND p.id > ? AND p.id < ? AND (p.flags & ${PF_MULTI}) = 0 AND ${f.exactSql}`,
            )
            .pluck()
            .get(captureId, captureId, ...f.flowParams, lo, hi, ...f.params) as number)
        : (store.db.prepare(`SELECT count(*) FROM packets p WHERE id > ? AND id < ? AND (flags & ${PF_MULTI}) = 0 AND ${f.exactSql}`).pluck().get(lo, hi, ...f.params) as number);
    if (!f.evaluate) return n;
    multi = store.db.prepare(`SELECT id FROM packets WHERE ${MULTI} AND id > ? AND id < ? ORDER BY id`).pluck().all(lo, hi) as number[];
  } else {
    multi = store.db.prepare(`SELECT id FROM packets p WHERE id > ? AND id < ? AND (((flags & ${PF_MULTI}) = 0 AND ${f.supersetSql}) OR ${MULTI}) ORDER BY id`).pluck().all(lo, hi, ...f.params) as number[];
  }
  if (!multi.length) return n;
  const dec = new FrameDecoder(store, captureId);
  try {
    for (const id of multi) {
      opts.signal?.throwIfAborted();
      if (evaluateFrame(dec, f, id - lo, ft)) n++;
    }
  } finally {
    dec.close();
  }
  return n;
}

/** Up to `limit` matching frame numbers after `afterFrame` (keyset paging, never OFFSET). */
export async function pageMatches(
  store: CaseStore,
  captureId: number,
  f: PreparedFilter,
  afterFrame: number,
  limit: number,
  opts: FilterRunOptions = {},
): Promise<number[]> {
  const lo = packetId(captureId, 0);
  const ft = firstTs(store, captureId);
  const out: number[] = [];
  if (limit <= 0) return out;
  // Materialise candidates in slices: the iterator must not stay open across awaits.
  let after = afterFrame;
  let dec: FrameDecoder | null = null;
  try {
    for (;;) {
      const it = candidates(store, captureId, f, after, limit);
      const slice: [number, number][] = [];
      for (const row of it) {
        slice.push(row);
        if (slice.length >= Math.max(limit * 2, 256)) break;
      }
      it.return?.();
      if (!slice.length) return out;
      for (const [id, needsEval] of slice) {
        opts.signal?.throwIfAborted();
        const frame = id - lo;
        if (!needsEval || evaluateFrame((dec ??= new FrameDecoder(store, captureId)), f, frame, ft)) {
          out.push(frame);
          if (out.length >= limit) return out;
        }
      }
      after = slice[slice.length - 1]![0] - lo;
    }
  } finally {
    dec?.close();
  }
}

/** Go-to-frame for the UI: does frame N match? */
export async function frameMatches(store: CaseStore, captureId: number, f: PreparedFilter, frame: number): Promise<boolean> {
  const page = await pageMatches(store, captureId, f, frame - 1, 1);
  return page[0] === frame;
}
