import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '../../lib/errors.ts';

export interface RateLimit {
  points: number;
  windowMs: number;
}

export interface RateLimiter {
  /** Counts one attempt for `key`; throws a 429 `AppError` with `retryAfterS` when over. */
  consume(key: string, what: string): Promise<void>;
}

/**
 * A fixed-window limiter of `points` attempts per `windowMs` and key, kept in process memory
 * (rate-limiter-flexible; its Redis store takes the same calls when the app scales out).
 */
export function createRateLimiter({ points, windowMs }: RateLimit): RateLimiter {
  const limiter = new RateLimiterMemory({ points, duration: Math.ceil(windowMs / 1000) });
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
