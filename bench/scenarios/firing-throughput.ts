import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DatabaseTarget } from '../../server/db/database-url.ts';
import { type Simulator, createSimulator } from '../../server/feed/simulator/create-simulator.ts';
import { readMetric } from '../../tests/support/metrics.ts';
import { type BenchServer, startBenchServer } from '../lib/bench-server.ts';
import { type NotificationCounter, notificationCounter } from '../lib/notification-counter.ts';
import { createPostgresBenchDatabase } from '../lib/postgres-bench-database.ts';
import { runAll } from '../lib/run-all.ts';
import { type Scenario, median } from '../lib/scenario.ts';
import { type SeedAlert, seedBenchDatabase } from '../lib/seed-bench-database.ts';
import { wallNow } from '../lib/wall-clock.ts';

/**
 * Scenario 8, firing throughput on PostgreSQL beside SQLite: one trade crosses 10,000 armed
 * alerts; measured, the time from the trade's publication to the last of their firings
 * committed (counted from the bench on a connection of its own), and firings per second. The
 * same server (`npm start`) on each database, one node, each following a simulator of its own
 * so that only one of them fires at a time; runs alternate between the two. Alert storm
 * (scenario 5) measures SQLite at 100,000 alerts with every user connected; this one isolates
 * the database.
 */
const PRODUCT = 'BTC-USD';
const LEADER = `tickwatch_product_leader{product="${PRODUCT}"}`;
/** The market sits here; batch b's alerts are at BASE + (b + 1) × $1,000 and one trade above it crosses them. */
const BASE_DOLLARS = 60_000;
const POLL_MS = 10;
const FIRE_TIMEOUT_MS = 60_000;

const FULL = { users: 1_000, alerts: 10_000, runs: 3, warmup: 1_000 };
const SMOKE = { users: 50, alerts: 500, runs: 1, warmup: 100 };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const threshold = (batch: number): string => `${BASE_DOLLARS + (batch + 1) * 1_000}.00`;

interface Side {
  label: string;
  sim: Simulator;
  server: BenchServer;
  counter: NotificationCounter;
  /** Per measured run: ms from the trade to every firing committed. */
  runs: number[];
  /** Alerts of the measured batches that did not fire exactly once. */
  wrong: number;
}

/** Publishes the trade that crosses `batch` and waits until its `size` firings are committed; ms. */
async function fireBatch(side: Side, batch: number, size: number): Promise<number> {
  const before = await side.counter.maxId();
  const from = wallNow();
  side.sim.trade(PRODUCT, { price: `${BASE_DOLLARS + (batch + 1) * 1_000}.50`, size: '0.01' });
  while (wallNow() - from < FIRE_TIMEOUT_MS) {
    if ((await side.counter.count(before)) >= size) {
      const ms = wallNow() - from;
      // Beyond `size` rows, an alert fired twice; fewer distinct alerts than `size`, one was missed.
      side.wrong += (await side.counter.count(before)) - size + (size - (await side.counter.distinctAlerts(before)));
      return ms;
    }
    await sleep(POLL_MS);
  }
  throw new Error(`${side.label}: ${await side.counter.count(before)} of ${size} firings committed after ${FIRE_TIMEOUT_MS / 1000} s`);
}

