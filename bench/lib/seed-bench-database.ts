import { type Db, createDb, dialectOf } from '../../server/db/client.ts';
import type { DatabaseTarget } from '../../server/db/database-url.ts';
import { applyPendingMigrations } from '../../server/db/migrate.ts';
import { ROOT_DIR } from './server-process.ts';
import { newSessionToken, sessionCookieHeader } from './session-cookie.ts';

const DAY_MS = 86_400_000;
const ROWS_PER_INSERT = 500;

/** An armed once-alert on the last price of BTC-USD, going to user number `user`. */
export interface SeedAlert {
  user: number;
  direction: 'above' | 'below';
  threshold: string;
}

export interface SeedOptions {
  /** A brand-new SQLite file, or an empty PostgreSQL database (several nodes share one). */
  database: DatabaseTarget;
  /** The server's BETTER_AUTH_SECRET, to sign the cookies. */
  secret: string;
  users: number;
  alerts?: SeedAlert[];
}

export interface SeededUsers {
  userIds: string[];
  /** One signed `Cookie` header per user, for its one session. */
  cookies: string[];
}

/** Multi-row INSERTs of `rows` into `table`, in one transaction, written for either database. */
async function insertRows(db: Db, table: string, columns: string[], rows: unknown[][]): Promise<void> {
  const statements = [];
  const tuple = `(${columns.map(() => '?').join(',')})`;
  for (let from = 0; from < rows.length; from += ROWS_PER_INSERT) {
    const chunk = rows.slice(from, from + ROWS_PER_INSERT);
    const sql = `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(',')}) VALUES ${chunk.map(() => tuple).join(',')}`;
    statements.push(db.$executeRawUnsafe(dialectOf(db).text(sql), ...chunk.flat()));
  }
  await db.$transaction(statements);
}

/**
 * Migrates a brand-new database and writes benchmark users, one live session each, and alerts
 * straight into it, before the server starts (which loads the alerts into its index then).
 * Sign-up is not what is measured: its password hashing and rate limits would take minutes for
 * ten thousand users, and Prisma's createMany about two seconds per thousand rows here. Users
 * have no password account, so nobody can sign in as them.
 */
export async function seedBenchDatabase(options: SeedOptions): Promise<SeededUsers> {
  await applyPendingMigrations({ rootDir: ROOT_DIR, database: options.database, log: () => undefined });
  const db = await createDb(options.database);
  try {
    const dialect = dialectOf(db);
    const now = dialect.date(Date.now());
    const expiresAt = dialect.date(Date.now() + 7 * DAY_MS);
    // SQLite keeps booleans as integers; PostgreSQL refuses an integer for one.
    const unverified = dialect.provider === 'sqlite' ? 0 : false;
    const userIds = Array.from({ length: options.users }, (_, n) => `bench-user-${n}`);
    const tokens = userIds.map(() => newSessionToken());
    await insertRows(db, 'user', ['id', 'name', 'email', 'emailVerified', 'createdAt', 'updatedAt'],
      userIds.map((id) => [id, id, `${id}@bench.example`, unverified, now, now]));
    await insertRows(db, 'session', ['id', 'token', 'userId', 'expiresAt', 'createdAt', 'updatedAt'],
      userIds.map((id, n) => [`${id}-session`, tokens[n], id, expiresAt, now, now]));
    await insertRows(db, 'alert', ['id', 'userId', 'product', 'basis', 'direction', 'threshold', 'createdAt', 'updatedAt'],
      (options.alerts ?? []).map((alert, n) => [`bench-alert-${n}`, userIds[alert.user % userIds.length], 'BTC-USD', 'last', alert.direction, alert.threshold, now, now]));
    return { userIds, cookies: tokens.map((token) => sessionCookieHeader(token, options.secret)) };
  } finally {
    await db.$disconnect();
  }
}
