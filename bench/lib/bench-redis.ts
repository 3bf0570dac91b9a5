import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import { type RedisKeySpace, redisKeySpace } from '../../tests/support/redis-key-space.ts';
import { processAlive } from './process-alive.ts';

const PREFIX = 'tickwatch-bench-';

/**
 * Deletes the keys of bench runs whose process is gone: a bench killed outright runs no
 * `finally`, and the Redis streams adapter's stream would otherwise stay forever.
 */
async function deleteOrphans(url: string): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 1000);
      cursor = next;
      const orphans = keys.filter((key) => !processAlive(Number(key.slice(PREFIX.length).split('-')[0])));
      if (orphans.length > 0) await client.del(...orphans);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

/**
 * The Redis of a benchmark run of several nodes: the server the integration tests use
 * (`TEST_REDIS_URL`, default 127.0.0.1:6379), database 0, under a key prefix of the run's own
 * (`tickwatch-bench-<pid>-<random>:`, also the start of its pub/sub channels), so nothing of a
 * deployment sharing that Redis is read or deleted; `cleanup()` removes the run's keys.
 */
export async function benchRedis(): Promise<RedisKeySpace> {
  const base = new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
  const space = redisKeySpace(base, 0, `${PREFIX}${process.pid}-${crypto.randomBytes(4).toString('hex')}:`);
  await deleteOrphans(space.url);
  return space;
}