export const firingThroughput: Scenario = async ({ smoke, log }) => {
  const config = smoke ? SMOKE : FULL;
  // Batch 0 warms up (queries compiled, JIT); batches 1..runs are measured.
  const sizes = [config.warmup, ...Array.from({ length: config.runs }, () => config.alerts)];
  const alerts: SeedAlert[] = sizes.flatMap((size, batch) => Array.from({ length: size }, () => ({ user: 0, direction: 'above' as const, threshold: threshold(batch) })));
  alerts.forEach((alert, n) => (alert.user = n % config.users));
  const secret = randomBytes(32).toString('hex');
  const dirs: string[] = [];
  const sims: Simulator[] = [];
  const servers: BenchServer[] = [];
  const counters: NotificationCounter[] = [];
  const postgres = await createPostgresBenchDatabase();
  const tempDir = (): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickwatch-bench-firing-'));
    dirs.push(dir);
    return dir;
  };

  async function startSide(label: string, database: DatabaseTarget, databaseUrl: string, dataDir: string): Promise<Side> {
    log(`${label}: seeding ${config.users} users and ${alerts.length.toLocaleString('en-US')} alerts`);
    await seedBenchDatabase({ database, secret, users: config.users, alerts });
    const sim = await createSimulator({ products: [PRODUCT], history: 200, heartbeatIntervalMs: 1000, startPrices: { [PRODUCT]: `${BASE_DOLLARS}.00` } });
    sims.push(sim);
    const server = await startBenchServer({ dataDir, databaseUrl, secret, feedUrl: sim.url, restUrl: sim.restUrl, sockets: 64 });
    servers.push(server);
    const counter = await notificationCounter(database);
    counters.push(counter);
    return { label, sim, server, counter, runs: [], wrong: 0 };
  }

  try {
    const sqliteDir = tempDir();
    const sqliteFile = path.join(sqliteDir, 'tickwatch.db');
    // Started together: neither measures anything yet, and the smoke run stays short.
    const [sqlite, pg] = await Promise.all([
      startSide('SQLite', { provider: 'sqlite', file: sqliteFile }, `file:${sqliteFile}`, sqliteDir),
      startSide('PostgreSQL', postgres.target, postgres.url, tempDir()),
    ]);
    // One node on PostgreSQL fires only once it holds the product's lease.
    for (let waited = 0; (await readMetric(pg.server.baseUrl, LEADER)) !== 1; waited += 50) {
      if (waited > 15_000) throw new Error('the PostgreSQL node did not take the firing lease within 15 s');
      await sleep(50);
    }
    for (const side of [sqlite, pg]) log(`${side.label}: warm-up, ${sizes[0]} firings in ${Math.round(await fireBatch(side, 0, sizes[0]!))} ms`);
    for (let run = 1; run < sizes.length; run++) {
      // Alternating who goes first, so a drift of the machine's load favours neither.
      for (const side of run % 2 === 1 ? [sqlite, pg] : [pg, sqlite]) {
        await sleep(500);
        const ms = await fireBatch(side, run, sizes[run]!);
        side.runs.push(ms);
        log(`${side.label}: run ${run}, ${sizes[run]} firings committed ${Math.round(ms)} ms after the trade`);
      }
    }

    const pgMs = median(pg.runs);
    const sqliteMs = median(sqlite.runs);
    const perSecond = (ms: number): number => Math.round(config.alerts / (ms / 1000));
    const label = `${config.alerts.toLocaleString('en-US')} alerts`;
    return {
      id: 'firing-throughput',
      title: `Firing throughput, PostgreSQL beside SQLite (${label} on one trade)`,
      rows: [
        {
          metric: 'trade → every firing committed: PostgreSQL (one node, fenced by its lease)',
          value: Math.round(pgMs),
          unit: 'ms',
          baseline: { name: 'SQLite', value: Math.round(sqliteMs) },
          ratio: Math.round((pgMs / sqliteMs) * 100) / 100,
          ratioLabel: 'PostgreSQL / SQLite',
          runs: pg.runs.map(Math.round),
          note: `SQLite runs: ${sqlite.runs.map(Math.round).join(', ')}`,
        },
        {
          metric: 'firings committed per second: PostgreSQL',
          value: perSecond(pgMs),
          unit: 'firings/s',
          baseline: { name: 'SQLite', value: perSecond(sqliteMs) },
          ratio: Math.round((perSecond(pgMs) / perSecond(sqliteMs)) * 100) / 100,
          ratioLabel: 'PostgreSQL / SQLite',
        },
        { metric: 'crossed alerts not fired exactly once (both databases)', value: pg.wrong + sqlite.wrong, unit: 'alerts', bar: { op: '<=', value: 0 } },
      ],
      charts: [
        {
          id: 'firing-throughput',
          title: `${label} fired by one trade: until every firing is committed (ms)`,
          unit: 'ms',
          bars: [
            ...sqlite.runs.map((ms, i) => ({ label: `run ${i + 1}`, value: Math.round(ms), series: 'SQLite' })),
            ...pg.runs.map((ms, i) => ({ label: `run ${i + 1}`, value: Math.round(ms), series: 'PostgreSQL' })),
          ],
        },
      ],
      notes: [
        `Median of ${config.runs} run(s) each, alternating, after a warm-up batch of ${config.warmup.toLocaleString('en-US')} (not reported); ${config.users.toLocaleString('en-US')} users, no client connected (the hits go to empty rooms), no other trades.`,
        `Committed = counted by the bench on its own connection, polled every ${POLL_MS} ms (a read-only SQLite connection; a PostgreSQL client): the figure is up to ${POLL_MS} ms late.`,
        'PostgreSQL 15 runs on the same 2 cores with its default configuration (fsync on); each firing chunk also checks the lease inside its transaction.',
        ...(smoke ? [`Smoke run: ${config.alerts} alerts per run; numbers are not meaningful.`] : []),
      ],
    };
  } finally {
    await runAll([
      ...counters.map((counter) => () => counter.close()),
      ...servers.map((server) => () => server.stop()),
      ...sims.map((sim) => () => sim.close()),
      () => postgres.drop(),
      () => Promise.resolve(dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true }))),
    ]);
  }
};
