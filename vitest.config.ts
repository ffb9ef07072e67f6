import { defineConfig } from 'vitest/config';
import PathOrderSequencer from './test/support/sequencer.ts';

/**
 * Test taxonomy (see README): unit and contract tests need nothing running; infra tests synthesize the
 * CDK app; integration and e2e tests share one local stack (DynamoDB Local, SES emulator, cognito-local,
 * local bus, HTTP adapter) started once per run by test/support/global-setup.ts.
 */
export default defineConfig({
  test: {
    // One fixed file order (see the sequencer): integration files share one stack.
    sequence: { sequencer: PathOrderSequencer },
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
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
