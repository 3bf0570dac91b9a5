import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type App, createApp } from './app.ts';
import { type Config, ConfigError, loadConfig } from './config/config.ts';
import { DatabaseUnavailableError } from './db/migrate.ts';
import { DataDirError } from './db/prepare-data-dir.ts';
import { createLogger } from './logger.ts';
import { installProcessPolicy } from './process-policy.ts';
import { RedisUnavailableError } from './redis/redis-client.ts';

const rootDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Startup errors a person can fix are one line on stderr and exit code 1. */
function fail(message: string): never {
  process.stderr.write(`tickwatch: ${message}\n`);
  process.exit(1);
}

let config: Config;
try {
  config = loadConfig(process.env, rootDir);
} catch (error) {
  if (error instanceof ConfigError) fail(error.message);
  throw error;
}

const logger = createLogger(config.logLevel);
let app: App | undefined;
let stopping = false;
/** Stops the service in order and exits with `code`; after 8 s exits anyway, with code 1. */
async function shutdown(signal: string, code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  const deadline = setTimeout(() => {
    logger.error('shutdown took too long; exiting');
    process.exit(1);
  }, 8_000);
  deadline.unref();
  try {
    await app?.close();
  } catch (error) {
    logger.error({ err: error }, 'shutdown failed');
    process.exit(1);
  }
  logger.info('stopped');
  process.exit(code);
}
installProcessPolicy({
  logger,
  metrics: () => app?.metrics,
  onFatal: () => void shutdown('uncaughtException', 1),
});
try {
  app = await createApp(config, { logger, pages: true });
} catch (error) {
  if (error instanceof DataDirError || error instanceof RedisUnavailableError || error instanceof DatabaseUnavailableError) fail(error.message);
  logger.fatal({ err: error }, 'startup failed');
  fail(error instanceof Error ? error.message : String(error));
}

try {
  const port = await app.listen(config.port, config.host);
  logger.info({ port, mode: config.nodeEnv, products: config.products }, `Tickwatch listening on http://localhost:${port}`);
} catch (error) {
  fail(`cannot listen on port ${config.port}: ${error instanceof Error ? error.message : String(error)}`);
}

process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
