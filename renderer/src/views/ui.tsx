/**
 * Building blocks shared by the views: the sortable, filterable table; the pivot menu that
 * every address/port/name/URI cell carries; loading and error lines. Captured strings only
 * ever reach the DOM as React text children.
 */
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { Pivot } from './types.js';
import type { VT } from './strings.js';
import { isHostAddr } from './filters.js';
import type { Load } from './use-load.js';

// ---- pivot menu ---------------------------------------------------------------------------------

/** What a cell can pivot to; each present target adds its menu items. */
export interface PivotTargets {
  /** A display filter selecting the cell's value: "Filter on this" and "Add to filter". */
  filter?: string | null;
  /** A tcp.stream: "Follow stream". */
  stream?: number | null;
  /** An IP address: "Show host" (the connections graph). */
  addr?: string | null;
}

interface MenuItem {
  id: string;
  label: string;
  run: () => void;
}

function menuItems(targets: PivotTargets, pivot: (p: Pivot) => void, t: VT): MenuItem[] {
  const items: MenuItem[] = [];
  const f = targets.filter;
  if (f) {
    items.push({ id: 'filter', label: t('views.pivot.filter'), run: () => pivot({ kind: 'filter', filter: f, mode: 'replace' }) });
    items.push({ id: 'and', label: t('views.pivot.and'), run: () => pivot({ kind: 'filter', filter: f, mode: 'and' }) });
    items.push({ id: 'or', label: t('views.pivot.or'), run: () => pivot({ kind: 'filter', filter: f, mode: 'or' }) });
    items.push({ id: 'and-not', label: t('views.pivot.andNot'), run: () => pivot({ kind: 'filter', filter: f, mode: 'and-not' }) });
  }
  const s = targets.stream;
  if (s !== null && s !== undefined && Number.isInteger(s) && s >= 0) {
    items.push({ id: 'follow', label: t('views.pivot.follow'), run: () => pivot({ kind: 'follow', stream: s }) });
  }
  const a = targets.addr;
  if (a && isHostAddr(a)) items.push({ id: 'host', label: t('views.pivot.host'), run: () => pivot({ kind: 'host', addr: a }) });
  return items;
}

/**
 * A value with its pivots: a "⋯" button (and right-click on the value) opens a small menu.
 * Without any target it is plain text.
 */
export function PivotCell(props: { label: string; targets: PivotTargets; pivot: (p: Pivot) => void; t: VT }) {
  const { label, targets, pivot, t } = props;
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLSpanElement>(null);
  const items = menuItems(targets, pivot, t);

  useEffect(() => {
    if (!open) return;
    const close = (e: Event) => {
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !box.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', close);
    };
  }, [open]);

  if (items.length === 0) return <span className="thv-cell">{label}</span>;
  return (
    <span
      className="thv-cell thv-pivot"
      ref={box}
      onContextMenu={(e) => {
        e.preventDefault();
        setOpen(true);
      }}
    >
      <span className="thv-pivot-value">{label}</span>
      <button
        type="button"
        className="thv-pivot-button"
        data-testid="pivot-button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-label={t('views.pivot.actions', { value: label })}
        title={t('views.pivot.actions', { value: label })}
        onClick={() => setOpen((o) => !o)}
      >
        ⋯
      </button>
      {open && (
        <span role="menu" className="thv-menu" data-testid="pivot-menu">
          {items.map((it) => (
            <button
              key={it.id}
              type="button"
              role="menuitem"
              data-testid={`pivot-${it.id}`}
              onClick={() => {
                setOpen(false);
                it.run();
              }}
            >
              {it.label}
            </button>
          ))}
        </span>
      )}
    </span>
  );
}

/** A frame number that selects the frame in the packet list. */
export function FrameLink(props: { frame: number | null; pivot: (p: Pivot) => void; t: VT }) {
  const { frame, pivot, t } = props;
  if (frame === null || !Number.isInteger(frame) || frame < 1) return <span>—</span>;
  return (
    <button type="button" className="thv-link" data-testid="frame-link" title={t('views.pivot.frame')} onClick={() => pivot({ kind: 'frame', frame })}>
      {frame}
    </button>
  );
}

/** A copy-to-clipboard button (no-op where the clipboard API is missing). */
export function CopyButton(props: { value: string; t: VT; testId?: string }) {
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      className="thv-copy"
      data-testid={props.testId ?? 'copy-button'}
      title={props.t('views.common.copy')}
      onClick={() => {
        void navigator.clipboard?.writeText(props.value).then(
          () => setDone(true),
          () => setDone(false),
        );
      }}
    >
      {done ? props.t('views.common.copied') : props.t('views.common.copy')}
    </button>
  );
}

// ---- status lines ---------------------------------------------------------------------------

