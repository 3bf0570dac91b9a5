import WebSocket from 'ws';
import type { Logger } from '../logger.ts';
import type { RawTrade } from '../stream/types.ts';
import { FEED_BACKOFF, FEED_BACKOFF_RATE_LIMITED, backoffDelay } from '../backoff.ts';
import { parseFeedFrame, productOfSubscribeError } from './coinbase-messages.ts';

/** Connection states as the pipeline sees them (per connection, for all its products). */
export type ConnectionState = 'connecting' | 'open' | 'stale' | 'reconnecting';

export interface FeedHandlers {
  onTrade(trade: RawTrade, last: boolean): void;
  onHeartbeat(product: string, lastTradeId: number): void;
  onConnectionState(state: ConnectionState, detail?: string): void;
  /** The exchange refused a product (unknown or delisted); it stays unsubscribed. */
  onProductUnavailable(product: string, reason: string): void;
  /** A frame that was malformed, of an unknown type or missing fields; it was ignored. */
  onInvalidFrame(reason: string): void;
}

export interface FeedOptions {
  url: string;
  products: readonly string[];
  /** No frame for this long: the socket is replaced. */
  stallTimeoutMs: number;
  logger: Logger;
  handlers: FeedHandlers;
  random?: () => number;
}

/**
 * The Coinbase Exchange WebSocket client: subscribes to `matches` + `heartbeat` for every
 * product as soon as the socket opens (the exchange closes sockets that do not subscribe within
 * 5 s), reports every frame to the handlers, replaces a socket that goes silent (heartbeats come
 * every second per product, so silence means a dead connection), and reconnects with capped
 * exponential backoff and jitter, slowing down further after an HTTP 429 on the handshake.
 * Nothing a frame contains can throw out of here.
 */
export function createCoinbaseFeed(options: FeedOptions) {
  const { handlers, logger } = options;
  const log = logger.child({ module: 'feed' });
  const random = options.random ?? Math.random;
  let socket: WebSocket | null = null;
  let attempt = 0;
  let closed = false;
  let rateLimited = false;
  let stallTimer: NodeJS.Timeout | null = null;
  let staleTimer: NodeJS.Timeout | null = null;
  let retryTimer: NodeJS.Timeout | null = null;
  let reported: ConnectionState | null = null;

  function report(state: ConnectionState, detail?: string): void {
    reported = state;
    handlers.onConnectionState(state, detail);
  }

  /** Data flows on the subscribed socket, whatever was said before (stale, reconnecting). */
  function dataFlows(): void {
    attempt = 0;
    rateLimited = false;
    if (reported !== 'open') report('open');
  }

  function connect(): void {
    if (closed) return;
    if (attempt === 0) report('connecting');
    const ws = new WebSocket(options.url, { handshakeTimeout: 10_000, perMessageDeflate: false });
    socket = ws;
    ws.on('unexpected-response', (_req, res) => {
      rateLimited = res.statusCode === 429;
      log.warn({ status: res.statusCode }, 'feed handshake refused');
      ws.terminate();
    });
    ws.on('open', () => {
      log.info({ url: options.url, products: options.products }, 'feed connected');
      ws.send(JSON.stringify({ type: 'subscribe', product_ids: options.products, channels: ['matches', 'heartbeat'] }));
      armStallTimer(ws);
    });
    ws.on('message', (data, isBinary) => {
      if (ws !== socket) return;
      armStallTimer(ws);
      try {
        handleFrame(isBinary ? '' : frameText(data));
      } catch (error) {
        // A bug downstream must cost one frame, never the process or the connection.
        log.error({ err: error }, 'handling a feed frame failed');
      }
    });
    ws.on('error', (error) => log.warn({ err: error.message }, 'feed socket error'));
    ws.on('close', (code, reason) => {
      if (ws !== socket) return;
      socket = null;
      clearTimers();
      if (closed) return;
      log.warn({ code, reason: reason.toString() }, 'feed disconnected');
      scheduleReconnect();
    });
  }

  function handleFrame(text: string): void {
    const frame = parseFeedFrame(text);
    switch (frame.kind) {
      case 'trade':
        dataFlows();
        handlers.onTrade(frame.trade, frame.last);
        return;
      case 'heartbeat':
        dataFlows();
        handlers.onHeartbeat(frame.product, frame.lastTradeId);
        return;
      case 'subscriptions': {
        report('open');
        const subscribed = new Set(frame.products.matches ?? []);
        for (const product of options.products) {
          if (!subscribed.has(product)) handlers.onProductUnavailable(product, 'not subscribed by the exchange');
        }
        return;
      }
      case 'error': {
        const product = productOfSubscribeError(frame.reason);
        if (product) handlers.onProductUnavailable(product, frame.reason ?? frame.message);
        else log.error({ message: frame.message, reason: frame.reason }, 'feed error message');
        return;
      }
      case 'ignored':
        return;
      case 'invalid':
        handlers.onInvalidFrame(frame.reason);
        return;
    }
  }

  function armStallTimer(ws: WebSocket): void {
    clearTimers();
    // Half the stall timeout without a frame: the data is old; say so before giving up on it.
    staleTimer = setTimeout(() => report('stale', 'no data from the feed'), options.stallTimeoutMs / 2);
    stallTimer = setTimeout(() => {
      log.warn({ stallTimeoutMs: options.stallTimeoutMs }, 'feed silent: replacing the connection');
      ws.terminate();
    }, options.stallTimeoutMs);
  }

  function scheduleReconnect(): void {
    const delay = backoffDelay(attempt, rateLimited ? FEED_BACKOFF_RATE_LIMITED : FEED_BACKOFF, random);
    attempt += 1;
    report('reconnecting', rateLimited ? 'rate limited by the exchange' : undefined);
    log.info({ delayMs: delay, attempt }, 'feed reconnect scheduled');
    retryTimer = setTimeout(connect, delay);
  }

  function clearTimers(): void {
    if (stallTimer) clearTimeout(stallTimer);
    if (staleTimer) clearTimeout(staleTimer);
    stallTimer = staleTimer = null;
  }

  return {
    start: connect,
    /** Number of reconnects so far (for metrics). */
    get attempts(): number {
      return attempt;
    },
    close(): void {
      closed = true;
      clearTimers();
      if (retryTimer) clearTimeout(retryTimer);
      socket?.terminate();
      socket = null;
    },
  };
}

export type CoinbaseFeed = ReturnType<typeof createCoinbaseFeed>;

/** The text of a frame; `ws` hands text frames over as one Buffer unless told otherwise. */
function frameText(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
}
