import Database from 'better-sqlite3';
import { BUSY_TIMEOUT_MS } from './client.ts';

/** A read-only connection that streams raw rows; see {@link openBulkReader}. */
export interface BulkReader {
  /** Calls `onRow` with each row as an array of column values, in the query's order; returns the count. */
  each(sql: string, params: readonly unknown[], onRow: (row: unknown[]) => void): number;
  close(): void;
}

/**
 * Opens a read-only better-sqlite3 connection for the start-up loads (a day of trades, every
 * armed alert). Prisma builds a typed object per row through its query engine, which for a
 * million rows took tens of seconds; this streams raw rows in a few hundred milliseconds. It is
 * opened for the load and closed after: every write still goes through the one Prisma client.
 */
export function openBulkReader(databaseFile: string): BulkReader {
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
      return count;
    },
    close: () => db.close(),
  };
}
