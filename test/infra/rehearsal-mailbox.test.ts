import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DeployConfig, deployAppOptions, readDeployConfig } from '../../lib/deploy-config.ts';
import { PROJECT_ROOT } from '../../lib/edition-app.ts';
import { type BuiltEdition, buildApp, fixtureConfig } from './build-edition.ts';

const work = mkdtempSync(join(tmpdir(), 'bp-rehearsal-mailbox-'));
const MAILBOX_DOMAIN = 'repetition.staging.demo.loire-atlantique.example';
const FIXTURE = { id: 'test-minimal', mailFrom: 'budget-participatif@demo.loire-atlantique.example' };

/** The demo's deploy file for `environment`, for the fixture edition, with `extra` fields, through the schema. */
function deployFile(environment: 'staging' | 'production', extra: Record<string, unknown> = {}) {
  const raw = JSON.parse(
    readFileSync(join(PROJECT_ROOT, 'deploy', `loire-atlantique-demo.${environment}.json`), 'utf8'),
  ) as Record<string, unknown>;
  const file = join(work, `test-minimal.${environment}.json`);
  // The demo's staging file has a mailbox: here only `extra` says whether there is one.
  writeFileSync(
    file,
    JSON.stringify({ ...raw, edition: 'test-minimal', rehearsalMailbox: undefined, ...extra }),
  );
  return readDeployConfig(file, FIXTURE);
}

