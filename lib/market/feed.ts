/** What a product's feed state means to a person, and when to say the feed cannot be reached. */
import type { FeedState, FeedStatus, PriceTick } from '../realtime/events.ts';
import { isoToMicros } from './time.ts';

/** Completes "Feed: …". */
export const FEED_LABEL: Record<FeedState, string> = {
  connecting: 'connecting',
  live: 'live',
  stale: 'stale, no messages lately',
  reconnecting: 'reconnecting',
  backfilling: 'catching up on missed trades',
  'gap-lost': 'some trades were lost',
  unavailable: 'unavailable',
};

/** The badge tone of a feed state. */
export function feedTone(state: FeedState): 'ok' | 'warn' | 'bad' {
  if (state === 'live') return 'ok';
  if (state === 'unavailable' || state === 'gap-lost') return 'bad';
  return 'warn';
}

/** How long a feed may be connecting or reconnecting, with no trade since, before the page says so. */
export const UNREACHABLE_AFTER_MS = 20_000;

/**
 * True when the page should say the exchange feed cannot be reached: the server reports it
 * `unavailable`, or it has been connecting or reconnecting for `afterMs` with no trade since.
 */
export function isFeedUnreachable(
  status: FeedStatus | undefined,
  latest: PriceTick | null | undefined,
  nowMs: number,
  afterMs = UNREACHABLE_AFTER_MS,
): boolean {
  if (!status) return false;
  if (status.state === 'unavailable') return true;
  if (status.state !== 'connecting' && status.state !== 'reconnecting') return false;
  const sinceMicros = isoToMicros(status.since);
  if (sinceMicros === null) return false;
  const tradeMicros = latest ? isoToMicros(latest.time) : null;
  if (tradeMicros !== null && tradeMicros >= sinceMicros) return false;
  return nowMs * 1000 - sinceMicros >= afterMs * 1000;
}

/**
 * The more recent of two statuses of one product (by `since`, the server's clock; a tie goes to
 * `next`), so a status loaded over HTTP never hides a newer one pushed over the socket.
 */
export function newerStatus(previous: FeedStatus | undefined, next: FeedStatus): FeedStatus {
  if (!previous) return next;
  const a = isoToMicros(previous.since);
  const b = isoToMicros(next.since);
  if (a === null || b === null) return next;
  return b >= a ? next : previous;
}
