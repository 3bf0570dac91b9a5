import { isDeepStrictEqual } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { PriceTick } from '../../lib/realtime/events.ts';
import { HttpClient, uniqueEmail } from '../support/http-client.ts';
import { readMetric } from '../support/metrics.ts';
import { type RecordedTrade, loadRecorded, recordedFrame, startRecordedExchange } from '../support/recorded-exchange.ts';
import { connectRecording } from '../support/socket-client.ts';
import { type TestApp, startTestApp } from '../support/test-app.ts';
import { waitFor } from '../support/wait-for.ts';
import { micros, oracleWindow } from '../support/window-oracle.ts';

/**
 * Real Coinbase trades (tests/fixtures/coinbase-recorded/) through the real server: a loopback
 * exchange serves the recorded REST pages and sends the recorded `matches` frames, strings
 * unchanged, and every tick the server emits is compared, field by field, with an exact
 * recomputation of the window as of that tick's trade. The recorded times are years old: the
 * server's windows follow event time, so the old timestamps are replayed as they are.
 */

interface Scenario {
  name: string;
  products: string[];
  window: string;
  /** Every trade that exists (the oracle's input), per product in ascending id. */
  trades: RecordedTrade[];
  /** What REST serves (up to the newest trade published); none: empty pages. */
  rest?: RecordedTrade[];
  /** Most trades per REST page. */
  pageLimit?: number;
  /** The exchange's newest trade at start, sent as `last_match` right after subscribing. */
  lastMatch?: RecordedTrade;
  /** Played after subscribing, in this order. */
  live: RecordedTrade[];
  /** Ids played but never sent on the socket (the matches channel dropped them). */
  dropped?: ReadonlySet<number>;
  /** Event time is replayed this many times faster than recorded (pauses capped at 250 ms). */
  speed: number;
  /** Whether the window is warm as of `trade` (coverage from REST history or from the first trade seen). */
  warm(trade: RecordedTrade, first: RecordedTrade): boolean;
  /** Most REST trades requests expected in all. */
  maxRestRequests: number;
}

const windowUs = (window: string): bigint => BigInt(Number(window.slice(0, -1)) * (window.endsWith('m') ? 60 : 1)) * 1_000_000n;

const rest2016 = loadRecorded('coinbase-pro-node_rest_BTC-USD_2016-05-12.first-800.jsonl');
const matches2022 = loadRecorded('felipeblassioli-vwap_ws_matches_BTC-USD_2022-09-12.jsonl');
const matches2025 = loadRecorded('AlphaPulse_ws_matches_2025-08-22.jsonl');
const sortedById = (trades: RecordedTrade[]) => [...trades].sort((a, b) => a.trade_id - b.trade_id);
const warmAfterWindow = (window: string) => (trade: RecordedTrade, first: RecordedTrade) =>
  micros(trade.time) - micros(first.time) >= windowUs(window);

const SCENARIOS: Scenario[] = [
  {
    name: 'BTC-USD 2016 from REST pages of 100: one window backfilled at start, a dropped run of frames filled from REST',
    products: ['BTC-USD'],
    window: '5m',
    trades: rest2016,
    rest: rest2016,
    pageLimit: 100,
    lastMatch: rest2016[499],
    live: rest2016.slice(500),
    // Five frames after the misordered-as-strings pair 8408639/8408640 (…14.015Z, …14.015192Z).
    dropped: new Set([8408700, 8408701, 8408702, 8408703, 8408704]),
    speed: 150,
    // Five minutes of REST history before the first live trade: warm from the start.
    warm: () => true,
    // Two or three pages for the window before the last_match, one or two for the dropped run.
    maxRestRequests: 6,
  },
  {
    name: 'BTC-USD 2022 matches starting with last_match, on an exchange with nothing older on REST',
    products: ['BTC-USD'],
    window: '10s',
    trades: matches2022,
    lastMatch: matches2022[0],
    live: matches2022.slice(1),
    speed: 5,
    warm: warmAfterWindow('10s'),
    maxRestRequests: 1,
  },
  {
    name: 'BTC-USD, ETH-USD and LTC-USD 2025 matches interleaved, on an exchange with nothing older on REST',
    products: ['BTC-USD', 'ETH-USD', 'LTC-USD'],
    window: '10s',
    trades: sortedById(matches2025),
    live: matches2025,
    speed: 5,
    warm: warmAfterWindow('10s'),
    maxRestRequests: 3,
  },
];

