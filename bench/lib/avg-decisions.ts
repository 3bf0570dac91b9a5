import Decimal from 'decimal.js';
import { divideHalfEven, formatUnits } from '../../server/stream/parse-decimal.ts';
import { cpuMs } from './cpu.ts';
import type { TradeDb } from './trade-db.ts';

/** A window whose exact price sum is known: (afterUs, toUs], trades up to `maxTradeId`. */
export interface KnownWindow {
  afterUs: number;
  toUs: number;
  maxTradeId?: number;
  count: number;
  sumPriceUnits: bigint;
}

/** How SQLite's `AVG(price)` (a double) compared with the exact mean over some windows. */
export interface AvgDecisions {
  windows: number;
  /** Threshold decisions compared: the whole cents on either side of each exact mean, above and below. */
  decisions: number;
  /** Of those, decided the other way by the double. */
  differing: number;
  /** Windows whose exact mean was a whole number of cents (where a double can tip a decision). */
  ties: number;
  /** Largest |AVG - exact mean| seen, USD. */
  maxErrorUsd: number;
  /** Closest any exact mean that was not on a cent came to one, USD. */
  nearestCentUsd: number;
  /** Windows where AVG printed to 8 decimals differs from the exact mean rounded half-even to 8. */
  printedDiffering: number;
  /** CPU of the AVG queries alone, ms. */
  avgCpuMs: number;
}

const CENT = 1_000_000n;
const Exact = Decimal.clone({ precision: 80 });

function floorDiv(num: bigint, den: bigint): bigint {
  const q = num / den;
  return q * den > num ? q - 1n : q;
}

/** The windows among `sums` whose exact mean is a whole number of cents. */
export function centTies<T extends { count: number; sumPriceUnits: bigint }>(windows: readonly T[]): T[] {
  return windows.filter((w) => w.count > 0 && w.sumPriceUnits % (BigInt(w.count) * CENT) === 0n);
}

/**
 * Runs the old job's `AVG(price)` over each window and compares it with the exact sum.
 * Thresholds are whole cents (alerts allow at most 2 dp) right next to each exact mean, the
 * hardest case for a double: the cent below and the cent above (the cent itself on a tie, where
 * `>=` and `<=` both hold exactly and the double must land on the threshold to agree).
 */
export function compareAvgDecisions(db: TradeDb, windows: readonly KnownWindow[], product: string): AvgDecisions {
  const result: AvgDecisions = { windows: 0, decisions: 0, differing: 0, ties: 0, maxErrorUsd: 0, nearestCentUsd: Infinity, printedDiffering: 0, avgCpuMs: 0 };
  for (const window of windows) {
    if (window.count === 0) continue;
    const started = cpuMs();
    const { avg, count } = db.avg(product, window.afterUs, window.toUs, window.maxTradeId);
    result.avgCpuMs += cpuMs() - started;
    if (avg === null || count !== window.count) throw new Error(`AVG saw ${count} trades in (${window.afterUs}, ${window.toUs}], the exact sum ${window.count}`);
    result.windows++;
    const sum = window.sumPriceUnits;
    const n = BigInt(count);
    const below = floorDiv(sum, n * CENT);
    const above = -floorDiv(-sum, n * CENT);
    if (below === above) result.ties++;
    else {
      const gap = sum - below * CENT * n < above * CENT * n - sum ? sum - below * CENT * n : above * CENT * n - sum;
      result.nearestCentUsd = Math.min(result.nearestCentUsd, Number(gap) / count / 1e8);
    }
    for (const cents of below === above ? [below] : [below, above]) {
      const scaled = cents * CENT * n;
      // The threshold as the old job held it: the 2-dp string read as a double.
      const threshold = Number(formatUnits(cents, 2, 2));
      result.decisions += 2;
      if (sum >= scaled !== avg >= threshold) result.differing++;
      if (sum <= scaled !== avg <= threshold) result.differing++;
    }
    // toPrecision(60) writes out the double's exact binary value.
    const error = new Exact(avg.toPrecision(60)).minus(new Exact(sum.toString()).div(count).div(1e8)).abs().toNumber();
    result.maxErrorUsd = Math.max(result.maxErrorUsd, error);
    if (avg.toFixed(8) !== formatUnits(divideHalfEven(sum, n), 8, 8)) result.printedDiffering++;
  }
  return result;
}
