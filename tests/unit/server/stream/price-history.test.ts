import { describe, expect, it } from 'vitest';
import { type PricePoint, createPriceHistory, thinEvenly } from '../../../../server/stream/price-history.ts';

const CHART_POINTS = [1, 2, 3, 7, 60, 120, 300, 600, 1000, 1440, 5000];

/**
 * What is wrong with one thinning of `n` indices to `m` ("evenly, ending on the newest"), or null.
 * Plain comparisons, not an `expect` per point: millions of points are checked.
 */
function thinningFault(n: number, m: number): string | null {
  const indices = Array.from({ length: n }, (_, i) => i);
  const kept = thinEvenly(indices, m);
  if (kept.length !== Math.min(n, m)) return `kept ${kept.length} points`;
  if (n === 0) return null;
  if (kept.at(-1) !== n - 1) return `ends on ${kept.at(-1)}, not the newest`;
  const lo = n <= m ? 1 : Math.floor(n / m);
  const hi = n <= m ? 1 : Math.ceil(n / m);
  // The first kept point is as far from the start as each step between kept points.
  let previous = -1;
  for (const index of kept) {
    if (!Number.isInteger(index) || index < 0 || index >= n) return `index ${index} is out of range`;
    const gap = index - previous;
    if (gap !== lo && gap !== hi) return `step of ${gap} after index ${previous}`;
    previous = index;
  }
  return null;
}

function faults(cases: Iterable<[number, number]>): string[] {
  const found: string[] = [];
  for (const [n, m] of cases) {
    const fault = thinningFault(n, m);
    if (fault) found.push(`${n} points to ${m}: ${fault}`);
    if (found.length >= 5) break;
  }
  return found;
}

// The property tests go through tens of thousands of cases: seconds of CPU on a busy machine,
// and how long they take is not what they test.
const EXHAUSTIVE = { timeout: 60_000 };

describe('thinEvenly', () => {
  it('keeps every point in range, in order, ending on the newest, for every length below 4,000 and every chart size', EXHAUSTIVE, () => {
    function* cases(): Generator<[number, number]> {
      for (const m of CHART_POINTS) for (let n = 0; n < 4_000; n += 1) yield [n, m];
    }
    expect(faults(cases())).toEqual([]);
  });

  it('holds for random lengths up to a day of 1-second points and any allowed points value', EXHAUSTIVE, () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    function* cases(): Generator<[number, number]> {
      for (let trial = 0; trial < 300; trial += 1) yield [Math.floor(random() * 90_000), 1 + Math.floor(random() * 5_000)];
    }
    expect(faults(cases())).toEqual([]);
  });

  it('thins 62 points to 60 without reading past the end (floating point rounded 60 * 62/60 up to 63)', () => {
    expect(thinEvenly(Array.from({ length: 62 }, (_, i) => i), 60).at(-1)).toBe(61);
  });
});

describe('price history query', () => {
  it('answers every points value for a history of 62 one-second points', () => {
    const history = createPriceHistory();
    const t0 = 1_800_000_000_000_000;
    for (let i = 0; i < 62; i += 1) {
      const price = (67_000 + i).toFixed(2);
      history.record({ timeUs: t0 + i * 1_000_000, time: new Date((t0 + i * 1_000_000) / 1000).toISOString(), last: price, mean: price, vwap: price });
    }
    for (let m = 1; m <= 70; m += 1) {
      const points: PricePoint[] = history.query(t0, m);
      expect(points).toHaveLength(Math.min(62, m));
      expect(points.every((p) => typeof p.time === 'string')).toBe(true);
      expect(points.at(-1)?.last).toBe('67061.00');
    }
  });
});
