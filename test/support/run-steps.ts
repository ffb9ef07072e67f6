import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { TEST_TOTALS_FILE } from './slowest-files-reporter.ts';

/**
 * `npm test`: every step runs even when an earlier one fails (a lint error must not hide a failing test), then
 * one line per step and the totals. Exits 1 if any step failed. Extra arguments go to vitest.
 */
const STEPS: readonly { name: string; command: string; args: string[] }[] = [
  { name: 'lint', command: 'biome', args: ['check', '.'] },
  { name: 'typecheck', command: 'tsc', args: ['--noEmit', '-p', 'tsconfig.json'] },
  // GitHub Actions workflows against the workflow schema (@action-validator/cli takes one file at a time).
  {
    name: 'workflows',
    command: 'sh',
    args: [
      '-c',
      's=0; for f in .github/workflows/*.yml; do action-validator "$f" && echo "ok $f" || s=1; done; exit "$s"',
    ],
  },
  { name: 'tests', command: 'vitest', args: ['run', ...process.argv.slice(2)] },
  { name: 'cfn-lint', command: 'tsx', args: ['test/support/cfn-lint.ts'] },
];

function run(command: string, args: string[]): Promise<number> {
  return new Promise((done) => {
    // npm puts node_modules/.bin on the PATH of `npm test`.
    const child = spawn(command, args, { stdio: 'inherit' });
    child.once('error', () => done(127));
    child.once('exit', (code, signal) => done(code ?? (signal ? 1 : 0)));
  });
}

rmSync(TEST_TOTALS_FILE, { force: true });
const results: { name: string; code: number; seconds: number }[] = [];
for (const step of STEPS) {
  const started = performance.now();
  process.stdout.write(`\n▶ ${step.name}: ${[step.command, ...step.args].join(' ')}\n`);
  const code = await run(step.command, step.args);
  results.push({ name: step.name, code, seconds: (performance.now() - started) / 1000 });
}

process.stdout.write('\nSteps:\n');
for (const { name, code, seconds } of results)
  process.stdout.write(`  ${code === 0 ? 'ok    ' : 'FAILED'} ${name.padEnd(10)} ${seconds.toFixed(0)} s\n`);
const failedSteps = results.filter((r) => r.code !== 0).map((r) => r.name);
if (failedSteps.length > 0) process.stdout.write(`Failed steps: ${failedSteps.join(', ')}\n`);
let totals = { passed: 0, failed: 0 };
try {
  totals = JSON.parse(readFileSync(TEST_TOTALS_FILE, 'utf8')) as typeof totals;
} catch {
  // vitest did not get to the end of its run: the tests step failed, and says why above.
}
// A failed step that is not a test (lint, typecheck, cfn-lint) counts as one failure in the closing line.
const otherFailures = failedSteps.filter((name) => name !== 'tests').length;
process.stdout.write(`tests: ${totals.passed} passed, ${totals.failed + otherFailures} failed\n`);
process.exit(failedSteps.length > 0 ? 1 : 0);
