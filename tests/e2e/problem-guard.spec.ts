/**
 * The browser suite's guard (tests/e2e/fixtures.ts) itself: a test in which the server logged an
 * error, or a page logged one, fails unless it declared it; a declaration that never matched
 * fails too. Each failing case is marked `test.fail()`: it passes only if the guard fails it.
 */
import fs from 'node:fs';
import { expect, test } from './fixtures';

/** The log of the app this project's tests talk to (the first webServer app). */
function appLog(): string {
  const logs = JSON.parse(process.env.E2E_SERVER_LOGS ?? '[]') as string[];
  const log = logs[0];
  if (!log) throw new Error('E2E_SERVER_LOGS names no server log');
  return log;
}

/** One line as the app's pino logger writes an error, appended as the app's own writes are. */
function logServerError(msg: string): void {
  const line = { level: 50, time: Date.now(), app: 'tickwatch', module: 'guard-test', msg, err: { type: 'Error', message: 'provoked by the guard test' } };
  fs.appendFileSync(appLog(), `${JSON.stringify(line)}\n`);
}

test('an undeclared error in the server log fails the test', async ({ request }) => {
  test.fail();
  expect((await request.get('/healthz')).status()).toBe(200);
  logServerError('undeclared failure');
});

test('a declared error in the server log is accepted', async ({ request, expectErrors }) => {
  // This test writes the error line itself.
  expectErrors.server(/declared failure — Error: provoked by the guard test/);
  expect((await request.get('/healthz')).status()).toBe(200);
  logServerError('declared failure');
});

test('a declared server error that never came fails the test', async ({ request, expectErrors }) => {
  test.fail();
  expectErrors.server(/an error nobody logs/);
  expect((await request.get('/healthz')).status()).toBe(200);
});

test('a console error on a page fails the test', async ({ page }) => {
  test.fail();
  await page.goto('/sign-in');
  // eslint-disable-next-line no-console -- the page's own console, the thing under test
  await page.evaluate(() => console.error('something broke'));
});

test('an exception thrown in a page fails the test', async ({ page }) => {
  test.fail();
  await page.goto('/sign-in');
  await page.evaluate(() => setTimeout(() => { throw new Error('uncaught in the page'); }));
  await page.waitForTimeout(200);
});

test('a failed request of a page fails the test', async ({ page }) => {
  test.fail();
  await page.route('**/robots.txt', (route) => route.abort('connectionrefused'));
  await page.goto('/sign-in');
  await page.evaluate(() => fetch('/robots.txt').catch(() => undefined));
});

test('a 5xx from the app fails the test', async ({ page }) => {
  test.fail();
  await page.route('**/robots.txt', (route) => route.fulfill({ status: 503, body: 'down' }));
  await page.goto('/sign-in');
  await page.evaluate(() => fetch('/robots.txt'));
});
