import { mkdirSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

/** Where the totals go, for test/support/run-steps.ts to print as the run's last line. */
export const TEST_TOTALS_FILE = resolve('.cache', 'test-totals.json');

/**
 * Prints the slowest test files at the end of a run (setup, import and tests: what the file costs the suite),
 * so that the one to make faster is named, and records the totals of passed and failed tests.
 */
export default class SlowestFilesReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const timed = modules
      .map((module) => {
        const d = module.diagnostic();
        return {
          file: relative(process.cwd(), module.moduleId),
          ms: d.setupDuration + d.collectDuration + d.duration,
        };
      })
      .sort((a, b) => b.ms - a.ms);
    if (timed.length === 0) return;
    process.stdout.write('\nSlowest test files:\n');
    for (const { file, ms } of timed.slice(0, 5))
      process.stdout.write(`  ${(ms / 1000).toFixed(1).padStart(6)} s  ${file}\n`);
    let passed = 0;
    let failed = 0;
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed += 1;
        else if (state === 'failed') failed += 1;
      }
      // A file that failed outside its tests (setup, import, hooks) counts as one failure.
      if (module.state() === 'failed' && [...module.children.allTests('failed')].length === 0) failed += 1;
    }
    mkdirSync(resolve('.cache'), { recursive: true });
    writeFileSync(TEST_TOTALS_FILE, JSON.stringify({ passed, failed }));
  }
}
