/**
 * The page's one copy of `GET /api/market`: the products, the window length, whether the data is
 * simulated, and each product's feed status. Every part of the page reads it from here (market
 * panel, alert form and list, toasts, inbox), so they always agree on the window.
 *
 * It is fetched once per page load, on first use, and again only after a failed attempt (the
 * market panel's "Try again", or the socket's next connect). Feed statuses then follow the
 * socket's `feed:status`, which the server sends on every change and to each socket as it
 * connects (`applyFeedStatus`). Until the answer is in, `windowMs` is `null`: nothing on the page
 * may assume a window length.
 */
import { useSyncExternalStore } from 'react';
import { callApi } from '@/components/alerts/api';
import { errorMessage, parseMarketInfo } from '@/lib/market/api';
import { newerStatus } from '@/lib/market/feed';
import type { FeedStatus } from '@/lib/realtime/events';

export interface MarketInfoState {
  /** `loading` until the first answer, then `ready`; `error` when the last attempt failed. */
  status: 'loading' | 'ready' | 'error';
  /** Why the last attempt failed, in words. */
  error: string | null;
  products: readonly string[];
  /** The server's window in milliseconds; `null` until known. */
  windowMs: number | null;
  simulated: boolean;
  /** The newest status of each product, from the answer and from later pushes. */
  feed: Readonly<Record<string, FeedStatus>>;
}

/** What a load returns: the API helper's result (`status` 0 when the server was not reached). */
export type LoadMarketInfo = () => Promise<{ ok: boolean; status: number; body: unknown }>;

export interface MarketInfoStore {
  subscribe: (listener: () => void) => () => void;
  getSnapshot: () => MarketInfoState;
  /** Starts a load unless the info is loaded or being loaded (so: the first one, or a retry). */
  load: () => void;
  /** Takes a status pushed over the socket; an older one than held is ignored. */
  applyFeedStatus: (status: FeedStatus) => void;
  /** Resolves once the info is loaded or the attempt failed (starting the first load if needed). */
  settled: () => Promise<MarketInfoState>;
}

export const LOADING_MARKET_INFO: MarketInfoState = { status: 'loading', error: null, products: [], windowMs: null, simulated: false, feed: {} };

const UNREACHABLE = 'The server could not be reached. Check your connection and try again.';
const UNREADABLE = 'The market description from the server could not be read.';

export function createMarketInfoStore(request: LoadMarketInfo): MarketInfoStore {
  let state = LOADING_MARKET_INFO;
  let attempted = false;
  let inFlight = false;
  const listeners = new Set<() => void>();
  let waiting: ((state: MarketInfoState) => void)[] = [];

  function set(next: MarketInfoState): void {
    state = next;
    for (const listener of [...listeners]) listener();
    if (state.status === 'loading') return;
    const resolve = waiting;
    waiting = [];
    for (const done of resolve) done(state);
  }

  function load(): void {
    if (state.status === 'ready' || inFlight) return;
    attempted = true;
    inFlight = true;
    // A retry shows as loading again, so "Try again" does not stay up while it runs.
    if (state.status === 'error') set({ ...state, status: 'loading', error: null });
    request()
      .then(
        ({ ok, status, body }) => {
          const info = ok ? parseMarketInfo(body) : null;
          if (!info) return set({ ...state, status: 'error', error: ok ? UNREADABLE : status === 0 ? UNREACHABLE : errorMessage(body, status) });
          set({
            status: 'ready',
            error: null,
            products: info.products,
            windowMs: info.windowMs,
            simulated: info.simulated,
            feed: mergeStatuses(state.feed, Object.values(info.feed)),
          });
        },
        () => set({ ...state, status: 'error', error: UNREACHABLE }),
      )
      .finally(() => {
        inFlight = false;
      });
  }

  return {
    subscribe(listener) {
      listeners.add(listener);
      if (!attempted) load();
      return () => {
        listeners.delete(listener);
      };
    },
    getSnapshot: () => state,
    load,
    applyFeedStatus(status) {
      const feed = mergeStatuses(state.feed, [status]);
      if (feed !== state.feed) set({ ...state, feed });
    },
    settled() {
      if (!attempted) load();
      if (state.status !== 'loading') return Promise.resolve(state);
      return new Promise((resolve) => waiting.push(resolve));
    },
  };
}

function mergeStatuses(prev: Readonly<Record<string, FeedStatus>>, statuses: readonly FeedStatus[]): Readonly<Record<string, FeedStatus>> {
  let next = prev;
  for (const status of statuses) {
    const kept = newerStatus(next[status.product], status);
    if (kept !== next[status.product]) next = { ...next, [status.product]: kept };
  }
  return next;
}

/** The page's store. */
export const marketInfo = createMarketInfoStore(() => callApi('/api/market'));

/** The market info, re-rendering when it changes (loading while rendered on the server). */
export function useMarketInfo(): MarketInfoState {
  return useSyncExternalStore(marketInfo.subscribe, marketInfo.getSnapshot, () => LOADING_MARKET_INFO);
}
