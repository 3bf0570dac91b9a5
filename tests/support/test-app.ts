import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DestinationStream } from 'pino';
import { type App, createApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config/config.ts';
import { applyPendingMigrations } from '../../server/db/migrate.ts';
import { createLogger } from '../../server/logger.ts';

export const ROOT_DIR = path.resolve(import.meta.dirname, '../..');

/** Port 9 (discard) on loopback: nothing listens, so connections are refused at once. */
export const CLOSED_FEED_URL = 'ws://127.0.0.1:9/';
export const CLOSED_REST_URL = 'http://127.0.0.1:9/';

let template: Promise<string> | null = null;

/** A migrated database made once per test file and copied for each app, to keep tests fast. */
function migratedTemplate(): Promise<string> {
  template ??= (async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickwatch-template-'));
    const file = path.join(dir, 'template.db');
    await applyPendingMigrations({ rootDir: ROOT_DIR, databaseFile: file, log: () => undefined });
    return file;
  })();
  return template;
}

export interface TestApp {
  app: App;
  baseUrl: string;
  dataDir: string;
  close(): Promise<void>;
}

/**
 * Starts the real service (HTTP, auth, Socket.IO, database) on 127.0.0.1 and a free port, in a
 * fresh temporary data dir (or `options.dataDir`, to restart on the same data), without the Next.js
 * pages. `env` overrides configuration; `options.logDestination` receives the log lines (JSON,
 * at `LOG_LEVEL`) instead of stdout.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  options: { dataDir?: string; keepData?: boolean; logDestination?: DestinationStream } = {},
): Promise<TestApp> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tickwatch-test-'));
  const databaseFile = path.join(dataDir, 'tickwatch.db');
  if (!fs.existsSync(databaseFile)) fs.copyFileSync(await migratedTemplate(), databaseFile);
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      DATABASE_URL: `file:${databaseFile}`,
      LOG_LEVEL: 'silent',
      // Tests never reach outside this machine: by default the feed points at a closed local port.
      COINBASE_WS_URL: CLOSED_FEED_URL,
      COINBASE_REST_URL: CLOSED_REST_URL,
      ...env,
    },
    ROOT_DIR,
  );
  const app = await createApp(config, { logger: createLogger(config.logLevel, options.logDestination), pages: false });
  const port = await app.listen(0, '127.0.0.1');
  return {
    app,
    baseUrl: `http://127.0.0.1:${port}`,
    dataDir,
    async close() {
      await app.close();
      if (!options.keepData) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
