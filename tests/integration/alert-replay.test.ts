import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import type { AlertBacklog, AlertHit } from '../../lib/realtime/events.ts';
import { type Simulator, createSimulator } from '../../server/feed/simulator/create-simulator.ts';
import { dialectOf } from '../../server/db/client.ts';
import { REPLAY_LIMIT, REPLAY_PAGE_SIZE } from '../../server/realtime/alert-delivery.ts';
import { readMetric } from '../support/metrics.ts';
import { type TestUser, signUpUser } from '../support/sign-up-user.ts';
import { type ClientSocket, connectRecording } from '../support/socket-client.ts';
import { type TestApp, startTestApp } from '../support/test-app.ts';
import { waitFor } from '../support/wait-for.ts';

/**
 * The replay of undelivered hits on connect, and the firing budget of the live path: a backlog
 * of thousands goes out a page at a time as the client acknowledges, up to a cap, then as one
 * `alert:backlog` notice; a client that never acknowledges gets one page; hits over a user's
 * budget arrive as one notice. Nothing is lost: every notification stays in the inbox.
 */
const PRODUCT = 'BTC-USD';
const BACKLOG = 5_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Writes `count` undelivered notifications of one alert straight into the database, oldest first, in one statement. */
async function seedBacklog(t: TestApp, user: TestUser, count: number): Promise<number[]> {
  const alert = await user.http.createAlert({ product: PRODUCT, basis: 'last', direction: 'above', threshold: '900000.00' });
  const dialect = dialectOf(t.app.db);
  // The recursion counter is an integer on both databases (PostgreSQL types it from the first SELECT).
  await t.app.db.$executeRawUnsafe(
    dialect.text(`WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?)
     INSERT INTO notification ("alertId", "userId", "arming", "product", "basis", "direction", "threshold", "value", "tradeId", "tradeTime", "windowCount", "firedAt")
     SELECT ?, ?, n, ?, 'last', 'above', '900000.00', '900001.00000000', n, '2026-01-01T00:00:00.000001Z', 1, ? FROM seq`),
    count,
    alert.id,
    user.id,
    PRODUCT,
    dialect.date(Date.now()),
  );
  const rows = await t.app.db.notification.findMany({ where: { userId: user.id }, select: { id: true }, orderBy: { id: 'asc' } });
  return rows.map((r) => r.id);
}

