// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeT } from '../i18n/index.js';
import { caretLine, checkFilterText, completions, MAX_SUGGESTIONS } from '../lib/filter-check.js';
import { FilterBar } from './FilterBar.js';

const t = makeT('en');

describe('filter checking (pure)', () => {
  it('classifies empty, valid, invalid', () => {
    expect(checkFilterText('  ').status).toBe('empty');
    expect(checkFilterText('tcp.port == 80').status).toBe('valid');
    const bad = checkFilterText('ip.scr == 1');
    expect(bad.status).toBe('invalid');
    expect(bad.diagnostics[0]).toMatchObject({ start: 0, length: 6 });
  });

  it('puts the caret under the error', () => {
    const text = 'tcp.port == 80 && ip.scr == 1';
    const d = checkFilterText(text).diagnostics[0]!;
    expect(caretLine(text, d)).toBe(' '.repeat(18) + '^~~~~~');
    expect(caretLine('tcp ==', { message: 'x', start: 6, length: 0 })).toBe('      ^');
  });

  it('completes field names by prefix, shortest first, at most 12', () => {
    const c = completions('ip.sr', 5)!;
    expect(c.items[0]!.name).toBe('ip.src');
    expect(c.items.every((i) => i.name.startsWith('ip.sr'))).toBe(true);
    expect(c).toMatchObject({ start: 0, end: 5 });
    expect(completions('t', 1)!.items.length).toBe(MAX_SUGGESTIONS);
    const mid = completions('tcp && ud', 9)!;
    expect(mid.start).toBe(7);
    expect(mid.items[0]!.name).toBe('udp');
    expect(completions('http.host == "ip.s', 18)).toBeNull();
    expect(completions('tcp.port == 8', 13)).toBeNull();
  });
});

describe('<FilterBar>', () => {
  beforeEach(() => localStorage.clear());
  afterEach(cleanup);

  it('shows green for a valid filter and red with the message and caret for an invalid one', () => {
    render(<FilterBar applied="" onApply={() => {}} serverError={null} t={t} />);
    const input = screen.getByTestId('filter-input');
    fireEvent.change(input, { target: { value: 'tcp.port == 80' } });
    expect(input.className).toContain('filter-valid');
    fireEvent.change(input, { target: { value: 'ip.scr == 1' } });
    expect(input.className).toContain('filter-invalid');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    const status = screen.getByTestId('filter-status');
    expect(status.textContent).toContain('ip.scr');
    expect(screen.getByTestId('filter-caret').textContent).toBe('ip.scr == 1\n^~~~~~');
  });

  it('applies on Enter only when valid, and remembers the filter', () => {
    const onApply = vi.fn();
    render(<FilterBar applied="" onApply={onApply} serverError={null} t={t} />);
    const input = screen.getByTestId('filter-input');
    fireEvent.change(input, { target: { value: 'ip.scr == 1' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(onApply).not.toHaveBeenCalled();
    fireEvent.change(input, { target: { value: 'udp.port == 53' } });
    fireEvent.keyDown(input, { key: 'Escape' });
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(onApply).toHaveBeenCalledWith('udp.port == 53');
    expect(JSON.parse(localStorage.getItem('tracehound.filterHistory')!)).toEqual(['udp.port == 53']);
  });

  it('autocompletes field names with the keyboard', () => {
    vi.stubGlobal('requestAnimationFrame', (cb: FrameRequestCallback) => setTimeout(() => cb(0), 0));
    render(<FilterBar applied="" onApply={() => {}} serverError={null} t={t} />);
    const input = screen.getByTestId('filter-input') as HTMLInputElement;
    fireEvent.change(input, { target: { value: 'ip.ds', selectionStart: 5 } });
    const items = screen.getAllByTestId('filter-suggestion');
    expect(items.length).toBeGreaterThan(0);
    expect(items[0]!.textContent).toContain('ip.dst');
    expect(items[0]!.textContent).toContain('Destination');
    fireEvent.keyDown(input, { key: 'ArrowDown' });
    expect(items[0]!.getAttribute('aria-selected')).toBe('true');
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(input.value).toBe('ip.dst');
    expect(screen.queryByTestId('filter-suggestions')).toBeNull();
    vi.unstubAllGlobals();
  });

  it('shows the host’s verdict (not supported yet) for the refused filter', () => {
    const err = { filter: 'smb2.cmd == 5', error: { code: 'bad-filter', message: 'smb2.cmd is a valid field but is not supported by Tracehound yet', diagnostics: [{ message: 'smb2.cmd is a valid field but is not supported by Tracehound yet', start: 0, length: 8 }] } };
    render(<FilterBar applied="smb2.cmd == 5" onApply={() => {}} serverError={err} t={t} />);
    expect(screen.getByTestId('filter-input').className).toContain('filter-invalid');
    expect(screen.getByTestId('filter-status').textContent).toContain('not supported');
    expect(screen.getByTestId('filter-caret').textContent).toBe('smb2.cmd == 5\n^~~~~~~~');
  });

  it('saves a named filter and applies it from the saved list', async () => {
    const onApply = vi.fn();
    render(<FilterBar applied="" onApply={onApply} serverError={null} t={t} />);
    fireEvent.change(screen.getByTestId('filter-input'), { target: { value: 'dns' } });
    fireEvent.click(screen.getByTestId('filter-save-button'));
    fireEvent.change(screen.getByLabelText('Name of the saved filter'), { target: { value: 'Names' } });
    await act(async () => {
      fireEvent.submit(screen.getByTestId('filter-save-form'));
    });
    expect(JSON.parse(localStorage.getItem('tracehound.savedFilters')!)).toEqual([{ name: 'Names', filter: 'dns' }]);
    fireEvent.click(screen.getByTestId('filter-saved-button'));
    fireEvent.click(screen.getByText('Names'));
    expect(onApply).toHaveBeenCalledWith('dns');
  });
});
