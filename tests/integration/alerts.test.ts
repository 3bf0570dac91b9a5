import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, createSimulator } from '../../server/feed/simulator/create-simulator.ts';
import type { Alert } from '../../lib/realtime/events.ts';
import { HttpClient, uniqueEmail } from '../support/http-client.ts';
import { SIMULATOR_MODES, type SimulatorMode, WITH_HISTORY, inMode } from '../support/simulator-modes.ts';
import { connectRecording } from '../support/socket-client.ts';
import { type TestApp, startTestApp } from '../support/test-app.ts';
import { waitFor } from '../support/wait-for.ts';

const PRODUCT = 'BTC-USD';
/** Added to the exchange's clock: a test moves event time forward past a cooldown without waiting. */
let clockSkewMs = 0;
// The simulator and app of the suite that runs now (each top-level describe starts its own).
let sim: Simulator;
let t: TestApp;

async function startSuite(mode: SimulatorMode): Promise<void> {
  clockSkewMs = 0;
  sim = await createSimulator(
    inMode(mode, {
      seed: 5,
      history: 300,
      ratePerSecond: 0,
      heartbeatIntervalMs: 200,
      startPrices: { 'BTC-USD': '50000.00' },
      now: () => Date.now() + clockSkewMs,
    }),
  );
  t = await startTestApp({
    COINBASE_WS_URL: sim.url,
    COINBASE_REST_URL: sim.restUrl,
    WINDOW: '1m',
    ALERT_LIMIT: '5',
    RATE_LIMIT_AUTH_IP: '1000/1m',
  });
  sim.trade(PRODUCT, { price: '50000.00' });
  await waitFor(() => t.app.market.snapshot(PRODUCT)?.tradeId === sim.latest(PRODUCT)?.tradeId, 10_000, 'first trade');
}

async function stopSuite(): Promise<void> {
  await t?.close();
  await sim?.close();
}

async function user(): Promise<{ http: HttpClient; id: string }> {
  const http = new HttpClient(t.baseUrl);
  const response = await http.signUp(uniqueEmail('alerts'));
  const { user: u } = (await response.json()) as { user: { id: string } };
  return { http, id: u.id };
}

async function createAlert(http: HttpClient, body: Record<string, unknown>): Promise<Alert> {
  const response = await http.request('POST', '/api/alerts', { product: PRODUCT, basis: 'last', ...body });
  expect(response.status, JSON.stringify(await response.clone().json())).toBe(201);
  return ((await response.json()) as { alert: Alert }).alert;
}

/** Publishes a trade and waits until the server applied it. */
async function trade(price: string): Promise<void> {
  const published = sim.trade(PRODUCT, { price, size: '0.01' });
  await waitFor(() => (t.app.market.snapshot(PRODUCT)?.tradeId ?? 0) >= published.tradeId, 10_000, `trade ${price}`);
}

