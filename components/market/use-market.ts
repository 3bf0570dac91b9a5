'use client';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useSocket } from '@/components/realtime/socket-provider';
import {
  type MarketInfo,
  type RangeId,
  errorMessage,
  historyPath,
  parseMarketInfo,
  parsePrices,
  rangeMs,
} from '@/lib/market/api';
import { newerStatus } from '@/lib/market/feed';
import { type MarketPoint, mergeSeries, newerTick, pointFromHistory, pointFromTick } from '@/lib/market/series';
import type { FeedStatus, PriceTick, SubscribeAck } from '@/lib/realtime/events';

export type LoadStatus = 'loading' | 'ready' | 'error';

export interface MarketView {
  /** `GET /api/market`: loading, loaded, or failed with `error` (then `retry`). */
  status: LoadStatus;
  error: string | null;
  retry: () => void;
  products: readonly string[];
  simulated: boolean;
  windowMs: number;
  /** The product shown (the first one until another is chosen). */
  product: string | null;
  selectProduct: (product: string) => void;
  range: RangeId;
  selectRange: (range: RangeId) => void;
  /** The product's newest tick: the subscribe snapshot, then live ticks. */
  latest: PriceTick | null;
  feed: FeedStatus | null;
  /** The chart's series for the product and range: history merged with live ticks. */
  points: readonly MarketPoint[];
  history: { status: LoadStatus; error: string | null };
  /** Why the server refused or did not answer the subscription, if it did. */
  subscribeError: string | null;
}

const SUBSCRIBE_TIMEOUT_MS = 10_000;
const seriesKey = (product: string, range: RangeId) => `${product}|${range}`;

async function getJson(path: string, signal: AbortSignal): Promise<{ ok: boolean; status: number; body: unknown }> {
  const response = await fetch(path, { signal, credentials: 'same-origin', cache: 'no-store', headers: { accept: 'application/json' } });
  const body: unknown = await response.json().catch(() => null);
  return { ok: response.ok, status: response.status, body };
}

/**
 * The market data of the dashboard, the one owner of it: loads `/api/market`, subscribes the chosen
 * product on the page's socket (again after every reconnect), loads the chart history when the
 * product or range changes (and after a reconnect, to fill what was missed), merges live ticks, and
 * follows the feed status of every product.
 */
