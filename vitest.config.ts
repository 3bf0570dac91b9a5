import { defineConfig } from 'vitest/config';

const integration = {
  environment: 'node' as const,
  testTimeout: 60_000,
  hookTimeout: 60_000,
  // Each file starts real servers and databases; two cores, so one file at a time.
  fileParallelism: false,
  // A test fails when a server it started logged an error it did not declare; the PostgreSQL
  // databases a file made are dropped when it ends.
  setupFiles: ['tests/support/server-error-setup.ts', 'tests/support/test-database-setup.ts'],
};

/**
 * Integration files that run on PostgreSQL too. The others test SQLite itself (its locks, its
 * files, its read-only mounts), the offline Prisma CLI (which has its own PostgreSQL cases), the
 * simulator, or start server processes on their own SQLite files.
 */
const POSTGRESQL_SUITES = [
  'alerts',
  'alert-replay',
  'alert-sync',
  'auth-http',
  'fire-alerts',
  'fresh-start',
  'market-api',
  'market-feed',
  'redis-nodes',
  'reliability-clients',
  'reliability-feed',
  'security-connections',
  'security-csrf',
  'security-fuzz-routes',
  'security-input',
  'security-logs',
  'security-ownership',
  'security-password-guessing',
  'security-rate-limit',
  'security-socket',
  'socket-auth',
  'socket-floods',
  'socket-limits',
];

export default defineConfig({
  resolve: { alias: { '@': new URL('./', import.meta.url).pathname } },
  test: {
    // Uncaught exceptions and unhandled rejections fail the run (the default, relied on: the
    // integration tests run their apps in the test process).
    dangerouslyIgnoreUnhandledErrors: false,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node' },
      },
      {
        extends: true,
        test: { name: 'integration', include: ['tests/integration/**/*.test.ts'], ...integration },
      },
      {
        // The same files again with their apps on PostgreSQL (tests/support/test-database.ts):
        // the alert, notification, socket, security and reliability suites.
        extends: true,
        test: {
          name: 'integration-postgresql',
          include: POSTGRESQL_SUITES.map((name) => `tests/integration/${name}.test.ts`),
          env: { TEST_DATABASE: 'postgresql' },
          ...integration,
        },
      },
    ],
  },
});
