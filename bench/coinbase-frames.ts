/**
 * Seeded, realistic Coinbase Exchange `match` frames for benchmarks: BTC-USD between 60,000 and
 * 100,000 with 2-dp prices, 8-dp sizes spread over six orders of magnitude, about 38 trades per
 * second of event time with sweeps (several trades at one microsecond), and times with trailing
 * zeros trimmed as the feed does.
 */

import type { RawTrade } from '../server/stream/types.ts';
import { createSeededRandom } from '../lib/seeded-random.ts';

/** A seeded uniform [0, 1) source: the same data on every run. */
function createRandom(seed: number): () => number {
  return createSeededRandom(seed).next;
}

/** Event time of the first frame: 2026-11-26T15:39:50Z, in microseconds. */
const START_US = Date.UTC(2026, 10, 26, 15, 39, 50) * 1000;
const MEAN_GAP_US = 33_000;


const HEX_BYTES = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

function hex8(random: () => number): string {
  const x = Math.floor(random() * 4_294_967_296);
  return `${HEX_BYTES[x >>> 24]}${HEX_BYTES[(x >>> 16) & 255]}${HEX_BYTES[(x >>> 8) & 255]}${HEX_BYTES[x & 255]}`;
}

function uuid(random: () => number): string {
  const a = hex8(random);
  const b = hex8(random);
  const c = hex8(random);
  const d = hex8(random);
  return `${a}-${b.slice(0, 4)}-4${b.slice(5)}-a${c.slice(1, 4)}-${c.slice(4)}${d}`;
}

/** RFC 3339 with the fraction's trailing zeros trimmed (`.58496Z`, `.5Z`, or none). */
function feedTime(timeUs: number): string {
  const seconds = new Date(Math.floor(timeUs / 1000)).toISOString().slice(0, 19);
  const fraction = String(timeUs % 1_000_000).padStart(6, '0').replace(/0+$/, '');
  return fraction ? `${seconds}.${fraction}Z` : `${seconds}Z`;
}

/**
 * Frames kept as a few long strings with offsets: `at(i)` slices a fresh string, as a socket hands
 * over a fresh string per message. A million separate strings would instead sit in the old
 * generation, and every major GC would mark them all, charging the code under test for it.
 */
export interface MatchFrames {
  readonly count: number;
  at(index: number): string;
}

const FRAMES_PER_CHUNK = 4096;

/** `count` JSON frames as the feed sends them (same field order), the same for the same seed. */
export function generateMatchFrames(count: number, seed = 42): MatchFrames {
  const random = createRandom(seed);
  const chunks: string[] = [];
  const offsets = new Float64Array(count + 1);
  let chunk = '';
  let timeUs = START_US;
  let cents = 8_000_000;
  let tradeId = 1_100_000_000;
  let sequence = 137_000_000_000;
  for (let i = 0; i < count; i++) {
    // A sweep keeps the time for a few trades; otherwise exponential gaps (a Poisson flow).
    if (random() >= 0.2) timeUs += 1 + Math.floor(-Math.log(1 - random()) * MEAN_GAP_US);
    cents += Math.floor(random() * 1001) - 500;
    if (cents < 6_000_000 || cents > 10_000_000) cents = 8_000_000;
    const sats = Math.floor(Math.exp(Math.log(1000) + random() * Math.log(500_000)));
    tradeId += 1;
    sequence += 1 + Math.floor(random() * 300);
    const side = random() < 0.5 ? 'buy' : 'sell';
    offsets[i] = chunk.length;
    // JSON.stringify returns one flat string: the chunk stays a shallow rope, cheap to flatten.
    chunk += JSON.stringify({
      type: 'match',
      trade_id: tradeId,
      maker_order_id: uuid(random),
      taker_order_id: uuid(random),
      side,
      size: (sats / 1e8).toFixed(8),
      price: (cents / 100).toFixed(2),
      product_id: 'BTC-USD',
      sequence,
      time: feedTime(timeUs),
    });
    offsets[i + 1] = chunk.length;
    if ((i + 1) % FRAMES_PER_CHUNK === 0 || i + 1 === count) {
      chunk.charCodeAt(0); // flattens the rope once, so slicing frames out of it stays cheap
      chunks.push(chunk);
      chunk = '';
    }
  }
  return {
    count,
    at(index) {
      const chunk = chunks[Math.floor(index / FRAMES_PER_CHUNK)] as string;
      const end = (index + 1) % FRAMES_PER_CHUNK === 0 ? chunk.length : offsets[index + 1];
      return chunk.slice(offsets[index], end);
    },
  };
}

/**
 * What the feed client does with a frame before the engine: `JSON.parse` and picking the trade's
 * fields out. Returns null for anything but a match.
 */
export function extractTrade(frame: string): RawTrade | null {
  const message = JSON.parse(frame) as Record<string, unknown>;
  if (message.type !== 'match') return null;
  return {
    product: message.product_id as string,
    tradeId: message.trade_id as number,
    time: message.time as string,
    price: message.price as string,
    size: message.size as string,
    side: message.side as string,
  };
}
