import crypto from 'node:crypto';
import pg from 'pg';
import type { DatabaseTarget } from '../../server/db/database-url.ts';
import { adminQuery, postgresUrl } from '../../tests/support/test-database.ts';
import { processAlive } from './process-alive.ts';

/**
 * A PostgreSQL database of one benchmark run on the server the integration tests use
 * (`TEST_POSTGRES_URL`, default the local server as user postgres): empty, named
 * `tickwatch_bench_<pid>_<random>`, and dropped by `drop()` (WITH FORCE: a node killed by the
 * scenario may leave a connection behind for a moment). The seeder migrates it.
 */
export interface PostgresBenchDatabase {
  name: string;
  url: string;
  target: DatabaseTarget;
  drop(): Promise<void>;
}

const PREFIX = 'tickwatch_bench_';

/**
 * Drops the bench databases whose process is gone: a bench killed outright (SIGKILL, a lost
 * terminal) runs no `finally`, and its database would otherwise stay forever.
 */
async function dropOrphans(): Promise<void> {
  const admin = new pg.Client({ connectionString: postgresUrl('postgres') });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'tickwatch\\_bench\\_%'");
    for (const { datname } of rows) {
      const pid = Number(datname.slice(PREFIX.length).split('_')[0]);
      if (Number.isInteger(pid) && pid > 0 && !processAlive(pid)) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }
}

export async function createPostgresBenchDatabase(): Promise<PostgresBenchDatabase> {
  await dropOrphans();
  const name = `${PREFIX}${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE "${name}"`);
  const url = postgresUrl(name);
  return {
    name,
    url,
    target: { provider: 'postgresql', url },
    drop: () => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}
