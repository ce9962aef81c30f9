/**
 * `--fields`: field values of frames as text, the way `tshark -T fields -e F` prints them
 * (occurrences in tree order; the caller joins them with commas).
 */
import type { CaseStore } from '../store/case-store.js';
import { FrameDecoder } from '../query/decoder.js';
import { formatEpoch } from '../util/format.js';
import { field as registryField } from '../../../shared/fields.js';
import { frameFields, ip6Text, type FieldScalar } from './frame-fields.js';
import { storedFields } from './run.js';
import { packetId } from '../store/schema.js';

function hex(b: Uint8Array, sep: string): string {
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(sep);
}

export function fieldText(name: string, v: FieldScalar): string {
  const type = registryField(name)?.type;
  if (typeof v === 'number' || typeof v === 'bigint') {
    if (type === 'ipv4' && typeof v === 'number') return `${(v >>> 24) & 255}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
    if (type === 'bool') return v ? 'True' : 'False';
    return String(v);
  }
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) {
    if (type === 'ipv6' && v.length === 16) return ip6Text(v);
    if (type === 'ether') return hex(v, ':');
    if (type === 'none') return '';
    return hex(v, ':');
  }
  if ('kind' in v) return hex(v.bytes, ':');
  return formatEpoch(v.sec, v.nsec);
}

/** For each frame, for each name: the values as text. */
export async function fieldValues(store: CaseStore, captureId: number, frames: readonly number[], names: readonly string[]): Promise<string[][][]> {
  const out: string[][][] = [];
  const fmt = store.capture(captureId)?.format;
  const first = store.db.prepare('SELECT first_ts_sec AS s, first_ts_nsec AS n FROM captures WHERE id = ?').get(captureId) as { s: number; n: number };
  const dec = new FrameDecoder(store, captureId);
  try {
    for (const frame of frames) {
      const d = dec.decode(frame);
      if (!d) {
        out.push(names.map(() => []));
        continue;
      }
      const fields = frameFields(d.tree, d.data, {
        stored: storedFields(store, packetId(captureId, frame)),
        frameNumber: frame, tsSec: d.tsSec, tsNsec: d.tsNsec, firstTs: { sec: first.s, nsec: first.n }, prevTs: { sec: d.prevSec, nsec: d.prevNsec },
        ...(fmt === 'pcapng' ? { interfaceId: d.iface } : {}),
      });
      out.push(names.map((n) => (fields.get(n) ?? []).map((v) => fieldText(n, v))));
    }
  } finally {
    dec.close();
  }
  return out;
}
