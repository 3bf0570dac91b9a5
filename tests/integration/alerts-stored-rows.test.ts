import { randomUUID } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../lib/realtime/events.ts';
import { type Simulator, createSimulator } from '../../server/feed/simulator/create-simulator.ts';
import { sqliteDate } from '../../server/db/sqlite-date.ts';
import { HttpClient, uniqueEmail } from '../support/http-client.ts';
import { readMetric } from '../support/metrics.ts';
import { type TestApp, startTestApp } from '../support/test-app.ts';
import { waitFor } from '../support/wait-for.ts';

/**
 * No alert row can keep the service down. The API refuses what the index could not hold
 * (expiresAt far in the future, in the past) before writing anything, and start-up skips any
 * stored row it cannot load, counting it and saying which and why, while the good alerts load
 * and fire.
 */
const PRODUCT = 'BTC-USD';
const YEAR_MS = 365.25 * 86_400_000;

let sim: Simulator;
const env = () => ({ COINBASE_WS_URL: sim.url, COINBASE_REST_URL: sim.restUrl, WINDOW: '1m', RATE_LIMIT_AUTH_IP: '1000/1m', RATE_LIMIT_ALERT_CREATE: '1000/1m' });

beforeAll(async () => {
  sim = await createSimulator({ seed: 9, history: 50, ratePerSecond: 0, heartbeatIntervalMs: 200, startPrices: { [PRODUCT]: '50000.00' } });
});
afterAll(async () => {
  await sim.close();
});

async function signedUp(baseUrl: string): Promise<{ http: HttpClient; id: string }> {
  const http = new HttpClient(baseUrl);
  const response = await http.signUp(uniqueEmail('stored'));
  expect(response.status).toBe(200);
  return { http, id: ((await response.json()) as { user: { id: string } }).user.id };
}

async function trade(t: TestApp, price: string): Promise<void> {
  const published = sim.trade(PRODUCT, { price, size: '0.01' });
  await waitFor(() => (t.app.market.snapshot(PRODUCT)?.tradeId ?? 0) >= published.tradeId, 10_000, `the trade at ${price}`);
}

describe('expiresAt through the API', () => {
  let t: TestApp;
  let user: { http: HttpClient; id: string };

  beforeAll(async () => {
    t = await startTestApp(env());
    user = await signedUp(t.baseUrl);
  });
  afterAll(async () => {
    await t.close();
  });

  const body = { product: PRODUCT, basis: 'last', direction: 'above', threshold: '999999' };

  it.each([
    ['far in the future', '2300-01-01T00:00:00Z', /at most 10 years/],
    ['just past 10 years', () => new Date(Date.now() + 10 * YEAR_MS + 86_400_000).toISOString(), /at most 10 years/],
    ['in the past', '2020-01-01T00:00:00Z', /in the future/],
    ['the largest date', '+275760-09-13T00:00:00Z', /ISO-8601/],
  ] as const)('a create with expiresAt %s is 422 with a sentence, and nothing is stored', async (_what, expiresAt, message) => {
    const before = await t.app.db.alert.count({ where: { userId: user.id } });
    const response = await user.http.request('POST', '/api/alerts', { ...body, expiresAt: typeof expiresAt === 'function' ? expiresAt() : expiresAt });
    expect(response.status).toBe(422);
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('validation_failed');
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/^[A-Z].*\.$|^[a-z]/);
    expect(await t.app.db.alert.count({ where: { userId: user.id } })).toBe(before);
  });

  it('a create within 10 years is accepted and indexed', async () => {
    const expiresAt = new Date(Date.now() + 9 * YEAR_MS).toISOString();
    const alert = await user.http.createAlert({ ...body, expiresAt });
    expect(alert.expiresAt).toBe(expiresAt);
    expect(t.app.evaluator.size()).toBeGreaterThanOrEqual(1);
  });

  it('a patch to such a date is 422, changes nothing, and the alert stays indexed and still fires', async () => {
    await trade(t, '50000.00');
    const alert = await user.http.createAlert({ ...body, threshold: '50100' });
    const size = t.app.evaluator.size();
    for (const expiresAt of ['2300-01-01T00:00:00Z', '2020-01-01T00:00:00Z']) {
      const response = await user.http.request('PATCH', `/api/alerts/${alert.id}`, { expiresAt });
      expect(response.status).toBe(422);
    }
    expect(t.app.evaluator.size()).toBe(size);
    const row = await t.app.db.alert.findUniqueOrThrow({ where: { id: alert.id } });
    expect(row).toMatchObject({ status: 'armed', expiresAt: null });
    await trade(t, '50200.00');
    await waitFor(async () => (await t.app.db.notification.count({ where: { alertId: alert.id } })) === 1, 5_000, 'the alert fired');
  });
});

