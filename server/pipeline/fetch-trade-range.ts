import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../logger.ts';
import { FEED_BACKOFF, backoffDelay } from '../backoff.ts';
import { REST_PAGE_LIMIT, RestError, fetchTradesBefore } from '../feed/rest-trades.ts';
import { parseTrade } from '../stream/parse-trade.ts';
import type { Trade } from '../stream/types.ts';

export interface TradeRangeRequest {
  restUrl: URL;
  product: string;
  /** Lowest trade id wanted (inclusive). */
  fromId: number;
  /** Fetch trades with ids below this one (exclusive). */
  beforeId: number;
  /**
   * Stop paging once trades are at or before this time (microseconds): older trades cannot be in
   * any window the caller will compute, so a long outage costs one window of pages, not hours.
   */
  cutoffUs: number;
  signal: AbortSignal;
  logger: Logger;
  /** Called for each REST entry that is not a valid trade (it is skipped). */
  onInvalid(reason: string): void;
  /** Pause between pages; the exchange allows about 10 public requests per second. */
  pageDelayMs?: number;
}

export interface TradeRange {
  /** Fetched trades in ascending id order, all within [fromId, beforeId). */
  trades: Trade[];
  /** True when every id from fromId up was fetched; false when cut off by time or aborted. */
  complete: boolean;
  /**
   * True when the exchange answered that it has nothing older: an empty page, or a page with no
   * trade below the cursor. For a fresh start's history that is the end of it; inside a gap it
   * means the missing trades are not (yet) served, and the caller retries after a pause.
   */
  exhausted: boolean;
}

/**
 * Walks the REST trades endpoint backwards from `beforeId` (newest page first, as the exchange
 * pages) until `fromId` is reached, the cutoff time is passed, or the exchange has nothing older.
 * Failed requests are retried with backoff until `signal` aborts; the caller owns the overall time
 * limit, and the pause before it asks again after an unproductive walk.
 */
export async function fetchTradeRange(request: TradeRangeRequest): Promise<TradeRange> {
  const { product, fromId, signal } = request;
  const collected: Trade[] = [];
  let cursor = request.beforeId;
  let failures = 0;
  let exhausted = false;
  while (cursor > fromId && !signal.aborted) {
    let page: Awaited<ReturnType<typeof fetchTradesBefore>>;
    try {
      page = await fetchTradesBefore(request.restUrl, product, cursor, Math.min(REST_PAGE_LIMIT, cursor - fromId));
    } catch (error) {
      if (!(error instanceof RestError)) throw error;
      failures += 1;
      const delay = backoffDelay(failures - 1, FEED_BACKOFF);
      request.logger.warn({ product, cursor, err: error.message, retryInMs: delay }, 'trade backfill request failed');
      await sleep(error.status === 429 ? delay * 4 : delay, undefined, { signal }).catch(() => undefined);
      continue;
    }
    failures = 0;
    for (let i = 0; i < page.invalid; i += 1) request.onInvalid('backfill entry is not a trade');
    let oldest = cursor;
    let cutOff = false;
    for (const raw of page.trades) {
      oldest = Math.min(oldest, raw.tradeId);
      if (raw.tradeId < fromId || raw.tradeId >= cursor) continue;
      const parsed = parseTrade(raw);
      if (!parsed.ok) {
        request.onInvalid(`backfill trade ${raw.tradeId}: ${parsed.reason}`);
        continue;
      }
      collected.push(parsed.trade);
      if (parsed.trade.timeUs <= request.cutoffUs) cutOff = true;
    }
    if (page.trades.length === 0 || oldest >= cursor) {
      exhausted = true;
      break;
    }
    cursor = oldest;
    if (cutOff) break;
    await sleep(request.pageDelayMs ?? 120, undefined, { signal }).catch(() => undefined);
  }
  collected.sort((a, b) => a.tradeId - b.tradeId);
  const complete = collected.length > 0 ? collected[0]!.tradeId === fromId && isDense(collected) : fromId >= request.beforeId;
  return { trades: collected, complete, exhausted };
}

function isDense(trades: Trade[]): boolean {
  for (let i = 1; i < trades.length; i += 1) {
    if (trades[i]!.tradeId !== trades[i - 1]!.tradeId + 1) return false;
  }
  return true;
}
