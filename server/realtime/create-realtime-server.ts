import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { Alert, AlertBacklog, AlertHit, FeedStatus } from '../../lib/realtime/events.ts';
import type { WindowState } from '../stream/types.ts';
import { userRoom } from '../../lib/realtime/rooms.ts';
import type { Auth } from '../auth/create-auth.ts';
import type { Db } from '../db/client.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { RedisConnection } from '../redis/redis-client.ts';
import { isOwnOrigin } from '../http/origin-check.ts';
import { type PriceSubscribeDeps, handlePriceSubscribe } from './handle-price-subscribe.ts';
import { type ConnectionLimitSettings, createConnectionLimits } from './connection-limits.ts';
import { createClusterAdapter } from './cluster-adapter.ts';
import { createFloodGuard } from './flood-guard.ts';
import { createSessionGuard } from './session-guard.ts';
import type { RateBudget } from './token-bucket.ts';
import { createSlowClientGuard } from './slow-client-guard.ts';
import { createSocketAuth } from './socket-auth.ts';
import { createTickBroadcaster } from './tick-broadcaster.ts';
import type { RealtimeServer, RealtimeSocket } from './types.ts';
import { type ProxyTrust, clientAddress } from '../http/client-address.ts';
import { createListeners } from '../lifecycle/listeners.ts';

export interface RealtimeDeps extends PriceSubscribeDeps {
  auth: Auth;
  db: Db;
  logger: Logger;
  metrics: Metrics;
  publicUrl: URL | undefined;
  /** Leave foreign upgrade requests alone (Next's dev server uses them for hot reload). */
  dev: boolean;
  /** Every product's current feed status, sent to each socket as it connects. */
  statuses: () => FeedStatus[];
  /** Connections one account and one address may hold. */
  limits: ConnectionLimitSettings;
  /** TRUSTED_PROXIES: whose X-Forwarded-For gives the client address for the per-address caps. */
  proxyTrust: ProxyTrust;
  /** How long a new connection has to join (authenticate) before it is closed, in ms. */
  connectTimeoutMs: number;
  /** Messages one connection may send (`RATE_LIMIT_SOCKET_EVENTS`); beyond, it is disconnected. */
  eventBudget: RateBudget;
  /** Several nodes (`REDIS_URL`): rooms and server-side events span every node. */
  redis: RedisConnection | null;
}

/** What a user's tabs are sent with an acknowledgement expected (`alert-delivery.ts`). */
export interface UserEvents {
  'alert:hit': AlertHit;
  'alert:backlog': AlertBacklog;
}

/** Largest payload a client may send in one message, in bytes. */
const MAX_CLIENT_MESSAGE_BYTES = 16_384;

/**
 * Attaches Socket.IO to the HTTP server: same-origin handshakes only, authenticated by the
 * session cookie, each socket in its user's room and tied to its session's lifetime.
 *
 * With Redis (several nodes) the adapter carries broadcasts to every node. Which emits go there:
 * - `alert:hit`, its over-budget `alert:backlog` notice (alert-delivery.ts) and `alert:update`:
 *   to `user:<id>` through the adapter, since an alert fires on one node and its user's tabs may
 *   be on any; acknowledgements come back from every node.
 * - sign-out and the like: every node re-checks its own sockets of the user (`sessions:changed`).
 * - `price:tick`: written socket by socket by this node's broadcaster, never through the adapter:
 *   each node ticks from its own window, so another node's ticks would be copies.
 * - `feed:status`: `io.local`, this node's feed, the one its ticks come from.
 * - replayed hits and notices, acks of `price:subscribe`, disconnects by the flood, slow-client
 *   and connection guards: one socket of this node.
 */
