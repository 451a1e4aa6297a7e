import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiProblem } from '../api/client';

export interface AsyncState<T> {
  data: T | undefined;
  error: ApiProblem | undefined;
  loading: boolean;
  /** Loads again, keeping what is shown until the answer comes (no flicker on refresh). */
  reload: () => void;
}

/**
 * Loads `load()` whenever `deps` change; an answer to an older load is dropped, so fast filter
 * changes never show stale rows. `refreshMs` polls while the view is open (and the tab visible).
 */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[], refreshMs?: number): AsyncState<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiProblem; loading: boolean }>({ loading: true });
  const [generation, setGeneration] = useState(0);
  const latest = useRef(0);
  const reload = useCallback(() => setGeneration((value) => value + 1), []);

  useEffect(() => {
    const id = ++latest.current;
    const controller = new AbortController();
    setState((previous) => ({ ...previous, loading: true }));
    load(controller.signal).then(
      (data) => id === latest.current && setState({ data, loading: false }),
      (error: unknown) => {
        if (id !== latest.current || (error as Error).name === 'AbortError') return;
        setState((previous) => ({ data: previous.data, error: asProblem(error), loading: false }));
      },
    );
    return () => controller.abort();
    // `deps` are the caller's: what the load depends on.
  }, [...deps, generation]);

  useEffect(() => {
    if (!refreshMs) return;
    const timer = window.setInterval(() => document.visibilityState === 'visible' && reload(), refreshMs);
    return () => window.clearInterval(timer);
  }, [refreshMs, reload]);

  return { data: state.data, error: state.error, loading: state.loading, reload };
}

export function asProblem(error: unknown): ApiProblem {
  if (error instanceof ApiProblem) return error;
  return new ApiProblem(0, 'console_error', error instanceof Error ? error.message : String(error));
}
