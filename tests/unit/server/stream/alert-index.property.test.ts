import { describe, expect, it } from 'vitest';
import { type AlertCondition, createAlertIndex } from '../../../../server/stream/alert-index.ts';
import type { WindowState } from '../../../../server/stream/types.ts';
import { createRandom } from './trade-fixtures.ts';

// Property test: after random add / remove / bulkLoad sequences, `matching` and `expired` give
// exactly what a scan of every live condition gives. Values and thresholds share a small grid,
// so many conditions sit exactly on the value and inclusive bounds are exercised all the time.

const T0 = 1_800_000_000_000_000;
const PRODUCTS = ['BTC-USD', 'ETH-USD'];
const BASES = ['mean', 'vwap', 'last'] as const;
const BASE_UNITS = 6_000_000_000_000n; // 60000.00000000

type Random = () => number;

const pick = <T,>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const int = (random: Random, n: number): number => Math.floor(random() * n);

/** A price on a grid of 1e-8 steps around the base: few distinct values, many ties. */
function gridPrice(random: Random): bigint {
  return BASE_UNITS + BigInt(int(random, 13) - 6);
}

function randomCondition(random: Random, id: number): AlertCondition {
  const c: AlertCondition = {
    alertId: `a${id}`,
    product: pick(random, PRODUCTS),
    basis: pick(random, BASES),
    direction: random() < 0.5 ? 'above' : 'below',
    thresholdUnits: gridPrice(random),
  };
  if (random() < 0.3) c.notBeforeUs = T0 + int(random, 20);
  if (random() < 0.3) c.expiresAtUs = T0 + int(random, 20);
  return c;
}

/** A window state with exact sums over 1 to 4 grid trades; some have a mean or vwap on the grid. */
function randomState(random: Random): WindowState {
  const count = 1 + int(random, 4);
  const trades: [bigint, bigint][] = [];
  const centre = gridPrice(random);
  for (let i = 0; i < count; i++) {
    // Mirrored pairs put the mean (and, with equal sizes, the vwap) exactly on `centre`.
    const offset = BigInt(int(random, 3));
    const size = random() < 0.5 ? 100_000_000n : BigInt(1 + int(random, 300_000_000));
    trades.push([random() < 0.5 ? centre + offset : centre - offset, size]);
  }
  if (random() < 0.3) trades.forEach((t) => (t[1] = 7n));
  let sumPriceUnits = 0n;
  let sumPvUnits = 0n;
  let sumSizeUnits = 0n;
  for (const [price, size] of trades) {
    sumPriceUnits += price;
    sumPvUnits += price * size;
    sumSizeUnits += size;
  }
  const timeUs = T0 + int(random, 20);
  return {
    product: pick(random, PRODUCTS),
    tradeId: 1,
    time: '',
    timeUs,
    last: '',
    mean: '',
    vwap: '',
    count,
    windowStartUs: timeUs - 1,
    windowEndUs: timeUs,
    warm: random() < 0.7,
    sumPriceUnits,
    sumPvUnits,
    sumSizeUnits,
    lastUnits: trades[count - 1]![0],
  };
}

/** The oracle: every live condition checked one by one, by cross-multiplication (no division). */
function bruteMatching(live: Map<string, AlertCondition>, s: WindowState): { ids: string[]; exact: number[] } {
  // Matches exactly on the value, per basis.
  const exact = [0, 0, 0];
  const groups: AlertCondition[][] = [[], [], [], [], [], []];
  for (const c of live.values()) {
    if (c.product !== s.product) continue;
    if (c.notBeforeUs !== undefined && s.timeUs < c.notBeforeUs) continue;
    if (c.expiresAtUs !== undefined && s.timeUs >= c.expiresAtUs) continue;
    if (c.basis !== 'last' && !s.warm) continue;
    const [num, den] = c.basis === 'last' ? [s.lastUnits, 1n] : c.basis === 'mean' ? [s.sumPriceUnits, BigInt(s.count)] : [s.sumPvUnits, s.sumSizeUnits];
    const holds = c.direction === 'above' ? c.thresholdUnits * den <= num : c.thresholdUnits * den >= num;
    if (holds && c.thresholdUnits * den === num) exact[BASES.indexOf(c.basis)]!++;
    if (holds) groups[BASES.indexOf(c.basis) * 2 + (c.direction === 'above' ? 0 : 1)]!.push(c);
  }
  const order = (a: AlertCondition, b: AlertCondition): number =>
    a.thresholdUnits !== b.thresholdUnits ? (a.thresholdUnits < b.thresholdUnits ? -1 : 1) : a.alertId < b.alertId ? -1 : 1;
  return { ids: groups.flatMap((g) => g.sort(order).map((c) => c.alertId)), exact };
}

