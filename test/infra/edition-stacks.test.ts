import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { pacedByConcurrency } from '../../lib/constructs/edition-monitoring.ts';
import { STAFF_ROLES } from '../../shared/auth/roles.ts';
import { allRoutes, FUNCTION_ENV, FUNCTIONS, routeKey, TABLE } from '../../shared/manifest.ts';
import { allTemplates, type BuiltEdition, buildApp, DEPLOYED_AT, fixtureConfig } from './build-edition.ts';

type Resources = Record<
  string,
  { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown }
>;

describe('the stacks of one edition', () => {
  let edition: BuiltEdition;

  beforeAll(() => {
    // Prepare
    const { editions } = buildApp([fixtureConfig()]);
    edition = editions[0] as BuiltEdition;
  });

  it('names its five stacks after the edition and tags every one with the edition id', () => {
    // Act
    const stacks = Object.values(edition.stacks);

    // Assess
    expect(stacks.map((stack) => stack.stackName)).toEqual([
      'Bp-test-minimal-Data',
      'Bp-test-minimal-Auth',
      'Bp-test-minimal-Api',
      'Bp-test-minimal-Web',
      'Bp-test-minimal-Functions',
    ]);
    for (const stack of stacks)
      expect(stack.tags.tagValues()).toMatchObject({ 'bp:edition': 'test-minimal' });
    edition.templates.data.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      Replicas: [Match.objectLike({ Tags: Match.arrayWith([{ Key: 'bp:edition', Value: 'test-minimal' }]) })],
    });
  });

  it('keeps the table when the stack is deleted, with point-in-time recovery and deletion protection', () => {
    // Assess
    edition.templates.data.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: TABLE.indexes.map((index) =>
          Match.objectLike({
            IndexName: index.name,
            KeySchema: [
              { AttributeName: index.partitionKey, KeyType: 'HASH' },
              { AttributeName: index.sortKey, KeyType: 'RANGE' },
            ],
          }),
        ),
        TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        Replicas: [
          Match.objectLike({
            Region: 'eu-west-3',
            DeletionProtectionEnabled: true,
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          }),
        ],
      }),
    });
  });

  it('seeds the validated edition config into the table on create and on update', () => {
    // Act
    const seeds = Object.values(edition.templates.data.findResources('Custom::AWS') as Resources);
    const calls = seeds.flatMap((seed) =>
      [seed.Properties?.Create, seed.Properties?.Update].map(parseSdkCall),
    );

    // Assess
    expect(seeds).toHaveLength(1);
    for (const call of calls) {
      expect(call).toMatchObject({
        service: 'DynamoDB',
        action: 'putItem',
        parameters: {
          TableName: '<table>',
          Item: {
            pk: { S: 'EDITION#test-minimal' },
            sk: { S: 'CONFIG' },
            entity: { S: 'EditionConfig' },
            version: { N: '1' },
            updatedAt: { S: DEPLOYED_AT.toISOString() },
          },
        },
      });
      expect(JSON.parse(call.parameters.Item.configJson.S)).toEqual(edition.config);
    }
    edition.templates.data.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Action: 'dynamodb:PutItem',
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] },
          },
        ],
      },
    });
  });

  it('keeps every bucket private: public access blocked, TLS required, encrypted', () => {
    // Act
    const buckets = edition.templates.web.findResources('AWS::S3::Bucket') as Resources;
    const policies = Object.values(edition.templates.web.findResources('AWS::S3::BucketPolicy') as Resources);

    // Assess
    expect(Object.keys(buckets)).toHaveLength(3);
    for (const [logicalId, bucket] of Object.entries(buckets)) {
      expect(bucket.Properties?.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.Properties?.BucketEncryption).toBeDefined();
      const policy = policies.find(
        (candidate) => JSON.stringify(candidate.Properties?.Bucket) === JSON.stringify({ Ref: logicalId }),
      );
      expect(JSON.stringify(policy?.Properties?.PolicyDocument)).toContain(
        JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }),
      );
    }
  });

  it('serves the site through CloudFront with origin access control and forwards /api/* uncached', () => {
    // Assess
    edition.templates.web.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    edition.templates.web.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
        CacheBehaviors: [
          Match.objectLike({
            PathPattern: '/api/*',
            ViewerProtocolPolicy: 'https-only',
            // Managed policies: CachingDisabled and AllViewerExceptHostHeader.
            CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
            OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
            AllowedMethods: Match.arrayWith(['PATCH', 'POST', 'DELETE']),
          }),
          // Idea pictures live in their own bucket, which is no origin: presigned reads only.
        ],
        Logging: Match.objectLike({ Prefix: 'cloudfront/' }),
      }),
    });
    edition.templates.web.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({
          StrictTransportSecurity: Match.objectLike({ Override: true }),
          ContentSecurityPolicy: Match.objectLike({
            ContentSecurityPolicy: Match.stringLikeRegexp("frame-ancestors 'none'"),
          }),
        }),
      }),
    });
  });

  it('creates one API route per manifest route, none with a gateway authorizer: the functions verify tokens', () => {
    // Act
    const routes = Object.values(
      edition.templates.functions.findResources('AWS::ApiGatewayV2::Route') as Resources,
    );
    const byKey = new Map(routes.map((route) => [route.Properties?.RouteKey as string, route.Properties]));

    // Assess
    expect([...byKey.keys()].sort()).toEqual(
      allRoutes()
        .map(({ route }) => routeKey(route))
        .sort(),
    );
    for (const { route } of allRoutes()) {
      const properties = byKey.get(routeKey(route));
      expect(properties?.AuthorizerId, routeKey(route)).toBeUndefined();
      expect(properties?.AuthorizationType ?? 'NONE', routeKey(route)).toBe('NONE');
    }
    edition.templates.api.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
  });

  it('gives every function the staff issuer and audience it verifies tokens against', () => {
    // Act
    const functions = Object.values(
      edition.templates.functions.findResources('AWS::Lambda::Function') as Resources,
    )
      .map(
        (fn) =>
          (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables,
      )
      .filter((variables) => variables?.EDITION_ID);

    // Assess
    expect(functions.length).toBeGreaterThan(0);
    for (const variables of functions) {
      expect(variables).toHaveProperty('STAFF_ISSUER');
      expect(variables).toHaveProperty('STAFF_AUDIENCE');
    }
  });

  it('lets the scheduler invoke only the function it targets and write only to its dead-letter queue', () => {
    // Act
    // The functions' schedules (the vote canary's start and stop have their own role: test/infra/run-safely.test.ts).
    const roles = Object.fromEntries(
      Object.entries(
        edition.templates.functions.findResources('AWS::IAM::Role', {
          Properties: {
            AssumeRolePolicyDocument: {
              Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' } })],
            },
          },
        }),
      ).filter(([id]) => !id.startsWith('MonitoringVotePath')),
    );
    const policies = Object.values(
      edition.templates.functions.findResources('AWS::IAM::Policy') as Resources,
    ).filter((policy) =>
      Object.keys(roles).some(
        (role) => JSON.stringify(policy.Properties?.Roles) === JSON.stringify([{ Ref: role }]),
      ),
    );

    // Assess
    expect(Object.keys(roles)).toHaveLength(
      FUNCTIONS.filter((fn) => fn.schedules(edition.config).length > 0).length,
    );
    for (const role of Object.values(roles) as Resources[string][]) {
      expect(JSON.stringify(role.Properties?.AssumeRolePolicyDocument)).toContain('aws:SourceAccount');
    }
    for (const policy of policies) {
      expect(policy.Properties?.PolicyDocument).toMatchObject({
        Statement: [
          {
            Action: 'lambda:InvokeFunction',
            Effect: 'Allow',
            // The function's `live` alias, which the schedule targets.
            Resource: { Ref: expect.stringMatching(/Live[0-9A-F]{8}$/) },
          },
          {
            Action: 'sqs:SendMessage',
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [expect.any(String), 'Arn'] },
          },
        ],
      });
    }
    expect(policies).toHaveLength(Object.keys(roles).length);
  });

  it('throttles and logs the default stage of the HTTP API', () => {
    // Assess
    edition.templates.functions.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 2000 }),
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
  });

  it('gives every event rule target and every schedule target a dead-letter queue and retries', () => {
    // Act
    const rules = Object.values(edition.templates.functions.findResources('AWS::Events::Rule') as Resources);
    const schedules = Object.values(
      edition.templates.functions.findResources('AWS::Scheduler::Schedule') as Resources,
    );
    const targets = [
      ...rules.flatMap((rule) => rule.Properties?.Targets as Record<string, unknown>[]),
      ...schedules.map((schedule) => schedule.Properties?.Target as Record<string, unknown>),
    ];

    // Assess
    expect(rules).toHaveLength(FUNCTIONS.reduce((sum, fn) => sum + fn.subscriptions.length, 0));
    expect(targets.length).toBeGreaterThan(0);
    for (const target of targets) {
      expect(target).toMatchObject({
        DeadLetterConfig: { Arn: expect.anything() },
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
      });
    }
    edition.templates.functions.allResourcesProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
    edition.templates.functions.allResourcesProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
  });

  it('matches each subscription with the event contract pattern (source, detail-type, version)', () => {
    // Assess
    edition.templates.functions.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['bp.editions'], 'detail-type': ['PhaseChanged'], detail: { version: [1] } },
      EventBusName: Match.anyValue(),
    });
  });

  it('runs every function on nodejs22.x for arm64 with source maps, tracing and the manifest environment', () => {
    // Act
    const functions = Object.values(
      edition.templates.functions.findResources('AWS::Lambda::Function') as Resources,
    );

    // Assess
    expect(functions).toHaveLength(FUNCTIONS.length);
    for (const spec of FUNCTIONS) {
      const fn = functions.find((candidate) =>
        JSON.stringify(candidate.Properties?.Environment).includes(
          `"POWERTOOLS_SERVICE_NAME":"${spec.name}"`,
        ),
      );
      expect(fn?.Properties, spec.name).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: spec.memoryMb ?? 256,
        Timeout: spec.timeoutSeconds ?? 10,
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: expect.anything() },
        Environment: {
          Variables: expect.objectContaining({
            [FUNCTION_ENV.edition]: 'test-minimal',
            [FUNCTION_ENV.mailFrom]: 'budget-participatif@test-minimal.example',
            [FUNCTION_ENV.staffIssuer]: {
              'Fn::Join': ['', ['https://cognito-idp.eu-west-3.amazonaws.com/', expect.anything()]],
            },
          }),
        },
      });
      // Every variable the manifest promises to every function, whatever the list grows to.
      const environment = fn?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined;
      const variables = environment?.Variables ?? {};
      expect(Object.values(FUNCTION_ENV).filter((name) => variables[name] === undefined)).toEqual([]);
    }
    // The other stacks hold only CDK's own providers (config seed, site deployment, bucket emptying, the reader
    // of the WAF web ACL's ARN exported from us-east-1, and the writer of the distribution's id to the edge alarms).
    const providers = ['data', 'web'].flatMap((part) =>
      Object.keys(edition.templates[part as 'data' | 'web'].findResources('AWS::Lambda::Function')),
    );
    for (const logicalId of providers) {
      expect(logicalId).toMatch(
        /^(AWS679f53fac|CustomCDKBucketDeployment|CustomS3AutoDeleteObjects|CustomCrossRegionExport(Reader|Writer))/,
      );
    }
  });

  it('grants wildcards only to X-Ray and names every other resource of the function roles', () => {
    // Act
    const policies = Object.values(
      edition.templates.functions.findResources('AWS::IAM::Policy') as Resources,
    );
    const statements = policies.flatMap(
      (policy) =>
        (policy.Properties?.PolicyDocument as { Statement: Record<string, unknown>[] } | undefined)
          ?.Statement ?? [],
    );

    // Assess
    for (const statement of statements.filter((candidate) => [candidate.Resource].flat().includes('*'))) {
      expect([statement.Action].flat().every((action) => String(action).startsWith('xray:'))).toBe(true);
    }
    expect(JSON.stringify(statements)).toContain(
      '"ses:FromAddress":"budget-participatif@test-minimal.example"',
    );
    expect(JSON.stringify(statements)).toContain('/index/gsi1');
    expect(JSON.stringify(statements)).not.toContain('/index/*');
  });

  it('creates a staff user pool with TOTP required, one group per staff role and an SRP-only web client', () => {
    // Assess
    edition.templates.auth.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        AdminCreateUserConfig: Match.objectLike({ AllowAdminCreateUserOnly: true }),
        UsernameAttributes: ['email'],
        Schema: Match.arrayWith([Match.objectLike({ Name: 'service', AttributeDataType: 'String' })]),
        DeletionProtection: 'ACTIVE',
        MfaConfiguration: 'ON',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      }),
    });
    for (const role of STAFF_ROLES) {
      edition.templates.auth.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: role });
    }
    edition.templates.auth.resourceCountIs('AWS::Cognito::UserPoolGroup', STAFF_ROLES.length);
    edition.templates.auth.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      // SRP and refresh only: no flow that sends the password itself.
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      WriteAttributes: ['name'],
    });
  });

  it('alarms on function errors and throttles, dead-letter queues and API 5xx, with one dashboard', () => {
    // Act
    const alarms = Object.values(
      edition.templates.functions.findResources('AWS::CloudWatch::Alarm') as Resources,
    );
    const metricNames = alarms.map((alarm) => alarm.Properties?.MetricName);
    const queues = Object.keys(edition.templates.functions.findResources('AWS::SQS::Queue'));

    // Assess
    expect(metricNames.filter((name) => name === 'Errors')).toHaveLength(FUNCTIONS.length);
    // Not on a function paced by its reserved concurrency (the mail fan-out): its throttles are its queue.
    expect(metricNames.filter((name) => name === 'Throttles')).toHaveLength(
      FUNCTIONS.filter((fn) => !pacedByConcurrency(fn)).length,
    );
    expect(metricNames.filter((name) => name === 'ApproximateNumberOfMessagesVisible')).toHaveLength(
      queues.length,
    );
    // The API's 5xx, as a share of its requests (metric math).
    expect(JSON.stringify(alarms)).toContain('"MetricName":"5xx"');
    for (const alarm of alarms) expect(alarm.Properties?.AlarmActions).toHaveLength(1);
    edition.templates.functions.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('sets no physical name on any resource, so a second edition never clashes', () => {
    // Prepare: properties that would fix a name; the generated names (bus, schedule group...) are checked by
    // the two-editions test.
    const nameProperties = [
      'TableName',
      'BucketName',
      'FunctionName',
      'RoleName',
      'QueueName',
      'TopicName',
      'UserPoolName',
      'LogGroupName',
      'DashboardName',
      'AlarmName',
    ];

    // Act
    const named = allTemplates(edition).flatMap(([part, template]) =>
      Object.entries(template.toJSON().Resources as Resources).flatMap(([logicalId, resource]) =>
        nameProperties
          // A reference (`{ Ref: ... }`) points at another resource; only a literal string fixes a name.
          .filter((key) => typeof resource.Properties?.[key] === 'string')
          .map((key) => `${part}/${logicalId}.${key}`),
      ),
    );

    // Assess
    expect(named).toEqual([]);
  });
});

interface SdkCall {
  parameters: { Item: { configJson: { S: string } } };
}

/** An AwsCustomResource call is JSON joined with the table's Ref: put a placeholder in and parse it. */
function parseSdkCall(value: unknown): SdkCall {
  const join = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  const text = join[1].map((part) => (typeof part === 'string' ? part : '<table>')).join(join[0]);
  return JSON.parse(text) as SdkCall;
}
