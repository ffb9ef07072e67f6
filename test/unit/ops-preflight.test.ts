import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetAccountSettingsCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetAccountCommand, GetEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runPreflight } from '../../bin/commands/preflight.ts';
import { FUNCTIONS } from '../../shared/manifest.ts';

/** The executions the manifest reserves (identity, voting, the mail fan-out...). */
const RESERVED = FUNCTIONS.reduce((sum, fn) => sum + (fn.reservedConcurrency ?? 0), 0);

import { readDeployConfig } from '../../lib/deploy-config.ts';

const cfn = mockClient(CloudFormationClient);
const lambda = mockClient(LambdaClient);
const ses = mockClient(SESv2Client);
const sts = mockClient(STSClient);
const mocks = [cfn, lambda, ses, sts];

const loaded = readDeployConfig('deploy/loire-atlantique-demo.production.json');
if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
const deploy = loaded.deploy;
const built = mkdtempSync(join(tmpdir(), 'bp-preflight-'));
mkdirSync(join(built, 'web', 'dist'), { recursive: true });
writeFileSync(join(built, 'web', 'dist', 'index.html'), '<!doctype html>');
const notBuilt = mkdtempSync(join(tmpdir(), 'bp-preflight-'));
afterAll(() => {
  rmSync(built, { recursive: true, force: true });
  rmSync(notBuilt, { recursive: true, force: true });
});

const dmarc = (record: string) => async (name: string) =>
  name === '_dmarc.demo.loire-atlantique.example' ? [[record.slice(0, 10), record.slice(10)]] : [];

