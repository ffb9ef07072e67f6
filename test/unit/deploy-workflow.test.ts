import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../lib/edition-app.ts';

/** The schema is checked by action-validator (`workflows` step of npm test); here, what the schema cannot say. */
const text = readFileSync(join(PROJECT_ROOT, '.github', 'workflows', 'deploy.yml'), 'utf8');

/** The lines of one job: from `  <name>:` to the next job at the same indentation. */
function job(name: string): string {
  const lines = text.split('\n');
  const start = lines.indexOf(`  ${name}:`);
  expect(start, `job ${name}`).toBeGreaterThan(0);
  const end = lines.findIndex((line, i) => i > start && /^ {2}[a-z-]+:$/.test(line));
  return lines.slice(start, end === -1 ? undefined : end).join('\n');
}

describe('the deploy workflow (.github/workflows/deploy.yml)', () => {
  it('holds no AWS keys: every AWS step assumes a role through OIDC', () => {
    expect(text).not.toMatch(/aws-access-key-id|aws-secret-access-key|secrets\.AWS/);
    const credentialSteps = text.match(/aws-actions\/configure-aws-credentials@v\d+/g) ?? [];
    expect(credentialSteps).toHaveLength(3);
    expect(text.match(/role-to-assume: \$\{\{ vars\.AWS_(DEPLOY|DIFF)_ROLE_ARN \}\}/g)).toHaveLength(3);
    for (const name of ['staging', 'production-plan', 'production']) {
      expect(job(name)).toMatch(/permissions:\n\s+id-token: write\n\s+contents: read/);
    }
    // The default token of every other job reads the repository and nothing else.
    expect(text).toMatch(/^permissions:\n {2}contents: read$/m);
  });

  it('tests, diffs and deploys staging, shows the production diff, then waits for approval before production', () => {
    expect(job('test')).toMatch(/bash \.ci\/run/);
    expect(job('staging')).toMatch(/needs: test/);
    expect(job('staging')).toMatch(/environment: staging/);
    expect(job('staging')).toMatch(
      /cdk diff --all -c "deploy=\$\{EDITION\}\.staging"[\s\S]*cdk deploy --all -c "deploy=\$\{EDITION\}\.staging"/,
    );
    expect(job('production-plan')).toMatch(/needs: staging/);
    expect(job('production-plan')).toMatch(/cdk diff --all -c "deploy=\$\{EDITION\}\.production"/);
    expect(job('production-plan')).not.toMatch(/cdk deploy/);
    expect(job('production')).toMatch(/needs: production-plan/);
    expect(job('production')).toMatch(/environment: production\n/);
    expect(job('production')).toMatch(/cdk deploy --all -c "deploy=\$\{EDITION\}\.production"/);
  });
});
