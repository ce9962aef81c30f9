// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import type { IoGraph } from '../../../shared/api.js';
import type { CaptureInfo } from '../../../shared/model.js';
import { IoChart, IoGraphView } from './io-graph.js';
import { PLOT, bucketAt, bucketFilter, linePath, niceCeil, parseEpoch, yOf } from './io-model.js';
import { vt } from './strings.js';
import { fakeApi, tEn, viewProps } from './test-support.js';

afterEach(cleanup);

const graph: IoGraph = {
  start: 1000,
  interval: 1,
  series: [
    { filter: '', packets: [0, 5, 10, 5], bytes: [0, 500, 1000, 500] },
    { filter: 'dns', packets: [0, 1, 2, 1], bytes: [0, 60, 120, 60] },
  ],
};

describe('I/O graph model', () => {
  it('computes a step path from a fixed series', () => {
    // Plot width 800-64-16 = 720 → 180 per bucket; height 300-12-36 = 252 from y=12.
    expect(linePath([0, 10], 10)).toBe('M64 264 L424 264 L424 12 L784 12');
    expect(linePath([], 10)).toBe('');
    expect(yOf(5, 10)).toBe(138);
  });
  it('rounds the axis and maps positions to buckets', () => {
    expect(niceCeil(7)).toBe(10);
    expect(niceCeil(11)).toBe(20);
    expect(niceCeil(301)).toBe(500);
    expect(niceCeil(0)).toBe(1);
    expect(bucketAt(PLOT.left + 1, 4)).toBe(0);
    expect(bucketAt(PLOT.width - PLOT.right - 1, 4)).toBe(3);
    expect(bucketAt(10, 4)).toBeNull();
  });
  it('builds a bucket filter relative to the first packet', () => {
    expect(bucketFilter(1000, 1, 2, 1000.25)).toBe('frame.time_relative >= 1.75 && frame.time_relative < 2.75');
    expect(bucketFilter(1000, 1, 0, 1000.25)).toBe('frame.time_relative < 0.75');
    expect(bucketFilter(1000, 0.01, 1, 1000)).toBe('frame.time_relative >= 0.01 && frame.time_relative < 0.02');
    expect(parseEpoch('1700000000.125000000')).toBe(1700000000.125);
    expect(parseEpoch('x')).toBeNull();
  });
});

describe('I/O graph', () => {
  it('draws one SVG path per series with a legend', () => {
    render(<IoChart graph={graph} metric="packets" firstTs={1000} labels={['All packets', 'dns']} pivot={() => {}} t={vt(tEn)} lang="en" />);
    const paths = screen.getAllByTestId('io-graph-line');
    expect(paths.map((p) => p.getAttribute('d'))).toEqual([linePath([0, 5, 10, 5], 10), linePath([0, 1, 2, 1], 10)]);
    expect(screen.getByTestId('io-graph-legend').textContent).toBe('All packetsdns');
  });

  it('reads out and pivots on the bucket under the pointer', () => {
    const got: unknown[] = [];
    render(<IoChart graph={graph} metric="bytes" firstTs={1000.5} labels={['All packets', 'dns']} pivot={(p) => got.push(p)} t={vt(tEn)} lang="en" />);
    const svg = screen.getByTestId('io-graph-svg');
    // jsdom has no layout: give the SVG its viewBox size on screen.
    svg.getBoundingClientRect = () => ({ left: 0, top: 0, width: PLOT.width, height: PLOT.height, right: PLOT.width, bottom: PLOT.height, x: 0, y: 0, toJSON: () => ({}) });
    fireEvent.mouseMove(svg, { clientX: PLOT.left + 2 * 180 + 5 });
    expect(screen.getByTestId('io-graph-readout').textContent).toBe('1.5 s – 2.5 s: All packets: 1000 B · dns: 120 B');
    expect(screen.getByTestId('io-graph-hover')).toBeTruthy();
    fireEvent.click(svg, { clientX: PLOT.left + 2 * 180 + 5 });
    expect(got).toEqual([{ kind: 'filter', filter: 'frame.time_relative >= 1.5 && frame.time_relative < 2.5', mode: 'replace' }]);
  });

  it('asks stats.io with the interval and the filter lines', async () => {
    const info = { firstTs: '1000.000000000' } as CaptureInfo;
    const f = fakeApi({ 'capture.info': () => info, 'stats.io': () => graph });
    render(<IoGraphView {...viewProps(f.api)} />);
    await screen.findByTestId('io-graph-svg');
    expect(f.calls.find((c) => c.name === 'stats.io')!.req).toEqual({ captureId: 1, interval: 1, filters: [''] });
    fireEvent.change(screen.getByTestId('io-graph-interval'), { target: { value: '0.01' } });
    fireEvent.click(screen.getByTestId('io-graph-add'));
    fireEvent.change(screen.getByTestId('io-graph-filter-1'), { target: { value: 'tcp.port == 80' } });
    fireEvent.click(screen.getByTestId('io-graph-apply'));
    await waitFor(() => expect(f.calls.at(-1)!.req).toEqual({ captureId: 1, interval: 0.01, filters: ['', 'tcp.port == 80'] }));
    fireEvent.click(screen.getByTestId('io-graph-add'));
    fireEvent.click(screen.getByTestId('io-graph-add'));
    expect((screen.getByTestId('io-graph-add') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(screen.getByTestId('io-graph-filter-2'), { target: { value: 'bad ==' } });
    expect((screen.getByTestId('io-graph-apply') as HTMLButtonElement).disabled).toBe(true);
  });
});
