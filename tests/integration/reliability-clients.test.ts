import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, createSimulator } from '../../server/feed/simulator/create-simulator.ts';
import { MAX_UNSENT_PACKETS } from '../../server/realtime/slow-client-guard.ts';
import { unsentPackets } from '../../server/realtime/unsent-packets.ts';
import { expectExactTick } from '../support/exact-tick.ts';
import { HttpClient, uniqueEmail } from '../support/http-client.ts';
import { readMetric } from '../support/metrics.ts';
import { connectRaw } from '../support/raw-socket.ts';
import { type RecordingSocket, connectRecording } from '../support/socket-client.ts';
import { type TestApp, startTestApp } from '../support/test-app.ts';
import { waitFor } from '../support/wait-for.ts';

/**
 * Browser-side faults against the real server: a thousand sockets at once, a client that stops
 * reading, and a browser that was offline while its alerts fired.
 */
const PRODUCT = 'BTC-USD';
const BASE = '50000.00';
const WINDOW_MS = 60_000;

/** A thousand sockets of ten accounts from one address at once: above the default socket caps on purpose. */
const CROWD_LIMITS = { SOCKET_LIMIT_ACCOUNT: '200', SOCKET_LIMIT_IP: '2000', SOCKET_LIMIT_IP_ANONYMOUS: '2000', SOCKET_CONNECT_TIMEOUT: '60s' };
/** The client that never reads floods requests to fill its buffers: that flood is not what this suite tests (socket-floods.test.ts does). */
const NO_FLOOD_LIMIT = { RATE_LIMIT_SOCKET_EVENTS: '100000/1s' };

let sim: Simulator;
let t: TestApp;
let watcher: RecordingSocket;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const metric = (sample: string): Promise<number> => readMetric(t.baseUrl, sample);

async function signedUp(prefix: string): Promise<HttpClient> {
  const http = new HttpClient(t.baseUrl);
  const response = await http.signUp(uniqueEmail(prefix));
  expect(response.status).toBe(200);
  return http;
}

beforeAll(async () => {
  sim = await createSimulator({ seed: 31, history: 300, ratePerSecond: 0, heartbeatIntervalMs: 200, startPrices: { [PRODUCT]: BASE } });
  // A thousand sockets from one address is what this suite does on purpose: above the default per-address cap.
  t = await startTestApp({ COINBASE_WS_URL: sim.url, COINBASE_REST_URL: sim.restUrl, WINDOW: '1m', RATE_LIMIT_AUTH_IP: '1000/1m', ...CROWD_LIMITS, ...NO_FLOOD_LIMIT, MAX_CONNECTIONS_PER_IP: '2000' });
  watcher = await connectRecording(t.baseUrl, (await signedUp('watcher')).cookieHeader);
  expect(await watcher.subscribe([PRODUCT])).toMatchObject({ ok: true });
  sim.trade(PRODUCT, { price: BASE });
  await expectExactTick(sim, watcher, PRODUCT, WINDOW_MS);
});
afterAll(async () => {
  watcher?.socket.disconnect();
  await t?.close();
  await sim?.close();
});

