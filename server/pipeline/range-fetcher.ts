import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { type TradeRange, fetchTradeRange } from './fetch-trade-range.ts';

export interface RangeFetcherOptions {
  product: string;
  restUrl: URL;
  /** One walk is aborted after this many milliseconds (the gap timeout). */
  timeoutMs: number;
  metrics: Metrics;
  logger: Logger;
}

/**
 * One product's REST walks, one at a time: `fetch` walks ids in [fromId, beforeId) back to the
 * cutoff (microseconds of event time) and calls `done` with the range, or with null when the walk
 * failed outright (logged). A walk still running when `abort` is called never calls back.
 */
export function createRangeFetcher(options: RangeFetcherOptions) {
  const { product, metrics, logger: log } = options;
  let current: AbortController | null = null;

  return {
    /** True while a walk is in flight. */
    get busy(): boolean {
      return current !== null;
    },
    fetch(fromId: number, beforeId: number, cutoffUs: number, done: (range: TradeRange | null) => void): void {
      const controller = new AbortController();
      current = controller;
      const deadline = setTimeout(() => controller.abort(), options.timeoutMs);
      fetchTradeRange({
        restUrl: options.restUrl,
        product,
        fromId,
        beforeId,
        cutoffUs,
        signal: controller.signal,
        logger: log,
        onInvalid: (reason) => {
          metrics.feedInvalid.inc({ product, source: 'rest' });
          log.warn({ reason }, 'invalid backfill entry');
        },
      })
        .then(
          (range) => range,
          (error: unknown) => {
            log.error({ err: error }, 'trade backfill failed');
            return null;
          },
        )
        .then((range) => {
          clearTimeout(deadline);
          if (current !== controller) return;
          current = null;
          done(range);
        })
        // A fault in what the caller does with the trades must be seen, never an unhandled rejection.
        .catch((error: unknown) => log.error({ err: error }, 'applying backfilled trades failed'));
    },
    abort(): void {
      current?.abort();
      current = null;
    },
  };
}

export type RangeFetcher = ReturnType<typeof createRangeFetcher>;
