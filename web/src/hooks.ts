import { type DependencyList, useCallback, useEffect, useRef, useState } from 'react';

export interface AsyncState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
  setData: (update: T | ((previous: T | undefined) => T | undefined)) => void;
}

/** Load data once per change of `deps`; stale answers are dropped. */
export function useAsync<T>(load: () => Promise<T>, deps: DependencyList): AsyncState<T> {
  const [data, setDataState] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  // biome-ignore lint/correctness/useExhaustiveDependencies: deps are the caller's
  useEffect(() => {
    let live = true;
    setLoading(true);
    setError(null);
    loadRef
      .current()
      .then((value) => {
        if (live) setDataState(value);
      })
      .catch((e: unknown) => {
        if (live) setError(e);
      })
      .finally(() => {
        if (live) setLoading(false);
      });
    return () => {
      live = false;
    };
  }, [...deps, tick]);

  const reload = useCallback(() => setTick((n) => n + 1), []);
  const setData = useCallback(
    (update: T | ((previous: T | undefined) => T | undefined)) =>
      setDataState((previous) =>
        typeof update === 'function'
          ? (update as (p: T | undefined) => T | undefined)(previous)
          : update,
      ),
    [],
  );
  return { data, error, loading, reload, setData };
}

export interface PagedState<T> {
  items: T[];
  nextCursor: string | null;
  /** First page loading. */
  loading: boolean;
  /** "Load more" running. */
  loadingMore: boolean;
  error: unknown;
  loadMore: () => void;
  reload: () => void;
  update: (fn: (items: T[]) => T[]) => void;
}

/** Cursor pagination: the first page once per change of `deps`, then "load more". */
export function usePaged<T>(
  load: (cursor: string | null) => Promise<{ data: T[]; nextCursor: string | null }>,
  deps: DependencyList,
): PagedState<T> {
  const [items, setItems] = useState<T[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const generation = useRef(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: deps are the caller's
  useEffect(() => {
    const mine = ++generation.current;
    setLoading(true);
    setError(null);
    loadRef
      .current(null)
      .then((page) => {
        if (mine !== generation.current) return;
        setItems(page.data);
        setNextCursor(page.nextCursor ?? null);
      })
      .catch((e: unknown) => {
        if (mine === generation.current) {
          setItems([]);
          setNextCursor(null);
          setError(e);
        }
      })
      .finally(() => {
        if (mine === generation.current) setLoading(false);
      });
  }, [...deps, tick]);

  const loadMore = useCallback(() => {
    if (!nextCursor) return;
    const mine = generation.current;
    setLoadingMore(true);
    setError(null);
    loadRef
      .current(nextCursor)
      .then((page) => {
        if (mine !== generation.current) return;
        setItems((list) => [...list, ...page.data]);
        setNextCursor(page.nextCursor ?? null);
      })
      .catch((e: unknown) => {
        if (mine === generation.current) setError(e);
      })
      .finally(() => setLoadingMore(false));
  }, [nextCursor]);

  const reload = useCallback(() => setTick((n) => n + 1), []);
  const update = useCallback((fn: (items: T[]) => T[]) => setItems(fn), []);

  return { items, nextCursor, loading, loadingMore, error, loadMore, reload, update };
}
