import { Duration, Fn, Stack } from 'aws-cdk-lib';
import { HttpMethod, HttpRoute, HttpRouteKey, type IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { CfnConfigurationSet, CfnConfigurationSetEventDestination } from 'aws-cdk-lib/aws-ses';
import type { Construct } from 'constructs';
import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import { awsEventPattern, MAIL_CONFIGURATION_SET_ENV } from '../../shared/email/ses-feedback.ts';
import {
  FUNCTIONS,
  type RouteSpec,
  routeKey,
  SITE_ENV,
  type SubscriptionSpec,
} from '../../shared/manifest.ts';
import { BpFunction } from '../constructs/bp-function.ts';
import { DeadLetterQueue } from '../constructs/dead-letter-queue.ts';
import { EditionMonitoring } from '../constructs/edition-monitoring.ts';
import { ApiStage, type ApiStageSettings } from './api-stack.ts';
import { EditionStack, type EditionStackProps } from './edition-stack.ts';

/** A readable, stable construct id for a route: `GET-api-editions-edition-staff-phase`. */
export function routeConstructId(route: Pick<RouteSpec, 'method' | 'path'>): string {
  return `${route.method}-${route.path.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '')}`;
}

export interface FunctionsStackProps extends EditionStackProps {
  readonly config: EditionConfig;
  readonly projectRoot: string;
  readonly table: ITableV2;
  readonly bus: IEventBus;
  readonly httpApi: IHttpApi;
  /** The stage is created here, after the routes its per-route throttles name (lib/stacks/api-stack.ts). */
  readonly apiStage: ApiStageSettings;
  /** Issuer of staff tokens (lib/stacks/auth-stack.ts). */
  readonly staffIssuer: string;
  readonly webClient: IUserPoolClient;
  readonly siteUrl: string;
  /**
   * Export name of the site bucket's ARN (lib/stacks/web-stack.ts), for functions whose manifest entry
   * `writesSiteData`.
   * @default none (a function that writes site data then fails the synth)
   */
  readonly siteBucketArnExport?: string;
  /**
   * Export name of the pictures bucket's ARN (lib/stacks/web-stack.ts), for functions whose manifest entry
   * `presignsUploads`.
   * @default none (a function that presigns uploads then fails the synth)
   */
  readonly picturesBucketArnExport?: string;
  /** The manifest's secrets by id (lib/stacks/data-stack.ts). */
  readonly secrets: Readonly<Record<string, ISecret>>;
  /** @default no subscription to the alarm topic */
  readonly alarmEmail?: string;
}

/**
 * The edition's compute, generated from the manifest: one function per entry, its routes on the HTTP API,
 * its event rules on the edition bus, its schedules, and the alarms and dashboard that watch them.
 */
export class FunctionsStack extends EditionStack {
  readonly functions: BpFunction[];
  /** The SES configuration set every sender of the edition sends through (`MAIL_CONFIGURATION_SET`). */
  readonly mailConfigurationSet: CfnConfigurationSet;
  readonly scheduleGroup: ScheduleGroup;
  readonly routes: { route: RouteSpec; construct: HttpRoute }[] = [];
  readonly monitoring: EditionMonitoring;
  readonly apiStage: ApiStage;

  constructor(scope: Construct, id: string, props: FunctionsStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.scheduleGroup = new ScheduleGroup(this, 'Schedules');
    // No API Gateway authorizer: every function verifies the bearer token itself and enforces the
    // manifest's roles (shared/http/http-handler.ts), so a refusal is problem+json like any other,
    // staff and citizen tokens share one path, and the local runtime behaves exactly as deployed.
    const staffTokens = { issuer: props.staffIssuer, audience: props.webClient.userPoolClientId };

    // One configuration set for every email of the edition: a bounce or complaint of any sender (codes, receipts,
    // notifications) comes back as an event that suppresses the address, and SES's own suppression list applies.
    this.mailConfigurationSet = mailConfigurationSet(this);

    const seenRoutes = new Set<string>();
    this.functions = FUNCTIONS.map((spec) => {
      const bp = new BpFunction(this, spec.name, {
        spec,
        projectRoot: props.projectRoot,
        editionId: config.id,
        mailFrom: config.mailFrom,
        siteUrl: props.siteUrl,
        staffTokens,
        table: props.table,
        bus: props.bus,
        secrets: props.secrets,
      });

      if (spec.permissions.writesSiteData) grantSiteData(bp, props.siteBucketArnExport);
      if (spec.permissions.presignsUploads) grantPictures(bp, props.picturesBucketArnExport);

      const integration = new HttpLambdaIntegration(`${spec.name}-Integration`, bp.live);
      for (const route of spec.routes) {
        const key = routeKey(route);
        if (seenRoutes.has(key)) throw new Error(`Route declared twice in the manifest: ${key}`);
        seenRoutes.add(key);
        const construct = new HttpRoute(bp, `Route-${routeConstructId(route)}`, {
          httpApi: props.httpApi,
          routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
          integration,
        });
        this.routes.push({ route, construct });
      }

      for (const subscription of spec.subscriptions) {
        if (subscription.bus === 'aws') subscribeSesFeedback(bp, subscription, this.mailConfigurationSet);
        else bp.subscribe(props.bus, subscription);
      }
      for (const schedule of spec.schedules(config)) bp.schedule(this.scheduleGroup, schedule);
      if (spec.permissions.sendsEmail) sendThrough(bp, this.mailConfigurationSet);
      return bp;
    });

    this.apiStage = new ApiStage(this, 'Api', {
      ...props.apiStage,
      httpApi: props.httpApi,
      routes: this.routes.map(({ construct }) => construct),
    });

    this.monitoring = new EditionMonitoring(this, 'Monitoring', {
      editionId: config.id,
      httpApi: props.httpApi,
      functions: this.functions,
      table: props.table,
      alarmEmail: props.alarmEmail,
      voteCanary: {
        siteUrl: props.siteUrl,
        opensAt: config.calendar.voteOpen,
        closesAt: config.calendar.voteClose,
        timeZone: config.timeZone,
        scheduleGroup: this.scheduleGroup,
      },
    });
  }
}

/**
 * Names the site bucket in `SITE_BUCKET` and allows `s3:PutObject` under `data/` only (public files such as the
 * static list of ideas): the function can neither delete nor touch the rest of the site.
 */
function grantSiteData(bp: BpFunction, arnExport: string | undefined): void {
  if (!arnExport) throw new Error(`${bp.spec.name} writes site data but no site bucket was given`);
  // Imported by its export name (not a cross-stack token): the grant then reads the same before and after
  // synthesis, which is what lets lib/nag.ts acknowledge its `data/*` wildcard by a stable id.
  const bucketArn = Fn.importValue(arnExport);
  bp.fn.addEnvironment(SITE_ENV.bucket, Fn.select(5, Fn.split(':', bucketArn)));
  bp.role.addToPrincipalPolicy(
    new PolicyStatement({ actions: ['s3:PutObject'], resources: [`${bucketArn}/data/*`] }),
  );
}

/**
 * Names the pictures bucket in `PICTURES_BUCKET` and allows, under `uploads/` only, `s3:PutObject` with
 * `s3:PutObjectTagging` (presigned uploads carry the `pending` tag; the function tags a picture `attached`),
 * and `s3:GetObject` (presigned reads, and the check of what was stored). No delete: the lifecycle removes orphans.
 */
function grantPictures(bp: BpFunction, arnExport: string | undefined): void {
  if (!arnExport) throw new Error(`${bp.spec.name} presigns uploads but no pictures bucket was given`);
  const bucketArn = Fn.importValue(arnExport);
  bp.fn.addEnvironment(SITE_ENV.pictures, Fn.select(5, Fn.split(':', bucketArn)));
  bp.role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['s3:PutObject', 's3:PutObjectTagging', 's3:GetObject'],
      resources: [`${bucketArn}/uploads/*`],
    }),
  );
}

