import { divideHalfEven, formatUnits } from './parse-decimal.ts';
import { PRICE_SCALE, type Trade, type WindowState } from './types.ts';

/**
 * The window as of one trade. `mean` and `vwap` are formatted on first read, not on every
 * trade: at a thousand trades a second, alerts compare the exact sums and only the few states a
 * browser or a notification sees are ever written out (about half of a trade's cost was the two
 * BigInt divisions and string formats). Read once, each is kept.
 */
export class WindowSnapshot implements WindowState {
  readonly product: string;
  readonly tradeId: number;
  readonly time: string;
  readonly timeUs: number;
  readonly last: string;
  readonly lastUnits: bigint;
  readonly windowEndUs: number;
  #mean: string | undefined;
  #vwap: string | undefined;

  constructor(
    trade: Trade,
    readonly windowStartUs: number,
    readonly warm: boolean,
    readonly count: number,
    readonly sumPriceUnits: bigint,
    readonly sumPvUnits: bigint,
    readonly sumSizeUnits: bigint,
  ) {
    this.product = trade.product;
    this.tradeId = trade.tradeId;
    this.time = trade.time;
    this.timeUs = trade.timeUs;
    this.last = trade.price;
    this.lastUnits = trade.priceUnits;
    this.windowEndUs = trade.timeUs;
  }

  get mean(): string {
    return (this.#mean ??= formatUnits(divideHalfEven(this.sumPriceUnits, BigInt(this.count)), PRICE_SCALE, 8));
  }

  get vwap(): string {
    return (this.#vwap ??= formatUnits(divideHalfEven(this.sumPvUnits, this.sumSizeUnits), PRICE_SCALE, 8));
  }

  /** A plain object with every field, `mean` and `vwap` included (logs, JSON, test equality). */
  toJSON(): WindowState {
    return {
      product: this.product,
      tradeId: this.tradeId,
      time: this.time,
      timeUs: this.timeUs,
      last: this.last,
      mean: this.mean,
      vwap: this.vwap,
      count: this.count,
      windowStartUs: this.windowStartUs,
      windowEndUs: this.windowEndUs,
      warm: this.warm,
      sumPriceUnits: this.sumPriceUnits,
      sumPvUnits: this.sumPvUnits,
      sumSizeUnits: this.sumSizeUnits,
      lastUnits: this.lastUnits,
    };
  }
}
