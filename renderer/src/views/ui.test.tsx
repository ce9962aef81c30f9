// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { DataTable, PivotCell, sortRows, type Column } from './ui.js';
import { vt } from './strings.js';
import { tEn } from './test-support.js';
import type { Pivot } from './types.js';

afterEach(cleanup);
const t = vt(tEn);

interface Row {
  id: number;
  name: string;
  n: number | null;
}
const cols: Column<Row>[] = [
  { id: 'name', title: 'Name', sort: (r) => r.name, text: (r) => r.name },
  { id: 'n', title: 'N', sort: (r) => r.n, text: (r) => String(r.n ?? '—'), numeric: true },
];
const rows: Row[] = [
  { id: 1, name: 'b10', n: 5 },
  { id: 2, name: 'b9', n: null },
  { id: 3, name: 'a', n: 20 },
];

const names = () => screen.getAllByTestId('row').map((tr) => tr.querySelector('td')!.textContent);

describe('DataTable', () => {
  it('sorts by a column, toggling direction, nulls last', () => {
    render(<DataTable testId="tbl" rowTestId="row" rows={rows} columns={cols} rowKey={(r) => r.id} t={t} />);
    expect(names()).toEqual(['b10', 'b9', 'a']);
    fireEvent.click(screen.getByTestId('tbl-sort-name'));
    expect(names()).toEqual(['a', 'b9', 'b10']);
    fireEvent.click(screen.getByTestId('tbl-sort-name'));
    expect(names()).toEqual(['b10', 'b9', 'a']);
    fireEvent.click(screen.getByTestId('tbl-sort-n'));
    expect(names()).toEqual(['a', 'b10', 'b9']);
    expect(screen.getByTestId('tbl-sort-n').closest('th')!.getAttribute('aria-sort')).toBe('descending');
  });

  it('filters rows by text in any column', () => {
    render(<DataTable testId="tbl" rowTestId="row" rows={rows} columns={cols} rowKey={(r) => r.id} t={t} />);
    fireEvent.change(screen.getByTestId('tbl-filter'), { target: { value: 'B' } });
    expect(names()).toEqual(['b10', 'b9']);
    expect(screen.getByTestId('tbl-count').textContent).toBe('2 of 3 rows');
    fireEvent.change(screen.getByTestId('tbl-filter'), { target: { value: '20' } });
    expect(names()).toEqual(['a']);
  });

  it('sortRows keeps the original order for ties', () => {
    const r = sortRows([{ id: 1, name: 'x', n: 1 }, { id: 2, name: 'x', n: 1 }], cols, { col: 'name', dir: 'desc' });
    expect(r.map((x) => x.id)).toEqual([1, 2]);
  });
});

describe('PivotCell', () => {
  it('offers filter, combine, follow and host pivots', () => {
    const got: Pivot[] = [];
    render(<PivotCell label="10.0.0.1" targets={{ filter: 'ip.addr == 10.0.0.1', stream: 4, addr: '10.0.0.1' }} pivot={(p) => got.push(p)} t={t} />);
    const open = () => fireEvent.click(screen.getByTestId('pivot-button'));
    open();
    const menu = screen.getByTestId('pivot-menu');
    expect(within(menu).getAllByRole('menuitem').map((b) => b.textContent)).toEqual([
      'Filter on this', 'Add to filter (and)', 'Add to filter (or)', 'Add to filter (and not)', 'Follow stream', 'Show host',
    ]);
    fireEvent.click(screen.getByTestId('pivot-filter'));
    expect(screen.queryByTestId('pivot-menu')).toBeNull();
    for (const id of ['and', 'or', 'and-not', 'follow', 'host']) {
      open();
      fireEvent.click(screen.getByTestId(`pivot-${id}`));
    }
    expect(got).toEqual([
      { kind: 'filter', filter: 'ip.addr == 10.0.0.1', mode: 'replace' },
      { kind: 'filter', filter: 'ip.addr == 10.0.0.1', mode: 'and' },
      { kind: 'filter', filter: 'ip.addr == 10.0.0.1', mode: 'or' },
      { kind: 'filter', filter: 'ip.addr == 10.0.0.1', mode: 'and-not' },
      { kind: 'follow', stream: 4 },
      { kind: 'host', addr: '10.0.0.1' },
    ]);
  });

  it('opens on right-click and closes on Escape; no targets → plain text', () => {
    const { container } = render(
      <div>
        <PivotCell label="x" targets={{ filter: 'tcp' }} pivot={() => {}} t={t} />
        <PivotCell label="plain" targets={{ filter: null, addr: 'not-an-ip' }} pivot={() => {}} t={t} />
      </div>,
    );
    fireEvent.contextMenu(screen.getByText('x'));
    expect(screen.getByTestId('pivot-menu')).toBeTruthy();
    fireEvent.keyDown(document, { key: 'Escape' });
    expect(screen.queryByTestId('pivot-menu')).toBeNull();
    expect(container.querySelectorAll('[data-testid="pivot-button"]').length).toBe(1);
  });
});
