import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { applyPendingMigrations } from '../../server/db/migrate.ts';

/**
 * The database the integration tests run their apps on: SQLite (the default) or PostgreSQL when
 * `TEST_DATABASE=postgresql` (the `integration-postgresql` vitest project sets it, so the same
 * test files run on both). PostgreSQL is reached at `TEST_POSTGRES_URL` (default: the local
 * server, user postgres); every database a test file makes is named `tickwatch_t_…`, made from
 * a migrated template of its own, and dropped when the file ends, so runs never collide.
 */
export const TEST_PROVIDER: 'sqlite' | 'postgresql' = process.env.TEST_DATABASE === 'postgresql' ? 'postgresql' : 'sqlite';

const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

const ROOT_DIR = path.resolve(import.meta.dirname, '../..');

/** The file in a test app's data dir that names its PostgreSQL database, for restarts on the same data. */
const URL_FILE = 'database-url';

const created = new Set<string>();
let sqliteTemplate: Promise<string> | null = null;
let postgresTemplate: Promise<string> | null = null;

/** A PostgreSQL URL for database `name` on the test server. */
export function postgresUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Runs `sql` on the test server's maintenance database. */
export async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function uniqueName(kind: string): string {
  return `tickwatch_${kind}_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
}

/** A migrated database made once per test file and copied for each app, to keep tests fast. */
function migratedSqliteTemplate(): Promise<string> {
  sqliteTemplate ??= (async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickwatch-template-'));
    const file = path.join(dir, 'template.db');
    await applyPendingMigrations({ rootDir: ROOT_DIR, database: { provider: 'sqlite', file }, log: () => undefined });
    return file;
  })();
  return sqliteTemplate;
}

function migratedPostgresTemplate(): Promise<string> {
  postgresTemplate ??= (async () => {
    const name = uniqueName('tpl');
    await adminQuery(`CREATE DATABASE "${name}"`);
    created.add(name);
    await applyPendingMigrations({ rootDir: ROOT_DIR, database: { provider: 'postgresql', url: postgresUrl(name) }, log: () => undefined });
    return name;
  })();
  return postgresTemplate;
}

/**
 * The DATABASE_URL of a test app with data dir `dataDir`: the database already there (a restart
 * on the same data), or a fresh migrated one.
 */
export async function testDatabaseUrl(dataDir: string): Promise<string> {
  if (TEST_PROVIDER === 'sqlite') {
    const file = path.join(dataDir, 'tickwatch.db');
    if (!fs.existsSync(file)) fs.copyFileSync(await migratedSqliteTemplate(), file);
    return `file:${file}`;
  }
  const urlFile = path.join(dataDir, URL_FILE);
  if (fs.existsSync(urlFile)) return fs.readFileSync(urlFile, 'utf8');
  const template = await migratedPostgresTemplate();
  const name = uniqueName('t');
  await adminQuery(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  created.add(name);
  const url = postgresUrl(name);
  fs.writeFileSync(urlFile, url);
  return url;
}

/** Drops the PostgreSQL database of a test app's data dir, if it has one. */
export async function dropTestDatabase(dataDir: string): Promise<void> {
  const urlFile = path.join(dataDir, URL_FILE);
  if (!fs.existsSync(urlFile)) return;
  const name = new URL(fs.readFileSync(urlFile, 'utf8')).pathname.slice(1);
  await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  created.delete(name);
}

/** Drops every database this test file made (its apps', and the template). */
export async function dropAllTestDatabases(): Promise<void> {
  for (const name of [...created]) {
    await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    created.delete(name);
  }
  postgresTemplate = null;
}

/**
 * A fresh migrated PostgreSQL database, whatever TEST_DATABASE says, for tests of several nodes
 * sharing one; dropped when the test file ends.
 */
export async function freshPostgresUrl(): Promise<string> {
  const template = await migratedPostgresTemplate();
  const name = uniqueName('t');
  await adminQuery(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  created.add(name);
  return postgresUrl(name);
}
