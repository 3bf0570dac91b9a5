import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT_DIR, freePort } from './server-process.ts';
import { spawnNodeScript, stopChild } from './spawn-node-script.ts';

export interface BenchServerOptions {
  dataDir: string;
  /** DATABASE_URL: a SQLite `file:` URL or a PostgreSQL one. */
  databaseUrl: string;
  /** BETTER_AUTH_SECRET: the bench signs the seeded sessions' cookies with it. */
  secret: string;
  /** The simulator's feed and REST URLs. */
  feedUrl: string;
  restUrl: string;
  /** Sockets the server will hold (its open-file limit is raised to fit). */
  sockets: number;
  /** Extra Node flags, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] to profile a run. */
  nodeFlags?: string[];
  /** More environment, or overrides: a node of several (REDIS_URL, NODE_ID, LEASE_TTL), LOG_LEVEL. */
  env?: Record<string, string>;
}

export interface BenchServer {
  pid: number;
  baseUrl: string;
  output(): string;
  stop(): Promise<void>;
  /** SIGKILL, as a machine dies: no clean stop, no lease handed over. Resolves once it exited. */
  kill(): Promise<void>;
}

/**
 * Starts the app as `npm start` runs it (`node --import tsx server/index.ts`, production mode,
 * pages included, so its memory is the deployed process's) on 127.0.0.1, following the
 * simulator; resolves once /readyz says the database and the feed are ready.
 */
export async function startBenchServer(options: BenchServerOptions): Promise<BenchServer> {
  if (!fs.existsSync(path.join(ROOT_DIR, '.next', 'BUILD_ID'))) {
    throw new Error('the app has no production build: run `npm run build` first');
  }
  const port = await freePort();
  // BENCH_SERVER_CPU_PROF_DIR=<dir> profiles the server (a .cpuprofile per run, written at exit).
  const profileDir = process.env.BENCH_SERVER_CPU_PROF_DIR;
  const child: ChildProcess = spawnNodeScript('server/index.ts', [], {
    openFiles: options.sockets,
    nodeFlags: [...(options.nodeFlags ?? []), ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])],
    env: {
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: options.dataDir,
      DATABASE_URL: options.databaseUrl,
      BETTER_AUTH_SECRET: options.secret,
      COINBASE_WS_URL: options.feedUrl,
      COINBASE_REST_URL: options.restUrl,
      PRODUCTS: 'BTC-USD',
      LOG_LEVEL: 'warn',
      // Every client of a scenario connects from 127.0.0.1, a thousand at once: caps that fit them.
      SOCKET_LIMIT_ACCOUNT: String(options.sockets),
      SOCKET_LIMIT_IP: String(options.sockets),
      SOCKET_LIMIT_IP_ANONYMOUS: String(options.sockets),
      // Every client of a scenario connects from 127.0.0.1: no per-address cap, room for all.
      MAX_CONNECTIONS: String(options.sockets + 1_000),
      MAX_CONNECTIONS_PER_IP: '0',
      ...options.env,
    },
  });
  let text = '';
  const keep = (chunk: Buffer): void => void (text = (text + chunk.toString()).slice(-20_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the server exited at start: ${text.trim()}`);
    try {
      if ((await fetch(`${baseUrl}/readyz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stopChild(child, 'SIGKILL');
      throw new Error(`the server was not ready within 90 s: ${text.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    pid: child.pid ?? 0,
    baseUrl,
    output: () => text,
    stop: () => stopChild(child, 'SIGTERM', 10_000),
    kill: () => stopChild(child, 'SIGKILL'),
  };
}
