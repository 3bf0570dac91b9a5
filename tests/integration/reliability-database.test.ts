import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../lib/realtime/events.ts';
import { type Simulator, createSimulator } from '../../server/feed/simulator/create-simulator.ts';
import { HttpClient, uniqueEmail } from '../support/http-client.ts';
import { readMetric } from '../support/metrics.ts';
import { readOnlyDir } from '../support/read-only-dir.ts';
import { expectServerErrors } from '../support/server-error-guard.ts';
import { type RecordingSocket, connectRecording } from '../support/socket-client.ts';
import { spawnServer } from '../support/spawn-server.ts';
import { type TestApp, startTestApp } from '../support/test-app.ts';
import { waitFor } from '../support/wait-for.ts';

/**
 * Database faults against the real server and the simulator: a write lock held by another
 * connection past the busy timeout, a read-only data dir at start, and writes failing mid-run.
 * Through each the server keeps serving; afterwards no trade is missing and every crossed alert
 * fired exactly once and was delivered once. (A data dir that cannot be created at all is in
 * server-process.test.ts.)
 */
const PRODUCT = 'BTC-USD';
const BASE = '50000.00';
/** Longer than any busy timeout the server had (5 s before, 250 ms now) and its retry backoff, so writes really fail for a while. */
const LOCK_MS = 7_500;
/** A request or a tick slower than this while the database is in trouble means the server stalled. */
const STALL_MS = 2_500;

interface Rig {
  sim: Simulator;
  t: TestApp;
  user: HttpClient;
  watcher: RecordingSocket;
  databaseFile: string;
  /** When each tick arrived (ms), to see whether ticks kept flowing during a fault. */
  tickTimes: number[];
  /** Stops the probes of `probeWhileFaulty`, if running. */
  stopProbes?: () => Promise<unknown>;
}

const rigs: Rig[] = [];
afterEach(async () => {
  for (const rig of rigs.splice(0)) {
    await rig.stopProbes?.();
    rig.watcher.socket.disconnect();
    await rig.t.close();
    await rig.sim.close();
  }
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls an async check every 50 ms until it holds, or fails after `timeoutMs`. */
async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** A server on a fresh database fed by the simulator, one signed-in user with a live socket. */
async function startRig(seed: number): Promise<Rig> {
  const sim = await createSimulator({ seed, history: 300, ratePerSecond: 0, heartbeatIntervalMs: 200, startPrices: { [PRODUCT]: BASE } });
  const t = await startTestApp({ COINBASE_WS_URL: sim.url, COINBASE_REST_URL: sim.restUrl, WINDOW: '1m', RATE_LIMIT_AUTH_IP: '1000/1m' });
  const user = new HttpClient(t.baseUrl);
  expect((await user.signUp(uniqueEmail('db-faults'))).status).toBe(200);
  const watcher = await connectRecording(t.baseUrl, user.cookieHeader);
  const rig: Rig = { sim, t, user, watcher, databaseFile: path.join(t.dataDir, 'tickwatch.db'), tickTimes: [] };
  rigs.push(rig);
  watcher.socket.on('price:tick', () => rig.tickTimes.push(Date.now()));
  expect(await watcher.subscribe([PRODUCT])).toMatchObject({ ok: true });
  const first = sim.trade(PRODUCT, { price: BASE });
  await waitFor(() => applied(rig, first.tradeId), 10_000, 'the first live trade');
  return rig;
}

function applied(rig: Rig, tradeId: number): boolean {
  return (rig.t.app.market.snapshot(PRODUCT)?.tradeId ?? 0) >= tradeId;
}

function spikeAlert(rig: Rig, direction: 'above' | 'below', threshold: string): Promise<Alert> {
  return rig.user.createAlert({ product: PRODUCT, basis: 'last', direction, threshold });
}

async function storedTradeIds(rig: Rig): Promise<number[]> {
  const rows = await rig.t.app.db.$queryRawUnsafe<Array<{ tradeId: bigint }>>(
    'SELECT tradeId FROM trade WHERE product = ? ORDER BY tradeId',
    PRODUCT,
  );
  return rows.map((row) => Number(row.tradeId));
}

async function readyz(rig: Rig): Promise<{ status: number; checks: Record<string, string> }> {
  const response = await fetch(`${rig.t.baseUrl}/readyz`, { signal: AbortSignal.timeout(5_000) });
  return { status: response.status, checks: ((await response.json()) as { checks: Record<string, string> }).checks };
}

/**
 * Keeps asking what a person or a monitor would while the database is in trouble: health and
 * an API read (the user's alerts), every 250 ms. `stop()` returns every slow or failed answer.
 */
function probeWhileFaulty(rig: Rig) {
  const problems: string[] = [];
  let answered = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const [what, send] of [
        ['/healthz', () => fetch(`${rig.t.baseUrl}/healthz`, { signal: AbortSignal.timeout(STALL_MS) })],
        ['GET /api/alerts', () => rig.user.request('GET', '/api/alerts', undefined, {})],
      ] as const) {
        const started = Date.now();
        try {
          const response = await Promise.race([send(), sleep(STALL_MS).then(() => null)]);
          const ms = Date.now() - started;
          if (!response) problems.push(`${what}: no answer within ${STALL_MS} ms`);
          else if (response.status !== 200) problems.push(`${what}: ${response.status} ${await response.text()}`);
          else if (ms >= STALL_MS) problems.push(`${what}: took ${ms} ms`);
          else answered += 1;
        } catch (error) {
          problems.push(`${what}: ${(error as Error).message}`);
        }
      }
      await sleep(250);
    }
  })();
  const stop = async (): Promise<{ problems: string[]; answered: number }> => {
    running = false;
    await loop;
    return { problems, answered };
  };
  rig.stopProbes = stop;
  return { stop };
}