describe('client faults', () => {
  it('1,000 sockets connecting at once: all are admitted, all get the newest tick, hits reach only their user', { timeout: 120_000 }, async () => {
    const users = await Promise.all(Array.from({ length: 10 }, () => signedUp('crowd')));
    const alert = await users[0]!.createAlert({ product: PRODUCT, basis: 'last', direction: 'above', threshold: '60000.00' });
    const before = await metric('tickwatch_sockets_connected');
    const crowd = await Promise.all(Array.from({ length: 1000 }, (_, i) => connectRecording(t.baseUrl, users[i % users.length]!.cookieHeader)));
    try {
      expect(await metric('tickwatch_sockets_connected')).toBe(before + 1000);
      const acks = await Promise.all(crowd.map((s) => s.subscribe([PRODUCT])));
      expect(acks.every((a) => a.ok)).toBe(true);
      expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);

      const spike = sim.trade(PRODUCT, { price: '61000.00' });
      sim.trade(PRODUCT, { price: BASE });
      const latest = sim.latest(PRODUCT)!;
      await waitFor(() => crowd.every((s) => s.lastTick(PRODUCT)?.tradeId === latest.tradeId), 30_000, 'every socket on the newest tick');
      // The hit goes to each of the owner's 100 tabs, once each, and to nobody else.
      await waitFor(() => crowd.filter((s, i) => i % users.length === 0 && s.hits.length === 1).length === 100, 20_000, "the owner's tabs hit");
      crowd.forEach((s, i) => expect(s.hits.map((h) => [h.alertId, h.tradeId])).toEqual(i % users.length === 0 ? [[alert.id, spike.tradeId]] : []));
      await expectExactTick(sim, watcher, PRODUCT, WINDOW_MS);
    } finally {
      for (const s of crowd) s.socket.disconnect();
    }
    await waitFor(async () => (await metric('tickwatch_sockets_connected')) === before, 10_000, 'the crowd gone');
  });

  it('a client that never reads: its ticks are held one per product, its backlog is capped by closing it, others are unaffected', { timeout: 120_000 }, async () => {
    const user = await signedUp('slow');
    const slow = await connectRaw(t.baseUrl, user.cookieHeader);
    slow.emit('price:subscribe', { products: [PRODUCT] }, 1);
    const serverSide = () => t.app.realtime.io.sockets.sockets.get(slow.id);
    await waitFor(() => serverSide()?.rooms.has(`product:${PRODUCT}`), 5_000, 'the slow socket subscribed');
    slow.pauseReading();
    const droppedBefore = await metric('tickwatch_slow_clients_dropped_total');
    const heapBefore = process.memoryUsage().heapUsed;

    let maxUnsent = 0;
    const sampler = setInterval(() => {
      const socket = serverSide();
      if (socket) maxUnsent = Math.max(maxUnsent, unsentPackets(socket));
    }, 2);
    let ackId = 2;
    /** Requests whose replies it never reads; bounded in rounds. */
    async function flood(until: () => boolean): Promise<void> {
      for (let round = 0; round < 400 && !until(); round += 1) {
        for (let i = 0; i < 200; i += 1) slow.emit('price:subscribe', { products: [PRODUCT] }, (ackId += 1));
        await sleep(10);
      }
    }
    try {
      // Until the kernel buffers on both ends are full and replies start to queue in the server.
      await flood(() => (serverSide() ? unsentPackets(serverSide()!) > 10 : true));
      const socket = serverSide();
      expect(socket, 'the slow socket is still connected below the cap').toBeDefined();
      const queued = unsentPackets(socket!);
      expect(queued).toBeGreaterThan(10);

      // Trades keep coming: the stalled connection gets no more packets, one tick waits for it.
      for (let i = 0; i < 8; i += 1) {
        sim.trades(PRODUCT, 20);
        await sleep(300);
      }
      expect(unsentPackets(serverSide()!)).toBe(queued);
      expect(t.app.realtime.pendingTickSockets()).toBe(1);
      await expectExactTick(sim, watcher, PRODUCT, WINDOW_MS);

      // More requests it never reads: closed once its backlog passes the cap, not before.
      await flood(() => serverSide() === undefined);
      expect(serverSide()).toBeUndefined();
    } finally {
      clearInterval(sampler);
      slow.ws.terminate();
    }
    expect(maxUnsent).toBeLessThanOrEqual(MAX_UNSENT_PACKETS);
    expect(await metric('tickwatch_slow_clients_dropped_total')).toBe(droppedBefore + 1);
    expect(t.app.realtime.pendingTickSockets()).toBe(0);
    // Bounded: the backlog was capped, not grown to the size of the flood (tens of MB of replies).
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
    sim.trade(PRODUCT);
    await expectExactTick(sim, watcher, PRODUCT, WINDOW_MS);
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
  });

  it('a browser offline while its alerts fire (its socket silently dead) gets each missed hit once on its return', { timeout: 60_000 }, async () => {
    const user = await signedUp('offline');
    const first = await user.createAlert({ product: PRODUCT, basis: 'last', direction: 'above', threshold: '62000.00' });
    const second = await user.createAlert({ product: PRODUCT, basis: 'last', direction: 'below', threshold: '40000.00' });
    // The network goes away without a close: the server still thinks the tab is there.
    const dead = await connectRaw(t.baseUrl, user.cookieHeader);
    dead.pauseReading();
    const firstSpike = sim.trade(PRODUCT, { price: '63000.00' });
    sim.trade(PRODUCT, { price: BASE });
    const secondSpike = sim.trade(PRODUCT, { price: '39000.00' });
    sim.trade(PRODUCT, { price: BASE });
    await waitFor(async () => (await t.app.db.notification.count({ where: { alertId: { in: [first.id, second.id] } } })) === 2, 10_000, 'both fired');

    // Back online: a new connection before the dead one's acknowledgement timed out.
    const back = await connectRecording(t.baseUrl, user.cookieHeader);
    await waitFor(() => back.hits.length === 2, 10_000, 'the missed hits');
    expect(back.hits.map((h) => [h.alertId, h.tradeId, h.replayed])).toEqual([
      [first.id, firstSpike.tradeId, true],
      [second.id, secondSpike.tradeId, true],
    ]);
    await waitFor(async () => (await t.app.db.notification.count({ where: { alertId: { in: [first.id, second.id] }, deliveredAt: null } })) === 0, 5_000, 'delivered');
    back.socket.disconnect();
    dead.ws.terminate();

    // And never again: the next visit replays nothing.
    const later = await connectRecording(t.baseUrl, user.cookieHeader);
    await sleep(1_000);
    expect(later.hits).toEqual([]);
    later.socket.disconnect();
  });
});
