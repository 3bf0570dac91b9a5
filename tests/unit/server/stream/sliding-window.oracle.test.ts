import Decimal from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { createSlidingWindow } from '../../../../server/stream/sliding-window.ts';
import { WindowSnapshot } from '../../../../server/stream/window-snapshot.ts';
import type { Trade, WindowState } from '../../../../server/stream/types.ts';
import { T0_US, createRandom, makeTrade } from './trade-fixtures.ts';

// Exact enough for any quotient here (the periodic expansions of sum/count never produce a run
// of 150 nines), with the rounding the wire format asks for.
const D = Decimal.clone({ precision: 200, rounding: Decimal.ROUND_HALF_EVEN });

/** Decimal string to units of 1e-8, written apart from the code under test. */
function units8(text: string): bigint {
  const [whole = '', fraction = ''] = text.split('.');
  if (fraction.length > 8) throw new Error(`test data has more than 8 decimals: ${text}`);
  return BigInt(whole + fraction.padEnd(8, '0'));
}

function eightDp(numerator: bigint, denominator: bigint): string {
  return new D(numerator.toString()).div(denominator.toString()).div(1e8).toFixed(8);
}

interface Scenario {
  seed: number;
  windowUs: number;
  slackUs: number;
  stepUs: number;
  trades: number;
}

/** The oldest of the last 500 regular times that is after `afterUs` (or `afterUs` itself). */
function oldestAfter(times: number[], afterUs: number): number {
  let oldest = afterUs;
  for (let k = times.length - 1; k >= Math.max(0, times.length - 500); k--) {
    const time = times[k]!;
    if (time > afterUs && (oldest === afterUs || time < oldest)) oldest = time;
  }
  return oldest;
}

interface Generated {
  trades: Trade[];
  gapBefore: boolean[];
}

function generate({ seed, windowUs, slackUs, stepUs, trades: n }: Scenario): Generated {
  const random = createRandom(seed);
  const int = (max: number) => Math.floor(random() * max);
  const trades: Trade[] = [];
  const gapBefore: boolean[] = [];
  // Times of the trades that are not outliers: a trade exactly W after one of them hits the edge.
  const regular: number[] = [];
  let time = T0_US;
  let cents = 6_000_000 + int(4_000_000);
  let id = 1_000_000_000;
  for (let i = 0; i < n; i++) {
    const r = random();
    let tradeTime = time;
    if (r < 0.25) tradeTime = time; // a sweep: several trades at one time
    else if (r < 0.6) tradeTime = time + 1 + int(stepUs * 2);
    else if (r < 0.7) tradeTime = time + 1 + int(3);
    else if (r < 0.8) tradeTime = Math.max(time, oldestAfter(regular, time - windowUs) + windowUs); // that one sits on the edge
    else if (r < 0.88) tradeTime = time - 1 - int(stepUs * 3);
    else if (r < 0.885) tradeTime = time - 1 - int(Math.min(windowUs, 2_000_000));
    else if (r < 0.888) tradeTime = time + Math.floor(windowUs * (0.5 + random() * 2.5));
    else if (r < 0.998) tradeTime = time + 1 + int(stepUs * 2);
    else tradeTime = time - windowUs - slackUs - 1 - int(windowUs); // an outlier far behind
    if (r < 0.998) {
      time = tradeTime;
      regular.push(tradeTime);
    }

    cents = Math.max(100, cents + int(201) - 100);
    let price = random() < 0.1 ? `${Math.floor(cents / 100)}.${String(int(100_000_000)).padStart(8, '0')}` : (cents / 100).toFixed(2);
    const sats = random() < 0.05 ? 1 + int(5_000_000_000) : 1 + int(20_000_000);
    let size = random() < 0.1 && sats >= 100_000_000 ? String(Math.floor(sats / 1e8)) : (sats / 1e8).toFixed(8);
    // Now and then units beyond 2^53, which the window cannot keep as doubles.
    if (random() < 0.01) price = '999999999999.99999999';
    if (random() < 0.01) size = `123456789.${String(int(100_000_000)).padStart(8, '0')}`;
    id += random() < 0.05 ? 2 + int(5) : 1;
    trades.push(makeTrade(id, tradeTime, price, size));
    gapBefore.push(i > 0 && random() < 0.005);
  }
  return { trades, gapBefore };
}

