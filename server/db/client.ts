import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from './generated/client.ts';

export type Db = PrismaClient;

/**
 * Opens the one Prisma client of the process on the SQLite file `databaseFile` (absolute path).
 * WAL mode lets readers (pages, API) proceed while the pipeline writes; `busy_timeout` makes a
 * briefly locked database wait instead of failing.
 */
export async function createDb(databaseFile: string): Promise<Db> {
  const adapter = new PrismaBetterSqlite3({ url: `file:${databaseFile}`, timeout: 5_000 });
  const db = new PrismaClient({ adapter });
  await db.$queryRawUnsafe('PRAGMA journal_mode = WAL');
  await db.$queryRawUnsafe('PRAGMA busy_timeout = 5000');
  // Cascades (an account's alerts and notifications) rely on SQLite enforcing foreign keys.
  await db.$queryRawUnsafe('PRAGMA foreign_keys = ON');
  return db;
}
