import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents, SocketData } from '../../lib/realtime/events.ts';

/** Messages between the nodes of one deployment (`REDIS_URL`), never seen by browsers. */
export interface ServerSideEvents {
  /** A request of `userId` may have ended sessions: each node re-checks its own sockets of that user. */
  'sessions:changed': (userId: string) => void;
  /** A node took over a product's firing lease: each node replays undelivered hits to its own sockets. */
  'hits:replay': () => void;
  /** An alert was created, edited or deleted on the sending node: each node re-reads it into its index. */
  'alert:changed': (alertId: string) => void;
}

export type RealtimeServer = Server<ClientToServerEvents, ServerToClientEvents, ServerSideEvents, SocketData>;
export type RealtimeSocket = Socket<ClientToServerEvents, ServerToClientEvents, ServerSideEvents, SocketData>;
