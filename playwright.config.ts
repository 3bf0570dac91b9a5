import os from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

const PORT = Number(process.env.E2E_PORT ?? 3100);
const SIM_PORT = Number(process.env.E2E_SIM_PORT ?? 4110);
// Set in the runner's environment, not just computed: its workers load this file again (with
// other pids) and the fixtures (tests/e2e/fixtures.ts) must find the same server logs.
process.env.E2E_DATA_DIR ??= path.join(os.tmpdir(), `tickwatch-e2e-${process.pid}`);
const DATA_DIR = process.env.E2E_DATA_DIR;
/**
 * Each app's output, `<its data dir>/server.log`, read by the fixtures: a test fails on an error
 * line it did not declare. Their paths reach the workers in E2E_SERVER_LOGS (JSON).
 */
const SERVER_LOGS: string[] = [];
/** A second app on a non-default window, so the tests prove the browser uses the server's. */
const WINDOW_30S_PORT = Number(process.env.E2E_WINDOW_30S_PORT ?? PORT + 1);
const WINDOW_30S_SPECS = '**/window-30s.spec.ts';
/**
 * A third app, on a fresh database, against a simulator of its own that has no trade before it
 * starts (`--history 0`): the market and alert specs run again where the server must start from
 * the first trade it sees, with nothing older on REST.
 */
const FRESH_PORT = Number(process.env.E2E_FRESH_PORT ?? PORT + 2);
const FRESH_SIM_PORT = Number(process.env.E2E_FRESH_SIM_PORT ?? SIM_PORT + 1);
const FRESH_SPECS = ['**/market.spec.ts', '**/alerts.spec.ts'];
/**
 * Two nodes on PostgreSQL and Redis behind nginx: the spec starts them itself, on free ports
 * (tests/e2e/support-nginx.ts), and points the browser at nginx.
 */
const NGINX_SPECS = '**/nginx-nodes.spec.ts';

/** `npm start` against the simulator on `port`, with its own data directory. */
function appServer(port: number, dataDir: string, env: Record<string, string> = {}) {
  const log = path.join(dataDir, 'server.log');
  SERVER_LOGS.push(log);
  process.env.E2E_SERVER_LOGS = JSON.stringify(SERVER_LOGS);
  return {
    // `npm start`, its output (JSON log lines, and a crash report if it crashed) also copied to
    // its log, opened for appending so that every write lands whole at its end. A log of an
    // earlier run on the same dir goes, with the fixtures' read offset in it.
    command: `mkdir -p '${dataDir}' && rm -f '${log}' '${log}.checked' && npm start 2>&1 | tee -a '${log}'`,
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'pipe' as const,
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DATABASE_URL: `file:${dataDir}/tickwatch.db`,
      LOG_LEVEL: 'warn',
      // Each test signs up fresh users from one address.
      RATE_LIMIT_AUTH_IP: '1000/1m',
      PRODUCTS: 'BTC-USD,ETH-USD',
      FEED_SIMULATED: 'true',
      COINBASE_WS_URL: `ws://127.0.0.1:${SIM_PORT}`,
      COINBASE_REST_URL: `http://127.0.0.1:${SIM_PORT}`,
      ...env,
    },
  };
}

/** Debian's Chromium; Playwright's own browser downloads are not available everywhere. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export default defineConfig({
  testDir: 'tests/e2e',
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  workers: 1,
  timeout: 60_000,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS },
  },
  projects: [
    { name: 'app', testIgnore: [WINDOW_30S_SPECS, NGINX_SPECS] },
    { name: 'window-30s', testMatch: WINDOW_30S_SPECS, use: { baseURL: `http://127.0.0.1:${WINDOW_30S_PORT}` } },
    // tests/e2e/support-sim.ts drives the simulator named in the project's metadata.
    {
      name: 'no-history',
      testMatch: FRESH_SPECS,
      use: { baseURL: `http://127.0.0.1:${FRESH_PORT}` },
      metadata: { simUrl: `http://127.0.0.1:${FRESH_SIM_PORT}` },
    },
    { name: 'nginx-nodes', testMatch: NGINX_SPECS },
  ],
  webServer: [
    {
      // The Coinbase-compatible simulator: the browser tests never depend on the real market.
      command: `node_modules/.bin/tsx scripts/simulator.ts --port ${SIM_PORT} --products BTC-USD,ETH-USD --rate 5 --seed 42`,
      url: `http://127.0.0.1:${SIM_PORT}/_control/state`,
      reuseExistingServer: false,
      timeout: 60_000,
    },
    appServer(PORT, DATA_DIR),
    appServer(WINDOW_30S_PORT, `${DATA_DIR}-window-30s`, { WINDOW: '30s' }),
    {
      command: `node_modules/.bin/tsx scripts/simulator.ts --port ${FRESH_SIM_PORT} --products BTC-USD,ETH-USD --rate 5 --seed 43 --history 0`,
      url: `http://127.0.0.1:${FRESH_SIM_PORT}/_control/state`,
      reuseExistingServer: false,
      timeout: 60_000,
    },
    appServer(FRESH_PORT, `${DATA_DIR}-no-history`, {
      COINBASE_WS_URL: `ws://127.0.0.1:${FRESH_SIM_PORT}`,
      COINBASE_REST_URL: `http://127.0.0.1:${FRESH_SIM_PORT}`,
    }),
  ],
});
