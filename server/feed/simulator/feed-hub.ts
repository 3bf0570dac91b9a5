import type http from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { type FeedClient, createFeedClient } from './feed-client.ts';
import { heartbeatFrame, matchFrame, tickerFrame } from './feed-frames.ts';
import { createFrameFaults } from './frame-faults.ts';
import type { ProductMarket } from './product-market.ts';
import { createSeededRandom } from '../../../lib/seeded-random.ts';
import type { RefuseMode } from './simulator-types.ts';
import { formatMicros, priceDecimals, unitsToDecimal } from './trade-fields.ts';
import type { PublishedTrade } from './trade-tape.ts';

/** Largest frame a client may send; subscribe requests are tiny. */
const MAX_CLIENT_FRAME_BYTES = 64 * 1024;
/** A clean close that has not finished by then is cut. */
const CLOSE_GRACE_MS = 2000;

export interface FeedHubOptions {
  markets: ReadonlyMap<string, ProductMarket>;
  seed: number;
  subscribeTimeoutMs: number;
  heartbeatIntervalMs: number;
  now: () => number;
}

function rejectHandshake(socket: Duplex, status: number, text: string): void {
  const body = JSON.stringify({ message: text });
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * The WebSocket side of the simulator: accepts upgrades on `/`, keeps the connected clients,
 * fans published trades out as `match`/`ticker` frames (through the duplicate/reorder faults),
 * and sends per-product heartbeats aligned to whole seconds. Also owns the connection-level
 * faults: stall, refused handshakes, dropped sockets and raw frames.
 */
export function createFeedHub(options: FeedHubOptions) {
  const { markets, now } = options;
  const wss = new WebSocketServer({ noServer: true, autoPong: false, maxPayload: MAX_CLIENT_FRAME_BYTES, perMessageDeflate: { threshold: 1024 } });
  const clients = new Set<FeedClient>();
  const faults = createFrameFaults();
  const rng = createSeededRandom(options.seed ^ 0x5eed);
  let stalled = false;
  let refuse: RefuseMode = null;

  const tick = (market: ProductMarket): string => unitsToDecimal(1, priceDecimals(market.product), false);

  const broadcast = (trade: PublishedTrade): void => {
    const market = markets.get(trade.product);
    let match: string | null = null;
    let ticker: string | null = null;
    for (const client of clients) {
      if (client.has('matches', trade.product)) client.send((match ??= matchFrame(trade, 'match')));
      const stats = market?.tape.stats();
      if (market && stats && client.has('ticker', trade.product)) client.send((ticker ??= tickerFrame(trade, stats, tick(market))));
    }
  };

  const snapshot = (channel: string, product: string): string | null => {
    const market = markets.get(product);
    const latest = market?.tape.latest();
    const stats = market?.tape.stats();
    if (!market || !latest) return null;
    if (channel === 'matches') return matchFrame(latest, 'last_match');
    if (channel === 'ticker' && stats) return tickerFrame(latest, stats, tick(market));
    return null;
  };

  const beat = (): void => {
    const ms = now();
    // Real heartbeats carry a whole-second time; faster test heartbeats keep milliseconds.
    const time = formatMicros((options.heartbeatIntervalMs >= 1000 ? Math.floor(ms / 1000) * 1000 : ms) * 1000, false);
    for (const market of markets.values()) {
      for (const held of faults.flush(market.product)) broadcast(held);
      // The order book keeps moving between trades, so the sequence does too.
      const sequence = market.tape.advanceSequence(rng.int(5, 200));
      const lastId = market.tape.latest()?.tradeId ?? 0;
      let frame: string | null = null;
      for (const client of clients) {
        if (client.has('heartbeat', market.product)) client.send((frame ??= heartbeatFrame(market.product, sequence, lastId, time)));
      }
    }
  };
  let heartbeatTimer: NodeJS.Timeout | null = null;
  const alignMs = options.heartbeatIntervalMs >= 1000 ? 1000 - (now() % 1000) : options.heartbeatIntervalMs;
  const alignTimer = setTimeout(() => {
    beat();
    heartbeatTimer = setInterval(beat, options.heartbeatIntervalMs);
  }, alignMs);

  const closeAll = (code?: number, reason?: string): Promise<void> => {
    const done = [...clients].map(
      ({ socket }) =>
        new Promise<void>((resolve) => {
          if (socket.readyState === WebSocket.CLOSED) return resolve();
          socket.once('close', () => resolve());
          if (code === undefined) return socket.terminate();
          socket.close(code, reason);
          setTimeout(() => socket.terminate(), CLOSE_GRACE_MS).unref();
        }),
    );
    return Promise.all(done).then(() => undefined);
  };

  return {
    faults,
    /** Sends the frames of newly published trades (unsent `skipIds` trades are left out). */
    publish(trades: readonly PublishedTrade[]): void {
      for (const trade of trades) if (trade.sent) for (const shaped of faults.shape(trade)) broadcast(shaped);
    },
    /** Handles an HTTP upgrade request for the feed. */
    upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
      socket.on('error', () => undefined);
      if (refuse === 'refuse') return void socket.destroy();
      if (refuse === 429) return rejectHandshake(socket, 429, 'Too Many Requests');
      if (new URL(req.url ?? '/', 'http://simulator').pathname !== '/') return rejectHandshake(socket, 404, 'Not Found');
      wss.handleUpgrade(req, socket, head, (ws) => {
        const client = createFeedClient(ws, {
          products: new Set(markets.keys()),
          subscribeTimeoutMs: options.subscribeTimeoutMs,
          stalled: () => stalled,
          snapshot,
        });
        clients.add(client);
        ws.on('close', () => clients.delete(client));
      });
    },
    sendRaw(text: string): number {
      let sent = 0;
      for (const client of clients) {
        if (stalled || client.socket.readyState !== WebSocket.OPEN) continue;
        client.send(text);
        sent += 1;
      }
      return sent;
    },
    drop: closeAll,
    get stalled(): boolean {
      return stalled;
    },
    set stalled(on: boolean) {
      stalled = on;
    },
    get refuse(): RefuseMode {
      return refuse;
    },
    set refuse(mode: RefuseMode) {
      refuse = mode;
    },
    subscribed: (): number => [...clients].filter((c) => c.subscribed()).length,
    connections: (): number => clients.size,
    async close(): Promise<void> {
      clearTimeout(alignTimer);
      if (heartbeatTimer) clearInterval(heartbeatTimer);
      await closeAll();
      wss.close();
    },
  };
}

/** The feed side of a simulator. */
export type FeedHub = ReturnType<typeof createFeedHub>;
