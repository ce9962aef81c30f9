// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApiEvent, ApiHandlers } from '../../shared/api.js';
import type { CaptureInfo } from '../../shared/model.js';
import type { Host } from './api/client.js';
import type { ViewDef, ViewProps } from './views/types.js';

// The real views draw with vis-network (no canvas in jsdom); the shell is tested with stand-ins.
vi.mock('./views/index.js', () => ({ VIEWS: [] }));
const { App, viewForPivot } = await import('./App.js');

const info = (over: Partial<CaptureInfo> = {}): CaptureInfo => ({
  id: 1, path: '/cases/x.pcap', size: 100, sha256: 'ab', format: 'pcap', compression: null, linkTypes: [1], packets: 20, bytes: 2000,
  firstTs: '1385482078.892062000', lastTs: '1385482080.086423000', status: 'complete', stopOffset: null, stopReason: null, ingestedAt: '2026-01-01T00:00:00Z', ...over,
});

function fakeHost(overrides: Partial<Record<keyof ApiHandlers, (req: never) => Promise<unknown>>> = {}) {
  let emit: (e: ApiEvent) => void = () => {};
  const calls: [string, unknown][] = [];
  const base: Record<string, (req: unknown) => Promise<unknown>> = {
    'capture.recent': async () => ({ ok: true, value: [{ casePath: '/c/a.thcase', capturePath: '/caps/a.pcap', sha256: 'x', packets: 12, openedAt: '2026-01-02T03:04:05Z' }] }),
    'capture.open': async () => ({ ok: true, value: { captureId: 1, casePath: '/c/a.thcase', capture: info(), reused: false } }),
    'capture.info': async () => ({ ok: true, value: info() }),
    'capture.cancel': async () => ({ ok: true, value: { cancelled: true } }),
    'packets.count': async (req) => ((req as { filter: string }).filter === 'smb2.cmd == 5'
      ? { ok: false, error: { code: 'bad-filter', message: 'not supported yet', diagnostics: [{ message: 'smb2.cmd is a valid field but is not supported by Tracehound yet', start: 0, length: 8 }] } }
      : { ok: true, value: { count: (req as { filter: string }).filter ? 7 : 20 } }),
    'packets.page': async () => ({ ok: true, value: { rows: [], done: true } }),
    'packets.rank': async () => ({ ok: true, value: { rank: 0 } }),
  };
  const api = new Proxy({}, {
    get: (_t, name: string) => async (req: unknown) => {
      calls.push([name, req]);
      const f = (overrides as Record<string, (r: unknown) => Promise<unknown>>)[name] ?? base[name];
      return f ? f(req) : { ok: false, error: { code: 'internal', message: `unexpected ${name}` } };
    },
  }) as unknown as ApiHandlers;
  const host: Host = {
    kind: 'browser',
    api,
    onEvent: (cb) => {
      emit = cb;
      return () => {};
    },
    pathForFile: () => null,
  };
  return { host, calls, emit: (e: ApiEvent) => act(() => emit(e)) };
}

