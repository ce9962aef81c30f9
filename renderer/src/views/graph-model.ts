/**
 * The connections graph's data, apart from vis-network so it is tested in jsdom: merging
 * `graph.neighbors` answers hop by hop, narrowing (min bytes, max edges per node), the vis
 * node/edge objects (plain-text labels only), and the SVG export built with the DOM API.
 */
import type { ConnectionGraph, GraphEdge, GraphNode } from '../../../shared/api.js';

/** Nodes kept in a graph: vis-network stays interactive up to about this many. */
export const MAX_GRAPH_NODES = 2000;
/** Edges kept, for the same reason. */
export const MAX_GRAPH_EDGES = 5000;
/** Label characters per line: captured names can be kilobytes long. */
export const MAX_LABEL = 40;

export interface GraphState {
  /** By engine node id. */
  nodes: Map<number, GraphNode>;
  edges: Map<string, GraphEdge>;
  /** Node ids whose neighbours were fetched. */
  expanded: Set<number>;
  /** The address the graph started from. */
  root: string | null;
  /** Some answer was cut by the engine, or by MAX_GRAPH_NODES / MAX_GRAPH_EDGES here. */
  truncated: boolean;
}

export function emptyGraph(root: string | null = null): GraphState {
  return { nodes: new Map(), edges: new Map(), expanded: new Set(), root, truncated: false };
}

function edgeKey(e: GraphEdge): string {
  return e.from <= e.to ? `${e.from}-${e.to}` : `${e.to}-${e.from}`;
}

/** Adds an answer for `addr` (marked expanded); returns a new state (the old one is unchanged). */
export function mergeNeighbors(prev: GraphState, addr: string, g: ConnectionGraph): GraphState {
  const nodes = new Map(prev.nodes);
  const edges = new Map(prev.edges);
  const expanded = new Set(prev.expanded);
  let truncated = prev.truncated || g.truncated === true;
  const seenPairs = new Set([...edges.values()].map(edgeKey));
  for (const n of Array.isArray(g.nodes) ? g.nodes : []) {
    if (nodes.has(n.id)) continue;
    if (nodes.size >= MAX_GRAPH_NODES) {
      truncated = true;
      continue;
    }
    nodes.set(n.id, n);
  }
  for (const e of Array.isArray(g.edges) ? g.edges : []) {
    if (!nodes.has(e.from) || !nodes.has(e.to) || edges.has(e.id) || seenPairs.has(edgeKey(e))) continue;
    if (edges.size >= MAX_GRAPH_EDGES) {
      truncated = true;
      continue;
    }
    edges.set(e.id, e);
    seenPairs.add(edgeKey(e));
  }
  for (const n of nodes.values()) if (n.addr === addr) expanded.add(n.id);
  return { nodes, edges, expanded, root: prev.root ?? addr, truncated };
}

export function nodeByAddr(s: GraphState, addr: string): GraphNode | undefined {
  for (const n of s.nodes.values()) if (n.addr === addr) return n;
  return undefined;
}

/** Edge width ∝ log(bytes): 1 px for a byte, about 9 px for a gigabyte, never more than 10. */
export function edgeWidth(bytes: number): number {
  const b = Number.isFinite(bytes) && bytes > 1 ? bytes : 1;
  return Math.min(10, 1 + Math.log10(b) * (8 / 9));
}

function clip(s: string): string {
  return s.length > MAX_LABEL ? `${s.slice(0, MAX_LABEL - 1)}…` : s;
}

export function nodeLabel(n: GraphNode): string {
  const name = Array.isArray(n.names) ? n.names.find((x) => typeof x === 'string' && x !== '') : undefined;
  return name ? `${clip(n.addr)}\n${clip(name)}` : clip(n.addr);
}

export interface VisNode {
  id: number;
  /** Plain text: vis-network draws it on the canvas. */
  label: string;
  /** Tooltip lines (the canvas wrapper turns them into a text-only element). */
  titleLines: string[];
  addr: string;
  root: boolean;
  expanded: boolean;
}

export interface VisEdge {
  id: string;
  from: number;
  to: number;
  width: number;
  label: string;
  titleLines: string[];
  filter: string;
}

export interface GraphView {
  nodes: VisNode[];
  edges: VisEdge[];
}

/**
 * What is drawn: edges of at least `minBytes`, each kept only when it is among the
 * `maxEdgesPerNode` largest of both its ends (so a hub cannot bury its neighbours), and the
 * nodes those edges touch plus the expanded ones.
 */
