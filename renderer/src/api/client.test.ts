import { describe, expect, it, vi } from 'vitest';
import type { ApiName } from '../../../shared/api.js';
import { createBridgeClient, createHttpClient, pageParams, TOKEN_HEADER, type TracehoundBridge } from './client.js';

function fakeFetch(status: number, body: unknown) {
  return vi.fn(async (_url: RequestInfo | URL, _init?: RequestInit) => new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }));
}

describe('API client (browser host)', () => {
  it('POSTs /api/<name> with the JSON body and the token header', async () => {
    const f = fakeFetch(200, { ok: true, value: { count: 42 } });
    const api = createHttpClient({ token: 's3cret', fetch: f });
    const r = await api['packets.count']({ captureId: 1, filter: 'tcp' });
    expect(r).toEqual({ ok: true, value: { count: 42 } });
    expect(f).toHaveBeenCalledTimes(1);
    const [url, init] = f.mock.calls[0]!;
    expect(url).toBe('/api/packets.count');
    expect(init?.method).toBe('POST');
    expect(new Headers(init?.headers).get(TOKEN_HEADER)).toBe('s3cret');
    expect(JSON.parse(String(init?.body))).toEqual({ captureId: 1, filter: 'tcp' });
  });

  it('validates requests before sending: a bad request never leaves', async () => {
    const f = fakeFetch(200, { ok: true, value: null });
    const api = createHttpClient({ token: 't', fetch: f });
    const r = await api['packets.page']({ captureId: 0, filter: '', after: -1, limit: 10 });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('bad-request');
      expect(r.error.message).toMatch(/packets\.page/);
    }
    const r2 = await (api['capture.open'] as (q: unknown) => Promise<unknown>)({ path: '' });
    expect((r2 as { ok: boolean }).ok).toBe(false);
    expect(f).not.toHaveBeenCalled();
  });

  it('passes error Results through, with diagnostics and offsets', async () => {
    const error = { code: 'bad-filter', message: 'not supported yet', diagnostics: [{ message: 'x', start: 0, length: 3 }] };
    const api = createHttpClient({ token: 't', fetch: fakeFetch(400, { ok: false, error }) });
    expect(await api['packets.count']({ captureId: 1, filter: 'foo' })).toEqual({ ok: false, error });
    const bad = { code: 'bad-capture', message: 'bad record length', offset: 1234 };
    const api2 = createHttpClient({ token: 't', fetch: fakeFetch(200, { ok: false, error: bad }) });
    expect(await api2['capture.open']({ path: '/x.pcap' })).toEqual({ ok: false, error: bad });
  });

  it('turns transport failures into io errors instead of throwing', async () => {
    const down = createHttpClient({ token: 't', fetch: vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))) });
    const r = await down['capture.recent']({});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('io');
    const forbidden = createHttpClient({ token: 'wrong', fetch: fakeFetch(403, 'forbidden') });
    const r2 = await forbidden['capture.recent']({});
    expect(r2).toEqual({ ok: false, error: { code: 'io', message: 'the host answered HTTP 403 without a result' } });
    const junk = createHttpClient({ token: 't', fetch: fakeFetch(200, { hello: 1 }) });
    const r3 = await junk['capture.recent']({});
    expect(!r3.ok && r3.error.code).toBe('internal');
  });

  it('reads token and capture from the page URL', () => {
    expect(pageParams('?token=abc&capture=3')).toEqual({ token: 'abc', capture: 3 });
    expect(pageParams('?capture=0')).toEqual({ token: null, capture: null });
    expect(pageParams('?capture=x1')).toEqual({ token: null, capture: null });
  });
});

describe('API client (Electron preload)', () => {
  it('calls the per-operation bridge function, validated, and survives a throwing bridge', async () => {
    const calls: [string, unknown][] = [];
    const bridge = new Proxy({} as Record<string, unknown>, {
      get(_t, name: string) {
        if (name === 'onEvent') return () => () => {};
        if (name === 'frame.detail') return async () => Promise.reject(new Error('ipc down'));
        return async (req: unknown) => {
          calls.push([name, req]);
          return { ok: true, value: { cancelled: false } };
        };
      },
    }) as unknown as TracehoundBridge;
    const api = createBridgeClient(bridge);
    expect(await api['capture.cancel']({})).toEqual({ ok: true, value: { cancelled: false } });
    expect(calls).toEqual([['capture.cancel', {}]]);
    const bad = await api['frame.detail']({ captureId: 1, frame: 1.5 });
    expect(!bad.ok && bad.error.code).toBe('bad-request');
    const down = await api['frame.detail']({ captureId: 1, frame: 2 });
    expect(down).toEqual({ ok: false, error: { code: 'io', message: 'ipc down' } });
    expect(calls).toHaveLength(1);
    const names: ApiName[] = ['packets.page', 'graph.neighbors'];
    for (const n of names) expect(typeof api[n]).toBe('function');
  });
});
