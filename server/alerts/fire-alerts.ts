import type { Db } from '../db/client.ts';
import type { SqlDialect } from '../db/sql-dialect.ts';
import type { Alert as AlertRow, Notification as NotificationRow } from '../db/generated/client.ts';
import type { ConditionMeta } from './alert-conditions.ts';
import { formatUnits } from '../stream/parse-decimal.ts';
import { PRICE_SCALE, type WindowState } from '../stream/types.ts';
import { ALERT_COLUMN_NAMES, NOTIFICATION_COLUMN_NAMES, toAlertRow, toNotificationRow } from './raw-rows.ts';

/** An alert to fire at one arming, with the window that crossed it. */
export interface FireRequest {
  alertId: string;
  arming: number;
  state: WindowState;
}

export interface FireResult {
  /** The alert rows that were armed at that arming and are now triggered, with their notification. */
  fired: Array<{ row: AlertRow; notification: NotificationRow }>;
  /** Requests that lost the conditional update (edited, deleted or fired elsewhere first). */
  lost: string[];
}

const ALERT_COLUMNS = ALERT_COLUMN_NAMES.map((c) => `"${c}"`).join(', ');
const NOTIFICATION_COLUMNS = NOTIFICATION_COLUMN_NAMES.map((c) => `"${c}"`).join(', ');

function valueOf(basis: string, state: WindowState): string {
  if (basis === 'mean') return state.mean;
  if (basis === 'vwap') return state.vwap;
  return formatUnits(state.lastUnits, PRICE_SCALE, 8);
}

/**
 * Fires many alerts in two statements inside the caller's transaction: one conditional UPDATE
 * (`status = 'armed' AND arming = n`, so whoever loses writes nothing) returning the rows it
 * changed, and one multi-row INSERT of their notifications. Three queries per alert through
 * the query engine kept the event loop busy for over a second per thousand alerts; this is a
 * few milliseconds per chunk.
 */
export async function fireAlerts(tx: Db, dialect: SqlDialect, queued: readonly FireRequest[], now: Date): Promise<FireResult> {
  // One alert may be queued twice (an index that took it back while its firing was retried):
  // its first request stands for both, or the insert would break the unique (alertId, arming).
  const seen = new Set<string>();
  const requests = queued.filter((r) => !seen.has(r.alertId) && seen.add(r.alertId));
  if (requests.length === 0) return { fired: [], lost: [] };
  const at = dialect.date(now.getTime());
  // By arming, then ids, so that `id IN (...)` walks the primary key. `+status` keeps SQLite
  // off the status index: with it, every chunk scanned all armed alerts (46 ms per 500 of
  // 100,000), as did a row-value `(id, arming) IN (VALUES ...)`.
  const byArming = new Map<number, string[]>();
  for (const r of requests) byArming.set(r.arming, [...(byArming.get(r.arming) ?? []), r.alertId]);
  const clauses = [...byArming].map(([, ids]) => `("arming" = ? AND "id" IN (${ids.map(() => '?').join(', ')}))`);
  const updated = await tx.$queryRawUnsafe<Array<Record<string, unknown>>>(
    dialect.text(`UPDATE alert SET "status" = 'triggered', "triggeredAt" = ?, "updatedAt" = ?
      WHERE ${dialect.unindexed('"status"')} = 'armed' AND (${clauses.join(' OR ')})
      RETURNING ${ALERT_COLUMNS}`),
    at,
    at,
    ...[...byArming].flatMap(([arming, ids]) => [arming, ...ids]),
  );
  const rows = new Map(updated.map((raw) => [String(raw.id), toAlertRow(raw)]));
  const won = requests.filter((r) => rows.has(r.alertId));
  const lost = requests.filter((r) => !rows.has(r.alertId)).map((r) => r.alertId);
  if (won.length === 0) return { fired: [], lost };

  const values = won.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ');
  const inserted = await tx.$queryRawUnsafe<Array<Record<string, unknown>>>(
    dialect.text(`INSERT INTO notification ("alertId", "userId", "arming", "product", "basis", "direction", "threshold", "value", "tradeId", "tradeTime", "windowCount", "firedAt")
     VALUES ${values}
     ON CONFLICT ("alertId", "arming") DO NOTHING
     RETURNING ${NOTIFICATION_COLUMNS}`),
    ...won.flatMap((r) => {
      const row = rows.get(r.alertId)!;
      return [row.id, row.userId, row.arming, row.product, row.basis, row.direction, row.threshold, valueOf(row.basis, r.state), r.state.tradeId, r.state.time, r.state.count, at];
    }),
  );
  const notifications = new Map(inserted.map((raw) => [String(raw.alertId), toNotificationRow(raw)]));
  // An arming that already has its notification fired before: nothing new to send.
  const sent = won.filter((r) => notifications.has(r.alertId));
  return {
    fired: sent.map((r) => ({ row: rows.get(r.alertId)!, notification: notifications.get(r.alertId)! })),
    lost: lost.concat(won.filter((r) => !notifications.has(r.alertId)).map((r) => r.alertId)),
  };
}

/** Arms a triggered rearm alert again, with a new arming, unless someone changed it first. */
export async function rearmAlert(tx: Db, m: ConditionMeta): Promise<AlertRow | null> {
  const won = await tx.alert.updateMany({
    where: { id: m.alertId, status: 'triggered', arming: m.arming },
    data: { status: 'armed', arming: { increment: 1 } },
  });
  return won.count === 1 ? tx.alert.findUniqueOrThrow({ where: { id: m.alertId } }) : null;
}

/** Expires an alert at its arming, unless someone changed it first. */
export async function expireAlert(tx: Db, m: ConditionMeta): Promise<AlertRow | null> {
  const won = await tx.alert.updateMany({
    where: { id: m.alertId, status: { in: ['armed', 'triggered'] }, arming: m.arming },
    data: { status: 'expired' },
  });
  return won.count === 1 ? tx.alert.findUniqueOrThrow({ where: { id: m.alertId } }) : null;
}
