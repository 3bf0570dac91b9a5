import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AlertHit } from '../../lib/realtime/events.ts';
import { type Simulator, createSimulator } from '../../server/feed/simulator/create-simulator.ts';
import { expectExactTick } from '../support/exact-tick.ts';
import { expectServerErrors } from '../support/server-error-guard.ts';
import { HttpClient, uniqueEmail } from '../support/http-client.ts';
import { type RecordingSocket, connectRecording } from '../support/socket-client.ts';
import { type SpawnedServer, freePort, spawnServer, waitForOk } from '../support/spawn-server.ts';
import { waitFor } from '../support/wait-for.ts';

/**
 * The server as its own process, stopped in the middle of a burst that fires hundreds of alerts:
 * gracefully (SIGTERM) and not at all gracefully (SIGKILL). Then restarted on the same data, it
 * must be warm again, and every alert must have fired exactly once and reached its user.
 */
const PRODUCT = 'BTC-USD';
const BASE = '50000.00';
const WINDOW_MS = 60_000;
const USERS = 25;
const ALERTS_PER_USER = 20;

interface Account {
  http: HttpClient;
  email: string;
  id: string;
  /** Every socket this account opened, across restarts; each records the hits it received. */
  sockets: RecordingSocket[];
}

const hitsOf = (account: Account): AlertHit[] => account.sockets.flatMap((s) => s.hits);

let sim: Simulator;
let dataDir: string;
let port: number;
let server: SpawnedServer | null = null;
let sockets: RecordingSocket[] = [];

const baseUrl = (): string => `http://127.0.0.1:${port}`;

async function start(): Promise<SpawnedServer> {
  const spawned = spawnServer({
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    DATABASE_URL: `file:${path.join(dataDir, 'tickwatch.db')}`,
    LOG_LEVEL: 'info',
    COINBASE_WS_URL: sim.url,
    COINBASE_REST_URL: sim.restUrl,
    WINDOW: '1m',
    GAP_FILL_TIMEOUT: '10s',
    RATE_LIMIT_AUTH_IP: '1000/1m',
    RATE_LIMIT_ALERT_CREATE: '1000/1m',
  });
  server = spawned;
  await waitForOk(`${baseUrl()}/readyz`, 60_000);
  return spawned;
}

/** A user with no alerts who watches the ticks (its own sockets would take other users' replays otherwise). */
async function watch(): Promise<RecordingSocket> {
  const http = new HttpClient(baseUrl());
  await http.signUp(uniqueEmail('watcher'));
  const socket = await connectRecording(baseUrl(), http.cookieHeader);
  sockets.push(socket);
  expect(await socket.subscribe([PRODUCT])).toMatchObject({ ok: true });
  return socket;
}

async function connect(account: Account): Promise<RecordingSocket> {
  const socket = await connectRecording(baseUrl(), account.http.cookieHeader);
  account.sockets.push(socket);
  sockets.push(socket);
  return socket;
}

function disconnectAll(): void {
  for (const s of sockets) s.socket.disconnect();
  sockets = [];
}

/** USERS accounts with ALERTS_PER_USER alerts each, all above the market, crossed only by a spike. */
async function seedAccounts(users = USERS): Promise<Account[]> {
  const accounts: Account[] = [];
  for (let u = 0; u < users; u += 1) {
    const http = new HttpClient(baseUrl());
    const email = uniqueEmail('crash');
    const response = await http.signUp(email);
    const { user } = (await response.json()) as { user: { id: string } };
    for (let a = 0; a < ALERTS_PER_USER; a += 1) {
      await http.createAlert({ product: PRODUCT, basis: 'last', direction: 'above', threshold: `${60000 + a}.00` });
    }
    accounts.push({ http, email, id: user.id, sockets: [] });
  }
  return accounts;
}

function openDb(): Database.Database {
  return new Database(path.join(dataDir, 'tickwatch.db'));
}

