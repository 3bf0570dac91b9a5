import type { FeedState, FeedStatus, PriceTick } from '../../lib/realtime/events.ts';
import { toTick } from '../stream/to-tick.ts';
import { FEED_BACKOFF, backoffDelay } from '../backoff.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { parseStoredTrade, parseTrade } from '../stream/parse-trade.ts';
import { type PriceHistory, createPriceHistory } from '../stream/price-history.ts';
import { createSlidingWindow } from '../stream/sliding-window.ts';
import type { SequencerItem } from '../stream/sequencer-step.ts';
import { createTradeSequencer } from '../stream/trade-sequencer.ts';
import type { RawTrade, Trade, WindowState } from '../stream/types.ts';
import type { TradeRange } from './fetch-trade-range.ts';
import { createRangeFetcher } from './range-fetcher.ts';
import type { StoredTrade, TradeStore } from './trade-store.ts';

export interface ProductPipelineOptions {
  product: string;
  windowMs: number;
  gapFillTimeoutMs: number;
  restUrl: URL;
  store: TradeStore;
  metrics: Metrics;
  logger: Logger;
  /** Called with the window after every live or backfilled trade (not at warm start). */
  onWindow(state: WindowState): void;
  /** Called whenever this product's feed state changes. */
  onStatus(status: FeedStatus): void;
  now?: () => number;
}

/** Held trades beyond this make the sequencer give up the gap (bounded memory). */
const MAX_HELD_TRADES = 200_000;

/**
 * One product's way through the pipeline: feed frames → sequencer (dedupe, order, gaps) →
 * sliding window → outputs (ticks, history, persistence). Gaps are filled from REST in the
 * background; live trades wait behind an open gap and are applied in trade-id order once it is
 * filled or given up. All the computation is the pure `server/stream` modules; this file does the
 * I/O around them.
 */
