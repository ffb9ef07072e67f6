import { describe, expect, inject, it } from 'vitest';
import { printReport, rehearse } from '../../bin/rehearse/driver.ts';
import '../support/stack-context.ts';

/**
 * Issue 17: `bp rehearse` at a tiny scale against this file's own stack (a `.clock.test.ts` file: the
 * functions follow the local clock, as under `npm start`, so the rehearsal's clock moves fire the phase
 * schedules). A whole edition, through the HTTP API only, and every invariant holding.
 */
const stack = inject('stack');

describe('bp rehearse', () => {
  it('drives a whole edition of 20 voters and 24 ideas with every invariant holding', {
    timeout: 400_000,
  }, async () => {
    const lines: string[] = [];
    const report = await rehearse({
      url: stack.siteUrl,
      busUrl: stack.busUrl,
      mailboxUrl: stack.mailboxUrl,
      voters: 20,
      ideas: 24,
      concurrency: 4,
      seed: 17,
      projectsPerEnvelope: 3,
      paperSheets: 2,
      receiptSample: 1,
      mailDomain: 'repetition.example',
      staff: Object.fromEntries(stack.staff.map((user) => [user.role, user])),
      log: (line) => lines.push(line),
    });
    printReport(report, (line) => lines.push(line));

    const failed = report.invariants.filter((invariant) => !invariant.ok);
    expect(failed, lines.join('\n')).toEqual([]);
    expect(report.invariants.map((invariant) => invariant.name)).toEqual(
      expect.arrayContaining([
        'ballots-in-files',
        'receipts',
        'recount',
        'emails-once',
        'dead-letters',
        'turnout',
      ]),
    );
    // 20 online ballots and 2 paper sheets.
    expect(report.ballots).toBe(22);
    expect(report.phases.find((phase) => phase.phase === 'vote')?.requests).toBeGreaterThanOrEqual(20 * 4);
    const last = lines.at(-1) ?? '';
    expect(last).toMatch(/^rehearse: voters=20 .*ballots=22 .*invariants=ok .*wall_s=\d/);
  });
});