/**
 * The edition's SES configuration set: reputation metrics, SES's suppression list for bounces and complaints,
 * and their events published to the account's default bus (where the notifications function's rule, filtered
 * on this set, records the suppression: `subscribeSesFeedback`).
 */
function mailConfigurationSet(scope: Construct): CfnConfigurationSet {
  const configurationSet = new CfnConfigurationSet(scope, 'MailConfigurationSet', {
    sendingOptions: { sendingEnabled: true },
    reputationOptions: { reputationMetricsEnabled: true },
    suppressionOptions: { suppressedReasons: ['BOUNCE', 'COMPLAINT'] },
  });
  new CfnConfigurationSetEventDestination(scope, 'MailFeedbackDestination', {
    configurationSetName: configurationSet.ref,
    eventDestination: {
      enabled: true,
      matchingEventTypes: ['BOUNCE', 'COMPLAINT'],
      eventBridgeDestination: {
        eventBusArn: Stack.of(scope).formatArn({
          service: 'events',
          resource: 'event-bus',
          resourceName: 'default',
        }),
      },
    },
  });
  return configurationSet;
}

/**
 * A sender (manifest `sendsEmail`) sends through the edition's configuration set: its name in
 * `MAIL_CONFIGURATION_SET` (shared/email/mailer.ts passes it on every SendEmail), and `ses:SendEmail` on the set,
 * which SES authorises next to the identity (lib/constructs/bp-function.ts grants the identity, sender-bound).
 */
function sendThrough(bp: BpFunction, configurationSet: CfnConfigurationSet): void {
  bp.fn.addEnvironment(MAIL_CONFIGURATION_SET_ENV, configurationSet.ref);
  bp.role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['ses:SendEmail', 'ses:SendRawEmail'],
      resources: [
        Stack.of(bp).formatArn({
          service: 'ses',
          resource: 'configuration-set',
          resourceName: configurationSet.ref,
        }),
      ],
    }),
  );
}

/**
 * SES feedback of the edition's mail (manifest subscription with `bus: 'aws'`): a rule on the account's default
 * bus, filtered on the edition's configuration set (editions share the default bus), that runs the function with
 * the retries and dead-letter queue of any rule.
 */
function subscribeSesFeedback(
  bp: BpFunction,
  subscription: SubscriptionSpec,
  configurationSet: CfnConfigurationSet,
): void {
  if (subscription.events.some((contract) => contract.source !== 'aws.ses')) {
    throw new Error(`Only SES events come from the default bus (${bp.spec.name}/${subscription.id})`);
  }
  const defaultBus = EventBus.fromEventBusName(bp, 'DefaultBus', 'default');
  const deadLetters = new DeadLetterQueue(bp, 'SesFeedbackDlq');
  bp.deadLetterQueues.push(deadLetters);
  const pattern = awsEventPattern(subscription.events);
  new Rule(bp, `Rule-${subscription.id}`, {
    eventBus: defaultBus,
    description: `${bp.spec.name} <- ${pattern['detail-type'].join(', ')} (SES)`,
    eventPattern: {
      source: pattern.source,
      detailType: pattern['detail-type'],
      detail: { mail: { tags: { 'ses:configuration-set': [configurationSet.ref] } } },
    },
    targets: [
      new LambdaFunction(bp.live, {
        deadLetterQueue: deadLetters.queue,
        retryAttempts: 185,
        maxEventAge: Duration.hours(24),
      }),
    ],
  });
}
