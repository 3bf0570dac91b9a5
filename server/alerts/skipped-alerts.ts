import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { UnindexableAlertError, type UnindexableReason } from './alert-conditions.ts';

/** Skipped rows logged one by one per reason at start; past it, one summary line says how many more. */
export const SKIP_LOG_LINES = 20;

/** Per reason, how many stored alerts were skipped so far (the start-up load's log budget). */
export type SkipTally = Map<UnindexableReason, number>;

/**
 * What happens to a stored alert that cannot be evaluated: counted in
 * `tickwatch_alerts_skipped_total` by reason, logged at warn with its id, left out of the index.
 * With a `tally` (the start-up load, which may meet a million bad rows), only the first
 * `SKIP_LOG_LINES` of each reason are logged; `summarize` then says how many more there were.
 */
export function createSkippedAlerts(metrics: Metrics, log: Logger) {
  return {
    skip(alertId: string, error: unknown, tally?: SkipTally): UnindexableReason {
      const reason = error instanceof UnindexableAlertError ? error.reason : 'not_indexable';
      metrics.alertsSkipped.inc({ reason });
      const logged = tally?.get(reason) ?? 0;
      tally?.set(reason, logged + 1);
      if (logged < SKIP_LOG_LINES) {
        log.warn({ alertId, reason, detail: error instanceof Error ? error.message : String(error) }, 'a stored alert cannot be evaluated; it is left out of the index');
      }
      return reason;
    },
    summarize(tally: SkipTally): void {
      for (const [reason, count] of tally) {
        if (count > SKIP_LOG_LINES) log.warn({ reason, count, unlogged: count - SKIP_LOG_LINES }, 'more stored alerts skipped for the same reason');
      }
    },
  };
}

export type SkippedAlerts = ReturnType<typeof createSkippedAlerts>;
