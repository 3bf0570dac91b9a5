import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import WebSocket, { WebSocketServer } from 'ws';
import { ROOT_DIR } from './test-app.ts';

/** One recorded trade (tests/fixtures/coinbase-recorded/README.md): the source's strings, unchanged. */
export interface RecordedTrade {
  product_id: string;
  trade_id: number;
  price: string;
  size: string;
  time: string;
  side: string;
}

/** Reads a recorded JSON Lines file from tests/fixtures/coinbase-recorded/. */
export function loadRecorded(file: string): RecordedTrade[] {
  const text = fs.readFileSync(path.join(ROOT_DIR, 'tests/fixtures/coinbase-recorded', file), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as RecordedTrade);
}

/** A `match` or `last_match` frame carrying exactly the recorded fields. */
export function recordedFrame(trade: RecordedTrade, type: 'match' | 'last_match' = 'match'): string {
  return JSON.stringify({ type, trade_id: trade.trade_id, time: trade.time, product_id: trade.product_id, size: trade.size, price: trade.price, side: trade.side });
}

export interface RecordedExchangeOptions {
  products: readonly string[];
  /** Trades REST serves, per product in ascending id; none: every page is empty. */
  rest?: readonly RecordedTrade[];
  /** Most trades per page, whatever `limit` asks (the recorded pages held 100). */
  pageLimit?: number;
  /** Frames sent once to each socket right after its subscription is acknowledged (a `last_match`). */
  onSubscribe?: readonly string[];
  /** Highest trade id per product the exchange has at start (heartbeats report it). */
  latestIds?: Record<string, number>;
  heartbeatIntervalMs?: number;
}

export interface RestRequest {
  at: number;
  product: string;
  after: string | null;
  before: string | null;
  limit: string | null;
  trades: number;
}

/**
 * A loopback stand-in for the Coinbase Exchange that serves recorded trades exactly: the REST
 * trades endpoint pages through `rest` (newest first, `after` / `before` cursors as the exchange
 * has them, `CB-BEFORE` / `CB-AFTER` headers), and the WebSocket sends what the test plays: the
 * recorded `match` frames, one heartbeat a second per product with the highest id published so
 * far, and a `subscriptions` reply to a subscribe. Binds 127.0.0.1 only.
 */
export async function startRecordedExchange(options: RecordedExchangeOptions) {
  const pageLimit = options.pageLimit ?? 1000;
  const byProduct = new Map<string, RecordedTrade[]>(options.products.map((p) => [p, []]));
  for (const trade of options.rest ?? []) byProduct.get(trade.product_id)?.push(trade);
  const latest = new Map<string, number>(Object.entries(options.latestIds ?? {}));
  const restLog: RestRequest[] = [];
  const sockets = new Set<WebSocket>();
  let sequence = 1;

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://exchange');
    const match = /^\/products\/([^/]+)\/trades$/.exec(url.pathname);
    const trades = match?.[1] ? byProduct.get(match[1]) : undefined;
    if (req.method !== 'GET' || !trades) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'NotFound' }));
      return;
    }
    const number = (name: string): number | undefined => (url.searchParams.has(name) ? Number(url.searchParams.get(name)) : undefined);
    const after = number('after');
    const before = number('before');
    const limit = Math.min(number('limit') ?? 1000, pageLimit);
    // Only what the exchange has made so far: nothing newer than the newest trade published.
    const newest = latest.get(match?.[1] ?? '') ?? 0;
    let page = trades.filter((t) => t.trade_id <= newest && (after === undefined || t.trade_id < after) && (before === undefined || t.trade_id > before));
    // `before` alone: the page just above the cursor; otherwise the newest ones below `after`.
    page = before !== undefined && after === undefined ? page.slice(0, limit) : page.slice(-limit);
    page.reverse();
    restLog.push({ at: Date.now(), product: match?.[1] ?? '', after: url.searchParams.get('after'), before: url.searchParams.get('before'), limit: url.searchParams.get('limit'), trades: page.length });
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (page.length > 0) {
      headers['cb-before'] = String(page[0]?.trade_id);
      headers['cb-after'] = String(page.at(-1)?.trade_id);
    }
    res.writeHead(200, headers).end(JSON.stringify(page.map((t) => ({ time: t.time, trade_id: t.trade_id, price: t.price, size: t.size, side: t.side }))));
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.on('message', (data: Buffer) => {
      let request: { type?: unknown; product_ids?: unknown };
      try {
        request = JSON.parse(data.toString()) as typeof request;
      } catch {
        return;
      }
      if (request.type !== 'subscribe') return;
      const asked = Array.isArray(request.product_ids) ? request.product_ids.filter((p): p is string => typeof p === 'string') : [];
      const known = asked.filter((p) => byProduct.has(p));
      for (const p of asked.filter((p) => !byProduct.has(p))) {
        socket.send(JSON.stringify({ type: 'error', message: 'Failed to subscribe', reason: `${p} is not a valid product` }));
      }
      const channels = ['matches', 'heartbeat'].map((name) => ({ name, product_ids: known, account_ids: null }));
      socket.send(JSON.stringify({ type: 'subscriptions', channels }));
      for (const frame of options.onSubscribe ?? []) socket.send(frame);
    });
  });
  const beat = setInterval(() => {
    const time = new Date().toISOString().replace('Z', '000Z');
    for (const [product, lastTradeId] of latest) {
      const frame = JSON.stringify({ type: 'heartbeat', last_trade_id: lastTradeId, product_id: product, sequence: sequence++, time });
      for (const socket of sockets) if (socket.readyState === WebSocket.OPEN) socket.send(frame);
    }
  }, options.heartbeatIntervalMs ?? 1000);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `ws://127.0.0.1:${port}`,
    restUrl: `http://127.0.0.1:${port}`,
    restLog,
    /** Subscribed-or-not sockets currently open. */
    clients: (): number => sockets.size,
    /**
     * The exchange makes `trade`: heartbeats report it from now on; its frame goes to every
     * socket unless `send` is false (a frame the channel dropped; REST still has it).
     */
    publish(trade: RecordedTrade, send = true): void {
      latest.set(trade.product_id, Math.max(latest.get(trade.product_id) ?? 0, trade.trade_id));
      if (!send) return;
      const frame = recordedFrame(trade);
      for (const socket of sockets) if (socket.readyState === WebSocket.OPEN) socket.send(frame);
    },
    async close(): Promise<void> {
      clearInterval(beat);
      for (const socket of sockets) socket.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type RecordedExchange = Awaited<ReturnType<typeof startRecordedExchange>>;
