import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAutoTrader } from './auto-trader.ts';
import { handleControlRequest } from './control-routes.ts';
import { createFeedHub } from './feed-hub.ts';
import { type ProductMarket, type TradeInput, createProductMarket } from './product-market.ts';
import type { PublishedTrade, RestFailureMode, RestRequestRecord, Simulator, SimulatorOptions, SimulatorState } from './simulator-types.ts';
import { TRADES_PAGE_LIMIT, handleTradesRequest, sendJson } from './trades-route.ts';

export type * from './simulator-types.ts';

/** Event time covered by the pre-generated history (it ends at start). */
export const HISTORY_SPAN_MS = 15 * 60_000;
/** Defaults for `SimulatorOptions`. */
export const SIMULATOR_DEFAULTS = { host: '127.0.0.1', heartbeatIntervalMs: 1000, subscribeTimeoutMs: 5000, history: 2000, maxStoredTrades: 100_000 };
/** REST requests remembered by `restLog()` (the newest; `restRequests` counts them all). */
export const REST_LOG_LIMIT = 1000;
/** Plausible start prices; other products start at 100. */
const START_PRICES: Record<string, string> = { 'BTC-USD': '67000.00', 'ETH-USD': '3500.00', 'SOL-USD': '150.00', 'ETH-BTC': '0.05200' };
const PRODUCT_ID = /^[A-Z0-9]{2,10}-[A-Z0-9]{2,10}$/;

/**
 * Starts a Coinbase Exchange compatible simulator on one HTTP server: the WebSocket feed
 * (`matches`, `heartbeat`, `ticker`) on `/`, the REST trades endpoint, and the `/_control/*`
 * surface. Resolves once it listens. See docs/simulator.md.
 */
