import { type ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import { type RedisKeySpace, redisKeySpace } from './redis-key-space.ts';
import { freePort } from './spawn-server.ts';

/**
 * Redis for the tests of several nodes. The shared server (127.0.0.1:6379, or `TEST_REDIS_URL`)
 * is never flushed or stopped: each test file takes a database other than 0 at random and a key
 * prefix of its own (`REDIS_KEY_PREFIX`, which also names its pub/sub channels), and deletes only
 * the keys under that prefix. Outages are tested on a private `redis-server` (`startPrivateRedis`).
 */
const SHARED = new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');

/** A Redis database and key prefix of one test file's own. */
export type TestRedis = RedisKeySpace;

function uniquePrefix(): string {
  return `tickwatch-test-${process.pid}-${crypto.randomBytes(4).toString('hex')}:`;
}

/** A database from 1 to 15 of the shared Redis, at random, with a key prefix of this file's own. */
export function sharedTestRedis(): TestRedis {
  return redisKeySpace(SHARED, 1 + crypto.randomInt(15), uniquePrefix());
}

export interface PrivateRedis {
  port: number;
  /** This server on database `db` (default 1) with a fresh key prefix. */
  redis: TestRedis;
  /** Kills the server (SIGKILL: an abrupt loss) and waits for it to exit. */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty (nothing is saved), and waits until it answers. */
  restart(): Promise<void>;
  /** Stops it for good. */
  close(): Promise<void>;
}

async function answers(port: number): Promise<boolean> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * A `redis-server` of the test's own on a free port, without persistence, for outages the
 * shared server must never see.
 */
export async function startPrivateRedis(db = 1): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  async function start(): Promise<void> {
    const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    child = proc;
    exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    const deadline = Date.now() + 10_000;
    while (!(await answers(port))) {
      if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer within 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  async function kill(): Promise<void> {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    child = null;
    await exited;
  }
  await start();
  return {
    port,
    redis: redisKeySpace(new URL(`redis://127.0.0.1:${port}`), db, uniquePrefix()),
    kill,
    restart: start,
    close: kill,
  };
}
