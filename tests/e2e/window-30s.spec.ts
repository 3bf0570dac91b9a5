/**
 * Against the app started with WINDOW=30s (the "window-30s" project in playwright.config.ts):
 * every label of the page names the server's window, never a 10-minute default, and the market
 * description is fetched once per page load, however many parts of the page use it.
 */
import { expect, test } from './fixtures';
import { setAlert, shownNumber } from './support-alerts';
import { signUp, uniqueEmail } from './support';
import { simControl } from './support-sim';

test('the toast, the alert list, the form and the inbox all name the 30-s window, from one fetch of /api/market', async ({ page }) => {
  const marketRequests: string[] = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/api/market') marketRequests.push(request.url());
  });
  await signUp(page, uniqueEmail('window'));
  // Counted from a fresh page load on (the sign-up's own page load is done once it shows prices).
  await expect(page.getByTestId('market-mean')).toHaveText(/\d/);
  marketRequests.length = 0;
  await page.reload();
  await expect(page.getByTestId('market-mean')).toHaveText(/\d/);
  await expect(page.getByTestId('alert-current')).toContainText('30-s average now');

  // Below a threshold over the current 30-s mean: it fires on the next trade.
  const mean = Math.floor(await shownNumber(page, 'market-mean'));
  await setAlert(page, 'below', mean + 5_000, 'mean');
  const toast = page.getByTestId('alert-toast');
  await expect(toast).toBeVisible({ timeout: 10_000 });
  await expect(toast.getByTestId('alert-toast-condition')).toHaveText(`BTC-USD 30-s average below ${(mean + 5_000).toLocaleString('en-US')}.00`);
  await expect(page.getByTestId('alert-item').first()).toContainText('30-s average below');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Inbox/ }).click();
  await expect(page.getByTestId('inbox-item').first()).toContainText('BTC-USD 30-s average below');
  await expect(page.getByTestId('inbox-item').first()).toContainText('in the 30-s window');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
  await expect(page.getByTestId('alert-current')).toContainText('30-s average now');

  await expect(page.locator('body')).not.toContainText('10-min');
  await expect(page.locator('body')).not.toContainText('10 minutes');
  expect(marketRequests).toHaveLength(1);
});

test('before the window is known nothing names one, nothing moves when it arrives, and a hit waits for it', async ({ page }) => {
  await signUp(page, uniqueEmail('pending'));
  await expect(page.getByTestId('market-mean')).toHaveText(/\d/);
  await simControl('pause');
  try {
    // Holds while the market is paused; fires on the next trade.
    const mean = Math.floor(await shownNumber(page, 'market-mean'));
    await setAlert(page, 'below', mean + 5_000, 'mean');

    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await page.route('**/api/market', async (route) => {
      await held;
      await route.continue();
    });
    await page.reload();
    const current = page.getByTestId('alert-current');
    await expect(current).toHaveAttribute('data-pending', 'true');
    await expect(page.getByText('Loading your alerts…')).toBeVisible();
    // Within the form (the market panel above it grows as it loads, which moves the whole form).
    const form = page.getByTestId('alert-form');
    const offsetInForm = async () => {
      const [top, line] = await Promise.all([form.boundingBox(), page.getByText('Repeat', { exact: true }).boundingBox()]);
      return (line?.y ?? NaN) - (top?.y ?? NaN);
    };
    const before = await offsetInForm();

    // A hit now must not be named after a guessed window: its toast waits for the real one.
    await simControl('trade', { product: 'BTC-USD', price: `${mean}.00`, size: '0.01' });
    await page.waitForTimeout(1_500);
    await expect(page.getByTestId('alert-toast')).toHaveCount(0);
    await expect(page.locator('body')).not.toContainText('10-min');
    await expect(page.locator('body')).not.toContainText(/\d+-(s|min|h) average/);

    release();
    await expect(current).toContainText('30-s average now');
    await expect(page.getByTestId('alert-toast-condition')).toContainText('BTC-USD 30-s average below');
    expect(await offsetInForm()).toBe(before);
  } finally {
    await simControl('resume');
  }
});
