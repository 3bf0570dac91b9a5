import path from 'node:path';

/** Default SQLite database, relative to the project root. */
export const DEFAULT_DATABASE_URL = 'file:./data/tickwatch.db';

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
