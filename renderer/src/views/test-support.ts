/**
 * Helpers for the views' jsdom tests: a fake API that implements only the calls a test
 * gives it (any other call fails the test loudly), and a `t` that renders the English
 * dictionary and records keys it does not know.
 */
import type { ApiHandlers, ApiName, ApiRequest, ApiResponses, Result } from '../../../shared/api.js';
import type { ApiClient, Pivot, TFunction, ViewProps } from './types.js';
import { VIEW_STRINGS } from './strings.js';

export type FakeCalls = { [K in ApiName]?: (req: ApiRequest<K>) => ApiResponses[K] | Result<ApiResponses[K]> | Promise<Result<ApiResponses[K]>> };

export interface FakeApi {
  api: ApiClient;
  /** Every call made, in order. */
  calls: { name: ApiName; req: unknown }[];
}

function isResult(v: unknown): v is Result<unknown> {
  return v !== null && typeof v === 'object' && 'ok' in v && typeof (v as { ok: unknown }).ok === 'boolean' && ('value' in v || 'error' in v);
}

export function fakeApi(impl: FakeCalls): FakeApi {
  const calls: FakeApi['calls'] = [];
  const api = new Proxy({} as ApiHandlers, {
    get(_t, name: string) {
      return async (req: unknown) => {
        calls.push({ name: name as ApiName, req });
        const f = (impl as Record<string, ((r: unknown) => unknown) | undefined>)[name];
        if (!f) throw new Error(`fake API: unexpected call ${name}`);
        const out = await f(req);
        return isResult(out) ? out : { ok: true, value: out };
      };
    },
  });
  return { api, calls };
}

export const unknownKeys = new Set<string>();

export const tEn: TFunction = (key, vars) => {
  const s = (VIEW_STRINGS.en as Record<string, string>)[key];
  if (s === undefined) unknownKeys.add(key);
  return (s ?? key).replace(/\{(\w+)\}/g, (m, k: string) => (vars && k in vars ? String(vars[k]) : m));
};

export function viewProps(api: ApiClient, extra: Partial<ViewProps> = {}): ViewProps & { pivots: Pivot[] } {
  const pivots: Pivot[] = [];
  return { api, captureId: 1, t: tEn, lang: 'en', pivot: (p) => pivots.push(p), pivots, ...extra };
}

/** Base64 of a latin-1/ASCII string (test payloads). */
export function b64(s: string): string {
  return btoa(s);
}
