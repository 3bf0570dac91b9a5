import { afterAll } from 'vitest';
import { dropAllTestDatabases } from './test-database.ts';

/**
 * A setupFiles entry of the integration projects: when a test file ends, the PostgreSQL
 * databases it made (see test-database.ts) are dropped. Nothing to do on SQLite: each app's
 * file lives in its data dir, which the app removes.
 */
afterAll(() => dropAllTestDatabases());
