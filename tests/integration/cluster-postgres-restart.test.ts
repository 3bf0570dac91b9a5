import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AlertHit } from '../../lib/realtime/events.ts';
import { type Simulator, createSimulator } from '../../server/feed/simulator/create-simulator.ts';
import { readMetric } from '../support/metrics.ts';
import { type ClusterNode, clusterNodeEnv, isAlive, nodeCluster, pgQuery } from '../support/node-cluster.ts';
import { type PrivatePostgres, startPrivatePostgres } from '../support/private-postgres.ts';
import { expectServerErrors } from '../support/server-error-guard.ts';
import { type TestUser, signUpUser } from '../support/sign-up-user.ts';
import type { RecordingSocket } from '../support/socket-client.ts';
import { type TestRedis, sharedTestRedis } from '../support/test-redis.ts';
import { waitFor } from '../support/wait-for.ts';

/**
 * Several nodes as separate processes (`node --import tsx server/index.ts`, as `npm start`) on a
 * PostgreSQL server of this test's own, restarted while trades flow: stopped (a fast shutdown,
 * as `pg_ctl stop` does: every connection is closed) or crashed (an immediate shutdown: the
 * connections drop, the next start replays the WAL), kept down for a few seconds, started again
 * on the same port and data. DESIGN.md section 7: while it is down nothing fires, no node leads,
 * `/readyz` says the database is not ready; once it is back a leader is elected again, every
 * alert crossed during or after the outage fires exactly once, every user gets each hit once,
 * and no node crashed.
 */
const PRODUCT = 'BTC-USD';
const LEASE_TTL_MS = 2_000;
const BASE = 50_000;
/** How long PostgreSQL stays down: twice LEASE_TTL, so every lease lapses meanwhile. */
const DOWN_MS = 4_000;
/** Every node signs and reads sessions with it: a user signed up on one node is known on all. */
const AUTH_SECRET = 'cluster-postgres-restart-secret-0123456789abcdef';
const LEADER = `tickwatch_product_leader{product="${PRODUCT}"}`;
/** Long enough for an alert made on one node to be in every node's index. */
const INDEXED_MS = 1_500;
/** Thresholds (above, last price): crossed before the restart, while it is down, after it is back, never. */
const THRESHOLDS = { before: BASE + 100, during: BASE + 300, after: BASE + 500, never: BASE + 10_000 } as const;
type Phase = keyof typeof THRESHOLDS;

