import { parseUnits } from './parse-decimal.ts';
import { parseTimeUs } from './parse-time.ts';
import { PRICE_SCALE, SIZE_SCALE, type RawTrade, type Trade } from './types.ts';

/** Largest accepted price, 1e12 (in price units), the same bound alerts put on thresholds. */
export const MAX_PRICE_UNITS = 10n ** BigInt(12 + PRICE_SCALE);

const BAD_PRICE = `price is not a plain decimal with at most ${PRICE_SCALE} decimals`;
const BAD_SIZE = `size is not a plain decimal with at most ${SIZE_SCALE} decimals`;

/** Result of {@link parseTrade}: the checked trade, or a short sentence saying why not. */
export type ParseTradeResult = { ok: true; trade: Trade } | { ok: false; reason: string };

/**
 * Checks a trade as picked out of a feed or REST message and converts it for the window.
 *
 * Accepted: a non-empty product; `tradeId` a positive safe integer; `side` exactly `buy` or
 * `sell`; `time` an RFC 3339 UTC time (see `parseTimeUs`); `price` a plain decimal with at most
 * `PRICE_SCALE` significant decimals, > 0 and <= 1e12; `size` a plain decimal with at most
 * `SIZE_SCALE` significant decimals, > 0. The strings are kept as sent (`price` becomes `last`
 * on the wire). A rejection carries a short human sentence meant for logs and counters; it
 * never throws, whatever the input.
 */
export function parseTrade(raw: RawTrade): ParseTradeResult {
  return checkTrade(raw, parseTimeUs(raw.time), 'time is not a UTC time between 2000 and 2200');
}

/**
 * {@link parseTrade} for a trade this server stored itself, with its time already in
 * microseconds: the same checks, except that the time string is not parsed again (at start a
 * day of trades is replayed, and the time parse was a third of each trade's cost).
 */
export function parseStoredTrade(raw: RawTrade, timeUs: number): ParseTradeResult {
  const valid = Number.isSafeInteger(timeUs) && timeUs > 0;
  return checkTrade(raw, valid ? timeUs : null, 'stored time is not a positive integer of microseconds');
}

/** The checks both share; `timeUs` is null when the time was not valid (`badTime` says why). */
function checkTrade(raw: RawTrade, timeUs: number | null, badTime: string): ParseTradeResult {
  const { product, tradeId, time, price, size, side } = raw;
  if (typeof product !== 'string' || product.length === 0) return fail('product is missing');
  if (!Number.isSafeInteger(tradeId) || tradeId <= 0) return fail('trade id is not a positive integer');
  if (side !== 'buy' && side !== 'sell') return fail('side is neither buy nor sell');
  if (timeUs === null) return fail(badTime);
  const priceUnits = parseUnits(price, PRICE_SCALE);
  if (priceUnits === null) return fail(BAD_PRICE);
  if (priceUnits <= 0n) return fail('price is not positive');
  if (priceUnits > MAX_PRICE_UNITS) return fail('price is above 1e12');
  const sizeUnits = parseUnits(size, SIZE_SCALE);
  if (sizeUnits === null) return fail(BAD_SIZE);
  if (sizeUnits <= 0n) return fail('size is not positive');

  return { ok: true, trade: { product, tradeId, time, timeUs, price, size, side, priceUnits, sizeUnits } };
}

function fail(reason: string): ParseTradeResult {
  return { ok: false, reason };
}
