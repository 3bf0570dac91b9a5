/**
 * Alert toasts as a person sees them: each readable when several arrive, placed clear of the
 * controls, themed with the colour scheme, saying what fired, the value with its unit and the
 * time with its zone; the unseen count in the tab title; a replayed burst that stays clear.
 */
import { type Page, expect, test } from './fixtures';
import { currentPrice, setAlert } from './support-alerts';
import { signUp, uniqueEmail } from './support';
import { simControl } from './support-sim';

test.use({ locale: 'en-GB', timezoneId: 'Europe/Berlin' });

type Box = { x: number; y: number; width: number; height: number };
const overlaps = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

async function box(page: Page, locator: ReturnType<Page['locator']>): Promise<Box> {
  const found = await locator.boundingBox();
  if (!found) throw new Error(`no box for ${String(locator)}`);
  return found;
}

/** Sets one alert above and one below the price, then crosses both in quick succession. */
async function twoQuickHits(page: Page): Promise<number> {
  const price = await currentPrice(page);
  await setAlert(page, 'above', price + 300);
  await setAlert(page, 'below', price - 300);
  // The "Alert set" confirmations go first (a pointer resting on a toast would keep it), so only the hits are left.
  await page.mouse.move(1, 1);
  await expect(page.locator('[data-sonner-toast]')).toHaveCount(0, { timeout: 10_000 });
  await page.evaluate(() => window.scrollTo(0, 0));
  await simControl('pause');
  try {
    await simControl('trade', { product: 'BTC-USD', price: `${price + 400}.00`, size: '0.01' });
    await simControl('trade', { product: 'BTC-USD', price: `${price - 400}.00`, size: '0.01' });
  } finally {
    await simControl('resume');
  }
  await expect(page.getByTestId('alert-toast')).toHaveCount(2);
  return price;
}

test('two quick hits are each readable, above and below differ, and neither covers the header or the alert controls', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await signUp(page, uniqueEmail('toasts'));
  const price = await twoQuickHits(page);

  const above = page.getByTestId('alert-toast').and(page.locator('[data-direction="above"]'));
  const below = page.getByTestId('alert-toast').and(page.locator('[data-direction="below"]'));
  await expect(above).toContainText('Alert fired');
  await expect(above.getByTestId('alert-toast-condition')).toHaveText(`BTC-USD last price above ${(price + 300).toLocaleString('en-US')}.00`);
  await expect(above.getByTestId('alert-toast-value')).toHaveText(new RegExp(`^${(price + 400).toLocaleString('en-US')}\\.00 USD at \\d{2}:\\d{2}:\\d{2} CES?T$`));
  await expect(below.getByTestId('alert-toast-condition')).toHaveText(`BTC-USD last price below ${(price - 300).toLocaleString('en-US')}.00`);
  await expect(below.getByTestId('alert-toast-value')).toContainText(' USD at ');
  // Told apart by shape (the arrow) as well as by colour.
  expect(await above.locator('svg path').getAttribute('d')).not.toBe(await below.locator('svg path').getAttribute('d'));

  // Stacked, not piled: both fully on screen, apart, in the bottom-right corner.
  const [a, b] = [await box(page, page.locator('[data-sonner-toast]').nth(0)), await box(page, page.locator('[data-sonner-toast]').nth(1))];
  expect(overlaps(a, b)).toBe(false);
  for (const t of [a, b]) {
    expect(t.x + t.width).toBeLessThanOrEqual(1280);
    expect(t.x).toBeGreaterThan(640);
    expect(t.y + t.height).toBeLessThanOrEqual(800);
  }
  for (const control of [page.getByRole('button', { name: 'Sign out' }), page.getByTestId('browser-notifications'), page.getByRole('navigation', { name: 'Main' })]) {
    const c = await box(page, control);
    expect(overlaps(a, c) || overlaps(b, c), String(control)).toBe(false);
  }
});

test('toasts follow the dark colour scheme and sit at the bottom of a phone screen, clear of the header', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.setViewportSize({ width: 390, height: 844 });
  await signUp(page, uniqueEmail('dark'));
  await twoQuickHits(page);

  await expect(page.locator('[data-sonner-toaster]')).toHaveAttribute('data-sonner-theme', 'dark');
  const background = await page.locator('[data-sonner-toast]').first().evaluate((el) => getComputedStyle(el).backgroundColor);
  const [r = 255, g = 255, bl = 255] = (background.match(/\d+/g) ?? []).map(Number);
  expect(0.2126 * r + 0.7152 * g + 0.0722 * bl).toBeLessThan(60);

  const header = await box(page, page.locator('header'));
  for (let i = 0; i < 2; i += 1) {
    const t = await box(page, page.locator('[data-sonner-toast]').nth(i));
    expect(overlaps(t, header)).toBe(false);
    expect(t.y).toBeGreaterThan(844 / 2);
    expect(t.width).toBeGreaterThan(330);
  }
});

test('hits that arrive while the tab is in the background are counted in its title until it is back in front', async ({ page }) => {
  await signUp(page, uniqueEmail('title'));
  const price = await currentPrice(page);
  await setAlert(page, 'above', price + 300);
  await setAlert(page, 'below', price - 300);
  await expect(page).toHaveTitle('Dashboard · Tickwatch');

  // The tab goes to the background (as the browser reports it when the person switches away).
  await page.evaluate(() => {
    const w = window as unknown as { hidden: boolean };
    w.hidden = true;
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (w.hidden ? 'hidden' : 'visible') });
    document.hasFocus = () => !w.hidden;
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await simControl('pause');
  try {
    await simControl('trade', { product: 'BTC-USD', price: `${price + 400}.00`, size: '0.01' });
    await expect(page).toHaveTitle('(1) Dashboard · Tickwatch');
    await simControl('trade', { product: 'BTC-USD', price: `${price - 400}.00`, size: '0.01' });
    await expect(page).toHaveTitle('(2) Dashboard · Tickwatch');
  } finally {
    await simControl('resume');
  }

  await page.evaluate(() => {
    (window as unknown as { hidden: boolean }).hidden = false;
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await expect(page).toHaveTitle('Dashboard · Tickwatch');
  await expect(page.getByTestId('alert-toast')).toHaveCount(2);
});

test('a burst of hits missed while away shows the newest and a summary, each saying it fired while you were away', async ({ page, context }) => {
  await signUp(page, uniqueEmail('away'));
  const price = await currentPrice(page);
  // The market holds still until the crossing trade, so no alert fires before the tab is closed.
  await simControl('pause');
  try {
    for (const step of [1000, 1100, 1200]) await setAlert(page, 'above', price + step);
    await page.close();
    await simControl('trade', { product: 'BTC-USD', price: `${price + 1300}.00`, size: '0.01' });
  } finally {
    await simControl('resume');
  }

  const back = await context.newPage();
  await back.goto('/dashboard');
  const summary = back.getByTestId('alert-toast-summary');
  await expect(summary).toHaveText(/2 more alerts fired while you were away/);
  const replayed = back.getByTestId('alert-toast');
  await expect(replayed).toHaveCount(1);
  await expect(replayed).toHaveAttribute('data-replayed', 'true');
  await expect(replayed).toContainText('Alert fired while you were away');
  await expect(replayed.getByTestId('alert-toast-value')).toHaveText(/ USD at .*\d{2}:\d{2}:\d{2} CES?T$/);
  await expect(back.getByTestId('unread-count')).toHaveText('3');
});
