import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, createSimulator } from '../../server/feed/simulator/create-simulator.ts';
import { readMetric } from '../support/metrics.ts';
import { pgQuery } from '../support/node-cluster.ts';
import { type TestUser, signUpUser } from '../support/sign-up-user.ts';
import { type TestApp, startTestApp } from '../support/test-app.ts';
import { freshPostgresUrl } from '../support/test-database.ts';
import { type TestRedis, sharedTestRedis } from '../support/test-redis.ts';
import { waitFor } from '../support/wait-for.ts';

/**
 * Several nodes on one PostgreSQL database (DESIGN.md section 7): each product's alerts fire on
 * the node holding its lease; an alert made on another node reaches the leader's index; a clean
 * stop hands the lease over at once; a node that lost its lease while it believed it held it
 * commits no firing (fencing). The nodes run in this process, each a whole app.
 */
const PRODUCT = 'BTC-USD';
const LEASE_TTL_MS = 2_000;

let sim: Simulator;
let url: string;
const nodes: TestApp[] = [];

async function startNode(name: string, extra: Record<string, string> = {}): Promise<TestApp> {
  const node = await startTestApp({
    ...extra,
    DATABASE_URL: url,
    NODE_ID: name,
    LEASE_TTL: `${LEASE_TTL_MS / 1000}s`,
    COINBASE_WS_URL: sim.url,
    COINBASE_REST_URL: sim.restUrl,
    WINDOW: '1m',
    PRODUCTS: PRODUCT,
    RATE_LIMIT_AUTH_IP: '1000/1m',
  });
  nodes.push(node);
  return node;
}

const leader = (node: TestApp) => readMetric(node.baseUrl, `tickwatch_product_leader{product="${PRODUCT}"}`);

const query = <T>(sql: string, params: unknown[] = []): Promise<T[]> => pgQuery<T>(url, sql, params);

/** Publishes a trade and waits until every running node applied it. */
async function trade(price: string): Promise<void> {
  const published = sim.trade(PRODUCT, { price, size: '0.01' });
  await waitFor(() => nodes.every((n) => (n.app.market.snapshot(PRODUCT)?.tradeId ?? 0) >= published.tradeId), 10_000, `trade ${price}`);
}

const notifications = async (alertId: string) => (await query<{ n: string }>('SELECT COUNT(*) AS n FROM notification WHERE "alertId" = $1', [alertId]))[0]!.n;

