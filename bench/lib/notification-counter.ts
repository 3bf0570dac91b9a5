import Database from 'better-sqlite3';
import pg from 'pg';
import type { DatabaseTarget } from '../../server/db/database-url.ts';
import { postgresqlDialect } from '../../server/db/sql-dialect.ts';

/**
 * Reads the server's notification table from the bench, on a connection of its own: a firing
 * counts once its transaction has committed, whatever the server says about it.
 */
export interface NotificationCounter {
  /** Notifications with an id above `afterId` (0: all). */
  count(afterId?: number): Promise<number>;
  /** The newest notification id, 0 when there is none. */
  maxId(): Promise<number>;
  /** Distinct alerts among the notifications above `afterId`: below count(), some alert fired twice. */
  distinctAlerts(afterId?: number): Promise<number>;
  close(): Promise<void>;
}

const COUNT = 'SELECT count(*) AS n FROM notification WHERE id > ?';
const MAX_ID = 'SELECT coalesce(max(id), 0) AS n FROM notification';
const DISTINCT = 'SELECT count(DISTINCT "alertId") AS n FROM notification WHERE id > ?';

/** A read-only SQLite connection (WAL: it never waits for the server's writes), or one PostgreSQL client. */
export async function notificationCounter(target: DatabaseTarget): Promise<NotificationCounter> {
  if (target.provider === 'sqlite') {
    const db = new Database(target.file, { readonly: true });
    const statements = new Map<string, Database.Statement>();
    const one = (sql: string, ...params: unknown[]): Promise<number> => {
      const statement = statements.get(sql) ?? db.prepare(sql);
      statements.set(sql, statement);
      return Promise.resolve(Number((statement.get(...params) as { n: number }).n));
    };
    return {
      count: (afterId = 0) => one(COUNT, afterId),
      maxId: () => one(MAX_ID),
      distinctAlerts: (afterId = 0) => one(DISTINCT, afterId),
      close: () => {
        db.close();
        return Promise.resolve();
      },
    };
  }
  const client = new pg.Client({ connectionString: target.url, application_name: 'tickwatch-bench' });
  await client.connect();
  const one = async (sql: string, ...params: unknown[]): Promise<number> =>
    Number((await client.query<{ n: string | number }>(postgresqlDialect.text(sql), params)).rows[0]!.n);
  return {
    count: (afterId = 0) => one(COUNT, afterId),
    maxId: () => one(MAX_ID),
    distinctAlerts: (afterId = 0) => one(DISTINCT, afterId),
    close: () => client.end(),
  };
}
