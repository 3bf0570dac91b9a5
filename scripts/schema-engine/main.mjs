// Entry point of the offline schema engine (see docs/prisma-offline.md): the Prisma CLI starts
// `scripts/schema-engine/schema-engine` (PRISMA_SCHEMA_ENGINE_BINARY) as it would start the native
// engine it otherwise downloads, and this program answers with @prisma/schema-engine-wasm, the same
// engine compiled to WebAssembly, running on a driver adapter.
import fs from 'node:fs';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import { loadWasmEngine } from './load-wasm-engine.mjs';
import { log } from './log.mjs';
import { parseArgs } from './parse-args.mjs';
import { getProvider, providerNameFromSchemas, providerNameFromUrl } from './providers.mjs';
import { runCliCommand } from './run-cli-command.mjs';
import { serveJsonRpc } from './serve-json-rpc.mjs';
import { explain } from './to-rpc-error.mjs';

const baseDir = process.cwd();

async function main() {
  const args = parseArgs(process.argv.slice(2));

  if (args.version) {
    const { version } = await loadWasmEngine();
    process.stdout.write(`schema-engine-cli ${version()}\n`);
    return 0;
  }

  // The CLI drops the first stderr line of one-shot commands; make it a harmless one.
  const { version } = await loadWasmEngine();
  log('INFO', 'Starting schema engine CLI (WebAssembly build)', { git_hash: version() }, 'schema_engine_cli');

  if (args.cliCommand) {
    try {
      await runCliCommand(args.cliCommand, args.datasource, baseDir);
      return 0;
    } catch (error) {
      const e = /** @type {{ code?: unknown, message?: unknown }} */ (error ?? {});
      // Only Prisma error codes (P1003, ...): Node's own (EACCES, ...) are already in the message.
      const isPrismaCode = typeof e.code === 'string' && /^P\d{4}$/.test(e.code);
      log('ERROR', String(e.message ?? error).trim(), isPrismaCode ? { error_code: e.code } : {});
      return 1;
    }
  }

  return serve(args);
}

/** @param {import('./parse-args.mjs').EngineArgs} args */
async function serve(args) {
  const datamodels = args.datamodels.map(
    (file) => /** @type {[string, string]} */ ([file, fs.readFileSync(file, 'utf8')]),
  );
  const url = args.datasource?.url;
  if (!url) {
    log('ERROR', 'No datasource URL given (--datasource {"url": ...}); set datasource.url in prisma.config.ts.');
    return 1;
  }
  const providerName = providerNameFromSchemas(datamodels.map(([, content]) => content)) ?? providerNameFromUrl(url);
  const adapterFactory = getProvider(providerName).createAdapterFactory({
    url,
    shadowDatabaseUrl: args.datasource?.shadowDatabaseUrl,
    baseDir,
  });
  // The binding turns JS exceptions into error ids the engine can carry (errorRegistry).
  const factory = bindMigrationAwareSqlAdapterFactory(adapterFactory);

  const { SchemaEngine } = await loadWasmEngine();
  const engine = await SchemaEngine.new(
    // An empty list aborts the wasm engine; "no schema" is `undefined`.
    { datamodels: datamodels.length > 0 ? datamodels : undefined },
    (/** @type {string} */ line) => process.stderr.write(line.endsWith('\n') ? line : `${line}\n`),
    factory,
  ).catch((/** @type {unknown} */ error) => {
    if (error instanceof Error) error.message = explain(error.message, factory.errorRegistry);
    throw error;
  });

  // The CLI stops the engine by closing stdin and, at once, sending SIGTERM: close the database
  // connections cleanly either way (on PostgreSQL that also drops a temporary shadow database).
  /** @type {() => void | Promise<void>} */
  const close = 'close' in adapterFactory ? adapterFactory.close : () => {};
  process.once('SIGTERM', () => {
    void Promise.resolve()
      .then(close)
      .finally(() => process.exit(0));
  });

  await serveJsonRpc(engine, {
    errorRegistry: factory.errorRegistry,
    resetDatabase: 'resetDatabase' in adapterFactory ? adapterFactory.resetDatabase : undefined,
  });
  engine.free();
  await close();
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    log('ERROR', error instanceof Error ? error.message : String(error), {
      backtrace: error instanceof Error ? error.stack : undefined,
    });
    process.exitCode = 1;
  },
);
