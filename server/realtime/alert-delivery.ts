import pLimit from 'p-limit';
import type { Notification } from '../../lib/alerts/notification.ts';
import type { Alert, AlertBacklog, AlertHit } from '../../lib/realtime/events.ts';
import type { FiredAlert } from '../alerts/alert-evaluator.ts';
import type { NotificationService, PendingHit } from '../alerts/notification-service.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { type RateBudget, createKeyedBuckets } from './token-bucket.ts';
import type { Realtime } from './create-realtime-server.ts';
import type { RealtimeSocket } from './types.ts';

/** How delivery reaches a user's tabs: through the realtime layer, on every node. */
export type UserSockets = Pick<Realtime, 'sendToUser'>;

/** How long a client has to acknowledge an `alert:hit` before it counts as not delivered. */
export const HIT_ACK_TIMEOUT_MS = 10_000;
/**
 * Replayed hits per page on connect: the next page is sent once every hit of this one is
 * acknowledged, so a connection holds at most this many unanswered hits, far below the
 * slow-client cap (`MAX_UNSENT_PACKETS`).
 */
export const REPLAY_PAGE_SIZE = 50;
/**
 * Hits replayed one by one on a connect, at most; the rest are counted in one `alert:backlog`
 * notice that points to the inbox (more toasts than this help nobody).
 */
export const REPLAY_LIMIT = 200;
/** Where the notifications of an `alert:backlog` notice are listed. */
export const INBOX_URL = '/inbox';
/** Hits over a user's firing budget are summed up in one notice per this many milliseconds. */
export const COALESCE_MS = 1_000;
/**
 * Replay reads in flight at once on this node. A takeover or Redis coming back replays to every
 * socket of the node at the same moment; unbounded, a thousand sockets' reads would queue for
 * the database pool's 10 connections and starve the firings and trade writes that need them.
 * The rest wait their turn here (a slot is held for a read, not while a page waits for acks).
 */
export const REPLAY_READS_AT_ONCE = 4;
/** Acknowledgements are written at most this often, this many per statement. */
const ACK_FLUSH_MS = 50;
const ACK_BATCH = 500;

export interface AlertDeliveryOptions {
  logger: Logger;
  metrics: Metrics;
  /** Hits pushed to one user one by one, at most, per window (`RATE_LIMIT_ALERT_HITS`). */
  hitBudget: RateBudget;
}

/**
 * Sends `alert:hit` to every socket of the alert's user (never volatile) and records the
 * notification as delivered when any of them acknowledges it. On every (re)connect the user's
 * undelivered notifications are sent again with `replayed: true`, oldest first, a page at a
 * time as the client acknowledges, up to `REPLAY_LIMIT`; the rest are counted in one
 * `alert:backlog` notice. Hits beyond the user's firing budget are not pushed one by one
 * either: every `COALESCE_MS` one notice counts them. A notification is delivered once a hit
 * or a notice that counted it is acknowledged; until then it is replayed on the next connect.
 */
