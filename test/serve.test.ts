/**
 * The browser host (`tracehound serve`, electron/serve/server.ts) over real HTTP on
 * 127.0.0.1: who may talk to it (token, Host, Origin), what it serves (confined static files
 * with a strict CSP) and the API and event stream it carries. Raw requests go through
 * node:http so paths and Host headers reach the server exactly as written (fetch would
 * normalise `/../` away and forbids setting Host).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent } from '../shared/api.js';
import { EngineApi } from '../electron/engine/index.js';
import { CONTENT_SECURITY_POLICY, EventHub, MAX_BODY_BYTES, NOT_BUILT_PAGE, startServer, type RunningServer } from '../electron/serve/server.js';
import { tmpDir } from './support/shared.js';
import { smallSession, writeSmallPcap } from './support/fixtures.js';

const tmp = tmpDir('th-serve-');
const staticDir = join(tmp.dir, 'static');
const capture = join(tmp.dir, 'small.pcap');
const events = new EventHub();
let api: EngineApi;
let srv: RunningServer;
let host: string;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function raw(method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<Reply> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port: srv.port, method, path, headers: { Host: host, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

const authed = (extra: Record<string, string> = {}) => ({ 'X-Tracehound-Token': srv.token, 'Content-Type': 'application/json', ...extra });

async function call<T = unknown>(name: string, req: unknown): Promise<{ status: number; json: { ok: boolean; value?: T; error?: { code: string; message: string; diagnostics?: unknown[] } } }> {
  const r = await raw('POST', `/api/${name}`, authed(), JSON.stringify(req));
  return { status: r.status, json: JSON.parse(r.body) };
}

beforeAll(async () => {
  process.env['TRACEHOUND_CACHE'] = join(tmp.dir, 'cache');
  writeSmallPcap(capture);
  mkdirSync(join(staticDir, 'assets'), { recursive: true });
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><script type="module" src="./assets/app.js"></script>');
  writeFileSync(join(staticDir, 'assets', 'app.js'), 'export {};\n');
  writeFileSync(join(tmp.dir, 'secret.txt'), 'outside the static dir');
  symlinkSync(join(tmp.dir, 'secret.txt'), join(staticDir, 'link.txt'));
  api = new EngineApi({ onEvent: (e) => events.publish(e), recentFile: join(tmp.dir, 'recent.json') });
  srv = await startServer({ api, events, port: 0, staticDir });
  host = `127.0.0.1:${srv.port}`;
});

afterAll(async () => {
  await srv?.close();
  api?.close();
  tmp.cleanup();
});

describe('tracehound serve: who may talk to it', () => {
  it('listens on 127.0.0.1 only and prints a URL with a 256-bit token', () => {
    expect(srv.url).toBe(`http://127.0.0.1:${srv.port}/?token=${srv.token}`);
    expect(srv.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(srv.port).toBeGreaterThan(0);
  });

  it('binds the loopback address, not every interface', async () => {
    expect(srv.address).toBe('127.0.0.1');
    // Where the machine has another interface, the port must not answer on it.
    const other = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal);
    if (!other) return;
    const err = await new Promise<NodeJS.ErrnoException | null>((ok) => {
      const req = request({ host: other.address, port: srv.port, path: '/', headers: { Host: host }, timeout: 5000 }, (res) => {
        res.resume();
        ok(null);
      });
      req.on('error', (e) => ok(e));
      req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
      req.end();
    });
    expect(err?.code).toMatch(/ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH/);
  });

  it('refuses API calls without the token or with a wrong one', async () => {
    const none = await raw('POST', '/api/capture.recent', { 'Content-Type': 'application/json' }, '{}');
    expect([401, 403]).toContain(none.status);
    expect(none.body).not.toMatch(/token/i);
    const wrong = await raw('POST', '/api/capture.recent', { 'X-Tracehound-Token': srv.token.slice(0, -1) + (srv.token.endsWith('A') ? 'B' : 'A') }, '{}');
    expect([401, 403]).toContain(wrong.status);
    // The token is a header for calls, not a query parameter.
    const inQuery = await raw('POST', `/api/capture.recent?token=${srv.token}`, {}, '{}');
    expect([401, 403]).toContain(inQuery.status);
    const sse = await raw('GET', '/api/events?token=nope');
    expect([401, 403]).toContain(sse.status);
  });

  it('refuses a Host header that is not this server (DNS rebinding)', async () => {
    for (const h of ['evil.example', `evil.example:${srv.port}`, `127.0.0.1:${srv.port + 1}`, `0.0.0.0:${srv.port}`]) {
      const r = await raw('GET', '/', { Host: h });
      expect(r.status, h).toBe(403);
      const a = await raw('POST', '/api/capture.recent', { ...authed(), Host: h }, '{}');
      expect(a.status, h).toBe(403);
    }
    expect((await raw('GET', '/', { Host: `localhost:${srv.port}` })).status).toBe(200);
  });

  it('refuses a foreign Origin, and accepts its own', async () => {
    for (const o of ['http://evil.example', 'null', `http://127.0.0.1:${srv.port + 1}`, `https://127.0.0.1:${srv.port}`]) {
      const r = await raw('POST', '/api/capture.recent', authed({ Origin: o }), '{}');
      expect(r.status, o).toBe(403);
    }
    const own = await raw('POST', '/api/capture.recent', authed({ Origin: `http://127.0.0.1:${srv.port}` }), '{}');
    expect(own.status).toBe(200);
  });
});

describe('tracehound serve: static files', () => {
  it('serves index.html for / with the CSP and security headers', async () => {
    const r = await raw('GET', `/?token=${srv.token}`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toMatch(/default-src 'none'; script-src 'self'; style-src 'self';/);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    expect(r.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(r.headers['cross-origin-resource-policy']).toBe('same-origin');
    expect(r.headers['cache-control']).toBe('no-store');
    const js = await raw('GET', '/assets/app.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const head = await raw('HEAD', '/assets/app.js');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('refuses paths that leave the static directory', async () => {
    for (const p of ['/../package.json', '/../secret.txt', '/%2e%2e/secret.txt', '/%2e%2e/', '/assets/../../secret.txt', '/..%2fsecret.txt', '/%2e%2e%2fsecret.txt', '/..%5csecret.txt', '/link.txt', '/%00', '/%zz']) {
      const r = await raw('GET', p);
      expect(r.status, p).toBe(403);
      expect(r.body, p).not.toMatch(/outside the static dir|"name"/);
      // Refusals carry the security headers too.
      expect(r.headers['content-security-policy'], p).toBe(CONTENT_SECURITY_POLICY);
    }
    expect((await raw('GET', '/missing.js')).status).toBe(404);
    expect((await raw('POST', '/index.html', {}, '')).status).toBe(405);
  });

  it('serves a built-in page when the renderer is not built', async () => {
    const s2 = await startServer({ api, port: 0, staticDir: join(tmp.dir, 'no-such-dir') });
    try {
      const r = await fetch(`http://127.0.0.1:${s2.port}/`);
      expect(r.status).toBe(200);
      expect(await r.text()).toBe(NOT_BUILT_PAGE);
      expect(s2.token).not.toBe(srv.token);
      expect(r.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      expect((await fetch(`http://127.0.0.1:${s2.port}/assets/app.js`)).status).toBe(404);
    } finally {
      await s2.close();
    }
  });
});

describe('tracehound serve: the API', () => {
  it('capture.open → packets.page → frame.detail round trip (fetch, as the renderer does)', async () => {
    const post = async (name: string, body: unknown) => {
      const r = await fetch(`http://127.0.0.1:${srv.port}/api/${name}`, { method: 'POST', headers: { 'X-Tracehound-Token': srv.token, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
      return (await r.json()) as { ok: boolean; value: Record<string, unknown> & { rows?: { frame: number; protocol: string }[] } };
    };
    const opened = await post('capture.open', { path: capture });
    expect(opened.ok).toBe(true);
    const captureId = opened.value['captureId'] as number;
    const page = await post('packets.page', { captureId, filter: '', after: 0, limit: 100 });
    expect(page.ok).toBe(true);
    expect(page.value.rows!.map((r) => r.frame)).toEqual(smallSession().frames.map((_, i) => i + 1));
    const tcp = await post('packets.page', { captureId, filter: 'tcp.flags.syn == 1', after: 0, limit: 100 });
    expect(tcp.value.rows!.map((r) => r.frame)).toEqual([1, 2]);
    const detail = await post('frame.detail', { captureId, frame: 4 });
    expect(detail.ok).toBe(true);
    expect(detail.value['hex']).toBe(Buffer.from(smallSession().frames[3]!).toString('hex'));
    const recent = await post('capture.recent', {});
    expect(JSON.stringify(recent.value)).toContain('small.pcap');
  }, 30_000);

  it('a malformed body is a bad-request Result', async () => {
    const notJson = await raw('POST', '/api/packets.page', authed(), '{"captureId": 1,');
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.body)).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    const badShape = await call('packets.page', { captureId: 'one', filter: '', after: 0, limit: 10 });
    expect(badShape.status).toBe(200);
    expect(badShape.json).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(badShape.json.error!.message).toMatch(/captureId/);
  });

  it('a bad filter is a bad-filter Result with diagnostics', async () => {
    const { value } = (await call<{ captureId: number }>('capture.open', { path: capture })).json;
    const r = await call('packets.page', { captureId: value!.captureId, filter: 'ip.src == ', after: 0, limit: 10 });
    expect(r.status).toBe(200);
    expect(r.json.ok).toBe(false);
    expect(r.json.error!.code).toBe('bad-filter');
    expect(r.json.error!.diagnostics!.length).toBeGreaterThan(0);
    expect(r.json.error!.diagnostics![0]).toMatchObject({ start: expect.any(Number), length: expect.any(Number), message: expect.any(String) });
  }, 30_000);

  it('an unknown operation is 404, a GET on an operation 405', async () => {
    const r = await raw('POST', '/api/capture.delete', authed(), '{}');
    expect(r.status).toBe(404);
    expect(JSON.parse(r.body)).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect((await raw('POST', '/api/constructor', authed(), '{}')).status).toBe(404);
    expect((await raw('GET', '/api/capture.recent', authed())).status).toBe(405);
  });

  it('a body over 1 MiB is 413', async () => {
    const big = JSON.stringify({ path: 'x'.repeat(MAX_BODY_BYTES) });
    const r = await raw('POST', '/api/capture.open', authed(), big);
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    // Chunked (no Content-Length): counted as it arrives.
    const chunked = await new Promise<number>((ok, fail) => {
      const req = request({ host: '127.0.0.1', port: srv.port, method: 'POST', path: '/api/capture.open', headers: { Host: host, ...authed(), 'Transfer-Encoding': 'chunked' } }, (res) => {
        res.resume();
        ok(res.statusCode ?? 0);
      });
      req.on('error', fail);
      for (let i = 0; i < 20; i++) req.write(Buffer.alloc(64 * 1024, 0x20));
      req.end();
    });
    expect(chunked).toBe(413);
    // The server is still fine afterwards.
    expect((await call('capture.recent', {})).status).toBe(200);
  });

  it('the event stream delivers ingest.progress and ingest.done while a capture opens', async () => {
    const fresh = join(tmp.dir, 'fresh.pcap');
    writeSmallPcap(fresh, { nsec: true });
    const got: ApiEvent[] = [];
    const stream = await new Promise<{ close: () => void; done: Promise<void> }>((ok, fail) => {
      const req = request({ host: '127.0.0.1', port: srv.port, path: `/api/events?token=${encodeURIComponent(srv.token)}`, headers: { Host: host, Accept: 'text/event-stream' } }, (res) => {
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
        expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
        let buf = '';
        let resolveDone!: () => void;
        const done = new Promise<void>((r) => (resolveDone = r));
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          buf += c;
          let i;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const data = block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
            if (!data) continue;
            const e = JSON.parse(data) as ApiEvent;
            if (e.path === fresh) got.push(e);
            if (e.type === 'ingest.done' && e.path === fresh) resolveDone();
          }
        });
        ok({ close: () => req.destroy(), done });
      });
      req.on('error', () => undefined);
      req.on('response', () => undefined);
      req.end();
      setTimeout(() => fail(new Error('no event stream')), 10_000).unref();
    });
    try {
      const opened = await call<{ captureId: number }>('capture.open', { path: fresh });
      expect(opened.json.ok).toBe(true);
      await stream.done;
      const progress = got.filter((e) => e.type === 'ingest.progress');
      expect(progress.length).toBeGreaterThan(0);
      expect(progress.some((e) => e.type === 'ingest.progress' && e.progress.phase === 'done')).toBe(true);
      const done = got.find((e) => e.type === 'ingest.done');
      expect(done).toMatchObject({ type: 'ingest.done', captureId: opened.json.value!.captureId });
    } finally {
      stream.close();
    }
  }, 30_000);

  it('opens a target given at start and names it in the URL', async () => {
    const s2 = await startServer({ api, port: 0, staticDir, open: capture });
    try {
      expect(s2.captureId).toBeGreaterThan(0);
      expect(s2.url).toBe(`http://127.0.0.1:${s2.port}/?token=${s2.token}&capture=${s2.captureId}`);
    } finally {
      await s2.close();
    }
    await expect(startServer({ api, port: 0, staticDir, open: join(tmp.dir, 'missing.pcap') })).rejects.toThrow();
  }, 30_000);
});

describe('tracehound serve: the command', () => {
  const root = resolve(import.meta.dirname, '..');
  const built = existsSync(join(root, 'dist/electron/serve/server.js'));
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it.skipIf(!built)('bin/tracehound.mjs serve --port 0 CAPTURE prints the URL first and serves the API', async () => {
    child = spawn(process.execPath, [join(root, 'bin/tracehound.mjs'), 'serve', '--port', '0', capture], {
      env: { ...process.env, TRACEHOUND_CACHE: join(tmp.dir, 'cli-cache') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const first = await new Promise<string>((ok, fail) => {
      const rl = createInterface({ input: child!.stdout! });
      rl.once('line', ok);
      child!.once('exit', (code) => fail(new Error(`serve exited ${code}: ${stderr}`)));
    });
    const url = new URL(first);
    expect(url.hostname).toBe('127.0.0.1');
    const token = url.searchParams.get('token')!;
    const captureId = Number(url.searchParams.get('capture'));
    expect(captureId).toBeGreaterThan(0);
    expect(stderr).not.toContain(token);
    const r = await fetch(new URL('/api/stats.summary', url), { method: 'POST', headers: { 'X-Tracehound-Token': token, 'Content-Type': 'application/json' }, body: JSON.stringify({ captureId }) });
    expect(r.status).toBe(200);
    const s = (await r.json()) as { ok: boolean; value: { packets: number } };
    expect(s.ok).toBe(true);
    expect(s.value.packets).toBe(smallSession().frames.length);
    const exited = new Promise<number | null>((ok) => child!.once('exit', (code) => ok(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);
});
