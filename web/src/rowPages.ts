/**
 * A run's rows, fetched a page at a time as the virtual list scrolls to them. Pages are kept
 * while the filter stays the same; a new `version` (a running run that made progress) refetches
 * the pages in view without blanking them.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, type PageRow, type ResultsFilter, type ResultsPage } from './api.js';

export const PAGE_SIZE = 100;

/** First pages asked for before the list mounts (see prefetchFirstPage), by filter key. */
const prefetched = new Map<string, Promise<ResultsPage>>();

function filterKey(runId: string, filter: ResultsFilter): string {
  return JSON.stringify([runId, filter.metric, filter.maxScore, filter.errorsOnly, filter.sort]);
}

/**
 * Starts loading a run's first page of rows at once, alongside the run itself, so that the list
 * does not wait for the run's details before asking for its rows. The list takes it over.
 */
export function prefetchFirstPage(runId: string, filter: ResultsFilter): void {
  const key = filterKey(runId, filter);
  if (prefetched.has(key)) return;
  const promise = api.results(runId, { offset: 0, limit: PAGE_SIZE, ...filter });
  promise.catch(() => prefetched.delete(key));
  prefetched.set(key, promise);
  // Taken over within a moment, or dropped: never a stale page later.
  setTimeout(() => prefetched.delete(key), 10_000);
}

export interface RowPages {
  total: number | undefined;
  /** The row at a position of the filtered, sorted list, once its page has loaded. */
  rowAt: (position: number) => PageRow | undefined;
  /** Asks for the pages covering these positions. */
  ensure: (first: number, last: number) => void;
  error: Error | undefined;
  /** Bumped whenever a page arrives, so that the list re-renders. */
  revision: number;
}

export function useRowPages(runId: string, filter: ResultsFilter, version: string): RowPages {
  const key = filterKey(runId, filter);
  const state = useRef({
    key,
    pages: new Map<number, PageRow[]>(),
    fresh: new Set<number>(),
    inFlight: new Set<number>(),
    controller: new AbortController(),
  });
  const [total, setTotal] = useState<number | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [revision, setRevision] = useState(0);
  const visible = useRef<[number, number]>([0, 0]);
  const filterRef = useRef(filter);
  filterRef.current = filter;

  const fetchPage = useCallback(
    (page: number) => {
      const s = state.current;
      if (s.inFlight.has(page) || s.fresh.has(page)) return;
      s.inFlight.add(page);
      const { signal } = s.controller;
      const requestKey = s.key;
      const early = page === 0 ? prefetched.get(requestKey) : undefined;
      if (early) prefetched.delete(requestKey);
      (early ?? api.results(runId, { offset: page * PAGE_SIZE, limit: PAGE_SIZE, ...filterRef.current }, signal)).then(
        (result) => {
          if (state.current.key !== requestKey) return;
          s.inFlight.delete(page);
          s.pages.set(page, result.rows);
          s.fresh.add(page);
          setTotal(result.total);
          setError(undefined);
          setRevision((r) => r + 1);
        },
        (e: unknown) => {
          s.inFlight.delete(page);
          if (signal.aborted || state.current.key !== requestKey) return;
          setError(e instanceof Error ? e : new Error(String(e)));
        },
      );
    },
    [runId],
  );

  const ensure = useCallback(
    (first: number, last: number) => {
      visible.current = [first, last];
      const from = Math.floor(Math.max(0, first) / PAGE_SIZE);
      const to = Math.floor(Math.max(0, last) / PAGE_SIZE);
      for (let page = from; page <= to; page++) fetchPage(page);
    },
    [fetchPage],
  );

  // A new filter: drop everything and start from the first page.
  useEffect(() => {
    const s = state.current;
    if (s.key === key && s.pages.size > 0) return;
    s.controller.abort();
    state.current = { key, pages: new Map(), fresh: new Set(), inFlight: new Set(), controller: new AbortController() };
    setTotal(undefined);
    setError(undefined);
    setRevision((r) => r + 1);
    fetchPage(0);
  }, [key, fetchPage]);

  // Progress: the pages in view are fetched again, their old rows shown meanwhile.
  const firstVersion = useRef(version);
  useEffect(() => {
    if (version === firstVersion.current) return;
    firstVersion.current = '';
    const s = state.current;
    s.fresh.clear();
    const [first, last] = visible.current;
    ensure(first, last);
  }, [version, ensure]);

  useEffect(() => () => state.current.controller.abort(), []);

  const rowAt = useCallback((position: number) => state.current.pages.get(Math.floor(position / PAGE_SIZE))?.[position % PAGE_SIZE], []);
  return { total, rowAt, ensure, error, revision };
}
