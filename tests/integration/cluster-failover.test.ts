import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AlertHit } from '../../lib/realtime/events.ts';
import { type Simulator, createSimulator } from '../../server/feed/simulator/create-simulator.ts';
import { readMetric } from '../support/metrics.ts';
import { type ClusterNode, clusterNodeEnv, isAlive, nodeCluster, pgQuery } from '../support/node-cluster.ts';
import { expectServerErrors } from '../support/server-error-guard.ts';
import { type TestUser, signUpUser } from '../support/sign-up-user.ts';
import type { RecordingSocket } from '../support/socket-client.ts';
import { freePort, spawnServer } from '../support/spawn-server.ts';
import { freshPostgresUrl } from '../support/test-database.ts';
import { sharedTestRedis } from '../support/test-redis.ts';
import { waitFor } from '../support/wait-for.ts';

/**
 * Several nodes as separate processes (`node --import tsx server/index.ts`, as `npm start`) on
 * one PostgreSQL database and one Redis, fed by one simulator in this process: the firing
 * leader killed (SIGKILL) in the middle of a burst that crosses hundreds of alerts, killed while
 * a firing commits, paused (SIGSTOP) past LEASE_TTL in the middle of a firing; and a start on a
 * PostgreSQL that cannot be reached. DESIGN.md section 7: another node fires within
 * LEASE_TTL + 1 s, nothing twice, nothing missed, and every user gets every hit.
 */
const PRODUCT = 'BTC-USD';
const LEASE_TTL_MS = 2_000;
const BASE = 50_000;
/** Every node signs and reads sessions with it: a user signed up on one node is known on all. */
const AUTH_SECRET = 'cluster-failover-test-secret-0123456789abcdef';
const FENCED = `tickwatch_firings_fenced_total{product="${PRODUCT}"}`;
const FIRED = 'tickwatch_alerts_fired_total';
/** Long enough for an alert made on one node to be in every node's index. */
const INDEXED_MS = 1_500;

