import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium } from '@playwright/test';
import { createSimulator } from '../../server/feed/simulator/create-simulator.ts';
import { type Scenario, median } from '../lib/scenario.ts';
import { ROOT_DIR, startServerProcess } from '../lib/server-process.ts';

/**
 * Scenario 7, the browser: in Chromium, the JavaScript a signed-in user downloads for the
 * dashboard (gzip, as transferred, lazy chunks included) and the time from navigation to the
 * first live tick drawn: the "Last" figure showing a trade the simulator made after the
 * navigation began (scripted prices 12,3xx.xx, one every 50 ms, so no earlier value can pass
 * for one). Beside them: the sign-in page, the smallest page of the same app (its script bytes
 * and its load event).
 */
const JS_BAR_KB = 250;
const TICK_BAR_MS = 1_500;
const PRODUCT = 'BTC-USD';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Installed before any page script: notes when the first live price and the chart appear. */
const WATCH = `(() => {
  const marks = {};
  window.__marks = marks;
  const check = () => {
    const last = document.querySelector('[data-testid="market-last"]');
    if (marks.live === undefined && last && /12,3\\d\\d\\.\\d\\d/.test(last.textContent || '')) marks.live = performance.now();
    if (marks.chart === undefined && document.querySelector('[data-testid="price-chart"] svg.recharts-surface')) marks.chart = performance.now();
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, characterData: true });
})()`;

interface PageRun {
  scriptKb: number;
  liveMs: number;
  chartMs: number;
}

async function scriptBytes(context: BrowserContext, url: string, ready: (page: Awaited<ReturnType<BrowserContext['newPage']>>) => Promise<void>): Promise<{ kb: number; page: Awaited<ReturnType<BrowserContext['newPage']>> }> {
  const page = await context.newPage();
  const sizes: Array<Promise<number>> = [];
  page.on('requestfinished', (request) => {
    if (request.resourceType() === 'script') sizes.push(request.sizes().then((s) => s.responseBodySize));
  });
  await page.goto(url, { waitUntil: 'commit' });
  await ready(page);
  await page.waitForLoadState('networkidle');
  const bytes = (await Promise.all(sizes)).reduce((a, b) => a + b, 0);
  return { kb: bytes / 1024, page };
}