let sim: Simulator;
let postgres: PrivatePostgres | null = null;
/** A key prefix per test: no node of an earlier test is among the servers the adapter waits for. */
let redis: TestRedis | null = null;
const cluster = nodeCluster({
  product: PRODUCT,
  env: () => clusterNodeEnv({ product: PRODUCT, authSecret: AUTH_SECRET, leaseTtlMs: LEASE_TTL_MS, redisEnv: redis!.env, feed: sim }),
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Measurements, printed with the run. */
const report = (line: string) => void process.stdout.write(`cluster-postgres-restart: ${line}\n`);
const trade = (price: number) => sim.trade(PRODUCT, { price: `${price}.00`, size: '0.01' });

beforeAll(async () => {
  sim = await createSimulator({ seed: 37, history: 200, ratePerSecond: 0, heartbeatIntervalMs: 200, startPrices: { [PRODUCT]: `${BASE}.00` } });
});
afterEach(async () => {
  await cluster.stopAll();
  await postgres?.close();
  postgres = null;
  await redis?.cleanup();
  redis = null;
});
afterAll(async () => {
  await sim?.close();
  cluster.removeDirs();
});

/** A node's `/readyz`: its status code and checks (a request that fails counts as not ready). */
async function readiness(node: ClusterNode): Promise<{ status: number; checks: Record<string, string> }> {
  try {
    const response = await fetch(`${node.baseUrl}/readyz`, { signal: AbortSignal.timeout(5_000) });
    const body = (await response.json()) as { checks?: Record<string, string> };
    return { status: response.status, checks: body.checks ?? {} };
  } catch (error) {
    return { status: 0, checks: { request: String(error) } };
  }
}

/** Notification ids that arrived more than once on one socket without the `replayed` flag. */
function liveDuplicates(socket: RecordingSocket): number[] {
  const live = new Map<number, number>();
  for (const hit of socket.hits) if (!hit.replayed) live.set(hit.notificationId, (live.get(hit.notificationId) ?? 0) + 1);
  return [...live].filter(([, n]) => n > 1).map(([id]) => id);
}

const distinctIds = (hits: AlertHit[]) => [...new Set(hits.map((h) => h.notificationId))].sort((x, y) => x - y);

/**
 * Trades every `gapMs` at `level` plus a few cents, so the price stays on one side of every
 * threshold until the level moves; the trade ids published, in order.
 */
function tradeFlow(gapMs: number) {
  let level = BASE;
  let running = true;
  const ids: number[] = [];
  const done = (async () => {
    for (let k = 0; running && k < 2_000; k++) {
      ids.push(sim.trade(PRODUCT, { price: `${level}.${String(k % 50).padStart(2, '0')}`, size: '0.01' }).tradeId);
      await sleep(gapMs);
    }
  })();
  return {
    ids,
    /** Moves the price to `price` with one trade now; the flow goes on around it. */
    moveTo(price: number): number {
      level = price;
      const { tradeId } = trade(price);
      ids.push(tradeId);
      return tradeId;
    },
    async stop(): Promise<void> {
      running = false;
      await done;
    },
  };
}

describe('several node processes: PostgreSQL restarted while trades flow', () => {
  const OUTCOME =
    'no node leads and /readyz names the database while it is down; then one node leads again, every alert crossed during or after the outage fires exactly once, every user gets each hit once, and no node crashed';
  it(`stopped (a fast shutdown, every connection closed): ${OUTCOME}`, () => restartWhileTrading('fast'));
  it(`crashed (an immediate shutdown, connections dropped, the WAL replayed at the start): ${OUTCOME}`, () => restartWhileTrading('immediate'));
});

/** The cluster on a private PostgreSQL, restarted (`mode`) while trades flow; see the module comment. */
async function restartWhileTrading(mode: 'fast' | 'immediate'): Promise<void> {
  // While PostgreSQL is down, each node's trade writer fails and retries (logged at error, with
  // the delay before the next try) until it is back: that is the retry this test proves.
  expectServerErrors(/^writing trades failed; will retry/);
  // A firing the leader matched in the moment before its renewal failed is retried the same way.
  expectServerErrors({ pattern: /^persisting alert changes failed; will retry/, optional: true });
  // An acknowledgement being recorded at the moment of the stop fails; that hit is replayed
  // (flagged) once the database is back, which the per-user check below allows.
  expectServerErrors({ pattern: /^recording deliveries failed; they will be replayed/, optional: true });

  redis = sharedTestRedis();
  postgres = await startPrivatePostgres();
  const url = postgres.url('tickwatch');
  // The nodes make the database themselves (the migrations at start).
  const nodes = await cluster.start(['node-1', 'node-2', 'node-3'], url);
  await cluster.applied(nodes, trade(BASE).tradeId, 'the base trade on every node');
  const first = await cluster.leaderOf(nodes);

  const USERS = 6;
  const users: TestUser[] = await Promise.all(Array.from({ length: USERS }, (_, u) => signUpUser(nodes[u % nodes.length]!.baseUrl, 'pg-restart')));
  const alerts: Array<{ id: string; userId: string; phase: Phase }> = [];
  for (const user of users) {
    for (const phase of Object.keys(THRESHOLDS) as Phase[]) {
      const alert = await user.http.createAlert({ product: PRODUCT, basis: 'last', direction: 'above', threshold: `${THRESHOLDS[phase]}.00` });
      alerts.push({ id: alert.id, userId: user.id, phase });
    }
  }
  await sleep(INDEXED_MS);
  // Each user's tab on a node in turn: two on the leader, four elsewhere.
  const tabs = await Promise.all(users.map(async (user, u) => ({ user, node: nodes[u % nodes.length]!, socket: await cluster.connect(nodes[u % nodes.length]!, user) })));

  const notified = async (phase: Phase) => {
    const ids = alerts.filter((a) => a.phase === phase).map((a) => a.id);
    return (await pgQuery<{ n: string }>(url, 'SELECT COUNT(*) AS n FROM notification WHERE "alertId" = ANY($1)', [ids])).map((r) => Number(r.n))[0] ?? 0;
  };

  const delivered = async (phase: Phase) => {
    const ids = alerts.filter((a) => a.phase === phase).map((a) => a.id);
    const sql = 'SELECT COUNT(*) AS n FROM notification WHERE "alertId" = ANY($1) AND "deliveredAt" IS NOT NULL';
    return (await pgQuery<{ n: string }>(url, sql, [ids])).map((r) => Number(r.n))[0] ?? 0;
  };

  const flow = tradeFlow(100);
  try {
    // Before: the cluster fires.
    flow.moveTo(THRESHOLDS.before + 50);
    await waitFor(async () => (await notified('before')) === USERS, 10_000, "the 'before' alerts fired");
    // ... and their hits acknowledged and recorded as delivered, before the stop.
    await waitFor(async () => (await delivered('before')) === USERS, 10_000, "the 'before' hits recorded as delivered");

    // Down.
    await postgres.stop(mode);
    const stoppedAt = Date.now();
    const firedBefore = await Promise.all(nodes.map((n) => readMetric(n.baseUrl, 'tickwatch_alerts_fired_total')));
    // Crossed while it is down; the price stays above until it is back.
    flow.moveTo(THRESHOLDS.during + 50);

    const noLeaderAfter = await waitFor(
      async () => {
        for (const node of nodes) if ((await readMetric(node.baseUrl, LEADER)) !== 0) return undefined;
        return Date.now() - stoppedAt;
      },
      LEASE_TTL_MS + 1_000,
      'every node to step down (tickwatch_product_leader 0)',
    );
    report(`${mode}: no node leads ${noLeaderAfter} ms after the stop (LEASE_TTL ${LEASE_TTL_MS} ms; ${first.name} led)`);
    const notReadyAfter = await waitFor(
      async () => {
        const states = await Promise.all(nodes.map(readiness));
        return states.every((s) => s.status === 503 && s.checks.database !== undefined && s.checks.database !== 'ok') ? Date.now() - stoppedAt : undefined;
      },
      LEASE_TTL_MS + 3_000,
      "every node's /readyz 503 with its database check failing",
    );
    report(`${mode}: every /readyz 503 naming the database ${notReadyAfter} ms after the stop`);

    // Down for DOWN_MS in all, trades flowing: nobody fires, nobody crashes, nobody leads.
    while (Date.now() - stoppedAt < DOWN_MS) {
      for (const node of nodes) {
        expect(isAlive(node), `${node.name} alive while PostgreSQL is down`).toBe(true);
        expect(await readMetric(node.baseUrl, LEADER), `${node.name} leads while PostgreSQL is down`).toBe(0);
        expect((await fetch(`${node.baseUrl}/healthz`)).status).toBe(200);
      }
      await sleep(250);
    }
    expect(await Promise.all(nodes.map((n) => readMetric(n.baseUrl, 'tickwatch_alerts_fired_total')))).toEqual(firedBefore);

    // Back, on the same port and data.
    await postgres.start();
    const startedAt = Date.now();
    const leader = await cluster.leaderOf(nodes);
    report(`${mode}: started after ${startedAt - stoppedAt} ms down: ${leader.name} leads ${Date.now() - startedAt} ms after the start`);
    await waitFor(async () => (await Promise.all(nodes.map(readiness))).every((s) => s.status === 200), 15_000, 'every node ready again');
    report(`${mode}: started: every /readyz 200 ${Date.now() - startedAt} ms after the start`);
    // Crossed during the outage, the price still above: fired once it is back.
    await waitFor(async () => (await notified('during')) === USERS, 10_000, "the 'during' alerts fired after the restart");

    // After: a crossing trade fires.
    flow.moveTo(THRESHOLDS.after + 50);
    await waitFor(async () => (await notified('after')) === USERS, 10_000, "the 'after' alerts fired");
  } finally {
    await flow.stop();
  }
  const last = trade(BASE + 600).tradeId;
  await cluster.applied(nodes, last, 'the last trade on every node');

  // Exactly once each, by the database; the never-crossed alerts not at all.
  await sleep(1_000);
  const perAlert = new Map(
    (await pgQuery<{ id: string; n: string }>(url, 'SELECT a.id, COUNT(n.id) AS n FROM alert a LEFT JOIN notification n ON n."alertId" = a.id GROUP BY a.id')).map((r) => [r.id, Number(r.n)]),
  );
  expect(alerts.filter((a) => perAlert.get(a.id) !== (a.phase === 'never' ? 0 : 1)).map((a) => ({ ...a, notifications: perAlert.get(a.id) }))).toEqual([]);

  // Nothing lost: every trade of the flow, those published while PostgreSQL was down included, is stored.
  const wanted = [...flow.ids, last];
  await waitFor(
    async () => Number((await pgQuery<{ n: string }>(url, 'SELECT COUNT(*) AS n FROM trade WHERE product = $1 AND "tradeId" = ANY($2)', [PRODUCT, wanted]))[0]?.n) === wanted.length,
    10_000,
    `every one of the ${wanted.length} trades of the flow stored`,
  );

  // Every user gets each of their hits (by notification id), live or replayed, and none twice live.
  const rows = await pgQuery<{ id: number; userId: string }>(url, 'SELECT id, "userId" FROM notification');
  const expected = new Map(users.map((u) => [u.id, [] as number[]]));
  for (const row of rows) expected.get(row.userId)!.push(Number(row.id));
  for (const ids of expected.values()) ids.sort((x, y) => x - y);
  await waitFor(() => tabs.every((tab) => distinctIds(tab.socket.hits).length >= expected.get(tab.user.id)!.length), 10_000, 'every user has all their hits');
  await sleep(500);
  for (const tab of tabs) {
    expect(distinctIds(tab.socket.hits), tab.user.email).toEqual(expected.get(tab.user.id));
    expect(liveDuplicates(tab.socket), tab.user.email).toEqual([]);
    expect(tab.socket.socket.connected, `${tab.user.email}'s socket stayed connected`).toBe(true);
  }
  const hits = tabs.flatMap((t) => t.socket.hits);
  report(`${mode}: ${hits.length} hits received (${hits.filter((h) => h.replayed).length} replayed) for ${rows.length} notifications of ${USERS} users`);

  // No node crashed; exactly one leads.
  for (const node of nodes) expect(isAlive(node), `${node.name} alive`).toBe(true);
  expect((await Promise.all(nodes.map((n) => cluster.leads(n)))).filter(Boolean)).toHaveLength(1);
}
