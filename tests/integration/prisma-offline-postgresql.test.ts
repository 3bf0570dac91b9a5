// The offline Prisma CLI (scripts/schema-engine, docs/prisma-offline.md) on PostgreSQL: every CLI
// run happens inside an empty network namespace like in prisma-offline.test.ts. PostgreSQL is
// reached through its Unix socket (`?host=/var/run/postgresql`), which needs no network: inside
// the namespace TCP, loopback included, is unreachable (checked below), so these cases are
// offline too. Each test makes its own databases (`tickwatch_t_prisma_…`) and drops them.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PRISMA_LAYOUT, type DatabaseTarget } from '../../server/db/database-url.ts';
import {
  applyPendingMigrationsOffline as applyOffline,
  makeScratchProject as makeScratch,
  migrationFolders,
  offline,
  prisma,
  probeModel,
  root,
  run,
  shim,
  show,
} from '../support/prisma-cli.ts';
import { waitFor } from '../support/wait-for.ts';

/** Migration folders of the project for PostgreSQL, in order. */
const pgProjectMigrations = migrationFolders(path.join(root, PRISMA_LAYOUT.postgresql.migrations));

let tmp: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'prisma-offline-pg-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

const makeScratchProject = (name: string, extraSchema = '') => makeScratch(tmp, name, extraSchema, 'postgresql');
const applyPendingMigrationsOffline = (rootDir: string, database: DatabaseTarget) => applyOffline(tmp, rootDir, database);

const pgSocketDir = process.env.TEST_POSTGRES_SOCKET_DIR ?? '/var/run/postgresql';

/** URL of database `name` through the Unix socket, as user postgres (with `password` if given). */
function pgUrl(name: string, { password = '', socketDir = pgSocketDir } = {}): string {
  const user = password === '' ? 'postgres' : `postgres:${encodeURIComponent(password)}`;
  return `postgresql://${user}@localhost/${name}?host=${socketDir}`;
}

async function pgQuery<T>(database: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: pgUrl(database) });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Databases the current test made (or let the CLI make), dropped after it. */
const testDatabases = new Set<string>();

/** A unique database name for this test; the database does not exist yet. */
function newDatabaseName(): string {
  const name = `tickwatch_t_prisma_${crypto.randomBytes(5).toString('hex')}`;
  testDatabases.add(name);
  return name;
}

/** A new, empty database for this test. */
async function createDatabase(): Promise<string> {
  const name = newDatabaseName();
  await pgQuery('postgres', `CREATE DATABASE "${name}"`);
  return name;
}

const databaseExists = async (name: string) =>
  (await pgQuery('postgres', `SELECT 1 FROM pg_database WHERE datname = '${name}'`)).length === 1;

const shadowDatabases = async () =>
  (
    await pgQuery<{ datname: string }>(
      'postgres',
      "SELECT datname FROM pg_database WHERE datname LIKE 'prisma_migrate_shadow_db_%' ORDER BY datname",
    )
  ).map((row) => row.datname);

async function pgTableNames(name: string): Promise<string[]> {
  const sql = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename";
  return (await pgQuery<{ tablename: string }>(name, sql)).map((row) => row.tablename);
}

async function pgAppliedMigrations(name: string): Promise<{ migration_name: string; finished_at: Date | null }[]> {
  const sql =
    'SELECT migration_name, finished_at FROM _prisma_migrations WHERE rolled_back_at IS NULL ORDER BY migration_name';
  return pgQuery(name, sql);
}

const pgTarget = (name: string): DatabaseTarget => ({ provider: 'postgresql', url: pgUrl(name) });

