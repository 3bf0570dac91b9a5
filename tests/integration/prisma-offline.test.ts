// The Prisma CLI works with no network access through the WebAssembly schema engine shim
// (scripts/schema-engine, docs/prisma-offline.md). Every CLI run here happens inside a fresh,
// empty network namespace (`unshare -n`) when the machine allows it, so "offline" is checked, not
// assumed; the first test proves that namespace really has no network.
//
// PostgreSQL has its own file: prisma-offline-postgresql.test.ts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRISMA_LAYOUT } from '../../server/db/database-url.ts';
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

/** Migration folders of the project, in order. */
const projectMigrations = migrationFolders(path.join(root, PRISMA_LAYOUT.sqlite.migrations));

function tableNames(databaseFile: string): string[] {
  const db = new Database(databaseFile, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
    return (rows as { name: string }[]).map((row) => row.name);
  } finally {
    db.close();
  }
}

function appliedMigrations(databaseFile: string): { migration_name: string; finished_at: string | null }[] {
  const db = new Database(databaseFile, { readonly: true, fileMustExist: true });
  try {
    const sql =
      'SELECT migration_name, finished_at FROM _prisma_migrations WHERE rolled_back_at IS NULL ORDER BY migration_name';
    return db.prepare(sql).all() as { migration_name: string; finished_at: string | null }[];
  } finally {
    db.close();
  }
}

let tmp: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'prisma-offline-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

const makeScratchProject = (name: string, extraSchema = '') => makeScratch(tmp, name, extraSchema);
const applyPendingMigrationsOffline = (rootDir: string, databaseFile: string) => applyOffline(tmp, rootDir, databaseFile);

describe('offline environment', () => {
  it.runIf(offline)('runs the CLI in a network namespace where no connection is possible', async () => {
    const probe = [
      "const external = Object.values(require('node:os').networkInterfaces()).flat().filter((i) => !i.internal);",
      'console.log(external.length);',
      "const s = require('node:net').connect(443, '1.1.1.1');",
      "s.on('connect', () => { console.log('connected'); process.exit(0); });",
      "s.on('error', (e) => { console.log(e.code); process.exit(0); });",
      "setTimeout(() => { console.log('timeout'); process.exit(0); }, 5000);",
    ].join('\n');
    const result = await run(process.execPath, ['-e', probe]);
    const [interfaces, connection] = result.stdout.trim().split('\n');
    expect(interfaces).toBe('0');
    expect(connection).toMatch(/^(ENETUNREACH|EHOSTUNREACH|ECONNREFUSED)$/);
  });
});

