/**
 * What IPv4 and IPv6 do alike when a frame completes a reassembly: the Wireshark-style
 * "[N IPv4 Fragments (M bytes): #1(1480), ...]" subtree, and switching the context to
 * the reassembled datagram so the transport is dissected from it.
 */
import type { Ctx } from './ctx.js';
import type { FragmentPart } from './reassembly.js';
import { TreeBuilder } from './tree.js';

export function reassemblyTree(c: Ctx, prefix: string, label: string, parts: readonly FragmentPart[], data: Uint8Array): void {
  const t = c.tree;
  if (t === null) return;
  const list = parts.map((p) => `#${p.frame}(${p.length})`).join(', ');
  t.open(`[${parts.length} ${label} Fragments (${data.length} bytes): ${list}]`, 0, 0, `${prefix}.fragments`);
  for (const p of parts) {
    const last = p.offset + p.length - 1;
    t.add(`[Frame: ${p.frame}, payload: ${p.offset}-${last} (${p.length} bytes)]`, 0, 0, `${prefix}.fragment`, p.frame);
  }
  t.add(`[Fragment count: ${parts.length}]`, 0, 0, `${prefix}.fragment.count`, parts.length);
  t.add(`[Reassembled ${label} length: ${data.length}]`, 0, 0, `${prefix}.reassembled.length`, data.length);
  t.close();
}

/** Continue dissection in the reassembled datagram. */
export function markReassembled(c: Ctx, parts: readonly FragmentPart[], data: Uint8Array, source: string): void {
  const frames: number[] = [];
  for (const p of parts) if (!frames.includes(p.frame)) frames.push(p.frame);
  c.reassembledFrames = frames;
  c.data = data;
  c.source = source;
  if (c.tree instanceof TreeBuilder && c.sourceTreeIndex < 0) c.sourceTreeIndex = c.tree.roots.length;
}
