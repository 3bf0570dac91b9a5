import type { SeededRandom } from '../../../lib/seeded-random.ts';

/** Maker side of a fill: `sell` = up-tick (the taker bought), `buy` = down-tick. */
export type Side = 'buy' | 'sell';

/** One generated fill; prices in units of the product's price grid, sizes in 1e-8 units. */
export interface WalkFill {
  priceUnits: number;
  sizeUnits: number;
  side: Side;
  /** Microseconds after the arrival's time: 0 for every fill of one taker sweep. */
  offsetMicros: number;
  /** Fills with the same index in one arrival come from the same taker order. */
  taker: number;
}

/** Typical step between two trades, as a fraction of the price (~$2.7 at $67,000). */
const STEP_FRACTION = 0.00004;
/** Share of single trades at the same price as the previous one. */
const SAME_PRICE_PROBABILITY = 0.45;
/** Pull back towards the anchor per trade, so a long demo does not drift away. */
const REVERSION_PER_TRADE = 0.0001;
/** An arrival is a small sweep (2–5 fills, one taker, identical time) this often... */
const SWEEP_PROBABILITY = 0.12;
/** ...and a burst (1–4 sweeps of 5–30 fills, a quick jump of 0.05–0.4 %) this often. */
const BURST_PROBABILITY = 0.01;
/** Median order value in the quote currency for fiat-quoted products. */
const MEDIAN_NOTIONAL = 300;

/** Average fills per arrival, so that arrivals/s = trades/s ÷ this. */
export const MEAN_FILLS_PER_ARRIVAL =
  (1 - SWEEP_PROBABILITY - BURST_PROBABILITY) * 1 + SWEEP_PROBABILITY * 3.5 + BURST_PROBABILITY * 2.5 * 17.5;

export interface PriceWalk {
  /** Current price in grid units. */
  readonly priceUnits: number;
  /** Moves the market (and the level it reverts to) to `units`, e.g. after a scripted trade. */
  setPrice(units: number): void;
  /** One ordinary trade. */
  fill(): WalkFill;
  /** The fills of one market event: usually one trade, sometimes a sweep or a burst. */
  arrival(): WalkFill[];
  /** Milliseconds until the next arrival for an average of `tradesPerSecond` trades. */
  gapMs(tradesPerSecond: number): number;
}

/**
 * A seeded random walk of trade prices with mean reversion, lognormal sizes, and occasional
 * sweeps and bursts that move the price quickly with identical timestamps, like a taker order
 * eating several levels of the book. `decimals` is the price grid (2 = cents).
 */
export function createPriceWalk(rng: SeededRandom, startUnits: number, decimals: number, fiat: boolean): PriceWalk {
  let price = Math.max(1, Math.round(startUnits));
  let anchor = price;
  const medianSize = fiat ? MEDIAN_NOTIONAL / (anchor / 10 ** decimals) : 0.5;

  const size = (): number => Math.max(1, Math.round(medianSize * Math.exp(rng.normal() * 1.4) * 1e8));

  const fill = (): WalkFill => {
    let delta = 0;
    if (rng.next() >= SAME_PRICE_PROBABILITY) {
      const sigma = Math.max(1, price * STEP_FRACTION);
      delta = Math.round(rng.normal() * sigma + (anchor - price) * REVERSION_PER_TRADE);
    }
    price = Math.max(1, price + delta);
    const side: Side = delta > 0 ? 'sell' : delta < 0 ? 'buy' : rng.next() < 0.5 ? 'buy' : 'sell';
    return { priceUnits: price, sizeUnits: size(), side, offsetMicros: 0, taker: 0 };
  };

  const sweep = (fills: WalkFill[], count: number, up: boolean, stepUnits: number, offset: number, taker: number) => {
    for (let i = 0; i < count; i += 1) {
      const move = Math.round(stepUnits * (0.5 + rng.next()));
      price = Math.max(1, price + (up ? move : -move));
      fills.push({ priceUnits: price, sizeUnits: size(), side: up ? 'sell' : 'buy', offsetMicros: offset, taker });
    }
  };

  const arrival = (): WalkFill[] => {
    const roll = rng.next();
    const up = rng.next() < 0.5;
    const fills: WalkFill[] = [];
    if (roll < BURST_PROBABILITY) {
      const sweeps = rng.int(1, 4);
      const counts = Array.from({ length: sweeps }, () => rng.int(5, 30));
      const total = counts.reduce((a, b) => a + b, 0);
      const jump = price * (0.0005 + rng.next() * 0.0035);
      let offset = 0;
      counts.forEach((count, taker) => {
        sweep(fills, count, up, jump / total, offset, taker);
        offset += rng.int(0, 3000);
      });
    } else if (roll < BURST_PROBABILITY + SWEEP_PROBABILITY) {
      sweep(fills, rng.int(2, 5), up, rng.int(0, 2), 0, 0);
    } else {
      fills.push(fill());
    }
    return fills;
  };

  return {
    get priceUnits() {
      return price;
    },
    setPrice(units) {
      price = anchor = Math.max(1, Math.round(units));
    },
    fill,
    arrival,
    gapMs: (tradesPerSecond) => rng.exponential((1000 * MEAN_FILLS_PER_ARRIVAL) / tradesPerSecond),
  };
}