// Input checks do not depend on the market: once, against the usual exchange.
describe('alert API input', () => {
  beforeAll(() => startSuite(WITH_HISTORY));
  afterAll(stopSuite);

  it('refuses bad input with a clear 4xx and stores nothing', async () => {
    const { http, id } = await user();
    const cases: Array<[string | Record<string, unknown>, number, RegExp]> = [
      [{ direction: 'above', threshold: '0' }, 422, /greater than 0/],
      [{ direction: 'above', threshold: '-5' }, 422, /must be a number like/],
      [{ direction: 'above', threshold: 'abc' }, 422, /must be a number like/],
      [{ direction: 'above', threshold: '100.123' }, 422, /at most 2 decimals/],
      [{ direction: 'above', threshold: '10000000000000' }, 422, /must be at most 1,000,000,000,000/],
      [{ direction: 'above', threshold: '100', product: 'DOGE-EUR' }, 422, /does not follow DOGE-EUR/],
      [{ direction: 'above', threshold: '100', basis: 'median' }, 422, /basis must be "mean", "vwap" or "last"/i],
      [{ threshold: '100' }, 422, /direction must be "above" or "below"/i],
      [{ direction: 'above', threshold: '100', note: 'x'.repeat(281) }, 422, /at most 280 characters/],
      [{ direction: 'above', threshold: '100', colour: 'red' }, 422, /Unknown field "colour"/],
      [{ direction: 'above', threshold: '100', repeat: { mode: 'rearm', band: '5' } }, 422, /cooldownSeconds/i],
      [{ direction: 'above', threshold: '100', repeat: { mode: 'rearm', band: '0.01', cooldownSeconds: 0 } }, 422, /cooldownSeconds must be at least 60 \(a minute\)/i],
      [{ direction: 'above', threshold: '100', repeat: { mode: 'rearm', band: '5', cooldownSeconds: 59 } }, 422, /at least 60/],
      [{ direction: 'above', threshold: '100', expiresAt: '2001-01-01T00:00:00Z' }, 422, /in the future/],
    ];
    for (const [body, status, message] of cases) {
      const response = await http.request('POST', '/api/alerts', { product: PRODUCT, ...(body as object) });
      expect(response.status, JSON.stringify(body)).toBe(status);
      const error = ((await response.json()) as { error: { message: string } }).error;
      expect(error.message, JSON.stringify(body)).toMatch(message);
    }
    const raw = async (text: string) => http.request('POST', '/api/alerts', text, { 'content-type': 'application/json' });
    const huge = await raw(`{"product":"${PRODUCT}","direction":"above","threshold":1e309}`);
    expect(huge.status).toBe(422);
    expect(((await huge.json()) as { error: { message: string } }).error.message).toMatch(/must be a number like/);
    expect((await raw('{"product":')).status).toBe(400);
    expect((await raw('[1,2]')).status).toBe(422);
    expect(await t.app.db.alert.count({ where: { userId: id } })).toBe(0);
  });

  it('refuses a rearm cooldown under a minute on PATCH too, and keeps the alert as it was', async () => {
    const { http } = await user();
    const alert = await createAlert(http, { direction: 'above', threshold: '900000', repeat: { mode: 'rearm', band: '5', cooldownSeconds: 60 } });
    const response = await http.request('PATCH', `/api/alerts/${alert.id}`, { repeat: { mode: 'rearm', band: '0.01', cooldownSeconds: 10 } });
    expect(response.status).toBe(422);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/cooldownSeconds must be at least 60/i);
    const stored = ((await (await http.request('GET', `/api/alerts/${alert.id}`)).json()) as { alert: Alert }).alert;
    expect(stored.repeat).toEqual({ mode: 'rearm', band: '5', cooldownSeconds: 60 });
  });

  it('accepts a JSON number threshold and normalises it', async () => {
    const { http } = await user();
    const alert = await createAlert(http, { direction: 'above', threshold: 65000.5, basis: 'mean' });
    expect(alert).toMatchObject({ threshold: '65000.5', basis: 'mean', status: 'armed', arming: 1, repeat: { mode: 'once' } });
  });

  it("hides other users' alerts and notifications behind 404, and needs a session", async () => {
    const owner = await user();
    const other = await user();
    const alert = await createAlert(owner.http, { direction: 'above', threshold: '999999' });
    for (const [method, body] of [['GET', undefined], ['PATCH', { threshold: '1' }], ['DELETE', undefined]] as const) {
      const response = await other.http.request(method, `/api/alerts/${alert.id}`, body);
      expect(response.status, method).toBe(404);
    }
    expect((await fetch(`${t.baseUrl}/api/alerts`)).status).toBe(401);
    expect(((await (await other.http.request('GET', '/api/alerts')).json()) as { alerts: Alert[] }).alerts).toEqual([]);
    expect((await owner.http.request('GET', `/api/alerts/${alert.id}`)).status).toBe(200);
  });

  it('enforces ALERT_LIMIT with code alert_limit', async () => {
    const { http } = await user();
    for (let i = 0; i < 5; i += 1) await createAlert(http, { direction: 'above', threshold: String(900000 + i) });
    const response = await http.request('POST', '/api/alerts', { product: PRODUCT, direction: 'above', threshold: '1' });
    expect(response.status).toBe(422);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('alert_limit');
  });
});

