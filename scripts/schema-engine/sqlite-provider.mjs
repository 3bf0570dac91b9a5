// SQLite support for the shim: the driver adapter the WebAssembly engine runs on, and the two
// one-shot commands the CLI runs before migrating (does the database exist? create it).
//
// The adapter is `PrismaBetterSqlite3` with one fix.
//
// The engine applies a migration (and `db execute`, resets, ...) by sending the whole
// multi-statement script through `executeRaw`. better-sqlite3 prepares exactly one statement and
// throws "The supplied SQL string contains more than one statement". When that happens for a
// query without parameters, run the text as a script instead (`Database#exec`, which is what the
// adapter's `executeScript` does). Inside a transaction the same connection is used, so the
// parent adapter's `executeScript` runs within that transaction.
import fs from 'node:fs';
import path from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';

/**
 * Resolves a SQLite `file:` URL to an absolute path (query parameters dropped). Relative paths are
 * taken from `baseDir`, the working directory the CLI starts the engine in.
 * @param {string} url
 * @param {string} baseDir
 */
function sqliteFilePath(url, baseDir) {
  const raw = url.replace(/^file:/, '').split('?')[0] ?? '';
  if (raw === '' || raw === ':memory:') return ':memory:';
  return path.resolve(baseDir, raw);
}

/** @param {unknown} error */
function isMultiStatementError(error) {
  return error instanceof RangeError && /more than one statement/.test(error.message);
}

/**
 * `executeRaw` that falls back to `runScript` for a parameterless multi-statement script.
 * @param {{ executeRaw(q: any): Promise<number> }} queryable
 * @param {(sql: string) => Promise<void>} runScript
 */
function executeRawOrScript(queryable, runScript) {
  return async (/** @type {{ sql: string, args: unknown[] }} */ query) => {
    try {
      return await queryable.executeRaw(query);
    } catch (error) {
      if (query.args.length > 0 || !isMultiStatementError(error)) throw error;
      await runScript(query.sql);
      return 0;
    }
  };
}

/**
 * Delegating wrapper (not a subclass or prototype trick: the adapter keeps state in private
 * fields, which only work with the original object as `this`).
 * @param {any} adapter a connected PrismaBetterSqlite3 adapter
 */
function withScriptFallback(adapter) {
  const runScript = (/** @type {string} */ sql) => adapter.executeScript(sql);
  return {
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    queryRaw: (/** @type {any} */ q) => adapter.queryRaw(q),
    executeRaw: executeRawOrScript(adapter, runScript),
    executeScript: runScript,
    dispose: () => adapter.dispose(),
    ...(adapter.getConnectionInfo ? { getConnectionInfo: () => adapter.getConnectionInfo() } : {}),
    startTransaction: async (/** @type {any} */ isolationLevel) => {
      const tx = await adapter.startTransaction(isolationLevel);
      return {
        provider: tx.provider,
        adapterName: tx.adapterName,
        options: tx.options,
        queryRaw: (/** @type {any} */ q) => tx.queryRaw(q),
        executeRaw: executeRawOrScript(tx, runScript),
        commit: () => tx.commit(),
        rollback: () => tx.rollback(),
        createSavepoint: (/** @type {string} */ name) => tx.createSavepoint(name),
        rollbackToSavepoint: (/** @type {string} */ name) => tx.rollbackToSavepoint(name),
        releaseSavepoint: (/** @type {string} */ name) => tx.releaseSavepoint(name),
      };
    },
  };
}

/**
 * Adapter factory for a SQLite database file (the shadow database, when the engine needs one,
 * is in memory unless `shadowDatabaseUrl` is set).
 *
 * It also implements `resetDatabase`, which the shim calls instead of the engine's `reset`: the
 * wasm SQLite connector's reset only deletes rows (`DELETE FROM` every table) and keeps the
 * tables, so `migrate reset` or a reset during `migrate dev` then fails re-applying the first
 * migration ("table ... already exists"). The native engine truncates the database file to zero
 * bytes on its open connection; this does the same, on the engine's own connection (a second one
 * could be locked out by the engine's exclusive lock). Dropping the tables instead would not do:
 * `sqlite_sequence` cannot be dropped, and the engine then refuses to migrate a "non-empty"
 * database (P3005).
 * @param {{ url: string, shadowDatabaseUrl?: string | undefined, baseDir: string }} options
 */
function createAdapterFactory({ url, shadowDatabaseUrl, baseDir }) {
  const file = sqliteFilePath(url, baseDir);
  const inner = new PrismaBetterSqlite3(
    { url: file },
    shadowDatabaseUrl ? { shadowDatabaseUrl: sqliteFilePath(shadowDatabaseUrl, baseDir) } : undefined,
  );
  /** The engine's connection to the main database (the latest one it opened). */
  /** @type {any} */
  let main;
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    connect: async () => {
      main = await inner.connect();
      return withScriptFallback(main);
    },
    connectToShadowDb: async () => withScriptFallback(await inner.connectToShadowDb()),
    resetDatabase: async () => {
      if (file === ':memory:') throw new Error('Cannot reset an in-memory SQLite database.');
      const adapter = main ?? (main = await inner.connect());
      /** @param {string} sql */
      const pragma = (sql) => adapter.queryRaw({ sql, args: [], argTypes: [] });
      // Leave WAL mode first: it checkpoints and deletes the -wal file, whose frames would
      // otherwise be replayed onto the emptied file. Fails if another process has it open.
      await pragma('PRAGMA journal_mode = DELETE');
      // Release the exclusive lock the engine may hold (released at the next access).
      await pragma('PRAGMA main.locking_mode = NORMAL');
      await pragma('PRAGMA main.quick_check');
      fs.truncateSync(file, 0);
    },
    /**
     * Closes the engine's connection. Under the engine's exclusive lock SQLite keeps an emptied
     * `-journal` file beside the database until the connection closes; the CLI ends the engine
     * with SIGTERM, so without this the file would stay behind.
     */
    close: () => {
      // The adapter's dispose() closes the better-sqlite3 database synchronously.
      void main?.dispose();
      main = undefined;
    },
  };
}

/**
 * What the native engine does for `cli can-connect-to-database` on SQLite: the database exists
 * when its file does. Returns null when it exists, or a user-facing P1003 error.
 * @param {string} url
 * @param {string} baseDir
 */
function databaseMissing(url, baseDir) {
  const file = sqliteFilePath(url, baseDir);
  if (file === ':memory:' || fs.existsSync(file)) return null;
  return {
    code: 'P1003',
    message: `Database \`${path.basename(file)}\` does not exist at \`${file}\``,
  };
}

/**
 * `cli create-database` for SQLite: create the parent directory and an empty database file.
 * @param {string} url
 * @param {string} baseDir
 */
function createDatabase(url, baseDir) {
  const file = sqliteFilePath(url, baseDir);
  if (file === ':memory:') return;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.closeSync(fs.openSync(file, 'a'));
  } catch (error) {
    throw new Error(`Cannot create the SQLite database file ${file}: ${/** @type {Error} */ (error).message}`);
  }
}

/** The provider interface every entry of `providers.mjs` implements. */
export const sqliteProvider = { createAdapterFactory, databaseMissing, createDatabase };
