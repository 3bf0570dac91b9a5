import Database from 'better-sqlite3';
import type { DatabaseTarget } from './database-url.ts';
import { BUSY_TIMEOUT_MS, PG_POOL } from './client.ts';
import { postgresqlDialect } from './sql-dialect.ts';

/** A connection that streams raw rows for the start-up loads; see {@link openBulkReader}. */
export interface BulkReader {
  /**
   * Calls `onRow` with each row as an array of column values, in the query's order; resolves
   * with the count. `sql` uses `?` placeholders and double-quoted identifiers (sql-dialect.ts).
   * Integer columns come as numbers, DateTime columns as ISO-8601 text.
   */
  each(sql: string, params: readonly unknown[], onRow: (row: unknown[]) => void): Promise<number>;
  close(): Promise<void>;
}

/** Rows fetched per round trip from a PostgreSQL cursor: bounded memory, few round trips. */
const PG_CURSOR_BATCH = 10_000;

/**
 * Opens a read connection for the start-up loads (a day of trades, every armed alert). Prisma
 * builds a typed object per row through its query engine, which for a million rows took tens
 * of seconds; this streams raw rows: SQLite's rows one by one from a read-only connection,
 * PostgreSQL's through a server-side cursor in batches. It is opened for the load and closed
 * after: every write still goes through the one Prisma client.
 */
export async function openBulkReader(target: DatabaseTarget): Promise<BulkReader> {
  return target.provider === 'sqlite' ? sqliteReader(target.file) : await postgresqlReader(target.url);
}

function sqliteReader(databaseFile: string): BulkReader {
  const db = new Database(databaseFile, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  // 64-bit columns (trade ids, microsecond times) read as bigint would cost a conversion per
  // value; they fit a double exactly (ids and times are far below 2^53).
  db.defaultSafeIntegers(false);
  return {
    each(sql, params, onRow) {
      let count = 0;
      for (const row of db.prepare(sql).raw(true).iterate(...params) as IterableIterator<unknown[]>) {
        onRow(row);
        count++;
      }
      return Promise.resolve(count);
    },
    close: () => {
      db.close();
      return Promise.resolve();
    },
  };
}

/** pg's type ids: int8, timestamp without time zone. */
const INT8_OID = 20;
const TIMESTAMP_OID = 1114;

async function postgresqlReader(url: string): Promise<BulkReader> {
  const [{ default: pg }, { default: Cursor }] = await Promise.all([import('pg'), import('pg-cursor')]);
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: PG_POOL.connectionTimeoutMillis,
    application_name: 'tickwatch-bulk-read',
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
        // As SQLite gives them: ids and microsecond times as numbers (below 2^53), and Prisma's
        // UTC timestamps as ISO text (pg would read them as local time).
        if (oid === INT8_OID) return (value: string) => Number(value);
        if (oid === TIMESTAMP_OID) return (value: string) => `${value.replace(' ', 'T')}Z`;
        return pg.types.getTypeParser(oid, format) as (value: string) => unknown;
      }) as typeof pg.types.getTypeParser,
    },
  });
  // A connection lost during the load fails the query in progress; without a listener it would
  // also be thrown as an uncaught 'error' event.
  client.on('error', () => undefined);
  await client.connect();
  return {
    async each(sql, params, onRow) {
      const cursor = client.query(new Cursor(postgresqlDialect.text(sql), [...params], { rowMode: 'array' }));
      let count = 0;
      try {
        for (;;) {
          const rows = (await cursor.read(PG_CURSOR_BATCH)) as unknown[][];
          for (const row of rows) onRow(row);
          count += rows.length;
          if (rows.length < PG_CURSOR_BATCH) return count;
        }
      } finally {
        await cursor.close();
      }
    },
    close: () => client.end(),
  };
}
