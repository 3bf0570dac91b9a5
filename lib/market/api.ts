/**
 * The market HTTP API as the browser reads it: chart ranges, request paths, and checks of the
 * response bodies (an unexpected body is reported, never half-used).
 */
import type { FeedState, FeedStatus } from '../realtime/events.ts';
import { FEED_LABEL } from './feed.ts';
import type { HistoryPoint } from './series.ts';

// The states as values without importing the events module at run time (it carries zod).
const FEED_STATES = Object.keys(FEED_LABEL) as FeedState[];

export const RANGES = [
  { id: '10m', label: '10 min', ms: 600_000 },
  { id: '1h', label: '1 h', ms: 3_600_000 },
  { id: '24h', label: '24 h', ms: 86_400_000 },
] as const;
export type RangeId = (typeof RANGES)[number]['id'];

export function rangeMs(id: RangeId): number {
  return RANGES.find((r) => r.id === id)?.ms ?? 600_000;
}

/** Points asked for per history request. */
export const HISTORY_POINTS = 600;

/** `GET /api/market` */
export interface MarketInfo {
  products: string[];
  windowMs: number;
  simulated: boolean;
  feed: Record<string, FeedStatus>;
}

/** The path of a history request: the `rangeMs` before `nowMs`. */
export function historyPath(product: string, range: number, nowMs: number, points = HISTORY_POINTS): string {
  const since = new Date(nowMs - range).toISOString();
  return `/api/prices/${encodeURIComponent(product)}?since=${encodeURIComponent(since)}&points=${points}`;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';

export function parseFeedStatus(value: unknown): FeedStatus | null {
  if (!isObject(value) || !isString(value.product) || !isString(value.since)) return null;
  const state = FEED_STATES.find((s) => s === value.state);
  if (!state) return null;
  const status: FeedStatus = { product: value.product, state, since: value.since };
  if (isString(value.detail) && value.detail.length > 0) status.detail = value.detail;
  return status;
}

export function parseMarketInfo(value: unknown): MarketInfo | null {
  if (!isObject(value) || !Array.isArray(value.products) || !value.products.every(isString)) return null;
  if (typeof value.windowMs !== 'number' || !(value.windowMs > 0) || typeof value.simulated !== 'boolean') return null;
  const feed: Record<string, FeedStatus> = {};
  if (isObject(value.feed)) {
    for (const [product, raw] of Object.entries(value.feed)) {
      const status = parseFeedStatus(raw);
      if (status) feed[product] = status;
    }
  }
  return { products: value.products, windowMs: value.windowMs, simulated: value.simulated, feed };
}

export function parsePrices(value: unknown): { product: string; points: HistoryPoint[] } | null {
  if (!isObject(value) || !isString(value.product) || !Array.isArray(value.points)) return null;
  const points: HistoryPoint[] = [];
  for (const p of value.points) {
    if (!isObject(p) || !isString(p.time) || !isString(p.last) || !isString(p.mean) || !isString(p.vwap)) return null;
    points.push({ time: p.time, last: p.last, mean: p.mean, vwap: p.vwap });
  }
  return { product: value.product, points };
}

/** The sentence of an `{error: {code, message}}` body, else a generic one naming the status. */
export function errorMessage(body: unknown, status: number): string {
  if (isObject(body) && isObject(body.error) && isString(body.error.message)) return body.error.message;
  if (status === 401) return 'Your session has ended. Sign in again to see the market.';
  return `The server answered ${status}. Try again in a moment.`;
}