let sim: Simulator;
const redis = sharedTestRedis();
const cluster = nodeCluster({
  product: PRODUCT,
  env: () => clusterNodeEnv({ product: PRODUCT, authSecret: AUTH_SECRET, leaseTtlMs: LEASE_TTL_MS, redisEnv: redis.env, feed: sim }),
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Measurements, printed with the run. */
const report = (line: string) => void process.stdout.write(`cluster-failover: ${line}\n`);
const trade = (price: number) => sim.trade(PRODUCT, { price: `${price}.00`, size: '0.01' });

beforeAll(async () => {
  sim = await createSimulator({ seed: 31, history: 200, ratePerSecond: 0, heartbeatIntervalMs: 200, startPrices: { [PRODUCT]: `${BASE}.00` } });
});
afterEach(() => cluster.stopAll());
afterAll(async () => {
  await sim?.close();
  await redis.cleanup();
  cluster.removeDirs();
});

/** Nodes on a fresh database, the base trade applied on each, and which one leads. */
async function startCluster(names: string[]): Promise<{ url: string; nodes: ClusterNode[]; leader: ClusterNode; others: ClusterNode[] }> {
  const url = await freshPostgresUrl();
  const nodes = await cluster.start(names, url);
  await cluster.applied(nodes, trade(BASE).tradeId, 'the base trade on every node');
  const leader = await cluster.leaderOf(nodes);
  return { url, nodes, leader, others: nodes.filter((n) => n !== leader) };
}

const notificationsOf = async (url: string, alertId: string) =>
  (await pgQuery<{ id: number }>(url, 'SELECT id FROM notification WHERE "alertId" = $1', [alertId])).map((r) => Number(r.id));

/** The user's tab: one socket at a time, like a browser; a new one when its node dies. */
interface Tab {
  user: TestUser;
  node: ClusterNode;
  connections: RecordingSocket[];
}

/** Notification ids that arrived more than once on one socket without the `replayed` flag. */
function liveDuplicates(socket: RecordingSocket): number[] {
  const live = new Map<number, number>();
  for (const hit of socket.hits) if (!hit.replayed) live.set(hit.notificationId, (live.get(hit.notificationId) ?? 0) + 1);
  return [...live].filter(([, n]) => n > 1).map(([id]) => id);
}

const distinctIds = (hits: AlertHit[]) => [...new Set(hits.map((h) => h.notificationId))].sort((x, y) => x - y);

/** Resolves to the value, or to the error: awaited later without a rejection going unhandled meanwhile. */
const settled = <T>(promise: Promise<T>): Promise<T | Error> => promise.catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
function unwrap<T>(value: T | Error): T {
  if (value instanceof Error) throw value;
  return value;
}

describe('several node processes: the firing leader fails', () => {
  it('the leader killed (SIGKILL) mid-burst: another node fires within LEASE_TTL + 1 s; every crossed alert has exactly one notification, every user gets each hit', async () => {
    const USERS = 30;
    const ALERTS_PER_USER = 10;
    const STEP = 10;
    // Trade t of the burst is at BASE + STEP * (t + 1); alert i's threshold is BASE + STEP * i + 5.
    const TRADES = 240;
    const GAP_MS = 25;
    const KILL_AT = 80;
    const { url, nodes, leader, others: survivors } = await startCluster(['node-1', 'node-2', 'node-3']);

    // Users signed up on the nodes in turn; alert i belongs to user i % USERS, so every user
    // has alerts crossed early, late and not at all.
    const users = await Promise.all(Array.from({ length: USERS }, (_, u) => signUpUser(nodes[u % nodes.length]!.baseUrl, 'failover')));
    const total = USERS * ALERTS_PER_USER;
    const alerts = new Array<{ id: string; crossed: boolean }>(total);
    await Promise.all(
      users.map(async (user, u) => {
        for (let i = u; i < total; i += USERS) {
          const alert = await user.http.createAlert({ product: PRODUCT, basis: 'last', direction: 'above', threshold: `${BASE + STEP * i + 5}.00` });
          alerts[i] = { id: alert.id, crossed: STEP * i + 5 < STEP * TRADES };
        }
      }),
    );
    const crossed = alerts.filter((a) => a.crossed).length;
    expect([crossed, total - crossed]).toEqual([TRADES, 60]);
    // Alerts made on one node reach the others' indexes at once (announced over Redis), or by the
    // alert sync within a second.
    await sleep(INDEXED_MS);

    // Each user's tab on a node in turn: a third of them on the leader.
    const tabs: Tab[] = [];
    for (const [u, user] of users.entries()) {
      const node = nodes[u % nodes.length]!;
      tabs.push({ user, node, connections: [await cluster.connect(node, user)] });
    }
    const onLeader = tabs.filter((t) => t.node === leader);
    expect(onLeader).toHaveLength(USERS / nodes.length);

    let failover: Promise<{ node: ClusterNode; afterMs: number } | Error> | null = null;
    let moved: Promise<void | Error> | null = null;
    let last = 0;
    for (let t = 0; t < TRADES; t += 1) {
      if (t === KILL_AT) {
        leader.server.child.kill('SIGKILL');
        failover = settled(cluster.nextLeader(survivors, Date.now(), LEASE_TTL_MS + 3_000));
        // The tabs on the dead node lose their socket and open one on a surviving node, as a
        // browser behind the load balancer would.
        moved = settled(
          (async () => {
            for (const [k, tab] of onLeader.entries()) {
              await waitFor(() => !tab.connections.at(-1)!.socket.connected, 5_000, 'the tab on the killed node disconnected');
              tab.node = survivors[k % survivors.length]!;
              tab.connections.push(await cluster.connect(tab.node, tab.user));
            }
          })(),
        );
      }
      last = trade(BASE + STEP * (t + 1)).tradeId;
      await sleep(GAP_MS);
    }
    expect(await leader.server.exited).toBe('SIGKILL');
    const { node: next, afterMs } = unwrap(await failover!);
    unwrap(await moved!);
    report(`SIGKILL: ${next.name} reported the lease ${afterMs} ms after ${leader.name} was killed (LEASE_TTL ${LEASE_TTL_MS} ms)`);
    expect(afterMs).toBeLessThan(LEASE_TTL_MS + 1_000);
    await cluster.applied(survivors, last, 'the last trade of the burst on the surviving nodes');

    // Every crossed alert fired exactly once, and no other.
    const counts = async () =>
      new Map(
        (await pgQuery<{ id: string; n: string }>(url, 'SELECT a.id, COUNT(n.id) AS n FROM alert a LEFT JOIN notification n ON n."alertId" = a.id GROUP BY a.id')).map((r) => [
          r.id,
          Number(r.n),
        ]),
      );
    await waitFor(async () => [...(await counts()).values()].reduce((s, n) => s + n, 0) >= crossed, 15_000, 'every crossed alert fired');
    await sleep(1_000);
    const perAlert = await counts();
    expect(alerts.filter((a) => perAlert.get(a.id) !== (a.crossed ? 1 : 0)).map((a) => ({ ...a, notifications: perAlert.get(a.id) }))).toEqual([]);
    // Mid-burst indeed: the killed leader fired some, the new one the rest, the third none.
    const firedAfter = await readMetric(next.baseUrl, FIRED);
    report(`fired ${crossed - firedAfter} on ${leader.name} before the kill, ${firedAfter} on ${next.name} after`);
    expect(firedAfter).toBeGreaterThan(0);
    expect(firedAfter).toBeLessThan(crossed);
    for (const node of survivors.filter((n) => n !== next)) expect(await readMetric(node.baseUrl, FIRED)).toBe(0);

    // Every user gets each of their hits, counted by notification id, wherever their tab is.
    const rows = await pgQuery<{ id: number; userId: string }>(url, 'SELECT id, "userId" FROM notification');
    const expected = new Map(users.map((u) => [u.id, [] as number[]]));
    for (const row of rows) expected.get(row.userId)!.push(Number(row.id));
    for (const ids of expected.values()) ids.sort((x, y) => x - y);
    const received = (tab: Tab) => distinctIds(tab.connections.flatMap((c) => c.hits));
    await waitFor(() => tabs.every((tab) => received(tab).length >= expected.get(tab.user.id)!.length), 20_000, 'every user has all their hits');
    // Long enough for a late copy (a replay, another node's) to arrive.
    await sleep(1_000);
    for (const tab of tabs) {
      expect(received(tab), tab.user.email).toEqual(expected.get(tab.user.id));
      // A browser drops a copy it already showed; on one socket only replays may repeat one.
      for (const socket of tab.connections) expect(liveDuplicates(socket), tab.user.email).toEqual([]);
    }
    for (const tab of onLeader) {
      expect(tab.connections).toHaveLength(2);
      expect(tab.connections[1]!.hits.length).toBeGreaterThan(0);
    }
    const hits = tabs.flatMap((t) => t.connections.flatMap((c) => c.hits));
    report(`${hits.length} hits received (${hits.filter((h) => h.replayed).length} replayed) for ${rows.length} notifications of ${USERS} users`);
    expect((await Promise.all(survivors.map((n) => cluster.leads(n)))).sort()).toEqual([false, true]);
  });

  it('the leader killed between committing a firing and sending its hit: the tab on another node gets it, once, when the new leader takes over', async () => {
    const { url, leader, others } = await startCluster(['node-x', 'node-y']);
    const other = others[0]!;
    const user = await signUpUser(other.baseUrl, 'committed');
    const tab = await cluster.connect(other, user);
    const alert = await user.http.createAlert({ product: PRODUCT, basis: 'last', direction: 'above', threshold: `${BASE + 1_000}.00` });
    await sleep(INDEXED_MS);

    // In this test's own database the commit of this alert's notification takes 3 s (a deferred
    // constraint trigger): the leader is killed after it sent COMMIT and before it heard back.
    // PostgreSQL completes the commit without its client; the hit was never sent.
    await pgQuery(url, 'CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(3); RETURN NULL; END $$');
    await pgQuery(
      url,
      `CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON notification DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW."alertId" = '${alert.id}') EXECUTE FUNCTION slow_commit()`,
    );
    trade(BASE + 1_100);
    const sleeping = `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'tickwatch' AND wait_event = 'PgSleep'`;
    await waitFor(async () => (await pgQuery(url, sleeping)).length === 1, 10_000, "the leader's firing committing");
    leader.server.child.kill('SIGKILL');
    const killedAt = Date.now();
    expect(await leader.server.exited).toBe('SIGKILL');
    const { afterMs } = await cluster.nextLeader([other], killedAt, 10_000);
    report(`SIGKILL during a commit: ${other.name} reported the lease ${afterMs} ms after ${leader.name} was killed (the commit took 3 s)`);
    const ids = await notificationsOf(url, alert.id);
    expect(ids).toHaveLength(1);
    await waitFor(() => tab.hits.length > 0, 10_000, 'the hit the killed leader committed, on the tab on the other node');
    await sleep(1_000);
    expect(tab.hits).toHaveLength(1);
    expect(tab.hits[0]).toMatchObject({ notificationId: ids[0], alertId: alert.id, replayed: true });
    // The new leader found it fired already: one notification, none of its own.
    expect(await readMetric(other.baseUrl, FIRED)).toBe(0);
    expect(await pgQuery(url, 'SELECT id FROM notification')).toHaveLength(1);
  });

  it('the leader paused (SIGSTOP) past LEASE_TTL in the middle of a firing: another node takes over and fires it once; resumed, the old leader commits nothing and stays ready', async () => {
    // The paused leader's firing transaction is ended by PostgreSQL while it is stopped; resumed,
    // it logs that transaction's failure once, retries it, and the retry is refused by the fence.
    expectServerErrors(/^persisting alert changes failed; will retry/);
    const { url, nodes, leader, others } = await startCluster(['node-a', 'node-b']);
    const other = others[0]!;
    const user = await signUpUser(other.baseUrl, 'paused');
    const tab = await cluster.connect(other, user);
    const during = await user.http.createAlert({ product: PRODUCT, basis: 'last', direction: 'above', threshold: `${BASE + 1_000}.00` });
    const whilePaused = await user.http.createAlert({ product: PRODUCT, basis: 'last', direction: 'above', threshold: `${BASE + 2_000}.00` });
    await sleep(INDEXED_MS);

    // Holds the first alert's row, so that the leader's firing waits inside its transaction,
    // after it checked its lease (which it then holds share-locked): the moment to stop it.
    const locker = new pg.Client({ connectionString: url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('SELECT id FROM alert WHERE id = $1 FOR UPDATE', [during.id]);
      trade(BASE + 1_100);
      // A backend of the leader's blocked by this lock (pg_stat_activity's query text may still
      // name the transaction's BEGIN while the extended protocol runs the UPDATE).
      const blocked = `SELECT 1 FROM pg_stat_activity WHERE application_name = 'tickwatch' AND pg_backend_pid() = ANY(pg_blocking_pids(pid))`;
      await waitFor(async () => (await locker.query(blocked)).rowCount === 1, 10_000, "the leader's firing waiting for the alert row");
      leader.server.child.kill('SIGSTOP');
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
    }
    const stoppedAt = Date.now();

    const { afterMs } = await cluster.nextLeader([other], stoppedAt, LEASE_TTL_MS + 3_000);
    report(`SIGSTOP mid-firing: ${other.name} reported the lease ${afterMs} ms after ${leader.name} was stopped (LEASE_TTL ${LEASE_TTL_MS} ms)`);
    expect(afterMs).toBeLessThan(LEASE_TTL_MS + 1_000);
    await waitFor(async () => (await notificationsOf(url, during.id)).length === 1, 5_000, 'the alert crossed mid-firing, fired by the new leader');
    // A crossing while the old leader is still stopped fires on the new one too.
    trade(BASE + 2_100);
    await waitFor(async () => (await notificationsOf(url, whilePaused.id)).length === 1, 5_000, 'the alert crossed during the pause, fired by the new leader');
    expect(await readMetric(other.baseUrl, FIRED)).toBe(2);

    // Resumed after twice the TTL: it goes on with the firing it was in, and gets trades.
    await sleep(stoppedAt + 2 * LEASE_TTL_MS - Date.now());
    expect(isAlive(leader)).toBe(true);
    leader.server.child.kill('SIGCONT');
    await cluster.applied(nodes, trade(BASE + 2_200).tradeId, 'a trade after the resume on both nodes');
    await waitFor(async () => (await readMetric(leader.baseUrl, FENCED)) >= 1, 10_000, 'the old leader fenced');
    report(`SIGCONT: ${leader.name} had ${await readMetric(leader.baseUrl, FENCED)} firing(s) fenced and committed none`);
    expect(await cluster.leads(leader)).toBe(false);
    expect(await readMetric(leader.baseUrl, FIRED)).toBe(0);
    expect(await cluster.leads(other)).toBe(true);
    expect(await notificationsOf(url, during.id)).toHaveLength(1);
    expect(await notificationsOf(url, whilePaused.id)).toHaveLength(1);
    expect(await pgQuery(url, 'SELECT id FROM notification')).toHaveLength(2);
    expect(await pgQuery(url, `SELECT id FROM alert WHERE status <> 'triggered'`)).toEqual([]);

    // Healthy and ready: a fenced firing is not a failing database.
    expect(isAlive(leader)).toBe(true);
    expect((await fetch(`${leader.baseUrl}/healthz`)).status).toBe(200);
    await waitFor(async () => (await fetch(`${leader.baseUrl}/readyz`)).status === 200, 5_000, 'the old leader ready');
    // The user got each hit once live (the takeover may replay one not yet acknowledged, flagged).
    await sleep(500);
    expect(tab.hits.filter((h) => !h.replayed).map((h) => h.alertId)).toEqual([during.id, whilePaused.id]);
    expect(distinctIds(tab.hits)).toHaveLength(2);
  });
});

describe('start-up on PostgreSQL', () => {
  it('stops with exit code 1 and one line, without the password, when the database cannot be reached', async () => {
    const port = await freePort();
    const password = 'Sup3r-secret-pw';
    const started = Date.now();
    const server = spawnServer({ DATA_DIR: cluster.tempDir(), DATABASE_URL: `postgresql://tickwatch:${password}@127.0.0.1:${port}/tickwatch` });
    cluster.adopt('unreachable', server);
    expect(await server.exited).toBe(1);
    const output = server.output().trim();
    report(`unreachable database: exit 1 after ${Date.now() - started} ms`);
    expect(output).toBe(`tickwatch: cannot use the database at postgresql://tickwatch:***@127.0.0.1:${port}/tickwatch (DATABASE_URL): connect ECONNREFUSED 127.0.0.1:${port}`);
    expect(output).not.toContain(password);
  });
});
