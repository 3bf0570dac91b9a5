import { createPriceWalk } from '../../server/feed/simulator/price-walk.ts';
import { formatMicros, unitsToDecimal } from '../../server/feed/simulator/trade-fields.ts';
import type { RawTrade } from '../../server/stream/types.ts';
import { createSeededRandom, deriveSeed } from '../../lib/seeded-random.ts';

/** One trade of the tape: the fields as the feed sends them, and the exact values beside them. */
export interface TapeTrade {
  raw: RawTrade;
  timeUs: number;
  /** Price in units of 1e-8 USD (the engine's unit). */
  priceUnits: bigint;
  /** Index of the spike this trade lies in, or -1. */
  spike: number;
}

/** A spike laid over the walk: every trade in [startUs, endUs) is moved by `offsetCents`. */
export interface Spike {
  startUs: number;
  endUs: number;
  offsetCents: number;
  /** Trades [first, end) lie in the spike; first === end when none happened to fall in it. */
  first: number;
  end: number;
}

export interface SpikyTrades {
  product: string;
  trades: TapeTrade[];
  spikes: Spike[];
  startUs: number;
  endUs: number;
}

export interface SpikyTradesOptions {
  seed: number;
  spanUs: number;
  tradesPerSecond: number;
  spikeCount: number;
  /** No spike starts earlier than this after the first trade (the window fills first). */
  quietStartUs: number;
  /** Room each spike keeps free before it (its alerts are created in it)... */
  leadUs: number;
  /** ...and after it (its last-price alerts live on there), so spikes never overlap those. */
  tailUs: number;
}

const PRODUCT = 'BTC-USD';
/** Event time of the first trade: 2026-11-26T12:00:00Z, in microseconds. */
const START_US = Date.UTC(2026, 10, 26, 12, 0, 0) * 1000;
const START_CENTS = 8_000_000;
/** Spike lengths: short ones a batch run rarely lands in, and ones that last most of a minute. */
const DURATIONS_S = [
  { share: 0.4, min: 2, max: 8 },
  { share: 0.2, min: 10, max: 30 },
  { share: 0.4, min: 40, max: 55 },
];
const MAX_DURATION_US = 55_000_000;
/** $400–$1,000 (0.5–1.25 %): well clear of the walk's noise over a minute. */
const OFFSET_CENTS = { min: 40_000, max: 100_000 };

/**
 * A seeded BTC-USD tape: the simulator's price walk (cents, lognormal sizes, sweeps and bursts
 * with shared timestamps) at `tradesPerSecond`, with `spikeCount` spikes laid over it, one per
 * equal slot after the quiet start. A spike jumps the price by $400–$1,000 up or down for 2 s
 * to 55 s and then drops back: what a periodic job can sleep through. The same seed gives the
 * same tape on every machine; times never go backwards.
 */
export function generateSpikyTrades(options: SpikyTradesOptions): SpikyTrades {
  const random = createSeededRandom(deriveSeed(options.seed, 'spikes'));
  const spikes = placeSpikes(options, random);
  const walk = createPriceWalk(createSeededRandom(deriveSeed(options.seed, 'walk')), START_CENTS, 2, true);
  const endUs = START_US + options.spanUs;
  const trades: TapeTrade[] = [];
  let atMs = 0;
  let lastUs = START_US;
  let tradeId = 1_100_000_000;
  let spike = 0;
  while (lastUs < endUs) {
    for (const fill of walk.arrival()) {
      let timeUs = Math.max(lastUs, START_US + Math.floor(atMs * 1000) + fill.offsetMicros);
      // A whole second prints as ".0Z"; the feed's fractions never look like that.
      if (timeUs % 1_000_000 === 0) timeUs += 1;
      if (timeUs >= endUs) break;
      lastUs = timeUs;
      while (spike < spikes.length && spikes[spike]!.endUs <= timeUs) spike++;
      const inSpike = spike < spikes.length && spikes[spike]!.startUs <= timeUs;
      const cents = Math.max(1, fill.priceUnits + (inSpike ? spikes[spike]!.offsetCents : 0));
      tradeId += 1;
      trades.push({
        raw: {
          product: PRODUCT,
          tradeId,
          time: formatMicros(timeUs, true),
          price: unitsToDecimal(cents, 2, true),
          size: unitsToDecimal(fill.sizeUnits, 8, true),
          side: fill.side,
        },
        timeUs,
        priceUnits: BigInt(cents) * 1_000_000n,
        spike: inSpike ? spike : -1,
      });
    }
    atMs += walk.gapMs(options.tradesPerSecond);
    if (START_US + atMs * 1000 >= endUs) break;
  }
  for (const [index, s] of spikes.entries()) {
    s.first = trades.findIndex((t) => t.spike === index);
    if (s.first < 0) s.first = s.end = 0;
    else for (s.end = s.first; s.end < trades.length && trades[s.end]!.spike === index; s.end++);
  }
  return { product: PRODUCT, trades, spikes, startUs: START_US, endUs };
}

function placeSpikes(options: SpikyTradesOptions, random: ReturnType<typeof createSeededRandom>): Spike[] {
  const slotUs = Math.floor((options.spanUs - options.quietStartUs) / options.spikeCount);
  const slack = slotUs - options.leadUs - MAX_DURATION_US - options.tailUs;
  if (slack < 0) throw new RangeError(`${options.spikeCount} spikes do not fit: each needs ${(slotUs - slack) / 1e6} s`);
  return Array.from({ length: options.spikeCount }, (_, k) => {
    const roll = random.next();
    let cumulative = 0;
    const kind = DURATIONS_S.find((d) => (cumulative += d.share) > roll) ?? DURATIONS_S[0]!;
    const durationUs = Math.round((kind.min + random.next() * (kind.max - kind.min)) * 1e6);
    const startUs = START_US + options.quietStartUs + k * slotUs + options.leadUs + Math.floor(random.next() * slack);
    const offset = random.int(OFFSET_CENTS.min, OFFSET_CENTS.max);
    return { startUs, endUs: startUs + durationUs, offsetCents: random.next() < 0.5 ? offset : -offset, first: 0, end: 0 };
  });
}