/** The longest pause between ticks received from `from` to `to` (ms), counting both ends. */
function longestTickPause(rig: Rig, from: number, to: number): number {
  const times = [from, ...rig.tickTimes.filter((time) => time > from && time < to), to];
  return Math.max(...times.slice(1).map((time, i) => time - (times[i] ?? time)));
}

/**
 * After a fault: stop the market, publish one last trade, and wait until everything is written.
 * Then every trade the simulator made from the first stored one on is stored exactly once.
 */
async function expectEveryTradeStored(rig: Rig, faultTradeIds: number[]): Promise<void> {
  rig.sim.setRate(0);
  const last = rig.sim.trade(PRODUCT, { size: '0.01' });
  await waitFor(() => applied(rig, last.tradeId), 10_000, 'the last trade applied');
  await until(async () => (await storedTradeIds(rig)).at(-1) === last.tradeId && rig.t.app.store.pending() === 0, 15_000, 'every trade written');
  const stored = await storedTradeIds(rig);
  const first = stored[0] ?? Infinity;
  const made = rig.sim.history(PRODUCT).filter((trade) => trade.tradeId >= first).map((trade) => trade.tradeId);
  expect(stored).toEqual(made);
  expect(faultTradeIds.length, 'trades made during the fault').toBeGreaterThan(20);
  expect(faultTradeIds.every((id) => stored.includes(id)), 'every trade of the fault stored').toBe(true);
}

/** Each alert has exactly one notification (arming 1, the crossing trade), sent once to the live socket and marked delivered. */
async function expectFiredOnceAndDelivered(rig: Rig, fired: Array<{ alert: Alert; tradeId: number }>): Promise<void> {
  const ids = fired.map((f) => f.alert.id);
  await waitFor(() => ids.every((id) => rig.watcher.hits.some((hit) => hit.alertId === id)), 15_000, 'every alert hit');
  await until(async () => (await rig.t.app.db.notification.count({ where: { alertId: { in: ids }, deliveredAt: { not: null } } })) === ids.length, 10_000, 'deliveries recorded');
  await rig.t.app.evaluator.settle();
  // Trades keep crossing the thresholds; a second firing would show up by now.
  await sleep(500);
  for (const { alert, tradeId } of fired) {
    const rows = await rig.t.app.db.notification.findMany({ where: { alertId: alert.id } });
    expect(rows.map((row) => [row.arming, Number(row.tradeId), row.deliveredAt !== null])).toEqual([[1, tradeId, true]]);
    expect(rig.watcher.hits.filter((hit) => hit.alertId === alert.id).map((hit) => [hit.tradeId, hit.replayed])).toEqual([[tradeId, false]]);
    expect((await rig.t.app.db.alert.findUniqueOrThrow({ where: { id: alert.id } })).status).toBe('triggered');
  }
  expect(await rig.t.app.db.notification.count()).toBe(fired.length);
  expect(await readMetric(rig.t.baseUrl, 'tickwatch_alerts_fired_total')).toBe(fired.length);
  // Delivered means not sent again: a new tab of the same user gets no replay.
  const again = await connectRecording(rig.t.baseUrl, rig.user.cookieHeader);
  await sleep(500);
  expect(again.hits).toEqual([]);
  again.socket.disconnect();
}

const tradeIdsBetween = (rig: Rig, after: number, upTo: number) =>
  rig.sim
    .history(PRODUCT)
    .filter((trade) => trade.tradeId > after && trade.tradeId <= upTo)
    .map((trade) => trade.tradeId);

