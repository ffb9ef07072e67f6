/**
 * Every cdk-nag (AwsSolutions) acknowledgement of the platform, each with its reason, in one place.
 *
 * Findings are acknowledged one by one on the resource that raised them, never on a stack: a new
 * resource with the same problem fails the synth until someone writes its reason here. For findings whose
 * exact id depends on the deployment (the CDK asset bucket's name carries the account when credentials are
 * present, logical ids carry hashes), the rule matches the id with a precise pattern and the exact id is
 * read from a probe run of the same checks before synthesis.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import { CfnRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { CfnDistribution } from 'aws-cdk-lib/aws-cloudfront';
import { CfnPolicy } from 'aws-cdk-lib/aws-iam';
import { CfnSecret } from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { findRoute } from '../shared/manifest.ts';
import { BpFunction } from './constructs/bp-function.ts';
import { DeadLetterQueue } from './constructs/dead-letter-queue.ts';
import { VoteCanary } from './constructs/vote-canary.ts';
import type { EditionStacks } from './edition-app.ts';
import { RehearsalMailboxStack } from './stacks/rehearsal-mailbox-stack.ts';

export interface AcknowledgementContext {
  /** A custom domain with its ACM certificate is configured (TLS policy under our control). */
  readonly customDomain: boolean;
}

interface AcknowledgementRule {
  /** The finding id (`AwsSolutions-L1`, `AwsSolutions-IAM5[Resource::*]`), exact or as a pattern. */
  readonly finding: string | RegExp;
  /** Whether the rule covers this resource; returns the reason, or `undefined` when it does not apply. */
  readonly reasonFor: (resource: IConstruct, context: AcknowledgementContext) => string | undefined;
}

