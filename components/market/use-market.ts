'use client';
import { useEffect, useRef, useState } from 'react';
import { useSocket } from '@/components/realtime/socket-provider';
import { type RangeId, errorMessage, historyPath, parsePrices, rangeMs } from '@/lib/market/api';
import { type MarketPoint, mergeSeries, newerTick, pointFromHistory, pointFromTick } from '@/lib/market/series';
import type { FeedStatus, PriceTick, SubscribeAck } from '@/lib/realtime/events';
import { marketInfo, useMarketInfo } from './market-info-store';

export type LoadStatus = 'loading' | 'ready' | 'error';

export interface MarketView {
  /** The page's `GET /api/market` (market-info-store.ts): loading, loaded, or failed with `error` (then `retry`). */
  status: LoadStatus;
  error: string | null;
  retry: () => void;
  products: readonly string[];
  simulated: boolean;
  /** The server's window; `null` until `status` is `ready`. */
  windowMs: number | null;
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
 * The market data of the dashboard, the one owner of its prices: reads the page's market info
 * (products, window, feed states), subscribes the chosen product on the page's socket (again after
 * every reconnect), loads the chart history when the product or range changes (and after a
 * reconnect, to fill what was missed), and merges live ticks.
 */
export function useMarket(): MarketView {
  const { socket } = useSocket();
  const info = useMarketInfo();
  const [chosen, setChosen] = useState<string | null>(null);
  const [range, setRange] = useState<RangeId>('10m');
  const [latest, setLatest] = useState<Record<string, PriceTick | null>>({});
  const [series, setSeries] = useState<{ key: string; points: readonly MarketPoint[] }>({ key: '', points: [] });
  const [historyEpoch, setHistoryEpoch] = useState(0);
  const [history, setHistory] = useState<{ key: string; error: string | null }>({ key: '', error: null });
  const [subscribeError, setSubscribeError] = useState<{ product: string; message: string } | null>(null);
  const connectedBefore = useRef(false);

  const { products } = info;
  const product = chosen !== null && products.includes(chosen) ? chosen : (products[0] ?? null);
  const key = product === null ? '' : seriesKey(product, range);

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
      // After a reconnect, load the history missed while away (feed states come pushed on connect).
      if (connectedBefore.current) setHistoryEpoch((n) => n + 1);
      connectedBefore.current = true;
      subscribe();
    };
    socket.on('connect', onConnect);
    socket.on('price:tick', accept);
    if (socket.connected) {
      connectedBefore.current = true;
      subscribe();
    }
    return () => {
      active = false;
      socket.off('connect', onConnect);
      socket.off('price:tick', accept);
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

  return {
    status: info.status,
    error: info.error,
    retry: marketInfo.load,
    products,
    simulated: info.simulated,
    windowMs: info.windowMs,
    product,
    selectProduct: setChosen,
    range,
    selectRange: setRange,
    latest: product === null ? null : (latest[product] ?? null),
    feed: product === null ? null : (info.feed[product] ?? null),
    points: series.key === key ? series.points : [],
    history: history.key === key ? { status: history.error ? 'error' : 'ready', error: history.error } : { status: 'loading', error: null },
    subscribeError: subscribeError !== null && subscribeError.product === product ? subscribeError.message : null,
  };
}
