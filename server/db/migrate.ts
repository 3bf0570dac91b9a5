import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type DatabaseTarget, PRISMA_LAYOUT, describeDatabase } from './database-url.ts';
import { migrationHistory } from './migration-history.ts';
import { redactPassword } from '../config/redact-url.ts';

export interface ApplyPendingMigrationsOptions {
  /** Project root: holds the Prisma migrations, `prisma.config.ts` and `node_modules/.bin/prisma`. */
  rootDir: string;
  /** The database to bring up to date (a SQLite file that may not exist yet, or a PostgreSQL URL). */
  database: DatabaseTarget;
  log: (msg: string) => void;
}

/** The database server refused the connection or could not be reached at start: one line, exit code 1. */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
}

/** An error as one line: its message, with its code when the message lacks it. */
function describeError(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  // Connecting to a name with several addresses (localhost) fails with an AggregateError and no message.
  const message = error.message || (error instanceof AggregateError ? error.errors.map((e) => String((e as Error).message ?? e)).join('; ') : error.name);
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}

/** How long `prisma migrate deploy` (or waiting for another node's) may take before giving up. */
const DEPLOY_TIMEOUT_MS = 120_000;

/**
 * Brings the database up to date with the migrations of its provider (`prisma/migrations` for
 * SQLite, `prisma/postgresql/migrations` for PostgreSQL) at server start, so that a brand-new
 * DATABASE_URL just works.
 *
 * Fast path (every start but the first after a schema change): read `_prisma_migrations` and
 * return if every migration folder is recorded as finished, without starting anything. Otherwise
 * run the project's own `prisma migrate deploy` (offline, through the WebAssembly schema engine:
 * docs/prisma-offline.md), the same command a deployment would run by hand.
 *
 * Several nodes may start at once on one PostgreSQL database: each takes a migration lock first,
 * and a node that waited for another finds the migrations applied and returns. (On a database
 * that does not exist yet there is nothing to lock; then Prisma's own migrate lock makes the
 * runs one after the other.) Throws an Error with a one-line message, never a password, on failure.
 */
export async function applyPendingMigrations(opts: ApplyPendingMigrationsOptions): Promise<{ applied: number }> {
  const { rootDir, database, log } = opts;
  const where = describeDatabase(database);
  const migrations = listMigrations(path.join(rootDir, PRISMA_LAYOUT[database.provider].migrations));
  const history = migrationHistory(database);
  try {
    const unapplied = (done: Set<string>) => migrations.filter((name) => !done.has(name));
    let before = await history.finished();
    if (unapplied(before).length === 0) return { applied: 0 };
    // A server that refuses us or cannot be reached: said in one line now, not by the CLI later.
    const unreachable = history.unreachable();
    if (unreachable) throw new DatabaseUnavailableError(`cannot use the database at ${where} (DATABASE_URL): ${redact(describeError(unreachable), database)}`);

    const locked = await history.lock(DEPLOY_TIMEOUT_MS).catch((error: Error) => {
      throw new Error(`database migrations for ${where} did not start: ${redact(error.message, database)}`);
    });
    // Another node may have applied them while this one waited.
    if (locked) before = await history.finished();
    const pending = unapplied(before);
    if (pending.length === 0) return { applied: 0 };

    log(`applying ${pending.length} database migration(s) to ${where}: ${pending.join(', ')}`);
    await runMigrateDeploy(rootDir, database);

    const after = await history.finished();
    const stillPending = unapplied(after);
    if (stillPending.length > 0) {
      throw new Error(`prisma migrate deploy finished but ${where} still lacks migration(s) ${stillPending.join(', ')}`);
    }
    log(`applied ${pending.length} database migration(s)`);
    return { applied: pending.length };
  } finally {
    // Ends the connection, which releases the lock.
    await history.close();
  }
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

/** The DATABASE_URL the CLI is given for `database`. */
function databaseUrl(database: DatabaseTarget): string {
  return database.provider === 'sqlite' ? `file:${database.file}` : database.url;
}

/** `text` without the password of `database`'s URL, if it has one. */
function redact(text: string, database: DatabaseTarget): string {
  return database.provider === 'sqlite' ? text : redactPassword(text, database.url);
}

/** Runs `prisma migrate deploy` for `database`; rejects with the CLI's own error line. */
function runMigrateDeploy(rootDir: string, database: DatabaseTarget): Promise<void> {
  const cli = path.join(rootDir, 'node_modules', '.bin', 'prisma');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl(database),
    // prisma.config.ts sets this too; set here as well so the CLI never tries to download an engine.
    PRISMA_SCHEMA_ENGINE_BINARY:
      process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? path.join(rootDir, 'scripts', 'schema-engine', 'schema-engine'),
    // No update check or telemetry request from a server starting up.
    CHECKPOINT_DISABLE: '1',
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    NO_COLOR: '1',
  };
  const where = describeDatabase(database);
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
      reject(new Error(`prisma migrate deploy failed for ${where}: ${redact(why, database)}`));
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
