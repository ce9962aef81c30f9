/**
 * The app:// protocol: the renderer is served from the built dist/renderer directory and
 * from nowhere else (security checklist item 18: prefer a custom protocol to file://).
 * Requests are confined to that directory — no `..`, no encoded traversal, no symlink out —
 * and every response carries the strict CSP (item 7).
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, normalize, relative, sep } from 'node:path';
import type { Protocol } from 'electron';
import { APP_HOST, APP_SCHEME, CSP } from './security.js';

/**
 * Registers app: as a standard, secure scheme. Must run before app 'ready' (Electron's
 * rule for registerSchemesAsPrivileged). `supportFetchAPI` lets the page fetch its own
 * assets; nothing else (no bypassCSP, no service workers, no CORS for other origins).
 */
export function registerAppScheme(protocol: Protocol): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/** Longest request path served; a real asset path is far shorter, longer ones are probes. */
const MAX_PATH_CHARS = 1024;

function respond(status: number, body: string | Uint8Array, type: string): Response {
  return new Response(body as BodyInit, {
    status,
    headers: {
      'Content-Type': type,
      'Content-Security-Policy': CSP,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    },
  });
}

const notFound = () => respond(404, 'not found', 'text/plain; charset=utf-8');

/**
 * Maps an app:// URL to a file under `root`, or null when the URL is not ours or would leave
 * `root`. Pure path arithmetic; the caller also checks the real path after symlinks.
 */
export function resolveAppPath(root: string, url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return null;
  if (u.pathname.length > MAX_PATH_CHARS) return null;
  let path: string;
  try {
    path = decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
  // A NUL or a backslash has no business in an asset path (backslash is a separator on Windows).
  if (path.includes('\0') || path.includes('\\')) return null;
  if (path === '/' || path === '') path = '/index.html';
  const target = normalize(join(root, path));
  const rel = relative(root, target);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..')) return null;
  return target;
}

/** The protocol.handle handler serving `root` (the packaged dist/renderer). */
export function appRequestHandler(root: string): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return respond(405, 'method not allowed', 'text/plain; charset=utf-8');
    const target = resolveAppPath(root, request.url);
    if (target === null) return notFound();
    try {
      // Symlinks must not lead out of the renderer directory either.
      const [realRoot, realTarget] = await Promise.all([realpath(root), realpath(target)]);
      const rel = relative(realRoot, realTarget);
      if (rel.startsWith('..') || isAbsolute(rel)) return notFound();
      if (!(await stat(realTarget)).isFile()) return notFound();
      const body = await readFile(realTarget);
      return respond(200, new Uint8Array(body), MIME[extname(realTarget).toLowerCase()] ?? 'application/octet-stream');
    } catch {
      return notFound();
    }
  };
}

/** Serves the renderer on app://tracehound/. Call after app 'ready'. */
export function serveApp(protocol: Protocol, root: string): void {
  protocol.handle(APP_SCHEME, appRequestHandler(root));
}
