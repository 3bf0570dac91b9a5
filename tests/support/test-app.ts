import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DestinationStream } from 'pino';
import { type App, createApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config/config.ts';
import { createLogger } from '../../server/logger.ts';
import { type ServerLogWatch, watchServerLog } from './server-error-guard.ts';
import { type ExpectedError, type LogEntry, WARN_LEVEL, levelOfLine, parseLogLine } from './server-log.ts';
import { dropTestDatabase, testDatabaseUrl } from './test-database.ts';

export const ROOT_DIR = path.resolve(import.meta.dirname, '../..');

/** Port 9 (discard) on loopback: nothing listens, so connections are refused at once. */
export const CLOSED_FEED_URL = 'ws://127.0.0.1:9/';
export const CLOSED_REST_URL = 'http://127.0.0.1:9/';

export interface TestApp {
  app: App;
  baseUrl: string;
  dataDir: string;
  /** The lines the app logged at warn level and above, oldest first. */
  logs: readonly LogEntry[];
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Restart on this data dir instead of a fresh one. */
  dataDir?: string;
  keepData?: boolean;
  /** Also receives every log line (JSON, at `LOG_LEVEL`). */
  logDestination?: DestinationStream;
  /**
   * Errors this app may log in its whole life, because the test provokes them (see
   * server-error-guard.ts); any other error-level line fails the test that saw it.
   */
  expectErrors?: ExpectedError[];
}

/** Levels that would hide error lines from the guard. */
const TOO_QUIET = new Set(['error', 'fatal', 'silent']);

/** A pino destination that hands warn-and-above lines to the guard and everything to `forward`. */
function guardedDestination(watch: ServerLogWatch, forward?: DestinationStream): DestinationStream {
  return {
    write(line: string) {
      if (levelOfLine(line) >= WARN_LEVEL) {
        const entry = parseLogLine(line);
        if (entry) watch.record(entry);
      }
      forward?.write(line);
    },
  };
}

/**
 * Starts the real service (HTTP, auth, Socket.IO, database) on 127.0.0.1 and a free port, in a
 * fresh temporary data dir (or `options.dataDir`, to restart on the same data), without the Next.js
 * pages. `env` overrides configuration. The app logs at `LOG_LEVEL` (default `warn`; quieter
 * levels are refused, since they would hide errors) into memory, not stdout: its warn-and-above
 * lines are `logs`, and an error-level line the test did not declare (`options.expectErrors`, or
 * `expectServerErrors()` in the test) fails the test. `options.logDestination` also receives
 * every line.
 */
export async function startTestApp(env: Record<string, string> = {}, options: TestAppOptions = {}): Promise<TestApp> {
  if (env.LOG_LEVEL !== undefined && TOO_QUIET.has(env.LOG_LEVEL)) {
    throw new Error(`LOG_LEVEL=${env.LOG_LEVEL} would hide the server's errors from the tests; use warn or a more verbose level`);
  }
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tickwatch-test-'));
  const databaseUrl = await testDatabaseUrl(dataDir);
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: 'warn',
      // Tests never reach outside this machine: by default the feed points at a closed local port.
      COINBASE_WS_URL: CLOSED_FEED_URL,
      COINBASE_REST_URL: CLOSED_REST_URL,
      ...env,
    },
    ROOT_DIR,
  );
  const label = `startTestApp(${JSON.stringify(env).slice(0, 200)}) on ${dataDir}`;
  const watch = watchServerLog(label, options.expectErrors);
  const logger = createLogger(config.logLevel, guardedDestination(watch, options.logDestination));
  const app = await createApp(config, { logger, pages: false });
  const port = await app.listen(0, '127.0.0.1');
  return {
    app,
    baseUrl: `http://127.0.0.1:${port}`,
    dataDir,
    logs: watch.entries,
    async close() {
      await app.close();
      if (options.keepData) return;
      await dropTestDatabase(dataDir);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
