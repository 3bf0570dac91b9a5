import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../lib/realtime/events.ts';
import { type Simulator, createSimulator } from '../../server/feed/simulator/create-simulator.ts';
import { expectExactTick } from '../support/exact-tick.ts';
import { HttpClient, uniqueEmail } from '../support/http-client.ts';
import { readMetric } from '../support/metrics.ts';
import { type RecordingSocket, connectRecording } from '../support/socket-client.ts';
import { type TestApp, startTestApp } from '../support/test-app.ts';
import { waitFor } from '../support/wait-for.ts';

/**
 * Feed faults against the real server and the simulator: after each one the newest tick must
 * equal an independent recomputation over every trade the exchange made (nothing lost, nothing
 * twice), and an alert crossed during the fault fires exactly once.
 */
const WINDOW_MS = 60_000;
const PRODUCT = 'BTC-USD';
const BASE = '50000.00';

let sim: Simulator;
let t: TestApp;
let user: HttpClient;
let watcher: RecordingSocket;

const latestExact = (): ReturnType<typeof expectExactTick> => expectExactTick(sim, watcher, PRODUCT, WINDOW_MS, 20_000);
const metric = (sample: string): Promise<number> => readMetric(t.baseUrl, sample);

/** An alert on the last price far above the market, so only a scripted spike crosses it. */
function spikeAlert(threshold: string): Promise<Alert> {
  return user.createAlert({ product: PRODUCT, basis: 'last', direction: 'above', threshold });
}

/** The alert fired exactly once: one notification row, one hit on the live socket, and it stays so. */
async function expectFiredOnce(alert: Alert, tradeId: number): Promise<void> {
  await waitFor(async () => (await t.app.db.notification.count({ where: { alertId: alert.id } })) > 0, 10_000, 'the notification');
  await waitFor(() => watcher.hits.some((h) => h.alertId === alert.id), 5_000, 'the alert hit');
  sim.trade(PRODUCT, { price: '99999.00' });
  await latestExact();
  await t.app.evaluator.settle();
  const rows = await t.app.db.notification.findMany({ where: { alertId: alert.id } });
  expect(rows.map((r) => Number(r.tradeId))).toEqual([tradeId]);
  expect(watcher.hits.filter((h) => h.alertId === alert.id)).toHaveLength(1);
  sim.trade(PRODUCT, { price: BASE });
}

beforeAll(async () => {
  sim = await createSimulator({
    seed: 11,
    history: 900,
    ratePerSecond: 0,
    heartbeatIntervalMs: 200,
    // Pages of 100 make a 500-trade gap take five REST requests, as a long gap would in production.
    restPageLimit: 100,
    startPrices: { [PRODUCT]: BASE },
  });
  t = await startTestApp({
    COINBASE_WS_URL: sim.url,
    COINBASE_REST_URL: sim.restUrl,
    WINDOW: '1m',
    FEED_STALL_TIMEOUT: '2s',
    GAP_FILL_TIMEOUT: '10s',
    RATE_LIMIT_AUTH_IP: '1000/1m',
  });
  user = new HttpClient(t.baseUrl);
  await user.signUp(uniqueEmail('feed-faults'));
  watcher = await connectRecording(t.baseUrl, user.cookieHeader);
  expect(await watcher.subscribe([PRODUCT])).toMatchObject({ ok: true });
  sim.trade(PRODUCT, { price: BASE });
  await latestExact();
});
afterEach(() => {
  sim.stall(false);
  sim.refuseConnections(null);
  sim.restFailures(null);
});
afterAll(async () => {
  watcher?.socket.disconnect();
  await t?.close();
  await sim?.close();
});

