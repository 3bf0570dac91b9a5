import type { AlertCondition } from '../../server/stream/alert-index.ts';
import { createSeededRandom } from '../../lib/seeded-random.ts';
import type { ExactWindowSums } from './exact-window-sums.ts';
import type { SpikyTrades } from './spiky-trades.ts';

/** An alert of the replay, with its true crossing worked out from the exact windows. */
export interface BenchAlert {
  /** As both designs index it: created at `notBeforeUs`, gone at `expiresAtUs`. */
  condition: AlertCondition;
  /** The spike it was set for, or -1 for the background alerts that never cross. */
  spike: number;
  /** The first trade of its lifetime after which the exact condition holds, or null. */
  crossing: { index: number; timeUs: number } | null;
}

export interface SpikeAlertOptions {
  windowUs: number;
  /** Alerts are created between half of this and this long before their spike. */
  leadUs: number;
  /** A last-price alert expires this long after its spike ends; a mean alert a window after. */
  tailUs: number;
  /** Armed alerts far from any price of the tape, as a real deployment holds them. */
  background: number;
  seed: number;
}

/** Where between the calm extreme and the spike's extreme a threshold goes. */
const LEVELS = [0.2, 0.5, 0.8];
const CENT = 1_000_000n;
/** A spike must take the basis at least this far past its calm extreme to get alerts (cents). */
const MIN_MOVE_CENTS = { last: 100, mean: 200 };

/**
 * Per spike, `last` and `mean` alerts in the spike's direction with thresholds at 20, 50 and 80 %
 * of the way from the calm extreme of their lifetime (before the spike for the mean, outside it
 * for the last price) to the spike's extreme, in whole cents as users set them. So each crosses
 * because of its spike, and the higher levels hold for only part of it. Then the true crossing
 * of every alert is found from the exact windows. Background alerts are placed beyond every
 * price of the tape, above or below, and never cross.
 */
export function createSpikeAlerts(tape: SpikyTrades, exact: ExactWindowSums, options: SpikeAlertOptions): BenchAlert[] {
  const random = createSeededRandom(options.seed);
  const { trades, product } = tape;
  const meanCents = (i: number): number => Number(exact.sum[i]!) / exact.count[i]! / 1e6;
  const alerts: BenchAlert[] = [];
  const indexAt = (us: number): number => lowerBound(trades, us);

  tape.spikes.forEach((spike, s) => {
    if (spike.first === spike.end) return;
    const up = spike.offsetCents > 0;
    const extreme = (values: number[]): number => (up ? Math.max(...values) : Math.min(...values));
    const createdUs = spike.startUs - Math.round(options.leadUs * (0.5 + random.next() * 0.5));
    const add = (basis: 'last' | 'mean', expiresAtUs: number, calm: number, peak: number): void => {
      if ((up ? peak - calm : calm - peak) < MIN_MOVE_CENTS[basis]) return;
      LEVELS.forEach((level, l) => {
        const cents = up ? Math.min(Math.floor(peak), Math.ceil(calm + level * (peak - calm))) : Math.max(Math.ceil(peak), Math.floor(calm - level * (calm - peak)));
        alerts.push({
          condition: { alertId: `s${s}-${basis}-${l}`, product, basis, direction: up ? 'above' : 'below', thresholdUnits: BigInt(cents) * CENT, notBeforeUs: createdUs, expiresAtUs },
          spike: s,
          crossing: null,
        });
      });
    };

    const lastExpiresUs = spike.endUs + options.tailUs;
    const calmPrices: number[] = [];
    for (let i = indexAt(createdUs); i < indexAt(lastExpiresUs); i++) if (trades[i]!.spike !== s) calmPrices.push(centsOf(trades[i]!.priceUnits));
    const spikePrices = trades.slice(spike.first, spike.end).map((t) => centsOf(t.priceUnits));
    if (calmPrices.length > 0) add('last', lastExpiresUs, extreme(calmPrices), extreme(spikePrices));

    const calmMeans: number[] = [];
    for (let i = indexAt(createdUs); i < spike.first; i++) if (exact.warm[i]) calmMeans.push(meanCents(i));
    const peakMeans: number[] = [];
    for (let i = spike.first; i < indexAt(spike.endUs + options.tailUs); i++) if (exact.warm[i]) peakMeans.push(meanCents(i));
    if (calmMeans.length > 0 && peakMeans.length > 0) add('mean', spike.endUs + options.windowUs, extreme(calmMeans), extreme(peakMeans));
  });

  for (const alert of alerts) alert.crossing = trueCrossing(alert.condition, tape, exact);

  let low = Infinity;
  let high = 0;
  for (const t of trades) {
    low = Math.min(low, centsOf(t.priceUnits));
    high = Math.max(high, centsOf(t.priceUnits));
  }
  // Means lie between the lowest and highest price, so these never hold.
  for (let n = 0; n < options.background; n++) {
    const above = random.next() < 0.5;
    const cents = above ? Math.ceil(high * (1.01 + random.next() * 0.3)) : Math.floor(low * (0.99 - random.next() * 0.3));
    alerts.push({
      condition: { alertId: `b${n}`, product, basis: n % 2 === 0 ? 'mean' : 'last', direction: above ? 'above' : 'below', thresholdUnits: BigInt(cents) * CENT },
      spike: -1,
      crossing: null,
    });
  }
  return alerts;
}

function centsOf(units: bigint): number {
  return Number(units / CENT);
}

/** Index of the first trade at or after `us`. */
function lowerBound(trades: ReadonlyArray<{ timeUs: number }>, us: number): number {
  let lo = 0;
  let hi = trades.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (trades[mid]!.timeUs < us) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The exact condition, as DESIGN.md states it, at trade i: no division, no rounding. */
export function holdsAt(condition: AlertCondition, tape: SpikyTrades, exact: ExactWindowSums, i: number): boolean {
  const threshold = condition.thresholdUnits;
  if (condition.basis === 'last') {
    const price = tape.trades[i]!.priceUnits;
    return condition.direction === 'above' ? price >= threshold : price <= threshold;
  }
  if (!exact.warm[i]) return false;
  const scaled = threshold * BigInt(exact.count[i]!);
  return condition.direction === 'above' ? exact.sum[i]! >= scaled : exact.sum[i]! <= scaled;
}

function trueCrossing(condition: AlertCondition, tape: SpikyTrades, exact: ExactWindowSums): BenchAlert['crossing'] {
  const end = lowerBound(tape.trades, condition.expiresAtUs ?? Infinity);
  for (let i = lowerBound(tape.trades, condition.notBeforeUs ?? -Infinity); i < end; i++) {
    if (holdsAt(condition, tape, exact, i)) return { index: i, timeUs: tape.trades[i]!.timeUs };
  }
  return null;
}