export function toVis(s: GraphState, opts: { minBytes: number; maxEdgesPerNode: number; fmtBytes: (n: number) => string }): GraphView {
  const minBytes = Math.max(0, opts.minBytes || 0);
  const cap = Math.max(1, Math.floor(opts.maxEdgesPerNode || 1));
  const candidates = [...s.edges.values()].filter((e) => e.bytes >= minBytes).sort((a, b) => b.bytes - a.bytes || (a.id < b.id ? -1 : 1));
  const perNode = new Map<number, GraphEdge[]>();
  for (const e of candidates) {
    for (const id of [e.from, e.to]) {
      let l = perNode.get(id);
      if (!l) perNode.set(id, (l = []));
      l.push(e);
    }
  }
  const top = new Map<number, Set<string>>();
  for (const [id, l] of perNode) top.set(id, new Set(l.slice(0, cap).map((e) => e.id)));
  const kept = candidates.filter((e) => top.get(e.from)?.has(e.id) && top.get(e.to)?.has(e.id));
  const used = new Set<number>(s.expanded);
  for (const e of kept) {
    used.add(e.from);
    used.add(e.to);
  }
  const nodes: VisNode[] = [];
  for (const n of s.nodes.values()) {
    if (!used.has(n.id)) continue;
    nodes.push({
      id: n.id,
      label: nodeLabel(n),
      titleLines: [n.addr, ...(Array.isArray(n.names) ? n.names.slice(0, 8).map(clip) : []), `${n.packets} pkts · ${opts.fmtBytes(n.bytes)}`],
      addr: n.addr,
      root: n.addr === s.root,
      expanded: s.expanded.has(n.id),
    });
  }
  const edges: VisEdge[] = kept.map((e) => ({
    id: e.id,
    from: e.from,
    to: e.to,
    width: edgeWidth(e.bytes),
    label: clip(e.services[0] ?? ''),
    titleLines: [...e.services.slice(0, 6).map(clip), `${e.packets} pkts · ${opts.fmtBytes(e.bytes)}`],
    filter: e.filter,
  }));
  return { nodes, edges };
}

export interface SvgColours {
  background: string;
  node: string;
  rootNode: string;
  edge: string;
  text: string;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * A standalone SVG of the drawn graph at the layout's positions. Built with createElementNS
 * and textContent, serialised by XMLSerializer: captured names are escaped by the serializer,
 * never pasted into markup.
 */
export function buildSvg(doc: Document, view: GraphView, positions: Record<string, { x: number; y: number }>, colours: SvgColours): string {
  const pos = (id: number) => positions[String(id)];
  const placed = view.nodes.filter((n) => pos(n.id));
  const xs = placed.map((n) => pos(n.id)!.x);
  const ys = placed.map((n) => pos(n.id)!.y);
  const pad = 80;
  const minX = (xs.length ? Math.min(...xs) : 0) - pad;
  const minY = (ys.length ? Math.min(...ys) : 0) - pad;
  const w = (xs.length ? Math.max(...xs) : 0) - minX + pad;
  const h = (ys.length ? Math.max(...ys) : 0) - minY + pad;
  const el = (name: string, attrs: Record<string, string | number>): Element => {
    const e = doc.createElementNS(SVG_NS, name);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    return e;
  };
  const svg = el('svg', { viewBox: `${minX} ${minY} ${w} ${h}`, width: Math.round(w), height: Math.round(h) });
  svg.appendChild(el('rect', { x: minX, y: minY, width: w, height: h, fill: colours.background }));
  for (const e of view.edges) {
    const a = pos(e.from);
    const b = pos(e.to);
    if (!a || !b) continue;
    svg.appendChild(el('line', { x1: a.x, y1: a.y, x2: b.x, y2: b.y, stroke: colours.edge, 'stroke-width': e.width.toFixed(2) }));
    if (e.label) {
      const t = el('text', { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2, 'font-size': 10, 'text-anchor': 'middle', fill: colours.text });
      t.textContent = e.label;
      svg.appendChild(t);
    }
  }
  for (const n of placed) {
    const p = pos(n.id)!;
    svg.appendChild(el('circle', { cx: p.x, cy: p.y, r: n.root ? 12 : 9, fill: n.root ? colours.rootNode : colours.node }));
    n.label.split('\n').forEach((line, i) => {
      const t = el('text', { x: p.x, y: p.y + 24 + i * 13, 'font-size': 11, 'text-anchor': 'middle', fill: colours.text });
      t.textContent = line;
      svg.appendChild(t);
    });
  }
  return new XMLSerializer().serializeToString(svg);
}
