/**
 * Measures the dashboard as a user gets it, against a running app and simulator:
 *   1. JavaScript shipped to /dashboard (bytes on the wire, gzip, as the browser received them);
 *   2. a burst of trades (default 1,000/s for 10 s): server CPU (from /metrics), ticks drawn, and
 *      the page's responsiveness (long tasks, worst frame gap, setTimeout lag) during the burst.
 *
 *   tsx bench/dashboard.ts --app http://127.0.0.1:3300 --sim http://127.0.0.1:4010 [--rate 1000] [--seconds 10]
 *
 * The app must follow the simulator (COINBASE_WS_URL / COINBASE_REST_URL) and run in production
 * mode. Browsers: Debian's Chromium at /usr/bin/chromium.
 */
import { chromium } from '@playwright/test';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    app: { type: 'string', default: 'http://127.0.0.1:3300' },
    sim: { type: 'string', default: 'http://127.0.0.1:4010' },
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '10' },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);

async function sim(command: string, body: unknown): Promise<void> {
  const response = await fetch(`${values.sim}/_control/${command}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`simulator ${command}: HTTP ${response.status}`);
}

async function cpuSeconds(): Promise<number> {
  const text = await (await fetch(`${values.app}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('process_cpu_seconds_total '));
  return Number(line?.split(' ')[1] ?? NaN);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const page = await browser.newPage();
  await page.goto(`${values.app}/sign-up`);
  await page.getByLabel('Email').fill(`bench-${Date.now()}@example.com`);
  await page.getByLabel('Password', { exact: true }).fill('correct horse battery');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL('**/dashboard');

  // A fresh navigation with an empty cache, counting script bytes as transferred.
  const context = await browser.newContext({ storageState: await page.context().storageState() });
  const fresh = await context.newPage();
  const scripts: Array<Promise<number>> = [];
  fresh.on('requestfinished', (request) => {
    if (request.resourceType() === 'script') scripts.push(request.sizes().then((s) => s.responseBodySize));
  });
  const started = Date.now();
  await fresh.goto(`${values.app}/dashboard`);
  const initialScripts = await fresh.evaluate<number>('document.scripts.length');
  // The chart library arrives in its own chunk after the page: wait until the chart is drawn.
  await fresh.locator('[data-testid="price-chart"] svg.recharts-surface').waitFor();
  const chartDrawnMs = Date.now() - started;
  await fresh.waitForLoadState('networkidle');
  const jsBytes = (await Promise.all(scripts)).reduce((a, b) => a + b, 0);

  // Plain strings: functions compiled by tsx carry helpers the page does not have.
  await fresh.evaluate(`(() => {
    const perf = { longTasks: [], frameGaps: [], timerLags: [], stop: false };
    window.__perf = perf;
    new PerformanceObserver((list) => list.getEntries().forEach((e) => perf.longTasks.push(e.duration))).observe({ type: 'longtask' });
    let lastFrame = performance.now();
    const frame = (t) => { perf.frameGaps.push(t - lastFrame); lastFrame = t; if (!perf.stop) requestAnimationFrame(frame); };
    requestAnimationFrame(frame);
    const tick = () => {
      const due = performance.now() + 50;
      setTimeout(() => { perf.timerLags.push(performance.now() - due); if (!perf.stop) tick(); }, 50);
    };
    tick();
  })()`);
  const pointsBefore = Number(await fresh.getByTestId('price-chart').getAttribute('data-points'));
  const cpuBefore = await cpuSeconds();
  await sim('setRate', { perSecond: rate });
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  await sim('setRate', { perSecond: 5 });
  const cpuAfter = await cpuSeconds();
  const perf = await fresh.evaluate<{ longTasks: number[]; frameGaps: number[]; timerLags: number[] }>(
    '(() => { window.__perf.stop = true; return window.__perf; })()',
  );
  const pointsAfter = Number(await fresh.getByTestId('price-chart').getAttribute('data-points'));
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  const p = (xs: number[], q: number) => sorted(xs)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? 0;
  const report = {
    dashboardJsGzipKB: Math.round(jsBytes / 102.4) / 10,
    scripts: scripts.length,
    scriptTagsInHtml: initialScripts,
    navigationToChartDrawnMs: chartDrawnMs,
    burst: { tradesPerSecond: rate, seconds },
    serverCpuPercentOfOneCore: Math.round(((cpuAfter - cpuBefore) / seconds) * 1000) / 10,
    chartPointsBeforeAfter: [pointsBefore, pointsAfter],
    page: {
      longTasks: perf.longTasks.length,
      longestTaskMs: Math.round(Math.max(0, ...perf.longTasks)),
      frameGapP50Ms: Math.round(p(perf.frameGaps, 0.5)),
      frameGapP99Ms: Math.round(p(perf.frameGaps, 0.99)),
      frameGapMaxMs: Math.round(Math.max(0, ...perf.frameGaps)),
      timerLagP99Ms: Math.round(p(perf.timerLags, 0.99)),
    },
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  await context.close();
} finally {
  await browser.close();
}
