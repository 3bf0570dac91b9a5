/**
 * The server's window length (`GET /api/market`), for labels outside the dashboard ("10-min
 * average" in toasts and the inbox). Loaded once per page, 10 minutes until known.
 */
import { useSyncExternalStore } from 'react';
import { parseMarketInfo } from '@/lib/market/api';
import { callApi } from './api';

export const DEFAULT_WINDOW_MS = 600_000;

let windowMs: number | null = null;
let loading = false;
const listeners = new Set<() => void>();

function load(): void {
  if (windowMs !== null || loading) return;
  loading = true;
  callApi('/api/market')
    .then((result) => {
      const info = result.ok ? parseMarketInfo(result.body) : null;
      if (!info) return;
      windowMs = info.windowMs;
      for (const listener of [...listeners]) listener();
    })
    .catch(() => undefined)
    .finally(() => {
      loading = false;
    });
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  load();
  return () => {
    listeners.delete(listener);
  };
}

/** The window length now (for event handlers). */
export function currentWindowMs(): number {
  return windowMs ?? DEFAULT_WINDOW_MS;
}

export function useWindowMs(): number {
  return useSyncExternalStore(subscribe, currentWindowMs, () => DEFAULT_WINDOW_MS);
}