export async function createSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const now = options.now ?? Date.now;
  const products = options.products ?? ['BTC-USD'];
  const bad = products.find((p) => !PRODUCT_ID.test(p));
  if (bad !== undefined || products.length === 0) throw new TypeError(`bad product id: ${bad ?? '(none)'}`);
  const seed = (options.seed ?? Math.floor(Math.random() * 2 ** 32)) >>> 0;
  const firstTradeId = options.firstTradeId ?? Math.floor(now());
  if (!Number.isSafeInteger(firstTradeId) || firstTradeId < 1) throw new RangeError(`firstTradeId must be a whole number >= 1 (got ${firstTradeId})`);
  const history = options.history ?? SIMULATOR_DEFAULTS.history;
  if (!Number.isSafeInteger(history) || history < 0) throw new RangeError(`history must be a whole number >= 0 (got ${history})`);
  const markets = new Map<string, ProductMarket>();
  for (const product of products) {
    const startPrice = options.startPrices?.[product] ?? START_PRICES[product] ?? '100.00';
    const market = createProductMarket(product, { seed, startPrice, firstTradeId, maxTrades: options.maxStoredTrades ?? SIMULATOR_DEFAULTS.maxStoredTrades });
    market.backfillHistory(history, now(), HISTORY_SPAN_MS);
    markets.set(product, market);
  }
  const marketOf = (product: string): ProductMarket => {
    const market = markets.get(product);
    if (!market) throw new TypeError(`unknown product ${product}; serving ${products.join(', ')}`);
    return market;
  };

  const hub = createFeedHub({
    markets,
    seed,
    now,
    subscribeTimeoutMs: options.subscribeTimeoutMs ?? SIMULATOR_DEFAULTS.subscribeTimeoutMs,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? SIMULATOR_DEFAULTS.heartbeatIntervalMs,
  });
  const trader = createAutoTrader([...markets.values()], now, (trades) => hub.publish(trades), options.ratePerSecond ?? 0);
  let restFailure: RestFailureMode = options.restFailure ?? null;
  let restRequests = 0;
  let restLog: RestRequestRecord[] = [];
  const pageLimit = Math.min(options.restPageLimit ?? TRADES_PAGE_LIMIT, TRADES_PAGE_LIMIT);
  const hanging = new Set<http.ServerResponse>();
  const control = options.control ?? true;

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://simulator');
    if (control && url.pathname.startsWith('/_control/')) {
      void handleControlRequest(req, res, url.pathname.slice('/_control/'.length), simulator);
      return;
    }
    const handled = handleTradesRequest(req, res, url, {
      markets,
      failure: () => restFailure,
      pageLimit,
      counted: (record) => {
        restRequests += 1;
        restLog.push({ at: now(), ...record });
        if (restLog.length > REST_LOG_LIMIT * 2) restLog = restLog.slice(-REST_LOG_LIMIT);
      },
      hang: (response) => {
        hanging.add(response);
        response.on('close', () => hanging.delete(response));
      },
    });
    if (!handled) sendJson(res, 404, { message: 'NotFound' });
  });
  server.on('upgrade', (req: http.IncomingMessage, socket, head: Buffer) => hub.upgrade(req, socket, head));
  server.on('clientError', (_error, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? SIMULATOR_DEFAULTS.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? SIMULATOR_DEFAULTS.host;
  const authority = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;

  const publishScripted = (product: string, n: number, input: TradeInput, sent: boolean): PublishedTrade[] => {
    const market = marketOf(product);
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`trade count must be a whole number >= 0 (got ${n})`);
    const at = now();
    const trades: PublishedTrade[] = [];
    for (let i = 0; i < n; i += 1) trades.push(market.scripted(input, at, sent));
    hub.publish(trades);
    return trades;
  };

  let closing: Promise<void> | null = null;
  const simulator: Simulator = {
    url: `ws://${authority}`,
    restUrl: `http://${authority}`,
    port,
    seed,
    products,
    trade: (product, input = {}) => publishScripted(product, 1, input, true)[0] as PublishedTrade,
    trades: (product, n, input = {}) => publishScripted(product, n, input, true),
    skipIds: (product, n, input = {}) => publishScripted(product, n, input, false),
    duplicateNext: (product, times = 1) => hub.faults.duplicateNext(marketOf(product).product, times),
    reorderNext: (product) => hub.faults.reorderNext(marketOf(product).product),
    sendRaw: (text) => hub.sendRaw(text),
    dropConnections: (code, reason) => hub.drop(code, reason),
    stall: (on) => void (hub.stalled = on),
    refuseConnections: (mode) => void (hub.refuse = mode),
    restFailures: (mode) => {
      restFailure = mode;
    },
    setRate: (perSecond) => trader.setRate(perSecond),
    pause: () => trader.pause(),
    resume: () => trader.resume(),
    clients: () => hub.subscribed(),
    waitForClients: async (n, timeoutMs = 5000) => {
      const deadline = Date.now() + timeoutMs;
      while (hub.subscribed() < n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} subscribed clients within ${timeoutMs} ms, have ${hub.subscribed()}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    restLog: () => restLog.slice(-REST_LOG_LIMIT),
    latest: (product) => marketOf(product).tape.latest(),
    history: (product) => marketOf(product).tape.all(),
    state: (): SimulatorState => ({
      url: simulator.url,
      restUrl: simulator.restUrl,
      seed,
      rate: trader.rate,
      paused: trader.paused,
      stalled: hub.stalled,
      refuse: hub.refuse,
      restFailure,
      restRequests,
      clients: hub.subscribed(),
      connections: hub.connections(),
      products: Object.fromEntries(
        [...markets].map(([id, m]) => [id, { latest: m.tape.latest() ?? null, nextTradeId: m.tape.nextTradeId, stored: m.tape.all().length }]),
      ),
    }),
    close: () =>
      (closing ??= (async () => {
        trader.close();
        for (const response of hanging) response.destroy();
        await hub.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })()),
  };
  trader.start();
  return simulator;
}
