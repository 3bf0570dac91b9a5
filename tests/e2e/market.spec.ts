import { expect, test } from './fixtures';
import { signUp, uniqueEmail } from './support';
import { simControl } from './support-sim';

test('the dashboard chart is live: ticks arrive, the numbers change, the data is labelled simulated', async ({ page }) => {
  await signUp(page, uniqueEmail('chart'));
  await expect(page.getByTestId('simulated-badge')).toBeVisible();
  await expect(page.getByTestId('feed-state')).toHaveAttribute('data-state', 'live');

  const chart = page.getByTestId('price-chart');
  await expect(chart).toHaveAttribute('data-points', /^[1-9]\d*$/);
  const before = Number(await chart.getAttribute('data-points'));
  const firstLast = await page.getByTestId('market-last').textContent();
  // The simulator trades 5 times a second: new points and a new last price follow.
  await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 10_000 }).toBeGreaterThan(before);
  await expect.poll(async () => page.getByTestId('market-last').textContent(), { timeout: 10_000 }).not.toBe(firstLast);
});

test('a scripted trade shows up as the last price within a second or two', async ({ page }) => {
  await signUp(page, uniqueEmail('trade'));
  await expect(page.getByTestId('feed-state')).toHaveAttribute('data-state', 'live');
  await simControl('pause');
  try {
    await simControl('trade', { product: 'BTC-USD', price: '71234.56', size: '0.01' });
    await expect(page.getByTestId('market-last')).toHaveText('71,234.56', { timeout: 3_000 });
    await expect(page.getByTestId('market-count')).not.toBeEmpty();
  } finally {
    await simControl('resume');
  }
});

test('ranges, VWAP and products can be switched', async ({ page }) => {
  await signUp(page, uniqueEmail('ranges'));
  await page.getByTestId('range-1h').click();
  await expect(page.getByTestId('range-1h')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('price-chart')).toHaveAttribute('data-points', /^[1-9]\d*$/);
  await page.getByTestId('vwap-toggle').check();
  await expect(page.getByText('VWAP', { exact: false }).first()).toBeVisible();
  await page.getByTestId('product-select').selectOption('ETH-USD');
  await expect(page.getByText('Market · ETH-USD')).toBeVisible();
  await expect(page.getByTestId('price-chart')).toHaveAttribute('data-points', /^[1-9]\d*$/);
});

test('the feed state follows a dropped exchange connection and its recovery', async ({ page }) => {
  await signUp(page, uniqueEmail('drop'));
  await expect(page.getByTestId('feed-state')).toHaveAttribute('data-state', 'live');
  await simControl('refuseConnections', { mode: 'refuse' });
  try {
    await simControl('dropConnections', {});
    await expect(page.getByTestId('feed-state')).toHaveAttribute('data-state', 'reconnecting');
  } finally {
    await simControl('refuseConnections', { mode: null });
  }
  await expect(page.getByTestId('feed-state')).toHaveAttribute('data-state', 'live', { timeout: 20_000 });
});
