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
import { PF_MULTI, packetId } from '../store/schema.js';
import { FrameDecoder } from '../query/decoder.js';
import { compileEvaluator } from './evaluate.js';
import { frameFields } from './frame-fields.js';
import { SqlBuilder, type HostEntry, type SqlEnv, type SqlParam } from './sql.js';
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

function envFor(store: CaseStore, captureId: number): SqlEnv {
  let hosts: HostEntry[] | null = null;
  const first = store.db.prepare('SELECT first_ts_sec AS s, first_ts_nsec AS n, format FROM captures WHERE id = ?').get(captureId) as
    { s: number | null; n: number | null; format: string | null } | undefined;
  const maxAbsSec = store.db
    .prepare('SELECT max(abs(ts_sec)) FROM packets WHERE id > ? AND id < ?')
    .pluck()
    .get(packetId(captureId, 0), packetId(captureId + 1, 0)) as number | null;
  return {
    maxAbsSec: maxAbsSec ?? 0,
    pcapng: first?.format === 'pcapng',
    base: packetId(captureId, 0),
    firstSec: first?.s ?? 0,
    firstNsec: first?.n ?? 0,
    hosts: () => (hosts ??= store.db.prepare('SELECT id, family, ip4, addr FROM hosts').all() as HostEntry[]),
    protocolId: (name) => store.db.prepare('SELECT id FROM protocols WHERE name = ?').pluck().get(name) as number | undefined,
  };
}

/** Checks and compiles a filter; throws FilterError with Wireshark-like diagnostics. */
export function prepareFilter(store: CaseStore, captureId: number, text: string): PreparedFilter {
  const { ast, diagnostics } = checkFilter(text, { isSupported: isSupportedField });
  if (diagnostics.length) throw new FilterError(text, diagnostics);
  const env = envFor(store, captureId);
  if (!ast) return { text, checked: null, exactSql: '1', supersetSql: '1', params: [], evaluate: null, pcapng: env.pcapng };
  const b = new SqlBuilder(env);
  const frag = b.compile(ast);
  return {
    text,
    checked: ast,
    exactSql: frag.exact,
    supersetSql: frag.superset,
    params: b.params,
    evaluate: compileEvaluator(ast),
    pcapng: env.pcapng,
  };
}

/** Candidate rows in frame order: [packet id, needs re-dissection]. */
function candidates(store: CaseStore, captureId: number, f: PreparedFilter, afterFrame: number): IterableIterator<[number, number]> {
  const lo = packetId(captureId, afterFrame);
  const hi = packetId(captureId + 1, 0);
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

/** Decides one frame with the evaluator (re-dissected from the capture). */
function evaluateFrame(dec: FrameDecoder, f: PreparedFilter, frame: number, firstTs: [number, number]): boolean {
  if (!f.evaluate) return true;
  const d = dec.decode(frame);
  if (!d) return false;
  const fields = frameFields(d.tree, d.data, {
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
    const n = store.db
      .prepare(`SELECT count(*) FROM packets p WHERE id > ? AND id < ? AND (flags & ${PF_MULTI}) = 0 AND ${f.exactSql}`)
      .pluck()
      .get(lo, hi, ...f.params) as number;
    if (!f.evaluate) return n;
    let m = 0;
    const multi = store.db
      .prepare(`SELECT id FROM packets WHERE id > ? AND id < ? AND (flags & ${PF_MULTI}) != 0 ORDER BY id`)
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
      const it = candidates(store, captureId, f, after);
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
