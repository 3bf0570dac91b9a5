import { userRoom } from '../../lib/realtime/rooms.ts';
import type { Db } from '../db/client.ts';
import type { Logger } from '../logger.ts';
import type { RealtimeServer, RealtimeSocket } from './types.ts';

/** setTimeout cannot wait longer than this (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Keeps every socket tied to a live session: when a session ends (sign-out, revocation, account
 * deletion, password change) or expires, its sockets are disconnected. The database is the
 * truth; sockets are re-checked after session-ending requests and at their session's expiry.
 */
export function createSessionGuard(io: RealtimeServer, db: Db, logger: Logger) {
  const timers = new Map<string, NodeJS.Timeout>();

  async function checkSockets(sockets: Iterable<RealtimeSocket>, userId: string, now: number): Promise<void> {
    const live = await db.session.findMany({ where: { userId }, select: { id: true, expiresAt: true } });
    const expiry = new Map(live.map((s) => [s.id, s.expiresAt.getTime()]));
    for (const socket of sockets) {
      const expiresAt = expiry.get(socket.data.sessionId);
      if (expiresAt === undefined || expiresAt <= now) {
        logger.info({ userId, sessionId: socket.data.sessionId }, 'session ended: disconnecting socket');
        socket.disconnect(true);
      } else if (expiresAt !== socket.data.sessionExpiresAt) {
        socket.data.sessionExpiresAt = expiresAt;
        watch(socket);
      }
    }
  }

  function watch(socket: RealtimeSocket): void {
    clearTimeout(timers.get(socket.id));
    const delay = Math.min(Math.max(socket.data.sessionExpiresAt - Date.now(), 0) + 1_000, MAX_TIMER_MS);
    const timer = setTimeout(() => {
      timers.delete(socket.id);
      if (!socket.connected) return;
      checkSockets([socket], socket.data.userId, Date.now()).catch((error: unknown) => {
        logger.error({ err: error }, 'session expiry check failed');
      });
    }, delay);
    timer.unref();
    timers.set(socket.id, timer);
  }

  return {
    /** Starts watching a newly connected socket's session expiry. */
    watch,
    /** Stops watching a socket that disconnected. */
    forget(socketId: string): void {
      clearTimeout(timers.get(socketId));
      timers.delete(socketId);
    },
    /** Re-checks all sockets of `userId` against the sessions in the database. */
    async revalidateUser(userId: string): Promise<void> {
      const ids = io.sockets.adapter.rooms.get(userRoom(userId)) ?? new Set<string>();
      const sockets = [...ids].map((id) => io.sockets.sockets.get(id)).filter((s) => s !== undefined);
      if (sockets.length > 0) await checkSockets(sockets, userId, Date.now());
    },
    /** Re-checks every socket of this node, one query per user (after a Redis outage). */
    async revalidateAll(): Promise<void> {
      const byUser = new Map<string, RealtimeSocket[]>();
      for (const socket of io.sockets.sockets.values()) {
        const mine = byUser.get(socket.data.userId);
        if (mine) mine.push(socket);
        else byUser.set(socket.data.userId, [socket]);
      }
      for (const [userId, sockets] of byUser) await checkSockets(sockets, userId, Date.now());
    },
    close(): void {
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    },
  };
}
