import { Redis } from 'ioredis';

/**
 * One database of a shared Redis with a key prefix of its own (`REDIS_KEY_PREFIX`, which also
 * names the apps' pub/sub channels): what the apps of one test file or one benchmark run use, so
 * that they never see another run's keys and `cleanup()` deletes theirs and nothing else. Kept
 * apart from test-redis.ts, whose private redis-server needs the test harness, so the benchmarks
 * can use it without loading the server.
 */
export interface RedisKeySpace {
  /** REDIS_URL of the apps. */
  url: string;
  /** REDIS_KEY_PREFIX of the apps. */
  prefix: string;
  /** The environment that puts an app on this Redis. */
  env: { REDIS_URL: string; REDIS_KEY_PREFIX: string };
  /** The keys under `prefix`. */
  keys(): Promise<string[]>;
  /** Deletes the keys under `prefix`, nothing else. */
  cleanup(): Promise<void>;
}

export function redisKeySpace(base: URL, db: number, prefix: string): RedisKeySpace {
  const url = new URL(base);
  url.pathname = `/${db}`;
  const text = url.toString();
  async function keys(): Promise<string[]> {
    const client = new Redis(text, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await client.connect();
      const found: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        found.push(...batch);
      } while (cursor !== '0');
      return found;
    } finally {
      client.disconnect();
    }
  }
  return {
    url: text,
    prefix,
    env: { REDIS_URL: text, REDIS_KEY_PREFIX: prefix },
    keys,
    async cleanup() {
      const mine = await keys();
      if (mine.length === 0) return;
      const client = new Redis(text, { lazyConnect: true, maxRetriesPerRequest: 1 });
      try {
        await client.connect();
        await client.del(...mine);
      } finally {
        client.disconnect();
      }
    },
  };
}