export function createProductPipeline(options: ProductPipelineOptions) {
  const { product, store, metrics } = options;
  const now = options.now ?? Date.now;
  const log = options.logger.child({ module: 'pipeline', product });
  const windowUs = options.windowMs * 1000;
  const window = createSlidingWindow(product, windowUs);
  const sequencer = createTradeSequencer({ gapFillTimeoutMs: options.gapFillTimeoutMs, maxHeld: MAX_HELD_TRADES });
  const chart: PriceHistory = createPriceHistory();
  let connection: FeedState = 'connecting';
  let unavailable: string | null = null;
  let lostUntilWarm = false;
  let status: FeedStatus = { product, state: 'connecting', since: new Date(now()).toISOString() };
  const rest = createRangeFetcher({ product, restUrl: options.restUrl, timeoutMs: options.gapFillTimeoutMs, metrics, logger: log });
  let newestSeenUs = 0;
  // No stored trade: the first trade (or heartbeat) starts the sequence, and one window of older
  // trades is fetched as history before the live ones are applied.
  let fresh = false;
  // The fresh start's history fetch in flight, with the live items waiting behind it.
  let historyFetch: { queue: SequencerItem[] } | null = null;
  // A gap fill that ended without closing the gap is tried again only after a pause.
  let fillFailures = 0;
  let retryTimer: NodeJS.Timeout | null = null;

  /** Window and history only: what warm start replays, whose alerts were evaluated before. */
  function rebuild(trade: Trade): WindowState {
    const state = window.apply(trade);
    // The snapshot itself is the point: its mean and vwap are formatted only if a chart asks.
    chart.record(state);
    return state;
  }

  function apply(trade: Trade): void {
    const state = rebuild(trade);
    store.add(trade);
    metrics.tradesIngested.inc({ product });
    if (state.warm) lostUntilWarm = false;
    options.onWindow(state);
  }

  /**
   * Applies the sequencer's items. `outsideWindow` marks lost ranges that were skipped on purpose
   * because they are older than any window (backfill cut off by time): they restart coverage
   * like any discontinuity but are not a loss worth an alarm.
   */
  function run(items: SequencerItem[], outsideWindow = false): void {
    if (fresh && sequencer.state().lastAppliedId !== null) beginHistory(items);
    else if (historyFetch) historyFetch.queue.push(...items);
    else applyItems(items, outsideWindow);
    const gap = sequencer.state().openGap;
    if (!gap) fillFailures = 0;
    if (gap && !historyFetch && !rest.busy && !retryTimer) startFill(gap.fromId, gap.toId);
    refreshStatus();
  }

  function applyItems(items: SequencerItem[], outsideWindow: boolean): void {
    for (const item of items) {
      if (item.kind === 'trade') {
        apply(item.trade);
        continue;
      }
      const { fromId, toId } = item;
      window.markDiscontinuity();
      if (outsideWindow) {
        log.info({ fromId, toId }, 'older trades are outside the window: not fetched');
        continue;
      }
      log.error({ fromId, toId, count: toId - fromId + 1 }, 'trades lost: the gap could not be filled in time');
      metrics.feedGaps.inc({ product, outcome: 'lost' });
      lostUntilWarm = true;
    }
  }

  /**
   * The sequence has just started on a fresh start: fetch the trades before it, back one window of
   * event time, and apply them before the live ones. Whatever the exchange does not have (an empty
   * page, nothing older, a new listing) is simply not there: it is not a gap and never lost.
   */
  function beginHistory(items: SequencerItem[]): void {
    fresh = false;
    const first = items.find((item) => item.kind === 'trade');
    const beforeId = first ? first.trade.tradeId : (sequencer.state().lastAppliedId ?? 0) + 1;
    const cutoffUs = (first ? first.trade.timeUs : now() * 1000) - windowUs;
    historyFetch = { queue: items };
    if (beforeId <= 1) {
      endHistory([], beforeId);
      return;
    }
    log.info({ beforeId }, 'fresh start: fetching one window of older trades');
    rest.fetch(1, beforeId, cutoffUs, (range) => endHistory(range?.trades ?? [], beforeId));
  }

  function endHistory(trades: Trade[], beforeId: number): void {
    const queue = historyFetch?.queue ?? [];
    historyFetch = null;
    let previousId: number | null = null;
    for (const trade of trades) {
      if (previousId !== null && trade.tradeId !== previousId + 1) window.markDiscontinuity();
      apply(trade);
      previousId = trade.tradeId;
    }
    if (previousId !== null && previousId !== beforeId - 1) window.markDiscontinuity();
    if (trades.length > 0) log.info({ trades: trades.length, fromId: trades[0]?.tradeId }, 'fresh start: history applied');
    run(queue);
  }

  function startFill(fromId: number, toId: number): void {
    const cutoffUs = (newestSeenUs || now() * 1000) - windowUs;
    log.info({ fromId, toId }, 'filling a trade gap from REST');
    rest.fetch(fromId, toId + 1, cutoffUs, (range) => {
      const trades = range?.trades ?? [];
      const cutOff = range !== null && !range.complete && trades.length > 0 && (trades[0]?.timeUs ?? Infinity) <= cutoffUs;
      const filled = sequencer.fill(trades, now()).items;
      if (cutOff) {
        // Older missing trades cannot enter any window: give them up now rather than after the
        // timeout (a gap is given up once it is old enough; an infinite clock makes it so).
        const skipped = sequencer.expire(Number.POSITIVE_INFINITY).items;
        run(filled.concat(skipped), true);
        return;
      }
      if (range?.complete) metrics.feedGaps.inc({ product, outcome: 'filled' });
      // Ask again only for a gap still open (it may have been given up, or filled live, meanwhile).
      else if (sequencer.state().openGap) scheduleRetry(range);
      run(filled);
    });
    refreshStatus();
  }

  /**
   * The walk ended with ids still missing (the exchange answered empty or failed): ask again only
   * after a backoff, so one gap costs a bounded number of requests until it is filled or given up.
   */
  function scheduleRetry(range: TradeRange | null): void {
    const delayMs = backoffDelay(fillFailures, FEED_BACKOFF);
    fillFailures += 1;
    log.warn({ attempt: fillFailures, retryInMs: delayMs, exhausted: range?.exhausted ?? false }, 'gap not filled yet: asking REST again after a pause');
    retryTimer = setTimeout(() => {
      retryTimer = null;
      run([]);
    }, delayMs);
  }

  function refreshStatus(): void {
    const state: FeedState = unavailable
      ? 'unavailable'
      : connection !== 'live'
        ? connection
        : sequencer.state().openGap || rest.busy || historyFetch
          ? 'backfilling'
          : lostUntilWarm
            ? 'gap-lost'
            : 'live';
    const detail = unavailable ?? (state === 'backfilling' ? backfillDetail() : undefined);
    if (state === status.state && detail === status.detail) return;
    status = { product, state, since: new Date(now()).toISOString(), ...(detail ? { detail } : {}) };
    options.onStatus(status);
  }

  function backfillDetail(): string {
    if (historyFetch) return `${historyFetch.queue.length} trades waiting for the last window of older trades`;
    return `${sequencer.state().held} trades waiting for a gap to be filled`;
  }

  return {
    product,
    /**
     * Rebuilds the window and history from stored trades at start: `load` calls back with each,
     * in ascending trade id, and resolves with how many it read.
     */
    async warmStart(load: (onTrade: (stored: StoredTrade) => void) => Promise<number>): Promise<void> {
      let previousId: number | null = null;
      let skipped = 0;
      const read = await load((stored) => {
        const parsed = parseStoredTrade(stored, stored.timeUs);
        if (!parsed.ok) {
          skipped++;
          return;
        }
        if (previousId !== null && parsed.trade.tradeId !== previousId + 1) window.markDiscontinuity();
        rebuild(parsed.trade);
        previousId = parsed.trade.tradeId;
        newestSeenUs = parsed.trade.timeUs;
      });
      fresh = previousId === null;
      sequencer.start(previousId);
      if (skipped > 0) log.warn({ skipped }, 'stored trades that are not valid trades were skipped');
      if (previousId !== null) log.info({ trades: read, lastTradeId: previousId }, 'window rebuilt from stored trades');
    },
    onTrade(raw: RawTrade): void {
      const parsed = parseTrade(raw);
      if (!parsed.ok) {
        metrics.feedInvalid.inc({ product, source: 'feed' });
        log.warn({ tradeId: raw.tradeId, reason: parsed.reason }, 'invalid trade ignored');
        return;
      }
      newestSeenUs = Math.max(newestSeenUs, parsed.trade.timeUs);
      run(sequencer.offer(parsed.trade, now()).items);
    },
    onHeartbeat(lastTradeId: number): void {
      run(sequencer.heartbeat(lastTradeId, now()).items);
    },
    /** Periodic housekeeping: gives up a gap that could not be filled in time. */
    onTimer(): void {
      run(sequencer.expire(now()).items);
    },
    setConnection(state: FeedState): void {
      connection = state;
      refreshStatus();
    },
    setUnavailable(reason: string): void {
      // The exchange's own error names the cause; a later "not subscribed" adds nothing.
      unavailable ??= reason;
      refreshStatus();
    },
    status: (): FeedStatus => status,
    snapshot: (): PriceTick | null => {
      const state = window.current();
      return state ? toTick(state) : null;
    },
    history: chart,
    close(): void {
      rest.abort();
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
    },
  };
}

export type ProductPipeline = ReturnType<typeof createProductPipeline>;
