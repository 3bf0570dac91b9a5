import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertSync } from '../../server/cluster/alert-sync.ts';
import { createLogger } from '../../server/logger.ts';
import { signUpUser } from '../support/sign-up-user.ts';
import { type TestApp, startTestApp } from '../support/test-app.ts';

/**
 * The periodic alert sync of several nodes (`server/cluster/alert-sync.ts`), on the test's
 * database (SQLite, and PostgreSQL in the integration-postgresql project): each look reaches ten
 * seconds back, so it reads most rows several times; a row is tracked once per change, not once
 * per look.
 */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_AUTH_IP: '1000/1m' });
});
afterAll(async () => {
  await t?.close();
});

describe('createAlertSync', () => {
  it('tracks each changed row once, and again only when it changes again', async () => {
    const user = await signUpUser(t.baseUrl, 'sync');
    const tracked: string[] = [];
    const sync = createAlertSync({ db: t.app.db, logger: createLogger('silent'), track: (row) => Promise.resolve(void tracked.push(`${row.id} ${row.threshold}`)) });
    const alerts = [];
    for (const threshold of ['60000.00', '61000.00', '62000.00']) {
      alerts.push(await user.http.createAlert({ product: 'BTC-USD', basis: 'last', direction: 'above', threshold }));
    }
    await sync.syncNow();
    expect(tracked.toSorted()).toEqual(alerts.map((a) => `${a.id} ${a.threshold}`).toSorted());

    tracked.length = 0;
    await sync.syncNow();
    await sync.syncNow();
    expect(tracked).toEqual([]);

    const edited = await user.http.request('PATCH', `/api/alerts/${alerts[1]!.id}`, { threshold: '61500.00' });
    expect(edited.status).toBe(200);
    await sync.syncNow();
    await sync.syncNow();
    expect(tracked).toEqual([`${alerts[1]!.id} 61500.00`]);
    await sync.close();
  });
});
