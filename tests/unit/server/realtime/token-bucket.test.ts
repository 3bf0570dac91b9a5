import { describe, expect, it } from 'vitest';
import { createKeyedBuckets, createTokenBucket } from '../../../../server/realtime/token-bucket.ts';

describe('createTokenBucket', () => {
  it('allows a burst of `points`, then refills at points per window', () => {
    const bucket = createTokenBucket({ points: 3, windowMs: 3_000 }, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([true, true, true, false]);
    expect(bucket.take(999)).toBe(false);
    expect(bucket.take(1_000)).toBe(true);
    expect(bucket.take(1_000)).toBe(false);
    expect(bucket.full(100_000)).toBe(true);
    // Refilling never goes past the burst.
    expect([bucket.take(100_000), bucket.take(100_000), bucket.take(100_000), bucket.take(100_000)]).toEqual([true, true, true, false]);
  });

  it('ignores a clock that goes back', () => {
    const bucket = createTokenBucket({ points: 1, windowMs: 1_000 }, 5_000);
    expect(bucket.take(5_000)).toBe(true);
    expect(bucket.take(1_000)).toBe(false);
    expect(bucket.take(6_000)).toBe(true);
  });
});

describe('createKeyedBuckets', () => {
  it('keeps a budget per key and forgets keys whose bucket refilled', () => {
    const buckets = createKeyedBuckets({ points: 2, windowMs: 1_000 });
    expect([buckets.take('a', 0), buckets.take('a', 0), buckets.take('a', 0)]).toEqual([true, true, false]);
    expect(buckets.take('b', 0)).toBe(true);
    for (let i = 0; i < 2_048; i += 1) buckets.take(`k${i % 2}`, 10_000 + i * 1_000);
    expect(buckets.size()).toBeLessThanOrEqual(2);
  });
});
