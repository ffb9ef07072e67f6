/**
 * CDK entry (`cdk.json`: `npx tsx bin/app.ts`). Synthesizes the stacks of the editions named by the
 * `edition` context: one id (`-c edition=loire-atlantique-demo`), a comma-separated list, or `all` for every
 * file of `editions/`. `-c editionFile=<path>` synthesizes a config file from anywhere (its `id` names the
 * stacks). The region is the `region` context, else eu-west-3; the account is the `account` context, else the
 * CLI's CDK_DEFAULT_ACCOUNT, else left unresolved, which is enough to synthesize offline. Optional context:
 * `siteDomain` + `siteCertificateArn` (custom domain, one edition at a time), `alarmEmail`.
 */
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildEditionApp, PROJECT_ROOT, readEditionConfig } from '../lib/edition-app.ts';
import type { EditionConfig } from '../shared/edition/edition-config.ts';

const EDITIONS_DIR = join(PROJECT_ROOT, 'editions');

const app = new App();
const context = (key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
};

function editionFiles(): string[] {
  const file = context('editionFile');
  if (file) return [file];
  const requested = context('edition');
  if (!requested)
    fail(['No edition: pass -c edition=<id>, -c edition=a,b, -c edition=all or -c editionFile=<path>']);
  const available = readdirSync(EDITIONS_DIR)
    .filter((name) => name.endsWith('.json'))
    .map((name) => basename(name, '.json'))
    .sort();
  const ids = requested === 'all' ? available : requested.split(',').map((id) => id.trim());
  const unknown = ids.filter((id) => !available.includes(id));
  if (unknown.length > 0) {
    fail(unknown.map((id) => `editions/${id}.json not found (available: ${available.join(', ') || 'none'})`));
  }
  return ids.map((id) => join(EDITIONS_DIR, `${id}.json`));
}

function fail(lines: string[]): never {
  for (const line of lines) console.error(line);
  process.exit(1);
}

const configs: { config: EditionConfig; dir: string }[] = [];
const errors: string[] = [];
for (const file of editionFiles()) {
  const result = readEditionConfig(file);
  if (!result.ok) {
    errors.push(...result.errors);
    continue;
  }
  // The file name is the id operators type: a mismatch would deploy stacks under an unexpected name.
  const expected = basename(file, '.json');
  if (!context('editionFile') && result.config.id !== expected) {
    errors.push(`${file}: id: "${result.config.id}" does not match the file name "${expected}"`);
  }
  configs.push({ config: result.config, dir: dirname(file) });
}
if (errors.length > 0) fail(errors);

// Not CDK_DEFAULT_REGION: the CLI fills it with us-east-1 when no profile names a region, and where an
// edition's personal data lives is a decision (Paris by default), not a side effect of a developer's profile.
const region = context('region') ?? 'eu-west-3';
const account = context('account') ?? process.env.CDK_DEFAULT_ACCOUNT;
const siteDomainName = context('siteDomain');
const certificateArn = context('siteCertificateArn');
if (Boolean(siteDomainName) !== Boolean(certificateArn)) {
  fail(['siteDomain and siteCertificateArn go together: pass both or neither']);
}
if (siteDomainName && configs.length > 1) fail(['siteDomain names one site: synthesize one edition with it']);

for (const { config, dir } of configs) {
  buildEditionApp(app, config, {
    editionDir: dir,
    env: { account, region },
    siteDomain: siteDomainName && certificateArn ? { domainName: siteDomainName, certificateArn } : undefined,
    alarmEmail: context('alarmEmail'),
  });
}
