/**
 * Protocol hierarchy (Wireshark's Statistics → Protocol Hierarchy) from `stats.hierarchy`: an
 * indented tree with packet and byte shares of the whole capture, and a bar per row.
 */
import { useState } from 'react';
import type { ProtocolNode } from '../../../shared/api.js';
import type { ViewProps } from './types.js';
import { vt } from './strings.js';
import { fmtBytes, fmtInt, fmtPercent } from './format.js';
import { LoadStatus, PivotCell } from './ui.js';
import { useLoad } from './use-load.js';
import { filterError } from './filter-field.js';

/** Levels shown: the engine's tree is 4–5 deep; a deeper one is malformed and is cut. */
export const MAX_TREE_DEPTH = 16;
/** Rows rendered in all, for the same reason. */
export const MAX_TREE_ROWS = 2000;

export interface FlatNode {
  path: string;
  name: string;
  depth: number;
  packets: number;
  bytes: number;
  hasChildren: boolean;
}

/** Depth-first rows of the open part of the tree. */
export function flattenHierarchy(roots: readonly ProtocolNode[], collapsed: ReadonlySet<string>): FlatNode[] {
  const out: FlatNode[] = [];
  const walk = (n: ProtocolNode, depth: number, parent: string) => {
    if (out.length >= MAX_TREE_ROWS || depth >= MAX_TREE_DEPTH) return;
    const path = `${parent}/${n.name}`;
    const kids = Array.isArray(n.children) ? n.children : [];
    out.push({ path, name: String(n.name), depth, packets: Number(n.packets) || 0, bytes: Number(n.bytes) || 0, hasChildren: kids.length > 0 });
    if (!collapsed.has(path)) for (const c of kids) walk(c, depth + 1, path);
  };
  for (const r of roots) walk(r, 0, '');
  return out;
}

export function HierarchyView(props: ViewProps) {
  const t = vt(props.t);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const [load] = useLoad(String(props.captureId), () => props.api['stats.hierarchy']({ captureId: props.captureId }));
  const roots = load.state === 'ok' ? load.value : [];
  const totalPackets = roots.reduce((s, r) => s + (Number(r.packets) || 0), 0);
  const totalBytes = roots.reduce((s, r) => s + (Number(r.bytes) || 0), 0);
  const rows = flattenHierarchy(roots, collapsed);
  const toggle = (path: string) =>
    setCollapsed((c) => {
      const n = new Set(c);
      if (n.has(path)) n.delete(path);
      else n.add(path);
      return n;
    });

  return (
    <section className="thv-view" data-testid="protocol-hierarchy">
      <LoadStatus load={load} t={t} />
      <table className="thv-table thv-tree">
        <thead>
          <tr>
            <th>{t('views.ph.protocol')}</th>
            <th className="thv-num">{t('views.ph.packetsPct')}</th>
            <th className="thv-num">{t('views.ph.packets')}</th>
            <th className="thv-num">{t('views.ph.bytesPct')}</th>
            <th className="thv-num">{t('views.ph.bytes')}</th>
            <th>{t('views.ph.share')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const pct = totalBytes > 0 ? (100 * r.bytes) / totalBytes : 0;
            return (
              <tr key={r.path} data-testid="hierarchy-row">
                <td>
                  <span className="thv-indent" style={{ paddingLeft: `${r.depth * 1.25}em` }}>
                    {r.hasChildren ? (
                      <button
                        type="button"
                        className="thv-twisty"
                        aria-expanded={!collapsed.has(r.path)}
                        aria-label={t(collapsed.has(r.path) ? 'views.ph.expand' : 'views.ph.collapse')}
                        onClick={() => toggle(r.path)}
                      >
                        {collapsed.has(r.path) ? '▸' : '▾'}
                      </button>
                    ) : (
                      <span className="thv-twisty-space" />
                    )}
                    <PivotCell label={r.name} targets={{ filter: r.depth > 0 && filterError(r.name) === null ? r.name : null }} pivot={props.pivot} t={t} />
                  </span>
                </td>
                <td className="thv-num">{fmtPercent(r.packets, totalPackets)}</td>
                <td className="thv-num">{fmtInt(r.packets, props.lang)}</td>
                <td className="thv-num">{fmtPercent(r.bytes, totalBytes)}</td>
                <td className="thv-num">{fmtBytes(r.bytes)}</td>
                <td>
                  <span className="thv-bar" role="img" aria-label={fmtPercent(r.bytes, totalBytes)}>
                    <span className="thv-bar-fill" style={{ width: `${Math.min(100, pct).toFixed(1)}%` }} />
                  </span>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