/** Ids of the singleton providers aws-cdk-lib adds to a stack. */
const AWS_CUSTOM_RESOURCE_PROVIDER = /^AWS679f53fac002430cb0da5b7982bd2287/;
const BUCKET_DEPLOYMENT_PROVIDER = /^Custom::CDKBucketDeployment[0-9A-F]{32}/;
const BASIC_EXECUTION_ROLE =
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';
const XRAY_ACTIONS = new Set(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']);

export const ACKNOWLEDGEMENTS: readonly AcknowledgementRule[] = [
  // Our functions (lib/constructs/bp-function.ts).
  {
    finding: 'AwsSolutions-L1',
    reasonFor: (resource) =>
      bpFunctionOf(resource)?.fn.node.defaultChild === resource
        ? 'Runtime pinned to nodejs22.x on purpose: the bundle targets node22 and the code is tested on Node 22; ' +
          'moving runtime is a deliberate change of lib/constructs/bp-function.ts with its own test run.'
        : undefined,
  },
  {
    finding: 'AwsSolutions-IAM5[Resource::*]',
    reasonFor: (resource) => {
      const bp = bpFunctionOf(resource);
      if (!bp || !(resource instanceof CfnPolicy) || resource.node.scope?.node.scope !== bp.role)
        return undefined;
      return onlyXrayUsesWildcard(resource)
        ? 'Only xray:PutTraceSegments and xray:PutTelemetryRecords use Resource "*" (X-Ray has no resource-level ' +
            'permissions); every other statement names the edition table and its indexes, the bus, the log group ' +
            'or the SES identity.'
        : undefined;
    },
  },
  {
    finding:
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]',
    reasonFor: (resource) =>
      bpFunctionOf(resource)?.deployment.role.node.defaultChild === resource
        ? 'The role CodeDeploy assumes to move the `live` alias during a gradual deploy: AWS’s own limited policy ' +
          '(lambda:UpdateAlias/GetAlias, reading the alarms it watches, its SNS topics), which AWS keeps in step ' +
          'with the service; only codedeploy.amazonaws.com can assume it.'
        : undefined,
  },
  {
    finding: 'AwsSolutions-SQS3',
    reasonFor: (resource) =>
      resource.node.scopes.some((scope) => scope instanceof DeadLetterQueue)
        ? 'This queue is itself a dead-letter queue (EventBridge or Scheduler delivery failures, or a Lambda ' +
          'on-failure destination); its depth is alarmed and it is redriven by an operator.'
        : undefined,
  },
  {
    // The site bucket's ARN, imported by the export name the Web stack gives it, then `/data/*` or `/uploads/*`.
    finding: /^AwsSolutions-IAM5\[Resource::Bp-[A-Za-z0-9-]+-Web-SiteBucketArn\/data\/\*\]$/,
    reasonFor: (resource) => {
      const bp = bpFunctionOf(resource);
      if (!bp?.spec.permissions.writesSiteData || !(resource instanceof CfnPolicy)) return undefined;
      if (resource.node.scope?.node.scope !== bp.role) return undefined;
      return (
        'Only s3:PutObject under data/ of the edition site bucket: the function rewrites public files in data/ ' +
        '(the static list of ideas, data/ideas.json); it cannot delete or touch the rest of the site ' +
        '(lib/stacks/functions-stack.ts, grantSiteData).'
      );
    },
  },
  {
    // The pictures bucket's ARN, imported by the export name the Web stack gives it, then `/uploads/*`.
    finding: /^AwsSolutions-IAM5\[Resource::Bp-[A-Za-z0-9-]+-Web-PicturesBucketArn\/uploads\/\*\]$/,
    reasonFor: (resource) => {
      const bp = bpFunctionOf(resource);
      if (!bp?.spec.permissions.presignsUploads || !(resource instanceof CfnPolicy)) return undefined;
      if (resource.node.scope?.node.scope !== bp.role) return undefined;
      return (
        'Only s3:PutObject, s3:PutObjectTagging and s3:GetObject under uploads/ of the edition pictures bucket: ' +
        'the function presigns picture uploads to uploads/<edition>/<idea>/<uuid> with a signed type, size and ' +
        'pending tag, checks what was stored, tags it attached and presigns short-lived reads; no delete ' +
        '(lib/stacks/functions-stack.ts, grantPictures).'
      );
    },
  },
  // The vote canary (lib/constructs/vote-canary.ts): aws-cdk-lib's Canary creates its bucket and role.
  {
    finding: 'AwsSolutions-S1',
    reasonFor: (resource) =>
      resource.node.scopes.some((scope) => scope instanceof VoteCanary)
        ? 'Artifacts bucket of the vote canary: screenshots and HAR files of the public vote page and of the ' +
          'public edition API, no personal data, kept 31 days; only the canary writes to it, so access logs would ' +
          'record the canary itself.'
        : undefined,
  },
  {
    finding:
      /^AwsSolutions-IAM5\[Resource::(\*|<[A-Za-z0-9]+ArtifactsBucket[0-9A-F]{8}\.Arn>\/\*|arn:<AWS::Partition>:logs:[a-z0-9-]+:(<AWS::AccountId>|[0-9]{12}):log-group:\/aws\/lambda\/cwsyn-\*)\]$/,
    reasonFor: (resource) =>
      resource.node.scopes.some((scope) => scope instanceof VoteCanary)
        ? 'Role aws-cdk-lib writes for a Synthetics canary: its own artifacts bucket’s objects, its log groups ' +
          '(/aws/lambda/cwsyn-<name>-*, named by Synthetics at run time), and the actions with no resource ' +
          '(s3:ListAllMyBuckets, xray:PutTraceSegments, cloudwatch:PutMetricData limited to the CloudWatchSynthetics ' +
          'namespace by a condition).'
        : undefined,
  },
  // The rehearsal's staging mailbox (lib/stacks/rehearsal-mailbox-stack.ts), only in a staging deploy.
  {
    finding: 'AwsSolutions-S1',
    reasonFor: (resource) => {
      const stack = Stack.of(resource);
      return stack instanceof RehearsalMailboxStack && stack.bucket.node.defaultChild === resource
        ? 'Staging-only mailbox of the rehearsal: messages SES received for the test subdomain (codes and links ' +
            'sent to made-up inhabitants, no one’s personal data), gone after 7 days; SES is its only writer ' +
            '(bucket policy bound to the rule set) and the operator running bp rehearse its only reader, so ' +
            'access logs would need a second bucket to record that one reader.'
        : undefined;
    },
  },
  {
    finding: 'AwsSolutions-IAM5[Resource::*]',
    reasonFor: (resource) => {
      const stack = Stack.of(resource);
      if (!(stack instanceof RehearsalMailboxStack) || !(resource instanceof CfnPolicy)) return undefined;
      if (!resource.node.scopes.some((scope) => scope.node.id === 'ActiveRuleSet')) return undefined;
      return onlyActionsUseWildcard(resource, new Set(['ses:SetActiveReceiptRuleSet']))
        ? 'Only ses:SetActiveReceiptRuleSet, which has no resource-level permission: the custom resource makes ' +
            'the mailbox’s receipt rule set the active one on deploy and switches it off before deletion ' +
            '(CloudFormation cannot activate a rule set).'
        : undefined;
    },
  },
  // HTTP routes: API Gateway authorizes none of them on purpose.
  {
    finding: 'AwsSolutions-APIG4',
    reasonFor: (resource) => {
      if (!(resource instanceof CfnRoute)) return undefined;
      const key = Stack.of(resource).resolve(resource.routeKey);
      const route = typeof key === 'string' ? findRoute(key) : undefined;
      if (!route) return undefined;
      return route.access === 'public'
        ? `${key} is public by design (access: 'public' in shared/manifest.ts): anonymous visitors read it.`
        : `${key} needs ${route.access.join(' or ')}: the function verifies the bearer token (signature via ` +
            'JWKS, issuer, audience, expiry) and the role declared in shared/manifest.ts, so that refusals are ' +
            'problem+json and staff and citizen tokens share one path (shared/http/http-handler.ts).';
    },
  },
  // The manifest's secrets (lib/stacks/data-stack.ts).
  {
    finding: 'AwsSolutions-SMG4',
    reasonFor: (resource) => {
      if (!(resource instanceof CfnSecret)) return undefined;
      const id = resource.node.scope?.node.id.replace(/^Secret-/, '');
      if (id === 'citizen-signing-seed')
        return (
          'Seed of the key that signs 2-hour citizen tokens, read once per cold start: automatic rotation needs a ' +
          'JWKS that publishes the AWSCURRENT and AWSPREVIOUS keys for the token lifetime, which the identity ' +
          'function does not offer yet. Until then it is rotated by hand, outside the vote window, with the ' +
          'procedure of the README ("Security review": put-secret-value, then recycle the identity function; ' +
          'the kid is the key thumbprint, so verifiers refetch the JWKS; open sessions end, citizens sign in again).'
        );
      if (id === 'fingerprint-key')
        return (
          'HMAC key of the email keys, code hashes and duplicate fingerprints stored in the edition table: ' +
          'rotating it would orphan every stored identity (lookups by email, duplicate detection) without a ' +
          're-keying job, so it lives as long as the edition data; only the identity and voting functions read it ' +
          '(voting hashes the printed voting codes it redeems).'
        );
      if (id === 'origin-verify')
        return (
          'Value of the origin header CloudFront adds to API requests (proof that a CloudFront-Viewer-Address ' +
          'header came through the distribution): CloudFront takes it at deploy time, so a rotation is a ' +
          'put-secret-value, then a deploy of the Web stack and a recycle of the identity function together; ' +
          'rotating it alone would make the function count every visitor under the edge address until both match.'
        );
      if (id === 'action-link-key')
        return (
          'HMAC key of the signed links in emails (staff action links, expiring within 14 days, and unsubscribe ' +
          'links): rotating it invalidates every link already sent, so it is rotated by hand between editions; ' +
          'only the notifications function (which mints) and the instruction function (which verifies) read it.'
        );
      if (id === 'page-cursor-key')
        return (
          'HMAC key of the pagination cursors list routes hand out (shared/http/page-cursor.ts): a cursor lives as ' +
          'long as a staff member pages through a list, so rotating it only makes open pages start over; it is ' +
          'rotated by hand (put-secret-value, then recycle the notifications function, its only reader).'
        );
      return undefined;
    },
  },
  // The CDN.
  {
    finding: 'AwsSolutions-CFR1',
    reasonFor: (resource) =>
      resource instanceof CfnDistribution
        ? 'No geo restriction: eligible inhabitants may be abroad during the vote, and blocking countries adds no ' +
          'protection to a public participation site.'
        : undefined,
  },
  {
    finding: 'AwsSolutions-CFR2',
    reasonFor: (resource) =>
      resource instanceof CfnDistribution
        ? 'Built without a web ACL (no webAclArn): the CLOUDFRONT web ACL with per-address rate rules is ' +
          'WebAclStack (lib/stacks/web-stack.ts), which must be deployed in us-east-1 and passed to the Web stack ' +
          'through a cross-region reference (lib/edition-app.ts). Without it, abuse is bounded by the stage ' +
          'throttling, the per-email and per-address code limits of the identity function and idempotent ' +
          'once-per-person writes.'
        : undefined,
  },
  {
    finding: 'AwsSolutions-CFR4',
    reasonFor: (resource, context) =>
      resource instanceof CfnDistribution && !context.customDomain
        ? 'Without a custom domain the distribution uses the default *.cloudfront.net certificate, whose viewer ' +
          'security policy AWS fixes; TLSv1.2_2021 is already requested and applies as soon as a siteDomain with ' +
          'its ACM certificate is given.'
        : undefined,
  },
  // Providers written by aws-cdk-lib, which we configure but do not author.
  {
    finding: BASIC_EXECUTION_ROLE,
    reasonFor: (resource) =>
      underSingleton(resource, AWS_CUSTOM_RESOURCE_PROVIDER)
        ? Stack.of(resource) instanceof RehearsalMailboxStack
          ? 'Role of the aws-cdk-lib AwsCustomResource provider that activates the rehearsal mailbox’s receipt ' +
            'rule set: CDK attaches AWSLambdaBasicExecutionRole itself; its only other permission is ' +
            'ses:SetActiveReceiptRuleSet.'
          : 'Role of the aws-cdk-lib AwsCustomResource provider that seeds the edition config: CDK attaches ' +
            'AWSLambdaBasicExecutionRole itself; its only other permission is dynamodb:PutItem on the edition table.'
        : underSingleton(resource, BUCKET_DEPLOYMENT_PROVIDER)
          ? 'Role of the aws-cdk-lib BucketDeployment provider: CDK attaches AWSLambdaBasicExecutionRole itself; ' +
            'the function runs only during deployments.'
          : undefined,
  },
  {
    finding:
      /^AwsSolutions-IAM5\[(Action::s3:(GetObject|GetBucket|List|DeleteObject|Abort)\*|Resource::arn:<AWS::Partition>:s3:::cdk-[a-z0-9]+-assets-[^/]+\/\*|Resource::<Site[0-9A-F]{8}\.Arn>\/\*|Resource::\*)\]$/,
    reasonFor: (resource) =>
      underSingleton(resource, BUCKET_DEPLOYMENT_PROVIDER)
        ? 'Policy written by aws-cdk-lib for BucketDeployment: read the site archive from the CDK assets bucket, ' +
          'sync the objects of this edition site bucket (s3 action families on bucket/*) and create the ' +
          'CloudFront invalidation (no resource-level permission).'
        : undefined,
  },
  {
    finding: 'AwsSolutions-L1',
    reasonFor: (resource) =>
      underSingleton(resource, BUCKET_DEPLOYMENT_PROVIDER)
        ? 'Runtime of the aws-cdk-lib BucketDeployment provider is chosen by aws-cdk-lib (it bundles the AWS CLI ' +
          'layer for it); it follows CDK upgrades.'
        : undefined,
  },
];