describe('rows no API would write, stored straight into SQLite', () => {
  it('are skipped at start (counted, logged at warn with id and reason); the server starts, serves, and the good alerts fire', { timeout: 120_000 }, async () => {
    const first = await startTestApp(env(), { keepData: true });
    const owner = await signedUp(first.baseUrl);
    await trade(first, '50000.00');
    const good: Alert[] = [
      await owner.http.createAlert({ product: PRODUCT, basis: 'last', direction: 'above', threshold: '51000' }),
      await owner.http.createAlert({ product: PRODUCT, basis: 'last', direction: 'below', threshold: '49000', expiresAt: new Date(Date.now() + YEAR_MS).toISOString() }),
    ];
    await first.close();

    const db = new Database(path.join(first.dataDir, 'tickwatch.db'));
    const now = sqliteDate(Date.now());
    const insert = db.prepare(`INSERT INTO alert (id, userId, product, basis, direction, threshold, repeatMode, rearmBand, cooldownSeconds, note, status, arming, createdAt, updatedAt, triggeredAt, expiresAt)
      VALUES (@id, @userId, @product, @basis, @direction, @threshold, @repeatMode, @rearmBand, @cooldownSeconds, NULL, @status, @arming, @now, @now, @triggeredAt, @expiresAt)`);
    const base = { userId: owner.id, product: PRODUCT, basis: 'last', direction: 'above', threshold: '52000', repeatMode: 'once', rearmBand: null, cooldownSeconds: null, status: 'armed', arming: 1, now, triggeredAt: null, expiresAt: null };
    const rearm = { repeatMode: 'rearm', rearmBand: '100', cooldownSeconds: 60, status: 'triggered', triggeredAt: now };
    const bad: Record<string, Record<string, unknown>> = {
      'expiresAt past 2200 (beyond microseconds in a double)': { expiresAt: sqliteDate(Date.UTC(2300, 0, 1)) },
      'expiresAt that is no date': { expiresAt: 'not a date' },
      'threshold that is no decimal': { threshold: 'sixty thousand' },
      'threshold of zero': { threshold: '0' },
      'negative threshold': { threshold: '-5' },
      'unknown basis': { basis: 'median' },
      'unknown direction': { direction: 'sideways' },
      'unknown repeat mode': { repeatMode: '{"mode":' },
      'rearm band that is no decimal': { ...rearm, rearmBand: 'wide' },
      'cooldown that is text': { ...rearm, cooldownSeconds: 'soon' },
      'triggeredAt that is no date': { ...rearm, triggeredAt: 'yesterday' },
      'rearm expiring in 2300': { ...rearm, expiresAt: sqliteDate(Date.UTC(2300, 0, 1)) },
      'arming that is no number': { arming: 'first' },
      'product no longer followed': { product: 'DOGE-USD' },
    };
    const ids = new Map<string, string>();
    for (const [what, fields] of Object.entries(bad)) {
      const id = randomUUID();
      ids.set(id, what);
      insert.run({ ...base, ...fields, id });
    }
    db.close();

    const lines: string[] = [];
    const second = await startTestApp(env(), { dataDir: first.dataDir, keepData: true, logDestination: { write: (line: string) => void lines.push(line) } });
    let secondOpen = true;
    try {
      expect((await fetch(`${second.baseUrl}/healthz`)).status).toBe(200);
      expect(second.app.evaluator.size()).toBe(good.length);
      const warned = lines.map((line) => JSON.parse(line) as { level: number; alertId?: string; reason?: string; msg: string }).filter((l) => l.alertId && ids.has(l.alertId));
      expect(new Set(warned.map((l) => l.alertId))).toEqual(new Set(ids.keys()));
      expect(warned.every((l) => l.level === 40 && typeof l.reason === 'string' && l.reason.length > 0)).toBe(true);
      const metrics = await (await fetch(`${second.baseUrl}/metrics`)).text();
      const skipped = [...metrics.matchAll(/^tickwatch_alerts_skipped_total\{reason="([a-z_]+)"\} (\d+)$/gm)];
      expect(skipped.reduce((sum, m) => sum + Number(m[2]), 0)).toBe(ids.size);
      expect(await readMetric(second.baseUrl, 'tickwatch_alerts_skipped_total{reason="product_not_followed"}')).toBe(1);

      // It serves: the owner's list, and everyone else's requests.
      const owner2 = new HttpClient(second.baseUrl);
      expect((await owner2.signIn((await second.app.db.user.findUniqueOrThrow({ where: { id: owner.id } })).email)).status).toBe(200);
      const list = await owner2.request('GET', '/api/alerts');
      expect(list.status).toBe(200);
      const listed = ((await list.json()) as { alerts: Alert[] }).alerts.map((a) => a.id);
      for (const alert of good) expect(listed).toContain(alert.id);
      // A row whose columns Prisma cannot read is left out of the list, refused by id, and can be deleted.
      const unreadable = [...ids].find(([, what]) => what === 'cooldown that is text')![0];
      expect(listed).not.toContain(unreadable);
      expect((await owner2.request('GET', `/api/alerts/${unreadable}`)).status).toBe(422);
      expect((await owner2.request('DELETE', `/api/alerts/${unreadable}`)).status).toBe(204);
      expect(await second.app.db.alert.count({ where: { id: unreadable } })).toBe(0);
      ids.delete(unreadable);
      const other = await signedUp(second.baseUrl);
      expect((await other.http.request('POST', '/api/alerts', { product: PRODUCT, basis: 'last', direction: 'above', threshold: '53000' })).status).toBe(201);

      // The good alerts fire; the bad ones never do.
      await waitFor(() => second.app.market.snapshot(PRODUCT) !== null, 10_000, 'the feed after the restart');
      await trade(second, '53500.00');
      await trade(second, '48500.00');
      for (const alert of good) {
        await waitFor(async () => (await second.app.db.notification.count({ where: { alertId: alert.id } })) === 1, 5_000, `${alert.direction} fired`);
      }
      expect(await second.app.db.notification.count({ where: { alertId: { in: [...ids.keys()] } } })).toBe(0);

      // And it starts again just the same.
      secondOpen = false;
      await second.close();
      const third = await startTestApp(env(), { dataDir: first.dataDir });
      expect((await fetch(`${third.baseUrl}/healthz`)).status).toBe(200);
      await third.close();
    } finally {
      if (secondOpen) await second.close();
    }
  });
});
