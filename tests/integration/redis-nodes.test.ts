import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PriceTick } from '../../lib/realtime/events.ts';
import { type Simulator, createSimulator } from '../../server/feed/simulator/create-simulator.ts';
import { expectRateLimited } from '../support/expect-rate-limited.ts';
import { uniqueEmail } from '../support/http-client.ts';
import { readMetric } from '../support/metrics.ts';
import { requestFrom } from '../support/request-from.ts';
import { expectServerErrors } from '../support/server-error-guard.ts';
import { type TestUser, signUpUser } from '../support/sign-up-user.ts';
import { type RecordingSocket, connectRecording } from '../support/socket-client.ts';
import { freePort, spawnServer } from '../support/spawn-server.ts';
import { type TestApp, startTestApp } from '../support/test-app.ts';
import { type PrivateRedis, type TestRedis, sharedTestRedis, startPrivateRedis } from '../support/test-redis.ts';
import { waitFor } from '../support/wait-for.ts';
import { oracleWindow } from '../support/window-oracle.ts';

/**
 * Several nodes on one Redis (REDIS_URL): two apps on the same database and the same Redis are
 * two nodes. Hits reach a user's sockets on every node, ticks stay on the node that computed
 * them, rate limits count across nodes, and a Redis outage degrades to one node's reach and
 * recovers by itself.
 */

const PRODUCT = 'BTC-USD';
/** Sign-in attempts per address and minute: the rate-limit test spends it from its own address. */
const IP_LIMIT = 10;

const sockets: RecordingSocket[] = [];
async function connect(node: TestApp, user: TestUser): Promise<RecordingSocket> {
  const socket = await connectRecording(node.baseUrl, user.http.cookieHeader);
  sockets.push(socket);
  return socket;
}

/** Publishes a trade and waits until every node applied it. */
async function trade(sim: Simulator, nodes: TestApp[], price: string): Promise<void> {
  const published = sim.trade(PRODUCT, { price, size: '0.01' });
  for (const node of nodes) {
    await waitFor(() => (node.app.market.snapshot(PRODUCT)?.tradeId ?? 0) >= published.tradeId, 10_000, `trade ${price} on a node`);
  }
}

async function readiness(node: TestApp): Promise<{ status: number; checks: Record<string, string> }> {
  const response = await fetch(`${node.baseUrl}/readyz`);
  return { status: response.status, checks: ((await response.json()) as { checks: Record<string, string> }).checks };
}

/**
 * The node that fires the product's alerts, then the other. With product leases (several nodes
 * on PostgreSQL) that is the lease holder; without (SQLite) each node fires the alerts created
 * through it, and the tests create theirs through the node returned first: A.
 */
async function firingNodeFirst(a: TestApp, b: TestApp): Promise<[TestApp, TestApp]> {
  const leader = `tickwatch_product_leader{product="${PRODUCT}"}`;
  const leases = (await (await fetch(`${a.baseUrl}/metrics`)).text()).includes(leader);
  if (!leases) return [a, b];
  return waitFor(
    async () => ((await readMetric(a.baseUrl, leader)) === 1 ? [a, b] : (await readMetric(b.baseUrl, leader)) === 1 ? [b, a] : undefined),
    10_000,
    'a lease holder',
  );
}

function signInFrom(ip: string, node: TestApp) {
  return requestFrom(ip, `${node.baseUrl}/api/auth/sign-in/email`, {
    method: 'POST',
    headers: { origin: node.baseUrl, 'content-type': 'application/json' },
    body: JSON.stringify({ email: uniqueEmail('limited'), password: 'wrong password!' }),
  });
}

function simulator(seed: number): Promise<Simulator> {
  return createSimulator({ seed, history: 300, ratePerSecond: 0, heartbeatIntervalMs: 200, startPrices: { [PRODUCT]: '50000.00' } });
}

