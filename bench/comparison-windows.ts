/**
 * The designs the engine is measured against: the same window semantics (times in
 * (t - W, t], monotone feed times assumed), computed the naive way or with decimal.js.
 */

import Decimal from 'decimal.js';
import { divideHalfEven, formatUnits } from '../server/stream/parse-decimal.ts';
import type { Trade } from '../server/stream/types.ts';

/** The outputs compared between designs. */
export interface WindowSummary {
  mean: string;
  vwap: string;
  count: number;
}

/**
 * Re-sums the whole window in BigInt on every trade: exact, but O(window) per trade. This is
 * what "just recompute the average" costs once a 10-minute window holds thousands of trades.
 * `earlier`: trades applied before the first call, in order.
 */
export function createNaiveWindow(windowUs: number, earlier: readonly Trade[] = []): (trade: Trade) => WindowSummary {
  // Trades applied before, taken as they are (filling the window the naive way would take minutes).
  const trades: Trade[] = [...earlier];
  let head = 0;
  return (trade) => {
    trades.push(trade);
    while ((trades[head]?.timeUs ?? Infinity) <= trade.timeUs - windowUs) head++;
    let sumPrice = 0n;
    let sumPv = 0n;
    let sumSize = 0n;
    for (let i = head; i < trades.length; i++) {
      const t = trades[i] as Trade;
      sumPrice += t.priceUnits;
      sumPv += t.priceUnits * t.sizeUnits;
      sumSize += t.sizeUnits;
    }
    const count = trades.length - head;
    return {
      mean: formatUnits(divideHalfEven(sumPrice, BigInt(count)), 8, 8),
      vwap: formatUnits(divideHalfEven(sumPv, sumSize), 8, 8),
      count,
    };
  };
}

/** The trade as a decimal.js design would hold it. */
export interface DecimalTrade {
  timeUs: number;
  price: Decimal;
  size: Decimal;
}

/**
 * O(1) amortized like the engine, but with decimal.js sums at its default 20 significant digits
 * (which is not exact for a running sum of price*size: the point of the comparison is speed).
 */
export function createDecimalWindow(windowUs: number): (trade: DecimalTrade) => WindowSummary {
  const trades: DecimalTrade[] = [];
  const pvs: Decimal[] = [];
  let head = 0;
  let sumPrice = new Decimal(0);
  let sumPv = new Decimal(0);
  let sumSize = new Decimal(0);
  return (trade) => {
    const pv = trade.price.times(trade.size);
    trades.push(trade);
    pvs.push(pv);
    sumPrice = sumPrice.plus(trade.price);
    sumPv = sumPv.plus(pv);
    sumSize = sumSize.plus(trade.size);
    for (let old = trades[head]; old !== undefined && old.timeUs <= trade.timeUs - windowUs; old = trades[head]) {
      sumPrice = sumPrice.minus(old.price);
      sumPv = sumPv.minus(pvs[head] as Decimal);
      sumSize = sumSize.minus(old.size);
      head++;
    }
    const count = trades.length - head;
    return {
      mean: sumPrice.div(count).toFixed(8, Decimal.ROUND_HALF_EVEN),
      vwap: sumPv.div(sumSize).toFixed(8, Decimal.ROUND_HALF_EVEN),
      count,
    };
  };
}
