import { defineConfig } from 'vitest/config';

/**
 * Three projects:
 * - unit: pure rules, no I/O;
 * - channels: protocol adapters against their sandbox simulators, on loopback (no database);
 * - integration: services and HTTP against a real PostgreSQL (embedded, or the server named by
 *   SOFY_TEST_DATABASE_URL), one fresh database per test file, cloned from a migrated template;
 * - system: the real `sofy` processes (start, kill -9, CLI) and the console driven by Chromium.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.unit.test.ts'],
          exclude: ['src/channels/**', 'src/sandbox/**'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'channels',
          include: ['src/channels/**/*.test.ts', 'src/sandbox/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['src/**/*.int.test.ts', 'test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/support/global-database.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          pool: 'forks',
        },
      },
      {
        test: {
          name: 'system',
          include: ['test/system/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/support/global-web.ts'],
          testTimeout: 90_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
