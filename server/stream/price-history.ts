/** One point of the price history: the window as of the last trade of its time bucket. */
export interface PricePoint {
  timeUs: number;
  time: string;
  last: string;
  mean: string;
  vwap: string;
}

export interface HistoryTier {
  /** Width of one bucket in microseconds: one point is kept per bucket (the latest). */
  bucketUs: number;
  /** How far back this tier reaches from its newest point, in microseconds. */
  spanUs: number;
}

/** 1-second points for the last hour, 10-second points for the last day. */
export const DEFAULT_TIERS: HistoryTier[] = [
  { bucketUs: 1_000_000, spanUs: 3_600_000_000 },
  { bucketUs: 10_000_000, spanUs: 86_400_000_000 },
];

/**
 * The recent price history of one product for the chart, downsampled into tiers so a day of
 * trades costs a few thousand points. Pure: times come from the points themselves. Memory is
 * bounded by span/bucket per tier.
 */
export function createPriceHistory(tiers: HistoryTier[] = DEFAULT_TIERS) {
  const series = tiers.map((tier) => ({ tier, points: [] as PricePoint[], head: 0 }));

  return {
    /** Records the window after a trade; points must come in non-decreasing time. */
    record(point: PricePoint): void {
      for (const s of series) {
        const lastIndex = s.points.length - 1;
        const last = s.points[lastIndex];
        if (last && Math.floor(last.timeUs / s.tier.bucketUs) === Math.floor(point.timeUs / s.tier.bucketUs)) {
          s.points[lastIndex] = point;
        } else {
          s.points.push(point);
        }
        const oldest = point.timeUs - s.tier.spanUs;
        while (s.head < s.points.length && (s.points[s.head]?.timeUs ?? 0) < oldest) s.head += 1;
        // Compact now and then so evicted points are released without an O(n) shift per point.
        if (s.head > 1024 && s.head * 2 > s.points.length) {
          s.points = s.points.slice(s.head);
          s.head = 0;
        }
      }
    },
    /**
     * Points with `timeUs >= sinceUs`, oldest first, from the finest tier that reaches back to
     * `sinceUs`, thinned evenly to at most `maxPoints` (the newest point is always kept).
     */
    query(sinceUs: number, maxPoints: number): PricePoint[] {
      const newest = series[0]?.points.at(-1);
      if (!newest || maxPoints < 1) return [];
      const chosen = series.find((s) => newest.timeUs - s.tier.spanUs <= sinceUs) ?? series.at(-1);
      if (!chosen) return [];
      const points = chosen.points.slice(chosen.head).filter((p) => p.timeUs >= sinceUs);
      return thinEvenly(points, maxPoints);
    },
  };
}

/**
 * `maxPoints` of `points`, evenly spaced, always ending on the newest: the i-th kept point
 * (1-based) is the one at index ceil(i * n / maxPoints) - 1. Integer arithmetic only: the
 * floating-point `Math.ceil(i * (n / maxPoints))` rounds up past an exact integer (62 points to
 * 60 read index 62) and so read past the end.
 */
export function thinEvenly<T>(points: readonly T[], maxPoints: number): T[] {
  const n = points.length;
  if (n <= maxPoints) return points.slice();
  const thinned: T[] = new Array<T>(maxPoints);
  for (let i = 1; i <= maxPoints; i += 1) {
    const scaled = i * n; // at most 5,000 points asked of at most a few hundred thousand: exact
    const index = (scaled - (scaled % maxPoints)) / maxPoints + (scaled % maxPoints === 0 ? 0 : 1) - 1;
    thinned[i - 1] = points[index] as T;
  }
  return thinned;
}

export type PriceHistory = ReturnType<typeof createPriceHistory>;
