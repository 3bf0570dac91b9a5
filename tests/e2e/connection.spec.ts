/**
 * The page's own connection, apart from the exchange feed: when the browser is offline or its
 * socket is cut, the dashboard says so and how old what it shows is, instead of "Feed: live"
 * over frozen prices, and goes back to normal when the connection is back.
 */
import type { WebSocketRoute } from '@playwright/test';
import { type Page, expect, test } from './fixtures';
import { currentPrice } from './support-alerts';
import { signUp, uniqueEmail } from './support';
import { simControl } from './support-sim';

async function liveDashboard(page: Page): Promise<void> {
  await signUp(page, uniqueEmail('offline'));
  await expect(page.getByTestId('feed-state')).toHaveAttribute('data-state', 'live');
  await expect(page.getByTestId('market-last')).toHaveText(/\d/);
  await expect(page.getByTestId('connection-lost')).toHaveCount(0);
}

async function expectBackToNormal(page: Page): Promise<void> {
  await expect(page.getByTestId('connection-lost')).toHaveCount(0, { timeout: 20_000 });
  await expect(page.getByTestId('feed-state')).toHaveAttribute('data-state', 'live');
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');
  // Prices move again: a scripted trade shows up.
  const price = (await currentPrice(page)) + 0.37;
  await simControl('pause');
  try {
    await simControl('trade', { product: 'BTC-USD', price: price.toFixed(2), size: '0.01' });
    await expect(page.getByTestId('market-last')).toHaveText(price.toLocaleString('en-US', { minimumFractionDigits: 2 }), { timeout: 5_000 });
  } finally {
    await simControl('resume');
  }
}

test('offline, the page says so and how old its numbers are, not "Feed: live"; back online, it is live again', async ({ page, context, expectErrors }) => {
  // The test takes the browser offline: the socket's requests fail while it is.
  expectErrors.browser(/net::ERR_INTERNET_DISCONNECTED/, { pattern: /WebSocket connection to .* failed/, optional: true });
  await liveDashboard(page);
  await context.setOffline(true);
  const notice = page.getByTestId('connection-lost');
  await expect(notice).toContainText('You are offline');
  await expect(notice).toContainText(/as of \d{2}:\d{2}:\d{2}, (just now|\d+ s ago)/);
  await expect(page.getByTestId('feed-state')).not.toHaveAttribute('data-state', 'live');
  await expect(page.getByTestId('feed-state')).toContainText('unknown while offline');
  await expect(page.getByTestId('connection-state')).toHaveText('Offline');
  // The age goes on counting.
  await expect(notice).toContainText(/as of \d{2}:\d{2}:\d{2}, [3-9] s ago/, { timeout: 10_000 });

  await context.setOffline(false);
  await expectBackToNormal(page);
});

test('with the socket cut while the device is online, the page says it has no connection to the server', async ({ page, expectErrors }) => {
  // The test refuses the socket's requests while it is cut; whether polling is tried in that time depends on timing.
  expectErrors.browser({ pattern: /socket\.io.*net::ERR_CONNECTION_REFUSED/, optional: true }, { pattern: /WebSocket connection to .* failed/, optional: true });
  let cut = false;
  const sockets: WebSocketRoute[] = [];
  // Socket.IO's transports: its WebSocket and its HTTP long-polling.
  await page.routeWebSocket(/\/socket\.io\//, (ws) => {
    if (cut) return void ws.close();
    ws.connectToServer();
    sockets.push(ws);
  });
  await page.route('**/socket.io/**', (route) => (cut ? route.abort('connectionrefused') : route.continue()));
  await liveDashboard(page);
  // The page's socket runs on its WebSocket (not a long poll, which a cut would leave hanging).
  expect(sockets.length).toBeGreaterThan(0);

  cut = true;
  await Promise.all(sockets.map((ws) => ws.close()));
  const notice = page.getByTestId('connection-lost');
  await expect(notice).toContainText('No connection to the Tickwatch server');
  await expect(notice).toContainText(/as of \d{2}:\d{2}:\d{2}/);
  await expect(page.getByTestId('feed-state')).not.toHaveAttribute('data-state', 'live');
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'reconnecting');

  cut = false;
  await expectBackToNormal(page);
});

test('a chart that could not be loaded leaves the dashboard working, and is loaded once the browser is back online', async ({ page, expectErrors }) => {
  // The test fails the chart's script chunks as a lost connection would; Chromium may also fail
  // the socket's WebSocket meanwhile (reported as blocked by its local-network checks).
  expectErrors.browser(/_next\/static\/chunks\/.*net::ERR_INTERNET_DISCONNECTED/, { pattern: /WebSocket connection to .* failed/, optional: true });
  await signUp(page, uniqueEmail('chunks'));
  // The connection drops right after the page arrives: only the scripts its HTML names load.
  let html = '';
  let failing = true;
  await page.route('**/dashboard', async (route) => {
    const response = await route.fetch();
    html = await response.text();
    await route.fulfill({ response, body: html });
  });
  await page.route('**/_next/static/chunks/*.js', (route) =>
    failing && !html.includes(new URL(route.request().url()).pathname) ? route.abort('internetdisconnected') : route.continue(),
  );
  await page.reload();
  await expect(page.getByTestId('chart-loading')).toContainText('could not be loaded');
  await expect(page.getByTestId('dashboard-title')).toBeVisible();
  await expect(page.getByTestId('market-last')).toHaveText(/\d/);

  failing = false;
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
  await expect(page.locator('[data-testid="price-chart"] svg.recharts-surface')).toBeVisible();
  await expect(page.getByTestId('chart-loading')).toHaveCount(0);
});
