// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import type { ConnectionGraph, GraphEdge, GraphNode } from '../../../shared/api.js';
import { buildSvg, edgeWidth, emptyGraph, mergeNeighbors, nodeLabel, toVis } from './graph-model.js';
import { fmtBytes } from './format.js';
import { fakeApi, viewProps } from './test-support.js';
import type { GraphView } from './graph-model.js';

// vis-network needs a canvas: the view is tested with the canvas wrapper replaced by buttons
// that raise the same callbacks.
vi.mock('./graph-canvas.js', () => ({
  GraphCanvas: (p: { view: GraphView; onSelectNode: (id: number) => void; onSelectEdge: (id: string) => void; onExpand: (id: number) => void }) => (
    <div data-testid="graph-canvas">
      {p.view.nodes.map((n) => (
        <span key={n.id}>
          <button type="button" data-testid={`node-${n.addr}`} onClick={() => p.onSelectNode(n.id)}>
            {n.label}
          </button>
          <button type="button" data-testid={`expand-${n.addr}`} onClick={() => p.onExpand(n.id)} />
        </span>
      ))}
      {p.view.edges.map((e) => (
        <button key={e.id} type="button" data-testid={`edge-${e.id}`} onClick={() => p.onSelectEdge(e.id)}>
          {e.label}
        </button>
      ))}
    </div>
  ),
}));

const { ConnectionsGraphView } = await import('./connections-graph.js');

afterEach(cleanup);

const node = (id: number, addr: string, names: string[] = []): GraphNode => ({ id, addr, names, packets: 10 * id, bytes: 1000 * id });
const edge = (from: number, to: number, bytes: number, services = ['tcp/445']): GraphEdge => ({
  id: `${from}-${to}`, from, to, packets: 5, bytes, services, flows: [1], filter: `ip.addr == 10.0.0.${from} && ip.addr == 10.0.0.${to}`,
});

const hop1: ConnectionGraph = {
  nodes: [node(1, '10.0.0.1', ['dc01.corp', '<img src=x>']), node(2, '10.0.0.2'), node(3, '10.0.0.3')],
  edges: [edge(1, 2, 1_000_000, ['smb', 'tcp/445']), edge(1, 3, 10)],
  truncated: false,
};
const hop2: ConnectionGraph = {
  nodes: [node(2, '10.0.0.2'), node(1, '10.0.0.1'), node(4, '10.0.0.4')],
  edges: [edge(2, 1, 1_000_000), edge(2, 4, 5000, ['http'])],
  truncated: true,
};

describe('graph data conversion', () => {
  it('merges hop by hop without duplicating nodes or edges', () => {
    let g = mergeNeighbors(emptyGraph('10.0.0.1'), '10.0.0.1', hop1);
    g = mergeNeighbors(g, '10.0.0.2', hop2);
    expect([...g.nodes.keys()]).toEqual([1, 2, 3, 4]);
    expect([...g.edges.keys()]).toEqual(['1-2', '1-3', '2-4']);
    expect([...g.expanded]).toEqual([1, 2]);
    expect(g.truncated).toBe(true);
  });

  it('converts to vis nodes and edges with plain-text labels and log widths', () => {
    const g = mergeNeighbors(emptyGraph('10.0.0.1'), '10.0.0.1', hop1);
    const v = toVis(g, { minBytes: 0, maxEdgesPerNode: 10, fmtBytes });
    expect(v.nodes.map((n) => n.label)).toEqual(['10.0.0.1\ndc01.corp', '10.0.0.2', '10.0.0.3']);
    expect(v.nodes[0]!.root).toBe(true);
    expect(v.nodes[0]!.titleLines).toEqual(['10.0.0.1', 'dc01.corp', '<img src=x>', '10 pkts · 1000 B']);
    expect(v.edges.map((e) => [e.id, e.label, e.width.toFixed(2)])).toEqual([
      ['1-2', 'smb', edgeWidth(1_000_000).toFixed(2)],
      ['1-3', 'tcp/445', edgeWidth(10).toFixed(2)],
    ]);
    expect(edgeWidth(1e9)).toBeCloseTo(9, 5);
    expect(edgeWidth(0)).toBe(1);
    expect(edgeWidth(1e30)).toBe(10);
  });

  it('narrows by min bytes and max edges per node', () => {
    let g = mergeNeighbors(emptyGraph('10.0.0.1'), '10.0.0.1', hop1);
    g = mergeNeighbors(g, '10.0.0.2', hop2);
    expect(toVis(g, { minBytes: 100, maxEdgesPerNode: 10, fmtBytes }).edges.map((e) => e.id)).toEqual(['1-2', '2-4']);
    // Node 2 keeps only its largest edge; 10.0.0.4 drops out (not expanded, no edge left).
    const v = toVis(g, { minBytes: 0, maxEdgesPerNode: 1, fmtBytes });
    expect(v.edges.map((e) => e.id)).toEqual(['1-2']);
    expect(v.nodes.map((n) => n.addr)).toEqual(['10.0.0.1', '10.0.0.2']);
  });

  it('clips long names in labels', () => {
    expect(nodeLabel(node(9, '10.9.9.9', ['x'.repeat(100)]))).toBe(`10.9.9.9\n${'x'.repeat(39)}…`);
  });

  it('exports SVG with captured names escaped by the serializer', () => {
    const g = mergeNeighbors(emptyGraph('10.0.0.1'), '10.0.0.1', {
      nodes: [node(1, '10.0.0.1', ['<script>alert(1)</script>']), node(2, '10.0.0.2')],
      edges: [edge(1, 2, 100, ['a&b"<x>'])],
      truncated: false,
    });
    const v = toVis(g, { minBytes: 0, maxEdgesPerNode: 10, fmtBytes });
    const svg = buildSvg(document, v, { 1: { x: 0, y: 0 }, 2: { x: 100, y: 50 } }, { background: '#fff', node: '#00f', rootNode: '#f00', edge: '#999', text: '#000' });
    expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(svg).toContain('a&amp;b"&lt;x&gt;');
    const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
    expect(doc.querySelector('parsererror')).toBeNull();
    expect(doc.getElementsByTagName('script')).toHaveLength(0);
    expect(doc.getElementsByTagName('circle')).toHaveLength(2);
    expect(doc.getElementsByTagName('line')).toHaveLength(1);
    expect([...doc.getElementsByTagName('text')].map((t) => t.textContent)).toEqual(['a&b"<x>', '10.0.0.1', '<script>alert(1)</script>', '10.0.0.2']);
  });
});

