/**
 * Loading an API result into a view: the latest request wins (an answer to an older request is
 * dropped, so a fast tab switch cannot show stale rows), and errors arrive as the contract's
 * ApiError, never as a thrown exception.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiError, Result } from '../../../shared/api.js';

export type Load<T> =
  | { state: 'idle' }
  | { state: 'loading'; value?: T }
  | { state: 'ok'; value: T }
  | { state: 'error'; error: ApiError; value?: T };

/**
 * Runs `fetch` whenever `key` changes (a string built from the request's inputs), or never
 * while `key` is null. `reload` repeats the current request.
 */
export function useLoad<T>(key: string | null, fetch: () => Promise<Result<T>>): [Load<T>, () => void] {
  const [load, setLoad] = useState<Load<T>>(key === null ? { state: 'idle' } : { state: 'loading' });
  const seq = useRef(0);
  const fetchRef = useRef(fetch);
  fetchRef.current = fetch;

  const run = useCallback(() => {
    const my = ++seq.current;
    setLoad((prev) => ({ state: 'loading', ...('value' in prev && prev.value !== undefined ? { value: prev.value } : {}) }));
    fetchRef.current().then(
      (r) => {
        if (my !== seq.current) return;
        setLoad(r.ok ? { state: 'ok', value: r.value } : { state: 'error', error: r.error });
      },
      (e: unknown) => {
        if (my !== seq.current) return;
        setLoad({ state: 'error', error: { code: 'internal', message: e instanceof Error ? e.message : String(e) } });
      },
    );
  }, []);

  useEffect(() => {
    if (key === null) {
      seq.current++;
      setLoad({ state: 'idle' });
      return;
    }
    run();
  }, [key, run]);

  return [load, run];
}
