/**
 * Reading analyzer records (`records.list`) in pages. A view holds at most MAX_RECORDS of a
 * kind: the protocol tables are for reading, and the rest stays in the case file (the user
 * narrows with a display filter in the packet list instead).
 */
import type { RecordRow, Result } from '../../../shared/api.js';
import type { ApiClient } from './types.js';

/** Rows per request: the contract allows 10,000; smaller pages keep each IPC message modest. */
export const RECORD_PAGE = 5000;
/** Records of one kind a view keeps in memory. */
export const MAX_RECORDS = 20_000;

export interface RecordList {
  rows: RecordRow[];
  /** More records exist beyond MAX_RECORDS. */
  truncated: boolean;
}

export async function fetchRecords(
  api: ApiClient,
  captureId: number,
  kind: string,
  opts: { reveal?: boolean; max?: number } = {},
): Promise<Result<RecordList>> {
  const max = Math.min(opts.max ?? MAX_RECORDS, MAX_RECORDS);
  const rows: RecordRow[] = [];
  let afterId = 0;
  while (rows.length < max) {
    const limit = Math.min(RECORD_PAGE, max - rows.length);
    const r = await api['records.list']({ captureId, kind, afterId, limit, ...(opts.reveal ? { reveal: true } : {}) });
    if (!r.ok) return r;
    rows.push(...r.value);
    const last = r.value.at(-1);
    if (r.value.length < limit || !last || last.id <= afterId) return { ok: true, value: { rows, truncated: false } };
    afterId = last.id;
  }
  // Exactly `max` rows read: one more probe tells whether anything was cut.
  const probe = await api['records.list']({ captureId, kind, afterId, limit: 1 });
  return { ok: true, value: { rows, truncated: probe.ok && probe.value.length > 0 } };
}

/** Several kinds at once (e.g. client and server hellos), each capped on its own. */
export async function fetchRecordKinds(
  api: ApiClient,
  captureId: number,
  kinds: readonly string[],
  opts: { reveal?: boolean } = {},
): Promise<Result<Record<string, RecordList>>> {
  const out: Record<string, RecordList> = {};
  for (const k of kinds) {
    const r = await fetchRecords(api, captureId, k, opts);
    if (!r.ok) return r;
    out[k] = r.value;
  }
  return { ok: true, value: out };
}
