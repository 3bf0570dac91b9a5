import type { Alert } from '../../lib/realtime/events.ts';
import type { Notification } from '../../lib/alerts/notification.ts';
import { type Db, dialectOf } from '../db/client.ts';
import { toAlert, toNotification } from './alert-record.ts';
import { ALERT_COLUMN_NAMES, NOTIFICATION_COLUMN_NAMES, toAlertRow, toNotificationRow } from './raw-rows.ts';

/** An undelivered notification with its alert as it is now (null once the alert was deleted). */
export interface PendingHit {
  notification: Notification;
  alert: Alert | null;
}

// One statement per page: the notification and its alert side by side, the alert's columns
// prefixed so the two `id`s do not collide.
const PAGE_COLUMNS = [
  ...NOTIFICATION_COLUMN_NAMES.map((c) => `n."${c}"`),
  ...ALERT_COLUMN_NAMES.map((c) => `a."${c}" AS "a_${c}"`),
].join(', ');

/** How long notifications are kept. */
export const NOTIFICATION_RETENTION_MS = 90 * 86_400_000;

/** The inbox: a user's notifications, read state and delivery state. */
export function createNotificationService(db: Db) {
  const dialect = dialectOf(db);
  return {
    /** Newest first; `before` pages by id; `unread` counts all unread ones of the user. */
    async list(userId: string, opts: { unreadOnly: boolean; before?: number; limit: number }) {
      const rows = await db.notification.findMany({
        where: {
          userId,
          ...(opts.unreadOnly ? { readAt: null } : {}),
          ...(opts.before !== undefined ? { id: { lt: opts.before } } : {}),
        },
        orderBy: { id: 'desc' },
        take: opts.limit,
      });
      const unread = await db.notification.count({ where: { userId, readAt: null } });
      return { notifications: rows.map(toNotification), unread };
    },

    /** Marks the caller's notifications read; ids that are not the caller's are ignored. */
    async markRead(userId: string, ids: number[]): Promise<number> {
      const result = await db.notification.updateMany({
        where: { userId, id: { in: ids }, readAt: null },
        data: { readAt: new Date() },
      });
      return result.count;
    },

    /**
     * Up to `limit` of the user's notifications no client has acknowledged yet with an id above
     * `afterId`, oldest first, each with its alert: one statement (the `userId, deliveredAt`
     * index holds the undelivered ones in id order).
     */
    async undeliveredPage(userId: string, afterId: number, limit: number): Promise<PendingHit[]> {
      const rows = await db.$queryRawUnsafe<Array<Record<string, unknown>>>(
        dialect.text(`SELECT ${PAGE_COLUMNS} FROM notification n LEFT JOIN alert a ON a."id" = n."alertId"
          WHERE n."userId" = ? AND n."deliveredAt" IS NULL AND n."id" > ?
          ORDER BY n."id" LIMIT ?`),
        userId,
        afterId,
        limit,
      );
      return rows.map((raw) => ({
        notification: toNotification(toNotificationRow(raw)),
        alert: raw.a_id === null ? null : toAlert(toAlertRow(raw, 'a_')),
      }));
    },

    /** How many of the user's notifications above `afterId` are undelivered, and the newest id of them. */
    async undeliveredAfter(userId: string, afterId: number): Promise<{ count: number; lastId: number }> {
      const [row] = await db.$queryRawUnsafe<Array<{ count: number | bigint; lastId: number | bigint | null }>>(
        dialect.text('SELECT COUNT(*) AS "count", MAX("id") AS "lastId" FROM notification WHERE "userId" = ? AND "deliveredAt" IS NULL AND "id" > ?'),
        userId,
        afterId,
      );
      return { count: Number(row?.count ?? 0), lastId: Number(row?.lastId ?? afterId) };
    },

    /**
     * Records as delivered the user's undelivered notifications with ids in `(afterId, throughId]`:
     * those an acknowledged `alert:backlog` notice counted (they are listed in the inbox).
     */
    async markDeliveredRange(userId: string, afterId: number, throughId: number): Promise<void> {
      await db.notification.updateMany({ where: { userId, deliveredAt: null, id: { gt: afterId, lte: throughId } }, data: { deliveredAt: new Date() } });
    },

    /** Records that a client acknowledged these notifications (the first acknowledgement counts). */
    async markDelivered(ids: readonly number[]): Promise<void> {
      if (ids.length === 0) return;
      await db.notification.updateMany({ where: { id: { in: [...ids] }, deliveredAt: null }, data: { deliveredAt: new Date() } });
    },

    /** Deletes notifications older than the retention; returns how many. */
    async prune(now: number): Promise<number> {
      const result = await db.notification.deleteMany({ where: { firedAt: { lt: new Date(now - NOTIFICATION_RETENTION_MS) } } });
      return result.count;
    },
  };
}

export type NotificationService = ReturnType<typeof createNotificationService>;
