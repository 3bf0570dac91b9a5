import type { ProductMarket } from './product-market.ts';
import type { PublishedTrade } from './trade-tape.ts';

/** Longest single timer wait, so a changed clock or rate is noticed soon. */
const MAX_WAIT_MS = 1000;
/** Arrivals handled per product per wake-up; after a long event-loop block we skip ahead instead. */
const MAX_ARRIVALS_PER_TICK = 5000;

/**
 * Automatic trading: per product, market events arrive as a Poisson process (exponential
 * gaps) averaging `ratePerSecond` trades per second, each stamped with its scheduled arrival
 * time read from `now()`. Rate 0 or `pause()` stops it; tests then drive trades by hand.
 */
export function createAutoTrader(
  markets: readonly ProductMarket[],
  now: () => number,
  onTrades: (trades: PublishedTrade[]) => void,
  ratePerSecond: number,
) {
  let rate = ratePerSecond;
  let paused = false;
  let closed = false;
  let timer: NodeJS.Timeout | null = null;
  const next = new Map<ProductMarket, number>();

  const restart = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (closed || paused || rate <= 0) return;
    const start = now();
    for (const market of markets) next.set(market, start + market.walk.gapMs(rate));
    schedule();
  };

  const schedule = (): void => {
    const earliest = Math.min(...next.values());
    const wait = Math.max(0, Math.min(MAX_WAIT_MS, earliest - now()));
    timer = setTimeout(tick, wait);
  };

  const tick = (): void => {
    const current = now();
    for (const market of markets) {
      let at = next.get(market) ?? current;
      for (let n = 0; at <= current && n < MAX_ARRIVALS_PER_TICK; n += 1) {
        onTrades(market.arrival(at));
        at += market.walk.gapMs(rate);
      }
      if (at <= current) at = current + market.walk.gapMs(rate);
      next.set(market, at);
    }
    schedule();
  };

  return {
    /** Average trades per second per product (0 = none). */
    get rate(): number {
      return rate;
    },
    get paused(): boolean {
      return paused;
    },
    setRate(perSecond: number): void {
      if (!Number.isFinite(perSecond) || perSecond < 0) throw new RangeError('rate must be a number >= 0');
      rate = perSecond;
      restart();
    },
    pause(): void {
      paused = true;
      restart();
    },
    resume(): void {
      paused = false;
      restart();
    },
    start: restart,
    close(): void {
      closed = true;
      restart();
    },
  };
}

/** The automatic trading loop. */
export type AutoTrader = ReturnType<typeof createAutoTrader>;