export function useMarket(): MarketView {
  const { socket } = useSocket();
  const [infoEpoch, setInfoEpoch] = useState(0);
  const [info, setInfo] = useState<{ epoch: number; info: MarketInfo | null; error: string | null } | null>(null);
  const [chosen, setChosen] = useState<string | null>(null);
  const [range, setRange] = useState<RangeId>('10m');
  const [latest, setLatest] = useState<Record<string, PriceTick | null>>({});
  const [feed, setFeed] = useState<Record<string, FeedStatus>>({});
  const [series, setSeries] = useState<{ key: string; points: readonly MarketPoint[] }>({ key: '', points: [] });
  const [historyEpoch, setHistoryEpoch] = useState(0);
  const [history, setHistory] = useState<{ key: string; error: string | null }>({ key: '', error: null });
  const [subscribeError, setSubscribeError] = useState<{ product: string; message: string } | null>(null);
  const connectedBefore = useRef(false);

  const products = info?.info?.products ?? [];
  const product = chosen !== null && products.includes(chosen) ? chosen : (products[0] ?? null);
  const key = product === null ? '' : seriesKey(product, range);

  useEffect(() => {
    const controller = new AbortController();
    getJson('/api/market', controller.signal).then(
      ({ ok, status, body }) => {
        const parsed = ok ? parseMarketInfo(body) : null;
        const error = ok ? (parsed ? null : 'The market description from the server could not be read.') : errorMessage(body, status);
        // A failed reload keeps what was loaded before.
        setInfo((prev) => ({ epoch: infoEpoch, info: parsed ?? prev?.info ?? null, error }));
        if (parsed) setFeed((prev) => mergeStatuses(prev, Object.values(parsed.feed)));
      },
      () => {
        if (controller.signal.aborted) return;
        const error = 'The server could not be reached. Check your connection and try again.';
        setInfo((prev) => ({ epoch: infoEpoch, info: prev?.info ?? null, error }));
      },
    );
    return () => controller.abort();
  }, [infoEpoch]);

  useEffect(() => {
    if (!socket || product === null) return;
    let active = true;
    const span = rangeMs(range);
    const seriesFor = seriesKey(product, range);
    const accept = (tick: PriceTick) => {
      setLatest((prev) => {
        const next = newerTick(prev[tick.product], tick);
        return next === prev[tick.product] ? prev : { ...prev, [tick.product]: next };
      });
      const point = tick.product === product ? pointFromTick(tick) : null;
      if (!point) return;
      setSeries((prev) => {
        const base = prev.key === seriesFor ? prev.points : [];
        const points = mergeSeries(base, [point], { rangeMs: span, nowMs: Date.now() });
        return points === prev.points ? prev : { key: seriesFor, points };
      });
    };
    const subscribe = () => {
      socket.timeout(SUBSCRIBE_TIMEOUT_MS).emit('price:subscribe', { products: [product] }, (err: Error | null, ack: SubscribeAck) => {
        if (!active) return;
        if (err) return setSubscribeError({ product, message: 'The server did not answer the price subscription.' });
        if (!ack.ok) return setSubscribeError({ product, message: ack.error.message });
        setSubscribeError(null);
        const snapshot = ack.snapshots[product];
        if (snapshot) accept(snapshot);
      });
    };
    const onConnect = () => {
      // After a reconnect, reload what may have changed while away: feed states and missed history.
      if (connectedBefore.current) {
        setInfoEpoch((n) => n + 1);
        setHistoryEpoch((n) => n + 1);
      }
      connectedBefore.current = true;
      subscribe();
    };
    const onStatus = (status: FeedStatus) => setFeed((prev) => mergeStatuses(prev, [status]));
    socket.on('connect', onConnect);
    socket.on('price:tick', accept);
    socket.on('feed:status', onStatus);
    if (socket.connected) {
      connectedBefore.current = true;
      subscribe();
    }
    return () => {
      active = false;
      socket.off('connect', onConnect);
      socket.off('price:tick', accept);
      socket.off('feed:status', onStatus);
    };
  }, [socket, product, range]);

  useEffect(() => {
    if (product === null) return;
    const controller = new AbortController();
    const span = rangeMs(range);
    const seriesFor = seriesKey(product, range);
    getJson(historyPath(product, span, Date.now()), controller.signal).then(
      ({ ok, status, body }) => {
        const parsed = ok ? parsePrices(body) : null;
        if (!parsed || parsed.product !== product) {
          setHistory({ key: seriesFor, error: ok ? 'The price history from the server could not be read.' : errorMessage(body, status) });
          return;
        }
        const points = parsed.points.flatMap((p) => pointFromHistory(p) ?? []);
        setSeries((prev) => ({
          key: seriesFor,
          points: mergeSeries(prev.key === seriesFor ? prev.points : [], points, { rangeMs: span, nowMs: Date.now() }),
        }));
        setHistory({ key: seriesFor, error: null });
      },
      () => {
        if (!controller.signal.aborted) setHistory({ key: seriesFor, error: 'The price history could not be loaded.' });
      },
    );
    return () => controller.abort();
  }, [product, range, historyEpoch]);

  const retry = useCallback(() => setInfoEpoch((n) => n + 1), []);
  const loaded = info?.info ?? null;
  const status: LoadStatus = loaded ? 'ready' : info?.error && info.epoch === infoEpoch ? 'error' : 'loading';

  return {
    status,
    error: loaded ? null : (info?.error ?? null),
    retry,
    products,
    simulated: loaded?.simulated ?? false,
    windowMs: loaded?.windowMs ?? 600_000,
    product,
    selectProduct: setChosen,
    range,
    selectRange: setRange,
    latest: product === null ? null : (latest[product] ?? null),
    feed: product === null ? null : (feed[product] ?? null),
    points: series.key === key ? series.points : [],
    history: history.key === key ? { status: history.error ? 'error' : 'ready', error: history.error } : { status: 'loading', error: null },
    subscribeError: subscribeError !== null && subscribeError.product === product ? subscribeError.message : null,
  };
}

function mergeStatuses(prev: Record<string, FeedStatus>, statuses: readonly FeedStatus[]): Record<string, FeedStatus> {
  let next = prev;
  for (const status of statuses) {
    const kept = newerStatus(next[status.product], status);
    if (kept !== next[status.product]) next = { ...next, [status.product]: kept };
  }
  return next;
}
