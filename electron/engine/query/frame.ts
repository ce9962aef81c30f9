import type { FrameDetail } from '../../../shared/model.js';
import { readAt } from '../capture/detect.js';
import { DissectState, dissectTree } from '../dissect/frame.js';
import type { CaseStore } from '../store/case-store.js';
import { toHex } from '../util/format.js';

/**
 * Decodes one frame on demand from the capture (nothing but its offset is stored).
 * Frames that complete a reassembly re-read their parts first, in order.
 */
export async function frameDetail(store: CaseStore, captureId: number, frame: number): Promise<FrameDetail | null> {
  const loc = store.frameLocation(captureId, frame);
  if (!loc) return null;
  const state = new DissectState();
  for (const r of store.frameReassembly(captureId, frame)) {
    for (const part of r.parts) {
      if (part === frame) continue;
      const pl = store.frameLocation(captureId, part);
      if (!pl) continue;
      const bytes = await readAt(pl.dataPath, pl.off, pl.caplen);
      dissectTree(bytes, pl.linktype, state, part, { caplen: pl.caplen, origlen: pl.origlen, tsSec: pl.tsSec, tsNsec: pl.tsNsec, interfaceId: pl.iface, comments: [] });
    }
  }
  const data = await readAt(loc.dataPath, loc.off, loc.caplen);
  const comments = store.frameComments(captureId, frame);
  const tree = dissectTree(data, loc.linktype, state, frame, {
    caplen: loc.caplen, origlen: loc.origlen, tsSec: loc.tsSec, tsNsec: loc.tsNsec, interfaceId: loc.iface, comments,
  });
  const anomalies = store.frameAnomalies(captureId, frame).map((a) => ({ ...a, kind: a.kind as FrameDetail['anomalies'][number]['kind'] }));
  return { frame, tree, hex: toHex(data), anomalies };
}
