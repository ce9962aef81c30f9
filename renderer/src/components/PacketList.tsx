/**
 * The packet list: every row matching the filter, virtualised (@tanstack/react-virtual), its
 * pages fetched on demand from a PacketSource. Keyboard: ↑/↓, PageUp/PageDown, Home/End move
 * the selection; the context menu offers pivots on the cell under the pointer.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { forwardRef, useEffect, useImperativeHandle, useRef } from 'react';
import type { PacketRow } from '../../../shared/model.js';
import { colorRule } from '../lib/coloring.js';
import type { ColumnId } from '../lib/filter-expr.js';
import { formatTime, type TimeMode, type Timestamp } from '../lib/time-format.js';
import type { PacketSource } from '../state/packet-source.js';
import type { TFunction } from '../views/types.js';

export const ROW_HEIGHT = 22;
/** Rows rendered beyond the viewport each way (smooth keyboard and wheel scrolling). */
const OVERSCAN = 20;

export const COLUMNS: { id: ColumnId; key: string }[] = [
  { id: 'no', key: 'col.no' },
  { id: 'time', key: 'col.time' },
  { id: 'src', key: 'col.src' },
  { id: 'dst', key: 'col.dst' },
  { id: 'protocol', key: 'col.protocol' },
  { id: 'length', key: 'col.length' },
  { id: 'info', key: 'col.info' },
];

export interface PacketListProps {
  source: PacketSource | null;
  /** Bumped by the owner whenever the source loaded a page (re-render trigger). */
  version: number;
  selected: number | null;
  onSelect: (index: number) => void;
  marked: ReadonlySet<number>;
  timeMode: TimeMode;
  onTimeMode: (m: TimeMode) => void;
  first: Timestamp | null;
  onCellMenu: (e: React.MouseEvent, row: PacketRow, column: ColumnId, index: number) => void;
  t: TFunction;
}

export interface PacketListHandle {
  scrollTo(index: number): void;
  focus(): void;
}

function cellText(row: PacketRow, col: ColumnId, mode: TimeMode, first: Timestamp | null, prev: PacketRow | undefined | null): string {
  switch (col) {
    case 'no':
      return String(row.frame);
    case 'time':
      return formatTime(mode, { sec: row.tsSec, nsec: row.tsNsec }, first, prev === null ? null : prev ? { sec: prev.tsSec, nsec: prev.tsNsec } : undefined);
    case 'src':
      return row.src;
    case 'dst':
      return row.dst;
    case 'protocol':
      return row.protocol;
    case 'length':
      return String(row.length);
    case 'info':
      return row.info;
  }
}

export const PacketList = forwardRef<PacketListHandle, PacketListProps>(function PacketList(props, ref) {
  const { source, selected, onSelect, marked, timeMode, onTimeMode, first, onCellMenu, t } = props;
  const count = source?.count ?? 0;
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: OVERSCAN,
  });
  const items = virtualizer.getVirtualItems();

  useImperativeHandle(ref, () => ({
    scrollTo: (index) => virtualizer.scrollToIndex(index, { align: 'auto' }),
    focus: () => scroller.current?.focus(),
  }), [virtualizer]);

  const firstItem = items[0]?.index ?? 0;
  const lastItem = items[items.length - 1]?.index ?? 0;
  useEffect(() => {
    // One row before the window too: the delta column of the first visible row needs it.
    if (source && count > 0) source.ensure(Math.max(0, firstItem - 1), lastItem);
  }, [source, count, firstItem, lastItem, props.version]);

  const pageRows = Math.max(1, Math.floor((scroller.current?.clientHeight ?? ROW_HEIGHT * 20) / ROW_HEIGHT) - 1);
  const move = (to: number) => {
    if (count === 0) return;
    const i = Math.max(0, Math.min(count - 1, to));
    onSelect(i);
    virtualizer.scrollToIndex(i, { align: 'auto' });
  };
  const onKeyDown = (e: React.KeyboardEvent) => {
    const cur = selected ?? -1;
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(cur + 1),
      ArrowUp: () => move(cur < 0 ? 0 : cur - 1),
      PageDown: () => move(cur + pageRows),
      PageUp: () => move(cur - pageRows),
      Home: () => move(0),
      End: () => move(count - 1),
    };
    const k = keys[e.key];
    if (k && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      k();
    }
  };

  return (
    <div className="packet-list-wrap">
      <div className="packet-header" role="row">
        {COLUMNS.map((c) => (
          <div key={c.id} className={`cell col-${c.id}`} role="columnheader">
            {c.id === 'time' ? (
              <select data-testid="time-mode" aria-label={t('col.timeFormat')} value={timeMode} onChange={(e) => onTimeMode(e.target.value as TimeMode)}>
                <option value="absolute">{t('time.absolute')}</option>
                <option value="relative">{t('time.relative')}</option>
                <option value="delta">{t('time.delta')}</option>
              </select>
            ) : (
              t(c.key)
            )}
          </div>
        ))}
      </div>
      <div
        ref={scroller}
        className="packet-list"
        data-testid="packet-list"
        role="grid"
        aria-label={t('packets.label')}
        aria-rowcount={count}
        tabIndex={0}
        onKeyDown={onKeyDown}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative', width: '100%' }}>
          {items.map((item) => {
            const row = source?.row(item.index);
            const isSel = item.index === selected;
            if (!row) {
              return (
                <div key={item.key} className="packet-row loading" data-testid="packet-row" data-index={item.index} role="row" style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}>
                  <div className="cell col-info">{t('packets.loading')}</div>
                </div>
              );
            }
            const prev = item.index === 0 ? null : source?.row(item.index - 1);
            const cls = `packet-row color-${colorRule(row)}${isSel ? ' selected' : ''}${marked.has(row.frame) ? ' marked' : ''}`;
            return (
              <div
                key={item.key}
                className={cls}
                data-testid="packet-row"
                data-index={item.index}
                data-frame={row.frame}
                role="row"
                aria-selected={isSel}
                aria-rowindex={item.index + 1}
                style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
                onClick={() => onSelect(item.index)}
              >
                {COLUMNS.map((c) => (
                  <div key={c.id} className={`cell col-${c.id}`} role="gridcell" onContextMenu={(e) => onCellMenu(e, row, c.id, item.index)}>
                    {cellText(row, c.id, timeMode, first, prev)}
                  </div>
                ))}
              </div>
            );
          })}
        </div>
        {count === 0 && source && <div className="empty" data-testid="packet-list-empty">{t('packets.none')}</div>}
      </div>
    </div>
  );
});
