import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import {
  checkDeploySet,
  type DeployConfig,
  deployAppOptions,
  readDeployConfig,
} from '../../lib/deploy-config.ts';
import { PROJECT_ROOT, projectContext } from '../../lib/edition-app.ts';
import { buildApp, fixtureConfig } from './build-edition.ts';

const work = mkdtempSync(join(tmpdir(), 'bp-deploy-config-'));
const DEMO = { id: 'loire-atlantique-demo', mailFrom: 'budget-participatif@demo.loire-atlantique.example' };
const example = (environment: string) =>
  JSON.parse(
    readFileSync(join(PROJECT_ROOT, 'deploy', `loire-atlantique-demo.${environment}.json`), 'utf8'),
  ) as Record<string, unknown>;

/** Writes `content` as `<name>` in a temporary folder and validates it. */
function validate(name: string, content: unknown, edition = DEMO) {
  const file = join(work, name);
  writeFileSync(file, JSON.stringify(content));
  return readDeployConfig(file, edition);
}

function runEntry(context: Record<string, unknown>) {
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

describe('deploy files (deploy/<edition>.<environment>.json)', () => {
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('accepts the demo edition’s staging and production examples, in separate accounts', () => {
    // Act
    const results = ['staging', 'production'].map((environment) =>
      readDeployConfig(join(PROJECT_ROOT, 'deploy', `loire-atlantique-demo.${environment}.json`), DEMO),
    );

    // Assess
    expect(results.map((result) => result.ok)).toEqual([true, true]);
    const deploys = results.flatMap((result) => (result.ok ? [result.deploy] : []));
    expect(checkDeploySet(deploys)).toEqual([]);
  });

  it('refuses a production deploy without an alarm subscription', () => {
    // Prepare
    const { alarmEmail: _dropped, ...withoutAlarm } = example('production');

    // Act
    const result = validate('loire-atlantique-demo.production.json', withoutAlarm);

    // Assess
    expect(result).toEqual({
      ok: false,
      errors: [expect.stringMatching(/production\.json: alarmEmail: Obligatoire en production/)],
    });
  });

  it('allows staging without a subscription', () => {
    const { alarmEmail: _dropped, ...withoutAlarm } = example('staging');
    expect(validate('loire-atlantique-demo.staging.json', withoutAlarm).ok).toBe(true);
  });

  it('says which field is wrong, one line each, and refuses unknown fields (a typo is not ignored)', () => {
    // Act
    const result = validate('loire-atlantique-demo.production.json', {
      ...example('production'),
      account: '1234',
      region: 'Paris',
      alarmMail: 'typo@demo.loire-atlantique.example',
      site: {
        domain: 'budget.example.fr',
        certificateArn: 'arn:aws:acm:eu-west-3:222222222222:certificate/x',
      },
    });

    // Assess
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/: account: Numéro de compte AWS attendu/),
        expect.stringMatching(/: region: Région AWS attendue/),
        expect.stringMatching(/: site\.certificateArn: .*us-east-1/),
        expect.stringMatching(/alarmMail/),
      ]),
    );
  });

  it('refuses a file whose name is not its edition and environment', () => {
    const result = validate('loire-atlantique-demo.prod.json', example('production'));
    expect(result.ok ? [] : result.errors).toEqual([
      expect.stringMatching(/s’appelle loire-atlantique-demo\.production\.json/),
    ]);
  });

  it('refuses an edition whose sender is not on the SES domain, and a MAIL FROM outside it', () => {
    // Act
    const otherSender = validate('loire-atlantique-demo.staging.json', example('staging'), {
      ...DEMO,
      mailFrom: 'bp@gmail.com',
    });
    const mailFrom = validate('loire-atlantique-demo.staging.json', {
      ...example('staging'),
      ses: { senderDomain: 'demo.loire-atlantique.example', mailFromDomain: 'bounce.elsewhere.example' },
    });

    // Assess
    expect(otherSender.ok ? [] : otherSender.errors).toEqual([
      expect.stringMatching(/ses\.senderDomain: .*bp@gmail\.com/),
    ]);
    expect(mailFrom.ok ? [] : mailFrom.errors).toEqual([expect.stringMatching(/ses\.mailFromDomain: /)]);
  });

  it('refuses staging and production of one edition in the same account and region', () => {
    // Prepare
    const staging = validate('loire-atlantique-demo.staging.json', {
      ...example('staging'),
      account: '222222222222',
    });
    const production = readDeployConfig(
      join(PROJECT_ROOT, 'deploy', 'loire-atlantique-demo.production.json'),
      DEMO,
    );
    const deploys = [staging, production].flatMap((result) => (result.ok ? [result.deploy] : []));

    // Act
    const errors = checkDeploySet(deploys);

    // Assess
    expect(deploys).toHaveLength(2);
    expect(errors).toEqual([expect.stringMatching(/même compte et la même région/)]);
  });

  it('refuses the rehearsal’s mailbox in a production deploy file, on its field', () => {
    // Act
    const result = validate('loire-atlantique-demo.production.json', {
      ...example('production'),
      rehearsalMailbox: { domain: 'repetition.demo.loire-atlantique.example' },
    });

    // Assess
    expect(result).toEqual({
      ok: false,
      errors: [
        expect.stringMatching(
          /production\.json: rehearsalMailbox: Interdit en production : la boîte de répétition garde dans un compartiment S3 tout le courrier/,
        ),
      ],
    });
  });

  it('accepts the mailbox on a test subdomain of the sender domain, not on the sender, MAIL FROM or a parent', () => {
    // Act
    const onSender = validate('loire-atlantique-demo.staging.json', {
      ...example('staging'),
      rehearsalMailbox: { domain: 'demo.loire-atlantique.example' },
    });
    const onMailFrom = validate('loire-atlantique-demo.staging.json', {
      ...example('staging'),
      rehearsalMailbox: { domain: 'bounce.demo.loire-atlantique.example' },
    });
    const onParent = validate('loire-atlantique-demo.staging.json', {
      ...example('staging'),
      rehearsalMailbox: { domain: 'loire-atlantique.example' },
    });
    const typo = validate('loire-atlantique-demo.staging.json', {
      ...example('staging'),
      rehearsalMailbox: { domain: 'Repetition', bucket: 'x' },
    });

    // Assess
    expect(example('staging').rehearsalMailbox).toEqual({
      domain: 'repetition.staging.demo.loire-atlantique.example',
    });
    for (const result of [onSender, onMailFrom, onParent]) {
      expect(result.ok ? [] : result.errors).toEqual([
        expect.stringMatching(
          /staging\.json: rehearsalMailbox\.domain: Un sous-domaine de test de demo\.loire-atlantique\.example, à lui seul, attendu/,
        ),
      ]);
    }
    expect(typo.ok ? [] : typo.errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/rehearsalMailbox\.domain: Nom de domaine attendu/),
        expect.stringMatching(/rehearsalMailbox: .*bucket/),
      ]),
    );
  });

  it('refuses two editions’ mailboxes in one staging account (one active receipt rule set per region)', () => {
    // Prepare
    const first = validate('loire-atlantique-demo.staging.json', example('staging'));
    const second = validate(
      'gironde-demo.staging.json',
      {
        ...example('staging'),
        edition: 'gironde-demo',
        rehearsalMailbox: { domain: 'repetition.gironde.demo.loire-atlantique.example' },
      },
      { id: 'gironde-demo', mailFrom: 'budget@demo.loire-atlantique.example' },
    );
    const deploys = [first, second].flatMap((result) => (result.ok ? [result.deploy] : []));

    // Act
    const errors = checkDeploySet(deploys);

    // Assess
    expect(deploys).toHaveLength(2);
    expect(errors).toEqual([
      expect.stringMatching(
        /gironde-demo: rehearsalMailbox: loire-atlantique-demo a déjà une boîte de répétition dans le compte 111111111111/,
      ),
    ]);
  });

  it('sets the stacks’ account, region, alarm subscription and site domain', () => {
    // Prepare
    const deploy = { ...example('production'), edition: 'test-minimal' } as DeployConfig;

    // Act
    const { editions } = buildApp([fixtureConfig()], deployAppOptions(deploy));

    // Assess
    const [edition] = editions;
    expect(edition?.stacks.data.account).toBe('222222222222');
    expect(edition?.stacks.data.region).toBe('eu-west-3');
    expect(edition?.stacks.rehearsalMailbox).toBeUndefined();
    edition?.templates.functions.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'astreinte-budget-participatif@demo.loire-atlantique.example',
    });
    edition?.templates.web.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: ['budget-participatif.demo.loire-atlantique.example'],
      }),
    });
  });
});

