import { backoffDelay } from '../backoff.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { DB_WRITE_BACKOFF } from './client.ts';

export interface WriteRetryOptions {
  /** The `writer` label of `tickwatch_db_write_failures_total`. */
  writer: 'trades' | 'alerts';
  log: Logger;
  metrics?: Metrics;
  /** Logged at error with each failed attempt ("… failed; will retry"). */
  failedMessage: string;
  /** Logged at info once writes commit again after failing ("… recovered"). */
  recoveredMessage: string;
}

/**
 * The failure bookkeeping of a background writer (the trade store, the alert firings): each
 * failed attempt is counted, logged with the delay before the next one (`DB_WRITE_BACKOFF`,
 * growing with the streak), and the writer reports `failing()` until one commits again, which
 * is what `/readyz` reads. The writer keeps its own queue: nothing here drops or reorders work.
 */
export function createWriteRetry({ writer, log, metrics, failedMessage, recoveredMessage }: WriteRetryOptions) {
  let failures = 0;
  return {
    /** A failed attempt: returns how long to wait before the next one, in milliseconds. */
    failed(error: unknown, context: Record<string, unknown>): number {
      const delayMs = backoffDelay(failures, DB_WRITE_BACKOFF);
      failures += 1;
      metrics?.dbWriteFailures.inc({ writer });
      log.error({ err: error, ...context, failures, retryInMs: delayMs }, failedMessage);
      return delayMs;
    },
    /** An attempt committed: ends a failing streak. */
    succeeded(): void {
      if (failures > 0) log.info({ failures }, recoveredMessage);
      failures = 0;
    },
    /**
     * The database answered but refused the work for a reason of its own (a fenced firing): not
     * a failing write, so the streak ends without a "recovered" line.
     */
    answered(): void {
      failures = 0;
    },
    /** True from a failed attempt until the next one commits (readiness). */
    failing: (): boolean => failures > 0,
  };
}

export type WriteRetry = ReturnType<typeof createWriteRetry>;
