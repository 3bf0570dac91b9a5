import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import type { BackoffPolicy } from '../feed/backoff.ts';
import { PrismaClient } from './generated/client.ts';
import { serializedAdapter } from './serialized-adapter.ts';

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
 * Opens the one Prisma client of the process on the SQLite file `databaseFile` (absolute path).
 * WAL mode lets readers (pages, API) proceed while the pipeline writes; a short busy timeout
 * makes a briefly locked database wait instead of failing. Every statement and transaction on
 * the connection takes one lock (`serializedAdapter`), so a statement of one request never runs
 * inside another request's open transaction.
 */
export async function createDb(databaseFile: string): Promise<Db> {
  const adapter = serializedAdapter(new PrismaBetterSqlite3({ url: `file:${databaseFile}`, timeout: BUSY_TIMEOUT_MS }));
  const db = new PrismaClient({ adapter });
  await db.$queryRawUnsafe('PRAGMA journal_mode = WAL');
  await db.$queryRawUnsafe(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  // Cascades (an account's alerts and notifications) rely on SQLite enforcing foreign keys.
  await db.$queryRawUnsafe('PRAGMA foreign_keys = ON');
  return db;
}
