import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readMetric } from '../../tests/support/metrics.ts';
import type { RedisKeySpace } from '../../tests/support/redis-key-space.ts';
import { type BenchServer, startBenchServer } from './bench-server.ts';

export interface BenchClusterOptions {
  /** Node names (NODE_ID), one process each. */
  names: string[];
  /** The PostgreSQL database every node shares, migrated and seeded. */
  databaseUrl: string;
  redis: RedisKeySpace;
  /** BETTER_AUTH_SECRET of every node: a cookie signed for one is good on all. */
  secret: string;
  feedUrl: string;
  restUrl: string;
  /** Sockets one node may hold. */
  sockets: number;
  /** LEASE_TTL, e.g. '5s'; the server's default when absent. */
  leaseTtl?: string;
}

export interface BenchNode {
  name: string;
  server: BenchServer;
}

export interface BenchCluster {
  /** The running nodes (a killed one leaves the list; a restarted one comes back at the end). */
  nodes: BenchNode[];
  /** The one node that reports `tickwatch_product_leader{product}` 1, polled for up to `timeoutMs`. */
  leader(product: string, timeoutMs?: number): Promise<BenchNode>;
  /** SIGKILL: the node dies without handing its leases over. */
  kill(node: BenchNode): Promise<void>;
  /** Starts a node of that name again, on a fresh data dir; resolves once it is ready. */
  start(name: string): Promise<BenchNode>;
  /** Ends every node and removes their data dirs. */
  stop(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Several nodes of one deployment on this machine, as `npm run cluster` runs them: each its own
 * `npm start`-like process (bench-server.ts) on one PostgreSQL database and one Redis key
 * space, following the bench's simulator. Logs at info, so a takeover's "firing lease taken"
 * line (with its time) is in `server.output()`.
 */
export async function startBenchCluster(options: BenchClusterOptions): Promise<BenchCluster> {
  const nodes: BenchNode[] = [];
  const dirs: string[] = [];

  async function start(name: string): Promise<BenchNode> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `tickwatch-bench-${name}-`));
    dirs.push(dataDir);
    const server = await startBenchServer({
      dataDir,
      databaseUrl: options.databaseUrl,
      secret: options.secret,
      feedUrl: options.feedUrl,
      restUrl: options.restUrl,
      sockets: options.sockets,
      env: { ...options.redis.env, NODE_ID: name, LOG_LEVEL: 'info', ...(options.leaseTtl ? { LEASE_TTL: options.leaseTtl } : {}) },
    });
    const node = { name, server };
    nodes.push(node);
    return node;
  }

  async function stop(): Promise<void> {
    await Promise.all(nodes.splice(0).map((node) => node.server.kill()));
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  }

  // Started one at a time: the two cores go to one start instead of three, and a node that
  // cannot start says so before the others are spent.
  try {
    await Promise.all(options.names.map(start));
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    nodes,
    async leader(product, timeoutMs = 15_000) {
      const sample = `tickwatch_product_leader{product="${product}"}`;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const holders: BenchNode[] = [];
        for (const node of nodes) if ((await readMetric(node.server.baseUrl, sample)) === 1) holders.push(node);
        if (holders.length === 1) return holders[0]!;
        if (Date.now() > deadline) throw new Error(`no single leader of ${product} within ${timeoutMs} ms (${holders.length} report the lease)`);
        await sleep(50);
      }
    },
    async kill(node) {
      nodes.splice(nodes.indexOf(node), 1);
      await node.server.kill();
    },
    start,
    stop,
  };
}