/** What the window must say after each trade, recomputed from scratch for every trade. */
function expectedStates({ windowUs, slackUs }: Scenario, { trades, gapBefore }: Generated) {
  const stats = { edgeExcluded: 0, laterExcluded: 0, backwards: 0, raised: 0, alone: 0, warm: 0, cold: 0, gaps: 0, maxCount: 0 };
  const alone: boolean[] = [];
  const states: { state: WindowState; retained: number }[] = [];
  let newest = -Infinity;
  let coverage: number | null = null;
  let floor = -Infinity;
  trades.forEach((t, i) => {
    if (gapBefore[i]) {
      coverage = null;
      floor = newest;
      stats.gaps++;
    }
    if (t.timeUs < newest) stats.backwards++;
    newest = Math.max(newest, t.timeUs);
    coverage ??= Math.max(t.timeUs, floor);
    const keepAfter = newest - windowUs - slackUs;
    alone[i] = t.timeUs <= keepAfter;
    const start = alone[i] ? t.timeUs - 1 : Math.max(t.timeUs - windowUs, keepAfter);
    let count = 0;
    let sumPrice = 0n;
    let sumPv = 0n;
    let sumSize = 0n;
    let retained = 0;
    for (let j = 0; j <= i; j++) {
      const u = trades[j]!;
      if (!alone[j] && u.timeUs > keepAfter) retained++;
      // A trade that arrives too far behind is its own window, whatever else shared its time.
      if (alone[i] ? j !== i : alone[j]) continue;
      if (u.timeUs === start) stats.edgeExcluded++;
      if (u.timeUs > t.timeUs && u.timeUs > start) stats.laterExcluded++;
      if (u.timeUs <= start || u.timeUs > t.timeUs) continue;
      count++;
      sumPrice += units8(u.price);
      sumPv += units8(u.price) * units8(u.size);
      sumSize += units8(u.size);
    }
    const warm = !alone[i] && start === t.timeUs - windowUs && t.timeUs - coverage >= windowUs;
    if (alone[i]) stats.alone++;
    else if (start !== t.timeUs - windowUs) stats.raised++;
    stats[warm ? 'warm' : 'cold']++;
    stats.maxCount = Math.max(stats.maxCount, count);
    states.push({
      retained,
      state: {
        product: 'BTC-USD',
        tradeId: t.tradeId,
        time: t.time,
        timeUs: t.timeUs,
        last: t.price,
        mean: eightDp(sumPrice, BigInt(count)),
        vwap: new D(sumPv.toString()).div(sumSize.toString()).div(1e8).toFixed(8),
        count,
        windowStartUs: start,
        windowEndUs: t.timeUs,
        warm,
        sumPriceUnits: sumPrice,
        sumPvUnits: sumPv,
        sumSizeUnits: sumSize,
        lastUnits: units8(t.price),
      },
    });
  });
  return { states, stats };
}

const SCENARIOS: Scenario[] = [
  { seed: 1, windowUs: 1_000, slackUs: 60_000_000, stepUs: 40, trades: 3000 },
  { seed: 2, windowUs: 250_000, slackUs: 0, stepUs: 2_000, trades: 3000 },
  { seed: 3, windowUs: 5_000_000, slackUs: 500_000, stepUs: 40_000, trades: 3000 },
  { seed: 4, windowUs: 600_000_000, slackUs: 60_000_000, stepUs: 2_000_000, trades: 3000 },
];

describe('createSlidingWindow against a from-scratch oracle', () => {
  for (const scenario of SCENARIOS) {
    it(`matches every output exactly for W = ${scenario.windowUs} µs, slack ${scenario.slackUs} µs`, () => {
      const data = generate(scenario);
      const { states, stats } = expectedStates(scenario, data);
      const window = createSlidingWindow('BTC-USD', scenario.windowUs, { backwardSlackUs: scenario.slackUs });
      data.trades.forEach((trade, i) => {
        if (data.gapBefore[i]) window.markDiscontinuity();
        const applied = window.apply(trade);
        // mean and vwap are getters, formatted when read: compare the whole state as plain data.
        expect(applied).toBeInstanceOf(WindowSnapshot);
        const actual = (applied as WindowSnapshot).toJSON();
        const expected = states[i]!;
        if (actual.mean !== expected.state.mean || actual.count !== expected.state.count || actual.warm !== expected.state.warm) {
          expect({ i, ...actual }).toEqual({ i, ...expected.state });
        }
        expect(actual).toEqual(expected.state);
        expect(window.size()).toBe(expected.retained);
        expect(window.current()).toBe(applied);
      });
      // The data must reach every case the rules distinguish, or the comparison proves little.
      expect(stats.edgeExcluded).toBeGreaterThan(0);
      expect(stats.laterExcluded).toBeGreaterThan(0);
      expect(stats.backwards).toBeGreaterThan(50);
      expect(stats.alone).toBeGreaterThan(0);
      expect(stats.warm).toBeGreaterThan(0);
      expect(stats.cold).toBeGreaterThan(0);
      expect(stats.gaps).toBeGreaterThan(0);
      expect(stats.maxCount).toBeGreaterThan(20);
      // Steps back reach min(W, 2 s): past the slack, the start must have been raised.
      if (scenario.slackUs < Math.min(scenario.windowUs, 2_000_000)) expect(stats.raised).toBeGreaterThan(0);
    });
  }
});
