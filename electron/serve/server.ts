/**
 * `tracehound serve`: the browser host. It carries the API contract (shared/api.ts) over HTTP
 * on 127.0.0.1 and serves the built renderer; all the work is the engine's (EngineApi).
 *
 *   POST /api/<name>        JSON body ≤ 1 MiB → api.handlers[name](body) → 200 JSON Result
 *   GET  /api/events?token  Server-Sent Events: ApiEvent (ingest progress) as `data:` JSON
 *   GET  /…                 static files of the built renderer (dist/renderer)
 *
 * Threat model: the evidence is hostile and the laptop runs a browser that visits other
 * sites. Anything that can reach 127.0.0.1 — another local user, a web page through DNS
 * rebinding or cross-site requests — must not read the case or drive the engine. Hence:
 *  - bind 127.0.0.1 only (never 0.0.0.0, never ::);
 *  - a random per-run token: a header on API calls (a cross-origin page cannot set a custom
 *    header without a CORS preflight, which this server never grants), a query parameter only
 *    for the event stream (EventSource cannot set headers); compared in constant time;
 *  - the Host header must name this server (DNS rebinding: a rebound name still sends its own
 *    Host), and an Origin header, when present, must be this server's own origin;
 *  - static files are confined to the renderer directory and carry a strict CSP, the same
 *    policy the Electron shell uses (Electron security checklist §7, "Define a Content
 *    Security Policy"), so captured strings can never run as script even if a bug put them in
 *    markup;
 *  - nothing is logged per request: the token travels in URLs and must not reach a log.
 *
 * The request line and headers are bounded by node:http itself (16 KiB header limit); bodies
 * are bounded here.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { dirname, extname, join, resolve, sep } from 'node:path';
import type { ApiEvent, Result } from '../../shared/api.js';
import { isApiName } from '../../shared/api.js';
import type { EngineApi } from '../engine/index.js';

/** The only interface the server listens on. Loopback: the workbench is single-user and offline. */
export const BIND_ADDRESS = '127.0.0.1';
/** Largest API request body: the biggest request (objects.export with 100 000 ids) is ~700 KB. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Event-stream clients held at once: one renderer tab needs one; bounds memory and sockets. */
export const MAX_EVENT_CLIENTS = 16;
/** Bytes an event-stream client may leave unread before it is dropped (a stalled tab must not grow our heap). */
const MAX_EVENT_BACKLOG = 4 * 1024 * 1024;
/** Comment sent on idle event streams so proxies and the browser keep them open. */
const HEARTBEAT_MS = 15_000;
/** Token entropy: 32 random bytes (256 bits), base64url so it sits in a URL unescaped. */
const TOKEN_BYTES = 32;
export const TOKEN_HEADER = 'x-tracehound-token';

/**
 * The renderer's CSP. `img-src data: blob:` because vis-network and exported canvas images
 * use data/blob URLs; nothing else is loosened from the conventions' policy.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  // The token is in the page URL: never send it on as a Referer.
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  // Everything is either per-run (token) or a build output that may change under us.
  'Cache-Control': 'no-store',
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

/** Shown when the renderer has not been built. A constant: no request or captured data reaches it. */
export const NOT_BUILT_PAGE =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Tracehound</title></head>' +
  '<body><h1>Tracehound</h1><p>renderer not built: run npm run build</p></body></html>\n';

/** Fans engine events out to the connected event-stream clients. */
export class EventHub {
  private readonly listeners = new Set<(e: ApiEvent) => void>();

  publish(e: ApiEvent): void {
    for (const l of [...this.listeners]) l(e);
  }

