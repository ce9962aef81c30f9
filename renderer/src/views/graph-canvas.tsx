/**
 * The vis-network canvas behind the connections graph. Kept tiny and free of logic: it needs
 * a real canvas and layout, so it runs only in the browser (jsdom tests mock this module).
 * Labels are plain strings drawn on the canvas; tooltips are elements built with textContent
 * (never HTML strings), so captured names cannot become markup.
 */
import { useEffect, useRef } from 'react';
// The peer build plus its stylesheet as a file: the standalone build injects <style> elements
// at run time, which the strict CSP (style-src 'self') rightly blocks.
import { Network, type Edge, type Node, type Options } from 'vis-network/peer';
import { DataSet } from 'vis-data/peer';
import 'vis-network/styles/vis-network.css';
import type { GraphView, SvgColours } from './graph-model.js';

export interface GraphHandle {
  /** Node positions of the current layout, by node id. */
  positions(): Record<string, { x: number; y: number }>;
  canvas(): HTMLCanvasElement | null;
  fit(): void;
}

/** Layout iterations before the physics stops: enough for a few hundred nodes to settle. */
const STABILIZE_ITERATIONS = 300;

function tooltip(lines: readonly string[]): HTMLElement {
  const box = document.createElement('div');
  box.className = 'thv-graph-tip';
  for (const l of lines) {
    const d = document.createElement('div');
    d.textContent = l;
    box.appendChild(d);
  }
  return box;
}

export function GraphCanvas(props: {
  view: GraphView;
  colours: SvgColours;
  onSelectNode: (id: number | null) => void;
  onSelectEdge: (id: string | null) => void;
  onExpand: (id: number) => void;
  onReady: (h: GraphHandle | null) => void;
}) {
  const box = useRef<HTMLDivElement>(null);
  const net = useRef<Network | null>(null);
  const nodes = useRef(new DataSet<Node>());
  const edges = useRef(new DataSet<Edge>());
  const cb = useRef(props);
  cb.current = props;

  useEffect(() => {
    if (!box.current) return;
    const c = cb.current.colours;
    const options: Options = {
      autoResize: true,
      physics: { enabled: true, solver: 'forceAtlas2Based', stabilization: { enabled: true, iterations: STABILIZE_ITERATIONS, fit: true } },
      interaction: { hover: true, tooltipDelay: 200, multiselect: false },
      nodes: { shape: 'dot', size: 10, font: { color: c.text, size: 12 }, color: { background: c.node, border: c.node } },
      edges: { smooth: false, color: { color: c.edge, highlight: c.rootNode }, font: { color: c.text, size: 10, strokeWidth: 0, align: 'middle' } },
    };
    const n = new Network(box.current, { nodes: nodes.current, edges: edges.current }, options);
    net.current = n;
    // Stabilise, then stop: no animation keeps running (and burning CPU) once the layout is readable.
    n.on('stabilizationIterationsDone', () => n.setOptions({ physics: { enabled: false } }));
    n.on('click', (p: { nodes?: (string | number)[]; edges?: (string | number)[] }) => {
      const node = p.nodes?.[0];
      const edge = p.edges?.[0];
      if (node !== undefined) cb.current.onSelectNode(Number(node));
      else if (edge !== undefined) cb.current.onSelectEdge(String(edge));
      else cb.current.onSelectNode(null);
    });
    n.on('doubleClick', (p: { nodes?: (string | number)[] }) => {
      const node = p.nodes?.[0];
      if (node !== undefined) cb.current.onExpand(Number(node));
    });
    cb.current.onReady({
      positions: () => n.getPositions() as Record<string, { x: number; y: number }>,
      canvas: () => box.current?.querySelector('canvas') ?? null,
      fit: () => n.fit(),
    });
    return () => {
      cb.current.onReady(null);
      n.destroy();
      net.current = null;
    };
  }, []);

  useEffect(() => {
    const c = props.colours;
    const wantNodes: Node[] = props.view.nodes.map((v) => ({
      id: v.id,
      label: v.label,
      title: tooltip(v.titleLines),
      size: v.root ? 14 : 10,
      borderWidth: v.expanded ? 3 : 1,
      color: { background: v.root ? c.rootNode : c.node, border: v.expanded ? c.rootNode : c.node },
    }));
    const wantEdges: Edge[] = props.view.edges.map((e) => ({ id: e.id, from: e.from, to: e.to, width: e.width, label: e.label, title: tooltip(e.titleLines) }));
    const keepN = new Set(wantNodes.map((x) => x.id));
    const keepE = new Set(wantEdges.map((x) => x.id));
    const added = wantNodes.some((x) => x.id !== undefined && !nodes.current.get(x.id));
    nodes.current.remove(nodes.current.getIds().filter((id) => !keepN.has(id)));
    edges.current.remove(edges.current.getIds().filter((id) => !keepE.has(id)));
    nodes.current.update(wantNodes);
    edges.current.update(wantEdges);
    const n = net.current;
    if (n && added) {
      // New nodes need a layout: run the physics again until it stabilises, then it stops.
      n.setOptions({ physics: { enabled: true } });
      n.stabilize(STABILIZE_ITERATIONS);
    }
  }, [props.view, props.colours]);

  return <div ref={box} className="thv-graph-canvas" data-testid="graph-canvas" />;
}