const running: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const item of running.splice(0).reverse()) await item.close();
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(SCENARIOS)('recorded Coinbase trades through the real server: $name', (scenario) => {
  it('emits ticks that each equal the exact window as of their trade, and ends on the last trade', async () => {
    const byId = new Map<string, Map<number, RecordedTrade>>(scenario.products.map((p) => [p, new Map()]));
    for (const trade of scenario.trades) byId.get(trade.product_id)?.set(trade.trade_id, trade);
    const oracleTrades = new Map(scenario.products.map((p) => [p, [...(byId.get(p)?.values() ?? [])].map((t) => ({ ...t, tradeId: t.trade_id }))]));
    const firstSeen = new Map<string, RecordedTrade>();
    for (const trade of [...(scenario.lastMatch ? [scenario.lastMatch] : []), ...scenario.live]) {
      if (!firstSeen.has(trade.product_id)) firstSeen.set(trade.product_id, trade);
    }
    const expectedTick = (product: string, tradeId: number): PriceTick | string => {
      const at = byId.get(product)?.get(tradeId);
      const first = firstSeen.get(product);
      if (!at || !first) return `no recorded ${product} trade ${tradeId}`;
      const { count, mean, vwap } = oracleWindow(oracleTrades.get(product) ?? [], { ...at, tradeId: at.trade_id }, Number(windowUs(scenario.window) / 1000n));
      return { product, tradeId, time: at.time, last: at.price, mean, vwap, count, warm: scenario.warm(at, first) };
    };

    const exchange = await startRecordedExchange({
      products: scenario.products,
      rest: scenario.rest,
      pageLimit: scenario.pageLimit,
      onSubscribe: scenario.lastMatch ? [recordedFrame(scenario.lastMatch, 'last_match')] : [],
      latestIds: scenario.lastMatch ? { [scenario.lastMatch.product_id]: scenario.lastMatch.trade_id } : {},
    });
    running.push(exchange);
    const t: TestApp = await startTestApp({
      COINBASE_WS_URL: exchange.url,
      COINBASE_REST_URL: exchange.restUrl,
      PRODUCTS: scenario.products.join(','),
      WINDOW: scenario.window,
      GAP_FILL_TIMEOUT: '10s',
      RATE_LIMIT_AUTH_IP: '1000/1m',
    });
    running.push(t);
    const http = new HttpClient(t.baseUrl);
    await http.signUp(uniqueEmail('replay'));
    const watcher = await connectRecording(t.baseUrl, http.cookieHeader);
    running.push({ close: () => Promise.resolve(void watcher.socket.disconnect()) });
    if (scenario.lastMatch) {
      const { product_id: product, trade_id: id } = scenario.lastMatch;
      await waitFor(() => t.app.market.snapshot(product)?.tradeId === id, 10_000, 'the last_match applied');
    }
    const ack = await watcher.subscribe(scenario.products);
    if (!ack.ok) throw new Error(`subscribe refused: ${ack.error.message}`);

    // Each tick compared once, whether it came to the socket or was read off the server.
    const compared = new Map<string, { tick: PriceTick; expected: PriceTick | string }>();
    const compare = (tick: PriceTick | null | undefined): void => {
      if (!tick) return;
      const key = `${tick.product}#${tick.tradeId}`;
      if (!compared.has(key)) compared.set(key, { tick, expected: expectedTick(tick.product, tick.tradeId) });
    };
    Object.values(ack.snapshots).forEach(compare);

    let previous: RecordedTrade | undefined;
    for (const trade of scenario.live) {
      const pauseUs = previous ? micros(trade.time) - micros(previous.time) : 0n;
      if (pauseUs > 0n) await sleep(Math.min(250, Number(pauseUs) / 1000 / scenario.speed));
      exchange.publish(trade, !scenario.dropped?.has(trade.trade_id));
      previous = trade;
      for (const product of scenario.products) compare(t.app.market.snapshot(product));
    }
    for (const product of scenario.products) {
      const last = scenario.live.findLast((trade) => trade.product_id === product);
      const tick = await waitFor(() => watcher.lastTick(product)?.tradeId === last?.trade_id && watcher.lastTick(product), 15_000, `the tick of the last ${product} trade`);
      expect(tick, `the final ${product} tick`).toEqual(expectedTick(product, last?.trade_id ?? 0));
    }
    const socketTicks = watcher.ticks.length;
    watcher.ticks.forEach(compare);

    const mismatches = [...compared.values()].filter(({ tick, expected }) => !isDeepStrictEqual(tick, expected));
    expect(mismatches.slice(0, 3), `${mismatches.length} of ${compared.size} ticks differ`).toEqual([]);
    // Coalesced to a few per second and socket, yet a tick per product at least every second of the replay.
    expect(socketTicks).toBeGreaterThanOrEqual(scenario.products.length * 3);
    // Read off the server after each frame too: a hundred windows and more compared per replay.
    expect(compared.size).toBeGreaterThanOrEqual(100);
    expect(watcher.statuses.filter((s) => s.state === 'gap-lost')).toEqual([]);
    for (const product of scenario.products) {
      expect(await readMetric(t.baseUrl, `tickwatch_feed_gaps_total{product="${product}",outcome="lost"}`)).toBe(0);
    }
    if (scenario.dropped) expect(await readMetric(t.baseUrl, 'tickwatch_feed_gaps_total{product="BTC-USD",outcome="filled"}')).toBeGreaterThanOrEqual(1);
    expect(exchange.restLog.length, JSON.stringify(exchange.restLog.slice(0, 8))).toBeLessThanOrEqual(scenario.maxRestRequests);

    // Every applied trade is stored with its recorded strings, although its time is years older
    // than TRADE_RETENTION (24 h by the wall clock): the next prune, or a restart, drops them.
    await t.app.store.flush();
    for (const product of scenario.products) {
      const stored = await t.app.db.trade.findMany({ where: { product }, orderBy: { tradeId: 'asc' } });
      const live = scenario.live.filter((trade) => trade.product_id === product);
      expect(stored.length).toBeGreaterThanOrEqual(live.length);
      const sample = stored.at(-1);
      const recorded = byId.get(product)?.get(Number(sample?.tradeId));
      expect(sample && { time: sample.time, price: sample.price, size: sample.size, side: sample.side }).toEqual(
        recorded && { time: recorded.time, price: recorded.price, size: recorded.size, side: recorded.side },
      );
    }
  }, 60_000);
});
