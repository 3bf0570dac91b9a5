import { describe, expect, it } from 'vitest';
import { WindowRing } from '../../../../server/stream/window-ring.ts';

function contents(ring: WindowRing): [number, bigint, bigint][] {
  return Array.from({ length: ring.size }, (_, i) => [ring.timeAt(i), ring.priceAt(i), ring.sizeAt(i)]);
}

describe('WindowRing', () => {
  it('appends in time order and removes from the front', () => {
    const ring = new WindowRing();
    expect(ring.insert(10, 1n, 2n)).toBe(0);
    expect(ring.insert(20, 3n, 4n)).toBe(1);
    expect(ring.insert(20, 5n, 6n)).toBe(2);
    ring.shift();
    expect(contents(ring)).toEqual([
      [20, 3n, 4n],
      [20, 5n, 6n],
    ]);
  });

  it('inserts an earlier time before the later ones, after equal ones', () => {
    const ring = new WindowRing();
    ring.insert(10, 1n, 1n);
    ring.insert(30, 3n, 3n);
    ring.insert(40, 4n, 4n);
    expect(ring.insert(30, 5n, 5n)).toBe(2);
    expect(ring.insert(5, 6n, 6n)).toBe(0);
    expect(contents(ring).map(([time, price]) => [time, price])).toEqual([
      [5, 6n],
      [10, 1n],
      [30, 3n],
      [30, 5n],
      [40, 4n],
    ]);
  });

  it('keeps units beyond 2^53 exactly, also when they move', () => {
    const ring = new WindowRing();
    const huge = 99_999_999_999_999_999_999n;
    const safe = BigInt(Number.MAX_SAFE_INTEGER);
    ring.insert(10, huge, 1n);
    ring.insert(20, safe, safe);
    ring.insert(30, 7n, safe + 1n);
    ring.insert(15, 8n, 8n); // moves the two newer ones up
    expect(contents(ring)).toEqual([
      [10, huge, 1n],
      [15, 8n, 8n],
      [20, safe, safe],
      [30, 7n, safe + 1n],
    ]);
    ring.shift();
    ring.insert(40, 9n, 9n); // may reuse the slot the large one left
    expect(contents(ring).at(-1)).toEqual([40, 9n, 9n]);
  });

  it('grows past its first capacity and shrinks back, keeping order', () => {
    const ring = new WindowRing();
    for (let i = 0; i < 1000; i++) ring.insert(i, BigInt(i), i % 7 === 0 ? 2n ** 60n : 1n);
    for (let i = 0; i < 990; i++) ring.shift();
    ring.insert(995.5, 42n, 42n);
    expect(ring.size).toBe(11);
    expect(contents(ring).map(([time]) => time)).toEqual([990, 991, 992, 993, 994, 995, 995.5, 996, 997, 998, 999]);
    expect(ring.sizeAt(4)).toBe(2n ** 60n); // 994 is a multiple of 7
    expect(ring.sizeAt(0)).toBe(1n);
    expect(ring.priceAt(10)).toBe(999n);
  });
});
