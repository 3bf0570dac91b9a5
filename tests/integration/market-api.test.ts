import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, createSimulator } from '../../server/feed/simulator/create-simulator.ts';
import { HttpClient, uniqueEmail } from '../support/http-client.ts';
import { SIMULATOR_MODES, inMode } from '../support/simulator-modes.ts';
import { connectRecording } from '../support/socket-client.ts';
import { type TestApp, startTestApp } from '../support/test-app.ts';
import { waitFor } from '../support/wait-for.ts';

const PRODUCTS = 'BTC-USD,ETH-USD,FOO-BAR';

async function signedIn(app: TestApp): Promise<HttpClient> {
  const client = new HttpClient(app.baseUrl);
  await client.signUp(uniqueEmail('api'));
  return client;
}

/**
 * Against each kind of exchange (tests/support/simulator-modes.ts): nothing here needs older
 * trades on REST, so every test runs in every mode; the warm restart rebuilds from the trades the
 * server stored itself.
 */
describe.each(SIMULATOR_MODES)('market API ($name)', (mode) => {
  let sim: Simulator;

  beforeAll(async () => {
    sim = await createSimulator(inMode(mode, { seed: 11, products: ['BTC-USD', 'ETH-USD'], history: 600, ratePerSecond: 0, heartbeatIntervalMs: 200 }));
  });
  afterAll(async () => {
    await sim.close();
  });

  function env(): Record<string, string> {
    return { COINBASE_WS_URL: sim.url, COINBASE_REST_URL: sim.restUrl, PRODUCTS, WINDOW: '1m', RATE_LIMIT_AUTH_IP: '1000/1m' };
  }
  /** FOO-BAR is configured on purpose and the exchange refuses it: the server logs that at error level (an operator must fix the config). */
  const REFUSED_PRODUCT = /the exchange refused a product; it is unavailable/;

  describe('several products, one of them unknown to the exchange', () => {
    let t: TestApp;
    let client: HttpClient;
    beforeAll(async () => {
      t = await startTestApp(env(), { expectErrors: [REFUSED_PRODUCT] });
      client = await signedIn(t);
    });
    afterAll(async () => {
      await t.close();
    });

    it('runs every known product through the pipeline and marks the unknown one unavailable', async () => {
      const watcher = await connectRecording(t.baseUrl, client.cookieHeader);
      expect(await watcher.subscribe(['BTC-USD', 'ETH-USD'])).toMatchObject({ ok: true });
      sim.trade('BTC-USD');
      sim.trade('ETH-USD');
      await waitFor(() => watcher.lastTick('BTC-USD')?.tradeId === sim.latest('BTC-USD')?.tradeId, 10_000, 'BTC tick');
      await waitFor(() => watcher.lastTick('ETH-USD')?.tradeId === sim.latest('ETH-USD')?.tradeId, 10_000, 'ETH tick');
      const market = (await (await client.request('GET', '/api/market')).json()) as {
        products: string[];
        windowMs: number;
        simulated: boolean;
        feed: Record<string, { state: string; detail?: string }>;
      };
      expect(market.products).toEqual(['BTC-USD', 'ETH-USD', 'FOO-BAR']);
      expect(market.windowMs).toBe(60_000);
      expect(market.simulated).toBe(false);
      expect(market.feed['BTC-USD']?.state).toBe('live');
      expect(market.feed['FOO-BAR']).toMatchObject({ state: 'unavailable', detail: 'FOO-BAR is not a valid product' });
      watcher.socket.disconnect();
    });

    it('serves the price history, thinned, oldest first', async () => {
      // One trade a second of event time (the history keeps one point per second), so there is
      // something to thin also on an exchange without older trades.
      const startMs = Date.parse(sim.latest('BTC-USD')?.time ?? new Date().toISOString());
      for (let i = 1; i <= 50; i += 1) sim.trade('BTC-USD', { time: new Date(startMs + i * 1000).toISOString() });
      const last = sim.latest('BTC-USD')?.tradeId;
      await waitFor(() => t.app.market.snapshot('BTC-USD')?.tradeId === last, 10_000, 'the 50 trades applied');
      const since = new Date(startMs).toISOString();
      const response = await client.request('GET', `/api/prices/BTC-USD?since=${since}&points=40`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { product: string; points: Array<{ time: string; last: string; mean: string; vwap: string }> };
      expect(body.product).toBe('BTC-USD');
      expect(body.points.length).toBeGreaterThan(10);
      expect(body.points.length).toBeLessThanOrEqual(40);
      const times = body.points.map((p) => Date.parse(p.time));
      expect([...times].sort((a, b) => a - b)).toEqual(times);
      expect(body.points.at(-1)?.mean).toMatch(/^\d+\.\d{8}$/);
    });

    it('answers bad price queries with clear errors', async () => {
      const cases: Array<[string, number, RegExp]> = [
        ['/api/prices/DOGE-EUR', 404, /does not follow DOGE-EUR/],
        ['/api/prices/BTC-USD?points=abc', 422, /points must be a whole number/],
        ['/api/prices/BTC-USD?points=0', 422, /points must be from 1/],
        ['/api/prices/BTC-USD?since=yesterday', 422, /since must be an ISO-8601 time/],
      ];
      for (const [path, status, message] of cases) {
        const response = await client.request('GET', path);
        expect(response.status, path).toBe(status);
        expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(message);
      }
      const anonymous = await fetch(`${t.baseUrl}/api/market`);
      expect(anonymous.status).toBe(401);
      const wrongMethod = await client.request('POST', '/api/market', {});
      expect(wrongMethod.status).toBe(405);
    });
  });

  describe('warm restart', () => {
    it('rebuilds the window from stored trades, so a restart does not reset the average', async () => {
      const first = await startTestApp(env(), { keepData: true, expectErrors: [REFUSED_PRODUCT] });
      const client = await signedIn(first);
      const watcher = await connectRecording(first.baseUrl, client.cookieHeader);
      await watcher.subscribe(['BTC-USD']);
      sim.trades('BTC-USD', 30);
      const latest = sim.latest('BTC-USD');
      const before = await waitFor(() => watcher.lastTick('BTC-USD')?.tradeId === latest?.tradeId && watcher.lastTick('BTC-USD'), 10_000, 'tick');
      watcher.socket.disconnect();
      await first.close();

      const second = await startTestApp({ ...env(), COINBASE_WS_URL: 'ws://127.0.0.1:9/' }, { dataDir: first.dataDir });
      try {
        const again = await signedIn(second);
        const rewatch = await connectRecording(second.baseUrl, again.cookieHeader);
        const ack = await rewatch.subscribe(['BTC-USD']);
        // No feed at all after the restart: the snapshot comes from stored trades alone.
        expect(ack).toEqual({ ok: true, snapshots: { 'BTC-USD': before } });
        rewatch.socket.disconnect();
      } finally {
        await second.close();
      }
    });
  });
});