describe('schema engine shim', () => {
  it('answers --version with the WebAssembly engine hash', async () => {
    const wasmPackage = JSON.parse(
      fs.readFileSync(path.join(root, 'node_modules/@prisma/schema-engine-wasm/package.json'), 'utf8'),
    ) as { version: string };
    const hash = wasmPackage.version.split('.').at(-1);
    const result = await run(shim, ['--version']);
    expect(result.code, show(result)).toBe(0);
    expect(result.stdout.trim()).toBe(`schema-engine-cli ${hash}`);
    expect(result.stderr).toBe('');
  });

  it('answers cli can-connect-to-database / create-database like the native engine', async () => {
    const file = path.join(tmp, 'shim/sub/dir/one.db');
    const datasource = JSON.stringify({ url: `file:${file}` });

    const missing = await run(shim, ['--datasource', datasource, 'cli', 'can-connect-to-database']);
    expect(missing.code).toBe(1);
    // The CLI skips the first stderr line and parses the rest as JSON log lines.
    type LogLine = { level: string; target: string; fields: { message: string; error_code?: string } };
    const lines = missing.stderr.trim().split('\n').slice(1).map((line) => JSON.parse(line) as LogLine);
    const error = lines.find((line) => line.level === 'ERROR' && line.target === 'schema_engine::logger');
    expect(error?.fields.error_code).toBe('P1003');
    expect(error?.fields.message).toContain(file);

    const created = await run(shim, ['--datasource', datasource, 'cli', 'create-database']);
    expect(created.code, show(created)).toBe(0);
    expect(fs.existsSync(file)).toBe(true);

    const present = await run(shim, ['--datasource', datasource, 'cli', 'can-connect-to-database']);
    expect(present.code, show(present)).toBe(0);

    const garbage = path.join(tmp, 'shim/garbage.db');
    fs.writeFileSync(garbage, 'this is not a SQLite database, not even close to one......'.repeat(40));
    const garbageSource = JSON.stringify({ url: `file:${garbage}` });
    const corrupt = await run(shim, ['--datasource', garbageSource, 'cli', 'can-connect-to-database']);
    expect(corrupt.code).toBe(1);
    expect(corrupt.stderr).toMatch(/not a database/);
  });

  it('is the schema engine the CLI uses, through prisma.config.ts alone', async () => {
    const result = await prisma(['-v'], path.join(tmp, 'unused.db'));
    expect(result.code, show(result)).toBe(0);
    const line = result.stdout.split('\n').find((l) => l.startsWith('Schema Engine'));
    expect(line).toMatch(/: schema-engine-cli [0-9a-f]{40} \(at scripts\/schema-engine\/schema-engine,/);
    expect(line).toMatch(/resolved by PRISMA_SCHEMA_ENGINE_BINARY\)$/);
  });
});

describe('prisma migrate deploy', () => {
  it('creates every table on a new database file, and does nothing the second time', { timeout: 120_000 }, async () => {
    const file = path.join(tmp, 'deploy/nested/new.db');

    const first = await prisma(['migrate', 'deploy'], file);
    expect(first.code, show(first)).toBe(0);
    expect(tableNames(file)).toEqual(
      expect.arrayContaining(['_prisma_migrations', 'account', 'session', 'user', 'verification']),
    );
    const applied = appliedMigrations(file);
    expect(applied.map((m) => m.migration_name)).toEqual(projectMigrations);
    expect(applied.every((m) => m.finished_at !== null)).toBe(true);

    const second = await prisma(['migrate', 'deploy'], file);
    expect(second.code, show(second)).toBe(0);
    expect(second.stdout).toMatch(/No pending migrations to apply/);
    expect(appliedMigrations(file)).toEqual(applied);
  });
});

describe('prisma migrate status', () => {
  it('lists every migration as unapplied on a database without migrations table, writing nothing', async () => {
    const file = path.join(tmp, 'status/empty.db');
    fs.mkdirSync(path.dirname(file));
    fs.writeFileSync(file, '');
    const status = await prisma(['migrate', 'status'], file);
    expect(status.code, show(status)).toBe(1);
    expect(status.stdout).toMatch(/not yet been applied/);
    for (const name of projectMigrations) expect(status.stdout).toContain(name);
    expect(fs.statSync(file).size).toBe(0);
  });
});