function bruteExpired(live: Map<string, AlertCondition>, nowUs: number): string[] {
  return [...live.values()]
    .filter((c) => c.expiresAtUs !== undefined && c.expiresAtUs <= nowUs)
    .sort((a, b) => a.expiresAtUs! - b.expiresAtUs! || (a.alertId < b.alertId ? -1 : 1))
    .map((c) => c.alertId);
}

function run(seed: number, maxChunk: number, steps: number): { matched: number; taken: number; boundary: number[] } {
  const random = createRandom(seed);
  const index = createAlertIndex({ maxChunk });
  const live = new Map<string, AlertCondition>();
  // Held ids in an array too, to pick a random one in O(1).
  const held: string[] = [];
  const hold = (c: AlertCondition): void => {
    live.set(c.alertId, c);
    held.push(c.alertId);
  };
  let nextId = 0;
  let matched = 0;
  let taken = 0;
  const boundary = [0, 0, 0];
  for (let step = 0; step < steps; step++) {
    const op = random();
    if (op < 0.01) {
      const batch = Array.from({ length: int(random, 400) }, () => randomCondition(random, nextId++));
      index.bulkLoad(batch);
      batch.forEach(hold);
    } else if (op < 0.45 && live.size < 2000) {
      const c = randomCondition(random, nextId++);
      index.add(c);
      hold(c);
    } else if (op < 0.75) {
      // Mostly a held id, sometimes one never added or already removed. `held` may keep ids
      // removed by the second kind: removing them again must just say false.
      let id = `a${int(random, nextId + 5)}`;
      if (random() < 0.8 && held.length > 0) {
        const at = int(random, held.length);
        id = held[at]!;
        held[at] = held[held.length - 1]!;
        held.pop();
      }
      if (index.remove(id) !== live.delete(id)) expect.fail(`remove(${id}) disagrees`);
    } else {
      const state = randomState(random);
      // Now and then the evaluator's way: take what matches out of the index in the same pass.
      const take = random() < 0.03;
      const got = (take ? index.takeMatching(state) : index.matching(state)).map((c) => c.alertId);
      const want = bruteMatching(live, state);
      if (got.join() !== want.ids.join()) expect(got).toEqual(want.ids);
      if (take) {
        taken += got.length;
        for (const id of got) live.delete(id);
        if (index.matching(state).length !== 0) expect.fail('takeMatching left a match behind');
      }
      matched += got.length;
      want.exact.forEach((n, basis) => (boundary[basis]! += n));
      const nowUs = T0 + int(random, 22);
      const expired = index.expired(nowUs).map((c) => c.alertId);
      const wantExpired = bruteExpired(live, nowUs);
      if (expired.join() !== wantExpired.join()) expect(expired).toEqual(wantExpired);
    }
    if (index.size() !== live.size) expect(index.size()).toBe(live.size);
  }
  return { matched, taken, boundary };
}

describe('createAlertIndex against a scan of every condition', () => {
  it.each([
    [1, 4],
    [2, 7],
    [3, 1024],
  ])('seed %i, chunks of at most %i: matching, takeMatching and expired agree on every state', (seed, maxChunk) => {
    const { matched, taken, boundary } = run(seed, maxChunk, 3000);
    // The data must exercise what it claims: many matches, many of them exactly on the value,
    // for every basis.
    expect(matched).toBeGreaterThan(80_000);
    expect(taken).toBeGreaterThan(1_000);
    for (const n of boundary) expect(n).toBeGreaterThan(1_000);
  }, 30_000);
});