/** A socket that keeps each hit's acknowledgement for the test to call (or never). */
async function connectHolding(baseUrl: string, cookie: string) {
  const socket: ClientSocket = io(baseUrl, { transports: ['websocket'], reconnection: false, extraHeaders: { origin: baseUrl, cookie } });
  const hits: AlertHit[] = [];
  const acks: Array<() => void> = [];
  socket.on('alert:hit', (hit, ack) => {
    hits.push(hit);
    acks.push(() => ack());
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return { socket, hits, ackAll: () => acks.splice(0).forEach((ack) => ack()) };
}

describe('replay of undelivered hits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_AUTH_IP: '1000/1m' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it(`a ${BACKLOG.toLocaleString('en-US')}-hit backlog: pages as the client acknowledges up to the cap, then one notice for the rest; connected throughout, all in the inbox, never replayed again`, { timeout: 60_000 }, async () => {
    const user = await signUpUser(t.baseUrl, 'backlog');
    const ids = await seedBacklog(t, user, BACKLOG);
    const droppedBefore = await readMetric(t.baseUrl, 'tickwatch_slow_clients_dropped_total');
    const cappedBefore = await readMetric(t.baseUrl, 'tickwatch_replays_capped_total');

    const client = await connectRecording(t.baseUrl, user.http.cookieHeader);
    const notice = await waitFor(() => client.backlogs[0], 30_000, 'the backlog notice');
    expect(client.socket.connected).toBe(true);
    expect(client.hits.map((h) => h.notificationId)).toEqual(ids.slice(0, REPLAY_LIMIT));
    expect(client.hits.every((h) => h.replayed)).toBe(true);
    expect(notice).toEqual<AlertBacklog>({ undelivered: BACKLOG - REPLAY_LIMIT, inboxUrl: '/inbox', replayed: true });
    expect(await readMetric(t.baseUrl, 'tickwatch_slow_clients_dropped_total')).toBe(droppedBefore);
    expect(await readMetric(t.baseUrl, 'tickwatch_replays_capped_total')).toBe(cappedBefore + 1);
    await waitFor(async () => (await t.app.db.notification.count({ where: { userId: user.id, deliveredAt: null } })) === 0, 10_000, 'all delivered');

    // Every one of them is in the inbox, newest first, page by page.
    const listed: number[] = [];
    for (let before: number | undefined, page = 0; page < 100; page += 1) {
      const response = await user.http.request('GET', `/api/notifications?limit=200${before === undefined ? '' : `&before=${before}`}`);
      const body = (await response.json()) as { notifications: Array<{ id: number }>; unread: number };
      expect(body.unread).toBe(BACKLOG);
      if (body.notifications.length === 0) break;
      listed.push(...body.notifications.map((n) => n.id));
      before = body.notifications.at(-1)!.id;
    }
    expect(listed.reverse()).toEqual(ids);
    expect(client.socket.connected).toBe(true);
    client.socket.disconnect();

    const later = await connectRecording(t.baseUrl, user.http.cookieHeader);
    await sleep(1_000);
    expect([later.hits, later.backlogs]).toEqual([[], []]);
    later.socket.disconnect();
  });

  it('sends the next page only once the previous one is acknowledged', { timeout: 30_000 }, async () => {
    const user = await signUpUser(t.baseUrl, 'paced');
    const ids = await seedBacklog(t, user, REPLAY_PAGE_SIZE * 2 + 7);
    const client = await connectHolding(t.baseUrl, user.http.cookieHeader);
    await waitFor(() => client.hits.length === REPLAY_PAGE_SIZE, 5_000, 'the first page');
    await sleep(500);
    expect(client.hits).toHaveLength(REPLAY_PAGE_SIZE);
    client.ackAll();
    await waitFor(() => client.hits.length === REPLAY_PAGE_SIZE * 2, 5_000, 'the second page');
    await sleep(300);
    expect(client.hits).toHaveLength(REPLAY_PAGE_SIZE * 2);
    client.ackAll();
    await waitFor(() => client.hits.length === ids.length, 5_000, 'the last page');
    client.ackAll();
    expect(client.hits.map((h) => h.notificationId)).toEqual(ids);
    await waitFor(async () => (await t.app.db.notification.count({ where: { userId: user.id, deliveredAt: null } })) === 0, 5_000, 'all delivered');
    client.socket.disconnect();
  });

  it('ten parallel connects that never acknowledge get one page each and do not stall the server', { timeout: 60_000 }, async () => {
    const user = await signUpUser(t.baseUrl, 'silent');
    await seedBacklog(t, user, BACKLOG);
    let slowest = 0;
    let probing = true;
    const probe = (async () => {
      while (probing) {
        const started = performance.now();
        expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
        slowest = Math.max(slowest, performance.now() - started);
        await sleep(20);
      }
    })();
    const silent = await Promise.all(Array.from({ length: 10 }, () => connectRecording(t.baseUrl, user.http.cookieHeader, false)));
    await waitFor(() => silent.every((s) => s.hits.length === REPLAY_PAGE_SIZE), 10_000, 'a page each');
    await sleep(1_500);
    probing = false;
    await probe;
    for (const s of silent) {
      expect(s.hits).toHaveLength(REPLAY_PAGE_SIZE);
      expect(s.socket.connected).toBe(true);
      s.socket.disconnect();
    }
    expect(slowest).toBeLessThan(500);
    expect(await t.app.db.notification.count({ where: { userId: user.id, deliveredAt: null } })).toBe(BACKLOG);
  });
});

