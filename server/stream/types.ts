/**
 * The data the pure stream engine works on. Prices and sizes arrive as the feed's decimal
 * strings and are kept as exact integers in fixed units (`PRICE_SCALE`, `SIZE_SCALE` decimal
 * places) on the hot path; times are integer microseconds since the epoch (exact for the feed's
 * microsecond precision and well inside Number's safe range until the year 2255).
 */

/** Decimal places of the integer price unit (1e-8 USD). */
export const PRICE_SCALE = 8;
/** Decimal places of the integer size unit (1e-8 BTC: one satoshi). */
export const SIZE_SCALE = 8;

/** A trade as the feed or REST sent it, fields already picked out but not yet checked. */
export interface RawTrade {
  product: string;
  tradeId: number;
  /** RFC 3339 time as sent, e.g. `2026-11-26T15:39:50.123456Z`. */
  time: string;
  price: string;
  size: string;
  side: string;
}

/** A checked trade, ready for the window. */
export interface Trade {
  product: string;
  tradeId: number;
  /** The feed's own time string, passed through to the wire unchanged. */
  time: string;
  /** Microseconds since the epoch. */
  timeUs: number;
  /** The feed's price string, passed through as `last`. */
  price: string;
  size: string;
  side: 'buy' | 'sell';
  /** Price in units of 10^-PRICE_SCALE. */
  priceUnits: bigint;
  /** Size in units of 10^-SIZE_SCALE. */
  sizeUnits: bigint;
}

/** The window of one product as of one applied trade. */
export interface WindowState {
  product: string;
  tradeId: number;
  time: string;
  timeUs: number;
  /** The trade's price string as the feed sent it. */
  last: string;
  /** Arithmetic mean of the prices in the window, exactly 8 decimals, rounded half-even (formatted when read). */
  readonly mean: string;
  /** sum(price*size)/sum(size), exactly 8 decimals, rounded half-even (formatted when read). */
  readonly vwap: string;
  count: number;
  /** Exclusive lower bound of the window: trades with timeUs > windowStartUs are in. */
  windowStartUs: number;
  /** Inclusive upper bound: the time of trade `tradeId`. */
  windowEndUs: number;
  warm: boolean;
  /** Exact sums for comparisons without division (alerts): sum of priceUnits. */
  sumPriceUnits: bigint;
  /** Sum of priceUnits*sizeUnits (units of 10^-(PRICE_SCALE+SIZE_SCALE)). */
  sumPvUnits: bigint;
  /** Sum of sizeUnits. */
  sumSizeUnits: bigint;
  /** The trade's priceUnits. */
  lastUnits: bigint;
}
