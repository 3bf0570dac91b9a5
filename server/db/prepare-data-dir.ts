import fs from 'node:fs';
import path from 'node:path';
import type { DatabaseTarget } from './database-url.ts';

/** Thrown when the data directory or database location cannot be used; one clear line. */
export class DataDirError extends Error {
  override name = 'DataDirError';
}

/**
 * Makes sure `dataDir` and, for SQLite, the database file's directory exist and are writable,
 * so that a misconfigured or read-only location stops the server at start with a clear message
 * instead of failing on the first write.
 */
export function prepareDataDir(dataDir: string, database: DatabaseTarget): void {
  const dirs: Array<readonly [string, string]> = [[dataDir, 'DATA_DIR']];
  if (database.provider === 'sqlite') dirs.push([path.dirname(database.file), 'the directory of DATABASE_URL']);
  for (const [dir, what] of dirs) {
    try {
      fs.mkdirSync(dir, { recursive: true });
      fs.accessSync(dir, fs.constants.W_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw new DataDirError(`${what} (${dir}) is not a writable directory (${code})`);
    }
  }
  if (database.provider === 'sqlite' && fs.existsSync(database.file)) {
    try {
      fs.accessSync(database.file, fs.constants.R_OK | fs.constants.W_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw new DataDirError(`the database file ${database.file} is not writable (${code})`);
    }
  }
}
