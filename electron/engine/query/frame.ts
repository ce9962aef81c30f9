import type { FrameDetail, TreeNode } from '../../../shared/model.js';
import { field as registryField } from '../../../shared/fields.js';
import { fieldText } from '../filter/field-values.js';
import { storedFields } from '../filter/run.js';
import type { CaseStore } from '../store/case-store.js';
import { packetId } from '../store/schema.js';
import { toHex } from '../util/format.js';
import { FrameDecoder } from './decoder.js';

/** One frame's detail tree and bytes, decoded on demand from the capture. */
export async function frameDetail(store: CaseStore, captureId: number, frame: number): Promise<FrameDetail | null> {
  const dec = new FrameDecoder(store, captureId);
  try {
    const d = dec.decode(frame);
    if (!d) return null;
    const anomalies = store.frameAnomalies(captureId, frame).map((a) => ({ ...a, kind: a.kind as FrameDetail['anomalies'][number]['kind'] }));
    const tree = [...d.tree, ...appNodes(d.tree, storedFields(store, packetId(captureId, frame)))];
    return { frame, tree, hex: toHex(d.data), anomalies };
  } finally {
    dec.close();
  }
}

/**
 * The application layer of a frame, from what the analyzers stored for it (the PDU may
 * span earlier frames, so it is not re-dissected here): one node per protocol, one line per
 * field occurrence in tree order. tcp.stream goes into the TCP node, as in Wireshark.
 * Offsets are -1: reassembled bytes are not this frame's bytes.
 */
function appNodes(tree: TreeNode[], stored: [string, number | string | Uint8Array][]): TreeNode[] {
  const out: TreeNode[] = [];
  let current: TreeNode | null = null;
  let currentProto = '';
  for (const [name, raw] of stored) {
    const def = registryField(name);
    if (!def) continue;
    if (name === 'tcp.stream') {
      const tcp = findField(tree, 'tcp');
      const node: TreeNode = { label: `[Stream index: ${raw}]`, field: name, offset: -1, length: 0, value: raw as number };
      if (tcp) (tcp.children ??= []).push(node);
      continue;
    }
    const proto = def.type === 'protocol' ? name : name.slice(0, name.indexOf('.') < 0 ? name.length : name.indexOf('.'));
    if (def.type === 'protocol' || proto !== currentProto || current === null) {
      const pdef = registryField(proto);
      current = { label: pdef?.description ?? proto, field: proto, offset: -1, length: 0, children: [] };
      currentProto = proto;
      out.push(current);
      if (def.type === 'protocol') continue;
    }
    const v = typeof raw === 'string' || typeof raw === 'number' ? raw : raw;
    const text = def.type === 'none' ? '' : fieldText(name, v);
    const value = typeof raw === 'number' || typeof raw === 'string' ? raw : text;
    current.children!.push({ label: text === '' ? def.description : `${def.description}: ${text}`, field: name, offset: -1, length: 0, value });
  }
  return out;
}

function findField(nodes: TreeNode[], field: string): TreeNode | null {
  for (const n of nodes) {
    if (n.field === field) return n;
    const c = n.children ? findField(n.children, field) : null;
    if (c) return c;
  }
  return null;
}
