// PostgreSQL support for the shim: the driver adapter the WebAssembly engine runs on
// (`PrismaPg` from @prisma/adapter-pg), the shadow database `migrate dev` needs, and the one-shot
// commands the CLI runs before migrating (does the database exist? create it).
//
// What the engine needs help with on PostgreSQL:
//   - pg_catalog's one-byte `"char"` type (pg_class.relkind, pg_constraint.contype, ...) is not a
//     type the adapter can report: introspection failed with "Column type 'char' could not be
//     deserialized". Its values are one-character strings, so every `"char"` column (and array) of
//     a result is reported as text (`CharAsTextClient`).
//   - Shadow database: without `shadowDatabaseUrl` each connection to it is a new temporary
//     database, dropped when the engine lets it go, or when the CLI stops the engine (the adapter's
//     own version would be left behind then). With `shadowDatabaseUrl` (SHADOW_DATABASE_URL), that
//     database is emptied on every connection, as the native engine resets it before each use:
//     otherwise the second replay of the migration history (see call-engine-method.mjs) failed on
//     the tables of the first.
//   - One-shot commands: "missing" is PostgreSQL's invalid_catalog_name (3D000) on connect; a
//     database is created from the `postgres` maintenance database (then `template1`).
//
// Connections go through a pool whose idle connections are never closed: the engine takes
// Prisma's migration advisory lock (pg_advisory_lock(72707369), released when its connection
// closes) and must keep that connection until it is done.
import { randomUUID } from 'node:crypto';
import { URL } from 'node:url';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';

/** OIDs of `"char"` and `"char"[]`, and of what they are reported as: `text` and `text[]`. */
const CHAR_AS_TEXT = new Map([
  [18, 25],
  [1002, 1009],
]);

/** @param {any} result a pg Result, an array of them (multi-statement query), or undefined */
function charAsText(result) {
  for (const one of Array.isArray(result) ? result : [result]) {
    for (const field of one?.fields ?? []) {
      const replacement = CHAR_AS_TEXT.get(field.dataTypeID);
      if (replacement !== undefined) field.dataTypeID = replacement;
    }
  }
  return result;
}

/**
 * A pg Client whose results report `"char"` columns as text. Values are parsed before this runs
 * (a `"char"` is already a string, and its array type gets the string-array parser below), so only
 * the reported type changes. The pool calls `query` with a callback, a transaction's connection
 * without one: both forms are handled.
 */
class CharAsTextClient extends pg.Client {
  /** @param {any[]} args */
  query(...args) {
    const last = args.at(-1);
    if (typeof last === 'function') {
      args[args.length - 1] = (/** @type {unknown} */ error, /** @type {any} */ result) =>
        last(error, error ? result : charAsText(result));
      return super.query(...args);
    }
    const outcome = /** @type {any} */ (super.query(...args));
    return typeof outcome?.then === 'function' ? outcome.then(charAsText) : outcome;
  }
}

/** `"char"[]` values as string arrays (pg parses only the types it knows). */
const charArrayParser = pg.types.getTypeParser(1009, 'text');
pg.types.setTypeParser(1002, 'text', charArrayParser);

/**
 * The parts of a connection URL this provider needs; `schema` (Prisma's URL parameter for the
 * default schema, not a libpq one) is taken out of the connection string.
 * @param {string} url
 */
function parseUrl(url) {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? 'public';
  parsed.searchParams.delete('schema');
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  const host = parsed.searchParams.get('host') ?? parsed.hostname;
  return { connectionString: parsed.toString(), schema, database, host, port: parsed.port || '5432' };
}

/** @param {string} connectionString */
function poolConfig(connectionString) {
  return { connectionString, Client: CharAsTextClient, idleTimeoutMillis: 0 };
}

/** @param {string} name */
const quoteIdent = (name) => `"${name.replace(/"/g, '""')}"`;

/**
 * Runs `use` on a short-lived connection to `connectionString`.
 * @template T
 * @param {string} connectionString
 * @param {(client: pg.Client) => Promise<T>} use
 * @returns {Promise<T>}
 */
