import { closeSync, openSync, readSync } from 'node:fs';
import type { PacketRow } from '../../../shared/model.js';
import { DissectState, dissectFrame } from '../dissect/frame.js';
import { tcpInfo, type TcpInfoOptions } from '../dissect/tcp.js';
import { newSummary } from '../dissect/types.js';
import type { CaseStore, StoredPacketRow } from '../store/case-store.js';
import { PF_IS_TCP } from '../store/schema.js';

/** A page larger than this is refused: the list is virtual, pages are small. */
export const MAX_PAGE_ROWS = 10_000;

/**
 * One page of the packet list: stored rows, with the Info column rebuilt from the
 * capture where the case does not store it (most frames). The capture is opened
 * read-only; each frame's bytes are read at its stored offset and re-dissected
 * (L2–L4 fast path, ~0.5 µs), TCP numbers made relative with the flow's state.
 */
export function listPackets(store: CaseStore, captureId: number, afterFrame: number, limit: number): PacketRow[] {
  const rows = store.storedPackets(captureId, afterFrame, Math.min(Math.max(0, limit), MAX_PAGE_ROWS));
  return fillInfo(store, captureId, rows);
}

export function fillInfo(store: CaseStore, captureId: number, rows: StoredPacketRow[]): PacketRow[] {
  const missing = rows.filter((r) => r.info === null);
  if (missing.length) {
    const path = store.dataPath(captureId);
    const links = store.linkTypes(captureId);
    const tcpFlows = store.flowTcpStates(missing.filter((r) => r.flowId !== null && r.flags & PF_IS_TCP).map((r) => r.flowId!));
    const s = newSummary();
    const state = new DissectState();
    state.deferTcpInfo = true;
    const opts: TcpInfoOptions = { windowScale: -1 };
    let fd: number | null = null;
    try {
      fd = path ? openSync(path, 'r') : null;
      let buf = Buffer.allocUnsafe(2048);
      for (const r of missing) {
        if (fd === null) {
          r.info = '[capture file unavailable]';
          continue;
        }
        if (buf.length < r.caplen) buf = Buffer.allocUnsafe(r.caplen);
        const n = readSync(fd, buf, 0, r.caplen, r.off);
        if (n < r.caplen) {
          r.info = `[capture file changed: frame ${r.frame} is past its end]`;
          continue;
        }
        dissectFrame(buf.subarray(0, n), links.get(r.iface) ?? -1, s, null, state, r.frame, r.length);
        const flow = r.flowId !== null ? tcpFlows.get(r.flowId) : undefined;
        if (s.tcpFlags >= 0 && flow) {
          // The state in force at this packet: the last snapshot at or before it.
          let st = flow.states[0];
          for (const x of flow.states) if (x.packetId <= r.id) st = x;
          const ab = r.srcHost === flow.a && (flow.aPort === null || flow.aPort === s.srcPort);
          const base = (v: number | undefined) => (v === undefined || v < 0 ? NaN : v);
          opts.windowScale = st ? (ab ? st.wsAB : st.wsBA) : -1;
          r.info = ab ? tcpInfo(s, base(st?.baseAB), base(st?.baseBA), opts) : tcpInfo(s, base(st?.baseBA), base(st?.baseAB), opts);
        } else {
          r.info = s.info;
        }
      }
    } finally {
      if (fd !== null) closeSync(fd);
    }
  }
  return rows.map(({ id: _id, off: _off, iface: _iface, srcHost: _src, info, ...rest }) => ({ ...rest, info: info ?? '' }));
}

/** Packet rows (Info filled) for the given frames, in the order given. */
export function packetsByFrames(store: CaseStore, captureId: number, frames: readonly number[]): PacketRow[] {
  const rows: StoredPacketRow[] = [];
  for (const f of frames) {
    const r = store.storedPackets(captureId, f - 1, 1)[0];
    if (r && r.frame === f) rows.push(r);
  }
  return fillInfo(store, captureId, rows);
}