describe('bp preflight (requests sent, answers read)', () => {
  beforeEach(() => {
    for (const mock of mocks) mock.reset();
    sts.on(GetCallerIdentityCommand).resolves({ Account: '222222222222' });
    cfn.on(DescribeStacksCommand, { StackName: 'CDKToolkit' }).resolves({
      Stacks: [
        {
          StackName: 'CDKToolkit',
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: new Date(),
          Outputs: [{ OutputKey: 'BootstrapVersion', OutputValue: '29' }],
        },
      ],
    });
    ses.on(GetAccountCommand).resolves({ ProductionAccessEnabled: true, SendingEnabled: true });
    ses.on(GetEmailIdentityCommand, { EmailIdentity: 'demo.loire-atlantique.example' }).resolves({
      VerifiedForSendingStatus: true,
      DkimAttributes: { Status: 'SUCCESS', Tokens: ['t1', 't2', 't3'] },
      MailFromAttributes: {
        MailFromDomain: 'bounce.demo.loire-atlantique.example',
        MailFromDomainStatus: 'SUCCESS',
        BehaviorOnMxFailure: 'REJECT_MESSAGE',
      },
    });
    lambda.on(GetAccountSettingsCommand).resolves({ AccountLimit: { ConcurrentExecutions: 1000 } });
  });
  afterEach(() => {
    for (const mock of mocks) mock.reset();
  });

  it('passes every check on a ready account, looking at both regions and the deploy file’s SES domain', async () => {
    // Act
    const results = await runPreflight(deploy, built, { resolveTxt: dmarc('v=DMARC1; p=quarantine') });

    // Assess
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results.map((r) => r.name)).toEqual([
      'identifiants AWS',
      'bootstrap CDK eu-west-3',
      'bootstrap CDK us-east-1',
      'SES hors bac à sable',
      'domaine SES demo.loire-atlantique.example (DKIM)',
      'MAIL FROM bounce.demo.loire-atlantique.example',
      'DMARC _dmarc.demo.loire-atlantique.example',
      'quota de concurrence Lambda',
      'site construit (web/dist)',
    ]);
    expect(cfn.calls().map((call) => call.thisValue)).toHaveLength(2);
    const regions = await Promise.all(
      cfn.calls().map((call) => (call.thisValue as CloudFormationClient).config.region()),
    );
    expect(regions.sort()).toEqual(['eu-west-3', 'us-east-1']);
  });

  it('also looks at the bootstrap of eu-west-1 when a staging deploy has the rehearsal’s mailbox', async () => {
    // Prepare
    const staging = { ...deploy, account: '222222222222', environment: 'staging' as const };
    const withMailbox = {
      ...staging,
      rehearsalMailbox: { domain: 'repetition.staging.demo.loire-atlantique.example' },
    };
    cfn
      .on(DescribeStacksCommand, { StackName: 'CDKToolkit' })
      .rejects(new Error('Stack with id CDKToolkit does not exist'));

    // Act
    const results = await runPreflight(withMailbox, built, { resolveTxt: dmarc('v=DMARC1; p=quarantine') });

    // Assess
    const bootstraps = results.filter((r) => r.name.startsWith('bootstrap CDK'));
    expect(bootstraps.map((r) => r.name)).toEqual([
      'bootstrap CDK eu-west-3',
      'bootstrap CDK us-east-1',
      'bootstrap CDK eu-west-1',
    ]);
    expect(bootstraps.every((r) => !r.ok)).toBe(true);
    expect(bootstraps[2]?.fix).toMatch(
      /npx cdk bootstrap aws:\/\/222222222222\/eu-west-3 aws:\/\/222222222222\/us-east-1 aws:\/\/222222222222\/eu-west-1 .*boîte de répétition/,
    );
  });

  it('fails each check of a fresh account, and says how to fix each one', async () => {
    // Prepare: wrong credentials, no bootstrap in us-east-1, SES sandbox, DKIM pending, no MAIL FROM,
    // DMARC p=none, the default quota of a new account, the site not built.
    sts.on(GetCallerIdentityCommand).resolves({ Account: '999999999999' });
    cfn.on(DescribeStacksCommand).callsFake(async (_input, getClient) => {
      if ((await getClient().config.region()) === 'us-east-1') {
        throw Object.assign(new Error('Stack with id CDKToolkit does not exist'), {
          name: 'ValidationError',
        });
      }
      return {
        Stacks: [
          {
            StackName: 'CDKToolkit',
            StackStatus: 'CREATE_COMPLETE',
            CreationTime: new Date(),
            Outputs: [{ OutputKey: 'BootstrapVersion', OutputValue: '4' }],
          },
        ],
      };
    });
    ses.on(GetAccountCommand).resolves({ ProductionAccessEnabled: false });
    ses.on(GetEmailIdentityCommand).resolves({
      VerifiedForSendingStatus: false,
      DkimAttributes: { Status: 'PENDING', Tokens: ['abc'] },
    });
    lambda.on(GetAccountSettingsCommand).resolves({ AccountLimit: { ConcurrentExecutions: 10 } });

    // Act
    const results = await runPreflight(deploy, notBuilt, { resolveTxt: dmarc('v=DMARC1; p=none') });

    // Assess
    expect(results.filter((r) => r.ok)).toEqual([]);
    const byName = Object.fromEntries(results.map((r) => [r.name, r]));
    expect(byName['identifiants AWS']?.problem).toMatch(/999999999999.*222222222222/);
    expect(byName['bootstrap CDK eu-west-3']?.problem).toMatch(/version 4 < 6/);
    expect(byName['bootstrap CDK us-east-1']?.fix).toMatch(
      /npx cdk bootstrap aws:\/\/222222222222\/eu-west-3 aws:\/\/222222222222\/us-east-1/,
    );
    expect(byName['SES hors bac à sable']?.fix).toMatch(/Request production access/);
    expect(byName['domaine SES demo.loire-atlantique.example (DKIM)']?.fix).toMatch(
      /abc\._domainkey\.demo\.loire-atlantique\.example CNAME abc\.dkim\.amazonses\.com/,
    );
    expect(byName['MAIL FROM bounce.demo.loire-atlantique.example']?.fix).toMatch(
      /put-email-identity-mail-from-attributes .*--mail-from-domain bounce\.demo\.loire-atlantique\.example.*MX 10 feedback-smtp\.eu-west-3\.amazonses\.com/,
    );
    expect(byName['DMARC _dmarc.demo.loire-atlantique.example']?.problem).toMatch(/p=none/);
    expect(byName['quota de concurrence Lambda']?.problem).toMatch(
      new RegExp(`10 exécutions simultanées ; il en faut ${RESERVED + 100} \\(${RESERVED} réservées`),
    );
    expect(byName['quota de concurrence Lambda']?.fix).toMatch(/--quota-code L-B99A9384/);
    expect(byName['site construit (web/dist)']?.fix).toBe('npm run build:web');
    for (const result of results) expect(result.fix?.length, result.name).toBeGreaterThan(10);
  });

  it('fails DMARC when the domain has no record, and SES when the identity does not exist', async () => {
    // Prepare
    ses.on(GetEmailIdentityCommand).rejects(
      Object.assign(new Error('Email identity demo.loire-atlantique.example does not exist.'), {
        name: 'NotFoundException',
      }),
    );

    // Act
    const results = await runPreflight(deploy, built, {
      resolveTxt: async () => {
        throw Object.assign(new Error('queryTxt ENOTFOUND'), { code: 'ENOTFOUND' });
      },
    });

    // Assess
    const failing = results.filter((r) => !r.ok).map((r) => r.name);
    expect(failing).toEqual([
      'domaine SES demo.loire-atlantique.example (DKIM)',
      'MAIL FROM bounce.demo.loire-atlantique.example',
      'DMARC _dmarc.demo.loire-atlantique.example',
    ]);
    expect(results.find((r) => r.name.startsWith('domaine'))?.fix).toMatch(/aws sesv2 create-email-identity/);
  });
});
