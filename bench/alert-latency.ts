/**
 * Time from a crossing trade leaving the simulator to its alert toast being visible in Chromium,
 * over several tries, against a running app and simulator (production build):
 *   tsx bench/alert-latency.ts --app http://127.0.0.1:3300 --sim http://127.0.0.1:4010 [--tries 20]
 * Both ends read this machine's clock: the simulator stamps the trade when it sends it, the page
 * stamps the moment the toast element appears (MutationObserver).
 */
import { chromium } from '@playwright/test';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    app: { type: 'string', default: 'http://127.0.0.1:3300' },
    sim: { type: 'string', default: 'http://127.0.0.1:4010' },
    tries: { type: 'string', default: '20' },
  },
});

async function sim(command: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${values.sim}/_control/${command}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`simulator ${command}: HTTP ${response.status}`);
  return ((await response.json()) as { result: unknown }).result;
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const samples: number[] = [];
try {
  const page = await browser.newPage();
  await page.goto(`${values.app}/sign-up`);
  await page.getByLabel('Email').fill(`latency-${Date.now()}@example.com`);
  await page.getByLabel('Password', { exact: true }).fill('correct horse battery');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL('**/dashboard');
  await page.getByTestId('alert-form').waitFor();
  await page.evaluate(`(() => {
    window.__toastSeen = {};
    new MutationObserver(() => {
      for (const el of document.querySelectorAll('[data-testid="alert-toast"]')) {
        const id = el.getAttribute('data-notification-id');
        if (id && !(id in window.__toastSeen)) window.__toastSeen[id] = performance.timeOrigin + performance.now();
      }
    }).observe(document.body, { childList: true, subtree: true });
  })()`);
  await sim('pause', {});
  let price = 60_000;
  await sim('trade', { product: 'BTC-USD', price: `${price}.00`, size: '0.01' });
  for (let i = 0; i < Number(values.tries); i += 1) {
    const threshold = price + 10;
    const created = await page.request.post(`${values.app}/api/alerts`, {
      headers: { origin: values.app },
      data: { product: 'BTC-USD', basis: 'last', direction: 'above', threshold: String(threshold) },
    });
    if (created.status() !== 201) throw new Error(`creating an alert: HTTP ${created.status()} ${await created.text()}`);
    const before = await page.evaluate<number>('Object.keys(window.__toastSeen).length');
    const trade = (await sim('trade', { product: 'BTC-USD', price: `${threshold + 5}.00`, size: '0.01' })) as { time: string };
    // Polled from here: waitForFunction would evaluate a string inside the page, which its CSP forbids.
    const deadline = Date.now() + 10_000;
    while ((await page.evaluate<number>('Object.keys(window.__toastSeen).length')) <= before) {
      if (Date.now() > deadline) throw new Error('no toast within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const seen = await page.evaluate<number[]>('Object.values(window.__toastSeen)');
    const sentMs = Date.parse(trade.time.replace(/(\.\d{3})\d*Z$/, '$1Z'));
    samples.push(Math.max(...seen) - sentMs);
    price = threshold + 5;
    await page.waitForTimeout(300);
  }
  await sim('resume', {});
} finally {
  await browser.close();
}
const sorted = [...samples].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)] ?? NaN;
process.stdout.write(
  `${JSON.stringify({ tries: samples.length, medianMs: Math.round(median), worstMs: Math.round(Math.max(...samples)), bestMs: Math.round(Math.min(...samples)), samplesMs: samples.map(Math.round) })}\n`,
);
