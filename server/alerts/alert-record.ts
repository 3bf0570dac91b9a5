import type { Alert, AlertBasis, AlertDirection, AlertRepeat, AlertStatus } from '../../lib/realtime/events.ts';
import type { Notification } from '../../lib/alerts/notification.ts';
import type { Alert as AlertRow, Notification as NotificationRow } from '../db/generated/client.ts';

/** The API shape of an alert row. */
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
    createdAt: row.createdAt.toISOString(),
    triggeredAt: row.triggeredAt?.toISOString() ?? null,
    expiresAt: row.expiresAt?.toISOString() ?? null,
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