/**
 * Acknowledges, on each resource of the edition, the findings that `ACKNOWLEDGEMENTS` covers. Anything
 * else stays a finding and fails `cdk synth`.
 */
export function acknowledgeEditionFindings(stacks: EditionStacks, context: AcknowledgementContext): void {
  const probe = new AwsSolutionsChecks();
  for (const stack of Object.values(stacks).filter((stack): stack is Stack => stack !== undefined)) {
    const byPath = new Map(stack.node.findAll().map((construct) => [construct.node.path, construct]));
    for (const violation of probe.validateScope(stack).violations) {
      for (const { constructPath } of violation.violatingResources) {
        const resource = constructPath ? byPath.get(constructPath) : undefined;
        if (!resource) continue;
        const reason = reasonFor(violation.ruleName, resource, context);
        if (reason) Validations.of(resource).acknowledge({ id: violation.ruleName, reason });
      }
    }
  }
}

/** The reason an acknowledgement rule gives for this finding on this resource, if any rule covers it. */
export function reasonFor(
  finding: string,
  resource: IConstruct,
  context: AcknowledgementContext,
): string | undefined {
  for (const rule of ACKNOWLEDGEMENTS) {
    const matches = typeof rule.finding === 'string' ? rule.finding === finding : rule.finding.test(finding);
    const reason = matches ? rule.reasonFor(resource, context) : undefined;
    if (reason) return reason;
  }
  return undefined;
}

function bpFunctionOf(resource: IConstruct): BpFunction | undefined {
  return resource.node.scopes.find((scope): scope is BpFunction => scope instanceof BpFunction);
}

function underSingleton(resource: IConstruct, id: RegExp): boolean {
  return resource.node.scopes.some((scope) => id.test(scope.node.id));
}

/** True when every statement allowing Resource "*" only grants X-Ray actions. */
function onlyXrayUsesWildcard(policy: CfnPolicy): boolean {
  return onlyActionsUseWildcard(policy, XRAY_ACTIONS);
}

/** True when every statement allowing Resource "*" only grants actions of `allowed`. */
function onlyActionsUseWildcard(policy: CfnPolicy, allowed: ReadonlySet<string>): boolean {
  const document = Stack.of(policy).resolve(policy.policyDocument) as {
    Statement?: { Effect: string; Action: string | string[]; Resource: unknown }[];
  };
  return (document.Statement ?? [])
    .filter((statement) => statement.Effect === 'Allow' && [statement.Resource].flat().includes('*'))
    .every((statement) => [statement.Action].flat().every((action) => allowed.has(action)));
}
