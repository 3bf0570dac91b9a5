import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSimulator } from '../../server/feed/simulator/create-simulator.ts';
import { startBenchServer } from '../lib/bench-server.ts';
import { startClientFleet } from '../lib/client-fleet.ts';
import { notificationCounter } from '../lib/notification-counter.ts';
import type { Scenario } from '../lib/scenario.ts';
import { seedBenchDatabase } from '../lib/seed-bench-database.ts';
import { wallNow } from '../lib/wall-clock.ts';

/**
 * Scenario 5, an alert storm: 100,000 armed alerts (1,000 users × 100) all crossed by one trade.
 * Measured: the time until every firing is committed (the server's database, read from here)
 * and until every hit reached its user's socket (1,000 users connected from another process);
 * the server's own event-loop delay (`nodejs_eventloop_lag_max_seconds`, prom-client's
 * `perf_hooks.monitorEventLoopDelay`, reset at each scrape); and whether ticks kept reaching
 * the clients meanwhile (the longest gap between tick deliveries). Beside it: the same
 * measurements over an equally long stretch of the same market without a storm.
 */
const PRODUCT = 'BTC-USD';
const BAR_MS = 3_000;
const LAG_BAR_MS = 50;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function lagMaxMs(baseUrl: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('nodejs_eventloop_lag_max_seconds '));
  return Number(line?.split(' ')[1] ?? Number.NaN) * 1000;
}

/** Longest pause between consecutive tick deliveries to any client, in ms. */
function longestTickGap(samples: Float64Array, from: number, to: number): number {
  const times: number[] = [];
  for (let i = 1; i < samples.length; i += 2) if (samples[i]! >= from && samples[i]! <= to) times.push(samples[i]!);
  times.sort((a, b) => a - b);
  let gap = times.length > 0 ? Math.max(times[0]! - from, to - times.at(-1)!) : to - from;
  for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i]! - times[i - 1]!);
  return gap;
}

