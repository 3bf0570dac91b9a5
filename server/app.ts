import http from 'node:http';
import type { Duplex } from 'node:stream';
import next from 'next';
import type { Config } from './config/config.ts';
import { loadAuthSecret } from './auth/auth-secret.ts';
import { createAuth } from './auth/create-auth.ts';
import { createPasswordHasher } from './auth/password-hasher.ts';
import { createDb } from './db/client.ts';
import { applyPendingMigrations } from './db/migrate.ts';
import { prepareDataDir } from './db/prepare-data-dir.ts';
import { type PageHandler, createRequestHandler } from './http/create-request-handler.ts';
import { guardConnections, serverOptions } from './http/connection-guard.ts';
import { type RateLimit, createRateLimiter } from './http/rate-limiter.ts';
import { secureEveryResponse } from './http/security-headers.ts';
import { compileProxyTrust } from './http/client-address.ts';
import type { Logger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { createApiRouter } from './http/api-router.ts';
import { alertRoutes } from './http/routes/alert-routes.ts';
import { marketRoutes } from './http/routes/market-routes.ts';
import { createAlertEvaluator } from './alerts/alert-evaluator.ts';
import { createProductLeases } from './cluster/product-leases.ts';
import { createAlertSync } from './cluster/alert-sync.ts';
import { createAlertService } from './alerts/alert-service.ts';
import { createNotificationService } from './alerts/notification-service.ts';
import { createAlertDelivery } from './realtime/alert-delivery.ts';
import { createMarketPipeline } from './pipeline/market-pipeline.ts';
import { createTradeStore } from './pipeline/trade-store.ts';
import { openBulkReader } from './db/bulk-reader.ts';
import { createRealtimeServer } from './realtime/create-realtime-server.ts';
import { connectRedis } from './redis/redis-client.ts';
import { createLifecycle } from './lifecycle/lifecycle.ts';
import { createHousekeeping } from './lifecycle/housekeeping.ts';
import { createListener } from './http/listener.ts';
import { createRequestTracker } from './http/request-tracker.ts';

export interface AppOptions {
  logger: Logger;
  /** Serve the Next.js pages (false in tests that only need the API and sockets). */
  pages: boolean;
}

/**
 * Builds the whole service on one HTTP server: data dir and migrations, the database, auth,
 * the HTTP handler, Socket.IO and (optionally) Next.js. Nothing listens until `listen()`;
 * `close()` undoes everything in reverse order.
 */
export async function createApp(config: Config, { logger, pages }: AppOptions) {
  // Several nodes (REDIS_URL): connected first, so an unreachable Redis stops the start before
  // anything is opened. Rate limits then count across nodes, and Socket.IO rooms span them.
  const redis = config.redis ? await connectRedis(config.redis, logger) : null;
  const rateLimiter = (name: string, limit: RateLimit) =>
    createRateLimiter(limit, redis && { client: redis.client, keyPrefix: `${redis.keyPrefix}rate-limit:${name}` });
  prepareDataDir(config.dataDir, config.database);
  const migrations = await applyPendingMigrations({
    rootDir: config.rootDir,
    database: config.database,
    log: (msg) => logger.info({ module: 'db' }, msg),
  });
  // A firing transaction idle for a whole lease (its node paused) is ended by PostgreSQL, so its
  // share lock on the lease row cannot keep the other nodes from taking over.
  const db = await createDb(config.database, { idleInTransactionTimeoutMs: config.leaseTtlMs });
  const metrics = createMetrics();
  redis?.reportTo(metrics);
  const passwordHasher = createPasswordHasher({
    ...config.passwordHashing,
    onChange: (running, waiting) => {
      metrics.passwordHashes.set({ state: 'running' }, running);
      metrics.passwordHashes.set({ state: 'waiting' }, waiting);
    },
    onRefused: () => metrics.passwordHashesRefused.inc(),
  });
  const auth = createAuth({
    db,
    secret: loadAuthSecret(config.dataDir, config.authSecret),
    publicUrl: config.publicUrl,
    logger,
    passwordHasher,
  });
  const notifications = createNotificationService(db);
  // Several nodes share PostgreSQL: each product's alerts fire on the node holding its lease.
  // One process on SQLite fires everything itself.
  const leases =
    config.database.provider === 'postgresql'
      ? createProductLeases({ db, nodeId: config.nodeId, products: config.products, ttlMs: config.leaseTtlMs, logger })
      : null;
  const evaluator = createAlertEvaluator({ db, logger, metrics, ...(leases ? { leases } : {}), products: config.products });
  // Several nodes: alerts changed on other nodes reach this node's index within about a second.
  const alertSync = leases ? createAlertSync({ db, logger, track: (row) => evaluator.track(row) }) : null;
  const alerts = createAlertService({
    db,
    evaluator,
    products: config.products,
    alertLimit: config.alertLimit,
    onDamaged: (alertId, error) => {
      metrics.alertsSkipped.inc({ reason: 'unreadable' });
      logger.warn({ module: 'alerts', alertId, reason: 'unreadable', detail: error instanceof Error ? error.message : String(error) }, 'a stored alert cannot be read; it is left out');
    },
  });
  const store = createTradeStore({ db, logger, metrics, beforeWrite: () => evaluator.settle() });
  const market = createMarketPipeline({ config, store, metrics, logger });

  let handler: http.RequestListener = (_req, res) => res.end();
  // Socket.IO wraps the request listeners present when it attaches, so ours must exist first.
  const server = http.createServer(serverOptions(config.http), (req, res) => handler(req, res));
  const https = config.publicUrl?.protocol === 'https:';
  const proxyTrust = compileProxyTrust(config.trustedProxies);
  guardConnections(server, config.http, { logger, metrics, https, proxyTrust });
  const realtime = createRealtimeServer(server, {
    auth,
    db,
    logger,
    metrics,
    proxyTrust,
    publicUrl: config.publicUrl,
    dev: config.dev,
    products: config.products,
    snapshot: (product) => market.snapshot(product),
    statuses: () => market.statuses(),
    limits: config.sockets.limits,
    connectTimeoutMs: config.sockets.connectTimeoutMs,
    eventBudget: config.sockets.eventBudget,
    redis,
  });
  // engine.io answers /socket.io/ requests itself (its errors included): give those our headers too.
  secureEveryResponse(server, https);
  const delivery = createAlertDelivery(realtime, notifications, { logger, metrics, hitBudget: config.rateLimits.alertHits });

  const nextApp = pages ? next({ dev: config.dev, dir: config.rootDir }) : null;
  let renderPage: PageHandler | null = null;
  if (nextApp) {
    await nextApp.prepare();
    const handle = nextApp.getRequestHandler();
    renderPage = (req, res) => handle(req, res);
    if (config.dev) {
      const upgrade = nextApp.getUpgradeHandler();
      server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
        if (!req.url?.startsWith('/socket.io/')) void upgrade(req, socket, head);
      });
    }
  }

  const handleRequest = createRequestHandler({
    auth,
    logger,
    metrics,
    dev: config.dev,
    publicUrl: config.publicUrl,
    proxyTrust,
    maxBodyBytes: config.maxBodyBytes,
    limits: {
      ip: rateLimiter('auth-ip', config.rateLimits.authIp),
      account: rateLimiter('auth-account', config.rateLimits.authAccount),
    },
    hashingSaturated: () => passwordHasher.saturated(),
    onSessionsChanged: (userId) => {
      realtime.revalidateUser(userId).catch((error: unknown) => logger.error({ err: error }, 'socket revalidation failed'));
    },
    readiness: {
      // Reads alone can succeed while every write fails (a lock held elsewhere, a full disk):
      // the background writers' state says whether trades and firings are being stored.
      database: async () => {
        await db.$queryRawUnsafe('SELECT 1');
        return !store.failing() && !evaluator.failing();
      },
      feed: () => market.ready(),
      ...(redis ? { redis: () => redis.ready() } : {}),
    },
    pages: renderPage,
    api: createApiRouter(
      [...marketRoutes(market.view), ...alertRoutes(alerts, notifications, rateLimiter('alert-create', config.rateLimits.alertCreate))],
      config.maxBodyBytes,
    ),
  });
  const requests = createRequestTracker(server, handleRequest);
  handler = requests.handle;

  // Who hears whom. A window reaches the evaluator before the browsers' ticks (subscription order).
  market.onWindow((state) => evaluator.evaluate(state));
  market.onWindow((state) => realtime.publishTick(state));
  market.onStatus((status) => realtime.publishStatus(status));
  evaluator.onFired((fired) => delivery.send(fired));
  evaluator.onChanged((userId, alert) => realtime.publishAlert(userId, alert));
  alerts.onChanged((alertId) => realtime.announceAlertChange(alertId));
  realtime.onConnected((socket) => {
    delivery.replay(socket).catch((error: unknown) => logger.error({ err: error }, 'replaying notifications failed'));
  });
  realtime.onAlertChanged((alertId) => {
    evaluator.refresh(alertId).catch((error: unknown) => logger.warn({ err: error, alertId }, 'reading an alert changed on another node failed; the alert sync will'));
  });
  for (const product of leases ? config.products : []) metrics.productLeader.set({ product }, 0);
  leases?.onAcquired((product, epoch) => {
    metrics.productLeader.set({ product }, 1);
    // No crossing during the switch is missed: every armed alert is evaluated at once.
    evaluator.reevaluate(product);
    // Taken over: a hit the previous holder committed but never sent (killed in between)
    // reaches the tabs that stayed connected too.
    if (epoch > 1) realtime.replayHits();
  });
  leases?.onLost((product) => metrics.productLeader.set({ product }, 0));

  const housekeeping = createHousekeeping([
    [1_000, () => evaluator.expireBefore(Date.now() * 1000)],
    [3_600_000, () => void notifications.prune(Date.now()).catch(() => undefined)],
  ]);
  const listener = createListener(server);

  // Started in this order, closed in the reverse one.
  const lifecycle = createLifecycle(
    [
      ['redis', { close: () => redis?.close() }],
      ['database', { close: () => db.$disconnect() }],
      ['pages', { close: () => nextApp?.close() }],
      // Acknowledgements still waiting for their batch are recorded.
      ['delivery', delivery],
      // Handed over once the last firing has committed.
      ['lease release', { close: () => leases?.close() }],
      // The index is loaded before the first window; the last firings commit before the hand-over.
      ['evaluator', evaluator],
      ['market', market],
      // Taken once this node's windows are warm and its index loaded, so a takeover evaluates at
      // once; a stopping node takes no lease over while its last trades and firings are written.
      ['leases', { start: () => leases?.start(), close: () => leases?.stopRenewing() }],
      ['alert sync', alertSync ?? {}],
      ['housekeeping', housekeeping],
      // Requests still being handled when the server stops finish before the database closes.
      ['requests', requests],
      ['sockets', realtime],
      ['listener', listener],
    ],
    logger,
  );

  return {
    server,
    evaluator,
    alerts,
    notifications,
    db,
    auth,
    passwordHasher,
    metrics,
    realtime,
    market,
    store,
    migrationsApplied: migrations.applied,
    /** Starts every part and listens; resolves with the bound port (useful with port 0). */
    async listen(port: number, host: string): Promise<number> {
      const reader = await openBulkReader(config.database);
      try {
        await lifecycle.start({ reader });
      } finally {
        await reader.close();
      }
      return listener.listen(port, host);
    },
    /** Stops accepting, disconnects sockets, finishes in-flight requests, closes every part. */
    close: (): Promise<void> => lifecycle.close(),
  };
}

export type App = Awaited<ReturnType<typeof createApp>>;
