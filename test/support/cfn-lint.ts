/**
 * Lints every CloudFormation template of an edition with cfn-lint (`npm run test:infra-lint`).
 *
 *   npx tsx test/support/cfn-lint.ts [edition-id]    (default: loire-atlantique-demo)
 *
 * Synthesizes in-process (same `buildEditionApp` as `cdk synth`, cdk-nag included) into a temporary
 * folder, then runs `cfn-lint --ignore-checks W3005` on the templates: W3005 flags the redundant DependsOn
 * CDK puts on every Lambda role, and cfn-lint exits 4 on warnings alone. Exits with cfn-lint's code.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildEditionApp, PROJECT_ROOT, projectContext, readEditionConfig } from '../../lib/edition-app.ts';

const editionId = process.argv[2] ?? 'loire-atlantique-demo';

const version = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
if (version.error || version.status !== 0) {
  console.error('cfn-lint: not installed or not on PATH (pip install cfn-lint); cannot lint the templates');
  process.exit(2);
}

const edition = readEditionConfig(join(PROJECT_ROOT, 'editions', `${editionId}.json`));
if (!edition.ok) {
  for (const line of edition.errors) console.error(line);
  process.exit(1);
}

const outdir = mkdtempSync(join(tmpdir(), 'bp-cfn-lint-'));
try {
  const app = new App({ outdir, context: projectContext() });
  // With the staging-only rehearsal mailbox, so that its template (eu-west-1) is linted too.
  buildEditionApp(app, edition.config, {
    deployedAt: new Date(0),
    rehearsalMailbox: { domain: `repetition.staging.${editionId}.example` },
  });
  app.synth();

  const templates = readdirSync(outdir)
    .filter((name) => name.endsWith('.template.json'))
    .map((name) => join(outdir, name));
  const lint = spawnSync('cfn-lint', ['--ignore-checks', 'W3005', '--', ...templates], { stdio: 'inherit' });
  const code = lint.status ?? 1;
  if (code === 0) console.log(`cfn-lint: ${templates.length} templates clean (${version.stdout.trim()})`);
  process.exitCode = code;
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
