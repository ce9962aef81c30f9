import type { FrameDetail } from '../../../shared/model.js';
import type { CaseStore } from '../store/case-store.js';
import { toHex } from '../util/format.js';
import { FrameDecoder } from './decoder.js';

/** One frame's detail tree and bytes, decoded on demand from the capture. */
export async function frameDetail(store: CaseStore, captureId: number, frame: number): Promise<FrameDetail | null> {
  const dec = new FrameDecoder(store, captureId);
  try {
    const d = dec.decode(frame);
    if (!d) return null;
    const anomalies = store.frameAnomalies(captureId, frame).map((a) => ({ ...a, kind: a.kind as FrameDetail['anomalies'][number]['kind'] }));
    return { frame, tree: d.tree, hex: toHex(d.data), anomalies };
  } finally {
    dec.close();
  }
}
