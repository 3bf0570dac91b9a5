/** A budget of `points` per `windowMs`, as the `RATE_LIMIT_*` settings write it. */
export interface RateBudget {
  points: number;
  windowMs: number;
}

/**
 * A token bucket: holds up to `points` tokens, refilled continuously at `points` per `windowMs`
 * (so a burst of `points` is allowed at once, and `points` per window on average). Time is
 * passed in, in milliseconds; starts full.
 */
export function createTokenBucket({ points, windowMs }: RateBudget, nowMs: number) {
  let tokens = points;
  let atMs = nowMs;

  function refill(now: number): void {
    if (now > atMs) {
      tokens = Math.min(points, tokens + ((now - atMs) * points) / windowMs);
      atMs = now;
    }
  }

  return {
    /** Takes one token if there is one; false when the budget is spent. */
    take(now: number): boolean {
      refill(now);
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
    /** True when the bucket has refilled completely (nothing to remember about it). */
    full(now: number): boolean {
      refill(now);
      return tokens >= points;
    },
  };
}

export type TokenBucket = ReturnType<typeof createTokenBucket>;

/** How many `take` calls between sweeps of the buckets that have refilled. */
const SWEEP_EVERY = 1_024;

/**
 * One token bucket per key (a user id), created on first use and forgotten once full again,
 * so memory follows the keys that spent budget recently, not every key ever seen.
 */
export function createKeyedBuckets(budget: RateBudget) {
  const buckets = new Map<string, TokenBucket>();
  let calls = 0;

  return {
    /** Takes one token from `key`'s bucket; false when its budget is spent. `now` in ms. */
    take(key: string, now: number): boolean {
      if (++calls % SWEEP_EVERY === 0) {
        for (const [k, bucket] of buckets) if (bucket.full(now)) buckets.delete(k);
      }
      let bucket = buckets.get(key);
      if (!bucket) buckets.set(key, (bucket = createTokenBucket(budget, now)));
      return bucket.take(now);
    },
    /** Keys whose bucket is not full (tests, diagnostics). */
    size: (): number => buckets.size,
  };
}
