import { defineConfig } from 'vitest/config';

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
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Each file starts real servers and databases; two cores, so one file at a time.
          fileParallelism: false,
          // A test fails when a server it started logged an error it did not declare.
          setupFiles: ['tests/support/server-error-setup.ts'],
        },
      },
    ],
  },
});
