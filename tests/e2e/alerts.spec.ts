import { type Page, expect, test } from './fixtures';
import { signUp, uniqueEmail } from './support';
import { simControl } from './support-sim';

/** The current last price on the dashboard, as a number of whole dollars. */
async function currentPrice(page: Page): Promise<number> {
  await expect(page.getByTestId('feed-state')).toHaveAttribute('data-state', 'live');
  const text = (await page.getByTestId('market-last').textContent()) ?? '';
  const price = Number(text.replace(/[^0-9.]/g, ''));
  expect(price).toBeGreaterThan(0);
  return Math.floor(price);
}

async function setAlert(page: Page, direction: 'above' | 'below', threshold: number, note?: string): Promise<void> {
  const form = page.getByTestId('alert-form');
  await form.getByLabel('Product').selectOption('BTC-USD');
  await form.getByLabel('Direction').selectOption(direction);
  await form.getByLabel(/^Threshold/).fill(String(threshold));
  await form.getByLabel('Compare').selectOption('last');
  if (note) await form.getByLabel('Note (optional)').fill(note);
  await form.getByTestId('alert-submit').click();
  await expect(page.getByTestId('alert-item').filter({ hasText: threshold.toLocaleString('en-US') }).first()).toHaveAttribute('data-status', 'armed');
}

test('an alert fires as a toast for its owner only, is triggered after a reload, and a hit missed while away is shown on return', async ({ page, browser }) => {
  await signUp(page, uniqueEmail('alice'));
  const bobContext = await browser.newContext();
  const bob = await bobContext.newPage();
  await signUp(bob, uniqueEmail('bob'));

  const price = await currentPrice(page);
  await setAlert(page, 'below', price - 500, '<b>not markup</b>');
  await expect(page.getByTestId('alert-note').first()).toHaveText('<b>not markup</b>');

  await simControl('trade', { product: 'BTC-USD', price: `${price - 600}.00`, size: '0.01' });
  const toast = page.getByTestId('alert-toast');
  await expect(toast).toBeVisible({ timeout: 1_000 });
  await expect(toast).toContainText('BTC-USD');
  await expect(toast).toHaveAttribute('data-replayed', 'false');
  await expect(bob.getByTestId('alert-toast')).toHaveCount(0);

  await page.reload();
  await expect(page.getByTestId('alert-item').first()).toHaveAttribute('data-status', 'triggered');
  await expect(page.getByTestId('unread-count')).toHaveText('1');

  // Away: the tab is closed while another alert fires; it is shown once on return.
  const again = await currentPrice(page);
  await setAlert(page, 'above', again + 500);
  await page.close();
  await simControl('trade', { product: 'BTC-USD', price: `${again + 600}.00`, size: '0.01' });
  const back = await page.context().newPage();
  await back.goto('/dashboard');
  const replayed = back.getByTestId('alert-toast');
  await expect(replayed).toBeVisible();
  await expect(replayed).toHaveAttribute('data-replayed', 'true');
  await expect(back.getByTestId('unread-count')).toHaveText('2');

  await back.goto('/inbox');
  await expect(back.getByTestId('inbox-item')).toHaveCount(2);
  await back.getByTestId('inbox-mark-all-read').click();
  await expect(back.getByTestId('unread-count')).toHaveCount(0);
  await back.reload();
  await expect(back.getByTestId('alert-toast')).toHaveCount(0);
  await bobContext.close();
});

test('the alert form explains bad input and warns when an alert would fire at once', async ({ page }) => {
  await signUp(page, uniqueEmail('form'));
  const form = page.getByTestId('alert-form');
  await form.getByLabel(/^Threshold/).fill('12.345');
  await form.getByTestId('alert-submit').click();
  await expect(form.getByText('at most 2 decimals', { exact: false })).toBeVisible();
  await expect(page.getByTestId('alert-item')).toHaveCount(0);

  const price = await currentPrice(page);
  await form.getByLabel('Direction').selectOption('above');
  await form.getByLabel('Compare').selectOption('last');
  await form.getByLabel(/^Threshold/).fill(String(price - 1000));
  await expect(page.getByTestId('alert-fires-now')).toBeVisible();
});
