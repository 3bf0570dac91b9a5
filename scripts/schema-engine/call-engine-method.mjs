// Maps a JSON-RPC method of the native schema engine protocol onto the WebAssembly engine, with
// the workarounds the wasm build needs.
//
// `reset` goes to the provider's `resetDatabase` when it has one (see sqlite-provider.mjs).
//
// Shadow database for `evaluateDataLoss` / `createMigration`: the wasm engine hands its driver
// adapter factory (and so the shadow database) only to `devDiagnostic` and `diff`; the other two
// rely on a cache of "schema of this migration history" that `devDiagnostic` fills for the
// migrations already applied. On a new database `migrate dev` applies the existing migrations
// after `devDiagnostic`, so the cache lacks the full history and the engine fails with "SQLite
// shadow DB must be provided through an external factory". Running `devDiagnostic` again (now
// every migration is applied, so it computes and caches exactly that schema) and retrying fixes it.
//
// Missing `_prisma_migrations` table: the SQLite connector only recognises "no such table" when
// compiled natively (it inspects the rusqlite error); through a driver adapter the same condition
// surfaces as a P1014 error ("The underlying table for model `_prisma_migrations` does not
// exist."). The native engine treats it as "migrations table not initialised yet". So:
//   - diagnoseMigrationHistory without shadow database (`migrate status`): answer as the native
//     engine would for a database with no migrations table: every local migration is unapplied.
//     Read-only, like the native command.
//   - any other method given the migrations list (`devDiagnostic` for `migrate dev` on a new
//     database, `markMigrationApplied` for `migrate resolve`, ...): create the table the way
//     `migrate deploy` does (applyMigrations with an empty migration list, which only initialises
//     the table) and retry once.

/** Names differing between the CLI's RPC protocol and the wasm engine's methods. */
const renamed = { getDatabaseVersion: 'version' };

/** Methods of the wasm engine callable over RPC (`free` and `constructor` are not). */
const callable = new Set([
  'applyMigrations',
  'createMigration',
  'dbExecute',
  'debugPanic',
  'devDiagnostic',
  'diagnoseMigrationHistory',
  'diff',
  'ensureConnectionValidity',
  'evaluateDataLoss',
  'introspect',
  'introspectSql',
  'markMigrationApplied',
  'markMigrationRolledBack',
  'reset',
  'schemaPush',
  'version',
]);

/** @param {unknown} error */
function needsShadowSchemaCache(error) {
  const message = /** @type {{ message?: unknown }} */ (error ?? {}).message;
  return typeof message === 'string' && message.includes('shadow DB must be provided through an external factory');
}

/** @param {unknown} error */
function isMissingMigrationsTable(error) {
  const e = /** @type {{ code?: unknown, message?: unknown }} */ (error ?? {});
  return e.code === 'P1014' && typeof e.message === 'string' && e.message.includes('_prisma_migrations');
}

/**
 * @param {any} engine the wasm SchemaEngine
 * @param {string} method the RPC method name
 * @param {any} params
 * @param {{ log: (message: string) => void, resetDatabase?: () => Promise<void> }} context
 *   `resetDatabase`: the provider's replacement for the engine's `reset`, if it has one
 * @returns {Promise<unknown>}
 */
export async function callEngineMethod(engine, method, params, { log, resetDatabase }) {
  const name = /** @type {Record<string, string>} */ (renamed)[method] ?? method;
  if (!callable.has(name)) {
    throw Object.assign(new Error(`Method not found: ${method}`), { rpcCode: -32601 });
  }
  if (name === 'reset' && resetDatabase) {
    await resetDatabase();
    return null;
  }
  // Called as a method (not detached): wasm-bindgen methods need `this`.
  const call = () => engine[name](params);
  try {
    return await call();
  } catch (error) {
    if (needsShadowSchemaCache(error) && params?.migrationsList) {
      log(`${name}: computing the schema of the migration history on the shadow database, then retrying`);
      await engine.devDiagnostic({
        migrationsList: params.migrationsList,
        filters: params.filters ?? { externalTables: [], externalEnums: [] },
      });
      return call();
    }
    if (!isMissingMigrationsTable(error)) throw error;
    if (name === 'diagnoseMigrationHistory' && params?.optInToShadowDatabase === false) {
      log('diagnoseMigrationHistory: no _prisma_migrations table yet, every migration is unapplied');
      return diagnosisWithoutMigrationsTable(params.migrationsList);
    }
    if (!params?.migrationsList) throw error;
    log(`${name}: creating the _prisma_migrations table on a database that has none, then retrying`);
    await engine.applyMigrations({
      migrationsList: { ...params.migrationsList, migrationDirectories: [] },
      filters: params.filters ?? { externalTables: [], externalEnums: [] },
    });
    return call();
  }
}

/**
 * What the native engine's diagnoseMigrationHistory answers when the table does not exist.
 * @param {{ migrationDirectories: { path: string }[] }} migrationsList
 */
function diagnosisWithoutMigrationsTable(migrationsList) {
  const names = migrationsList.migrationDirectories.map((dir) => dir.path);
  return {
    history: names.length > 0 ? { diagnostic: 'databaseIsBehind', unappliedMigrationNames: names } : null,
    failedMigrationNames: [],
    editedMigrationNames: [],
    hasMigrationsTable: false,
  };
}
