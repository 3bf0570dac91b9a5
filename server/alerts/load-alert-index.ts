import type { BulkReader } from '../db/bulk-reader.ts';
import type { Logger } from '../logger.ts';
import type { AlertCondition, AlertIndex } from '../stream/alert-index.ts';
import { type ConditionMeta, type ConditionRow, UnindexableAlertError, fireCondition, rearmCondition } from './alert-conditions.ts';
import type { SkipTally, SkippedAlerts } from './skipped-alerts.ts';
import { eachStoredAlert } from './stored-alerts.ts';

export interface AlertIndexLoad {
  index: AlertIndex<ConditionMeta>;
  /** The index's own checks (`createIndexCheck`): a condition it would refuse is skipped up front. */
  indexable: (condition: AlertCondition) => AlertCondition;
  skipped: SkippedAlerts;
  /** The products this server follows: stored alerts on others are skipped. */
  products?: readonly string[];
  log: Logger;
}

/** Why a stored row cannot be indexed, before its condition is even built (columns no API write produces). */
function refusal(row: ConditionRow, entry: ConditionMeta, repeatMode: unknown, followed: Set<string> | null): UnindexableAlertError | null {
  if (followed && !followed.has(row.product)) {
    return new UnindexableAlertError('product_not_followed', 'product', `${String(row.product)} is not among the products this server follows (PRODUCTS)`);
  }
  if (!Number.isSafeInteger(entry.arming) || entry.arming < 1) {
    return new UnindexableAlertError('invalid_arming', 'arming', `arming "${String(entry.arming)}" is not a positive whole number`);
  }
  if (repeatMode !== 'once' && repeatMode !== 'rearm') {
    return new UnindexableAlertError('invalid_repeat', 'repeat', `repeat mode "${String(repeatMode)}" is not once or rearm`);
  }
  return null;
}

/**
 * Builds the alert index at start from the database (armed alerts, and rearm alerts waiting for
 * their band), streamed through `reader` and loaded in one bulk insert. A row that cannot be
 * evaluated (a column no API write produces, a product this server no longer follows) is
 * skipped: counted and logged (`skipped-alerts.ts`), so no stored row can keep the service from
 * starting.
 */
export async function loadAlertIndex(reader: BulkReader, { index, indexable, skipped, products, log }: AlertIndexLoad): Promise<void> {
  const conditions: AlertCondition<ConditionMeta>[] = [];
  const followed = products ? new Set(products) : null;
  const tally: SkipTally = new Map();
  let skippedRows = 0;
  await eachStoredAlert(reader, ({ row, entry, repeatMode, firedAtUs }) => {
    try {
      const refused = refusal(row, entry, repeatMode, followed);
      if (refused) throw refused;
      const condition = entry.kind === 'fire' ? fireCondition(row) : rearmCondition(row, firedAtUs ?? 0);
      if (condition) conditions.push({ ...indexable(condition), meta: entry });
    } catch (error) {
      skippedRows++;
      skipped.skip(row.id, error, tally);
    }
  });
  try {
    index.bulkLoad(conditions);
  } catch (error) {
    // Every condition passed the index's checks above, so this is not expected; if it happens
    // anyway, load them one at a time and skip the ones refused rather than fail the start.
    log.warn({ err: error }, 'bulk loading the alert index failed; loading alerts one at a time');
    for (const condition of conditions) {
      try {
        index.add(condition);
      } catch (single) {
        skippedRows++;
        skipped.skip(condition.alertId, single, tally);
      }
    }
  }
  skipped.summarize(tally);
  log[skippedRows > 0 ? 'warn' : 'info']({ indexed: index.size(), skipped: skippedRows }, 'alert index loaded');
}
