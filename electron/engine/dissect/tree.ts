import type { TreeNode } from '../../../shared/model.js';
import type { TreeSink } from './types.js';

/**
 * A detail-tree node whose offset/length refer to a data source other than the frame
 * (a reassembled IP datagram), like Wireshark's extra "Reassembled IPv4" tab.
 * `source` is absent for frame offsets. Structurally still a TreeNode.
 */
export interface SourcedTreeNode extends TreeNode {
  source?: string;
}

/** Builds the packet-detail tree (`TreeNode[]`) for one frame. */
export class TreeBuilder implements TreeSink {
  readonly roots: TreeNode[] = [];
  private readonly stack: TreeNode[] = [];

  add(label: string, offset: number, length: number, field?: string, value?: string | number | boolean): TreeNode {
    const n: TreeNode = { label, offset, length };
    if (field !== undefined) n.field = field;
    if (value !== undefined) n.value = value;
    const parent = this.stack.length ? this.stack[this.stack.length - 1]! : null;
    if (parent === null) this.roots.push(n);
    else (parent.children ??= []).push(n);
    return n;
  }

  open(label: string, offset: number, length: number, field?: string, value?: string | number | boolean): TreeNode {
    const n = this.add(label, offset, length, field, value);
    this.stack.push(n);
    return n;
  }

  close(): void {
    this.stack.pop();
  }

  /** Number of open nodes. */
  get depth(): number {
    return this.stack.length;
  }

  /** Close every open node (after an exception unwound the dissectors mid-layer). */
  closeAll(): void {
    this.stack.length = 0;
  }
}

/** Tag `node` and its whole subtree as belonging to data source `source`. */
export function markSource(node: TreeNode, source: string): void {
  (node as SourcedTreeNode).source = source;
  if (node.children) for (const c of node.children) markSource(c, source);
}