/** Starts node A, then node B on A's database; `windows` are their WINDOW settings. */
async function startNodes(sim: Simulator, redis: TestRedis, windows: [string, string]): Promise<[TestApp, TestApp]> {
  const env = {
    COINBASE_WS_URL: sim.url,
    COINBASE_REST_URL: sim.restUrl,
    RATE_LIMIT_AUTH_IP: `${IP_LIMIT}/1m`,
    ...redis.env,
  };
  const a = await startTestApp({ ...env, WINDOW: windows[0] });
  const b = await startTestApp({ ...env, WINDOW: windows[1] }, { dataDir: a.dataDir, keepData: true });
  sim.trade(PRODUCT, { price: '50000.00' });
  for (const node of [a, b]) {
    await waitFor(() => node.app.market.snapshot(PRODUCT)?.tradeId === sim.latest(PRODUCT)?.tradeId, 10_000, 'the first trade on a node');
  }
  return [a, b];
}

afterAll(() => {
  for (const socket of sockets) socket.socket.disconnect();
});

describe('two nodes on one Redis', () => {
  const WINDOW_A_MS = 60_000;
  const WINDOW_B_MS = 2_000;
  const redis = sharedTestRedis();
  let sim: Simulator;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    sim = await simulator(11);
    [a, b] = await startNodes(sim, redis, ['1m', '2s']);
  });
  afterAll(async () => {
    // B first: it shares A's data dir, which A removes.
    await b?.close();
    await a?.close();
    await sim?.close();
    await redis.cleanup();
  });

  it('are both ready with a redis check, and report the connection in the metrics', async () => {
    for (const node of [a, b]) {
      expect(await readiness(node)).toMatchObject({ status: 200, checks: { database: 'ok', feed: 'ok', redis: 'ok' } });
      expect(await readMetric(node.baseUrl, 'tickwatch_redis_connected')).toBe(1);
    }
  });

  it('deliver an alert:hit fired on one node to the user\'s socket on the other exactly once, and that node\'s ack marks it delivered', async () => {
    const [firing, other] = await firingNodeFirst(a, b);
    const user = await signUpUser(firing.baseUrl, 'cross-node');
    const onOther = await connect(other, user);
    // Created through the firing node, whose alert index has it at once.
    const alert = await user.http.createAlert({ product: PRODUCT, basis: 'last', direction: 'above', threshold: '50100.00' });
    await trade(sim, [a, b], '50200.00');
    await waitFor(() => onOther.hits.length > 0, 10_000, 'the hit on the other node');
    // Long enough for a second copy (another node's, a replay) to arrive.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(onOther.hits).toHaveLength(1);
    expect(onOther.hits[0]).toMatchObject({ alertId: alert.id, replayed: false, value: '50200.00000000' });
    expect(await readMetric(firing.baseUrl, 'tickwatch_alerts_fired_total')).toBe(1);
    expect(await readMetric(other.baseUrl, 'tickwatch_alerts_fired_total')).toBe(0);
    const notification = await waitFor(
      async () => {
        const row = await firing.app.db.notification.findFirst({ where: { alertId: alert.id } });
        return row?.deliveredAt ? row : undefined;
      },
      5_000,
      'the notification marked delivered',
    );
    expect(notification.id).toBe(onOther.hits[0]?.notificationId);
  });

  it('tick only from their own window: a client on A gets A\'s ticks over a burst, in order, none twice, none of B\'s', async () => {
    const user = await signUpUser(a.baseUrl, 'ticks');
    const onA = await connect(a, user);
    const onB = await connect(b, user);
    await onA.subscribe([PRODUCT]);
    await onB.subscribe([PRODUCT]);
    // Trades older than B's 2 s window but inside A's minute: the two windows now differ.
    await trade(sim, [a, b], '50010.00');
    await new Promise((resolve) => setTimeout(resolve, WINDOW_B_MS + 500));
    const fromA = onA.ticks.length;
    const fromB = onB.ticks.length;
    const started = Date.now();
    const published = [];
    for (let i = 0; i < 40; i += 1) {
      published.push(sim.trade(PRODUCT, { price: (50020 + i).toFixed(2), size: '0.01' }));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const last = published.at(-1)!;
    await waitFor(() => onA.lastTick(PRODUCT)?.tradeId === last.tradeId, 10_000, 'the last tick on A');
    await waitFor(() => onB.lastTick(PRODUCT)?.tradeId === last.tradeId, 10_000, 'the last tick on B');
    const elapsedMs = Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 600));

    const history = sim.history(PRODUCT);
    const check = (ticks: PriceTick[], windowMs: number, otherMs: number) => {
      const ids = ticks.map((t) => t.tradeId);
      // Strictly increasing: no tick twice, none out of order (two nodes' ticks would interleave).
      expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!), ids.join(',')).toBe(true);
      // Coalesced to at most one per 250 ms, and this node's only.
      expect(ticks.length).toBeLessThanOrEqual(Math.ceil(elapsedMs / 250) + 2);
      for (const tick of ticks) {
        const at = history.find((t) => t.tradeId === tick.tradeId)!;
        const mine = oracleWindow(history, at, windowMs);
        expect({ count: tick.count, mean: tick.mean, vwap: tick.vwap }).toEqual(mine);
        expect(oracleWindow(history, at, otherMs).count).not.toBe(mine.count);
      }
    };
    const burstA = onA.ticks.slice(fromA);
    const burstB = onB.ticks.slice(fromB);
    expect(burstA.length).toBeGreaterThan(2);
    check(burstA, WINDOW_A_MS, WINDOW_B_MS);
    check(burstB, WINDOW_B_MS, WINDOW_A_MS);
  });

  it('count a rate limit across nodes: sign-in attempts from one address spent half on A and half on B, the next is refused on either', async () => {
    const ip = '127.0.0.77';
    for (const node of [a, b]) {
      for (let i = 0; i < IP_LIMIT / 2; i += 1) expect((await signInFrom(ip, node)).status).toBe(401);
    }
    expectRateLimited(await signInFrom(ip, a), /^Too many sign-in attempts from your address\./);
    expectRateLimited(await signInFrom(ip, b), /^Too many sign-in attempts from your address\./);
    // Counted in Redis under this deployment's prefix.
    expect(await redis.keys()).toContain(`${redis.prefix}rate-limit:auth-ip:ip:${ip}`);
  });

  it('disconnect a session\'s socket on node B when it signs out on node A, and nobody else\'s', async () => {
    const user = await signUpUser(a.baseUrl, 'sign-out');
    const other = await signUpUser(a.baseUrl, 'stays');
    const onB = await connect(b, user);
    const othersOnB = await connect(b, other);
    let reason = '';
    onB.socket.once('disconnect', (why) => void (reason = why));
    expect((await user.http.request('POST', '/api/auth/sign-out', {})).status).toBe(200);
    await waitFor(() => reason !== '', 5_000, 'the socket on B disconnected');
    expect(reason).toBe('io server disconnect');
    expect(othersOnB.socket.connected).toBe(true);
  });
});