/**
 * Firing, delivery, deletion and restarts against each kind of exchange
 * (tests/support/simulator-modes.ts): the alerts are on `last`, which needs no warm window, so
 * every test applies to an exchange without older trades too.
 */
describe.each(SIMULATOR_MODES)('alerts ($name)', (mode) => {
  beforeAll(() => startSuite(mode));
  afterAll(stopSuite);

  describe('firing and delivery', () => {
    it('fires on the very next trade after creation, only for its owner, exactly once', async () => {
      await trade('50000.00');
      const alice = await user();
      const bob = await user();
      const aliceSocket = await connectRecording(t.baseUrl, alice.http.cookieHeader);
      const bobSocket = await connectRecording(t.baseUrl, bob.http.cookieHeader);
      const aliceAbove = await createAlert(alice.http, { direction: 'above', threshold: '50100' });
      const aliceBelow = await createAlert(alice.http, { direction: 'below', threshold: '49000' });
      const bobBelow = await createAlert(bob.http, { direction: 'below', threshold: '49900' });
      const bobAbove = await createAlert(bob.http, { direction: 'above', threshold: '60000' });

      await trade('50150.00');
      await waitFor(() => aliceSocket.hits.length === 1 || undefined, 5_000, "alice's hit");
      await trade('49850.00');
      await waitFor(() => bobSocket.hits.length === 1 || undefined, 5_000, "bob's hit");
      await trade('50150.00');
      await trade('49850.00');
      await new Promise((resolve) => setTimeout(resolve, 300));

      expect(aliceSocket.hits.map((h) => [h.alertId, h.value, h.replayed])).toEqual([[aliceAbove.id, '50150.00000000', false]]);
      expect(bobSocket.hits.map((h) => [h.alertId, h.value])).toEqual([[bobBelow.id, '49850.00000000']]);
      const rows = await t.app.db.alert.findMany({ where: { id: { in: [aliceAbove.id, aliceBelow.id, bobBelow.id, bobAbove.id] } } });
      const status = Object.fromEntries(rows.map((r) => [r.id, r.status]));
      expect(status).toEqual({ [aliceAbove.id]: 'triggered', [aliceBelow.id]: 'armed', [bobBelow.id]: 'triggered', [bobAbove.id]: 'armed' });
      expect(await t.app.db.notification.count({ where: { alertId: { in: [aliceAbove.id, bobBelow.id] } } })).toBe(2);
      const delivered = await t.app.db.notification.findMany({ where: { alertId: aliceAbove.id } });
      expect(delivered[0]?.tradeId).toBe(BigInt(aliceSocket.hits[0]?.tradeId ?? 0));
      aliceSocket.socket.disconnect();
      bobSocket.socket.disconnect();
    });

    it('re-arms a rearm alert after the band and cooldown, and fires again (one notification per arming)', async () => {
      await trade('50000.00');
      const { http } = await user();
      const socket = await connectRecording(t.baseUrl, http.cookieHeader);
      const alert = await createAlert(http, { direction: 'above', threshold: '50200', repeat: { mode: 'rearm', band: '100', cooldownSeconds: 60 } });
      await trade('50250.00');
      await waitFor(() => socket.hits.length === 1 || undefined, 5_000, 'first hit');
      await trade('50150.00'); // back, but not past the band
      await trade('50300.00');
      await trade('50090.00'); // past the band, but within the cooldown: not re-armed yet
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(socket.hits).toHaveLength(1);
      expect((await t.app.db.alert.findUnique({ where: { id: alert.id } }))?.status).toBe('triggered');
      clockSkewMs += 61_000; // a minute of event time later
      await trade('50080.00'); // past the band and the cooldown: re-armed
      await waitFor(async () => (await t.app.db.alert.findUnique({ where: { id: alert.id } }))?.status === 'armed', 5_000, 're-armed');
      await trade('50210.00');
      await waitFor(() => socket.hits.length === 2 || undefined, 5_000, 'second hit');
      expect(socket.hits.map((h) => h.alert.arming)).toEqual([1, 2]);
      const notifications = await t.app.db.notification.findMany({ where: { alertId: alert.id }, orderBy: { id: 'asc' } });
      expect(notifications.map((n) => n.arming)).toEqual([1, 2]);
      socket.socket.disconnect();
    });

    it('holds an alert stored with a cooldown under the minimum (from before it existed) to the minimum', async () => {
      await trade('50000.00');
      const { http } = await user();
      const alert = await createAlert(http, { direction: 'above', threshold: '50200', repeat: { mode: 'rearm', band: '0.01', cooldownSeconds: 60 } });
      await t.app.db.alert.update({ where: { id: alert.id }, data: { cooldownSeconds: 0 } });
      await t.app.evaluator.track(await t.app.db.alert.findUniqueOrThrow({ where: { id: alert.id } }));
      // A choppy market around the threshold: without the floor this fired on every upswing.
      for (const price of ['50250.00', '50100.00', '50250.00', '50100.00', '50250.00', '50100.00']) await trade(price);
      await t.app.evaluator.settle();
      expect(await t.app.db.notification.count({ where: { alertId: alert.id } })).toBe(1);
      clockSkewMs += 61_000;
      await trade('50100.00');
      await waitFor(async () => (await t.app.db.alert.findUnique({ where: { id: alert.id } }))?.status === 'armed', 5_000, 're-armed after the minimum');
      await trade('50250.00');
      await waitFor(async () => (await t.app.db.notification.count({ where: { alertId: alert.id } })) === 2, 5_000, 'second firing');
    });

    it('keeps a hit for a user who was away and replays it once on return', async () => {
      await trade('50000.00');
      const { http, id } = await user();
      const alert = await createAlert(http, { direction: 'below', threshold: '49500', note: '<b>buy</b> ✓' });
      await trade('49400.00');
      await waitFor(async () => (await t.app.db.notification.count({ where: { alertId: alert.id } })) === 1, 5_000, 'notification');
      const back = await connectRecording(t.baseUrl, http.cookieHeader);
      const hit = await waitFor(() => back.hits[0], 5_000, 'replayed hit');
      expect(hit).toMatchObject({ alertId: alert.id, replayed: true, value: '49400.00000000' });
      expect(hit.alert.note).toBe('<b>buy</b> ✓');
      await waitFor(async () => (await t.app.db.notification.findFirst({ where: { alertId: alert.id } }))?.deliveredAt != null, 5_000, 'delivered');
      back.socket.disconnect();
      const again = await connectRecording(t.baseUrl, http.cookieHeader);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(again.hits).toEqual([]);
      const inbox = (await (await http.request('GET', '/api/notifications?unread=1')).json()) as { notifications: Array<{ id: number; value: string }>; unread: number };
      expect(inbox.unread).toBe(1);
      expect(inbox.notifications[0]?.value).toBe('49400.00000000');
      const read = await http.request('POST', '/api/notifications/read', { ids: [inbox.notifications[0]?.id, 999999] });
      expect(await read.json()).toEqual({ updated: 1 });
      expect(await t.app.db.notification.count({ where: { userId: id, readAt: null } })).toBe(0);
      again.socket.disconnect();
    });

    it('re-arms by hand with PATCH status armed, starting a new arming', async () => {
      await trade('50000.00');
      const { http } = await user();
      const alert = await createAlert(http, { direction: 'above', threshold: '50050' });
      await trade('50060.00');
      await waitFor(async () => (await t.app.db.alert.findUnique({ where: { id: alert.id } }))?.status === 'triggered', 5_000, 'triggered');
      const response = await http.request('PATCH', `/api/alerts/${alert.id}`, { status: 'armed' });
      expect(((await response.json()) as { alert: Alert }).alert).toMatchObject({ status: 'armed', arming: 2 });
      await trade('50070.00');
      await waitFor(async () => (await t.app.db.notification.count({ where: { alertId: alert.id } })) === 2, 5_000, 'second firing');
    });
  });

  describe('account deletion', () => {
    it("removes the account's alerts and notifications", async () => {
      await trade('50000.00');
      const { http, id } = await user();
      const alert = await createAlert(http, { direction: 'above', threshold: '50010' });
      await trade('50020.00');
      await waitFor(async () => (await t.app.db.notification.count({ where: { alertId: alert.id } })) === 1, 5_000, 'fired');
      const response = await http.request('POST', '/api/auth/delete-user', { password: 'correct horse battery' });
      expect(response.status).toBe(200);
      expect(await t.app.db.alert.count({ where: { userId: id } })).toBe(0);
      expect(await t.app.db.notification.count({ where: { userId: id } })).toBe(0);
    });
  });

  describe('restart', () => {
    it('rebuilds the alert index from the database: an alert set before a restart fires after it', async () => {
      const first = await startTestApp({ COINBASE_WS_URL: sim.url, COINBASE_REST_URL: sim.restUrl, WINDOW: '1m', RATE_LIMIT_AUTH_IP: '1000/1m' }, { keepData: true });
      const http = new HttpClient(first.baseUrl);
      await http.signUp(uniqueEmail('restart'));
      const response = await http.request('POST', '/api/alerts', { product: PRODUCT, basis: 'last', direction: 'above', threshold: '70000' });
      const { alert } = (await response.json()) as { alert: Alert };
      await first.close();

      const second = await startTestApp({ COINBASE_WS_URL: sim.url, COINBASE_REST_URL: sim.restUrl, WINDOW: '1m' }, { dataDir: first.dataDir });
      try {
        expect(second.app.evaluator.size()).toBeGreaterThanOrEqual(1);
        await waitFor(() => second.app.market.snapshot(PRODUCT) !== null, 10_000, 'feed after restart');
        const published = sim.trade(PRODUCT, { price: '70001.00', size: '0.01' });
        await waitFor(() => (second.app.market.snapshot(PRODUCT)?.tradeId ?? 0) >= published.tradeId, 10_000, 'trade');
        await waitFor(async () => (await second.app.db.notification.count({ where: { alertId: alert.id } })) === 1, 5_000, 'fired');
      } finally {
        await second.close();
      }
    });

    it('does not fire on stored trades replayed at start: a spike from before the alert existed stays history', async () => {
      const env = { COINBASE_WS_URL: sim.url, COINBASE_REST_URL: sim.restUrl, WINDOW: '1m', RATE_LIMIT_AUTH_IP: '1000/1m' };
      const first = await startTestApp(env, { keepData: true });
      const spike = sim.trade(PRODUCT, { price: '80000.00', size: '0.01' });
      const back = sim.trade(PRODUCT, { price: '50000.00', size: '0.01' });
      await waitFor(() => (first.app.market.snapshot(PRODUCT)?.tradeId ?? 0) >= back.tradeId, 10_000, 'the spike and the way back');
      await first.app.store.flush();
      const http = new HttpClient(first.baseUrl);
      await http.signUp(uniqueEmail('replay'));
      // Set after the spike, in a market at 50,000: it must wait for the next crossing.
      const response = await http.request('POST', '/api/alerts', { product: PRODUCT, basis: 'last', direction: 'above', threshold: '75000' });
      const { alert } = (await response.json()) as { alert: Alert };
      await first.close();

      const second = await startTestApp(env, { dataDir: first.dataDir });
      try {
        expect(second.app.market.snapshot(PRODUCT)?.tradeId).toBeGreaterThanOrEqual(spike.tradeId);
        const calm = sim.trade(PRODUCT, { price: '50000.00', size: '0.01' });
        await waitFor(() => (second.app.market.snapshot(PRODUCT)?.tradeId ?? 0) >= calm.tradeId, 10_000, 'a trade after restart');
        await second.app.evaluator.settle();
        expect(await second.app.db.notification.count({ where: { alertId: alert.id } })).toBe(0);
        const crossing = sim.trade(PRODUCT, { price: '75000.00', size: '0.01' });
        await waitFor(async () => (await second.app.db.notification.count({ where: { alertId: alert.id } })) === 1, 10_000, 'fired on the live crossing');
        const fired = await second.app.db.notification.findFirstOrThrow({ where: { alertId: alert.id } });
        expect(Number(fired.tradeId)).toBe(crossing.tradeId);
        sim.trade(PRODUCT, { price: '50000.00', size: '0.01' });
      } finally {
        await second.close();
      }
    });
  });
});
