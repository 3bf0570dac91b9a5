import { APIError } from 'better-auth/api';
import { hashPassword, verifyPassword } from 'better-auth/crypto';

export interface PasswordHasherOptions {
  /** Hashes and checks that may run at once. */
  concurrency: number;
  /** Hashes and checks that may wait for a turn; past it a request is refused with 503. */
  queue: number;
  /** Told whenever the number running or waiting changes (metrics). */
  onChange?: (running: number, waiting: number) => void;
  /** Told when a hash is refused because the queue is full (metrics). */
  onRefused?: () => void;
  /** The work itself (Better Auth's scrypt by default; a stand-in in tests). */
  hash?: (password: string) => Promise<string>;
  verify?: (data: { hash: string; password: string }) => Promise<boolean>;
}

/** Seconds a client refused for a full queue is told to wait. */
export const HASH_QUEUE_RETRY_AFTER_S = 1;

/**
 * Better Auth's own password hash and check (scrypt on libuv's thread pool, about 50-100 ms of
 * CPU each), at most `concurrency` at once in FIFO order. A flood of password guesses therefore
 * queues behind a bounded number of hashes instead of taking every core and slowing every other
 * user's sign-in tenfold; past `queue` waiting, the hash is refused with a 503 APIError (Better
 * Auth turns it into the response) and `saturated()` tells the HTTP layer to refuse earlier.
 */
export function createPasswordHasher(options: PasswordHasherOptions) {
  const doHash = options.hash ?? hashPassword;
  const doVerify = options.verify ?? verifyPassword;
  let running = 0;
  let peak = 0;
  const waiting: Array<() => void> = [];
  const changed = () => options.onChange?.(running, waiting.length);

  async function acquire(): Promise<void> {
    if (running < options.concurrency) {
      running += 1;
      peak = Math.max(peak, running);
      changed();
      return;
    }
    if (waiting.length >= options.queue) {
      options.onRefused?.();
      throw new APIError(
        'SERVICE_UNAVAILABLE',
        { code: 'BUSY', message: 'The server is busy checking passwords. Please try again in a moment.' },
        { 'Retry-After': String(HASH_QUEUE_RETRY_AFTER_S) },
      );
    }
    // The releasing task hands its slot straight to the first waiter: `running` stays the same.
    await new Promise<void>((resolve) => {
      waiting.push(resolve);
      changed();
    });
  }

  function release(): void {
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
    changed();
  }

  async function limited<T>(task: () => Promise<T>): Promise<T> {
    await acquire();
    try {
      return await task();
    } finally {
      release();
    }
  }

  return {
    /** For Better Auth's `emailAndPassword.password`. */
    hash: (password: string) => limited(() => doHash(password)),
    verify: (data: { hash: string; password: string }) => limited(() => doVerify(data)),
    /** True while the queue is full: a request that would hash should be refused now. */
    saturated: (): boolean => running >= options.concurrency && waiting.length >= options.queue,
    /** Running and waiting now, and the most ever running at once (tests). */
    stats: () => ({ running, waiting: waiting.length, peak }),
  };
}

export type PasswordHasher = ReturnType<typeof createPasswordHasher>;
