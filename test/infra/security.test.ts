import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { UserPool } from 'aws-cdk-lib/aws-cognito';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BpFunction } from '../../lib/constructs/bp-function.ts';
import { WebAclStack, WebStack } from '../../lib/stacks/web-stack.ts';
import { TABLE } from '../../shared/manifest.ts';
import { allTemplates, type BuiltEdition, buildApp, fixtureConfig } from './build-edition.ts';

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

const WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];
const XRAY_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];
const actionsOf = (statement: Statement) => [statement.Action].flat();
const resourcesOf = (statement: Statement) => [statement.Resource].flat();

/** Every Allow statement of the policies attached to a function's own role, as synthesized. */
function statementsOf(edition: BuiltEdition, bp: BpFunction): Statement[] {
  const stack = Stack.of(bp);
  const roleId = stack.getLogicalId(bp.role.node.defaultChild as CfnRole);
  const policies = edition.templates.functions.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) },
  });
  return Object.values(policies).flatMap(
    (policy) => (policy.Properties.PolicyDocument.Statement as Statement[]) ?? [],
  );
}

describe('security of the stacks of an edition', () => {
  let edition: BuiltEdition;

  beforeAll(() => {
    // Prepare
    const { editions } = buildApp([fixtureConfig()]);
    edition = editions[0] as BuiltEdition;
  });

  describe('least privilege per function', () => {
    it('allows no wildcard action, and Resource "*" only for the X-Ray actions that have no resource', () => {
      for (const bp of edition.stacks.functions.functions) {
        const statements = statementsOf(edition, bp);
        expect(statements.length, bp.spec.name).toBeGreaterThan(0);
        for (const statement of statements) {
          expect(statement.Effect).toBe('Allow');
          for (const action of actionsOf(statement)) expect(action, bp.spec.name).not.toMatch(/\*/);
          if (resourcesOf(statement).includes('*'))
            expect(
              actionsOf(statement).every((action) => XRAY_ACTIONS.includes(action)),
              bp.spec.name,
            ).toBe(true);
        }
      }
    });

    it('grants the table as the manifest says (owned partitions read-write), on the table and its named indexes only', () => {
      for (const bp of edition.stacks.functions.functions) {
        const dynamo = statementsOf(edition, bp).filter((s) =>
          actionsOf(s).some((a) => a.startsWith('dynamodb:')),
        );
        expect(dynamo.length, bp.spec.name).toBeGreaterThan(0);
        const writes = dynamo.flatMap(actionsOf).filter((action) => WRITE_ACTIONS.includes(action));
        // Writes only on the partitions it owns (or updates in place): test/infra/permissions.test.ts checks the keys.
        if (bp.spec.permissions.table.owns.length === 0) expect(writes, bp.spec.name).toEqual([]);
        else expect(new Set(writes), bp.spec.name).toEqual(new Set(WRITE_ACTIONS));
        for (const statement of dynamo) {
          const text = JSON.stringify(statement.Resource);
          expect(text, bp.spec.name).toMatch(/ExportsOutputFnGetAttTable\w+Arn/);
          expect(text, bp.spec.name).not.toMatch(/index\/\*/);
          const indexes = [...text.matchAll(/\/index\/([\w-]+)/g)].map((m) => m[1]);
          for (const index of indexes) expect(TABLE.indexes.map((i) => i.name)).toContain(index);
        }
      }
    });

    it('lets only publishers put events, and only on the edition bus', () => {
      for (const bp of edition.stacks.functions.functions) {
        const events = statementsOf(edition, bp).filter((s) =>
          actionsOf(s).some((a) => a.startsWith('events:')),
        );
        if (bp.spec.permissions.publishes.length === 0) expect(events, bp.spec.name).toEqual([]);
        else {
          expect(events.flatMap(actionsOf), bp.spec.name).toEqual(['events:PutEvents']);
          for (const statement of events)
            expect(JSON.stringify(statement.Resource)).toMatch(/ExportsOutputFnGetAttBus\w+Arn/);
        }
      }
    });

    it('lets only mail senders send, as the edition sender only', () => {
      const { config } = edition;
      for (const bp of edition.stacks.functions.functions) {
        const ses = statementsOf(edition, bp).filter((s) => actionsOf(s).some((a) => a.startsWith('ses:')));
        if (!bp.spec.permissions.sendsEmail) {
          expect(ses, bp.spec.name).toEqual([]);
          continue;
        }
        for (const statement of ses) {
          expect(actionsOf(statement).every((a) => ['ses:SendEmail', 'ses:SendRawEmail'].includes(a))).toBe(
            true,
          );
          // Identities are granted with the sender condition; a configuration set is not an identity.
          const onIdentity = JSON.stringify(statement.Resource).includes(':identity/');
          if (onIdentity)
            expect(statement.Condition?.StringEquals?.['ses:FromAddress'], bp.spec.name).toBe(
              config.mailFrom,
            );
          else expect(JSON.stringify(statement.Resource), bp.spec.name).toMatch(/configuration-set/);
        }
      }
    });

    it('lets each function read only the secrets its manifest entry declares, and never write them', () => {
      for (const bp of edition.stacks.functions.functions) {
        const secrets = statementsOf(edition, bp).filter((s) =>
          actionsOf(s).some((a) => a.startsWith('secretsmanager:')),
        );
        const declared = (bp.spec.secrets ?? []).map((secret) => `Secret${secret.id.replace(/-/g, '')}`);
        if (declared.length === 0) {
          expect(secrets, bp.spec.name).toEqual([]);
          continue;
        }
        for (const statement of secrets) {
          expect(new Set(actionsOf(statement))).toEqual(
            new Set(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']),
          );
          const named = [
            ...JSON.stringify(statement.Resource).matchAll(/ExportsOutputRef(Secret[a-z]+)/g),
          ].map((m) => m[1]);
          expect(named.length, bp.spec.name).toBeGreaterThan(0);
          for (const name of named) expect(declared, bp.spec.name).toContain(name);
        }
      }
    });
  });

  describe('the public entry point', () => {
    it('throttles the API stage (rate and burst on the $default route settings)', () => {
      edition.templates.functions.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 2000 }),
      });
    });

    it('sets no CORS on the API: the site calls it on its own origin, through CloudFront', () => {
      const apis = edition.templates.api.findResources('AWS::ApiGatewayV2::Api');
      expect(Object.keys(apis)).toHaveLength(1);
      for (const api of Object.values(apis)) expect(api.Properties.CorsConfiguration).toBeUndefined();
    });

    it('forwards /api/* to the API over HTTPS only, uncached, with the security headers', () => {
      edition.templates.web.hasResourceProperties('AWS::CloudFront::Distribution', {
        DistributionConfig: Match.objectLike({
          CacheBehaviors: Match.arrayWith([
            Match.objectLike({ PathPattern: '/api/*', ViewerProtocolPolicy: 'https-only' }),
          ]),
          DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
          Origins: Match.arrayWith([
            Match.objectLike({
              CustomOriginConfig: Match.objectLike({
                OriginProtocolPolicy: 'https-only',
                OriginSSLProtocols: ['TLSv1.2'],
              }),
            }),
          ]),
        }),
      });
    });

    it('puts a CLOUDFRONT web ACL with per-address rate limits (all paths, and stricter on /identity/ and /receipts/) in us-east-1', () => {
      // Prepare
      const app = new App();
      const stack = new WebAclStack(app, 'Bp-test-Edge', { editionId: 'test', env: { region: 'us-east-1' } });
      // Act
      const template = Template.fromStack(stack);
      // Assess
      expect(stack.region).toBe('us-east-1');
      template.hasResourceProperties('AWS::WAFv2::WebACL', {
        Scope: 'CLOUDFRONT',
        DefaultAction: { Allow: {} },
        Rules: Match.arrayWith([
          Match.objectLike({
            Name: 'identity-rate-per-address',
            Action: { Block: {} },
            Statement: {
              RateBasedStatement: Match.objectLike({
                Limit: 300,
                AggregateKeyType: 'IP',
                ScopeDownStatement: Match.objectLike({
                  ByteMatchStatement: Match.objectLike({ SearchString: '/identity/' }),
                }),
              }),
            },
          }),
          Match.objectLike({
            Name: 'receipt-check-rate-per-address',
            Action: { Block: {} },
            Statement: {
              RateBasedStatement: Match.objectLike({
                Limit: 60,
                AggregateKeyType: 'IP',
                ScopeDownStatement: Match.objectLike({
                  ByteMatchStatement: Match.objectLike({ SearchString: '/receipts/' }),
                }),
              }),
            },
          }),
          Match.objectLike({
            Name: 'rate-per-address',
            Action: { Block: {} },
            Statement: {
              RateBasedStatement: { Limit: 3000, AggregateKeyType: 'IP', EvaluationWindowSec: 300 },
            },
          }),
        ]),
      });
    });

    it('attaches the web ACL to the distribution when the Web stack is given one', () => {
      // Prepare
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
      const auth = new Stack(app, 'Auth', { env: { region: 'eu-west-3' } });
      const pool = new UserPool(auth, 'Pool');
      const webAclArn = 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/bp-test/0000';
      // Act
      const web = new WebStack(app, 'Web', {
        env: { region: 'eu-west-3' },
        editionId: 'test',
        apiOriginDomainName: 'abc.execute-api.eu-west-3.amazonaws.com',
        originSecret: new Secret(auth, 'OriginSecret'),
        userPool: pool,
        webClient: pool.addClient('Client'),
        webAclArn,
      });
      // Assess
      Template.fromStack(web).hasResourceProperties('AWS::CloudFront::Distribution', {
        DistributionConfig: Match.objectLike({ WebACLId: webAclArn }),
      });
    });
  });

  describe('data at rest and in transit', () => {
    it('refuses plain HTTP on every bucket and encrypts every bucket', () => {
      for (const [part, template] of allTemplates(edition)) {
        const buckets = template.findResources('AWS::S3::Bucket');
        const policies = Object.values(template.findResources('AWS::S3::BucketPolicy'));
        for (const [id, bucket] of Object.entries(buckets)) {
          expect(bucket.Properties?.BucketEncryption, `${part}/${id}`).toBeDefined();
          const tlsOnly = policies.some(
            (policy) =>
              JSON.stringify(policy.Properties.Bucket).includes(id) &&
              (policy.Properties.PolicyDocument.Statement as Statement[]).some(
                (s) =>
                  s.Effect === 'Deny' &&
                  JSON.stringify(s.Condition) === '{"Bool":{"aws:SecureTransport":"false"}}',
              ),
          );
          expect(tlsOnly, `${part}/${id} enforces TLS`).toBe(true);
        }
      }
    });

    it('encrypts the table, every queue and every secret at rest, and keeps the secrets with the data', () => {
      edition.templates.data.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        SSESpecification: Match.objectLike({ SSEEnabled: true }),
      });
      for (const [part, template] of allTemplates(edition)) {
        for (const [id, queue] of Object.entries(template.findResources('AWS::SQS::Queue')))
          expect(
            queue.Properties?.SqsManagedSseEnabled ?? queue.Properties?.KmsMasterKeyId,
            `${part}/${id}`,
          ).toBeTruthy();
      }
      // Secrets Manager always encrypts (aws/secretsmanager key unless one is given); retained like the table.
      const secrets = edition.templates.data.findResources('AWS::SecretsManager::Secret');
      expect(Object.keys(secrets).length).toBeGreaterThanOrEqual(2);
      for (const secret of Object.values(secrets)) expect(secret.DeletionPolicy).toBe('Retain');
    });

    it('keeps every dead-letter queue when its stack goes: a failure waiting for a redrive outlives a teardown', () => {
      let queues = 0;
      for (const [part, template] of allTemplates(edition)) {
        for (const [id, queue] of Object.entries(template.findResources('AWS::SQS::Queue'))) {
          queues += 1;
          expect(queue.DeletionPolicy, `${part}/${id}`).toBe('Retain');
          expect(queue.UpdateReplacePolicy, `${part}/${id}`).toBe('Retain');
        }
      }
      expect(queues).toBeGreaterThan(0);
    });

    it('has Cognito send staff emails through SES, from the edition’s sender on the Département’s domain', () => {
      const mailFrom = edition.config.mailFrom;
      edition.templates.auth.hasResourceProperties('AWS::Cognito::UserPool', {
        EmailConfiguration: Match.objectLike({
          EmailSendingAccount: 'DEVELOPER',
          From: Match.stringLikeRegexp(mailFrom.replace(/[.+]/g, '\\$&')),
          SourceArn: Match.anyValue(),
        }),
      });
      const sourceArn = JSON.stringify(edition.templates.auth.toJSON());
      expect(sourceArn).toContain(`:identity/${mailFrom.slice(mailFrom.lastIndexOf('@') + 1)}`);
    });

    it('keeps every log group for a bounded time, and gives every function of ours and of the seeds one', () => {
      for (const [part, template] of allTemplates(edition)) {
        for (const [id, group] of Object.entries(template.findResources('AWS::Logs::LogGroup')))
          expect(group.Properties?.RetentionInDays, `${part}/${id}`).toBeGreaterThan(0);
        for (const [id, fn] of Object.entries(template.findResources('AWS::Lambda::Function'))) {
          // aws-cdk-lib's CustomResourceProviders (auto-delete of the site bucket) offer no log group setting.
          if (/CustomResourceProvider/.test(id)) continue;
          expect(fn.Properties?.LoggingConfig?.LogGroup, `${part}/${id}`).toBeDefined();
        }
      }
    });
  });
});