function stagingDeploy(extra: Record<string, unknown> = {}): DeployConfig {
  const result = deployFile('staging', extra);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.deploy;
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the rehearsal’s staging mailbox (rehearsalMailbox of a staging deploy file)', () => {
  let app: ReturnType<typeof buildApp>['app'];
  let edition: BuiltEdition;
  let mailbox: Template;

  beforeAll(() => {
    const built = buildApp(
      [fixtureConfig()],
      deployAppOptions(stagingDeploy({ rehearsalMailbox: { domain: MAILBOX_DOMAIN } })),
    );
    app = built.app;
    edition = built.editions[0] as BuiltEdition;
    if (!edition.templates.rehearsalMailbox) throw new Error('no mailbox stack');
    mailbox = edition.templates.rehearsalMailbox;
  });

  it('is its own stack in eu-west-1, where SES receives mail, in the staging account', () => {
    const stack = edition.stacks.rehearsalMailbox as Stack;
    expect(stack.stackName).toBe('Bp-test-minimal-RehearsalMailbox');
    expect(stack.region).toBe('eu-west-1');
    expect(stack.account).toBe('111111111111');
  });

  it('stores the mail of the test subdomain only, under mailbox/ of its bucket, with TLS and a spam scan', () => {
    mailbox.resourceCountIs('AWS::SES::ReceiptRuleSet', 1);
    mailbox.resourceCountIs('AWS::SES::ReceiptRule', 1);
    mailbox.hasResourceProperties('AWS::SES::ReceiptRule', {
      Rule: {
        Enabled: true,
        Recipients: [MAILBOX_DOMAIN],
        ScanEnabled: true,
        TlsPolicy: 'Require',
        Actions: [{ S3Action: { BucketName: { Ref: Match.anyValue() }, ObjectKeyPrefix: 'mailbox/' } }],
      },
    });
    // SES verifies the receiving domain in its region.
    mailbox.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: MAILBOX_DOMAIN });
  });

  it('keeps messages 7 days in an encrypted, private bucket that refuses plain HTTP', () => {
    mailbox.resourceCountIs('AWS::S3::Bucket', 1);
    mailbox.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: {
        Rules: [Match.objectLike({ Prefix: 'mailbox/', ExpirationInDays: 7, Status: 'Enabled' })],
      },
    });
    mailbox.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('lets SES write under mailbox/ only, for a rule of this rule set in this account, before the rule exists', () => {
    // Prepare
    const policies = mailbox.findResources('AWS::S3::BucketPolicy');
    const [policyId, policy] = Object.entries(policies)[0] as [string, { Properties: unknown }];
    const statements = (
      Stack.of(edition.stacks.rehearsalMailbox as Stack).resolve(policy.Properties) as {
        PolicyDocument: {
          Statement: {
            Sid?: string;
            Principal?: unknown;
            Action: unknown;
            Resource: unknown;
            Condition?: unknown;
          }[];
        };
      }
    ).PolicyDocument.Statement;

    // Act
    const ses = statements.filter((statement) =>
      JSON.stringify(statement.Principal ?? '').includes('ses.amazonaws.com'),
    );

    // Assess
    expect(ses).toHaveLength(1);
    expect(ses[0]?.Action).toBe('s3:PutObject');
    expect(JSON.stringify(ses[0]?.Resource)).toMatch(/\/mailbox\/\*"/);
    expect(ses[0]?.Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': '111111111111' },
      ArnLike: {
        'aws:SourceArn': {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':ses:eu-west-1:111111111111:receipt-rule-set/',
              { Ref: expect.stringMatching(/^RuleSet/) },
              ':receipt-rule/*',
            ],
          ],
        },
      },
    });
    const [rule] = Object.values(mailbox.findResources('AWS::SES::ReceiptRule')) as {
      DependsOn?: string[];
    }[];
    expect(rule?.DependsOn).toContain(policyId);
  });

  it('makes its rule set the active one after the rule exists, and switches it off on delete', () => {
    // Prepare
    const [ruleId] = Object.keys(mailbox.findResources('AWS::SES::ReceiptRule'));
    const [ruleSetId] = Object.keys(mailbox.findResources('AWS::SES::ReceiptRuleSet'));
    const resources = mailbox.findResources('Custom::AWS');

    // Act
    const [active] = Object.values(resources) as {
      Properties: Record<string, unknown>;
      DependsOn?: string[];
    }[];
    const call = (event: string) => JSON.stringify(active?.Properties[event]);

    // Assess
    expect(Object.keys(resources)).toHaveLength(1);
    for (const event of ['Create', 'Update']) {
      expect(call(event)).toContain('"action\\":\\"SetActiveReceiptRuleSet\\"');
      expect(call(event)).toContain(`"RuleSetName\\":\\"`);
      expect(call(event)).toContain(`{"Ref":"${ruleSetId}"}`);
    }
    expect(call('Delete')).toContain('"action\\":\\"SetActiveReceiptRuleSet\\"');
    expect(call('Delete')).not.toContain('RuleSetName');
    expect(active?.DependsOn).toEqual(expect.arrayContaining([ruleId]));
    mailbox.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [{ Action: 'ses:SetActiveReceiptRuleSet', Effect: 'Allow', Resource: '*' }],
      },
    });
  });

  it('tells the DNS records to publish and the --mailbox to give bp rehearse', () => {
    mailbox.hasOutput('MxRecord', {
      Value: `${MAILBOX_DOMAIN}. MX 10 inbound-smtp.eu-west-1.amazonaws.com.`,
    });
    mailbox.hasOutput('MailboxUri', {
      Value: { 'Fn::Join': ['', ['s3://', { Ref: Match.anyValue() }, '/mailbox/']] },
    });
    for (const i of [1, 2, 3]) mailbox.hasOutput(`DkimRecord${i}`, { Value: Match.anyValue() });
  });

  it('leaves no cdk-nag finding unacknowledged, and synthesizes', () => {
    expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
    expect(() => app.synth()).not.toThrow();
  });
});

describe('no mailbox without the flag, and never in production', () => {
  it('adds no mailbox stack and no receipt rule to a staging deploy without rehearsalMailbox', () => {
    // Act
    const { app } = buildApp([fixtureConfig()], deployAppOptions(stagingDeploy()));

    // Assess
    const stacks = app.node.children.filter((child): child is Stack => child instanceof Stack);
    expect(stacks.map((stack) => stack.stackName)).not.toContain('Bp-test-minimal-RehearsalMailbox');
    for (const stack of stacks) {
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::SES::ReceiptRule', 0);
      template.resourceCountIs('AWS::SES::ReceiptRuleSet', 0);
    }
  });

  it('refuses the flag in a production deploy file, and in deploy options built around the schema', () => {
    // Act
    const refused = deployFile('production', { rehearsalMailbox: { domain: MAILBOX_DOMAIN } });
    const forced = {
      ...stagingDeploy(),
      environment: 'production',
      rehearsalMailbox: { domain: MAILBOX_DOMAIN },
    };

    // Assess
    expect(refused.ok ? [] : refused.errors).toEqual([
      expect.stringMatching(/production\.json: rehearsalMailbox: Interdit en production/),
    ]);
    expect(() => deployAppOptions(forced as DeployConfig)).toThrow(
      /rehearsalMailbox: refused for a production deploy/,
    );
  });
});
