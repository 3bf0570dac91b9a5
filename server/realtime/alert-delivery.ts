import type { AlertHit } from '../../lib/realtime/events.ts';
import { userRoom } from '../../lib/realtime/rooms.ts';
import type { FiredAlert } from '../alerts/alert-evaluator.ts';
import type { NotificationService } from '../alerts/notification-service.ts';
import type { Db } from '../db/client.ts';
import type { Logger } from '../logger.ts';
import { toAlert } from '../alerts/alert-record.ts';
import type { RealtimeServer, RealtimeSocket } from './types.ts';

/** How long a client has to acknowledge an `alert:hit` before it counts as not delivered. */
export const HIT_ACK_TIMEOUT_MS = 10_000;
/** Acknowledgements are written at most this often, this many per statement. */
const ACK_FLUSH_MS = 50;
const ACK_BATCH = 500;

/**
 * Sends `alert:hit` to every socket of the alert's user (never volatile) and records the
 * notification as delivered when any of them acknowledges it. On every (re)connect, the user's
 * undelivered notifications are sent again, oldest first, with `replayed: true`, so a user who
 * was away sees each missed hit once; the browser also dedupes by notification id.
 */
export function createAlertDelivery(io: RealtimeServer, db: Db, notifications: NotificationService, logger: Logger) {
  const log = logger.child({ module: 'delivery' });
  // Acknowledgements are recorded in batches: after a storm, a hundred thousand arrive within a
  // second, and one UPDATE each would keep the event loop busy for many seconds.
  let acknowledged: number[] = [];
  let flushing: NodeJS.Timeout | null = null;

  function flush(): Promise<unknown> {
    if (flushing) clearTimeout(flushing);
    flushing = null;
    const ids = acknowledged;
    acknowledged = [];
    const writes: Array<Promise<void>> = [];
    for (let i = 0; i < ids.length; i += ACK_BATCH) {
      const batch = ids.slice(i, i + ACK_BATCH);
      writes.push(notifications.markDelivered(batch).catch((error: unknown) => log.error({ err: error, ids: batch.length }, 'recording deliveries failed; they will be replayed')));
    }
    return Promise.all(writes);
  }

  function delivered(id: number): void {
    acknowledged.push(id);
    flushing ??= setTimeout(() => void flush(), ACK_FLUSH_MS);
  }

  return {
    /** Records the acknowledgements still waiting for their batch (shutdown). */
    settle: (): Promise<unknown> => flush(),
    /** Sends a freshly fired alert to all of its user's tabs. */
    send({ userId, notification, alert }: FiredAlert): void {
      const hit: AlertHit = {
        notificationId: notification.id,
        alertId: alert.id,
        tradeId: notification.tradeId,
        value: notification.value,
        time: notification.tradeTime,
        replayed: false,
        alert,
      };
      io.to(userRoom(userId))
        .timeout(HIT_ACK_TIMEOUT_MS)
        .emit('alert:hit', hit, (_error: Error | null, acks: Array<boolean | undefined>) => {
          if (acks.length > 0) delivered(notification.id);
        });
    },

    /** Replays the user's undelivered notifications to a socket that just connected. */
    async replay(socket: RealtimeSocket): Promise<void> {
      const pending = await notifications.undelivered(socket.data.userId);
      for (const n of pending) {
        const row = n.alertId ? await db.alert.findUnique({ where: { id: n.alertId } }) : null;
        if (!row) {
          // The alert was deleted since it fired; its notification stays in the inbox.
          delivered(n.id);
          continue;
        }
        const hit: AlertHit = {
          notificationId: n.id,
          alertId: row.id,
          tradeId: n.tradeId,
          value: n.value,
          time: n.tradeTime,
          replayed: true,
          alert: toAlert(row),
        };
        socket.timeout(HIT_ACK_TIMEOUT_MS).emit('alert:hit', hit, (error: Error | null) => {
          if (!error) delivered(n.id);
        });
      }
    },
  };
}

export type AlertDelivery = ReturnType<typeof createAlertDelivery>;
