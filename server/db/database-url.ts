import path from 'node:path';
import { redactUrl } from '../config/redact-url.ts';

/** Default SQLite database, relative to the project root. */
export const DEFAULT_DATABASE_URL = 'file:./data/tickwatch.db';

/**
 * The database a DATABASE_URL names: a SQLite file (the embedded default, one process) or a
 * PostgreSQL server (several nodes). Everything that depends on the provider (the generated
 * client, the migrations folder, the raw SQL dialect) is chosen from this.
 */
export type DatabaseTarget = { provider: 'sqlite'; file: string } | { provider: 'postgresql'; url: string };

/** Per provider: its Prisma schema and migrations folder, relative to the project root. */
export const PRISMA_LAYOUT = {
  sqlite: { schema: 'prisma/schema.prisma', migrations: 'prisma/migrations' },
  postgresql: { schema: 'prisma/postgresql/schema.prisma', migrations: 'prisma/postgresql/migrations' },
} as const;

/**
 * Resolves a SQLite `file:` URL to an absolute file path, so that the Prisma CLI and the server
 * always open the same file whatever their working directory. Relative paths are taken from
 * `rootDir` (the project root). Returns `null` for anything that is not a `file:` URL: callers
 * turn that into a configuration error.
 */
export function resolveSqliteFile(url: string, rootDir: string): string | null {
  if (!url.startsWith('file:')) return null;
  // Query parameters (e.g. `?connection_limit=1`) are not part of the file name.
  const raw = url.slice('file:'.length).split('?')[0] ?? '';
  if (raw === '' || raw === ':memory:') return null;
  return path.resolve(rootDir, raw);
}

/**
 * The database `url` names, or `null` when it is neither a SQLite `file:` URL nor a
 * `postgresql://` / `postgres://` URL with a host and a database name (a password holding `/` or
 * `@` must be percent-encoded).
 */
export function resolveDatabase(url: string, rootDir: string): DatabaseTarget | null {
  const file = resolveSqliteFile(url, rootDir);
  if (file !== null) return { provider: 'sqlite', file };
  if (!/^postgres(ql)?:\/\//.test(url) || !URL.canParse(url)) return null;
  const parsed = new URL(url);
  if (parsed.hostname === '' && !parsed.searchParams.has('host')) return null;
  if (parsed.pathname.replace(/^\//, '') === '') return null;
  // An @ in the path is a password holding "/" the parser split at: which host is meant is a guess.
  if (parsed.pathname.includes('@')) return null;
  return { provider: 'postgresql', url };
}

/** What a log line or an error may say about the database: never a password. */
export function describeDatabase(target: DatabaseTarget): string {
  return target.provider === 'sqlite' ? target.file : redactUrl(target.url);
}
