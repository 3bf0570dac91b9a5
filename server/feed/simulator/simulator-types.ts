import type { TradeInput } from './product-market.ts';
import type { RestFailureMode, RestRequestRecord } from './trades-route.ts';
import type { PublishedTrade } from './trade-tape.ts';

export type { PublishedTrade, RestFailureMode, RestRequestRecord, TradeInput };

/** How WebSocket handshakes are refused: null = accepted, 'refuse' = TCP closed at once, 429 = HTTP 429. */
export type RefuseMode = null | 'refuse' | 429;

export interface SimulatorOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind; default 127.0.0.1 (the control surface has no auth). */
  host?: string;
  /** Product ids served; default ['BTC-USD']. Anything else is "not a valid product". */
  products?: string[];
  /** Seed of every random choice; default: random (see `Simulator.seed`). */
  seed?: number;
  /** Average automatic trades per second per product; 0 (default) = only scripted trades. */
  ratePerSecond?: number;
  /** Decimal start price per product; defaults to a plausible price for well-known products. */
  startPrices?: Record<string, string>;
  /** Heartbeat period per product in ms; default 1000. */
  heartbeatIntervalMs?: number;
  /** A socket that has not subscribed within this many ms is closed; default 5000. */
  subscribeTimeoutMs?: number;
  /**
   * Trades generated per product before start, over the ~15 minutes before now; default 2000.
   * 0: the exchange has no trades yet; the first trade published is the first that exists.
   */
  history?: number;
  /**
   * Id of the first trade of each product (a whole number >= 1; 1 for a new listing); default
   * now() in ms, so ids keep rising across runs.
   */
  firstTradeId?: number;
  /** How the REST endpoint answers from the start (see `restFailures`); default null: normally. */
  restFailure?: RestFailureMode;
  /** Trades kept in memory per product (older ones leave REST); default 100,000. */
  maxStoredTrades?: number;
  /** Serve `/_control/*`; default true. */
  control?: boolean;
  /** Clock in ms since the epoch, for trade and heartbeat times; default Date.now. */
  now?: () => number;
  /** Most trades one REST page returns, whatever `limit` asks (the exchange's cap is 1000). */
  restPageLimit?: number;
}

/** A snapshot of the simulator's knobs and counters (`GET /_control/state`). */
export interface SimulatorState {
  url: string;
  restUrl: string;
  seed: number;
  rate: number;
  paused: boolean;
  stalled: boolean;
  refuse: RefuseMode;
  restFailure: RestFailureMode;
  /** REST trades requests so far (failures, empty pages and hanging ones included). */
  restRequests: number;
  /** Sockets subscribed to at least one channel. */
  clients: number;
  /** All open feed sockets. */
  connections: number;
  products: Record<string, { latest: PublishedTrade | null; nextTradeId: number; stored: number }>;
}

/**
 * A running Coinbase Exchange look-alike: the WebSocket feed on `url`, the REST trades
 * endpoint on `restUrl`, and knobs for tests. Methods that publish return synchronously once
 * the frames are handed to the sockets; methods that close sockets return promises.
 */
export interface Simulator {
  /** `ws://host:port` */
  readonly url: string;
  /** `http://host:port` */
  readonly restUrl: string;
  readonly port: number;
  readonly seed: number;
  readonly products: readonly string[];
  /** Publishes one trade now (id = next id); given fields are sent verbatim. Throws on bad input. */
  trade(product: string, input?: TradeInput): PublishedTrade;
  /** Publishes `n` trades at once (a burst); `input` fields apply to each. */
  trades(product: string, n: number, input?: TradeInput): PublishedTrade[];
  /** Generates `n` trades now that go to REST and heartbeats but never to the WebSocket. */
  skipIds(product: string, n: number, input?: TradeInput): PublishedTrade[];
  /** The next `times` trades of `product` are sent twice. */
  duplicateNext(product: string, times?: number): void;
  /** The next trade of `product` is sent after the one that follows it. */
  reorderNext(product: string): void;
  /** Writes `text` as one frame to every open feed socket; returns how many got it. */
  sendRaw(text: string): number;
  /** No code: every feed socket is terminated (the client sees 1006). With a code: a clean close. */
  dropConnections(code?: number, reason?: string): Promise<void>;
  /** While on, nothing is written to any feed socket and pings go unanswered. */
  stall(on: boolean): void;
  refuseConnections(mode: RefuseMode): void;
  /** Makes the REST trades endpoint fail (500, 429), hang, or answer `[]` ('empty'); null: normal. */
  restFailures(mode: RestFailureMode): void;
  /** The newest REST trades requests (up to 1000), oldest first, with their answers. */
  restLog(): readonly RestRequestRecord[];
  setRate(perSecond: number): void;
  pause(): void;
  resume(): void;
  /** Feed sockets subscribed to at least one channel. */
  clients(): number;
  /** Resolves once at least `n` clients are subscribed; rejects after `timeoutMs` (default 5000). */
  waitForClients(n: number, timeoutMs?: number): Promise<void>;
  latest(product: string): PublishedTrade | undefined;
  /** The trades kept for `product`, oldest first (sent or not). */
  history(product: string): readonly PublishedTrade[];
  state(): SimulatorState;
  /** Stops trading, closes every socket and the server. */
  close(): Promise<void>;
}
