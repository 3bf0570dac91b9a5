import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '../../lib/errors.ts';

export interface RateLimit {
  points: number;
  windowMs: number;
}

export interface RateLimiter {
  /** Counts one attempt for `key`; throws a 429 `AppError` with `retryAfterS` when over. */
  consume(key: string, what: string): Promise<void>;
}

/** Where several nodes keep one count (`REDIS_URL`): a Redis connection and this limit's key prefix. */
export interface SharedCounts {
  client: Redis;
  keyPrefix: string;
}

/**
 * A fixed-window limiter of `points` attempts per `windowMs` and key (rate-limiter-flexible). In
 * process memory, or with `shared` in Redis, so a limit holds across every node. With Redis,
 * an in-memory limiter of the same size is the insurance: while Redis is away (not connected,
 * or a command fails or times out) each node counts on its own, so the gates neither open (no
 * limit) nor close (every attempt refused); an outage allows at most one budget per node.
 */
export function createRateLimiter({ points, windowMs }: RateLimit, shared?: SharedCounts | null): RateLimiter {
  const duration = Math.ceil(windowMs / 1000);
  const memory = new RateLimiterMemory({ points, duration });
  const limiter = shared
    ? new RateLimiterRedis({
        storeClient: shared.client,
        keyPrefix: shared.keyPrefix,
        points,
        duration,
        // Not connected: straight to the insurance, rather than a command that fails anyway.
        rejectIfRedisNotReady: true,
        insuranceLimiter: memory,
      })
    : memory;
  return {
    async consume(key, what) {
      try {
        await limiter.consume(key);
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        const retryAfterS = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
        throw new AppError('rate_limited', `Too many ${what}. Please wait ${retryAfterS} s and try again.`, {
          retryAfterS,
        });
      }
    },
  };
}
