import { describe, expect, inject, it } from 'vitest';
import { readEditionFile } from '../../shared/edition/load-edition.ts';
import { prepareCallers } from '../fuzz/callers.ts';
import { runFuzz, summaryLine } from '../fuzz/run-fuzz.ts';
import '../support/stack-context.ts';

const stack = inject('stack');
/** Fixed, so that CI sees the same requests each time; `npm run test:fuzz` draws a new seed per run. */
const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
const RUNS = Number(process.env.FUZZ_SMOKE_RUNS ?? 300);

describe('hostile input (smoke subset of npm run test:fuzz)', () => {
  it('answers generated and hostile requests on every route without a 5xx, a leak or a role the manifest does not allow', async () => {
    // Prepare
    const parsed = await readEditionFile('editions/loire-atlantique-demo.json');
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const callers = await prepareCallers(stack, parsed.config.territories[0]?.id ?? '');

    // Act: safe mode, so that no accepted write changes what the other test files rely on.
    const report = await runFuzz({
      siteUrl: stack.siteUrl,
      edition: stack.edition,
      internalNames: [stack.tableName],
      callers,
      seed: SEED,
      numRuns: RUNS,
      concurrency: 4,
      safe: true,
    });

    // Assess
    const findings = report.findings.slice(0, 10).map((f) => `${f.problem}: ${f.detail}\n  ${f.request}`);
    expect(findings, summaryLine(report)).toEqual([]);
    expect(report.requests).toBe(RUNS);
  }, 240_000);
});
