import type { Alert, AlertBasis, AlertDirection, AlertRepeat, AlertStatus } from '../../lib/realtime/events.ts';
import type { Notification } from '../../lib/alerts/notification.ts';
import type { Alert as AlertRow, Notification as NotificationRow } from '../db/generated/client.ts';

/** A stored alert whose columns hold what no API write produces (a date that is not one). */
export class DamagedAlertError extends Error {
  override name = 'DamagedAlertError';
}

function iso(date: Date, field: string): string {
  if (Number.isNaN(date.getTime())) throw new DamagedAlertError(`${field} is not a valid date`);
  return date.toISOString();
}

/**
 * The API shape of an alert row.
 * @throws DamagedAlertError when a date column holds no valid date
 */
export function toAlert(row: AlertRow): Alert {
  const repeat: AlertRepeat =
    row.repeatMode === 'rearm'
      ? { mode: 'rearm', band: row.rearmBand ?? '0', cooldownSeconds: row.cooldownSeconds ?? 0 }
      : { mode: 'once' };
  return {
    id: row.id,
    product: row.product,
    basis: row.basis as AlertBasis,
    direction: row.direction as AlertDirection,
    threshold: row.threshold,
    repeat,
    note: row.note,
    status: row.status as AlertStatus,
    arming: row.arming,
    createdAt: iso(row.createdAt, 'createdAt'),
    triggeredAt: row.triggeredAt ? iso(row.triggeredAt, 'triggeredAt') : null,
    expiresAt: row.expiresAt ? iso(row.expiresAt, 'expiresAt') : null,
  };
}

/** The API shape of a notification row. */
export function toNotification(row: NotificationRow): Notification {
  return {
    id: row.id,
    alertId: row.alertId,
    arming: row.arming,
    product: row.product,
    basis: row.basis as AlertBasis,
    direction: row.direction as AlertDirection,
    threshold: row.threshold,
    value: row.value,
    tradeId: Number(row.tradeId),
    tradeTime: row.tradeTime,
    windowCount: row.windowCount,
    firedAt: row.firedAt.toISOString(),
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
    readAt: row.readAt?.toISOString() ?? null,
  };
}

/** Columns of a repeat setting. */
export function repeatColumns(repeat: AlertRepeat) {
  return repeat.mode === 'rearm'
    ? { repeatMode: 'rearm', rearmBand: repeat.band, cooldownSeconds: repeat.cooldownSeconds }
    : { repeatMode: 'once', rearmBand: null, cooldownSeconds: null };
}
