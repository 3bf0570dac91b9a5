import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, createSimulator } from '../../server/feed/simulator/create-simulator.ts';
import { HttpClient, uniqueEmail } from '../support/http-client.ts';
import { readMetric } from '../support/metrics.ts';
import { type RecordingSocket, connectRecording } from '../support/socket-client.ts';
import { type TestApp, startTestApp } from '../support/test-app.ts';
import { waitFor } from '../support/wait-for.ts';

const PRODUCT = 'BTC-USD';
/** Stale after 1 s of silence, replaced after 2 s. */
const STALL_TIMEOUT_MS = 2_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The feed state follows the data: whatever the connection was last said to be (stale after a
 * silence, reconnecting after a replaced socket whose subscription reply never came), a trade or a
 * heartbeat on the subscribed socket means the feed is live again, for the badge, `/api/market`
 * and `/readyz` alike.
 */
describe('feed state follows the data', () => {
  let sim: Simulator;
  let t: TestApp;
  let client: HttpClient;
  let watcher: RecordingSocket;

  const marketState = async (): Promise<string> => {
    const body = (await (await client.request('GET', '/api/market')).json()) as { feed: Record<string, { state: string }> };
    return body.feed[PRODUCT]?.state ?? 'missing';
  };
  const reconnects = (): Promise<number> => readMetric(t.baseUrl, 'tickwatch_feed_reconnects_total');
  const readyStatus = async (): Promise<number> => (await fetch(`${t.baseUrl}/readyz`)).status;

  beforeAll(async () => {
    sim = await createSimulator({ seed: 3, history: 200, ratePerSecond: 20, heartbeatIntervalMs: 200 });
    t = await startTestApp({
      COINBASE_WS_URL: sim.url,
      COINBASE_REST_URL: sim.restUrl,
      WINDOW: '30s',
      FEED_STALL_TIMEOUT: `${STALL_TIMEOUT_MS / 1000}s`,
      RATE_LIMIT_AUTH_IP: '1000/1m',
    });
    client = new HttpClient(t.baseUrl);
    await client.signUp(uniqueEmail('feed-state'));
    watcher = await connectRecording(t.baseUrl, client.cookieHeader);
    expect(await watcher.subscribe([PRODUCT])).toMatchObject({ ok: true });
    await waitFor(async () => (await marketState()) === 'live' && (await readyStatus()) === 200, 10_000, 'the feed to be live');
  });
  afterEach(() => sim.stall(false));
  afterAll(async () => {
    watcher?.socket.disconnect();
    await t?.close();
    await sim?.close();
  });

  it('a silence shorter than the stall timeout: stale, then live again on the next data, not only on a subscription reply', async () => {
    const reconnectsBefore = await reconnects();
    sim.stall(true);
    await waitFor(async () => (await marketState()) === 'stale', 5_000, 'stale during the silence');
    expect(await readyStatus()).toBe(503);
    expect(watcher.lastStatus(PRODUCT)?.state).toBe('stale');
    await sleep(STALL_TIMEOUT_MS / 2 - 600);
    sim.stall(false);
    const ticksBefore = watcher.ticks.length;
    await waitFor(async () => (await marketState()) === 'live', 3_000, 'live once data flows again');
    // The same socket carried on: no new connection, no subscription reply, yet live.
    expect(await reconnects()).toBe(reconnectsBefore);
    expect(await readyStatus()).toBe(200);
    await waitFor(() => watcher.lastStatus(PRODUCT)?.state === 'live', 3_000, 'feed:status live at the browser');
    await waitFor(() => watcher.ticks.length > ticksBefore + 2, 5_000, 'ticks after the silence');
    // And it stays live while the data flows.
    await sleep(1_500);
    expect(await marketState()).toBe('live');
  });

  it('a silence past the stall timeout whose resubscription reply is swallowed: live as soon as trades arrive on the new socket', async () => {
    sim.stall(true);
    // The socket is replaced after 2 s; the new one subscribes while the exchange still says nothing.
    await waitFor(async () => (await marketState()) === 'reconnecting', 6_000, 'reconnecting after the stall timeout');
    // Let the new socket open and subscribe while the exchange still says nothing.
    await waitFor(() => sim.state().clients >= 1, 6_000, 'a new subscribed connection during the stall');
    await sleep(300);
    sim.stall(false);
    const ticksBefore = watcher.ticks.length;
    await waitFor(async () => (await marketState()) === 'live', 4_000, 'live once trades arrive');
    expect(await readyStatus()).toBe(200);
    await waitFor(() => watcher.ticks.length > ticksBefore + 2, 5_000, 'ticks after the reconnect');
    await sleep(1_500);
    expect(await marketState()).toBe('live');
    expect(watcher.lastStatus(PRODUCT)?.state).toBe('live');
  });
});