describe('a Redis outage', () => {
  let server: PrivateRedis;
  let sim: Simulator;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    server = await startPrivateRedis(4);
    sim = await simulator(12);
    [a, b] = await startNodes(sim, server.redis, ['1m', '1m']);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await sim?.close();
    await server?.close();
  });

  it('makes /readyz say redis is not ready, keeps local delivery and in-memory limits going, and recovers by itself with the missed hit replayed', async () => {
    // Each node logs the loss once, at error level: that is the outage this test makes.
    expectServerErrors(/^lost the connection to Redis/);
    const [firing, other] = await firingNodeFirst(a, b);
    const local = await signUpUser(firing.baseUrl, 'local');
    const remote = await signUpUser(firing.baseUrl, 'remote');
    const localTab = await connect(firing, local);
    const remoteTab = await connect(other, remote);
    // Both alerts fire on the firing node ("A", created through it); the remote user's only
    // socket is on the other ("B").
    const localAlert = await local.http.createAlert({ product: PRODUCT, basis: 'last', direction: 'above', threshold: '50100.00' });
    const remoteAlert = await remote.http.createAlert({ product: PRODUCT, basis: 'last', direction: 'above', threshold: '50100.00' });
    expect((await readiness(firing)).checks.redis).toBe('ok');

    await server.kill();
    for (const node of [a, b]) {
      await waitFor(async () => (await readiness(node)).checks.redis === 'not ready', 10_000, 'redis not ready');
      expect((await readiness(node)).status).toBe(503);
      expect(await readMetric(node.baseUrl, 'tickwatch_redis_connected')).toBe(0);
    }

    // Local delivery goes on: A's own socket gets its hit at once.
    await trade(sim, [a, b], '50200.00');
    await waitFor(() => localTab.hits.length > 0, 5_000, 'the local hit during the outage');
    expect(localTab.hits[0]).toMatchObject({ alertId: localAlert.id, replayed: false });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(remoteTab.hits).toHaveLength(0);

    // The limits fall back to each node's memory: neither open nor closed.
    const ip = '127.0.0.88';
    for (let i = 0; i < IP_LIMIT; i += 1) expect((await signInFrom(ip, firing)).status).toBe(401);
    expectRateLimited(await signInFrom(ip, firing), /^Too many sign-in attempts from your address\./);

    await server.restart();
    for (const node of [a, b]) {
      await waitFor(async () => (await readiness(node)).status === 200, 15_000, 'ready again');
      expect((await readiness(node)).checks.redis).toBe('ok');
      expect(await readMetric(node.baseUrl, 'tickwatch_redis_connected')).toBe(1);
      expect(await readMetric(node.baseUrl, 'tickwatch_redis_connection_losses_total')).toBeGreaterThanOrEqual(1);
    }
    // The other node replays what its user missed, once.
    await waitFor(() => remoteTab.hits.length > 0, 10_000, 'the missed hit replayed on the other node');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(remoteTab.hits).toHaveLength(1);
    expect(remoteTab.hits[0]).toMatchObject({ alertId: remoteAlert.id, replayed: true });
    expect(localTab.hits).toHaveLength(1);

    // Cross-node delivery works again.
    const again = await remote.http.createAlert({ product: PRODUCT, basis: 'last', direction: 'above', threshold: '50300.00' });
    await trade(sim, [a, b], '50400.00');
    await waitFor(() => remoteTab.hits.length > 1, 10_000, 'a live hit across nodes after the outage');
    expect(remoteTab.hits[1]).toMatchObject({ alertId: again.id, replayed: false });
  });
});