/** What the database says after the process is gone. */
function inspect(): { triggered: number; armed: number; notifications: number; perAlert: number[]; undelivered: Set<number>; tradeIds: number[] } {
  const db = openDb();
  try {
    const alerts = db.prepare(`SELECT status, (SELECT count(*) FROM notification n WHERE n.alertId = a.id) AS n FROM alert a`).all() as Array<{ status: string; n: number }>;
    const undelivered = new Set((db.prepare('SELECT id FROM notification WHERE deliveredAt IS NULL').all() as Array<{ id: number }>).map((r) => r.id));
    const tradeIds = (db.prepare('SELECT tradeId FROM trade WHERE product = ? ORDER BY tradeId').all(PRODUCT) as Array<{ tradeId: number | bigint }>).map((r) => Number(r.tradeId));
    return {
      triggered: alerts.filter((a) => a.status === 'triggered').length,
      armed: alerts.filter((a) => a.status === 'armed').length,
      notifications: alerts.reduce((sum, a) => sum + a.n, 0),
      perAlert: alerts.map((a) => a.n),
      undelivered,
      tradeIds,
    };
  } finally {
    db.close();
  }
}

/** Ids with no holes: every trade between the first and the last stored is stored. */
function expectDense(ids: number[]): void {
  const holes = ids.filter((id, i) => i > 0 && id !== ids[i - 1]! + 1);
  expect(holes, 'stored trade ids must have no holes').toEqual([]);
}

/**
 * A burst with a spike in its middle: the spike fires every alert; the market comes back at once,
 * so an alert that missed the spike would never fire later.
 */
function burstWithSpike(): { spikeId: number } {
  sim.trades(PRODUCT, 300);
  const spike = sim.trade(PRODUCT, { price: '70000.00' });
  sim.trade(PRODUCT, { price: BASE });
  sim.trades(PRODUCT, 300);
  return { spikeId: spike.tradeId };
}

/** After a restart: each user reconnects and must hold a hit for every one of its alerts. */
async function expectAllDelivered(accounts: Account[], undeliveredAtStop: Set<number>): Promise<void> {
  for (const account of accounts) await connect(account);
  for (const account of accounts) {
    const ids = await waitFor(
      () => {
        const unique = new Set(hitsOf(account).map((h) => h.notificationId));
        return unique.size >= ALERTS_PER_USER ? unique : undefined;
      },
      20_000,
      `every hit of ${account.email}`,
    );
    expect(ids.size).toBe(ALERTS_PER_USER);
    // A hit seen twice is one whose acknowledgement had not been stored when the process stopped.
    const seen = new Map<number, number>();
    for (const hit of hitsOf(account)) seen.set(hit.notificationId, (seen.get(hit.notificationId) ?? 0) + 1);
    for (const [id, times] of seen) {
      if (times > 1) expect(undeliveredAtStop.has(id), `notification ${id} delivered twice`).toBe(true);
      expect(times).toBeLessThanOrEqual(2);
    }
  }
  const db = openDb();
  try {
    await waitFor(() => (db.prepare('SELECT count(*) AS n FROM notification WHERE deliveredAt IS NULL').get() as { n: number }).n === 0, 10_000, 'every notification acknowledged');
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  sim = await createSimulator({ seed: 21, history: 600, ratePerSecond: 0, heartbeatIntervalMs: 200, startPrices: { [PRODUCT]: BASE } });
});
afterEach(async () => {
  disconnectAll();
  if (server && server.child.exitCode === null && server.child.signalCode === null) {
    server.child.kill('SIGKILL');
    await server.exited;
  }
  server = null;
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});
afterAll(async () => {
  await sim?.close();
});

async function freshServer(): Promise<{ accounts: Account[]; watcher: RecordingSocket }> {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickwatch-crash-'));
  port = await freePort();
  await start();
  const accounts = await seedAccounts();
  // Half the users watch live; the other half are away and get everything on their return.
  for (const account of accounts.slice(0, USERS / 2)) await connect(account);
  const watcher = await watch();
  sim.trade(PRODUCT, { price: BASE });
  await expectExactTick(sim, watcher, PRODUCT, WINDOW_MS, 20_000);
  return { accounts, watcher };
}

async function restartAndCheck(accounts: Account[], undeliveredAtStop: Set<number>): Promise<void> {
  await start();
  const watcher = await watch();
  sim.trade(PRODUCT, { price: BASE });
  const tick = await expectExactTick(sim, watcher, PRODUCT, WINDOW_MS, 20_000);
  expect(tick.warm).toBe(true);
  await expectAllDelivered(accounts, undeliveredAtStop);
  const after = inspect();
  expect(after.triggered).toBe(USERS * ALERTS_PER_USER);
  expect(after.perAlert.every((n) => n === 1), 'every alert has exactly one notification').toBe(true);
  expectDense(after.tradeIds);
  expect(after.tradeIds.at(-1)).toBe(sim.latest(PRODUCT)?.tradeId);
}

