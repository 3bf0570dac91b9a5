/**
 * The chart's series of one product: history points and live ticks merged into one bounded,
 * time-ordered list. Pure: time is passed in.
 */
import type { PriceTick } from '../realtime/events.ts';
import { isoToMicros } from './time.ts';

/** One point of the chart: the window as of a trade. Decimals stay strings. */
export interface MarketPoint {
  /** Trade time in integer microseconds since the epoch (orders and dedupes points). */
  t: number;
  time: string;
  last: string;
  mean: string;
  vwap: string;
  /** Known for live ticks; history points carry none. */
  tradeId: number | null;
}

/** A point of `GET /api/prices/:product`. */
export interface HistoryPoint {
  time: string;
  last: string;
  mean: string;
  vwap: string;
}

export const MAX_SERIES_POINTS = 2000;

export function pointFromTick(tick: PriceTick): MarketPoint | null {
  const t = isoToMicros(tick.time);
  return t === null ? null : { t, time: tick.time, last: tick.last, mean: tick.mean, vwap: tick.vwap, tradeId: tick.tradeId };
}

export function pointFromHistory(point: HistoryPoint): MarketPoint | null {
  const t = isoToMicros(point.time);
  return t === null ? null : { t, time: point.time, last: point.last, mean: point.mean, vwap: point.vwap, tradeId: null };
}

/**
 * The point to keep of two with the same time, `b` being the newer arrival: the later trade, a live
 * tick over a history point, the one already held for the same trade.
 */
function preferred(a: MarketPoint, b: MarketPoint): MarketPoint {
  if (a.tradeId !== null && a.tradeId === b.tradeId) return a;
  return (b.tradeId ?? -1) >= (a.tradeId ?? -1) ? b : a;
}

/** Sorted by time, one point per time (ties keep the later trade; `incoming` wins full ties). */
function sortedUnique(points: MarketPoint[]): MarketPoint[] {
  const sorted = points.map((p, i) => ({ p, i })).sort((a, b) => a.p.t - b.p.t || a.i - b.i);
  const out: MarketPoint[] = [];
  for (const { p } of sorted) {
    const prev = out[out.length - 1];
    if (prev && prev.t === p.t) out[out.length - 1] = preferred(prev, p);
    else out.push(p);
  }
  return out;
}

/**
 * At most `target` points, evenly spread in time: the span is cut into `target` equal buckets and
 * the latest point of each is kept (so the newest point always stays).
 */
export function thinSeries(points: readonly MarketPoint[], target: number): MarketPoint[] {
  const first = points[0];
  const last = points[points.length - 1];
  if (!first || !last || points.length <= target) return [...points];
  if (target <= 1) return [last];
  const width = (last.t - first.t) / target;
  if (width <= 0) return [last];
  const out: MarketPoint[] = [];
  let bucket = -1;
  for (const p of points) {
    const b = Math.min(target - 1, Math.floor((p.t - first.t) / width));
    if (b === bucket) out[out.length - 1] = p;
    else out.push(p);
    bucket = b;
  }
  return out;
}

export interface MergeOptions {
  /** The chart's range: points older than this before the newest are dropped. */
  rangeMs: number;
  /** The wall clock, epoch milliseconds. */
  nowMs: number;
  /** Cap on the series length; above it, the series is thinned to three quarters of it. */
  maxPoints?: number;
}

/**
 * `current` with `incoming` merged in: time-ordered, one point per trade time, nothing older than
 * the range, never more than `maxPoints`. The range ends at the wall clock, or at the newest trade
 * when that is earlier (a quiet market, or a clock ahead of the exchange), so the newest point is
 * always kept and the chart of a quiet market is never blank. Returns `current` itself when nothing
 * changes.
 */
export function mergeSeries(
  current: readonly MarketPoint[],
  incoming: readonly MarketPoint[],
  { rangeMs, nowMs, maxPoints = MAX_SERIES_POINTS }: MergeOptions,
): readonly MarketPoint[] {
  if (incoming.length === 0) return current;
  const tail = current[current.length - 1];
  const appendOnly = incoming.every((p, i) => p.t > (i === 0 ? (tail?.t ?? -Infinity) : (incoming[i - 1]?.t ?? Infinity)));
  let merged = appendOnly ? [...current, ...incoming] : sortedUnique([...current, ...incoming]);
  const newest = merged[merged.length - 1];
  if (!newest) return current;
  const cutoff = Math.min(nowMs * 1000, newest.t) - rangeMs * 1000;
  const firstKept = merged.findIndex((p) => p.t >= cutoff);
  if (firstKept > 0) merged = merged.slice(firstKept);
  if (merged.length > maxPoints) merged = thinSeries(merged, Math.max(1, Math.floor((maxPoints * 3) / 4)));
  const unchanged = merged.length === current.length && merged.every((p, i) => p === current[i]);
  return unchanged ? current : merged;
}

/** The newer of two ticks of one product (by trade id), so a late or replayed tick never wins. */
export function newerTick(previous: PriceTick | null | undefined, next: PriceTick | null | undefined): PriceTick | null {
  if (!next) return previous ?? null;
  if (!previous) return next;
  return next.tradeId >= previous.tradeId ? next : previous;
}
