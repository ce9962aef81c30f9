/**
 * Connections graph: who talked to whom, grown hop by hop from one host. Each expansion asks
 * `graph.neighbors` for one address and merges the answer (graph-model.ts); the canvas is
 * vis-network (graph-canvas.tsx). Selecting a node or an edge offers its pivots; the drawn
 * graph exports as PNG (the canvas) or SVG (built with the DOM API from the layout).
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ViewProps } from './types.js';
import { vt } from './strings.js';
import { addrFilter, isHostAddr } from './filters.js';
import { asData, fmtBytes, fmtInt, str } from './format.js';
import { PivotCell } from './ui.js';
import { FilterField } from './filter-field.js';
import { buildSvg, emptyGraph, mergeNeighbors, toVis, type GraphState, type SvgColours } from './graph-model.js';
import { GraphCanvas, type GraphHandle } from './graph-canvas.js';

/** Edges the engine returns per expansion (the contract's cap is 500). */
export const NEIGHBOR_EDGES = 100;

const FALLBACK_COLOURS: SvgColours = { background: '#ffffff', node: '#4a7bd0', rootNode: '#d0643a', edge: '#8a94a6', text: '#1d2330' };

/** Graph colours from the theme's CSS variables (views.css), read when drawing. */
export function themeColours(): SvgColours {
  const cs = typeof getComputedStyle === 'function' ? getComputedStyle(document.documentElement) : null;
  const v = (name: string, dflt: string) => cs?.getPropertyValue(name).trim() || dflt;
  return {
    background: v('--thv-graph-bg', FALLBACK_COLOURS.background),
    node: v('--thv-graph-node', FALLBACK_COLOURS.node),
    rootNode: v('--thv-graph-root', FALLBACK_COLOURS.rootNode),
    edge: v('--thv-graph-edge', FALLBACK_COLOURS.edge),
    text: v('--thv-graph-text', FALLBACK_COLOURS.text),
  };
}

/** Saves a blob under `name` through a temporary <a download> (the renderer has no file API). */
export function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

function dataUrlToBlob(url: string): Blob | null {
  const m = /^data:([^;,]+);base64,(.*)$/.exec(url);
  if (!m) return null;
  const bin = atob(m[2]!);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Blob([bytes], { type: m[1] });
}