describe('<App>', () => {
  beforeEach(() => {
    localStorage.clear();
    localStorage.setItem('tracehound.lang', '"en"');
  });
  afterEach(cleanup);

  it('opens a capture by path, showing ingest progress and then the packet count', async () => {
    let finish: (v: unknown) => void = () => {};
    const { host, calls, emit } = fakeHost({ 'capture.open': () => new Promise((r) => (finish = r)) });
    render(<App host={host} views={[]} />);
    expect(await screen.findByText('/caps/a.pcap')).toBeTruthy();
    fireEvent.change(screen.getByTestId('open-path'), { target: { value: '/caps/big.pcap' } });
    fireEvent.submit(screen.getByTestId('open-capture'));
    await screen.findByTestId('ingest-progress');
    emit({ type: 'ingest.progress', path: '/caps/big.pcap', progress: { bytesRead: 512 * 1024, totalBytes: 1024 * 1024, packets: 1234, rate: 2048, etaSeconds: 125, phase: 'reading' } });
    expect(screen.getByTestId('ingest-packets').textContent).toBe('1,234 packets');
    expect(screen.getByTestId('ingest-eta').textContent).toBe('about 2:05 left');
    fireEvent.click(screen.getByTestId('ingest-cancel'));
    await waitFor(() => expect(calls.some(([n]) => n === 'capture.cancel')).toBe(true));
    await act(async () => finish({ ok: true, value: { captureId: 1, casePath: '/c/b.thcase', capture: info(), reused: false } }));
    await waitFor(() => expect(screen.getByTestId('packet-count').textContent).toBe('20'));
    expect(screen.getByTestId('packet-list')).toBeTruthy();
  });

  it('shows a bad capture with its byte offset', async () => {
    const { host } = fakeHost({ 'capture.open': async () => ({ ok: false, error: { code: 'bad-capture', message: 'record length 99999999 exceeds snaplen', offset: 4096 } }) });
    render(<App host={host} views={[]} />);
    fireEvent.change(screen.getByTestId('open-path'), { target: { value: '/caps/bad.pcap' } });
    fireEvent.submit(screen.getByTestId('open-capture'));
    const banner = await screen.findByTestId('error-banner');
    expect(banner.textContent).toContain('Cannot read this capture');
    expect(banner.textContent).toContain('record length');
    expect(screen.getByTestId('error-offset').textContent).toContain('4096');
  });

  it('shows a capture the host already opened (capture=) with the truncation banner', async () => {
    const { host } = fakeHost({ 'capture.info': async () => ({ ok: true, value: info({ status: 'truncated', stopReason: 'file ends inside a packet record', stopOffset: 2345 }) }) });
    render(<App host={host} initialCapture={1} views={[]} />);
    const banner = await screen.findByTestId('capture-banner');
    expect(banner.textContent).toContain('truncated');
    expect(banner.textContent).toContain('file ends inside a packet record');
    expect(banner.textContent).toContain('2345');
    await waitFor(() => expect(screen.getByTestId('packet-count').textContent).toBe('20'));
  });

  it('applies a filter, and shows the host’s "not supported yet" refusal in the bar', async () => {
    const { host, calls } = fakeHost();
    render(<App host={host} initialCapture={1} views={[]} />);
    await waitFor(() => expect(screen.getByTestId('packet-count').textContent).toBe('20'));
    const input = screen.getByTestId('filter-input');
    fireEvent.change(input, { target: { value: 'tcp' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    await waitFor(() => expect(screen.getByTestId('packet-count').textContent).toBe('7'));
    expect(calls).toContainEqual(['packets.count', { captureId: 1, filter: 'tcp' }]);
    fireEvent.change(input, { target: { value: 'smb2.cmd == 5' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    await waitFor(() => expect(screen.getByTestId('filter-status').textContent).toContain('not supported by Tracehound yet'));
    expect(screen.getByTestId('filter-input').className).toContain('filter-invalid');
    expect(screen.getByTestId('packet-count').textContent).toBe('7');
  });

  it('follows the desktop shell: language, view and help from the menus', async () => {
    const { host, emit } = fakeHost();
    render(<App host={host} initialCapture={1} views={[]} />);
    await screen.findByTestId('tab-packets');
    emit({ type: 'shell.lang', lang: 'zh-CN' } as unknown as ApiEvent);
    expect(screen.getByTestId('tab-packets').textContent).toBe('分组');
    emit({ type: 'shell.shortcuts' } as unknown as ApiEvent);
    expect(screen.getByTestId('help-panel')).toBeTruthy();
  });

  it('switches language at run time and persists it', async () => {
    const { host } = fakeHost();
    render(<App host={host} initialCapture={1} views={[]} />);
    await screen.findByTestId('tab-packets');
    expect(screen.getByTestId('tab-packets').textContent).toBe('Packets');
    fireEvent.change(screen.getByTestId('lang-switch'), { target: { value: 'zh-CN' } });
    expect(screen.getByTestId('tab-packets').textContent).toBe('分组');
    expect(localStorage.getItem('tracehound.lang')).toBe('"zh-CN"');
    expect(document.documentElement.lang).toBe('zh-CN');
    fireEvent.click(screen.getByTestId('theme-switch'));
    expect(['light', 'dark']).toContain(document.documentElement.dataset.theme);
  });

  it('opens the help panel with F1 and closes it with Esc; Ctrl+G opens go-to', async () => {
    const { host } = fakeHost();
    render(<App host={host} initialCapture={1} views={[]} />);
    await screen.findByTestId('tab-packets');
    fireEvent.keyDown(window, { key: 'F1' });
    expect(screen.getByTestId('help-panel').textContent).toContain('Ctrl+G');
    fireEvent.keyDown(window, { key: 'Escape' });
    expect(screen.queryByTestId('help-panel')).toBeNull();
    fireEvent.keyDown(window, { key: 'g', ctrlKey: true });
    expect(screen.getByTestId('goto-dialog')).toBeTruthy();
    fireEvent.change(screen.getByTestId('goto-input'), { target: { value: '99' } });
    fireEvent.click(screen.getByTestId('goto-submit'));
    expect(await screen.findByText(/Frame 99 does not exist/)).toBeTruthy();
  });

  it('explains that drag and drop needs the desktop app in the browser', async () => {
    const { host } = fakeHost();
    render(<App host={host} views={[]} />);
    const file = new File(['x'], 'a.pcap');
    fireEvent.drop(screen.getByTestId('app'), { dataTransfer: { files: [file] } });
    expect((await screen.findByTestId('drop-message')).textContent).toContain('desktop app');
  });

  it('routes follow and host pivots to the views that declare them', async () => {
    const Follow = ({ initial }: ViewProps) => <div data-testid="fake-follow">{JSON.stringify(initial)}</div>;
    const Graph = ({ initial, pivot }: ViewProps) => (
      <button type="button" data-testid="fake-graph" onClick={() => pivot({ kind: 'filter', filter: 'ip.addr == 10.0.0.9', mode: 'and' })}>
        {JSON.stringify(initial)}
      </button>
    );
    const views: ViewDef[] = [
      { id: 'follow-stream', titleKey: 'tabs.packets', component: Follow, handles: ['follow'] },
      { id: 'connections', titleKey: 'tabs.packets', component: Graph },
    ];
    expect(viewForPivot(views, 'follow')?.id).toBe('follow-stream');
    expect(viewForPivot(views, 'host')?.id).toBe('connections');
    const { host, calls } = fakeHost();
    render(<App host={host} initialCapture={1} views={views} />);
    await waitFor(() => expect(screen.getByTestId('packet-count').textContent).toBe('20'));
    fireEvent.click(screen.getByTestId('tab-connections'));
    fireEvent.click(await screen.findByTestId('fake-graph'));
    await waitFor(() => expect(calls).toContainEqual(['packets.count', { captureId: 1, filter: 'ip.addr == 10.0.0.9' }]));
    expect(screen.getByTestId('tab-packets').getAttribute('aria-selected')).toBe('true');
  });
});