export const browser: Scenario = async ({ smoke, log }) => {
  if (!fs.existsSync(path.join(ROOT_DIR, '.next/BUILD_ID'))) throw new Error('the browser scenario needs the production build: run `npm run build` first');
  const runs = smoke ? 1 : 7;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickwatch-bench-browser-'));
  const sim = await createSimulator({ products: [PRODUCT], ratePerSecond: 0, history: 2000, heartbeatIntervalMs: 1000 });
  const server = await startServerProcess({
    DATA_DIR: dir,
    DATABASE_URL: `file:${path.join(dir, 'tickwatch.db')}`,
    COINBASE_WS_URL: sim.url,
    COINBASE_REST_URL: sim.restUrl,
    PRODUCTS: PRODUCT,
    RATE_LIMIT_AUTH_IP: '1000/1m',
  });
  let chromiumBrowser: Browser | null = null;
  let trading: NodeJS.Timeout | null = null;
  try {
    await server.waitForLog(/^Tickwatch listening/, 60_000);
    const signUp = await fetch(`${server.baseUrl}/api/auth/sign-up/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.baseUrl },
      body: JSON.stringify({ email: `bench-${Date.now()}@example.com`, password: 'correct horse battery', name: 'Bench' }),
    });
    if (!signUp.ok) throw new Error(`sign-up failed: ${signUp.status}`);
    const cookies = signUp.headers.getSetCookie().map((line) => {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      return { name: pair.slice(0, at), value: pair.slice(at + 1), domain: '127.0.0.1', path: '/' };
    });
    chromiumBrowser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });

    // One warm-up load so the server has compiled and cached what it serves (as it would have).
    {
      const context = await chromiumBrowser.newContext();
      await context.addCookies(cookies);
      await (await context.newPage()).goto(`${server.baseUrl}/dashboard`, { waitUntil: 'networkidle' });
      await context.close();
    }

    const dashboard: PageRun[] = [];
    const signIn: Array<{ scriptKb: number; loadMs: number }> = [];
    let cents = 1_230_000;
    for (let run = 0; run < runs; run++) {
      // Sign-in page, signed out: the app's floor.
      {
        const context = await chromiumBrowser.newContext();
        const { kb, page } = await scriptBytes(context, `${server.baseUrl}/sign-in`, (p) => p.getByRole('button', { name: /sign in/i }).waitFor());
        const loadMs = await page.evaluate<number>('performance.getEntriesByType("navigation")[0].loadEventEnd');
        signIn.push({ scriptKb: kb, loadMs });
        await context.close();
      }
      // Dashboard, signed in, fresh cache; live trades start as the navigation does.
      const context = await chromiumBrowser.newContext();
      await context.addCookies(cookies);
      await context.addInitScript(WATCH);
      trading = setInterval(() => {
        cents = cents >= 1_239_999 ? 1_230_000 : cents + 1;
        sim.trade(PRODUCT, { price: (cents / 100).toFixed(2) });
      }, 50);
      const { kb, page } = await scriptBytes(context, `${server.baseUrl}/dashboard`, async (p) => {
        const deadline = Date.now() + 15_000;
        while ((await p.evaluate<number | null>('window.__marks && window.__marks.live !== undefined && window.__marks.chart !== undefined ? 1 : null')) === null) {
          if (Date.now() > deadline) throw new Error('no live tick drawn within 15 s');
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      });
      clearInterval(trading);
      trading = null;
      const marks = await page.evaluate<{ live: number; chart: number }>('window.__marks');
      dashboard.push({ scriptKb: kb, liveMs: marks.live, chartMs: marks.chart });
      log(`run ${run + 1}/${runs}: dashboard ${kb.toFixed(1)} KB, live tick drawn at ${Math.round(marks.live)} ms, chart at ${Math.round(marks.chart)} ms; sign-in ${signIn.at(-1)!.scriptKb.toFixed(1)} KB, load ${Math.round(signIn.at(-1)!.loadMs)} ms`);
      await context.close();
    }

    const jsKb = median(dashboard.map((r) => r.scriptKb));
    const liveMs = median(dashboard.map((r) => r.liveMs));
    const signInKb = median(signIn.map((r) => r.scriptKb));
    const signInLoad = median(signIn.map((r) => r.loadMs));
    return {
      id: 'browser',
      title: 'Browser (Chromium)',
      rows: [
        {
          metric: 'dashboard JavaScript, gzip as transferred (lazy chunks included)',
          value: jsKb,
          unit: 'KB',
          baseline: { name: 'sign-in page', value: signInKb },
          ratio: jsKb / signInKb,
          ratioLabel: 'dashboard / sign-in',
          bar: { op: '<', value: JS_BAR_KB },
        },
        {
          metric: 'navigation → first live tick drawn',
          value: liveMs,
          unit: 'ms',
          baseline: { name: 'sign-in page load event', value: signInLoad },
          ratio: liveMs / signInLoad,
          ratioLabel: 'dashboard tick / sign-in load',
          bar: { op: '<', value: TICK_BAR_MS },
          runs: dashboard.map((r) => Math.round(r.liveMs)),
        },
        {
          metric: 'navigation → chart drawn (recharts chunk loaded)',
          value: median(dashboard.map((r) => r.chartMs)),
          unit: 'ms',
        },
      ],
      charts: [
        {
          id: 'browser-js',
          title: 'JavaScript per page, gzip (KB)',
          unit: 'KB',
          bars: [
            { label: 'sign-in page', value: signInKb },
            { label: 'dashboard', value: jsKb },
            { label: 'bar', value: JS_BAR_KB, series: 'bar' },
          ],
        },
      ],
      notes: [`${runs} fresh-cache loads each, medians; Chromium ${chromiumBrowser.version()} headless on the same 2 cores as the server`],
    };
  } finally {
    if (trading) clearInterval(trading);
    await chromiumBrowser?.close();
    await server.stop();
    await sim.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
};
