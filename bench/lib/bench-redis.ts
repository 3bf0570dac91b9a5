import crypto from 'node:crypto';
import { type RedisKeySpace, redisKeySpace } from '../../tests/support/redis-key-space.ts';

/**
 * The Redis of a benchmark run of several nodes: the server the integration tests use
 * (`TEST_REDIS_URL`, default 127.0.0.1:6379), database 0, under a key prefix of the run's own
 * (`tickwatch-bench-<pid>-<random>:`, also the start of its pub/sub channels), so nothing of a
 * deployment sharing that Redis is read or deleted; `cleanup()` removes the run's keys.
 */
export function benchRedis(): RedisKeySpace {
  const base = new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
  return redisKeySpace(base, 0, `tickwatch-bench-${process.pid}-${crypto.randomBytes(4).toString('hex')}:`);
}
