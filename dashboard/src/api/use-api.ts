import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from './client';

export type Loadable<T> =
  | { state: 'loading'; data?: undefined; error?: undefined }
  | { state: 'ok'; data: T; error?: undefined }
  | { state: 'error'; data?: undefined; error: ApiError };

export interface ApiResult<T> {
  result: Loadable<T>;
  reload: () => void;
}

function asApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError(0, 'client', error instanceof Error ? error.message : String(error));
}

/**
 * Loads once per change of `key` (a string naming the request and its parameters); answers
 * that arrive after a newer request started are dropped.
 */
export function useApi<T>(key: string | null, load: () => Promise<T>): ApiResult<T> {
  const [result, setResult] = useState<Loadable<T>>({ state: 'loading' });
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    if (key === null) return;
    let current = true;
    setResult({ state: 'loading' });
    loadRef.current().then(
      (data) => current && setResult({ state: 'ok', data }),
      (error: unknown) => current && setResult({ state: 'error', error: asApiError(error) }),
    );
    return () => {
      current = false;
    };
  }, [key, generation]);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  return { result, reload };
}

/** A write with its pending state and error, for forms and buttons. */
export function useAction<A extends unknown[], R>(action: (...args: A) => Promise<R>) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const run = useCallback(async (...args: A): Promise<R | undefined> => {
    setPending(true);
    setError(undefined);
    try {
      return await action(...args);
    } catch (caught) {
      setError(asApiError(caught));
      return undefined;
    } finally {
      setPending(false);
    }
  }, [action]);
  return { run, pending, error, clearError: () => setError(undefined) };
}