describe('firing budget per user', () => {
  const BUDGET = 3;
  const ALERTS = 8;
  let sim: Simulator;
  let t: TestApp;
  beforeAll(async () => {
    sim = await createSimulator({ seed: 9, history: 300, ratePerSecond: 0, heartbeatIntervalMs: 200, startPrices: { [PRODUCT]: '50000.00' } });
    t = await startTestApp({
      COINBASE_WS_URL: sim.url,
      COINBASE_REST_URL: sim.restUrl,
      WINDOW: '1m',
      ALERT_LIMIT: '20',
      RATE_LIMIT_AUTH_IP: '1000/1m',
      RATE_LIMIT_ALERT_HITS: `${BUDGET}/1m`,
    });
    sim.trade(PRODUCT, { price: '50000.00' });
    await waitFor(() => t.app.market.snapshot(PRODUCT)?.tradeId === sim.latest(PRODUCT)?.tradeId, 10_000, 'first trade');
  });
  afterAll(async () => {
    await t?.close();
    await sim?.close();
  });

  it('pushes hits up to the budget, sums up the rest in one notice, records every firing, and leaves other users alone', { timeout: 30_000 }, async () => {
    const greedy = await signUpUser(t.baseUrl, 'greedy');
    const other = await signUpUser(t.baseUrl, 'other');
    const alerts = [];
    for (let i = 0; i < ALERTS; i += 1) alerts.push(await greedy.http.createAlert({ product: PRODUCT, basis: 'last', direction: 'above', threshold: `${51000 + i}.00` }));
    const otherAlert = await other.http.createAlert({ product: PRODUCT, basis: 'last', direction: 'above', threshold: '51000.00' });
    const greedyTab = await connectRecording(t.baseUrl, greedy.http.cookieHeader);
    const otherTab = await connectRecording(t.baseUrl, other.http.cookieHeader);
    const coalescedBefore = await readMetric(t.baseUrl, 'tickwatch_alert_hits_coalesced_total');

    sim.trade(PRODUCT, { price: '52000.00' });
    const notice = await waitFor(() => greedyTab.backlogs[0], 10_000, 'the notice');
    expect(notice).toEqual<AlertBacklog>({ undelivered: ALERTS - BUDGET, inboxUrl: '/inbox', replayed: false });
    expect(greedyTab.hits).toHaveLength(BUDGET);
    await waitFor(() => otherTab.hits.length === 1, 5_000, "the other user's hit");
    expect(otherTab.hits[0]?.alertId).toBe(otherAlert.id);
    // Every firing happened exactly once and is recorded; the notice made the rest delivered.
    const rows = await t.app.db.notification.findMany({ where: { userId: greedy.id } });
    expect(rows.map((r) => r.alertId).sort()).toEqual(alerts.map((a) => a.id).sort());
    await waitFor(async () => (await t.app.db.notification.count({ where: { userId: greedy.id, deliveredAt: null } })) === 0, 5_000, 'all delivered');
    expect(await readMetric(t.baseUrl, 'tickwatch_alert_hits_coalesced_total')).toBe(coalescedBefore + ALERTS - BUDGET);
    greedyTab.socket.disconnect();
    otherTab.socket.disconnect();
  });

  it('hits over the budget of a user who is away are replayed on return', { timeout: 30_000 }, async () => {
    sim.trade(PRODUCT, { price: '50000.00' });
    const away = await signUpUser(t.baseUrl, 'away');
    for (let i = 0; i < ALERTS; i += 1) await away.http.createAlert({ product: PRODUCT, basis: 'last', direction: 'below', threshold: `${49000 - i}.00` });
    sim.trade(PRODUCT, { price: '48000.00' });
    await waitFor(async () => (await t.app.db.notification.count({ where: { userId: away.id } })) === ALERTS, 10_000, 'all fired');
    await sleep(1_500); // the notice for the coalesced ones went out to nobody
    const back = await connectRecording(t.baseUrl, away.http.cookieHeader);
    await waitFor(() => back.hits.length === ALERTS, 10_000, 'all replayed');
    expect(back.hits.every((h) => h.replayed)).toBe(true);
    await waitFor(async () => (await t.app.db.notification.count({ where: { userId: away.id, deliveredAt: null } })) === 0, 5_000, 'all delivered');
    back.socket.disconnect();
  });
});