describe('prisma migrate dev', () => {
  it('creates a new migration for a changed schema, on a brand-new database', { timeout: 120_000 }, async () => {
    const project = makeScratchProject('dev', probeModel);
    const file = path.join(project, 'data/dev.db');

    const created = await prisma(['migrate', 'dev', '--create-only', '--name', 'add_probe'], file, project);
    expect(created.code, show(created)).toBe(0);
    const folders = fs.readdirSync(path.join(project, 'prisma/migrations')).filter((n) => !n.endsWith('.toml')).sort();
    expect(folders.slice(0, -1)).toEqual(projectMigrations);
    expect(folders.at(-1)).toMatch(/^\d{14}_add_probe$/);
    const sql = fs.readFileSync(path.join(project, 'prisma/migrations', folders.at(-1) ?? '', 'migration.sql'), 'utf8');
    expect(sql).toMatch(/CREATE TABLE "Probe"/);
    expect(sql).not.toMatch(/CREATE TABLE "user"/);
    // --create-only: the existing migrations are applied, the new one is not.
    expect(appliedMigrations(file).map((m) => m.migration_name)).toEqual(projectMigrations);

    const applied = await prisma(['migrate', 'dev'], file, project);
    expect(applied.code, show(applied)).toBe(0);
    expect(tableNames(file)).toContain('Probe');

    const status = await prisma(['migrate', 'status'], file, project);
    expect(status.code, show(status)).toBe(0);
    expect(status.stdout).toMatch(/Database schema is up to date/);
  });

  it('empties the database on `migrate reset`, then re-applies the history', { timeout: 120_000 }, async () => {
    const project = makeScratchProject('reset', probeModel);
    const file = path.join(project, 'data/reset.db');
    const dev = await prisma(['migrate', 'dev', '--name', 'add_probe'], file, project);
    expect(dev.code, show(dev)).toBe(0);
    const db = new Database(file);
    db.prepare("INSERT INTO Probe (label) VALUES ('kept?')").run();
    db.exec('CREATE TABLE stray (x)');
    db.close();

    const reset = await prisma(['migrate', 'reset', '--force'], file, project);
    expect(reset.code, show(reset)).toBe(0);
    expect(tableNames(file)).not.toContain('stray');
    const check = new Database(file, { readonly: true });
    expect(check.prepare('SELECT COUNT(*) AS n FROM Probe').get()).toEqual({ n: 0 });
    check.close();
    expect(appliedMigrations(file)).toHaveLength(projectMigrations.length + 1);
  });
});

describe('applyPendingMigrations', () => {
  it('applies every migration to a fresh file, then takes the fast path', { timeout: 120_000 }, async () => {
    const file = path.join(tmp, 'server/fresh/app.db');
    const first = await applyPendingMigrationsOffline(root, file);
    expect(first, JSON.stringify(first)).toMatchObject({ ok: true, result: { applied: projectMigrations.length } });
    expect(first.logs.join('\n')).toMatch(/applying/);
    expect(tableNames(file)).toEqual(expect.arrayContaining(['_prisma_migrations', 'user', 'session']));

    const second = await applyPendingMigrationsOffline(root, file);
    expect(second, JSON.stringify(second)).toMatchObject({ ok: true, result: { applied: 0 } });
    // Fast path: nothing logged, no CLI started (starting it alone takes seconds).
    expect(second.logs).toEqual([]);
    expect(second.ms).toBeLessThan(1_000);
  });

  it('applies only the new migration to an up-to-date database', { timeout: 120_000 }, async () => {
    const project = makeScratchProject('pending');
    const file = path.join(project, 'data/app.db');
    expect((await applyPendingMigrationsOffline(project, file)).result).toEqual({ applied: projectMigrations.length });

    const extra = path.join(project, 'prisma/migrations/99990101000000_add_probe');
    fs.mkdirSync(extra);
    fs.writeFileSync(path.join(extra, 'migration.sql'), 'CREATE TABLE "Probe" ("id" INTEGER NOT NULL PRIMARY KEY);\n');
    const next = await applyPendingMigrationsOffline(project, file);
    expect(next, JSON.stringify(next)).toMatchObject({ ok: true, result: { applied: 1 } });
    expect(tableNames(file)).toContain('Probe');
  });

  it('fails with a clear one-line error for an unwritable location', { timeout: 120_000 }, async () => {
    // A path below a regular file cannot be created, whoever runs the test (even root).
    const blocker = path.join(tmp, 'blocker');
    fs.writeFileSync(blocker, '');
    const file = path.join(blocker, 'app.db');
    const outcome = await applyPendingMigrationsOffline(root, file);
    expect(outcome.ok).toBe(false);
    expect(outcome.message).not.toContain('\n');
    expect(outcome.message).toContain(file);
    expect(outcome.message).toMatch(/prisma migrate deploy failed .*Cannot create the SQLite database file/);
  });
});
