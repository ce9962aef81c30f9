/**
 * I/O graph (Wireshark's Statistics → I/O Graphs) from `stats.io`: packets or bytes per
 * interval for up to four display filters, drawn as SVG built from React elements. Hovering
 * reads a bucket's values; clicking a bucket filters the packet list to its time range.
 */
import { useRef, useState } from 'react';
import type { IoGraph } from '../../../shared/api.js';
import type { Pivot, ViewProps } from './types.js';
import { vt, type VT } from './strings.js';
import { fmtBytes, fmtInt, fmtInterval } from './format.js';
import { LoadStatus } from './ui.js';
import { useLoad } from './use-load.js';
import { filterError } from './filter-field.js';
import {
  IO_INTERVALS, MAX_IO_LINES, PLOT, bucketAt, bucketFilter, decimal, linePath, niceCeil, parseEpoch, seriesMax, xOf, yOf, yTicks,
} from './io-model.js';

/** Line colours: theme variables (views.css) with fallbacks readable on light and dark. */
export const SERIES_COLOURS = ['var(--thv-series-1, #1f77b4)', 'var(--thv-series-2, #d62728)', 'var(--thv-series-3, #2ca02c)', 'var(--thv-series-4, #9467bd)'];

interface Line {
  filter: string;
  enabled: boolean;
}

export function IoChart(props: {
  graph: IoGraph;
  metric: 'packets' | 'bytes';
  firstTs: number | null;
  labels: string[];
  /** Colour of each series (the colour of its filter line); defaults by position. */
  colours?: string[];
  pivot: (p: Pivot) => void;
  t: VT;
  lang: ViewProps['lang'];
}) {
  const { graph, metric, firstTs, t } = props;
  const colour = (k: number) => props.colours?.[k] ?? SERIES_COLOURS[k % SERIES_COLOURS.length];
  const [hover, setHover] = useState<number | null>(null);
  const svg = useRef<SVGSVGElement>(null);
  const series = graph.series.map((s) => (metric === 'packets' ? s.packets : s.bytes));
  const buckets = Math.max(0, ...series.map((s) => s.length));
  const max = niceCeil(seriesMax(series));
  const fmt = (v: number) => (metric === 'bytes' ? fmtBytes(v) : fmtInt(v, props.lang));
  const rel = (i: number) => graph.start + i * graph.interval - (firstTs ?? graph.start);

  const toBucket = (clientX: number): number | null => {
    const el = svg.current;
    if (!el) return null;
    const box = el.getBoundingClientRect();
    if (!(box.width > 0)) return null;
    return bucketAt(((clientX - box.left) / box.width) * PLOT.width, buckets);
  };

  const xTickCount = Math.min(buckets, 8);
  const xTicks = xTickCount > 0 ? Array.from({ length: xTickCount + 1 }, (_, k) => Math.round((k * buckets) / xTickCount)) : [];

  return (
    <div className="thv-io-chart">
      <svg
        ref={svg}
        data-testid="io-graph-svg"
        viewBox={`0 0 ${PLOT.width} ${PLOT.height}`}
        preserveAspectRatio="none"
        className="thv-io-svg"
        role="img"
        aria-label={t('views.io.title')}
        onMouseMove={(e) => setHover(toBucket(e.clientX))}
        onMouseLeave={() => setHover(null)}
        onClick={(e) => {
          const i = toBucket(e.clientX);
          if (i !== null && firstTs !== null) props.pivot({ kind: 'filter', filter: bucketFilter(graph.start, graph.interval, i, firstTs), mode: 'replace' });
        }}
      >
        <g className="thv-axis">
          {yTicks(max).map((v) => (
            <g key={`y${v}`}>
              <line x1={PLOT.left} x2={PLOT.width - PLOT.right} y1={yOf(v, max)} y2={yOf(v, max)} className="thv-grid" />
              <text x={PLOT.left - 6} y={yOf(v, max) + 4} textAnchor="end">
                {fmt(v)}
              </text>
            </g>
          ))}
          {xTicks.map((i) => (
            <text key={`x${i}`} x={xOf(i, buckets)} y={PLOT.height - PLOT.bottom + 16} textAnchor="middle">
              {`${decimal(rel(i))} s`}
            </text>
          ))}
          <line x1={PLOT.left} x2={PLOT.left} y1={PLOT.top} y2={PLOT.height - PLOT.bottom} className="thv-axis-line" />
          <line x1={PLOT.left} x2={PLOT.width - PLOT.right} y1={PLOT.height - PLOT.bottom} y2={PLOT.height - PLOT.bottom} className="thv-axis-line" />
          <text x={PLOT.width / 2} y={PLOT.height - 4} textAnchor="middle">
            {t('views.io.xAxis')}
          </text>
        </g>
        {hover !== null && (
          <rect
            data-testid="io-graph-hover"
            x={xOf(hover, buckets)}
            y={PLOT.top}
            width={Math.max(1, xOf(hover + 1, buckets) - xOf(hover, buckets))}
            height={PLOT.height - PLOT.top - PLOT.bottom}
            className="thv-hover"
          />
        )}
        {series.map((s, k) => (
          <path key={k} data-testid="io-graph-line" d={linePath(s, max)} fill="none" stroke={colour(k)} strokeWidth={1.5} />
        ))}
      </svg>
      <div className="thv-legend" data-testid="io-graph-legend">
        {graph.series.map((s, k) => (
          <span key={k} className="thv-legend-item">
            <span className="thv-swatch" style={{ background: colour(k) }} />
            {props.labels[k] ?? (s.filter || t('views.io.allPackets'))}
          </span>
        ))}
      </div>
      <div className="thv-readout" data-testid="io-graph-readout" aria-live="polite">
        {hover !== null
          ? t('views.io.readout', {
              from: decimal(rel(hover)),
              to: decimal(rel(hover + 1)),
              values: series.map((s, k) => `${props.labels[k] ?? k + 1}: ${fmt(s[hover] ?? 0)}`).join(' · '),
            })
          : t('views.io.hint')}
      </div>
    </div>
  );
}