export function createAlertDelivery(users: UserSockets, notifications: NotificationService, options: AlertDeliveryOptions) {
  const log = options.logger.child({ module: 'delivery' });
  const { metrics } = options;
  const budget = createKeyedBuckets(options.hitBudget);
  const replayReads = pLimit(REPLAY_READS_AT_ONCE);
  // Acknowledgements are recorded in batches: after a storm, a hundred thousand arrive within a
  // second, and one UPDATE each would keep the event loop busy for many seconds.
  let acknowledged: number[] = [];
  let flushing: NodeJS.Timeout | null = null;
  /** Per user, the notifications over budget that the next notice will count. */
  let coalesced = new Map<string, number[]>();
  let coalescing: NodeJS.Timeout | null = null;

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

  function sendCoalesced(): void {
    coalescing = null;
    const batches = coalesced;
    coalesced = new Map();
    for (const [userId, ids] of batches) {
      const notice: AlertBacklog = { undelivered: ids.length, inboxUrl: INBOX_URL, replayed: false };
      // Like a hit: to the user's tabs on every node.
      users.sendToUser(userId, 'alert:backlog', notice, HIT_ACK_TIMEOUT_MS, (acks) => {
        if (acks > 0) ids.forEach(delivered);
      });
    }
  }

  function hitOf(n: Notification, alert: Alert, replayed: boolean): AlertHit {
    return { notificationId: n.id, alertId: alert.id, tradeId: n.tradeId, value: n.value, time: n.tradeTime, replayed, alert };
  }

  /** Replays one hit; resolves true once acknowledged, false on timeout or disconnect. */
  function replayOne(socket: RealtimeSocket, pending: PendingHit): Promise<boolean> {
    const { alert, notification } = pending;
    if (!alert) {
      // The alert was deleted since it fired; its notification stays in the inbox.
      delivered(notification.id);
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      // Replays go to the one socket that (re)connected, on this node.
      socket.timeout(HIT_ACK_TIMEOUT_MS).emit('alert:hit', hitOf(notification, alert, true), (error: Error | null) => {
        if (!error) delivered(notification.id);
        resolve(!error);
      });
    });
  }

  /** Tells a socket how many undelivered notifications above `afterId` wait in the inbox. */
  async function sendBacklog(socket: RealtimeSocket, afterId: number): Promise<void> {
    const userId = socket.data.userId;
    const { count, lastId } = await replayReads(() => (socket.connected ? notifications.undeliveredAfter(userId, afterId) : { count: 0, lastId: afterId }));
    if (count === 0 || !socket.connected) return;
    metrics.replaysCapped.inc();
    const notice: AlertBacklog = { undelivered: count, inboxUrl: INBOX_URL, replayed: true };
    socket.timeout(HIT_ACK_TIMEOUT_MS).emit('alert:backlog', notice, (error: Error | null) => {
      if (error) return;
      notifications.markDeliveredRange(userId, afterId, lastId).catch((err: unknown) => log.error({ err, count }, 'recording a backlog notice failed; its hits will be replayed'));
    });
  }

  return {
    /** Records the acknowledgements still waiting for their batch and drops pending notices (shutdown). */
    close(): Promise<unknown> {
      if (coalescing) clearTimeout(coalescing);
      coalescing = null;
      // Not noticed yet, so not delivered: the next connect replays them.
      coalesced = new Map();
      return flush();
    },

    /** Sends a freshly fired alert to all of its user's tabs, or counts it for the next notice when over budget. */
    send({ userId, notification, alert }: FiredAlert): void {
      if (!budget.take(userId, Date.now())) {
        metrics.alertHitsCoalesced.inc();
        const ids = coalesced.get(userId);
        if (ids) ids.push(notification.id);
        else coalesced.set(userId, [notification.id]);
        coalescing ??= setTimeout(sendCoalesced, COALESCE_MS);
        return;
      }
      // Every node returns its sockets' acknowledgements, so an ack on any node marks it delivered.
      users.sendToUser(userId, 'alert:hit', hitOf(notification, alert, false), HIT_ACK_TIMEOUT_MS, (acks) => {
        if (acks > 0) delivered(notification.id);
      });
    },

    /**
     * Replays the user's undelivered notifications to a socket that just connected: pages of
     * `REPLAY_PAGE_SIZE`, each read in one statement and sent once the previous page is
     * acknowledged (a client that does not acknowledge gets one page), up to `REPLAY_LIMIT`,
     * then one `alert:backlog` notice for the rest.
     */
    async replay(socket: RealtimeSocket): Promise<void> {
      let afterId = 0;
      for (let replayed = 0; socket.connected; ) {
        if (replayed >= REPLAY_LIMIT) return sendBacklog(socket, afterId);
        const want = Math.min(REPLAY_PAGE_SIZE, REPLAY_LIMIT - replayed);
        // A socket that left while its read waited for a slot costs no query.
        const page = await replayReads(() => (socket.connected ? notifications.undeliveredPage(socket.data.userId, afterId, want) : []));
        if (page.length === 0 || !socket.connected) return;
        afterId = page.at(-1)!.notification.id;
        replayed += page.length;
        const acks = await Promise.all(page.map((pending) => replayOne(socket, pending)));
        // Not acknowledging (gone, stalled, or not a browser): the rest waits for its next connect.
        if (!acks.every(Boolean) || page.length < want) return;
      }
    },
  };
}

export type AlertDelivery = ReturnType<typeof createAlertDelivery>;
