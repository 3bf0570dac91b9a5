import os from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

const PORT = Number(process.env.E2E_PORT ?? 3100);
const SIM_PORT = Number(process.env.E2E_SIM_PORT ?? 4110);
const DATA_DIR = process.env.E2E_DATA_DIR ?? path.join(os.tmpdir(), `tickwatch-e2e-${process.pid}`);

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
  webServer: [
    {
      // The Coinbase-compatible simulator: the browser tests never depend on the real market.
      command: `node_modules/.bin/tsx scripts/simulator.ts --port ${SIM_PORT} --products BTC-USD,ETH-USD --rate 5 --seed 42`,
      url: `http://127.0.0.1:${SIM_PORT}/_control/state`,
      reuseExistingServer: false,
      timeout: 60_000,
    },
    {
    command: 'npm start',
    url: `http://127.0.0.1:${PORT}/healthz`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'pipe',
    env: {
      PORT: String(PORT),
      HOST: '127.0.0.1',
      DATA_DIR,
      DATABASE_URL: `file:${DATA_DIR}/tickwatch.db`,
      LOG_LEVEL: 'warn',
      // Each test signs up fresh users from one address.
      RATE_LIMIT_AUTH_IP: '1000/1m',
      PRODUCTS: 'BTC-USD,ETH-USD',
      FEED_SIMULATED: 'true',
      COINBASE_WS_URL: `ws://127.0.0.1:${SIM_PORT}`,
      COINBASE_REST_URL: `http://127.0.0.1:${SIM_PORT}`,
    },
    },
  ],
});