describe('database faults', () => {
  describe('a write lock held by another connection past the busy timeout', () => {
    it('keeps serving health, API reads and ticks, retries, then stores every trade and fires the crossed alert once', async () => {
      // The lock makes every write fail for a while: each failed attempt is logged at error
      // level, and the alert created during the lock is answered 500 (asserted below).
      expectServerErrors(
        /^writing trades failed; will retry — .*database is locked/,
        /^persisting alert changes failed; will retry — .*database is locked/,
        /^request failed — .*(timed out|database is locked)/,
      );
      const rig = await startRig(21);
      const { t, sim } = rig;
      const alert = await spikeAlert(rig, 'above', '55000');
      sim.setRate(20);
      await until(async () => (await storedTradeIds(rig)).length > 0 && t.app.store.pending() === 0, 10_000, 'trades stored before the lock');

      const locker = new Database(rig.databaseFile);
      locker.exec('BEGIN IMMEDIATE');
      const lockedAt = Date.now();
      const beforeLock = sim.latest(PRODUCT)?.tradeId ?? 0;
      const probes = probeWhileFaulty(rig);
      let crossing = 0;
      try {
        await sleep(1_000);
        crossing = sim.trade(PRODUCT, { price: '56000.00', size: '0.01' }).tradeId;
        await waitFor(() => applied(rig, crossing), 5_000, 'the crossing trade applied while locked');
        // A request that must write fails after the short busy timeout instead of hanging.
        const started = Date.now();
        const refused = await rig.user.request('POST', '/api/alerts', { product: PRODUCT, basis: 'last', direction: 'above', threshold: '90000' });
        expect(refused.status).toBe(500);
        expect(Date.now() - started).toBeLessThan(STALL_MS);
        expect(await t.app.db.alert.count()).toBe(1);
        await sleep(lockedAt + LOCK_MS - Date.now());
        // The lock really held the writes back: nothing fired yet, the new trades are queued.
        expect(await t.app.db.notification.count()).toBe(0);
        expect(rig.watcher.hits).toEqual([]);
        expect((await storedTradeIds(rig)).at(-1) ?? 0).toBeLessThan(crossing);
        expect(t.app.store.pending()).toBeGreaterThan(0);
        expect(await readMetric(t.baseUrl, 'tickwatch_db_write_failures_total{writer="trades"}')).toBeGreaterThan(0);
        expect(await readMetric(t.baseUrl, 'tickwatch_db_write_failures_total{writer="alerts"}')).toBeGreaterThan(0);
        expect(await readyz(rig)).toEqual({ status: 503, checks: { database: 'not ready', feed: 'ok' } });
      } finally {
        locker.exec('ROLLBACK');
        locker.close();
      }
      const releasedAt = Date.now();
      const duringLock = tradeIdsBetween(rig, beforeLock, sim.latest(PRODUCT)?.tradeId ?? 0);
      const { problems, answered } = await probes.stop();
      expect(problems).toEqual([]);
      expect(answered).toBeGreaterThan(20);
      expect(longestTickPause(rig, lockedAt, releasedAt)).toBeLessThan(STALL_MS);

      await expectEveryTradeStored(rig, duringLock);
      await expectFiredOnceAndDelivered(rig, [{ alert, tradeId: crossing }]);
      expect(await readyz(rig)).toEqual({ status: 200, checks: { database: 'ok', feed: 'ok' } });
    });
  });

  describe('a read-only data dir at start', () => {
    it.each([
      ['DATA_DIR', (dir: string) => ({ DATA_DIR: dir, DATABASE_URL: `file:${dir}/tickwatch.db` }), 'DATA_DIR'],
      ['the database directory', (dir: string) => ({ DATABASE_URL: `file:${dir}/tickwatch.db` }), 'the directory of DATABASE_URL'],
    ])('stops with exit code 1 and one line when %s is read-only', async (_what, env, named) => {
      const ro = readOnlyDir((dir) => {
        // An existing database, as on a disk that went read-only under a running install.
        const db = new Database(path.join(dir, 'tickwatch.db'));
        db.exec('CREATE TABLE kept (id INTEGER PRIMARY KEY)');
        db.close();
      });
      const writable = fs.mkdtempSync(path.join(os.tmpdir(), 'tickwatch-rw-'));
      try {
        // Root ignores permission bits: make sure this directory really refuses writes.
        expect(() => fs.writeFileSync(path.join(ro.dir, 'probe'), 'x'), ro.mechanism).toThrow(/EROFS|EPERM|EACCES/);
        const server = spawnServer({ DATA_DIR: writable, ...env(ro.dir) });
        const code = await Promise.race([server.exited, sleep(30_000).then(() => 'still running')]);
        if (code === 'still running') server.child.kill('SIGKILL');
        expect(code, server.output()).toBe(1);
        const escaped = ro.dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        expect(server.output().trim()).toMatch(new RegExp(`^tickwatch: ${named} \\(${escaped}\\) is not a writable directory \\((EROFS|EPERM|EACCES)\\)$`));
      } finally {
        ro.release();
        fs.rmSync(writable, { recursive: true, force: true });
      }
    });
  });

  describe('writes failing mid-run (disk full)', () => {
    it('keeps serving, retries, and after the fault clears has lost no trade and fired each alert once', async () => {
      // The injected "disk full" makes trade and alert writes fail, each attempt logged at error level.
      expectServerErrors(/^writing trades failed; will retry — .*disk is full/, /^persisting alert changes failed; will retry — .*disk is full/);
      const rig = await startRig(22);
      const { t, sim } = rig;
      const above = await spikeAlert(rig, 'above', '55000');
      const below = await spikeAlert(rig, 'below', '45000');
      sim.setRate(20);
      await until(async () => (await storedTradeIds(rig)).length > 0 && t.app.store.pending() === 0, 10_000, 'trades stored before the fault');

      // The test's own connection makes the server's writes fail with a full disk's message.
      const injector = new Database(rig.databaseFile);
      const failWrites = (name: string, when: string) =>
        injector.exec(`CREATE TRIGGER ${name} ${when} BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`);
      const startedAt = Date.now();
      const beforeFault = sim.latest(PRODUCT)?.tradeId ?? 0;
      const probes = probeWhileFaulty(rig);
      let aboveTrade = 0;
      let belowTrade = 0;
      try {
        failWrites('fault_trade', 'BEFORE INSERT ON trade');
        await until(async () => (await readMetric(t.baseUrl, 'tickwatch_db_write_failures_total{writer="trades"}')) > 0, 5_000, 'a failed trade write');

        // The alert's conditional update succeeds and its notification insert fails: the whole
        // firing must roll back, leaving the alert armed.
        failWrites('fault_notification', 'BEFORE INSERT ON notification');
        aboveTrade = sim.trade(PRODUCT, { price: '56000.00', size: '0.01' }).tradeId;
        await waitFor(() => applied(rig, aboveTrade), 5_000, 'the upward crossing applied');
        await until(async () => (await readMetric(t.baseUrl, 'tickwatch_db_write_failures_total{writer="alerts"}')) > 0, 5_000, 'a failed firing');
        const seen = (await (await rig.user.request('GET', `/api/alerts/${above.id}`)).json()) as { alert: Alert };
        expect(seen.alert.status, 'armed while its notification cannot be written').toBe('armed');

        // Now the alert update itself fails as well.
        failWrites('fault_alert', 'BEFORE UPDATE ON alert');
        belowTrade = sim.trade(PRODUCT, { price: '44000.00', size: '0.01' }).tradeId;
        await waitFor(() => applied(rig, belowTrade), 5_000, 'the downward crossing applied');
        await sleep(startedAt + LOCK_MS - Date.now());
        expect(await t.app.db.notification.count()).toBe(0);
        expect(rig.watcher.hits).toEqual([]);
        expect((await storedTradeIds(rig)).at(-1) ?? 0).toBeLessThan(aboveTrade);
        expect(await readyz(rig)).toEqual({ status: 503, checks: { database: 'not ready', feed: 'ok' } });
      } finally {
        injector.exec('DROP TRIGGER IF EXISTS fault_trade; DROP TRIGGER IF EXISTS fault_notification; DROP TRIGGER IF EXISTS fault_alert');
        injector.close();
      }
      const clearedAt = Date.now();
      const duringFault = tradeIdsBetween(rig, beforeFault, sim.latest(PRODUCT)?.tradeId ?? 0);
      const { problems, answered } = await probes.stop();
      expect(problems).toEqual([]);
      expect(answered).toBeGreaterThan(20);
      expect(longestTickPause(rig, startedAt, clearedAt)).toBeLessThan(STALL_MS);

      await expectEveryTradeStored(rig, duringFault);
      await expectFiredOnceAndDelivered(rig, [
        { alert: above, tradeId: aboveTrade },
        { alert: below, tradeId: belowTrade },
      ]);
      expect(await readyz(rig)).toEqual({ status: 200, checks: { database: 'ok', feed: 'ok' } });
    });
  });
});
