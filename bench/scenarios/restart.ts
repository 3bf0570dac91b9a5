import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { applyPendingMigrations } from '../../server/db/migrate.ts';
import { type Scenario, median } from '../lib/scenario.ts';
import { seedAlerts, seedTrades } from '../lib/seed-database.ts';
import { ROOT_DIR, startServerProcess } from '../lib/server-process.ts';

/**
 * Scenario 6, restart: time from process start to "window warm and alerts armed" with 24 h of
 * stored trades and a million armed alerts in the database, beside the same restart on an empty
 * database (the fixed cost: Node, TypeScript loading, Next.js, migrations check). The server logs
 * when the alert index is loaded and each window rebuilt, and it listens only after both, so the
 * "listening" line is the moment it is ready; its log times give the breakdown.
 */
const BAR_MS = 5_000;
const PRODUCT = 'BTC-USD';

interface Timing {
  readyMs: number;
  alertsMs: number;
  windowMs: number;
  indexed: number;
  trades: number;
}

async function timeRestart(databaseFile: string, dataDir: string): Promise<Timing> {
  const server = await startServerProcess({ DATA_DIR: dataDir, DATABASE_URL: `file:${databaseFile}`, PRODUCTS: PRODUCT, WINDOW: '10m' });
  try {
    const ready = await server.waitForLog(/^Tickwatch listening/, 120_000);
    const alerts = await server.waitForLog(/^alert index loaded/, 1_000);
    const window = server.logs.find((line) => /^window rebuilt/.test(line.msg));
    return {
      readyMs: ready.time - server.spawnedAt,
      alertsMs: alerts.time - server.spawnedAt,
      windowMs: (window?.time ?? ready.time) - server.spawnedAt,
      indexed: Number(alerts.indexed ?? 0),
      trades: Number(window?.trades ?? 0),
    };
  } finally {
    await server.stop();
  }
}

export const restart: Scenario = async ({ smoke, log }) => {
  const runs = smoke ? 1 : 3;
  const users = smoke ? 100 : 1_000;
  const perUser = smoke ? 100 : 1_000;
  const spanMs = smoke ? 3_600_000 : 86_400_000;
  const perSecond = 10;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickwatch-bench-restart-'));
  try {
    const empty = path.join(dir, 'empty.db');
    await applyPendingMigrations({ rootDir: ROOT_DIR, database: { provider: 'sqlite', file: empty }, log: () => undefined });
    const loaded = path.join(dir, 'loaded.db');
    fs.copyFileSync(empty, loaded);
    log(`seeding ${(spanMs / 3_600_000).toFixed(0)} h of trades at ${perSecond}/s and ${(users * perUser).toLocaleString('en-US')} alerts`);
    const db = new Database(loaded);
    db.pragma('journal_mode = WAL');
    const { count, lastCents } = seedTrades(db, { product: PRODUCT, endMs: Date.now(), spanMs, perSecond, startCents: 8_000_000, firstTradeId: 1_000_000 });
    seedAlerts(db, { users, perUser, product: PRODUCT, priceCents: lastCents });
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    log(`seeded ${count.toLocaleString('en-US')} trades; restarting ${runs}× each`);

    const baseline: Timing[] = [];
    const measured: Timing[] = [];
    for (let run = 0; run < runs; run++) {
      baseline.push(await timeRestart(empty, path.join(dir, `data-empty-${run}`)));
      const timing = await timeRestart(loaded, path.join(dir, `data-loaded-${run}`));
      if (timing.indexed !== users * perUser) throw new Error(`expected ${users * perUser} alerts indexed, the server says ${timing.indexed}`);
      if (timing.trades < count * 0.99) throw new Error(`expected about ${count} trades rebuilt, the server says ${timing.trades}`);
      measured.push(timing);
      log(`run ${run + 1}/${runs}: empty ${baseline.at(-1)!.readyMs} ms, loaded ${timing.readyMs} ms (alerts at ${timing.alertsMs} ms, window at ${timing.windowMs} ms)`);
    }
    const ready = median(measured.map((t) => t.readyMs));
    const emptyReady = median(baseline.map((t) => t.readyMs));
    return {
      id: 'restart',
      title: 'Restart to warm window and armed alerts',
      rows: [
        {
          metric: `start → ready, ${(spanMs / 3_600_000).toFixed(0)} h of trades (${count.toLocaleString('en-US')}) + ${(users * perUser).toLocaleString('en-US')} alerts`,
          value: ready,
          unit: 'ms',
          baseline: { name: 'same start, empty database', value: emptyReady },
          ratio: ready / emptyReady,
          ratioLabel: 'loaded / empty',
          bar: { op: '<', value: BAR_MS },
          runs: measured.map((t) => t.readyMs),
        },
        {
          metric: 'of which: alert index loaded (since start)',
          value: median(measured.map((t) => t.alertsMs)),
          unit: 'ms',
        },
        {
          metric: 'of which: window and history rebuilt (since start)',
          value: median(measured.map((t) => t.windowMs)),
          unit: 'ms',
        },
      ],
      charts: [
        {
          id: 'restart',
          title: 'Process start to ready (median)',
          unit: 'ms',
          bars: [
            { label: 'empty database', value: emptyReady },
            { label: 'alerts loaded', value: median(measured.map((t) => t.alertsMs)), series: '24 h + 1M alerts' },
            { label: 'window rebuilt', value: median(measured.map((t) => t.windowMs)), series: '24 h + 1M alerts' },
            { label: 'ready', value: ready, series: '24 h + 1M alerts' },
          ],
        },
      ],
      notes: [`${runs} restarts of each, alternating; times from spawn to the server's own log lines`],
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
};
