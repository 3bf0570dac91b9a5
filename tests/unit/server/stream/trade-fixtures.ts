import { parseUnits } from '../../../../server/stream/parse-decimal.ts';
import type { Trade } from '../../../../server/stream/types.ts';
import { createSeededRandom } from '../../../../lib/seeded-random.ts';

/** A seeded uniform [0, 1) source: the same data on every run. */
export function createRandom(seed: number): () => number {
  return createSeededRandom(seed).next;
}

/** 2026-11-26T15:39:50Z in microseconds: a plain base time for tests. */
export const T0_US = Date.UTC(2026, 10, 26, 15, 39, 50) * 1000;

/** The RFC 3339 form of a microsecond time, with all six fraction digits. */
export function isoMicros(timeUs: number): string {
  const ms = Math.floor(timeUs / 1000);
  const micros = String(timeUs % 1_000_000).padStart(6, '0');
  return `${new Date(ms).toISOString().slice(0, 19)}.${micros}Z`;
}

/** A checked BTC-USD trade; price and size are decimal strings, converted with `parseUnits`. */
export function makeTrade(tradeId: number, timeUs: number, price = '60000.00', size = '0.01000000', product = 'BTC-USD'): Trade {
  const priceUnits = parseUnits(price, 8);
  const sizeUnits = parseUnits(size, 8);
  if (priceUnits === null || sizeUnits === null) throw new Error(`bad test trade ${price} x ${size}`);
  return { product, tradeId, time: isoMicros(timeUs), timeUs, price, size, side: 'buy', priceUnits, sizeUnits };
}