export function IoGraphView(props: ViewProps) {
  const t = vt(props.t);
  const [interval, setIntervalSec] = useState<number>(1);
  const [metric, setMetric] = useState<'packets' | 'bytes'>('packets');
  const [lines, setLines] = useState<Line[]>([{ filter: '', enabled: true }]);
  // What the graph was asked for: edits apply on "Apply", so typing does not refetch per key.
  const [applied, setApplied] = useState<Line[]>(lines);
  const active = applied.map((l, k) => ({ ...l, colour: SERIES_COLOURS[k % SERIES_COLOURS.length]! })).filter((l) => l.enabled);
  const [info] = useLoad(String(props.captureId), () => props.api['capture.info']({ captureId: props.captureId }));
  const [load] = useLoad(JSON.stringify([props.captureId, interval, active.map((l) => l.filter)]), () =>
    props.api['stats.io']({ captureId: props.captureId, interval, filters: active.map((l) => l.filter) }),
  );
  const firstTs = info.state === 'ok' ? parseEpoch(info.value.firstTs) : null;
  const bad = lines.some((l) => filterError(l.filter) !== null);
  const labels = active.map((l) => l.filter || t('views.io.allPackets'));

  return (
    <section className="thv-view" data-testid="io-graph">
      <div className="thv-toolbar">
        <label>
          {t('views.io.interval')}{' '}
          <select data-testid="io-graph-interval" value={interval} onChange={(e) => setIntervalSec(Number(e.target.value))}>
            {IO_INTERVALS.map((i) => (
              <option key={i} value={i}>
                {fmtInterval(i)}
              </option>
            ))}
          </select>
        </label>
        <span role="radiogroup" className="thv-tabs">
          {(['packets', 'bytes'] as const).map((m) => (
            <button key={m} type="button" role="radio" aria-checked={metric === m} data-testid={`io-graph-metric-${m}`} onClick={() => setMetric(m)}>
              {t(m === 'packets' ? 'views.io.packets' : 'views.io.bytes')}
            </button>
          ))}
        </span>
      </div>
      <div className="thv-io-lines">
        {lines.map((l, k) => {
          const err = filterError(l.filter);
          return (
            <div key={k} className="thv-io-line">
              <span className="thv-swatch" style={{ background: SERIES_COLOURS[k] }} />
              <input
                type="checkbox"
                aria-label={t('views.io.enabled')}
                checked={l.enabled}
                onChange={(e) => setLines(lines.map((x, j) => (j === k ? { ...x, enabled: e.target.checked } : x)))}
              />
              <input
                type="text"
                spellCheck={false}
                data-testid={`io-graph-filter-${k}`}
                className={err ? 'thv-input thv-bad' : 'thv-input'}
                placeholder={t('views.io.filterPlaceholder')}
                aria-label={t('views.io.filterPlaceholder')}
                value={l.filter}
                onChange={(e) => setLines(lines.map((x, j) => (j === k ? { ...x, filter: e.target.value } : x)))}
              />
              {err && <span className="thv-error">{err}</span>}
              {lines.length > 1 && (
                <button type="button" aria-label={t('views.io.removeLine')} title={t('views.io.removeLine')} onClick={() => setLines(lines.filter((_, j) => j !== k))}>
                  ✕
                </button>
              )}
            </div>
          );
        })}
        <div className="thv-toolbar">
          <button type="button" data-testid="io-graph-add" disabled={lines.length >= MAX_IO_LINES} onClick={() => setLines([...lines, { filter: '', enabled: true }])}>
            {t('views.io.addLine')}
          </button>
          <button type="button" data-testid="io-graph-apply" disabled={bad} onClick={() => setApplied(lines.map((l) => ({ ...l, filter: l.filter.trim() })))}>
            {t('views.filter.apply')}
          </button>
        </div>
      </div>
      <LoadStatus load={load} t={t} />
      {load.state === 'ok' && <IoChart graph={load.value} metric={metric} firstTs={firstTs} labels={labels} colours={active.map((l) => l.colour)} pivot={props.pivot} t={t} lang={props.lang} />}
    </section>
  );
}
