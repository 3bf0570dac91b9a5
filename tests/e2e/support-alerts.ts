/** Setting alerts and reading the market through the dashboard, as a person does. */
import { type Page, expect } from './fixtures';

/** The dashboard's current value of `testId` ("market-last", "market-mean") as a number. */
export async function shownNumber(page: Page, testId: 'market-last' | 'market-mean'): Promise<number> {
  await expect(page.getByTestId(testId)).toHaveText(/\d/);
  return Number(((await page.getByTestId(testId).textContent()) ?? '').replace(/[^0-9.]/g, ''));
}

/** The last price in whole dollars, once the feed is live. */
export async function currentPrice(page: Page): Promise<number> {
  await expect(page.getByTestId('feed-state')).toHaveAttribute('data-state', 'live');
  return Math.floor(await shownNumber(page, 'market-last'));
}

/** Sets a BTC-USD alert with the dashboard's form and waits for it in the list. */
export async function setAlert(page: Page, direction: 'above' | 'below', threshold: number, basis: 'mean' | 'vwap' | 'last' = 'last'): Promise<void> {
  const form = page.getByTestId('alert-form');
  await form.getByLabel('Product').selectOption('BTC-USD');
  await form.getByLabel('Direction').selectOption(direction);
  await form.getByLabel(/^Threshold/).fill(String(threshold));
  await form.getByLabel('Compare').selectOption(basis);
  await form.getByTestId('alert-submit').click();
  await expect(page.getByTestId('alert-item').filter({ hasText: threshold.toLocaleString('en-US') }).first()).toBeVisible();
}