async function withClient(connectionString, use) {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** The same URL naming another database. @param {string} url @param {string} database */
function withDatabase(url, database) {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/**
 * Adapter factory for the database at `url` (`?schema=` chooses the schema, default public).
 * @param {{ url: string, shadowDatabaseUrl?: string | undefined, baseDir: string }} options
 */
function createAdapterFactory({ url, shadowDatabaseUrl }) {
  const main = parseUrl(url);
  const inner = new PrismaPg(poolConfig(main.connectionString), { schema: main.schema });
  /** Adapters this engine opened, closed by close(). @type {Set<{ dispose(): Promise<void> }>} */
  const open = new Set();
  /** @type {Promise<void> | undefined} */
  let closing;

  /** @param {{ dispose(): Promise<void> }} adapter @param {() => Promise<void>} [after] */
  const track = (adapter, after) => {
    open.add(adapter);
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      if (!open.delete(adapter)) return;
      try {
        await dispose();
      } finally {
        await after?.();
      }
    };
    return adapter;
  };

  /** A new temporary database for this connection, dropped when the adapter is disposed. */
  const temporaryShadowDb = async () => {
    const name = `prisma_migrate_shadow_db_${randomUUID()}`;
    await withClient(main.connectionString, (client) => client.query(`CREATE DATABASE ${quoteIdent(name)}`));
    const drop = () =>
      withClient(main.connectionString, (client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`)).then(
        () => {},
      );
    try {
      const shadow = new PrismaPg(poolConfig(withDatabase(main.connectionString, name)), { schema: main.schema });
      return track(await shadow.connect(), drop);
    } catch (error) {
      await drop().catch(() => {});
      throw error;
    }
  };

  /** The configured shadow database, emptied (its schema dropped and created again). */
  const configuredShadowDb = async (/** @type {string} */ shadowUrl) => {
    const shadow = parseUrl(shadowUrl);
    if (shadow.host === main.host && shadow.port === main.port && shadow.database === main.database) {
      throw new Error('The shadow database (shadowDatabaseUrl) must not be the main database.');
    }
    const adapter = track(await new PrismaPg(poolConfig(shadow.connectionString), { schema: shadow.schema }).connect());
    const schema = quoteIdent(shadow.schema);
    await adapter.executeScript(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
    return adapter;
  };

  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    connect: async () => track(await inner.connect()),
    connectToShadowDb: () => (shadowDatabaseUrl ? configuredShadowDb(shadowDatabaseUrl) : temporaryShadowDb()),
    /**
     * Closes every connection and drops the temporary shadow databases still open. Called on
     * SIGTERM and at the end of stdin, often both: the second call waits for the first.
     */
    close: () => (closing ??= Promise.allSettled([...open].map((adapter) => adapter.dispose())).then(() => {})),
  };
}

/**
 * `cli can-connect-to-database`: null when the database exists, else the P1003 error the native
 * engine reports. Other connection errors are left to the engine's own check.
 * @param {string} url
 */
async function databaseMissing(url) {
  const { connectionString, database, host, port } = parseUrl(url);
  try {
    await withClient(connectionString, async () => {});
    return null;
  } catch (error) {
    if (/** @type {{ code?: unknown }} */ (error).code !== '3D000') return null;
    return {
      code: 'P1003',
      message: `Database \`${database}\` does not exist on the database server at \`${host}:${port}\`.`,
    };
  }
}

/**
 * The database exists already: duplicate_database, or, when two sessions create it at the same
 * moment, a unique violation on the catalog's name index.
 * @param {unknown} error
 */
function isDuplicateDatabase(error) {
  const e = /** @type {{ code?: unknown, constraint?: unknown }} */ (error);
  return e.code === '42P04' || (e.code === '23505' && e.constraint === 'pg_database_datname_index');
}

/**
 * `cli create-database`: creates the database from a maintenance database on the same server.
 * A database created meanwhile (another node starting at the same time) is fine.
 * @param {string} url
 */
async function createDatabase(url) {
  const { connectionString, database } = parseUrl(url);
  /** @type {unknown} */
  let lastError;
  for (const maintenance of ['postgres', 'template1']) {
    try {
      await withClient(withDatabase(connectionString, maintenance), async (client) => {
        try {
          await client.query(`CREATE DATABASE ${quoteIdent(database)}`);
        } catch (error) {
          if (!isDuplicateDatabase(error)) throw error;
        }
      });
      return;
    } catch (error) {
      lastError = error;
      if (/** @type {{ code?: unknown }} */ (error).code !== '3D000') break; // only a missing maintenance db
    }
  }
  const reason = lastError instanceof Error ? lastError.message : String(lastError);
  throw new Error(`Cannot create the PostgreSQL database "${database}": ${reason}`);
}

/** The provider interface every entry of `providers.mjs` implements. */
export const postgresqlProvider = { createAdapterFactory, databaseMissing, createDatabase };
