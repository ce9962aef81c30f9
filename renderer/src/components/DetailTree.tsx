/**
 * The packet-detail tree of the selected frame. Expansion is remembered by field path (as
 * Wireshark remembers expanded subtrees), so stepping through frames keeps `tcp > flags` open.
 * Keyboard (WAI-ARIA tree pattern): ↑/↓ move, → expands or enters, ← collapses or leaves,
 * Enter/Space toggles, Home/End.
 */
import { useMemo, useRef } from 'react';
import type { FrameDetail, TreeNode } from '../../../shared/model.js';
import type { TFunction } from '../views/types.js';

export interface VisibleNode {
  node: TreeNode;
  key: string;
  depth: number;
  parent: string | null;
  hasChildren: boolean;
}

/** Key of a node: its parent's key plus its field (or label head) and its index among siblings. */
function nodeKey(parent: string | null, node: TreeNode, index: number): string {
  const id = node.field ?? node.label.slice(0, 32);
  return `${parent ?? ''}/${id}#${index}`;
}

export function visibleNodes(tree: readonly TreeNode[], expanded: ReadonlySet<string>): VisibleNode[] {
  const out: VisibleNode[] = [];
  const walk = (nodes: readonly TreeNode[], depth: number, parent: string | null) => {
    nodes.forEach((node, i) => {
      const key = nodeKey(parent, node, i);
      const hasChildren = !!node.children && node.children.length > 0;
      out.push({ node, key, depth, parent, hasChildren });
      if (hasChildren && expanded.has(key)) walk(node.children!, depth + 1, key);
    });
  };
  walk(tree, 0, null);
  return out;
}

export interface DetailTreeProps {
  detail: FrameDetail | null;
  loading: boolean;
  error: string | null;
  expanded: ReadonlySet<string>;
  onExpanded: (next: Set<string>) => void;
  selectedKey: string | null;
  onSelectNode: (key: string | null, node: TreeNode | null) => void;
  onNodeMenu: (e: React.MouseEvent, node: TreeNode) => void;
  t: TFunction;
}

export function DetailTree({ detail, loading, error, expanded, onExpanded, selectedKey, onSelectNode, onNodeMenu, t }: DetailTreeProps) {
  const nodes = useMemo(() => (detail ? visibleNodes(detail.tree, expanded) : []), [detail, expanded]);
  const container = useRef<HTMLDivElement>(null);

  const toggle = (key: string, open?: boolean) => {
    const next = new Set(expanded);
    const want = open ?? !next.has(key);
    if (want) next.add(key);
    else next.delete(key);
    onExpanded(next);
  };
  const select = (i: number) => {
    const v = nodes[Math.max(0, Math.min(nodes.length - 1, i))];
    if (!v) return;
    onSelectNode(v.key, v.node);
    const el = [...(container.current?.querySelectorAll<HTMLElement>('[data-key]') ?? [])].find((x) => x.dataset.key === v.key);
    el?.scrollIntoView?.({ block: 'nearest' });
  };

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (nodes.length === 0 || e.ctrlKey || e.metaKey || e.altKey) return;
    const i = nodes.findIndex((n) => n.key === selectedKey);
    const cur = nodes[i];
    let handled = true;
    switch (e.key) {
      case 'ArrowDown':
        select(i + 1);
        break;
      case 'ArrowUp':
        select(i < 0 ? 0 : i - 1);
        break;
      case 'Home':
        select(0);
        break;
      case 'End':
        select(nodes.length - 1);
        break;
      case 'ArrowRight':
        if (cur?.hasChildren && !expanded.has(cur.key)) toggle(cur.key, true);
        else if (cur?.hasChildren) select(i + 1);
        break;
      case 'ArrowLeft':
        if (cur?.hasChildren && expanded.has(cur.key)) toggle(cur.key, false);
        else if (cur?.parent) select(nodes.findIndex((n) => n.key === cur.parent));
        break;
      case 'Enter':
      case ' ':
        if (cur?.hasChildren) toggle(cur.key);
        break;
      default:
        handled = false;
    }
    if (handled) e.preventDefault();
  };

  return (
    <div className="detail-pane" data-testid="packet-detail" ref={container}>
      {loading && <div className="muted">{t('detail.loading')}</div>}
      {error && <div className="error-text">{error}</div>}
      {!detail && !loading && !error && <div className="muted">{t('detail.none')}</div>}
      {detail && (
        <div role="tree" aria-label={t('detail.label')} tabIndex={0} onKeyDown={onKeyDown} className="tree">
          {nodes.map((v) => (
            <div
              key={v.key}
              data-key={v.key}
              data-testid="detail-node"
              data-field={v.node.field ?? ''}
              role="treeitem"
              aria-level={v.depth + 1}
              aria-expanded={v.hasChildren ? expanded.has(v.key) : undefined}
              aria-selected={v.key === selectedKey}
              className={`tree-node${v.key === selectedKey ? ' selected' : ''}${v.node.anomaly ? ` anomaly anomaly-${v.node.anomaly}` : ''}`}
              style={{ paddingLeft: 6 + v.depth * 16 }}
              onClick={() => onSelectNode(v.key, v.node)}
              onDoubleClick={() => v.hasChildren && toggle(v.key)}
              onContextMenu={(e) => {
                onSelectNode(v.key, v.node);
                onNodeMenu(e, v.node);
              }}
            >
              <span
                className="twisty"
                aria-hidden="true"
                onClick={(e) => {
                  e.stopPropagation();
                  if (v.hasChildren) toggle(v.key);
                }}
              >
                {v.hasChildren ? (expanded.has(v.key) ? '▾' : '▸') : ' '}
              </span>
              {v.node.label}
            </div>
          ))}
          {detail.anomalies.length > 0 && (
            <div className="anomalies" data-testid="detail-anomalies">
              <div className="anomalies-title">{t('detail.anomalies')}</div>
              {detail.anomalies.map((a, i) => (
                <div key={i} className="anomaly-line">
                  [{a.kind}] {a.layer} @{a.offset}: {a.detail}
                </div>
              ))}
            </div>
          )}
        </div>
      )}
    </div>
  );
}

/** The first node of `field` in the tree (depth first), e.g. tcp.stream for Follow. */
export function findField(tree: readonly TreeNode[], field: string): TreeNode | null {
  for (const n of tree) {
    if (n.field === field) return n;
    const c = n.children ? findField(n.children, field) : null;
    if (c) return c;
  }
  return null;
}
