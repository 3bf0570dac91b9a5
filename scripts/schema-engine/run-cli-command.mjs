// The one-shot commands the CLI runs before migrating, without schema files:
//   --datasource '{"url":...}' cli can-connect-to-database
//   --datasource '{"url":...}' cli create-database
// The CLI reads the outcome from the exit code and stderr: on failure it skips the first stderr
// line, parses every other line as JSON, and takes `fields.error_code` / `fields.message` from the
// ERROR line whose target is "schema_engine::logger" (P1003 "database does not exist" makes it
// run create-database next). So stderr must hold JSON lines only, after a first line.
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import { loadWasmEngine } from './load-wasm-engine.mjs';
import { getProvider, providerNameFromUrl, userFacingError } from './providers.mjs';
import { explain } from './to-rpc-error.mjs';

/**
 * Runs the command; throws an Error (with `code` when user-facing) on failure.
 * @param {string} command
 * @param {{ url?: string, shadowDatabaseUrl?: string } | undefined} datasource
 * @param {string} baseDir
 */
export async function runCliCommand(command, datasource, baseDir) {
  const url = datasource?.url;
  if (!url) throw userFacingError('P1012', 'No datasource URL given (--datasource {"url": ...}).');
  const providerName = providerNameFromUrl(url);
  const provider = getProvider(providerName);

  switch (command) {
    case 'can-connect-to-database': {
      const missing = await provider.databaseMissing(url, baseDir);
      if (missing) throw userFacingError(missing.code, missing.message);
      // Open it for real, so an unreadable or corrupt file is reported here too.
      await withEngine(providerName, url, baseDir, (engine) =>
        engine.ensureConnectionValidity({ datasource: { tag: 'ConnectionString', url } }),
      );
      return;
    }
    case 'create-database':
      await provider.createDatabase(url, baseDir);
      return;
    default:
      throw new Error(`Unknown cli command: ${command}`);
  }
}

/**
 * The one-shot commands come without schema files, but the wasm engine must not get an empty
 * datamodel list (it aborts: "datamodels must be undefined or non-empty"). Give it a minimal
 * schema, a datasource block naming the provider; the connection itself comes from the adapter.
 * @param {string} providerName
 * @param {string} url
 * @param {string} baseDir
 * @param {(engine: any) => Promise<unknown>} use
 */
async function withEngine(providerName, url, baseDir, use) {
  const { SchemaEngine } = await loadWasmEngine();
  const adapterFactory = getProvider(providerName).createAdapterFactory({ url, shadowDatabaseUrl: undefined, baseDir });
  const factory = bindMigrationAwareSqlAdapterFactory(adapterFactory);
  const datamodel = `datasource db {\n  provider = "${providerName}"\n}\n`;
  try {
    const engine = await SchemaEngine.new({ datamodels: [['schema.prisma', datamodel]] }, () => {}, factory);
    try {
      await use(engine);
    } finally {
      engine.free();
    }
  } catch (error) {
    if (error instanceof Error) error.message = explain(error.message, factory.errorRegistry);
    throw error;
  } finally {
    // Open connections (a PostgreSQL pool) would keep the process alive.
    await adapterFactory.close?.();
  }
}
