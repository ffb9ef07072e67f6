import { defineConfig } from 'vitest/config';

// The SDK warns once per process that its 2027 releases need Node 22: known (see the README), and noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Integration and e2e files: each its own stack and process (Date, process.env and the functions' modules). */
const STACK_PER_FILE = {
  globalSetup: ['test/support/global-setup.ts'],
  setupFiles: ['test/support/file-stack.ts'],
  testTimeout: 60_000,
  hookTimeout: 120_000,
  pool: 'forks' as const,
  isolate: true,
  // A browser step that loses a race on a loaded two-core machine gets one more try; vitest reports it
  // ("retry x1"), and a test that needs it is a defect to fix, not a pass to rely on.
  retry: 1,
};

/**
 * Test taxonomy (see README): unit and contract tests need nothing running; infra tests synthesize the
 * CDK app; integration and e2e test files each start their own local stack (test/support/file-stack.ts) on
 * one shared DynamoDB Local (test/support/global-setup.ts), so they run in any order and two at a time.
 */
export default defineConfig({
  test: {
    // vitest's default is one worker less than the cores: one at a time on a 2-core machine, where integration
    // files spend most of their time waiting (schedules, mail, browsers). Two at a time, as each has its own stack.
    maxWorkers: 2,
    reporters: ['default', './test/support/slowest-files-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/contract/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          pool: 'forks',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          exclude: ['**/*.clock.test.ts'],
          ...STACK_PER_FILE,
        },
      },
      {
        test: {
          name: 'integration-clock',
          include: ['test/integration/**/*.clock.test.ts', 'test/e2e/**/*.clock.test.ts'],
          // Date follows the local clock in these files' processes (test/support/file-stack.ts).
          env: { BP_TEST_CLOCK: 'local' },
          ...STACK_PER_FILE,
        },
      },
    ],
  },
});
