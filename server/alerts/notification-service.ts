import type { Notification } from '../../lib/alerts/notification.ts';
import type { Db } from '../db/client.ts';
import { toNotification } from './alert-record.ts';

/** How long notifications are kept. */
export const NOTIFICATION_RETENTION_MS = 90 * 86_400_000;

/** The inbox: a user's notifications, read state and delivery state. */
export function createNotificationService(db: Db) {
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

    /** The user's notifications no client has acknowledged yet, oldest first. */
    async undelivered(userId: string): Promise<Notification[]> {
      const rows = await db.notification.findMany({ where: { userId, deliveredAt: null }, orderBy: { id: 'asc' } });
      return rows.map(toNotification);
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