describe('bin/app.ts and deploy files', () => {
  it('refuses the old -c flags, naming the deploy file field that replaces each', () => {
    // Act
    const result = runEntry({ edition: 'loire-atlantique-demo', alarmEmail: 'x@y.fr', region: 'eu-west-1' });

    // Assess
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/-c alarmEmail n’est plus accepté : c’est le champ « alarmEmail »/);
    expect(result.stderr).toMatch(/-c region n’est plus accepté : c’est le champ « region »/);
    expect(result.stderr).toMatch(/-c deploy=<édition>\.<environnement>/);
  });

  it('synthesizes the demo’s staging deploy with its mailbox stack in eu-west-1, cdk-nag included', () => {
    // Act
    const result = runEntry({ ...projectContext(), deploy: 'loire-atlantique-demo.staging' });

    // Assess
    expect(result.status, result.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(work, 'out', 'manifest.json'), 'utf8')) as {
      artifacts: Record<string, { type: string; environment?: string }>;
    };
    expect(manifest.artifacts['Bp-loire-atlantique-demo-RehearsalMailbox']?.environment).toBe(
      'aws://111111111111/eu-west-1',
    );
    const template = readFileSync(
      join(work, 'out', 'Bp-loire-atlantique-demo-RehearsalMailbox.template.json'),
      'utf8',
    );
    expect(template).toContain('"repetition.staging.demo.loire-atlantique.example"');
  });

  it('refuses a deploy file that does not exist, and a malformed -c deploy', () => {
    const missing = runEntry({ deploy: 'gironde-demo.production' });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/deploy\/gironde-demo\.production\.json: fichier introuvable/);

    const malformed = runEntry({ deploy: 'loire-atlantique-demo' });
    expect(malformed.status).toBe(1);
    expect(malformed.stderr).toMatch(/expected <edition>\.<staging\|production>/);
  });
});
