import type { Logger } from '../logger.ts';
import type { RealtimeSocket } from './types.ts';
import { unsentPackets } from './unsent-packets.ts';

/**
 * Unsent packets at which a connection counts as not reading. Ticks are held apart (one per
 * product, see tick-broadcaster.ts), so only replies, statuses and alert events queue here: a
 * browser that reads never comes near this, even while it is replayed a backlog of hits.
 */
export const MAX_UNSENT_PACKETS = 1_000;

export interface SlowClientGuardOptions {
  logger: Logger;
  maxUnsent?: number;
  /** Called for each connection closed for not reading. */
  onDropped?(socket: RealtimeSocket, unsent: number): void;
}

/**
 * Closes a connection as its unsent packets reach the cap, so a client that never reads cannot
 * make the server buffer without bound (a flood of requests whose replies it never takes, or
 * events to a stalled tab). Checked as each packet is queued, so the backlog never passes the
 * cap. The transport is closed at once, without waiting for a drain that would never come. A
 * closed browser tab reconnects, gets its alerts replayed and its ticks re-sent: nothing is lost.
 */
export function createSlowClientGuard(options: SlowClientGuardOptions) {
  const maxUnsent = options.maxUnsent ?? MAX_UNSENT_PACKETS;
  const log = options.logger.child({ module: 'slow-clients' });

  return {
    watch(socket: RealtimeSocket): void {
      let dropped = false;
      socket.conn.on('packetCreate', () => {
        const unsent = unsentPackets(socket);
        if (dropped || unsent < maxUnsent) return;
        dropped = true;
        log.warn({ socket: socket.id, user: socket.data.userId, unsent }, 'closing a connection that does not read');
        options.onDropped?.(socket, unsent);
        socket.conn.close(true);
      });
    },
  };
}