export function createRealtimeServer(httpServer: HttpServer, deps: RealtimeDeps) {
  const log = deps.logger.child({ module: 'realtime' });
  let closing = false;
  const connected = createListeners<[RealtimeSocket]>();
  const alertChanged = createListeners<[string]>();
  /** Every socket of this node, as though it had just connected (replays what it missed). */
  const reconnectAll = () => {
    for (const socket of io.sockets.sockets.values()) connected.emit(socket);
  };
  /** The client's address, forwarded only by TRUSTED_PROXIES: what the caps count and the logs name. */
  const addressOf = (req: IncomingMessage) => clientAddress(req, deps.proxyTrust);
  const limits = createConnectionLimits(deps.limits, { metrics: deps.metrics, logger: log, connectTimeoutMs: deps.connectTimeoutMs, addressOf });
  const io: RealtimeServer = new Server(httpServer, {
    serveClient: false,
    maxHttpBufferSize: MAX_CLIENT_MESSAGE_BYTES,
    destroyUpgrade: !deps.dev,
    // A connection that has not joined in time (no cookie, never sends CONNECT) is dropped by
    // the connection limits at `connectTimeoutMs`; this is the fallback. Socket.IO's default of
    // 45 s let thousands of them sit open.
    connectTimeout: deps.connectTimeoutMs + 1_000,
    ...(deps.redis ? { adapter: createClusterAdapter(deps.redis) } : {}),
    allowRequest: (req, callback) => {
      // Cross-site WebSocket hijacking: a handshake from another origin is refused outright.
      const { origin, host } = req.headers;
      if (origin !== undefined && !isOwnOrigin(origin, host, deps.publicUrl)) return callback('cross-origin handshake', false);
      const refused = limits.admitHandshake(req);
      callback(refused, refused === null);
    },
  });
  limits.watchEngine(io.engine);
  const floods = createFloodGuard(deps.eventBudget, { metrics: deps.metrics, logger: log, addressOf });
  io.engine.on('connection', (conn: Parameters<typeof floods.watch>[0]) => floods.watch(conn));
  const guard = createSessionGuard(io, deps.db, log);
  const ticks = createTickBroadcaster(io);
  if (deps.redis) {
    io.on('alert:changed', (alertId) => alertChanged.emit(alertId));
    io.on('hits:replay', reconnectAll);
    io.on('sessions:changed', (userId) => {
      guard.revalidateUser(userId).catch((error: unknown) => log.error({ err: error }, 'socket revalidation failed'));
    });
    // Whatever the other nodes sent while Redis was away is lost: hits are replayed to this
    // node's sockets (as on a connect), and sessions that ended meanwhile are re-checked.
    deps.redis.onRestored(() => {
      reconnectAll();
      guard.revalidateAll().catch((error: unknown) => log.error({ err: error }, 'socket revalidation failed'));
    });
  }
  const slowClients = createSlowClientGuard({ logger: log, onDropped: () => deps.metrics.slowClientsDropped.inc() });

  const authenticate = createSocketAuth(deps.auth, log);
  io.use((socket, next) => limits.oneSocketPerConnection(socket, next));
  io.use((socket, next) => void authenticate(socket, next));
  io.use((socket, next) => limits.admitSocket(socket, next));
  io.on('connection', (socket) => {
    deps.metrics.socketsConnected.inc();
    floods.bind(socket);
    void socket.join(userRoom(socket.data.userId));
    guard.watch(socket);
    slowClients.watch(socket);
    ticks.attach(socket);
    for (const status of deps.statuses()) socket.emit('feed:status', status);
    connected.emit(socket);
    socket.on('price:subscribe', handlePriceSubscribe(socket, deps));
    socket.on('disconnect', () => {
      deps.metrics.socketsConnected.dec();
      guard.forget(socket.id);
    });
  });

  return {
    io,
    /** Each authenticated socket once it is in its rooms, and every socket again when hits are to be replayed. */
    onConnected: connected.add,
    /** Several nodes: another node changed this alert (this node's index reads it again). */
    onAlertChanged: alertChanged.add,
    /**
     * Sends `event` to every tab of `userId`, on every node with `REDIS_URL` (the user's tabs may
     * be anywhere); `onAcks` is called once with how many acknowledged within `timeoutMs`.
     */
    sendToUser<E extends keyof UserEvents>(userId: string, event: E, payload: UserEvents[E], timeoutMs: number, onAcks: (count: number) => void): void {
      const room = io.to(userRoom(userId)).timeout(timeoutMs);
      const done = (_error: Error | null, acks: unknown[]) => onAcks(acks.length);
      if (event === 'alert:hit') room.emit('alert:hit', payload as AlertHit, done);
      else room.emit('alert:backlog', payload as AlertBacklog, done);
    },
    /** Tells the other nodes that an alert changed here, so their indexes follow at once. */
    announceAlertChange(alertId: string): void {
      if (deps.redis) io.serverSideEmit('alert:changed', alertId);
    },
    /**
     * Replays undelivered hits to every socket, on every node, as on a connect: a leader killed
     * after its firing committed and before it sent the hit leaves it to the next connect otherwise.
     */
    replayHits(): void {
      // A lease taken while this node stops (its sockets gone, its adapter closed) has no one to tell.
      if (closing) return;
      if (deps.redis) io.serverSideEmit('hits:replay');
      reconnectAll();
    },
    /** Re-checks the user's sockets against their sessions, on every node. */
    revalidateUser(userId: string): Promise<void> {
      if (deps.redis) io.serverSideEmit('sessions:changed', userId);
      return guard.revalidateUser(userId);
    },
    /** Queues a product's newest tick for the sockets watching it (coalesced). */
    publishTick: (state: WindowState) => ticks.publish(state),
    /** Tells this node's browsers about its feed's state (the feed their ticks come from). */
    publishStatus: (status: FeedStatus) => void io.local.emit('feed:status', status),
    /** Tells a user's tabs, on every node, that one of their alerts changed (triggered, re-armed, expired). */
    publishAlert: (userId: string, alert: Alert) => void io.to(userRoom(userId)).emit('alert:update', alert),
    /** Sockets holding ticks back for a connection that is not reading (tests, diagnostics). */
    pendingTickSockets: () => ticks.pendingSockets(),
    /** Addresses and accounts holding connections (tests: every count is released). */
    connectionCounts: () => limits.snapshot(),
    /** Disconnects every socket and stops accepting new ones. */
    async close(): Promise<void> {
      closing = true;
      guard.close();
      ticks.close();
      await io.close();
    },
  };
}

export type Realtime = ReturnType<typeof createRealtimeServer>;