describe('process faults', () => {
  it('SIGTERM during a burst with alerts firing: exits 0 with the in-flight batch committed; a restart loses nothing', { timeout: 180_000 }, async () => {
    const { accounts, watcher } = await freshServer();
    const { spikeId } = burstWithSpike();
    await waitFor(() => (watcher.lastTick(PRODUCT)?.tradeId ?? 0) >= spikeId || hitsOf(accounts[0]!).length > 0, 20_000, 'the spike applied');
    server!.child.kill('SIGTERM');
    const code = await server!.exited;
    expect(code, server!.output().slice(-3000)).toBe(0);
    disconnectAll();

    const stopped = inspect();
    // Graceful: whatever was applied is stored, and every alert the spike matched was committed.
    expect(stopped.tradeIds.at(-1)).toBeGreaterThanOrEqual(spikeId);
    expectDense(stopped.tradeIds);
    expect(stopped.triggered).toBe(USERS * ALERTS_PER_USER);
    expect(stopped.notifications).toBe(USERS * ALERTS_PER_USER);

    await restartAndCheck(accounts, stopped.undelivered);
  });

  it('SIGKILL as the first hits arrive: the restart warms up, fires what was lost exactly once, and delivers everything', { timeout: 180_000 }, async () => {
    const { accounts } = await freshServer();
    burstWithSpike();
    // Killed as soon as the first chunk of firings is committed: later chunks are in flight.
    await waitFor(() => accounts.some((a) => hitsOf(a).length > 0), 20_000, 'a first hit');
    server!.child.kill('SIGKILL');
    expect(await server!.exited).toBe('SIGKILL');
    disconnectAll();

    const killed = inspect();
    expect(killed.perAlert.every((n) => n <= 1)).toBe(true);
    expectDense(killed.tradeIds);
    // More trades happen while the server is down.
    sim.trades(PRODUCT, 50);

    await restartAndCheck(accounts, killed.undelivered);
  });

  it('SIGKILL while a firing cannot be committed: its trade is not stored either, so the restart fires it exactly once', { timeout: 180_000 }, async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickwatch-crash-'));
    port = await freePort();
    await start();
    const [account] = await seedAccounts(1);
    const watcher = await watch();
    let spikeId = 0;
    // The firing's transaction fails (as on a full disk) until the trigger is dropped: the server
    // logs each failed attempt before it retries, which is what this test provokes.
    expectServerErrors(/^persisting alert changes failed; will retry — .*disk is full/);
    const db = openDb();
    db.exec(`CREATE TRIGGER block_notifications BEFORE INSERT ON notification BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`);
    try {
      spikeId = sim.trade(PRODUCT, { price: '70000.00' }).tradeId;
      sim.trade(PRODUCT, { price: BASE });
      await waitFor(() => (watcher.lastTick(PRODUCT)?.tradeId ?? 0) > spikeId, 10_000, 'the spike applied');
      // Several trade-store flush intervals pass; the spike must stay unstored while its firing is not committed.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const stored = db.prepare('SELECT count(*) AS n FROM trade WHERE tradeId >= ?').get(spikeId) as { n: number };
      expect(stored.n).toBe(0);
      expect((db.prepare('SELECT count(*) AS n FROM notification').get() as { n: number }).n).toBe(0);
      server!.child.kill('SIGKILL');
      expect(await server!.exited).toBe('SIGKILL');
      disconnectAll();
      db.exec('DROP TRIGGER block_notifications');
    } finally {
      db.close();
    }
    await start();
    await watch();
    sim.trade(PRODUCT, { price: BASE });
    await expectAllDelivered([account!], new Set());
    const rows = openDb();
    try {
      const fired = rows.prepare('SELECT tradeId FROM notification').all() as Array<{ tradeId: number | bigint }>;
      expect(fired.map((r) => Number(r.tradeId))).toEqual(new Array<number>(ALERTS_PER_USER).fill(spikeId));
    } finally {
      rows.close();
    }
  });
});
