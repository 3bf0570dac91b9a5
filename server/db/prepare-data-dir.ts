import fs from 'node:fs';
import path from 'node:path';

/** Thrown when the data directory or database location cannot be used; one clear line. */
export class DataDirError extends Error {
  override name = 'DataDirError';
}

/**
 * Makes sure `dataDir` and the database file's directory exist and are writable, so that a
 * misconfigured or read-only location stops the server at start with a clear message instead of
 * failing on the first write.
 */
export function prepareDataDir(dataDir: string, databaseFile: string): void {
  for (const [dir, what] of [
    [dataDir, 'DATA_DIR'],
    [path.dirname(databaseFile), 'the directory of DATABASE_URL'],
  ] as const) {
    try {
      fs.mkdirSync(dir, { recursive: true });
      fs.accessSync(dir, fs.constants.W_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw new DataDirError(`${what} (${dir}) is not a writable directory (${code})`);
    }
  }
  if (fs.existsSync(databaseFile)) {
    try {
      fs.accessSync(databaseFile, fs.constants.R_OK | fs.constants.W_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw new DataDirError(`the database file ${databaseFile} is not writable (${code})`);
    }
  }
}