/** "Loading…" or the API error (its message is engine text; shown as text). */
export function LoadStatus(props: { load: Load<unknown>; t: VT }) {
  const { load, t } = props;
  if (load.state === 'loading') return <div className="thv-status" role="status">{t('views.common.loading')}</div>;
  if (load.state === 'error') {
    return (
      <div className="thv-error" role="alert" data-testid="view-error">
        {t('views.common.error', { message: load.error.message })}
      </div>
    );
  }
  return null;
}

// ---- sortable, filterable table ----------------------------------------------------------------

export interface Column<R> {
  id: string;
  /** Translated header. */
  title: string;
  /** Sort key; absent → the column does not sort. Nulls sort last. */
  sort?: (r: R) => string | number | null;
  /** Plain text of the cell: what the filter box matches and the default rendering. */
  text: (r: R) => string;
  render?: (r: R) => ReactNode;
  numeric?: boolean;
}

export type SortState = { col: string; dir: 'asc' | 'desc' } | null;

/** Rows put in the DOM at once: tables are not virtualised, and more rows than this are not readable anyway. */
export const MAX_TABLE_ROWS = 2000;

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

export function sortRows<R>(rows: readonly R[], columns: readonly Column<R>[], sort: SortState): R[] {
  const out = rows.slice();
  const col = sort ? columns.find((c) => c.id === sort.col) : undefined;
  if (!sort || !col?.sort) return out;
  const key = col.sort;
  const sign = sort.dir === 'asc' ? 1 : -1;
  // Decorate once: keys may be computed from records.
  const dec = out.map((r, i) => ({ r, i, k: key(r) }));
  dec.sort((a, b) => {
    if (a.k === null || b.k === null) return a.k === b.k ? a.i - b.i : a.k === null ? 1 : -1;
    const c = typeof a.k === 'number' && typeof b.k === 'number' ? a.k - b.k : collator.compare(String(a.k), String(b.k));
    return c !== 0 ? sign * c : a.i - b.i;
  });
  return dec.map((d) => d.r);
}

export function filterRows<R>(rows: readonly R[], columns: readonly Column<R>[], query: string): R[] {
  const q = query.trim().toLowerCase();
  if (q === '') return rows.slice();
  return rows.filter((r) => columns.some((c) => c.text(r).toLowerCase().includes(q)));
}

export function DataTable<R>(props: {
  testId: string;
  rows: readonly R[];
  columns: readonly Column<R>[];
  rowKey: (r: R) => string | number;
  rowTestId?: string;
  rowClass?: (r: R) => string | undefined;
  initialSort?: SortState;
  t: VT;
}) {
  const { testId, rows, columns, rowKey, rowTestId, rowClass, t } = props;
  const [sort, setSort] = useState<SortState>(props.initialSort ?? null);
  const [query, setQuery] = useState('');
  const shown = useMemo(() => sortRows(filterRows(rows, columns, query), columns, sort), [rows, columns, query, sort]);
  const visible = shown.length > MAX_TABLE_ROWS ? shown.slice(0, MAX_TABLE_ROWS) : shown;

  const clickHeader = (c: Column<R>) => {
    if (!c.sort) return;
    setSort((s) => (s && s.col === c.id ? { col: c.id, dir: s.dir === 'asc' ? 'desc' : 'asc' } : { col: c.id, dir: c.numeric ? 'desc' : 'asc' }));
  };

  return (
    <div className="thv-table-box">
      <div className="thv-toolbar">
        <input
          type="search"
          className="thv-filter"
          data-testid={`${testId}-filter`}
          placeholder={t('views.table.filter')}
          aria-label={t('views.table.filter')}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <span className="thv-count" data-testid={`${testId}-count`}>
          {shown.length === rows.length
            ? t('views.table.rows', { n: rows.length.toLocaleString() })
            : t('views.table.rowsOf', { n: shown.length.toLocaleString(), total: rows.length.toLocaleString() })}
        </span>
      </div>
      <table className="thv-table" data-testid={testId}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th
                key={c.id}
                className={c.numeric ? 'thv-num' : undefined}
                aria-sort={sort?.col === c.id ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined}
              >
                {c.sort ? (
                  <button type="button" className="thv-sort" data-testid={`${testId}-sort-${c.id}`} onClick={() => clickHeader(c)}>
                    {c.title}
                    {sort?.col === c.id ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}
                  </button>
                ) : (
                  c.title
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {visible.map((r) => (
            <tr key={rowKey(r)} data-testid={rowTestId} className={rowClass?.(r)}>
              {columns.map((c) => (
                <td key={c.id} className={c.numeric ? 'thv-num' : undefined}>
                  {c.render ? c.render(r) : c.text(r)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length === 0 && <div className="thv-empty">{t('views.table.empty')}</div>}
      {visible.length < shown.length && (
        <div className="thv-note">{t('views.table.capped', { n: MAX_TABLE_ROWS.toLocaleString() })}</div>
      )}
    </div>
  );
}