describe('several nodes on one PostgreSQL database', () => {
  let a: TestApp;
  let b: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    url = await freshPostgresUrl();
    sim = await createSimulator({ seed: 9, history: 200, ratePerSecond: 0, heartbeatIntervalMs: 200, startPrices: { [PRODUCT]: '50000.00' } });
  });
  afterEach(async () => {
    for (const node of nodes.splice(0)) await node.close();
  });
  afterAll(async () => {
    await sim?.close();
  });

  async function twoNodes(): Promise<void> {
    a = await startNode('node-a');
    await waitFor(async () => (await leader(a)) === 1, 10_000, 'node-a leads');
    b = await startNode('node-b');
    user = await signUpUser(b.baseUrl, 'cluster');
    await trade('50000.00');
  }

  it('one node leads; an alert made on the other fires once, on the leader, at the next crossing', async () => {
    await twoNodes();
    expect(await leader(b)).toBe(0);
    const [lease] = await query<{ holder: string; epoch: number }>('SELECT holder, epoch FROM product_lease WHERE product = $1', [PRODUCT]);
    // NODE_ID and a mark of the process.
    expect(lease?.holder).toMatch(/^node-a\/[0-9a-f]{8}$/);

    const alert = await user.http.createAlert({ product: PRODUCT, basis: 'last', direction: 'above', threshold: '60000.00' });
    // It reaches the leader's index by the alert sync (about a second).
    await waitFor(() => a.app.evaluator.size() === 1, 5_000, 'the leader indexed the alert');
    await trade('60000.00');
    await waitFor(async () => (await notifications(alert.id)) === '1', 5_000, 'fired');
    await a.app.evaluator.settle();
    await b.app.evaluator.settle();
    expect(await readMetric(a.baseUrl, 'tickwatch_alerts_fired_total')).toBe(1);
    expect(await readMetric(b.baseUrl, 'tickwatch_alerts_fired_total')).toBe(0);
    await trade('61000.00');
    expect(await notifications(alert.id)).toBe('1');
  });

  it("an edit made on another node is never fired on the old terms, even before the leader's index has it", async () => {
    await twoNodes();
    const alert = await user.http.createAlert({ product: PRODUCT, basis: 'last', direction: 'above', threshold: '65000.00' });
    await waitFor(() => a.app.evaluator.size() === 1, 5_000, 'the leader indexed the alert');
    // Moved up on node-b; node-a reads the change only at its next sync (about a second).
    const edited = await user.http.request('PATCH', `/api/alerts/${alert.id}`, { threshold: '90000.00' });
    expect(edited.status).toBe(200);
    expect(((await edited.json()) as { alert: { arming: number } }).alert.arming).toBe(2);
    await trade('66000.00');
    await a.app.evaluator.settle();
    expect(await notifications(alert.id)).toBe('0');
    // The lost update made node-a read the row again: it now holds the new terms.
    await trade('90000.00');
    await waitFor(async () => (await notifications(alert.id)) === '1', 5_000, 'fired on the new terms');
    const [fired] = await query<{ arming: number; value: string }>('SELECT arming, value FROM notification WHERE "alertId" = $1', [alert.id]);
    expect(fired).toEqual({ arming: 2, value: '90000.00000000' });
  });

  it('a clean stop hands the lease over: the other node leads with epoch + 1 and fires', async () => {
    await twoNodes();
    const [before] = await query<{ epoch: number }>('SELECT epoch FROM product_lease WHERE product = $1', [PRODUCT]);
    const alert = await user.http.createAlert({ product: PRODUCT, basis: 'last', direction: 'above', threshold: '70000.00' });
    await a.close();
    nodes.splice(nodes.indexOf(a), 1);
    const stoppedAt = Date.now();
    await waitFor(async () => (await leader(b)) === 1, LEASE_TTL_MS + 1_000, 'node-b leads');
    expect(Date.now() - stoppedAt).toBeLessThan(LEASE_TTL_MS + 1_000);
    const [after] = await query<{ holder: string; epoch: number }>('SELECT holder, epoch FROM product_lease WHERE product = $1', [PRODUCT]);
    expect(after?.holder).toMatch(/^node-b\//);
    expect(after?.epoch).toBe(before!.epoch + 1);
    await trade('70000.00');
    await waitFor(async () => (await notifications(alert.id)) === '1', 5_000, 'fired by node-b');
    expect(await readMetric(b.baseUrl, 'tickwatch_alerts_fired_total')).toBe(1);
  });

  it('a leader whose lease was taken while it still believed it held it commits no firing (fenced, counted)', async () => {
    await twoNodes();
    const alert = await user.http.createAlert({ product: PRODUCT, basis: 'last', direction: 'above', threshold: '80000.00' });
    await waitFor(() => a.app.evaluator.size() === 1, 5_000, 'the leader indexed the alert');
    // Another holder takes the lease behind node-a's back, as after a pause longer than the TTL.
    await query(`UPDATE product_lease SET holder = 'node-z', epoch = epoch + 1, "expiresAt" = (clock_timestamp() AT TIME ZONE 'UTC') + interval '1 hour' WHERE product = $1`, [PRODUCT]);
    await trade('80000.00');
    await waitFor(async () => (await readMetric(a.baseUrl, `tickwatch_firings_fenced_total{product="${PRODUCT}"}`)) === 1, 5_000, 'fenced');
    expect(await notifications(alert.id)).toBe('0');
    expect(await leader(a)).toBe(0);
    const [row] = await query<{ status: string }>('SELECT status FROM alert WHERE id = $1', [alert.id]);
    expect(row?.status).toBe('armed');
  });
});

describe('several nodes with Redis', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    url = await freshPostgresUrl();
    redis = sharedTestRedis();
    sim = await createSimulator({ seed: 10, history: 200, ratePerSecond: 0, heartbeatIntervalMs: 200, startPrices: { [PRODUCT]: '50000.00' } });
  });
  afterEach(async () => {
    for (const node of nodes.splice(0)) await node.close();
  });
  afterAll(async () => {
    await sim?.close();
    await redis?.cleanup();
  });

  it("an alert deleted on another node leaves the leader's index at once (a message; the periodic sync cannot see deletions)", async () => {
    const a = await startNode('node-a', redis.env);
    await waitFor(async () => (await leader(a)) === 1, 10_000, 'node-a leads');
    const b = await startNode('node-b', redis.env);
    const owner = await signUpUser(b.baseUrl, 'cluster-redis');
    const alert = await owner.http.createAlert({ product: PRODUCT, basis: 'last', direction: 'above', threshold: '95000.00' });
    await waitFor(() => a.app.evaluator.size() === 1, 5_000, 'the leader indexed the alert');
    expect((await owner.http.request('DELETE', `/api/alerts/${alert.id}`)).status).toBe(204);
    await waitFor(() => a.app.evaluator.size() === 0, 2_000, 'the leader dropped the deleted alert');
  });
});
