/**
 * CDK entry (`cdk.json`: `npx tsx bin/app.ts`).
 *
 * - Deploy: `-c deploy=<edition>.<environment>` reads `deploy/<edition>.<environment>.json` (lib/deploy-config.ts):
 *   account, region, alarm subscription, site domain and certificate, SES sender domain. One edition, one
 *   environment, every parameter from the file: nothing a forgotten flag could silently drop.
 * - Synth only (templates, cdk-nag, tests): `-c edition=<id>`, a comma-separated list, `all` for every file of
 *   `editions/`, or `-c editionFile=<path>` for a config file from anywhere. Region eu-west-3, account left
 *   unresolved, no alarm subscription, no custom domain: enough to synthesize offline, not to deploy.
 *
 * The old flags (`-c account`, `region`, `siteDomain`, `siteCertificateArn`, `alarmEmail`) are refused.
 */
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { App, Tags } from 'aws-cdk-lib';
import {
  type DeployConfig,
  deployAppOptions,
  RETIRED_CONTEXT_KEYS,
  readDeployConfig,
} from '../lib/deploy-config.ts';
import { buildEditionApp, PROJECT_ROOT, readEditionConfig } from '../lib/edition-app.ts';
import type { EditionConfig } from '../shared/edition/edition-config.ts';

const EDITIONS_DIR = join(PROJECT_ROOT, 'editions');
const DEPLOY_DIR = join(PROJECT_ROOT, 'deploy');

const app = new App();
const context = (key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
};

function fail(lines: string[]): never {
  for (const line of lines) console.error(line);
  process.exit(1);
}

const retired = Object.keys(RETIRED_CONTEXT_KEYS).filter((key) => app.node.tryGetContext(key) !== undefined);
if (retired.length > 0) {
  fail([
    ...retired.map(
      (key) =>
        `-c ${key} n’est plus accepté : c’est le champ « ${RETIRED_CONTEXT_KEYS[key]} » du fichier deploy/<édition>.<environnement>.json`,
    ),
    'Déployer avec : npx cdk deploy --all -c deploy=<édition>.<environnement> (voir docs/operations.md)',
  ]);
}

const deployName = context('deploy');
if (deployName && (context('edition') || context('editionFile'))) {
  fail(['-c deploy=… names its edition: do not pass -c edition or -c editionFile with it']);
}

function available(): string[] {
  return readdirSync(EDITIONS_DIR)
    .filter((name) => name.endsWith('.json'))
    .map((name) => basename(name, '.json'))
    .sort();
}

function editionFiles(): string[] {
  const file = context('editionFile');
  if (file) return [file];
  const requested = context('edition');
  if (!requested) {
    fail([
      'No edition: pass -c deploy=<edition>.<staging|production> to deploy (deploy/<edition>.<env>.json),',
      'or, to synthesize only, -c edition=<id>, -c edition=a,b, -c edition=all or -c editionFile=<path>',
    ]);
  }
  const ids = requested === 'all' ? available() : requested.split(',').map((id) => id.trim());
  const unknown = ids.filter((id) => !available().includes(id));
  if (unknown.length > 0) {
    fail(
      unknown.map((id) => `editions/${id}.json not found (available: ${available().join(', ') || 'none'})`),
    );
  }
  return ids.map((id) => join(EDITIONS_DIR, `${id}.json`));
}

function readEditions(files: string[]): { config: EditionConfig; dir: string }[] {
  const configs: { config: EditionConfig; dir: string }[] = [];
  const errors: string[] = [];
  for (const file of files) {
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
  return configs;
}

if (deployName) {
  const match = /^([a-z0-9]+(?:-[a-z0-9]+)*)\.(staging|production)$/.exec(deployName);
  if (!match) fail([`-c deploy=${deployName}: expected <edition>.<staging|production>`]);
  const editionId = match[1] as string;
  if (!available().includes(editionId)) {
    fail([`editions/${editionId}.json not found (available: ${available().join(', ') || 'none'})`]);
  }
  const [{ config, dir }] = readEditions([join(EDITIONS_DIR, `${editionId}.json`)]) as [
    { config: EditionConfig; dir: string },
  ];
  const result = readDeployConfig(join(DEPLOY_DIR, `${deployName}.json`), config);
  if (!result.ok) fail(result.errors);
  const deploy: DeployConfig = result.deploy;
  buildEditionApp(app, config, { editionDir: dir, ...deployAppOptions(deploy) });
  Tags.of(app).add('bp:edition', deploy.edition);
  Tags.of(app).add('bp:environment', deploy.environment);
} else {
  // Not CDK_DEFAULT_REGION nor CDK_DEFAULT_ACCOUNT: where an edition's personal data lives, and in which
  // account, is a decision written in its deploy file, not a side effect of a developer's profile.
  for (const { config, dir } of readEditions(editionFiles())) {
    buildEditionApp(app, config, { editionDir: dir, env: { region: 'eu-west-3' } });
  }
}