  subscribe(l: (e: ApiEvent) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  get size(): number {
    return this.listeners.size;
  }
}

export interface ServeOptions {
  /** The engine; construct it with `onEvent: (e) => events.publish(e)` so progress reaches the browser. */
  api: EngineApi;
  /** Where the engine's events are published (default: a hub of the server's own, see `publish`). */
  events?: EventHub;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** The built renderer (dist/renderer). */
  staticDir: string;
  /** A capture or case to open once listening; its handle is added to the URL as `capture`. */
  open?: string;
}

export interface RunningServer {
  /** `http://127.0.0.1:PORT/?token=TOKEN[&capture=HANDLE]`: a secret, print it only to the user. */
  url: string;
  port: number;
  /** The address actually bound (always BIND_ADDRESS). */
  address: string;
  token: string;
  /** The handle of `open`, when given. */
  captureId: number | null;
  /** Send an event to every connected event stream. */
  publish: (e: ApiEvent) => void;
  close: () => Promise<void>;
}

/** A fresh per-run secret. */
export function newToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/**
 * Constant-time token check. Both sides are hashed first so the comparison length (and the
 * time it takes) does not depend on how much of a guess matched or how long it was.
 */
function tokenMatches(given: string | undefined, token: string): boolean {
  if (typeof given !== 'string') return false;
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(token, 'utf8').digest();
  return timingSafeEqual(a, b);
}

function setSecurityHeaders(res: ServerResponse): void {
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
}

/** A bare refusal: no detail, so a probe learns nothing about why. */
function refuse(res: ServerResponse, status: number): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end(status === 403 ? 'forbidden\n' : status === 404 ? 'not found\n' : status === 405 ? 'method not allowed\n' : 'bad request\n');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

function errorResult(code: string, message: string): Result<never> {
  return { ok: false, error: { code, message } };
}

class BodyTooLarge extends Error {}

/** Reads a request body up to MAX_BODY_BYTES; rejects with BodyTooLarge beyond it. */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolveBody, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        done = true;
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!done) {
        done = true;
        resolveBody(Buffer.concat(chunks));
      }
    });
    req.on('error', (e) => {
      if (!done) {
        done = true;
        reject(e);
      }
    });
  });
}

/**
 * Maps a request path to a file inside `root`, or null when it is not one. Each segment is
 * percent-decoded on its own, and a segment that decodes to `.`, `..`, or contains a slash,
 * backslash or NUL is refused outright (no normalising it away: `/%2e%2e/` and `/a/../b` are
 * both refused). The final path is checked again against the real (symlink-free) root.
 */
function staticPath(root: string, rawPath: string): string | null | 'refused' {
  if (!rawPath.startsWith('/')) return 'refused';
  const segments: string[] = [];
  for (const raw of rawPath.slice(1).split('/')) {
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return 'refused';
    }
    if (seg === '.' || seg === '..' || /[/\\\0]/.test(seg)) return 'refused';
    if (seg !== '') segments.push(seg);
  }
  if (segments.length === 0) segments.push('index.html');
  const file = resolve(root, ...segments);
  if (!file.startsWith(root + sep)) return 'refused';
  let real: string;
  try {
    real = realpathSync(file);
  } catch {
    return null;
  }
  if (!real.startsWith(root + sep)) return 'refused';
  try {
    return statSync(real).isFile() ? real : null;
  } catch {
    return null;
  }
}

