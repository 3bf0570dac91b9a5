/**
 * A backlog larger than the server replays one by one: the first hits arrive as toasts, the
 * rest as one notice that says how many wait in the inbox and links to it, and all of them are
 * then delivered (never replayed again).
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { sqliteDate } from '../../server/db/sqlite-date.ts';
import { REPLAY_LIMIT } from '../../server/realtime/alert-delivery.ts';
import { expect, test } from './fixtures';
import { signUp, uniqueEmail } from './support';

const BACKLOG = REPLAY_LIMIT + 50;

test('hits past the replay cap arrive as one toast counting them, linking to the inbox', async ({ page }) => {
  await signUp(page, uniqueEmail('backlog'));
  const { user } = (await (await page.request.get('/api/auth/get-session')).json()) as { user: { id: string } };
  // The user leaves: no tab of theirs is connected while the hits are written, so the only
  // replay that can see them is the one of the page that comes back (a tab still connected, on a
  // busy machine, could still be reading its own connect's replay and take some of them).
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');
  await page.goto('about:blank');
  await page.waitForTimeout(500);
  // The hits fired while the user was away: written into the server's database directly.
  const db = new Database(path.join(process.env.E2E_DATA_DIR!, 'tickwatch.db'), { timeout: 5_000 });
  try {
    const now = sqliteDate(Date.now());
    const alertId = `backlog-${user.id}`;
    db.prepare(
      `INSERT INTO alert (id, userId, product, basis, direction, threshold, status, arming, createdAt, updatedAt, triggeredAt)
       VALUES (?, ?, 'BTC-USD', 'last', 'above', '900000.00', 'triggered', ?, ?, ?, ?)`,
    ).run(alertId, user.id, BACKLOG, now, now, now);
    db.prepare(
      `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?)
       INSERT INTO notification (alertId, userId, arming, product, basis, direction, threshold, value, tradeId, tradeTime, windowCount, firedAt)
       SELECT ?, ?, n, 'BTC-USD', 'last', 'above', '900000.00', '900001.00000000', n, '2026-01-01T00:00:00.000001Z', 1, ? FROM seq`,
    ).run(BACKLOG, alertId, user.id, now);
  } finally {
    db.close();
  }

  await page.goto('/dashboard');
  const notice = page.getByTestId('alert-backlog-toast');
  await expect(notice).toHaveAttribute('data-count', String(BACKLOG - REPLAY_LIMIT), { timeout: 20_000 });
  await expect(notice).toContainText(`${BACKLOG - REPLAY_LIMIT} more alerts are waiting in the inbox`);
  await expect(notice).toContainText('They fired while you were away.');
  await notice.getByRole('link', { name: 'Open the inbox' }).click();
  await expect(page).toHaveURL(/\/inbox$/);

  // Acknowledged: nothing of it is replayed on the next visit.
  await expect
    .poll(() => {
      const check = new Database(path.join(process.env.E2E_DATA_DIR!, 'tickwatch.db'), { readonly: true });
      try {
        return (check.prepare('SELECT COUNT(*) AS n FROM notification WHERE userId = ? AND deliveredAt IS NULL').get(user.id) as { n: number }).n;
      } finally {
        check.close();
      }
    }, { timeout: 10_000 })
    .toBe(0);
  await page.goto('/dashboard');
  await page.waitForTimeout(1_500);
  await expect(page.getByTestId('alert-backlog-toast')).toHaveCount(0);
});
