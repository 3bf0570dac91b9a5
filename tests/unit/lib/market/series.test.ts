import { describe, expect, it } from 'vitest';
import type { PriceTick } from '../../../../lib/realtime/events.ts';
import {
  type MarketPoint,
  mergeSeries,
  newerTick,
  pointFromHistory,
  pointFromTick,
  thinSeries,
} from '../../../../lib/market/series.ts';

const BASE = Date.parse('2026-03-12T15:00:00Z');
const iso = (offsetMs: number, micros = 0) =>
  new Date(BASE + offsetMs).toISOString().replace('Z', `${String(micros).padStart(3, '0')}Z`);

function tick(tradeId: number, offsetMs: number, last = '100.00'): PriceTick {
  return { product: 'BTC-USD', tradeId, time: iso(offsetMs), last, mean: '100.00000000', vwap: '100.00000000', count: 1, warm: true };
}
function fromTick(tradeId: number, offsetMs: number, last?: string): MarketPoint {
  const p = pointFromTick(tick(tradeId, offsetMs, last));
  if (!p) throw new Error('bad tick');
  return p;
}
function fromHistory(offsetMs: number, last = '99.00'): MarketPoint {
  const p = pointFromHistory({ time: iso(offsetMs), last, mean: '99.00000000', vwap: '99.00000000' });
  if (!p) throw new Error('bad point');
  return p;
}

const TEN_MIN = 600_000;
const opts = (nowOffsetMs: number, extra: { maxPoints?: number; rangeMs?: number } = {}) => ({
  rangeMs: TEN_MIN,
  nowMs: BASE + nowOffsetMs,
  ...extra,
});

describe('points', () => {
  it('keep the strings and order by integer microseconds', () => {
    const p = fromTick(7, 1000);
    expect(p).toMatchObject({ last: '100.00', tradeId: 7, t: (BASE + 1000) * 1000 });
    expect(pointFromHistory({ time: 'bad', last: '1', mean: '1', vwap: '1' })).toBeNull();
  });
});

describe('mergeSeries', () => {
  it('appends newer ticks in order', () => {
    let s: readonly MarketPoint[] = [];
    s = mergeSeries(s, [fromTick(1, 1000)], opts(2000));
    s = mergeSeries(s, [fromTick(2, 2000)], opts(3000));
    expect(s.map((p) => p.tradeId)).toEqual([1, 2]);
  });

  it('merges history loaded after ticks, in time order', () => {
    const live = mergeSeries([], [fromTick(10, 60_000), fromTick(11, 61_000)], opts(62_000));
    const merged = mergeSeries(live, [fromHistory(0), fromHistory(30_000), fromHistory(60_500)], opts(62_000));
    expect(merged.map((p) => p.t)).toEqual([0, 30_000, 60_000, 60_500, 61_000].map((o) => (BASE + o) * 1000));
  });

  it('keeps one point per time: the live tick over the history point, the later trade over the earlier', () => {
    const s = mergeSeries([fromHistory(1000)], [fromTick(5, 1000, '101.00')], opts(2000));
    expect(s).toHaveLength(1);
    expect(s[0]?.tradeId).toBe(5);
    const again = mergeSeries(s, [fromHistory(1000)], opts(2000));
    expect(again[0]?.tradeId).toBe(5);
    const later = mergeSeries(s, [fromTick(6, 1000, '102.00')], opts(2000));
    expect(later.map((p) => [p.tradeId, p.last])).toEqual([[6, '102.00']]);
    const earlier = mergeSeries(later, [fromTick(4, 1000, '99.50')], opts(2000));
    expect(earlier.map((p) => p.tradeId)).toEqual([6]);
  });

  it('returns the same array for a duplicate tick, so nothing re-renders', () => {
    const s = mergeSeries([], [fromTick(1, 1000), fromTick(2, 2000)], opts(3000));
    expect(mergeSeries(s, [fromTick(2, 2000)], opts(3000))).toBe(s);
    expect(mergeSeries(s, [], opts(3000))).toBe(s);
  });

  it('drops points older than the range before the clock', () => {
    const s = mergeSeries([], [fromHistory(0), fromHistory(5 * 60_000), fromTick(1, 11 * 60_000)], opts(11 * 60_000));
    expect(s.map((p) => p.t)).toEqual([5 * 60_000, 11 * 60_000].map((o) => (BASE + o) * 1000));
  });

  it('keeps the last trade of a quiet market (the range ends at the newest trade)', () => {
    const s = mergeSeries([], [fromTick(1, 0)], opts(3 * 3_600_000));
    expect(s).toHaveLength(1);
  });

  it('does not empty the chart when the local clock runs ahead of the exchange', () => {
    const s = mergeSeries([], [fromHistory(0), fromHistory(60_000), fromTick(1, 120_000)], opts(60 * 60_000));
    expect(s).toHaveLength(3);
  });

  it('stays bounded under an endless stream, keeping the newest point', () => {
    let s: readonly MarketPoint[] = [];
    let max = 0;
    for (let i = 1; i <= 20_000; i += 1) {
      s = mergeSeries(s, [fromTick(i, i * 100)], opts(i * 100, { rangeMs: 86_400_000, maxPoints: 500 }));
      max = Math.max(max, s.length);
    }
    expect(max).toBeLessThanOrEqual(500);
    expect(s.length).toBeGreaterThan(300);
    expect(s[s.length - 1]?.tradeId).toBe(20_000);
    expect(s.every((p, i) => i === 0 || p.t > (s[i - 1]?.t ?? 0))).toBe(true);
    // Thinning keeps the whole time span covered, not only the recent part.
    expect(s[0]?.tradeId).toBeLessThan(100);
  });

  it('caps at 2,000 points by default', () => {
    const many = Array.from({ length: 5000 }, (_, i) => fromTick(i + 1, i * 10));
    const s = mergeSeries([], many, opts(50_000));
    expect(s.length).toBeLessThanOrEqual(2000);
    expect(s[s.length - 1]?.tradeId).toBe(5000);
  });
});

describe('thinSeries', () => {
  it('spreads the kept points evenly over time and keeps the newest', () => {
    const points = Array.from({ length: 1000 }, (_, i) => fromTick(i + 1, i * 1000));
    const thin = thinSeries(points, 100);
    expect(thin.length).toBeLessThanOrEqual(100);
    expect(thin.length).toBeGreaterThan(90);
    expect(thin[thin.length - 1]?.tradeId).toBe(1000);
    const gaps = thin.slice(1).map((p, i) => p.t - (thin[i]?.t ?? 0));
    expect(Math.max(...gaps)).toBeLessThanOrEqual(11_000_000);
  });

  it('leaves a short series alone', () => {
    const points = [fromTick(1, 0), fromTick(2, 1000)];
    expect(thinSeries(points, 10)).toEqual(points);
    expect(thinSeries(points, 1)).toEqual([points[1]]);
  });
});

describe('newerTick', () => {
  it('keeps the tick of the later trade', () => {
    const a = tick(5, 0);
    const b = tick(6, 1000);
    expect(newerTick(a, b)).toBe(b);
    expect(newerTick(b, a)).toBe(b);
    expect(newerTick(null, a)).toBe(a);
    expect(newerTick(a, null)).toBe(a);
    expect(newerTick(undefined, undefined)).toBeNull();
  });
});
