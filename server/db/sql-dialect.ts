import { sqliteDate } from './sqlite-date.ts';

/**
 * The few ways raw SQL differs between SQLite and PostgreSQL. Statements are written once, with
 * `?` placeholders and double-quoted identifiers (PostgreSQL folds unquoted names to lower case;
 * SQLite accepts quoted ones), `ON CONFLICT ... DO NOTHING` and `RETURNING` (both have them);
 * what remains is here.
 */
export interface SqlDialect {
  readonly provider: 'sqlite' | 'postgresql';
  /** The statement with its `?` placeholders written as the database expects them. */
  text(sql: string): string;
  /** A DateTime parameter as Prisma stores it: SQLite's ISO text, a PostgreSQL timestamp. */
  date(ms: number): string | Date;
  /**
   * A column compared without its index: SQLite's planner takes `+column` as an expression
   * and leaves the index alone; PostgreSQL plans by statistics and has no such operator on text.
   */
  unindexed(column: string): string;
}

export const sqliteDialect: SqlDialect = {
  provider: 'sqlite',
  text: (sql) => sql,
  date: (ms) => sqliteDate(ms),
  unindexed: (column) => `+${column}`,
};

export const postgresqlDialect: SqlDialect = {
  provider: 'postgresql',
  // The statements of this project have no `?` inside a literal or an identifier.
  text: (sql) => {
    let n = 0;
    return sql.replace(/\?/g, () => `$${++n}`);
  },
  date: (ms) => new Date(ms),
  unindexed: (column) => column,
};
