import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import type { BackoffPolicy } from '../backoff.ts';
import type { DatabaseTarget } from './database-url.ts';
import { PrismaClient } from './generated/client.ts';
import { serializedAdapter } from './serialized-adapter.ts';
import { type SqlDialect, postgresqlDialect, sqliteDialect } from './sql-dialect.ts';

/**
 * The one Prisma client of the process. Its type is the SQLite client's: the PostgreSQL client
 * is generated from the same schema (prisma/postgresql/schema.prisma is derived from
 * prisma/schema.prisma), so their models and queries are the same.
 */
export type Db = PrismaClient;

/**
 * How long a write waits for another connection's lock before failing with SQLITE_BUSY.
 * better-sqlite3 waits synchronously, so this is also how long one locked write can stall the
 * event loop (ticks, sockets, health). Kept short: a peer's ordinary transaction takes
 * milliseconds, and a longer lock (a backup, a migration, a stuck client) is ridden out by the
 * background writers retrying with `DB_WRITE_BACKOFF` instead of by freezing the process.
 */
export const BUSY_TIMEOUT_MS = 250;

/** Retry delays of the background writers (trades, alert firings) after a failed write. */
export const DB_WRITE_BACKOFF: BackoffPolicy = { baseMs: 250, maxMs: 2_000 };

/**
 * PostgreSQL pool: connections per node (the server, not the web pages, holds them), how long
 * to wait for one, and how long one statement may run. A server that is down or unreachable
 * fails a query within the connect timeout instead of queueing work for minutes; the writers
 * retry with `DB_WRITE_BACKOFF` and `/readyz` says not ready meanwhile.
 */
export const PG_POOL = {
  max: 10,
  connectionTimeoutMillis: 3_000,
  idleTimeoutMillis: 30_000,
  statementTimeoutMs: 15_000,
  /** A row lock waited for longer than this fails (and is retried) instead of holding a connection. */
  lockTimeoutMs: 5_000,
  /**
   * A transaction left open by a node that was paused or cut off is ended by the server, so its
   * locks (a lease row share-locked by a firing) cannot hold other nodes' takeovers for long.
   */
  idleInTransactionTimeoutMs: 10_000,
} as const;

const dialects = new WeakMap<object, SqlDialect>();

/** How raw SQL is written for this client's database. */
export function dialectOf(db: Db): SqlDialect {
  const dialect = dialects.get(db);
  if (!dialect) throw new Error('not a client opened by createDb');
  return dialect;
}

export interface DbOptions {
  /**
   * PostgreSQL: a transaction left idle this long is ended by the server
   * (`idle_in_transaction_session_timeout`). The app passes LEASE_TTL: a node paused or cut off
   * inside a firing transaction holds its product's lease row share-locked (the fence), and no
   * other node could take the lease over until it came back.
   */
  idleInTransactionTimeoutMs?: number;
}

/** Opens the one Prisma client of the process on `target`. */
export async function createDb(target: DatabaseTarget, options: DbOptions = {}): Promise<Db> {
  const db = target.provider === 'sqlite' ? await openSqlite(target.file) : await openPostgresql(target.url, options);
  dialects.set(db, target.provider === 'sqlite' ? sqliteDialect : postgresqlDialect);
  return db;
}

/**
 * SQLite at `databaseFile` (absolute path). WAL mode lets readers (pages, API) proceed while the
 * pipeline writes; a short busy timeout makes a briefly locked database wait instead of failing.
 * Every statement and transaction on the connection takes one lock (`serializedAdapter`), so a
 * statement of one request never runs inside another request's open transaction.
 */
async function openSqlite(databaseFile: string): Promise<Db> {
  const adapter = serializedAdapter(new PrismaBetterSqlite3({ url: `file:${databaseFile}`, timeout: BUSY_TIMEOUT_MS }));
  const db = new PrismaClient({ adapter });
  await db.$queryRawUnsafe('PRAGMA journal_mode = WAL');
  await db.$queryRawUnsafe(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  // Cascades (an account's alerts and notifications) rely on SQLite enforcing foreign keys.
  await db.$queryRawUnsafe('PRAGMA foreign_keys = ON');
  return db;
}

/**
 * PostgreSQL through a pool (`@prisma/adapter-pg`): each interactive transaction has a
 * connection of its own, so no statement of one request runs inside another's transaction.
 * The client is loaded only here, so a SQLite process never loads it.
 */
async function openPostgresql(url: string, options: DbOptions): Promise<Db> {
  const [{ PrismaPg }, generated] = await Promise.all([import('@prisma/adapter-pg'), import('./generated-postgresql/client.ts')]);
  const adapter = new PrismaPg({
    connectionString: url,
    max: PG_POOL.max,
    connectionTimeoutMillis: PG_POOL.connectionTimeoutMillis,
    idleTimeoutMillis: PG_POOL.idleTimeoutMillis,
    statement_timeout: PG_POOL.statementTimeoutMs,
    lock_timeout: PG_POOL.lockTimeoutMs,
    idle_in_transaction_session_timeout: PG_POOL.idleInTransactionTimeoutMs,
    ...(options.idleInTransactionTimeoutMs ? { idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs } : {}),
    application_name: 'tickwatch',
  });
  // Same schema, same models: only the provider differs (see `Db`).
  const db = new generated.PrismaClient({ adapter }) as unknown as Db;
  await db.$queryRawUnsafe('SELECT 1');
  return db;
}
