import { type Side, type WalkFill, createPriceWalk } from './price-walk.ts';
import { createSeededRandom, deriveSeed } from '../../../lib/seeded-random.ts';
import { DECIMAL_PATTERN, formatMicros, parseRfc3339Micros, priceDecimals, unitsToDecimal } from './trade-fields.ts';
import { type PublishedTrade, createTradeTape } from './trade-tape.ts';

/** Fields of a scripted trade; anything left out is generated. */
export interface TradeInput {
  /** Decimal string, sent exactly as given (e.g. "67143.10"); also moves the market there. */
  price?: string;
  /** Decimal string, up to 8 decimals, sent exactly as given. */
  size?: string;
  /** Maker side; by default `sell` for an up-tick, `buy` for a down-tick. */
  side?: Side;
  /** RFC 3339 UTC time, sent exactly as given; default: now. */
  time?: string;
}

export interface ProductMarketOptions {
  seed: number;
  startPrice: string;
  firstTradeId: number;
  maxTrades: number;
}

/** Sequence moves this much for a trade that starts a taker order (the book changes meanwhile)... */
const SEQUENCE_STEP_MIN = 20;
const SEQUENCE_STEP_MAX = 400;
/** ...and by 2 for each further fill of the same taker, as in the real captures. */
const SWEEP_SEQUENCE_STEP = 2;

/**
 * One product's market: a seeded price walk feeding the product's trade tape. Turns walk
 * fills and scripted trades into published trades with ids, sequences, order ids and feed
 * formatted fields. Pure apart from the clock value passed in.
 */
export function createProductMarket(product: string, options: ProductMarketOptions) {
  const rng = createSeededRandom(deriveSeed(options.seed, product));
  // Order ids and time jitter come from their own stream, so prices depend on the seed alone.
  const idRng = createSeededRandom(deriveSeed(options.seed, `${product}#ids`));
  const decimals = priceDecimals(product);
  if (!DECIMAL_PATTERN.test(options.startPrice)) throw new TypeError(`bad start price for ${product}: ${options.startPrice}`);
  const walk = createPriceWalk(rng, Number(options.startPrice) * 10 ** decimals, decimals, decimals === 2);
  const firstSequence = options.firstTradeId * 40 + idRng.int(0, 1_000_000);
  const tape = createTradeTape(product, options.firstTradeId, firstSequence, options.maxTrades);

  const record = (fill: WalkFill, atMicros: number, takerOrderId: string, step: number, sent: boolean) => {
    let micros = Math.max(Math.floor(atMicros), tape.lastMicros);
    // A whole second would print as ".0": nudge it, the real feed's fractions are never empty.
    if (micros % 1_000_000 === 0) micros += 1;
    return tape.append({
      time: formatMicros(micros, true),
      timeMicros: micros,
      price: unitsToDecimal(fill.priceUnits, decimals, true),
      size: unitsToDecimal(fill.sizeUnits, 8, true),
      side: fill.side,
      makerOrderId: idRng.uuid(),
      takerOrderId,
      sequenceStep: step,
      sent,
    });
  };

  const publishFills = (fills: WalkFill[], atMs: number, sent: boolean): PublishedTrade[] => {
    const takers = new Map<number, string>();
    return fills.map((fill) => {
      const known = takers.get(fill.taker);
      const taker = known ?? idRng.uuid();
      takers.set(fill.taker, taker);
      const step = known ? SWEEP_SEQUENCE_STEP : idRng.int(SEQUENCE_STEP_MIN, SEQUENCE_STEP_MAX);
      return record(fill, atMs * 1000 + fill.offsetMicros, taker, step, sent);
    });
  };

  /** Publishes one market event (a trade, a sweep or a burst) at `atMs` (fractional ms allowed). */
  const arrival = (atMs: number, sent = true): PublishedTrade[] => publishFills(walk.arrival(), atMs, sent);

  /** Publishes one trade with the given fields (the rest generated) at `nowMs`. Throws on bad input. */
  const scripted = (input: TradeInput, nowMs: number, sent = true): PublishedTrade => {
    if (input.price !== undefined && (!DECIMAL_PATTERN.test(input.price) || Number(input.price) <= 0)) {
      throw new TypeError(`price must be a positive decimal string (got ${JSON.stringify(input.price)})`);
    }
    if (input.size !== undefined && (!DECIMAL_PATTERN.test(input.size) || Number(input.size) <= 0)) {
      throw new TypeError(`size must be a positive decimal string with at most 8 decimals (got ${JSON.stringify(input.size)})`);
    }
    const micros = input.time === undefined ? nowMs * 1000 + idRng.int(0, 999) : parseRfc3339Micros(input.time);
    if (micros === null) throw new TypeError(`time must be an RFC 3339 UTC time (got ${JSON.stringify(input.time)})`);
    const before = walk.priceUnits;
    const fill = walk.fill();
    if (input.price !== undefined) {
      walk.setPrice(Number(input.price) * 10 ** decimals);
      const moved = walk.priceUnits - before;
      fill.side = moved > 0 ? 'sell' : moved < 0 ? 'buy' : fill.side;
    }
    const trade = record(fill, micros, idRng.uuid(), idRng.int(SEQUENCE_STEP_MIN, SEQUENCE_STEP_MAX), sent);
    // Scripted fields go out verbatim, so tests can assert on exact strings.
    if (input.price !== undefined) trade.price = input.price;
    if (input.size !== undefined) trade.size = input.size;
    if (input.side !== undefined) trade.side = input.side;
    if (input.time !== undefined) trade.time = input.time;
    return trade;
  };

  /**
   * Fills the tape with `count` trades over the `spanMs` before `endMs`: arrivals drawn as
   * for live trading, then their times scaled so the last lands just before `endMs`.
   */
  const backfillHistory = (count: number, endMs: number, spanMs: number): void => {
    const events: Array<{ at: number; fills: WalkFill[] }> = [];
    let at = 0;
    let total = 0;
    while (total < count) {
      const fills = walk.arrival().slice(0, count - total);
      events.push({ at, fills });
      total += fills.length;
      at += walk.gapMs(1);
    }
    const lastAt = events[events.length - 1]?.at ?? 0;
    const scale = lastAt > 0 ? spanMs / lastAt : 0;
    for (const event of events) publishFills(event.fills, endMs - spanMs + event.at * scale - 1, true);
  };

  return { product, tape, walk, arrival, scripted, backfillHistory };
}

/** One product's generator and store. */
export type ProductMarket = ReturnType<typeof createProductMarket>;
