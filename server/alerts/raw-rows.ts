import type { Alert as AlertRow, Notification as NotificationRow } from '../db/generated/client.ts';

/**
 * Rows of raw SQL (`$queryRawUnsafe`) as the typed rows Prisma would return, for the few hot
 * statements written by hand (firings, the replay's pages). Columns come back by name; raw
 * reads give integers as numbers or bigints and DateTime columns as their stored text.
 */
export const ALERT_COLUMN_NAMES = ['id', 'userId', 'product', 'basis', 'direction', 'threshold', 'repeatMode', 'rearmBand', 'cooldownSeconds', 'note', 'status', 'arming', 'createdAt', 'updatedAt', 'triggeredAt', 'expiresAt'] as const;
export const NOTIFICATION_COLUMN_NAMES = ['id', 'alertId', 'userId', 'arming', 'product', 'basis', 'direction', 'threshold', 'value', 'tradeId', 'tradeTime', 'windowCount', 'firedAt', 'deliveredAt', 'readAt'] as const;

const text = (value: unknown): string => (typeof value === 'string' ? value : String(value));

function toDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(typeof value === 'number' ? value : String(value));
}

/** An alert row from raw columns named as in `ALERT_COLUMN_NAMES`, each after `prefix`. */
export function toAlertRow(raw: Record<string, unknown>, prefix = ''): AlertRow {
  const c = (name: (typeof ALERT_COLUMN_NAMES)[number]): unknown => raw[prefix + name];
  return {
    id: String(c('id')),
    userId: String(c('userId')),
    product: String(c('product')),
    basis: String(c('basis')),
    direction: String(c('direction')),
    threshold: String(c('threshold')),
    repeatMode: String(c('repeatMode')),
    rearmBand: c('rearmBand') === null ? null : text(c('rearmBand')),
    cooldownSeconds: c('cooldownSeconds') === null ? null : Number(c('cooldownSeconds')),
    note: c('note') === null ? null : text(c('note')),
    status: String(c('status')),
    arming: Number(c('arming')),
    createdAt: toDate(c('createdAt')),
    updatedAt: toDate(c('updatedAt')),
    triggeredAt: c('triggeredAt') === null ? null : toDate(c('triggeredAt')),
    expiresAt: c('expiresAt') === null ? null : toDate(c('expiresAt')),
  };
}

/** A notification row from raw columns named as in `NOTIFICATION_COLUMN_NAMES`. */
export function toNotificationRow(raw: Record<string, unknown>): NotificationRow {
  return {
    id: Number(raw.id),
    alertId: raw.alertId === null ? null : text(raw.alertId),
    userId: String(raw.userId),
    arming: Number(raw.arming),
    product: String(raw.product),
    basis: String(raw.basis),
    direction: String(raw.direction),
    threshold: String(raw.threshold),
    value: String(raw.value),
    tradeId: BigInt(raw.tradeId as number | bigint | string),
    tradeTime: String(raw.tradeTime),
    windowCount: Number(raw.windowCount),
    firedAt: toDate(raw.firedAt),
    deliveredAt: raw.deliveredAt === null ? null : toDate(raw.deliveredAt),
    readAt: raw.readAt === null ? null : toDate(raw.readAt),
  };
}