describe('feed faults', () => {
  it('a connection dropped mid-burst: reconnects, backfills the rest of the burst, fires the alert crossed in it once', async () => {
    const alert = await spikeAlert('60000.00');
    sim.trades(PRODUCT, 600);
    // The socket dies with frames still in flight; the spike and the rest of the burst happen while it is down.
    const dropped = sim.dropConnections();
    const spike = sim.trade(PRODUCT, { price: '61000.00' });
    sim.trade(PRODUCT, { price: BASE });
    sim.trades(PRODUCT, 600);
    await dropped;
    await sim.waitForClients(1, 10_000);
    sim.trade(PRODUCT);
    const tick = await latestExact();
    expect(tick.warm).toBe(true);
    await expectFiredOnce(alert, spike.tradeId);
  });

  it('refused connections for a while: keeps retrying with backoff, reports reconnecting, then recovers exactly', async () => {
    const attemptsBefore = await metric(`tickwatch_feed_reconnects_total`);
    sim.refuseConnections('refuse');
    await sim.dropConnections();
    for (let i = 0; i < 20; i += 1) sim.trade(PRODUCT);
    await waitFor(() => watcher.lastStatus(PRODUCT)?.state === 'reconnecting', 5_000, 'reconnecting');
    // A shortened "minute" of refusals: long enough for several attempts with growing delays.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect(await metric(`tickwatch_feed_reconnects_total`)).toBeGreaterThanOrEqual(attemptsBefore + 3);
    expect(watcher.lastStatus(PRODUCT)?.state).toBe('reconnecting');
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
    sim.refuseConnections(null);
    await sim.waitForClients(1, 20_000);
    sim.trade(PRODUCT);
    await latestExact();
    await waitFor(() => watcher.lastStatus(PRODUCT)?.state === 'live', 5_000, 'live again');
  });

  it('HTTP 429 on the handshake: backs off longer, then reconnects and catches up', async () => {
    sim.refuseConnections(429);
    await sim.dropConnections();
    for (let i = 0; i < 10; i += 1) sim.trade(PRODUCT);
    await waitFor(() => watcher.lastStatus(PRODUCT)?.state === 'reconnecting', 5_000, 'reconnecting');
    const refusedAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    sim.refuseConnections(null);
    await sim.waitForClients(1, 30_000);
    // The rate-limited policy starts at 5 s, not the 0.5 s of an ordinary failure.
    expect(Date.now() - refusedAt).toBeGreaterThanOrEqual(2_500);
    sim.trade(PRODUCT);
    await latestExact();
  });

  it('a gap of 500 trades is filled from REST in pages, and an alert crossed inside it fires once', async () => {
    const alert = await spikeAlert('62000.00');
    const filledBefore = await metric('tickwatch_feed_gaps_total{product="BTC-USD",outcome="filled"}');
    const requestsBefore = sim.state().restRequests;
    sim.skipIds(PRODUCT, 250);
    const spike = skippedSpike('63000.00');
    sim.skipIds(PRODUCT, 249);
    sim.trade(PRODUCT);
    await latestExact();
    expect(await metric('tickwatch_feed_gaps_total{product="BTC-USD",outcome="filled"}')).toBe(filledBefore + 1);
    expect(sim.state().restRequests - requestsBefore).toBeGreaterThanOrEqual(5);
    await expectFiredOnce(alert, spike.tradeId);
  });

  it('REST failing too: alerts wait behind the gap, the status says backfilling, and all recovers once REST does', async () => {
    const alert = await spikeAlert('64000.00');
    sim.restFailures(500);
    sim.skipIds(PRODUCT, 30);
    const spike = skippedSpike('65000.00');
    sim.skipIds(PRODUCT, 30);
    const live = sim.trade(PRODUCT, { price: '66000.00' });
    await waitFor(() => watcher.lastStatus(PRODUCT)?.state === 'backfilling', 5_000, 'backfilling');
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    // Held behind the gap: no tick past it, no alert evaluated on trades out of order.
    expect(watcher.lastTick(PRODUCT)?.tradeId).toBeLessThan(live.tradeId);
    expect(await t.app.db.notification.count({ where: { alertId: alert.id } })).toBe(0);
    expect(watcher.lastStatus(PRODUCT)?.detail).toMatch(/trades waiting for a gap to be filled/);
    sim.restFailures(null);
    await latestExact();
    await waitFor(() => watcher.lastStatus(PRODUCT)?.state === 'live', 5_000, 'live again');
    // The first crossing in trade order is the one that fires: the spike inside the gap, not the live trade.
    await expectFiredOnce(alert, spike.tradeId);
  });

  it('malformed frames at 10% of traffic are counted and skipped; the window stays exact', async () => {
    const invalidBefore =
      (await metric('tickwatch_feed_invalid_total{product="unknown",source="feed"}')) +
      (await metric('tickwatch_feed_invalid_total{product="BTC-USD",source="feed"}'));
    const alert = await spikeAlert('70000.00');
    const bad = (i: number): string => {
      const latest = sim.latest(PRODUCT);
      const base = { type: 'match', trade_id: (latest?.tradeId ?? 0) + 1, product_id: PRODUCT, time: latest?.time, size: '0.1', side: 'buy', sequence: 1 };
      const kinds = [
        '{"type":"match",',
        JSON.stringify({ ...base, price: '71000.00', size: '-2' }),
        JSON.stringify({ ...base, price: '1e9' }),
        JSON.stringify({ ...base, price: '71000.00', time: 'yesterday' }),
        JSON.stringify({ ...base, price: '71000.00', trade_id: 'x' }),
        'null',
        '\u0000\u0001',
        JSON.stringify({ ...base, price: ['71000.00'] }),
      ];
      return kinds[i % kinds.length]!;
    };
    for (let i = 0; i < 500; i += 1) {
      if (i % 10 === 0) sim.sendRaw(bad(i / 10));
      sim.trade(PRODUCT);
    }
    await latestExact();
    const invalidAfter =
      (await metric('tickwatch_feed_invalid_total{product="unknown",source="feed"}')) +
      (await metric('tickwatch_feed_invalid_total{product="BTC-USD",source="feed"}'));
    expect(invalidAfter - invalidBefore).toBe(50);
    // None of the malformed frames carried a price the window or the alerts took.
    await t.app.evaluator.settle();
    expect(await t.app.db.notification.count({ where: { alertId: alert.id } })).toBe(0);
    expect(watcher.lastStatus(PRODUCT)?.state).toBe('live');
  });
});

/** A spike that goes to REST only (inside a gap), then the market back at the base price, also unsent. */
function skippedSpike(price: string): { tradeId: number } {
  const [spike] = sim.skipIds(PRODUCT, 1, { price });
  sim.skipIds(PRODUCT, 1, { price: BASE });
  return spike!;
}
