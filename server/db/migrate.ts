import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export interface ApplyPendingMigrationsOptions {
  /** Project root: holds `prisma/migrations`, `prisma.config.ts` and `node_modules/.bin/prisma`. */
  rootDir: string;
  /** Absolute path of the SQLite database file (it may not exist yet). */
  databaseFile: string;
  log: (msg: string) => void;
}

/** How long `prisma migrate deploy` may take before the server gives up. */
const DEPLOY_TIMEOUT_MS = 120_000;

/**
 * Brings the database up to date with `prisma/migrations` at server start, so that a brand-new
 * DATABASE_URL just works.
 *
 * Fast path (every start but the first after a schema change): read `_prisma_migrations` and
 * return if every migration folder is recorded as finished, without starting anything. Otherwise
 * run the project's own `prisma migrate deploy` (offline, through the WebAssembly schema engine:
 * docs/prisma-offline.md), the same command a deployment would run by hand. Throws an Error with a
 * one-line message on failure.
 */
export async function applyPendingMigrations(opts: ApplyPendingMigrationsOptions): Promise<{ applied: number }> {
  const { rootDir, databaseFile, log } = opts;
  const migrations = listMigrations(path.join(rootDir, 'prisma', 'migrations'));
  const before = finishedMigrations(databaseFile);
  const pending = migrations.filter((name) => !before.has(name));
  if (pending.length === 0) return { applied: 0 };

  log(`applying ${pending.length} database migration(s) to ${databaseFile}: ${pending.join(', ')}`);
  await runMigrateDeploy(rootDir, databaseFile);

  const after = finishedMigrations(databaseFile);
  const stillPending = migrations.filter((name) => !after.has(name));
  if (stillPending.length > 0) {
    throw new Error(
      `prisma migrate deploy finished but ${databaseFile} still lacks migration(s) ${stillPending.join(', ')}`,
    );
  }
  const applied = migrations.filter((name) => !before.has(name)).length;
  log(`applied ${applied} database migration(s)`);
  return { applied };
}

/** Names of the migration folders (those holding a migration.sql), in order. */
function listMigrations(migrationsDir: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(migrationsDir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(migrationsDir, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort();
}

/**
 * Migrations recorded as applied (finished, not rolled back) in the database. Empty when the file
 * or the table does not exist, or the file cannot be read: then `migrate deploy` runs and reports
 * the real problem.
 */
function finishedMigrations(databaseFile: string): Set<string> {
  if (!fs.existsSync(databaseFile)) return new Set();
  let db: Database.Database | undefined;
  try {
    db = new Database(databaseFile, { readonly: true, fileMustExist: true });
    const table = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'")
      .get();
    if (table === undefined) return new Set();
    const rows = db
      .prepare(
        'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
      )
      .all() as { migration_name: string }[];
    return new Set(rows.map((row) => row.migration_name));
  } catch {
    return new Set();
  } finally {
    db?.close();
  }
}

/** Runs `prisma migrate deploy` for `databaseFile`; rejects with the CLI's own error line. */
function runMigrateDeploy(rootDir: string, databaseFile: string): Promise<void> {
  const cli = path.join(rootDir, 'node_modules', '.bin', 'prisma');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: `file:${databaseFile}`,
    // prisma.config.ts sets this too; set here as well so the CLI never tries to download an engine.
    PRISMA_SCHEMA_ENGINE_BINARY:
      process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? path.join(rootDir, 'scripts', 'schema-engine', 'schema-engine'),
    // No update check or telemetry request from a server starting up.
    CHECKPOINT_DISABLE: '1',
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    NO_COLOR: '1',
  };
  return new Promise((resolve, reject) => {
    const child = spawn(cli, ['migrate', 'deploy'], { cwd: rootDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), DEPLOY_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`could not run ${cli} migrate deploy: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve();
      const why = signal ? `killed by ${signal}` : errorLine(output);
      reject(new Error(`prisma migrate deploy failed for ${databaseFile}: ${why}`));
    });
  });
}

/** The line of the CLI output that says what went wrong, as one line. */
function errorLine(output: string): string {
  const lines = output
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const error = lines.find((line) => /^Error\b/.test(line)) ?? lines.at(-1) ?? 'no output';
  // "Error: P3009" or "Error: Schema engine error:" carry the explanation on the next line.
  const next = lines[lines.indexOf(error) + 1];
  return /(^Error:?\s*P\d{4}|:)$/.test(error) && next !== undefined ? `${error} ${next}` : error;
}