describe('Connections graph view', () => {
  it('starts from the pivoted host, expands hop by hop and pivots from a selection', async () => {
    const f = fakeApi({ 'graph.neighbors': (r) => (r.addr === '10.0.0.1' ? hop1 : hop2) });
    const props = viewProps(f.api, { initial: { addr: '10.0.0.1' } });
    render(<ConnectionsGraphView {...props} />);
    await screen.findByTestId('node-10.0.0.2');
    expect(f.calls[0]).toEqual({ name: 'graph.neighbors', req: { captureId: 1, addr: '10.0.0.1', maxEdges: 100 } });
    fireEvent.click(screen.getByTestId('expand-10.0.0.2'));
    await screen.findByTestId('node-10.0.0.4');
    expect(screen.getByTestId('graph-counts').textContent).toContain('4 hosts, 3 connections');

    fireEvent.click(screen.getByTestId('node-10.0.0.1'));
    expect(screen.getByTestId('graph-selection').textContent).toContain('<img src=x>');
    fireEvent.click(screen.getByTestId('graph-filter-node'));
    fireEvent.click(screen.getByTestId('edge-2-4'));
    fireEvent.click(screen.getByTestId('graph-filter-edge'));
    expect(props.pivots).toEqual([
      { kind: 'filter', filter: 'ip.addr == 10.0.0.1', mode: 'replace' },
      { kind: 'filter', filter: 'ip.addr == 10.0.0.2 && ip.addr == 10.0.0.4', mode: 'replace' },
    ]);

    fireEvent.change(screen.getByTestId('graph-min-bytes'), { target: { value: '100000' } });
    expect(screen.getByTestId('graph-counts').textContent).toContain('2 hosts, 1 connections');
  });

  it('narrows by a display filter and refuses a non-address', async () => {
    const f = fakeApi({ 'graph.neighbors': () => hop1 });
    render(<ConnectionsGraphView {...viewProps(f.api)} />);
    fireEvent.change(screen.getByTestId('graph-addr'), { target: { value: 'dc01.corp' } });
    fireEvent.click(screen.getByTestId('graph-start'));
    expect(screen.getByTestId('view-error').textContent).toContain('IPv4 or IPv6');
    expect(f.calls).toHaveLength(0);
    fireEvent.change(screen.getByTestId('graph-addr'), { target: { value: '10.0.0.1' } });
    fireEvent.click(screen.getByTestId('graph-start'));
    await screen.findByTestId('node-10.0.0.3');
    fireEvent.change(screen.getByTestId('graph-filter'), { target: { value: 'smb2' } });
    fireEvent.click(screen.getByTestId('graph-filter-apply'));
    await waitFor(() => expect(f.calls.at(-1)!.req).toEqual({ captureId: 1, addr: '10.0.0.1', maxEdges: 100, filter: 'smb2' }));
  });
});
