import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../lib/edition-app.ts';
import { FIXTURE_FILE } from './build-edition.ts';

const work = mkdtempSync(join(tmpdir(), 'bp-cdk-entry-'));

/** Runs bin/app.ts the way the CDK CLI does: context in CDK_CONTEXT_JSON, output folder in CDK_OUTDIR. */
function runEntry(context: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'bin', 'app.ts')], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:bundling-stacks': [], ...context }),
      CDK_OUTDIR: join(work, 'out'),
    },
  });
}

describe('the CDK entry (bin/app.ts)', () => {
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('refuses an invalid edition file with one line per bad field and exit code 1', () => {
    // Prepare
    const config = JSON.parse(readFileSync(FIXTURE_FILE, 'utf8'));
    const broken = {
      ...config,
      mailFrom: 'not-an-email',
      calendar: { ...config.calendar, voteOpen: '2027-01-01T09:00' },
    };
    const file = join(work, 'broken.json');
    writeFileSync(file, JSON.stringify(broken));

    // Act
    const result = runEntry({ editionFile: file });

    // Assess
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/broken\.json: mailFrom: /),
        expect.stringMatching(/broken\.json: calendar\.voteOpen: /),
      ]),
    );
  });

  it('refuses an edition id that has no file, naming the editions available', () => {
    // Act
    const result = runEntry({ edition: 'no-such-edition' });

    // Assess
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/editions\/no-such-edition\.json not found \(available: /);
  });
});
