import type { BulkReader } from '../db/bulk-reader.ts';
import { parseTimeUs } from '../stream/parse-time.ts';
import type { ConditionMeta, ConditionRow } from './alert-conditions.ts';

/** One stored alert the index may hold, as read at start: its terms, its index entry, its repeat mode. */
export interface StoredAlert {
  row: ConditionRow;
  entry: ConditionMeta;
  /** As stored; anything but once or rearm is refused by the loader. */
  repeatMode: unknown;
  /** For a triggered rearm alert: when the trade that fired it happened, in microseconds. */
  firedAtUs?: number;
}

const COLUMNS = ['id', 'userId', 'product', 'basis', 'direction', 'threshold', 'rearmBand', 'cooldownSeconds', 'expiresAt', 'arming', 'repeatMode']
  .map((c) => `a."${c}"`)
  .join(', ');

function stored(r: unknown[], kind: ConditionMeta['kind']): StoredAlert {
  const row: ConditionRow = {
    id: r[0] as string,
    product: r[2] as string,
    basis: r[3] as string,
    direction: r[4] as string,
    threshold: r[5] as string,
    rearmBand: r[6] as string | null,
    cooldownSeconds: r[7] as number | null,
    expiresAt: r[8] === null ? null : new Date(r[8] as string),
  };
  return { row, entry: { alertId: row.id, userId: r[1] as string, kind, arming: r[9] as number }, repeatMode: r[10] };
}

/**
 * Streams the alerts the index holds at start through `reader`: every armed alert, and every
 * triggered rearm alert with the time of the trade that fired it (it waits to be armed again).
 */
export async function eachStoredAlert(reader: BulkReader, onAlert: (alert: StoredAlert) => void): Promise<void> {
  // A plain scan (no join, no ORDER BY: sorting a million rows in SQLite cost more than the index's own sort).
  await reader.each(`SELECT ${COLUMNS} FROM alert a WHERE a."status" = 'armed'`, [], (r) => onAlert(stored(r, 'fire')));
  await reader.each(
    `SELECT ${COLUMNS}, a."triggeredAt", n."tradeTime" FROM alert a
       LEFT JOIN notification n ON n."alertId" = a."id" AND n."arming" = a."arming"
      WHERE a."status" = 'triggered' AND a."repeatMode" = 'rearm'`,
    [],
    (r) => {
      const triggeredAtMs = r[11] === null ? 0 : Date.parse(r[11] as string);
      const firedAtUs = (r[12] !== null && parseTimeUs(r[12] as string)) || triggeredAtMs * 1000;
      onAlert({ ...stored(r, 'rearm'), firedAtUs });
    },
  );
}