export const alertStorm: Scenario = async ({ smoke, log }) => {
  const users = smoke ? 50 : 1_000;
  const perUser = smoke ? 20 : 100;
  const total = users * perUser;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickwatch-bench-storm-'));
  const database = { provider: 'sqlite' as const, file: path.join(dir, 'tickwatch.db') };
  const secret = randomBytes(32).toString('hex');
  const sim = await createSimulator({ products: [PRODUCT], ratePerSecond: 0, history: 600, heartbeatIntervalMs: 1000, startPrices: { [PRODUCT]: '50000.00' } });
  let trader: NodeJS.Timeout | null = null;
  let server: Awaited<ReturnType<typeof startBenchServer>> | null = null;
  let fleet: Awaited<ReturnType<typeof startClientFleet>> | null = null;
  try {
    log(`seeding ${users.toLocaleString('en-US')} users with ${perUser} alerts each`);
    const seeded = await seedBenchDatabase({
      database,
      secret,
      users,
      alerts: Array.from({ length: total }, (_, n) => ({ user: n % users, direction: 'above' as const, threshold: '60000.00' })),
    });
    server = await startBenchServer({ dataDir: dir, databaseUrl: `file:${database.file}`, secret, feedUrl: sim.url, restUrl: sim.restUrl, sockets: users + 64 });
    fleet = await startClientFleet(2, Math.ceil(users / 2));
    const connected = await fleet.connectSocketIo(server.baseUrl, seeded.cookies, [PRODUCT]);
    if (connected.failed > 0) throw new Error(`${connected.failed} clients could not connect: ${connected.errors.join('; ')}`);

    // A steady market below the threshold, 20 trades a second, the whole time.
    let cents = 5_000_000;
    trader = setInterval(() => {
      cents += Math.round(Math.random() * 200) - 100;
      sim.trade(PRODUCT, { price: (cents / 100).toFixed(2) });
    }, 50);
    await sleep(2_000);

    // The same market without a storm, for as long as a storm is given.
    const stretchMs = smoke ? 1_000 : 3_000;
    await lagMaxMs(server.baseUrl);
    await fleet.collect();
    const calmFrom = wallNow();
    await sleep(stretchMs);
    const calmTo = wallNow();
    const calmLag = await lagMaxMs(server.baseUrl);
    const calmGap = longestTickGap((await fleet.collect()).ticks, calmFrom, calmTo);

    // The storm: one trade crosses every alert; the market goes on below the threshold after it.
    const notifications = await notificationCounter(database);
    const hitsBefore = (await fleet.counts()).hits;
    await lagMaxMs(server.baseUrl);
    const stormFrom = wallNow();
    sim.trade(PRODUCT, { price: '61000.00' });
    let persistedAt = 0;
    let deliveredAt = 0;
    const deadline = stormFrom + 60_000;
    while ((persistedAt === 0 || deliveredAt === 0) && wallNow() < deadline) {
      await sleep(10);
      if (persistedAt === 0 && (await notifications.count()) >= total) persistedAt = wallNow();
      if (deliveredAt === 0 && (await fleet.counts()).hits - hitsBefore >= total) deliveredAt = wallNow();
    }
    await notifications.close();
    if (persistedAt === 0 || deliveredAt === 0) throw new Error(`storm not done within 60 s (persisted: ${persistedAt > 0}, delivered: ${deliveredAt > 0})`);
    const stormTo = Math.max(deliveredAt, stormFrom + stretchMs);
    while (wallNow() < stormTo) await sleep(10);
    const stormLag = await lagMaxMs(server.baseUrl);
    const stormGap = longestTickGap((await fleet.collect()).ticks, stormFrom, stormTo);
    const persistedMs = persistedAt - stormFrom;
    const deliveredMs = deliveredAt - stormFrom;
    log(`persisted ${total} in ${Math.round(persistedMs)} ms, delivered in ${Math.round(deliveredMs)} ms; event-loop max ${stormLag.toFixed(1)} ms (calm ${calmLag.toFixed(1)}); longest tick gap ${Math.round(stormGap)} ms (calm ${Math.round(calmGap)})`);

    return {
      id: 'alert-storm',
      title: `Alert storm (${total.toLocaleString('en-US')} alerts on one trade)`,
      rows: [
        { metric: 'trade → every firing committed', value: persistedMs, unit: 'ms', bar: { op: '<', value: BAR_MS } },
        { metric: 'trade → every hit at its user (end to end)', value: deliveredMs, unit: 'ms', bar: { op: '<', value: BAR_MS } },
        {
          metric: 'server event loop, longest block',
          value: stormLag,
          unit: 'ms',
          baseline: { name: 'same market, no storm', value: calmLag },
          ratio: stormLag / calmLag,
          ratioLabel: 'storm / calm',
          bar: { op: '<=', value: LAG_BAR_MS },
        },
        {
          metric: 'longest gap between tick deliveries',
          value: stormGap,
          unit: 'ms',
          baseline: { name: 'same market, no storm', value: calmGap },
          ratio: stormGap / calmGap,
          ratioLabel: 'storm / calm',
          note: 'ticks go out every 250 ms',
        },
      ],
      charts: [
        {
          id: 'alert-storm',
          title: `${total.toLocaleString('en-US')} alerts fired by one trade (ms)`,
          unit: 'ms',
          bars: [
            { label: 'all committed', value: persistedMs, series: 'storm' },
            { label: 'all delivered', value: deliveredMs, series: 'storm' },
            { label: 'longest event-loop block', value: stormLag, series: 'storm' },
            { label: 'longest event-loop block', value: calmLag, series: 'calm' },
            { label: 'longest tick gap', value: stormGap, series: 'storm' },
            { label: 'longest tick gap', value: calmGap, series: 'calm' },
          ],
        },
      ],
      notes: [`one run (a storm fires each alert once); ${users} clients in 2 processes sharing the 2 cores with the server`],
    };
  } finally {
    if (trader) clearInterval(trader);
    await fleet?.close();
    await server?.stop();
    await sim.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
};
