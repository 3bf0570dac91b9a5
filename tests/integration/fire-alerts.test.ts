import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fireAlerts } from '../../server/alerts/fire-alerts.ts';
import { type Db, dialectOf } from '../../server/db/client.ts';
import type { WindowState } from '../../server/stream/types.ts';
import { signUpUser } from '../support/sign-up-user.ts';
import { type TestApp, startTestApp } from '../support/test-app.ts';

/**
 * The firing statements themselves, on the test's database (SQLite, and PostgreSQL in the
 * integration-postgresql project): whatever the queue holds, an alert fires at most once per
 * arming, and a request that lost writes nothing.
 */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_AUTH_IP: '1000/1m' });
});
afterAll(async () => {
  await t?.close();
});

function state(tradeId: number, price: string): WindowState {
  const units = BigInt(price.replace('.', ''));
  return {
    product: 'BTC-USD', tradeId, time: '2026-12-07T12:00:00.000001Z', timeUs: 1_796_644_800_000_001, last: price, mean: `${price}000000`, vwap: `${price}000000`, count: 1,
    windowStartUs: 0, windowEndUs: 1_796_644_800_000_001, warm: true, sumPriceUnits: units, sumPvUnits: units, sumSizeUnits: 1n, lastUnits: units,
  };
}

async function fire(requests: Array<{ alertId: string; arming: number; state: WindowState }>) {
  const db = t.app.db;
  return db.$transaction((tx) => fireAlerts(tx as Db, dialectOf(db), requests, new Date()));
}

describe('fireAlerts', () => {
  it('fires an alert queued twice in one chunk once, with one notification', async () => {
    const user = await signUpUser(t.baseUrl, 'fire');
    const alert = await user.http.createAlert({ product: 'BTC-USD', basis: 'last', direction: 'above', threshold: '60000.00' });
    const result = await fire([
      { alertId: alert.id, arming: 1, state: state(101, '60001.00') },
      { alertId: alert.id, arming: 1, state: state(102, '60002.00') },
    ]);
    expect(result.fired.map((f) => f.notification.tradeId)).toEqual([101n]);
    expect(result.lost).toEqual([]);
    expect(await t.app.db.notification.count({ where: { alertId: alert.id } })).toBe(1);
  });

  it('writes nothing for an arming that is not armed any more, and says it lost', async () => {
    const user = await signUpUser(t.baseUrl, 'fire');
    const alert = await user.http.createAlert({ product: 'BTC-USD', basis: 'last', direction: 'above', threshold: '60000.00' });
    expect((await fire([{ alertId: alert.id, arming: 1, state: state(201, '60001.00') }])).fired).toHaveLength(1);
    const again = await fire([{ alertId: alert.id, arming: 1, state: state(202, '60002.00') }]);
    expect(again).toEqual({ fired: [], lost: [alert.id] });
    const stale = await fire([{ alertId: alert.id, arming: 7, state: state(203, '60003.00') }]);
    expect(stale).toEqual({ fired: [], lost: [alert.id] });
    expect(await t.app.db.notification.count({ where: { alertId: alert.id } })).toBe(1);
  });
});
