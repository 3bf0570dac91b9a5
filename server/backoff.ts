export interface BackoffPolicy {
  /** Delay before the first retry, in milliseconds. */
  baseMs: number;
  /** Cap on any delay, in milliseconds. */
  maxMs: number;
}

/** Reconnect policy of the feed: 0.5 s doubling up to 30 s. */
export const FEED_BACKOFF: BackoffPolicy = { baseMs: 500, maxMs: 30_000 };
/** After an HTTP 429 on the handshake the exchange asked us to slow down: start higher. */
export const FEED_BACKOFF_RATE_LIMITED: BackoffPolicy = { baseMs: 5_000, maxMs: 60_000 };

/**
 * Delay before retry number `attempt` (0-based): exponential, capped, with "equal jitter" (half
 * fixed, half random) so many clients restarting together do not retry in lockstep while each
 * still waits at least half the nominal delay. `random` returns [0, 1).
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const nominal = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(nominal / 2 + (random() * nominal) / 2);
}