export function ConnectionsGraphView(props: ViewProps) {
  const t = vt(props.t);
  const startAddr = str(asData(props.initial), 'addr');
  const [addrInput, setAddrInput] = useState(startAddr ?? '');
  const [filter, setFilter] = useState('');
  const [minBytes, setMinBytes] = useState(0);
  const [maxEdges, setMaxEdges] = useState(20);
  const [graph, setGraph] = useState<GraphState>(emptyGraph());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [selNode, setSelNode] = useState<number | null>(null);
  const [selEdge, setSelEdge] = useState<string | null>(null);
  const handle = useRef<GraphHandle | null>(null);
  const seq = useRef(0);
  const colours = useMemo(() => themeColours(), []);

  const fetchHop = useCallback(
    async (addr: string, base: GraphState, f: string) => {
      const my = ++seq.current;
      setBusy(true);
      setError(null);
      const r = await props.api['graph.neighbors']({ captureId: props.captureId, addr, maxEdges: NEIGHBOR_EDGES, ...(f ? { filter: f } : {}) });
      if (my !== seq.current) return;
      setBusy(false);
      if (!r.ok) setError(r.error.message);
      else setGraph(mergeNeighbors(base, addr, r.value));
    },
    [props.api, props.captureId],
  );

  const start = (addr: string, f = filter) => {
    const a = addr.trim();
    if (!isHostAddr(a)) {
      setError(t('views.graph.badAddr'));
      return;
    }
    setSelNode(null);
    setSelEdge(null);
    void fetchHop(a, emptyGraph(a), f);
  };

  // A "Show host" pivot opens the view with {addr} (or hands a new one to the open view): start there.
  useEffect(() => {
    if (startAddr && isHostAddr(startAddr)) {
      setAddrInput(startAddr);
      start(startAddr);
    }
    // Only a new pivot address restarts the graph; filter changes go through the filter field.
  }, [startAddr]);

  const view = useMemo(() => toVis(graph, { minBytes, maxEdgesPerNode: maxEdges, fmtBytes }), [graph, minBytes, maxEdges]);
  const node = selNode === null ? undefined : graph.nodes.get(selNode);
  const edge = selEdge === null ? undefined : graph.edges.get(selEdge);
  const expand = (id: number) => {
    const n = graph.nodes.get(id);
    if (n && !graph.expanded.has(id)) void fetchHop(n.addr, graph, filter);
  };

  const exportPng = () => {
    const c = handle.current?.canvas();
    const blob = c ? dataUrlToBlob(c.toDataURL('image/png')) : null;
    if (blob) download(blob, 'connections.png');
  };
  const exportSvg = () => {
    const h = handle.current;
    if (!h) return;
    const svg = buildSvg(document, view, h.positions(), themeColours());
    download(new Blob([svg], { type: 'image/svg+xml' }), 'connections.svg');
  };

  return (
    <section className="thv-view thv-graph-view" data-testid="connections-graph">
      <div className="thv-toolbar">
        <label>
          {t('views.graph.host')}{' '}
          <input
            type="text"
            spellCheck={false}
            data-testid="graph-addr"
            className="thv-input"
            value={addrInput}
            onChange={(e) => setAddrInput(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') start(addrInput);
            }}
          />
        </label>
        <button type="button" data-testid="graph-start" onClick={() => start(addrInput)}>
          {t('views.graph.show')}
        </button>
        <FilterField
          value={filter}
          onApply={(f) => {
            setFilter(f);
            if (graph.root) start(graph.root, f);
          }}
          t={t}
          testId="graph-filter"
        />
        <label>
          {t('views.graph.minBytes')}{' '}
          <input type="number" min={0} data-testid="graph-min-bytes" className="thv-input thv-narrow" value={minBytes} onChange={(e) => setMinBytes(Math.max(0, Number(e.target.value) || 0))} />
        </label>
        <label>
          {t('views.graph.maxEdges')}{' '}
          <input type="number" min={1} max={500} data-testid="graph-max-edges" className="thv-input thv-narrow" value={maxEdges} onChange={(e) => setMaxEdges(Math.min(500, Math.max(1, Number(e.target.value) || 1)))} />
        </label>
        <button type="button" data-testid="graph-export-png" disabled={view.nodes.length === 0} onClick={exportPng}>
          {t('views.graph.exportPng')}
        </button>
        <button type="button" data-testid="graph-export-svg" disabled={view.nodes.length === 0} onClick={exportSvg}>
          {t('views.graph.exportSvg')}
        </button>
      </div>
      {busy && <div className="thv-status" role="status">{t('views.common.loading')}</div>}
      {error && (
        <div className="thv-error" role="alert" data-testid="view-error">
          {t('views.common.error', { message: error })}
        </div>
      )}
      {graph.truncated && <div className="thv-note">{t('views.graph.truncated')}</div>}
      <div className="thv-status" data-testid="graph-counts">
        {t('views.graph.counts', { nodes: fmtInt(view.nodes.length, props.lang), edges: fmtInt(view.edges.length, props.lang) })}
        {' · '}
        {t('views.graph.hint')}
      </div>
      {/* The canvas is opaque to screen readers and to the end-to-end tests: the drawn nodes again, as text. */}
      <ul className="thv-visually-hidden" data-testid="graph-nodes" aria-label={t('views.title.graph')}>
        {view.nodes.map((n) => (
          <li key={n.id} data-testid="graph-node" data-addr={n.addr}>
            {n.label}
          </li>
        ))}
      </ul>
      <div className="thv-graph-body">
        <GraphCanvas
          view={view}
          colours={colours}
          onSelectNode={(id) => {
            setSelNode(id);
            setSelEdge(null);
          }}
          onSelectEdge={(id) => {
            setSelEdge(id);
            setSelNode(null);
          }}
          onExpand={expand}
          onReady={(h) => (handle.current = h)}
        />
        {(node || edge) && (
          <aside className="thv-graph-side" data-testid="graph-selection">
            {node && (
              <>
                <PivotCell label={node.addr} targets={{ filter: addrFilter(node.addr), addr: node.addr }} pivot={props.pivot} t={t} />
                {node.names.slice(0, 8).map((n, i) => (
                  <div key={i}>{n}</div>
                ))}
                <div>{t('views.graph.traffic', { packets: fmtInt(node.packets, props.lang), bytes: fmtBytes(node.bytes) })}</div>
                <button type="button" data-testid="graph-filter-node" onClick={() => { const f = addrFilter(node.addr); if (f) props.pivot({ kind: 'filter', filter: f, mode: 'replace' }); }}>
                  {t('views.pivot.filter')}
                </button>
                <button type="button" data-testid="graph-expand" disabled={graph.expanded.has(node.id)} onClick={() => expand(node.id)}>
                  {t('views.graph.expand')}
                </button>
              </>
            )}
            {edge && (
              <>
                <div>
                  {graph.nodes.get(edge.from)?.addr ?? '?'} ⇄ {graph.nodes.get(edge.to)?.addr ?? '?'}
                </div>
                <div>{edge.services.slice(0, 8).join(', ')}</div>
                <div>{t('views.graph.traffic', { packets: fmtInt(edge.packets, props.lang), bytes: fmtBytes(edge.bytes) })}</div>
                <PivotCell label={edge.filter} targets={{ filter: edge.filter }} pivot={props.pivot} t={t} />
                <button type="button" data-testid="graph-filter-edge" onClick={() => props.pivot({ kind: 'filter', filter: edge.filter, mode: 'replace' })}>
                  {t('views.pivot.filter')}
                </button>
              </>
            )}
          </aside>
        )}
      </div>
    </section>
  );
}
