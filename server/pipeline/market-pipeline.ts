import type { StartContext } from '../lifecycle/lifecycle.ts';
import type { FeedState, FeedStatus, PriceTick } from '../../lib/realtime/events.ts';
import type { Config } from '../config/config.ts';
import { type ConnectionState, createCoinbaseFeed } from '../feed/coinbase-feed.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { MarketView } from '../http/routes/market-routes.ts';
import type { WindowState } from '../stream/types.ts';
import { type ProductPipeline, createProductPipeline } from './product-pipeline.ts';
import type { TradeStore } from './trade-store.ts';
import { createListeners } from '../lifecycle/listeners.ts';

export interface MarketPipelineOptions {
  config: Pick<
    Config,
    'products' | 'windowMs' | 'gapFillTimeoutMs' | 'feedStallTimeoutMs' | 'tradeRetentionMs' | 'coinbaseWsUrl' | 'coinbaseRestUrl' | 'feedSimulated'
  >;
  store: TradeStore;
  metrics: Metrics;
  logger: Logger;
}

const HOUSEKEEPING_MS = 1_000;
const PRUNE_EVERY_MS = 10 * 60_000;

const CONNECTION_TO_FEED: Record<ConnectionState, FeedState> = {
  connecting: 'connecting',
  open: 'live',
  stale: 'stale',
  reconnecting: 'reconnecting',
};

/**
 * The one way in for market data: the Coinbase feed's frames go to each product's pipeline
 * (sequencer → window → outputs). Also rebuilds the windows from stored trades at start, runs
 * the periodic gap expiry, and prunes stored trades past the retention.
 */
export function createMarketPipeline(options: MarketPipelineOptions) {
  const { config, store, metrics, logger } = options;
  const log = logger.child({ module: 'market' });
  const windows = createListeners<[WindowState]>();
  const statusChanges = createListeners<[FeedStatus]>();
  const pipelines = new Map<string, ProductPipeline>(
    config.products.map((product) => [
      product,
      createProductPipeline({
        product,
        windowMs: config.windowMs,
        gapFillTimeoutMs: config.gapFillTimeoutMs,
        restUrl: config.coinbaseRestUrl,
        store,
        metrics,
        logger,
        onWindow: (state) => windows.emit(state),
        onStatus: (status) => statusChanges.emit(status),
      }),
    ]),
  );

  const feed = createCoinbaseFeed({
    url: config.coinbaseWsUrl.href,
    products: config.products,
    stallTimeoutMs: config.feedStallTimeoutMs,
    logger,
    handlers: {
      onTrade: (trade) => {
        const pipeline = pipelines.get(trade.product);
        if (pipeline) pipeline.onTrade(trade);
        else metrics.feedInvalid.inc({ product: 'unknown', source: 'feed' });
      },
      onHeartbeat: (product, lastTradeId) => pipelines.get(product)?.onHeartbeat(lastTradeId),
      onConnectionState: (state, detail) => {
        if (state === 'reconnecting') metrics.feedReconnects.inc();
        if (detail) log.info({ state, detail }, 'feed connection state');
        for (const pipeline of pipelines.values()) pipeline.setConnection(CONNECTION_TO_FEED[state]);
      },
      onProductUnavailable: (product, reason) => {
        log.error({ product, reason }, 'the exchange refused a product; it is unavailable');
        pipelines.get(product)?.setUnavailable(reason);
      },
      onInvalidFrame: (reason) => {
        metrics.feedInvalid.inc({ product: 'unknown', source: 'feed' });
        log.warn({ reason }, 'invalid feed frame ignored');
      },
    },
  });

  const timers: NodeJS.Timeout[] = [];

  async function prune(): Promise<void> {
    try {
      const removed = await store.prune((Date.now() - config.tradeRetentionMs) * 1000);
      if (removed > 0) log.info({ removed }, 'pruned stored trades past retention');
    } catch (error) {
      log.error({ err: error }, 'pruning stored trades failed');
    }
  }

  const view: MarketView = {
    products: config.products,
    windowMs: config.windowMs,
    simulated: config.feedSimulated,
    statuses: () => Object.fromEntries([...pipelines].map(([p, pipeline]) => [p, pipeline.status()])),
    history: (product, sinceUs, maxPoints) => pipelines.get(product)?.history.query(sinceUs, maxPoints) ?? [],
  };

  return {
    view,
    /** Every applied trade's window, in trade order (alerts, then the browsers' ticks). */
    onWindow: windows.add,
    /** A product's feed changed state (connecting, live, stale, reconnecting). */
    onStatus: statusChanges.add,
    /** Rebuilds every window from stored trades (streamed through `reader`), then connects to the feed. */
    async start({ reader }: StartContext): Promise<void> {
      const sinceUs = (Date.now() - config.tradeRetentionMs) * 1000;
      for (const pipeline of pipelines.values()) {
        await pipeline.warmStart((onTrade) => store.eachSince(reader, pipeline.product, sinceUs, onTrade));
      }
      await prune();
      feed.start();
      timers.push(setInterval(() => pipelines.forEach((p) => p.onTimer()), HOUSEKEEPING_MS));
      timers.push(setInterval(() => void prune(), PRUNE_EVERY_MS));
      for (const timer of timers) timer.unref();
    },
    snapshot: (product: string): PriceTick | null => pipelines.get(product)?.snapshot() ?? null,
    statuses: (): FeedStatus[] => [...pipelines.values()].map((p) => p.status()),
    /** Ready when no product is waiting for a connection. */
    ready: (): boolean =>
      [...pipelines.values()].every((p) => !['connecting', 'reconnecting', 'stale'].includes(p.status().state)),
    async close(): Promise<void> {
      for (const timer of timers) clearInterval(timer);
      feed.close();
      for (const pipeline of pipelines.values()) pipeline.close();
      await store.close();
    },
  };
}

export type MarketPipeline = ReturnType<typeof createMarketPipeline>;