describe('start-up with REDIS_URL', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function startupFailure(env: Record<string, string>): Promise<{ code: number | string; output: string }> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickwatch-redis-'));
    dirs.push(dir);
    const server = spawnServer({ DATA_DIR: dir, DATABASE_URL: `file:${dir}/tickwatch.db`, ...env });
    const code = await server.exited;
    return { code, output: server.output().trim() };
  }

  it('stops with exit code 1 and one line, without the password, when Redis cannot be reached', async () => {
    const port = await freePort();
    const { code, output } = await startupFailure({ REDIS_URL: `redis://:hunter2@127.0.0.1:${port}/3` });
    expect(code).toBe(1);
    expect(output).toBe(`tickwatch: cannot use Redis at redis://127.0.0.1:${port}/3 (REDIS_URL): connect ECONNREFUSED 127.0.0.1:${port}`);
  });

  it('stops with exit code 1 and one line on a REDIS_URL that is not a Redis URL, without the password', async () => {
    const { code, output } = await startupFailure({ REDIS_URL: 'http://user:hunter2@cache.internal:6379' });
    expect(code).toBe(1);
    expect(output).toBe('tickwatch: REDIS_URL must be a redis:// or rediss:// URL such as redis://host:6379 or redis://host:6379/2 (got "http://user:***@cache.internal:6379/")');
  });

  it('without REDIS_URL: no redis check and no redis metrics', async () => {
    const t = await startTestApp();
    try {
      expect((await readiness(t)).checks).not.toHaveProperty('redis');
      expect(await (await fetch(`${t.baseUrl}/metrics`)).text()).not.toContain('tickwatch_redis');
    } finally {
      await t.close();
    }
  });
});
