/**
 * The renderer's API client: one async function per contract entry (shared/api.ts), the same
 * shape whichever host carries the calls.
 *
 *  - Electron: the preload exposes `window.tracehound` with one function per operation
 *    (`window.tracehound['packets.page'](req)`), `onEvent(cb)` and `pathForFile(file)`.
 *  - Browser host (`tracehound serve`): `POST /api/<name>` with a JSON body and the per-run
 *    token from the page URL (`?token=`) in `X-Tracehound-Token`; events over
 *    `EventSource('/api/events?token=…')` (EventSource cannot send headers).
 *
 * Requests are validated with `checkRequest` before they leave, so a renderer bug shows as a
 * 'bad-request' Result here rather than a host error. Nothing throws: transport failures
 * become `{ok: false, error: {code: 'io'}}`.
 */
import { API_NAMES, checkRequest, type ApiError, type ApiEvent, type ApiHandlers, type ApiName, type ApiRequest, type Result } from '../../../shared/api.js';

export type ApiClient = ApiHandlers;

/** What the Electron preload exposes on `window.tracehound`. */
export type TracehoundBridge = {
  [K in ApiName]: (req: ApiRequest<K>) => Promise<Result<unknown>>;
} & {
  onEvent(cb: (e: ApiEvent) => void): (() => void) | void;
  /** Electron's webUtils.getPathForFile through the preload: a dropped file's path. */
  pathForFile?(file: File): string;
};

declare global {
  interface Window {
    tracehound?: TracehoundBridge;
  }
}

export interface Host {
  kind: 'electron' | 'browser';
  api: ApiClient;
  /** Subscribe to host events; returns the unsubscribe function. */
  onEvent(cb: (e: ApiEvent) => void): () => void;
  /** A dropped file's path, or null where the host cannot tell (the browser). */
  pathForFile(file: File): string | null;
}

function ioError<T>(message: string): Result<T> {
  return { ok: false, error: { code: 'io', message } };
}

/** A Result-shaped value from the other side, or an 'internal' error when it is not one. */
function asResult<T>(v: unknown): Result<T> {
  if (v && typeof v === 'object' && 'ok' in v) {
    const r = v as { ok: unknown; value?: unknown; error?: unknown };
    if (r.ok === true) return { ok: true, value: r.value as T };
    if (r.ok === false && r.error && typeof r.error === 'object' && typeof (r.error as { message?: unknown }).message === 'string') {
      return { ok: false, error: r.error as ApiError };
    }
  }
  return { ok: false, error: { code: 'internal', message: 'the host sent a malformed response' } };
}

function buildClient(send: (name: ApiName, req: unknown) => Promise<Result<unknown>>): ApiClient {
  const client = {} as Record<ApiName, (req: unknown) => Promise<Result<unknown>>>;
  for (const name of API_NAMES) {
    client[name] = async (req: unknown) => {
      const checked = checkRequest(name, req);
      if (!checked.ok) return checked;
      try {
        return asResult(await send(name, checked.value));
      } catch (e) {
        return ioError(e instanceof Error ? e.message : String(e));
      }
    };
  }
  return client as unknown as ApiClient;
}

export interface HttpClientOptions {
  token: string;
  /** Origin-relative base of the API ('' = same origin). */
  base?: string;
  fetch?: typeof fetch;
}

export const TOKEN_HEADER = 'X-Tracehound-Token';

export function createHttpClient(opts: HttpClientOptions): ApiClient {
  const doFetch = opts.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));
  const base = opts.base ?? '';
  return buildClient(async (name, req) => {
    let res: Response;
    try {
      res = await doFetch(`${base}/api/${name}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', [TOKEN_HEADER]: opts.token },
        body: JSON.stringify(req),
        credentials: 'same-origin',
      });
    } catch (e) {
      return ioError(`cannot reach the Tracehound host: ${e instanceof Error ? e.message : String(e)}`);
    }
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      return ioError(`the host answered HTTP ${res.status} without a result`);
    }
    if (!res.ok && !(body && typeof body === 'object' && 'ok' in body)) return ioError(`the host answered HTTP ${res.status}`);
    return asResult(body);
  });
}

export function createBridgeClient(bridge: TracehoundBridge): ApiClient {
  return buildClient((name, req) => {
    const fn = bridge[name] as ((r: unknown) => Promise<Result<unknown>>) | undefined;
    if (typeof fn !== 'function') return Promise.resolve({ ok: false, error: { code: 'internal', message: `the host does not offer ${name}` } });
    return fn(req);
  });
}

const EVENT_TYPES: ApiEvent['type'][] = ['ingest.progress', 'ingest.done', 'ingest.error'];

function parseEvent(data: unknown): ApiEvent | null {
  if (typeof data !== 'string') return null;
  try {
    const v = JSON.parse(data) as { type?: unknown };
    return v && typeof v === 'object' && EVENT_TYPES.includes(v.type as ApiEvent['type']) ? (v as ApiEvent) : null;
  } catch {
    return null;
  }
}

/** Query parameters of the page URL the host opened: `token`, and `capture` (an opened handle). */
export function pageParams(search: string): { token: string | null; capture: number | null } {
  const p = new URLSearchParams(search);
  const cap = Number(p.get('capture'));
  return { token: p.get('token'), capture: Number.isSafeInteger(cap) && cap >= 1 ? cap : null };
}

/** The host this page runs in: the Electron preload when present, else the browser host. */
export function detectHost(win: Window = window): Host {
  const bridge = win.tracehound;
  if (bridge) {
    return {
      kind: 'electron',
      api: createBridgeClient(bridge),
      onEvent: (cb) => {
        const off = bridge.onEvent((e) => cb(e));
        return typeof off === 'function' ? off : () => {};
      },
      pathForFile: (file) => {
        try {
          return bridge.pathForFile?.(file) || null;
        } catch {
          return null;
        }
      },
    };
  }
  const token = pageParams(win.location.search).token ?? '';
  return {
    kind: 'browser',
    api: createHttpClient({ token }),
    onEvent: (cb) => {
      if (typeof EventSource === 'undefined') return () => {};
      const es = new EventSource(`/api/events?token=${encodeURIComponent(token)}`);
      const handler = (m: MessageEvent) => {
        const e = parseEvent(m.data);
        if (e) cb(e);
      };
      // Hosts may send unnamed events (`data:` only) or events named by type: accept both.
      es.addEventListener('message', handler);
      for (const t of EVENT_TYPES) es.addEventListener(t, handler as EventListener);
      return () => es.close();
    },
    pathForFile: () => null,
  };
}
