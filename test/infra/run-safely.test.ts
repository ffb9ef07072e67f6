import type { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTE_THROTTLES } from '../../lib/stacks/api-stack.ts';
import { allRoutes, FUNCTIONS, routeKey } from '../../shared/manifest.ts';
import { type BuiltEdition, buildApp, fixtureConfig } from './build-edition.ts';

type Resource = { Properties: Record<string, unknown> };
const resources = (template: Template, type: string) =>
  Object.entries(template.findResources(type) as Record<string, Resource>);

describe('run safely: pictures, throttles, alarms, metrics, fan-out', () => {
  let edition: BuiltEdition;
  let domainEdition: BuiltEdition;

  beforeAll(() => {
    edition = buildApp([fixtureConfig()]).editions[0] as BuiltEdition;
    domainEdition = buildApp([fixtureConfig()], {
      siteDomain: {
        domainName: 'budget.example.fr',
        certificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/abc',
      },
    }).editions[0] as BuiltEdition;
  });

  describe('citizens’ pictures in their own bucket', () => {
    const picturesBucket = (built: BuiltEdition) => {
      const found = resources(built.templates.web, 'AWS::S3::Bucket').filter(([id]) =>
        id.startsWith('Pictures'),
      );
      expect(found).toHaveLength(1);
      return found[0] as [string, Resource & { DeletionPolicy?: string; UpdateReplacePolicy?: string }];
    };

    it('is retained, versioned, private, encrypted and logged', () => {
      const [id, bucket] = picturesBucket(edition);
      expect(bucket.DeletionPolicy).toBe('Retain');
      expect(bucket.UpdateReplacePolicy).toBe('Retain');
      expect(bucket.Properties).toMatchObject({
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        LoggingConfiguration: { LogFilePrefix: 's3-pictures/' },
      });
      // TLS only: the bucket policy denies any request without it.
      const policy = resources(edition.templates.web, 'AWS::S3::BucketPolicy').find(
        ([, p]) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: id }),
      );
      expect(JSON.stringify(policy?.[1].Properties.PolicyDocument)).toContain(
        JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }),
      );
    });

    it('lets only the site’s origin PUT, with the type and the pending tag the URL signs', () => {
      const [, bucket] = picturesBucket(domainEdition);
      expect(bucket.Properties.CorsConfiguration).toEqual({
        CorsRules: [
          {
            AllowedMethods: ['PUT'],
            AllowedOrigins: ['https://budget.example.fr'],
            AllowedHeaders: ['content-type', 'x-amz-tagging'],
            MaxAge: 3000,
          },
        ],
      });
      // Without a custom domain: the distribution's own name, never `*`.
      const [, plain] = picturesBucket(edition);
      const origins = JSON.stringify(
        (plain.Properties.CorsConfiguration as { CorsRules: { AllowedOrigins: unknown[] }[] }).CorsRules[0]
          ?.AllowedOrigins,
      );
      expect(origins).toContain('DomainName');
      expect(origins).not.toContain('"*"');
    });

    it('expires uploads no idea refers to after a day, and old versions after a month', () => {
      const [, bucket] = picturesBucket(edition);
      const rules = (bucket.Properties.LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;
      expect(rules).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Id: 'orphan-uploads',
            Prefix: 'uploads/',
            TagFilters: [{ Key: 'bp-picture', Value: 'pending' }],
            ExpirationInDays: 1,
            Status: 'Enabled',
          }),
          expect.objectContaining({
            Id: 'old-versions',
            NoncurrentVersionExpiration: { NoncurrentDays: 30 },
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
            ExpiredObjectDeleteMarker: true,
          }),
        ]),
      );
    });

    it('the site bucket holds no pictures: no CORS, and the ideas function is granted the pictures bucket only', () => {
      const site = resources(edition.templates.web, 'AWS::S3::Bucket').find(([id]) => id.startsWith('Site'));
      expect(site?.[1].Properties.CorsConfiguration).toBeUndefined();
      edition.templates.functions.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ PICTURES_BUCKET: Match.anyValue() }) },
      });
      const policies = JSON.stringify(edition.templates.functions.findResources('AWS::IAM::Policy'));
      expect(policies).toContain('PicturesBucketArn"},"/uploads/*"');
      expect(policies).not.toContain('SiteBucketArn"},"/uploads/*"');
      expect(policies).not.toMatch(/s3:DeleteObject/);
    });
  });

  describe('per-route throttles', () => {
    it('limits the code and session routes below the stage, on the stage created after the routes', () => {
      // Every throttled key is a route of the manifest (a typo would fail the deploy, not the synth).
      const keys = new Set(allRoutes().map(({ route }) => routeKey(route)));
      for (const key of Object.keys(ROUTE_THROTTLES)) expect(keys.has(key), key).toBe(true);
      expect(Object.keys(ROUTE_THROTTLES).sort()).toEqual([
        'POST /api/editions/{edition}/identity/code',
        'POST /api/editions/{edition}/identity/session',
      ]);
      const stages = resources(edition.templates.functions, 'AWS::ApiGatewayV2::Stage');
      expect(stages).toHaveLength(1);
      edition.templates.api.resourceCountIs('AWS::ApiGatewayV2::Stage', 0);
      const [stageId, stage] = stages[0] as [string, Resource & { DependsOn?: string[] }];
      const settings = stage.Properties.RouteSettings as Record<string, Record<string, unknown>>;
      expect(settings['POST /api/editions/{edition}/identity/code']).toEqual({
        ThrottlingRateLimit: 20,
        ThrottlingBurstLimit: 40,
        DetailedMetricsEnabled: true,
      });
      expect(settings['POST /api/editions/{edition}/identity/session']).toEqual({
        ThrottlingRateLimit: 50,
        ThrottlingBurstLimit: 100,
        DetailedMetricsEnabled: true,
      });
      const defaults = stage.Properties.DefaultRouteSettings as Record<string, number>;
      for (const limit of Object.values(settings)) {
        expect(limit.ThrottlingRateLimit).toBeLessThan(defaults.ThrottlingRateLimit as number);
      }
      // The stage waits for the routes it names (API Gateway refuses route settings of unknown routes).
      const routes = resources(edition.templates.functions, 'AWS::ApiGatewayV2::Route');
      const named = routes.filter(([, route]) => String(route.Properties.RouteKey) in settings);
      expect(named).toHaveLength(2);
      for (const [routeId] of named) expect(stage.DependsOn ?? [], stageId).toContain(routeId);
    });
  });

  describe('alarms that page someone, and not for nothing', () => {
    type Alarm = Resource & { Properties: Record<string, unknown> };
    const alarms = () =>
      resources(edition.templates.functions, 'AWS::CloudWatch::Alarm') as [string, Alarm][];
    const alarmOn = (metricName: string, namespace?: string) => {
      const found = alarms().filter(
        ([, alarm]) =>
          JSON.stringify(alarm.Properties).includes(`"MetricName":"${metricName}"`) &&
          (!namespace || JSON.stringify(alarm.Properties).includes(`"Namespace":"${namespace}"`)),
      );
      expect(found.length, metricName).toBeGreaterThan(0);
      return found.map(([, alarm]) => alarm.Properties);
    };

    it('pages on the API by rate and duration: 5xx over 1%, 4xx over 25% for 15 min, 429s, p99 latency', () => {
      const [api5xx] = alarmOn('5xx');
      expect(api5xx).toMatchObject({ Threshold: 1, EvaluationPeriods: 2, DatapointsToAlarm: 2 });
      expect(JSON.stringify(api5xx?.Metrics)).toContain('IF(requests >= 20, 100 * errors / requests, 0)');
      const [api4xx] = alarmOn('4xx');
      expect(api4xx).toMatchObject({ Threshold: 25, EvaluationPeriods: 3, DatapointsToAlarm: 3 });
      expect(JSON.stringify(api4xx?.Metrics)).toContain('IF(requests >= 200');
      expect(alarmOn('Throttled429', 'BudgetParticipatif/Api')[0]).toMatchObject({
        Threshold: 50,
        EvaluationPeriods: 2,
        Dimensions: [{ Name: 'edition', Value: edition.config.id }],
      });
      expect(alarmOn('Latency', 'AWS/ApiGateway')[0]).toMatchObject({
        ExtendedStatistic: 'p99',
        Threshold: 3000,
        EvaluationPeriods: 3,
      });
      // The 429 metric comes from the access log's status.
      edition.templates.api.hasResourceProperties('AWS::Logs::MetricFilter', {
        FilterPattern: '{ $.status = "429" }',
        MetricTransformations: [
          Match.objectLike({ MetricNamespace: 'BudgetParticipatif/Api', MetricName: 'Throttled429' }),
        ],
      });
    });

    it('pages on DynamoDB throttles (sustained) and system errors of every operation', () => {
      const throttles = alarms().find(([id]) => id.includes('TableThrottles'))?.[1].Properties;
      expect(throttles).toMatchObject({ Threshold: 25, EvaluationPeriods: 2 });
      const metrics = JSON.stringify(throttles?.Metrics);
      for (const operation of ['GetItem', 'Query', 'TransactWriteItems', 'BatchWriteItem'])
        expect(metrics).toContain(`"Value":"${operation}"`);
      expect(metrics).toContain('"MetricName":"ThrottledRequests"');
      const errors = alarms().find(([id]) => id.includes('TableSystemErrors'))?.[1].Properties;
      expect(JSON.stringify(errors?.Metrics)).toContain('"MetricName":"SystemErrors"');
    });

    it('pages before a function times out or runs out of reserved concurrency', () => {
      const nearTimeout = alarms().filter(([id]) => id.includes('NearTimeout'));
      expect(nearTimeout).toHaveLength(FUNCTIONS.length);
      const results = nearTimeout.find(([id]) => id.includes('results'))?.[1].Properties;
      // 80% of the results function's 300 s.
      expect(results).toMatchObject({ MetricName: 'Duration', ExtendedStatistic: 'p99', Threshold: 240_000 });
      const voting = alarms().find(([id]) => id.includes('votingConcurrency'))?.[1].Properties;
      expect(voting).toMatchObject({
        MetricName: 'ConcurrentExecutions',
        Threshold: 80,
        EvaluationPeriods: 5,
      });
      const account = alarms().find(([id]) => id.includes('AccountConcurrency'))?.[1].Properties;
      expect(account).toMatchObject({ Threshold: 800 });
      expect(account?.Dimensions).toBeUndefined();
    });

    it('pages on the SES reputation before AWS reviews the account', () => {
      expect(alarmOn('Reputation.BounceRate', 'AWS/SES')[0]).toMatchObject({ Threshold: 0.04 });
      expect(alarmOn('Reputation.ComplaintRate', 'AWS/SES')[0]).toMatchObject({ Threshold: 0.0008 });
    });

    it('sends every alarm and its end to the topic, and treats no data as no trouble', () => {
      for (const [id, alarm] of alarms()) {
        expect(alarm.Properties.AlarmActions, id).toHaveLength(1);
        expect(alarm.Properties.OKActions, id).toHaveLength(1);
        expect(alarm.Properties.TreatMissingData, id).toBe('notBreaching');
      }
    });
  });

  describe('business metrics and the vote canary', () => {
    it('plots codes sent, ideas submitted and ballots cast per minute on the edition dashboard', () => {
      const dashboards = resources(edition.templates.functions, 'AWS::CloudWatch::Dashboard');
      expect(dashboards).toHaveLength(1);
      const [, dashboard] = dashboards[0] as [string, Resource];
      const parts = (dashboard.Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] })[
        'Fn::Join'
      ][1];
      const body = JSON.parse(parts.map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('')) as {
        widgets: { properties: { metrics?: unknown[][] } }[];
      };
      const metrics = body.widgets.flatMap((widget) => widget.properties.metrics ?? []);
      for (const [name, service] of [
        ['CodesSent', 'identity'],
        ['IdeasSubmitted', 'ideas'],
        ['BallotsCast', 'voting'],
      ]) {
        const metric = metrics.find((line) => line[0] === 'BudgetParticipatif' && line[1] === name);
        expect(metric, name).toBeDefined();
        const dimensions = metric?.slice(2, 6).join(',');
        expect(dimensions).toBe(`edition,${edition.config.id},service,${service}`);
        expect(metric?.[6]).toMatchObject({ period: 60, stat: 'Sum' });
      }
    });

    it('runs a canary on the vote page and the edition API from the vote’s opening to a day after it closes', () => {
      const canaries = resources(edition.templates.functions, 'AWS::Synthetics::Canary');
      expect(canaries).toHaveLength(1);
      const canary = canaries[0]?.[1].Properties as {
        StartCanaryAfterCreation: boolean;
        RuntimeVersion: string;
        Code: { Script: string };
        Schedule: { Expression: string };
      };
      expect(canary.StartCanaryAfterCreation).toBe(false);
      expect(canary.RuntimeVersion).toMatch(/^syn-nodejs-puppeteer-/);
      expect(canary.Code.Script).toContain("'/vote.html'");
      expect(canary.Code.Script).toContain("'/api/editions/'");
      expect(canary.Schedule.Expression).toBe('rate(5 minutes)');
      const schedules = resources(edition.templates.functions, 'AWS::Scheduler::Schedule').filter(([id]) =>
        id.includes('VotePath'),
      );
      const { calendar, timeZone } = edition.config;
      const byAction = Object.fromEntries(
        schedules.map(([, schedule]) => {
          const props = schedule.Properties as {
            ScheduleExpressionTimezone: string;
            ScheduleExpression: string;
            Target: { Arn: unknown };
          };
          expect(props.ScheduleExpressionTimezone).toBe(timeZone);
          return [
            /aws-sdk:synthetics:(\w+)/.exec(JSON.stringify(props.Target.Arn))?.[1],
            props.ScheduleExpression,
          ];
        }),
      );
      expect(byAction.startCanary).toBe(`at(${calendar.voteOpen}:00)`);
      const stop = new Date(`${calendar.voteClose}:00Z`);
      stop.setUTCDate(stop.getUTCDate() + 1);
      expect(byAction.stopCanary).toBe(`at(${stop.toISOString().slice(0, 16)}:00)`);
      // Its own role, for this schedule group only, allowed to start and stop this canary only.
      const roles = resources(edition.templates.functions, 'AWS::IAM::Role').filter(([id]) =>
        id.startsWith('MonitoringVotePathSchedulerRole'),
      );
      expect(roles).toHaveLength(1);
      expect(JSON.stringify(roles[0]?.[1].Properties.AssumeRolePolicyDocument)).toContain('aws:SourceArn');
      const policy = JSON.stringify(
        resources(edition.templates.functions, 'AWS::IAM::Policy').filter(([id]) =>
          id.startsWith('MonitoringVotePathSchedulerRole'),
        ),
      );
      expect(policy).toContain('synthetics:StartCanary');
      expect(policy).toContain('synthetics:StopCanary');
      expect(policy).not.toContain('"Resource":"*"');
      const [canaryAlarm] = alarmsOf(edition.templates.functions, 'SuccessPercent');
      expect(canaryAlarm).toMatchObject({
        ComparisonOperator: 'LessThanThreshold',
        Threshold: 100,
        EvaluationPeriods: 2,
      });
    });
  });

  describe('batch work out of the HTTP functions: the results and followers mail fan-out', () => {
    it('runs in its own function, with its own timeout, paced by its reserved concurrency, off the API', () => {
      const fanout = FUNCTIONS.find((fn) => fn.name === 'mail-fanout');
      expect(fanout).toMatchObject({ timeoutSeconds: 300, reservedConcurrency: 2, routes: [] });
      edition.templates.functions.hasResourceProperties('AWS::Lambda::Function', {
        Timeout: 300,
        ReservedConcurrentExecutions: 2,
        Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'mail-fanout' }) },
      });
      // Only the fan-out hears ResultsPublished for mail; the notifications function (HTTP routes) no longer does.
      const rules = resources(edition.templates.functions, 'AWS::Events::Rule');
      const hearing = (detailType: string) =>
        rules
          .filter(([, rule]) => JSON.stringify(rule.Properties.EventPattern).includes(`"${detailType}"`))
          .map(([id]) => id);
      expect(hearing('ResultsMailBatchRequested')).toEqual([expect.stringMatching(/^mailfanout/)]);
      expect(hearing('ResultsPublished').filter((id) => id.startsWith('notifications'))).toEqual([]);
      expect(hearing('ResultsPublished').filter((id) => id.startsWith('mailfanout'))).toHaveLength(1);
      // The same for a winner's followers: only the fan-out hears RealisationUpdated, and its own batches.
      expect(hearing('RealisationUpdated')).toEqual([expect.stringMatching(/^mailfanout/)]);
      expect(hearing('RealisationMailBatchRequested')).toEqual([expect.stringMatching(/^mailfanout/)]);
      // Each rule with retries and a dead-letter queue, the failures of the handler in another.
      for (const id of [
        ...hearing('ResultsMailBatchRequested'),
        ...hearing('ResultsPublished'),
        ...hearing('RealisationUpdated'),
        ...hearing('RealisationMailBatchRequested'),
      ]) {
        const targets = (rules.find(([ruleId]) => ruleId === id)?.[1].Properties.Targets ?? []) as Record<
          string,
          unknown
        >[];
        for (const target of targets) expect(target.DeadLetterConfig, id).toBeDefined();
      }
      edition.templates.functions.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: Match.objectLike({ Ref: Match.stringLikeRegexp('^mailfanout') }),
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
      });
    });
  });

  describe('the edge: WAF logs, WAF blocks and CloudFront 5xx, in us-east-1', () => {
    let edgeStacks: { acl: Template; alarms: Template; alarmsRegion: string };

    beforeAll(() => {
      const { app } = buildApp([fixtureConfig()], { alarmEmail: 'astreinte@exemple.fr' });
      const stack = (name: string) => app.node.findChild(name) as Stack;
      const alarms = stack('Bp-test-minimal-EdgeAlarms');
      edgeStacks = {
        acl: Template.fromStack(stack('Bp-test-minimal-Edge')),
        alarms: Template.fromStack(alarms),
        alarmsRegion: alarms.region,
      };
    });

    it('logs what the WAF blocks or counts to an aws-waf-logs-* group kept 90 days, without credentials', () => {
      edgeStacks.acl.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: 'aws-waf-logs-bp-test-minimal',
        RetentionInDays: 90,
      });
      edgeStacks.acl.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
        ResourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebAcl'), 'Arn'] },
        LogDestinationConfigs: [Match.objectLike({ 'Fn::Join': Match.anyValue() })],
        RedactedFields: [{ SingleHeader: { Name: 'authorization' } }, { SingleHeader: { Name: 'cookie' } }],
        LoggingFilter: Match.objectLike({ DefaultBehavior: 'DROP' }),
      });
      const config = resources(edgeStacks.acl, 'AWS::WAFv2::LoggingConfiguration')[0]?.[1];
      const destination = JSON.stringify(config?.Properties.LogDestinationConfigs);
      // The log group's name (a Ref), after `:log-group:`, with no `:*` suffix.
      expect(destination).toMatch(/":log-group:",\{"Ref":"WafLogs[0-9A-F]{8}"\}\]\]\}\]$/);
      expect(destination).not.toContain(':*');
    });

    it('pages on CloudFront 5xx and WAF blocks from us-east-1, on its own topic with the alarm address', () => {
      expect(edgeStacks.alarmsRegion).toBe('us-east-1');
      const alarms = resources(edgeStacks.alarms, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
      expect(alarms.find((a) => a.MetricName === '5xxErrorRate')).toMatchObject({
        Namespace: 'AWS/CloudFront',
        Threshold: 5,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        Dimensions: expect.arrayContaining([{ Name: 'Region', Value: 'Global' }]),
      });
      expect(alarms.find((a) => a.MetricName === 'BlockedRequests')).toMatchObject({
        Namespace: 'AWS/WAFV2',
        Threshold: 500,
        Dimensions: expect.arrayContaining([
          { Name: 'Rule', Value: 'ALL' },
          { Name: 'WebACL', Value: 'bp-test-minimal-web-acl' },
        ]),
      });
      for (const alarm of alarms) expect(alarm.AlarmActions).toHaveLength(1);
      edgeStacks.alarms.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: 'astreinte@exemple.fr',
      });
    });
  });
});

function alarmsOf(template: Template, metricName: string) {
  return resources(template, 'AWS::CloudWatch::Alarm')
    .map(([, alarm]) => alarm.Properties)
    .filter((properties) => properties.MetricName === metricName);
}
