import http from 'node:http';
import type { Duplex } from 'node:stream';
import next from 'next';
import type { Config } from './config/config.ts';
import { loadAuthSecret } from './auth/auth-secret.ts';
import { createAuth } from './auth/create-auth.ts';
import { createDb } from './db/client.ts';
import { applyPendingMigrations } from './db/migrate.ts';
import { prepareDataDir } from './db/prepare-data-dir.ts';
import { type PageHandler, createRequestHandler } from './http/create-request-handler.ts';
import { createRateLimiter } from './http/rate-limiter.ts';
import type { Logger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { createApiRouter } from './http/api-router.ts';
import { marketRoutes } from './http/routes/market-routes.ts';
import { createMarketPipeline } from './pipeline/market-pipeline.ts';
import { createTradeStore } from './pipeline/trade-store.ts';
import { createRealtimeServer } from './realtime/create-realtime-server.ts';

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
  prepareDataDir(config.dataDir, config.databaseFile);
  const migrations = await applyPendingMigrations({
    rootDir: config.rootDir,
    databaseFile: config.databaseFile,
    log: (msg) => logger.info({ module: 'db' }, msg),
  });
  const db = await createDb(config.databaseFile);
  const auth = createAuth({
    db,
    secret: loadAuthSecret(config.dataDir, config.authSecret),
    publicUrl: config.publicUrl,
    logger,
  });
  const metrics = createMetrics();
  const store = createTradeStore({ db, logger });
  // The pipeline and the realtime server feed each other; each reaches the other through a closure.
  let realtimeRef: ReturnType<typeof createRealtimeServer> | null = null;
  const market = createMarketPipeline({
    config,
    store,
    metrics,
    logger,
    onWindow: (_state, tick) => realtimeRef?.publishTick(tick),
    onStatus: (status) => realtimeRef?.publishStatus(status),
  });

  let handler: http.RequestListener = (_req, res) => res.end();
  // Socket.IO wraps the request listeners present when it attaches, so ours must exist first.
  const server = http.createServer((req, res) => handler(req, res));
  server.requestTimeout = 30_000;
  server.headersTimeout = 15_000;
  const realtime = createRealtimeServer(server, {
    auth,
    db,
    logger,
    metrics,
    publicUrl: config.publicUrl,
    dev: config.dev,
    products: config.products,
    snapshot: (product) => market.snapshot(product),
    statuses: () => market.statuses(),
  });
  realtimeRef = realtime;

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
    maxBodyBytes: config.maxBodyBytes,
    limits: {
      ip: createRateLimiter(config.rateLimits.authIp),
      account: createRateLimiter(config.rateLimits.authAccount),
    },
    onSessionsChanged: (userId) => {
      realtime.revalidateUser(userId).catch((error: unknown) => logger.error({ err: error }, 'socket revalidation failed'));
    },
    readiness: {
      database: async () => {
        await db.$queryRawUnsafe('SELECT 1');
        return true;
      },
      feed: () => market.ready(),
    },
    pages: renderPage,
    api: createApiRouter([...marketRoutes(market.view)]),
  });
  handler = (req, res) => void handleRequest(req, res);

  return {
    server,
    db,
    auth,
    metrics,
    realtime,
    market,
    store,
    migrationsApplied: migrations.applied,
    /** Starts listening; resolves with the bound port (useful with port 0). */
    async listen(port: number, host: string): Promise<number> {
      await market.start();
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address();
          resolve(typeof address === 'object' && address ? address.port : port);
        });
      });
    },
    /** Stops accepting, disconnects sockets, finishes in-flight requests, closes the database. */
    async close(): Promise<void> {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await realtime.close();
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), 3_000);
      await closed;
      clearTimeout(force);
      await market.close();
      await nextApp?.close();
      await db.$disconnect();
    },
  };
}

export type App = Awaited<ReturnType<typeof createApp>>;
