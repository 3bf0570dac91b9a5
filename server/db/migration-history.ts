// What `applyPendingMigrations` needs to know about a database without starting the Prisma CLI:
// the migrations `_prisma_migrations` records as finished, and, on PostgreSQL, a lock that lets
// one node at a time bring the schema up to date.
import fs from 'node:fs';
import Database from 'better-sqlite3';
import type pg from 'pg';
import type { DatabaseTarget } from './database-url.ts';

/** Read access to one database's migration history; `close` ends any connection it holds. */
export interface MigrationHistory {
  /**
   * Migrations recorded as applied (finished, not rolled back). Empty when the database or the
   * table does not exist or cannot be read: then `migrate deploy` runs and reports the problem.
   */
  finished(): Promise<Set<string>>;
  /**
   * Waits until no other process holds the migration lock of this database, then holds it until
   * `close`. False when there is nothing to lock (SQLite, or a database that does not exist yet).
   */
  lock(timeoutMs: number): Promise<boolean>;
  /**
   * Why the database server could not be used at all (refused, unreachable, credentials), after
   * `finished`; null when it answered, or only lacks the database (`migrate deploy` creates it).
   */
  unreachable(): Error | null;
  close(): Promise<void>;
}

export function migrationHistory(database: DatabaseTarget): MigrationHistory {
  return database.provider === 'sqlite' ? sqliteHistory(database.file) : postgresHistory(database.url);
}

const FINISHED_SQL =
  'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL';

function sqliteHistory(file: string): MigrationHistory {
  return {
    finished: () => Promise.resolve(sqliteFinished(file)),
    // One process per SQLite file: nothing to wait for.
    lock: () => Promise.resolve(false),
    unreachable: () => null,
    close: () => Promise.resolve(),
  };
}

function sqliteFinished(file: string): Set<string> {
  if (!fs.existsSync(file)) return new Set();
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'").get();
    if (table === undefined) return new Set();
    const rows = db.prepare(FINISHED_SQL).all() as { migration_name: string }[];
    return new Set(rows.map((row) => row.migration_name));
  } catch {
    return new Set();
  } finally {
    db?.close();
  }
}

/**
 * The key of the lock nodes take around `prisma migrate deploy` (two int4 halves, "tick" and
 * "migr": a different key space from the single bigint Prisma's own migrate lock uses, so the
 * CLI run under it is not blocked by it).
 */
const LOCK_KEY = [0x7469636b, 0x6d696772] as const;

/** How long connecting may take before the history reads as unknown (deploy then explains). */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * PostgreSQL: one short-lived connection, opened on first use. The lock is a session-level
 * advisory lock on that connection; closing it (or the process dying) releases it. Prisma's
 * `migrate deploy` takes its own advisory lock too, but with this one a node that waited for
 * another re-reads the history and finds nothing left to do, without starting the CLI.
 */
function postgresHistory(url: string): MigrationHistory {
  const parsed = new URL(url);
  // `schema` is Prisma's parameter (the schema holding the tables), not one for the driver.
  const schema = parsed.searchParams.get('schema') ?? 'public';
  parsed.searchParams.delete('schema');
  const table = `"${schema.replace(/"/g, '""')}"._prisma_migrations`;
  /** The connection, or null when connecting failed (tried again by `finished`, not by `lock`). */
  let client: Promise<pg.Client | null> | undefined;
  /** Why the last connect failed, unless the server answered that the database does not exist (3D000). */
  let refused: Error | null = null;

  const connect = () =>
    (client ??= (async () => {
      const { default: pgModule } = await import('pg');
      const c = new pgModule.Client({ connectionString: parsed.toString(), connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
      // A connection lost while idle must not crash the process; the next query fails instead.
      c.on('error', () => undefined);
      try {
        await c.connect();
        refused = null;
        return c;
      } catch (error) {
        refused = (error as { code?: unknown }).code === '3D000' ? null : error instanceof Error ? error : new Error(String(error));
        await c.end().catch(() => undefined);
        return null;
      }
    })());

  return {
    async finished() {
      // The database may exist now (migrate deploy creates it): connect again after a failure.
      if ((await client) === null) client = undefined;
      const c = await connect();
      if (c === null) return new Set();
      try {
        const { rows } = await c.query<{ migration_name: string }>(FINISHED_SQL.replace('_prisma_migrations', table));
        return new Set(rows.map((row) => row.migration_name));
      } catch {
        return new Set();
      }
    },
    async lock(timeoutMs) {
      const c = await connect();
      if (c === null) return false;
      await c.query(`SET lock_timeout = ${Math.max(1, Math.round(timeoutMs))}`);
      try {
        await c.query('SELECT pg_advisory_lock($1, $2)', [...LOCK_KEY]);
      } catch (error) {
        if ((error as { code?: unknown }).code === '55P03') {
          throw new Error(`another process kept the migration lock for more than ${Math.round(timeoutMs / 1000)} s`);
        }
        throw error;
      }
      return true;
    },
    unreachable: () => refused,
    async close() {
      const c = await client;
      client = undefined;
      await c?.end().catch(() => undefined);
    },
  };
}
