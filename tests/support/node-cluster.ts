import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { readMetric } from './metrics.ts';
import { type TestUser, signUpUser } from './sign-up-user.ts';
import { type RecordingSocket, connectRecording } from './socket-client.ts';
import { type SpawnedServer, freePort, spawnServer, waitForOk } from './spawn-server.ts';
import { waitFor } from './wait-for.ts';

/** One server process of a cluster under test. */
export interface ClusterNode {
  name: string;
  baseUrl: string;
  server: SpawnedServer;
  /** A socket of a user with no alerts, subscribed to the product: its ticks say which trades the node applied. */
  watcher: RecordingSocket | null;
}

export interface NodeClusterOptions {
  product: string;
  /** Environment of every node (database, Redis, feed, secrets, limits); NODE_ID, PORT, HOST and DATA_DIR are added. */
  env: () => Record<string, string>;
}

export const isAlive = (node: ClusterNode): boolean => node.server.child.exitCode === null && node.server.child.signalCode === null;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The environment every node of a cluster test shares besides its database: production mode,
 * one auth secret (a user signed up on one node is known on all), the lease TTL, info logs (the
 * tests read the nodes' lease lines), one product on a 1-minute window fed by `feed`, and limits
 * a test's many sign-ups and alerts from one address stay under.
 */
export function clusterNodeEnv(options: {
  product: string;
  authSecret: string;
  leaseTtlMs: number;
  redisEnv: Record<string, string>;
  feed: { url: string; restUrl: string };
}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    ...options.redisEnv,
    BETTER_AUTH_SECRET: options.authSecret,
    LEASE_TTL: `${options.leaseTtlMs / 1000}s`,
    LOG_LEVEL: 'info',
    COINBASE_WS_URL: options.feed.url,
    COINBASE_REST_URL: options.feed.restUrl,
    PRODUCTS: options.product,
    WINDOW: '1m',
    RATE_LIMIT_AUTH_IP: '1000/1m',
    RATE_LIMIT_ALERT_CREATE: '1000/1m',
  };
}

/** Runs one statement on `databaseUrl` with a connection of its own. */
export async function pgQuery<T>(databaseUrl: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/**
 * Server processes (`node --import tsx server/index.ts`, as `npm start`) started as nodes of one
 * deployment, and the sockets tests open on them. `stopAll()` ends every one of them (SIGKILL,
 * a stopped one resumed first) and closes the sockets, whatever state a test left them in.
 */
export function nodeCluster(options: NodeClusterOptions) {
  const { product } = options;
  const leaderSample = `tickwatch_product_leader{product="${product}"}`;
  const nodes: ClusterNode[] = [];
  const sockets: RecordingSocket[] = [];
  const dirs: string[] = [];

  function tempDir(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickwatch-cluster-'));
    dirs.push(dir);
    return dir;
  }

  /** Whether `node` reports holding the product's firing lease (`tickwatch_product_leader`). */
  const leads = async (node: ClusterNode): Promise<boolean> => (await readMetric(node.baseUrl, leaderSample)) === 1;

  async function connect(node: ClusterNode, user: TestUser): Promise<RecordingSocket> {
    const socket = await connectRecording(node.baseUrl, user.http.cookieHeader);
    sockets.push(socket);
    return socket;
  }

  return {
    tempDir,
    connect,
    /** Starts one node per name on `databaseUrl`, all at once; resolves when each is ready and watched. */
    async start(names: string[], databaseUrl: string): Promise<ClusterNode[]> {
      const started: ClusterNode[] = [];
      for (const name of names) {
        const port = await freePort();
        const server = spawnServer({ ...options.env(), DATABASE_URL: databaseUrl, NODE_ID: name, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: tempDir() });
        const node: ClusterNode = { name, baseUrl: `http://127.0.0.1:${port}`, server, watcher: null };
        nodes.push(node);
        started.push(node);
      }
      await Promise.all(
        started.map((node) =>
          Promise.race([
            waitForOk(`${node.baseUrl}/readyz`, 60_000),
            node.server.exited.then((code) => {
              throw new Error(`${node.name} exited with ${code} before it was ready:\n${node.server.output().slice(-2_000)}`);
            }),
          ]),
        ),
      );
      const watcher = await signUpUser(started[0]!.baseUrl, 'watcher');
      for (const node of started) {
        node.watcher = await connect(node, watcher);
        const ack = await node.watcher.subscribe([product]);
        if (!ack.ok) throw new Error(`${node.name} refused the watcher's subscription: ${JSON.stringify(ack)}`);
      }
      return started;
    },
    /** A process the test spawned itself, ended with the nodes. */
    adopt(name: string, server: SpawnedServer): void {
      nodes.push({ name, baseUrl: '', server, watcher: null });
    },
    /** Waits until every node of `on` has applied trade `tradeId` (its newest tick is at least that trade). */
    async applied(on: ClusterNode[], tradeId: number, what: string): Promise<void> {
      await waitFor(() => on.every((node) => (node.watcher?.lastTick(product)?.tradeId ?? 0) >= tradeId), 10_000, what);
    },
    leads,
    /** The one node of `among` that reports the lease. */
    async leaderOf(among: ClusterNode[]): Promise<ClusterNode> {
      return waitFor(
        async () => {
          const holders: ClusterNode[] = [];
          for (const node of among) if (await leads(node)) holders.push(node);
          return holders.length === 1 ? holders[0] : undefined;
        },
        10_000,
        `exactly one leader among ${among.map((n) => n.name).join(', ')}`,
      );
    },
    /** Polls `among` until one reports the lease; returns it and the ms from `sinceMs` to when it was seen. */
    async nextLeader(among: ClusterNode[], sinceMs: number, timeoutMs: number): Promise<{ node: ClusterNode; afterMs: number }> {
      return waitFor(
        async () => {
          for (const node of among) if (await leads(node)) return { node, afterMs: Date.now() - sinceMs };
          return undefined;
        },
        timeoutMs,
        `another node to take the lease (within ${timeoutMs} ms)`,
      );
    },
    async stopAll(): Promise<void> {
      for (const socket of sockets.splice(0)) socket.socket.disconnect();
      const ending = nodes.splice(0);
      for (const node of ending.filter(isAlive)) {
        // A stopped process is resumed first, so it goes at once.
        node.server.child.kill('SIGCONT');
        node.server.child.kill('SIGKILL');
      }
      await Promise.all(ending.map((node) => Promise.race([node.server.exited, sleep(10_000)])));
    },
    removeDirs(): void {
      for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type NodeCluster = ReturnType<typeof nodeCluster>;