describe('PostgreSQL', () => {
  afterEach(async () => {
    for (const name of testDatabases) await pgQuery('postgres', `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    testDatabases.clear();
  });

  it.runIf(offline)('is reached through its Unix socket in the namespace, where TCP is unreachable', async () => {
    const probe = [
      "const pg = require('pg');",
      'const [url] = process.argv.slice(1);',
      '(async () => {',
      "  const tcp = new pg.Client({ connectionString: 'postgresql://postgres@127.0.0.1:5432/postgres' });",
      '  await tcp.connect().then(() => console.log("tcp connected"), (e) => console.log(e.code));',
      '  const socket = new pg.Client({ connectionString: url });',
      '  await socket.connect();',
      "  console.log((await socket.query('SELECT 1 AS one')).rows[0].one);",
      '  await socket.end();',
      '})();',
    ].join('\n');
    const result = await run(process.execPath, ['-e', probe, pgUrl('postgres')]);
    expect(result.code, show(result)).toBe(0);
    const [tcp, socket] = result.stdout.trim().split('\n');
    expect(tcp).toMatch(/^(ENETUNREACH|EHOSTUNREACH|ECONNREFUSED)$/);
    expect(socket).toBe('1');
  });

  it('shim: cli can-connect-to-database / create-database on a missing database', async () => {
    const name = newDatabaseName();
    const datasource = JSON.stringify({ url: pgUrl(name) });

    const missing = await run(shim, ['--datasource', datasource, 'cli', 'can-connect-to-database']);
    expect(missing.code).toBe(1);
    type LogLine = { level: string; target: string; fields: { message: string; error_code?: string } };
    const lines = missing.stderr.trim().split('\n').slice(1).map((line) => JSON.parse(line) as LogLine);
    const error = lines.find((line) => line.level === 'ERROR' && line.target === 'schema_engine::logger');
    expect(error?.fields.error_code).toBe('P1003');
    expect(error?.fields.message).toContain(name);

    const created = await run(shim, ['--datasource', datasource, 'cli', 'create-database']);
    expect(created.code, show(created)).toBe(0);
    expect(await databaseExists(name)).toBe(true);
    // Created meanwhile by someone else (another node starting): not an error.
    const again = await run(shim, ['--datasource', datasource, 'cli', 'create-database']);
    expect(again.code, show(again)).toBe(0);

    const present = await run(shim, ['--datasource', datasource, 'cli', 'can-connect-to-database']);
    expect(present.code, show(present)).toBe(0);
  });

  it('migrate deploy creates every table on a new database, and does nothing the second time', { timeout: 120_000 }, async () => {
    const name = newDatabaseName();

    const first = await prisma(['migrate', 'deploy'], pgUrl(name));
    expect(first.code, show(first)).toBe(0);
    expect(await pgTableNames(name)).toEqual([
      '_prisma_migrations',
      'account',
      'alert',
      'notification',
      'product_lease',
      'session',
      'trade',
      'user',
      'verification',
    ]);
    const applied = await pgAppliedMigrations(name);
    expect(applied.map((m) => m.migration_name)).toEqual(pgProjectMigrations);
    expect(applied.every((m) => m.finished_at !== null)).toBe(true);

    const second = await prisma(['migrate', 'deploy'], pgUrl(name));
    expect(second.code, show(second)).toBe(0);
    expect(second.stdout).toMatch(/No pending migrations to apply/);
    expect(await pgAppliedMigrations(name)).toEqual(applied);
  });

  it('migrate status: every migration unapplied on an empty database (writing nothing), then up to date', { timeout: 120_000 }, async () => {
    const name = await createDatabase();
    const status = await prisma(['migrate', 'status'], pgUrl(name));
    expect(status.code, show(status)).toBe(1);
    expect(status.stdout).toMatch(/not yet been applied/);
    for (const migration of pgProjectMigrations) expect(status.stdout).toContain(migration);
    expect(await pgTableNames(name)).toEqual([]);

    expect((await prisma(['migrate', 'deploy'], pgUrl(name))).code).toBe(0);
    const upToDate = await prisma(['migrate', 'status'], pgUrl(name));
    expect(upToDate.code, show(upToDate)).toBe(0);
    expect(upToDate.stdout).toMatch(/Database schema is up to date/);
  });

  it('migrate dev creates a new migration for a changed schema, on a brand-new database', { timeout: 120_000 }, async () => {
    const project = makeScratchProject('pg-dev', probeModel);
    const migrations = path.join(project, PRISMA_LAYOUT.postgresql.migrations);
    const name = newDatabaseName();
    const shadowsBefore = await shadowDatabases();

    const created = await prisma(['migrate', 'dev', '--create-only', '--name', 'add_probe'], pgUrl(name), project);
    expect(created.code, show(created)).toBe(0);
    const folders = migrationFolders(migrations);
    expect(folders.slice(0, -1)).toEqual(pgProjectMigrations);
    expect(folders.at(-1)).toMatch(/^\d{14}_add_probe$/);
    const sql = fs.readFileSync(path.join(migrations, folders.at(-1) ?? '', 'migration.sql'), 'utf8');
    expect(sql).toMatch(/CREATE TABLE "Probe" \(\s*"id" SERIAL NOT NULL,\s*"label" TEXT NOT NULL,/);
    expect(sql).not.toMatch(/CREATE TABLE "user"/);
    // --create-only: the existing migrations are applied, the new one is not.
    expect((await pgAppliedMigrations(name)).map((m) => m.migration_name)).toEqual(pgProjectMigrations);

    // Now the database exists and is introspected (pg_catalog's "char" columns included).
    const applied = await prisma(['migrate', 'dev'], pgUrl(name), project);
    expect(applied.code, show(applied)).toBe(0);
    expect(await pgTableNames(name)).toContain('Probe');

    const status = await prisma(['migrate', 'status'], pgUrl(name), project);
    expect(status.code, show(status)).toBe(0);
    expect(status.stdout).toMatch(/Database schema is up to date/);

    // Every temporary shadow database is dropped again (the engine may still be closing).
    await waitFor(
      async () => JSON.stringify(await shadowDatabases()) === JSON.stringify(shadowsBefore),
      5_000,
      'the temporary shadow databases to be dropped',
    );
  });

  it('migrate dev empties a configured shadow database (SHADOW_DATABASE_URL) before each use', { timeout: 120_000 }, async () => {
    const project = makeScratchProject('pg-shadow', probeModel);
    const name = newDatabaseName();
    const shadow = { SHADOW_DATABASE_URL: pgUrl(await createDatabase()) };

    const first = await prisma(['migrate', 'dev', '--name', 'add_probe'], pgUrl(name), project, shadow);
    expect(first.code, show(first)).toBe(0);
    const schemaFile = path.join(project, PRISMA_LAYOUT.postgresql.schema);
    fs.appendFileSync(schemaFile, '\nmodel Probe2 {\n  id Int @id\n}\n');
    // The shadow database still holds the tables of the first run: without emptying it, replaying
    // the history fails ("relation \"user\" already exists").
    const second = await prisma(['migrate', 'dev', '--name', 'add_probe2'], pgUrl(name), project, shadow);
    expect(second.code, show(second)).toBe(0);
    expect(await pgTableNames(name)).toEqual(expect.arrayContaining(['Probe', 'Probe2']));
    expect(await pgAppliedMigrations(name)).toHaveLength(pgProjectMigrations.length + 2);
  });

  it('migrate reset empties the database, then re-applies the history', { timeout: 120_000 }, async () => {
    const project = makeScratchProject('pg-reset', probeModel);
    const name = newDatabaseName();
    const dev = await prisma(['migrate', 'dev', '--name', 'add_probe'], pgUrl(name), project);
    expect(dev.code, show(dev)).toBe(0);
    await pgQuery(name, `INSERT INTO "Probe" (label) VALUES ('kept?')`);
    await pgQuery(name, 'CREATE TABLE stray (x int)');

    const reset = await prisma(['migrate', 'reset', '--force'], pgUrl(name), project);
    expect(reset.code, show(reset)).toBe(0);
    expect(await pgTableNames(name)).not.toContain('stray');
    expect(await pgQuery(name, 'SELECT COUNT(*)::int AS n FROM "Probe"')).toEqual([{ n: 0 }]);
    expect(await pgAppliedMigrations(name)).toHaveLength(pgProjectMigrations.length + 1);
  });

  describe('applyPendingMigrations', () => {
    it('applies every migration to a new database, then takes the fast path', { timeout: 120_000 }, async () => {
      const name = newDatabaseName();
      const first = await applyPendingMigrationsOffline(root, pgTarget(name));
      expect(first, JSON.stringify(first)).toMatchObject({ ok: true, result: { applied: pgProjectMigrations.length } });
      expect(first.logs.join('\n')).toMatch(/applying/);
      expect(await pgTableNames(name)).toEqual(expect.arrayContaining(['_prisma_migrations', 'user', 'trade']));

      const second = await applyPendingMigrationsOffline(root, pgTarget(name));
      expect(second, JSON.stringify(second)).toMatchObject({ ok: true, result: { applied: 0 } });
      // Fast path: nothing logged, no CLI started (starting it alone takes seconds).
      expect(second.logs).toEqual([]);
      expect(second.ms).toBeLessThan(1_000);
    });

    it('applies only the new migration to an up-to-date database', { timeout: 120_000 }, async () => {
      const project = makeScratchProject('pg-pending');
      const name = await createDatabase();
      expect((await applyPendingMigrationsOffline(project, pgTarget(name))).result).toEqual({
        applied: pgProjectMigrations.length,
      });

      const extra = path.join(project, PRISMA_LAYOUT.postgresql.migrations, '99990101000000_add_probe');
      fs.mkdirSync(extra);
      fs.writeFileSync(path.join(extra, 'migration.sql'), 'CREATE TABLE "Probe" ("id" INTEGER NOT NULL PRIMARY KEY);\n');
      const next = await applyPendingMigrationsOffline(project, pgTarget(name));
      expect(next, JSON.stringify(next)).toMatchObject({ ok: true, result: { applied: 1 } });
      expect(await pgTableNames(name)).toContain('Probe');
    });

    it('two nodes starting at once: one applies the migrations, the other finds them applied', { timeout: 120_000 }, async () => {
      const name = await createDatabase();
      const outcomes = await Promise.all([
        applyPendingMigrationsOffline(root, pgTarget(name)),
        applyPendingMigrationsOffline(root, pgTarget(name)),
      ]);
      expect(outcomes.every((o) => o.ok), JSON.stringify(outcomes)).toBe(true);
      // The second waited for the first's lock, re-read the history and started no CLI.
      expect(outcomes.map((o) => o.result?.applied).sort()).toEqual([0, pgProjectMigrations.length]);
      const applied = await pgAppliedMigrations(name);
      expect(applied.map((m) => m.migration_name)).toEqual(pgProjectMigrations);
      expect(applied.every((m) => m.finished_at !== null)).toBe(true);
    });

    it('two nodes starting at once on a database that does not exist yet', { timeout: 120_000 }, async () => {
      const name = newDatabaseName();
      const outcomes = await Promise.all([
        applyPendingMigrationsOffline(root, pgTarget(name)),
        applyPendingMigrationsOffline(root, pgTarget(name)),
      ]);
      // Both create it (one finds it made) and run migrate deploy; Prisma's migrate lock makes
      // one wait for the other, which then has nothing left to apply.
      expect(outcomes.every((o) => o.ok), JSON.stringify(outcomes)).toBe(true);
      const applied = await pgAppliedMigrations(name);
      expect(applied.map((m) => m.migration_name)).toEqual(pgProjectMigrations);
      expect(await pgTableNames(name)).toContain('notification');
    });

    it('fails with a one-line error naming the database without its password', { timeout: 120_000 }, async () => {
      const password = 'pw-that-must-not-leak';
      const socketDir = path.join(tmp, 'no-postgresql-here');
      const url = pgUrl('tickwatch_t_prisma_unreachable', { password, socketDir });
      const outcome = await applyPendingMigrationsOffline(root, { provider: 'postgresql', url });
      expect(outcome.ok).toBe(false);
      expect(outcome.message).not.toContain('\n');
      // Said before the CLI would run: the server refused the connection or cannot be reached.
      expect(outcome.message).toMatch(/^cannot use the database at postgresql:\/\/postgres:\*\*\*@localhost\/.* \(DATABASE_URL\): /);
      expect(outcome.message).toContain('tickwatch_t_prisma_unreachable');
      expect(JSON.stringify(outcome)).not.toContain(password);
    });
  });
});