/** Starts the browser host; resolves once it listens (and `open`, if given, is open). */
export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const { api } = opts;
  const events = opts.events ?? new EventHub();
  const token = newToken();
  let staticRoot: string;
  try {
    staticRoot = realpathSync(resolve(opts.staticDir));
  } catch {
    // Not built yet: requests get the built-in page; nothing on disk is served.
    staticRoot = resolve(opts.staticDir);
  }
  let port = 0;
  const sockets = new Set<Socket>();
  const streams = new Set<ServerResponse>();

  const allowedHost = (h: string | undefined): boolean => h === `127.0.0.1:${port}` || h === `localhost:${port}`;

  const serveStatic = (req: IncomingMessage, res: ServerResponse, rawPath: string): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      refuse(res, 405);
      return;
    }
    const indexPresent = existsSync(join(staticRoot, 'index.html'));
    if (!indexPresent) {
      if (rawPath === '/' || rawPath === '/index.html') {
        res.statusCode = 200;
        res.setHeader('Content-Type', 'text/html; charset=utf-8');
        res.setHeader('Content-Length', Buffer.byteLength(NOT_BUILT_PAGE));
        res.end(req.method === 'HEAD' ? undefined : NOT_BUILT_PAGE);
      } else refuse(res, 404);
      return;
    }
    const file = staticPath(staticRoot, rawPath);
    if (file === 'refused') return refuse(res, 403);
    if (file === null) return refuse(res, 404);
    const size = statSync(file).size;
    res.statusCode = 200;
    res.setHeader('Content-Type', CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream');
    res.setHeader('Content-Length', size);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const s = createReadStream(file);
    s.on('error', () => res.destroy());
    s.pipe(res);
  };

  const serveEvents = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'GET') {
      res.setHeader('Allow', 'GET');
      refuse(res, 405);
      return;
    }
    if (streams.size >= MAX_EVENT_CLIENTS) {
      refuse(res, 503);
      return;
    }
    res.statusCode = 200;
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Connection', 'keep-alive');
    res.flushHeaders();
    // A comment first, so the client sees the stream open before any event.
    res.write(': tracehound events\n\n');
    streams.add(res);
    const send = (chunk: string) => {
      if (res.writableLength > MAX_EVENT_BACKLOG) {
        res.destroy();
        return;
      }
      res.write(chunk);
    };
    // JSON.stringify never emits a raw newline, so one `data:` line carries the whole event.
    const unsubscribe = events.subscribe((e) => send(`data: ${JSON.stringify(e)}\n\n`));
    const beat = setInterval(() => send(': \n\n'), HEARTBEAT_MS);
    beat.unref();
    res.on('close', () => {
      clearInterval(beat);
      unsubscribe();
      streams.delete(res);
    });
  };

  const serveApi = async (req: IncomingMessage, res: ServerResponse, name: string): Promise<void> => {
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      refuse(res, 405);
      return;
    }
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (e) {
      if (e instanceof BodyTooLarge) {
        // Say so, then stop reading: the rest of an oversized body is not worth the bandwidth.
        res.setHeader('Connection', 'close');
        sendJson(res, 413, errorResult('bad-request', `request body larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
      } else res.destroy();
      return;
    }
    if (!isApiName(name)) {
      sendJson(res, 404, errorResult('not-found', 'unknown operation'));
      return;
    }
    let parsed: unknown;
    try {
      parsed = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      sendJson(res, 400, errorResult('bad-request', `${name}: request body is not JSON`));
      return;
    }
    // The handlers validate the request against the contract and never throw; guard anyway
    // so a bug answers one request with an error instead of taking the host down.
    let result: Result<unknown>;
    try {
      result = await (api.handlers[name] as (req: unknown) => Promise<Result<unknown>>)(parsed);
    } catch (e) {
      result = errorResult('internal', e instanceof Error ? e.message : 'internal error');
    }
    sendJson(res, 200, result);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    setSecurityHeaders(res);
    const host = req.headers.host;
    if (!allowedHost(host)) return refuse(res, 403);
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${host}`) return refuse(res, 403);
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q < 0 ? url : url.slice(0, q);
    if (rawPath === '/api' || rawPath.startsWith('/api/')) {
      if (rawPath === '/api/events') {
        const given = new URLSearchParams(q < 0 ? '' : url.slice(q + 1)).get('token') ?? undefined;
        if (!tokenMatches(given, token)) return refuse(res, 403);
        return serveEvents(req, res);
      }
      const header = req.headers[TOKEN_HEADER];
      if (!tokenMatches(Array.isArray(header) ? undefined : header, token)) return refuse(res, 403);
      return serveApi(req, res, rawPath.slice('/api/'.length));
    }
    serveStatic(req, res, rawPath);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      // Log no request detail: the URL may carry the token.
      if (!res.headersSent) sendJson(res, 500, errorResult('internal', 'internal error'));
      else res.destroy();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // Malformed HTTP: answer 400 without echoing anything back.
  server.on('clientError', (_e, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, BIND_ADDRESS, () => {
      server.off('error', fail);
      ok();
    });
  });
  const bound = server.address() as AddressInfo;
  port = bound.port;

  let closed: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((ok) => {
      for (const s of streams) s.end();
      server.close(() => ok());
      server.closeIdleConnections();
      for (const s of sockets) s.destroy();
    });
    return closed;
  };

  let captureId: number | null = null;
  if (opts.open !== undefined) {
    try {
      captureId = (await api.open(opts.open)).captureId;
    } catch (e) {
      await close();
      throw e;
    }
  }

  const base = `http://${BIND_ADDRESS}:${port}/?token=${token}`;
  return {
    url: captureId === null ? base : `${base}&capture=${captureId}`,
    port,
    address: bound.address,
    token,
    captureId,
    publish: (e) => events.publish(e),
    close,
  };
}

/** The package root (where package.json names `tracehound`), from source or from dist/. */
export function packageRoot(from: string = import.meta.dirname): string {
  let dir = from;
  // Source sits 2 levels below the root and the build 3: 6 is a generous bound.
  for (let i = 0; i < 6; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === 'tracehound') return dir;
      } catch {
        // not ours: keep climbing
      }
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return resolve(from, '..', '..');
}

/** The default renderer directory: dist/renderer under the package root. */
export function defaultStaticDir(): string {
  return join(packageRoot(), 'dist', 'renderer');
}
