import type { IncomingMessage } from 'node:http';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { type RateBudget, createTokenBucket } from './token-bucket.ts';
import type { RealtimeSocket } from './types.ts';

/** An outgoing Socket.IO event that asks for an acknowledgement: `2<ack id>[...` (main namespace). */
const ACK_REQUEST = /^2\d+\[/;
/** An incoming Socket.IO acknowledgement starts with its packet type, `3`. */
const ACK = 51;
/** Acknowledgements the server may be owed at once and not count against the budget. */
const MAX_OWED_ACKS = 1_000;

interface EngineConnection {
  readonly id: string;
  /** The handshake request: its client address is read through TRUSTED_PROXIES. */
  readonly request: IncomingMessage;
  on(event: 'message', listener: (data: unknown) => void): unknown;
  on(event: 'packetCreate', listener: (packet: { type: string; data?: unknown }) => void): unknown;
  close(discard?: boolean): void;
}

/**
 * A token bucket per engine.io connection on everything the client sends: every event whatever
 * its name (`price:subscribe`, unknown names, garbage), acknowledgements nobody asked for,
 * messages before it joins. Acknowledgements of the server's own `alert:hit`s and notices do
 * not count (the server asked for them; a replay brings a page of them at once). A connection
 * over `budget` is disconnected (the client sees `io server disconnect`), logged once at warn
 * with the reason, and counted in `tickwatch_socket_floods_total`. One socket sent 33,000
 * `price:subscribe` a second, which kept a core busy, before this.
 */
export function createFloodGuard(budget: RateBudget, deps: { metrics: Metrics; logger: Logger; addressOf: (req: IncomingMessage) => string }) {
  const log = deps.logger.child({ module: 'flood-guard' });
  const sockets = new WeakMap<object, RealtimeSocket>();

  return {
    /** Starts counting a new engine.io connection's messages. */
    watch(conn: EngineConnection): void {
      const bucket = createTokenBucket(budget, Date.now());
      let owed = 0;
      let flooded = false;
      conn.on('packetCreate', (packet) => {
        if (packet.type === 'message' && typeof packet.data === 'string' && ACK_REQUEST.test(packet.data)) owed = Math.min(owed + 1, MAX_OWED_ACKS);
      });
      conn.on('message', (data) => {
        if (flooded) return;
        if (owed > 0 && typeof data === 'string' && data.charCodeAt(0) === ACK) {
          owed -= 1;
          return;
        }
        if (bucket.take(Date.now())) return;
        flooded = true;
        deps.metrics.socketFloods.inc();
        const socket = sockets.get(conn);
        log.warn(
          { reason: 'message flood', connection: conn.id, ip: deps.addressOf(conn.request), user: socket?.data.userId, budget: `${budget.points}/${budget.windowMs}ms` },
          'disconnecting a client that sends faster than its budget',
        );
        // The DISCONNECT packet first, so the client knows the server ended it; then the
        // transport at once, without waiting for a drain a flooding client may never allow.
        socket?.disconnect();
        conn.close(true);
      });
    },
    /** Names the socket a connection carries, for the disconnect and the log. */
    bind(socket: RealtimeSocket): void {
      sockets.set(socket.conn, socket);
    },
  };
}
