import { join } from 'node:path';
import { Duration, Stack, Stage, TimeZone } from 'aws-cdk-lib';
import type { IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { LambdaDeploymentConfig, LambdaDeploymentGroup } from 'aws-cdk-lib/aws-codedeploy';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Alias,
  Architecture,
  Function as LambdaFunctionResource,
  Runtime,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type IScheduleGroup, Schedule, ScheduleExpression, TimeWindow } from 'aws-cdk-lib/aws-scheduler';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import {
  INDEX_ACTIONS,
  TABLE_READ_ACTIONS,
  TABLE_UPDATE_ACTIONS,
  TABLE_WRITE_ACTIONS,
} from '../../shared/dynamo/key-access.ts';
import { eventPattern } from '../../shared/events/define-event.ts';
import {
  FUNCTION_ENV,
  type FunctionSpec,
  type KeyPattern,
  type ScheduleSpec,
  type SubscriptionSpec,
  TABLE,
  type TableAccess,
  tableAccessOf,
} from '../../shared/manifest.ts';
import { DeadLetterQueue } from './dead-letter-queue.ts';
import { functionBundle } from './function-bundle.ts';
import { FunctionScheduleTarget } from './function-schedule-target.ts';

export interface BpFunctionProps {
  /** The manifest entry this function implements. */
  readonly spec: FunctionSpec;
  /** Absolute path of the repository: `spec.entry` and the lock file are resolved from it. */
  readonly projectRoot: string;
  readonly editionId: string;
  /** Sender address of the edition; also scopes the SES permission when `spec.permissions.sendsEmail`. */
  readonly mailFrom: string;
  /** Public URL of the edition's site, for links in emails and redirects. */
  readonly siteUrl: string;
  /** Issuer and audience (web client id) of staff tokens, which handlers verify themselves too. */
  readonly staffTokens: { readonly issuer: string; readonly audience: string };
  readonly table: ITableV2;
  readonly bus: IEventBus;
  /**
   * Secrets by manifest id; the function reads those its spec declares.
   * @default none (a spec that declares a secret then fails the synth)
   */
  readonly secrets?: Readonly<Record<string, ISecret>>;
  /**
   * Memory of the function.
   * @default spec.memoryMb, else 256
   */
  readonly memoryMb?: number;
  /**
   * Timeout of one invocation.
   * @default spec.timeoutSeconds, else 10 seconds
   */
  readonly timeout?: Duration;
  /**
   * How long the function's logs are kept.
   * @default RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: RetentionDays;
  /**
   * X-Ray tracing mode.
   * @default Tracing.ACTIVE
   */
  readonly tracing?: Tracing;
  /**
   * Retries of an asynchronous invocation (event or schedule) whose handler threw.
   * @default 2, Lambda's maximum: handlers are idempotent, a third failure is a bug for a human
   */
  readonly asyncRetryAttempts?: number;
  /**
   * Retries of EventBridge and Scheduler when they cannot deliver to the function (throttling, outage).
   * @default 185, the maximum of both services
   */
  readonly deliveryRetryAttempts?: number;
  /**
   * How long an undelivered event or schedule keeps being retried before it lands in the DLQ.
   * @default Duration.hours(24), the maximum of both services
   */
  readonly deliveryMaxEventAge?: Duration;
  /**
   * Where the bundle's source maps go instead of the deployed zip: `<dir>/<sha256 of the file, 16 hex>.mjs.map` for
   * each of its files (function-bundle.ts).
   * @default `source-maps/<edition>/<function>` in the cloud assembly's folder (`cdk.out`), beside the assets
   */
  readonly sourceMapsDir?: string;
}

/**
 * One Lambda function of the manifest with every default of the platform: Node.js 22 on ARM64, minified ES module
 * chunks whose source maps are kept beside the deployed zip (not in it), its own log group, tracing, a
 * least-privilege role. Access is granted together
 * with the environment variable that names the resource, and every asynchronous trigger (EventBridge rule,
 * schedule) gets retries and a dead-letter queue, so a function cannot be wired half-way.
 */
export class BpFunction extends Construct {
  readonly spec: FunctionSpec;
  readonly fn: LambdaFunctionResource;
  /**
   * The `live` alias: what every route, rule and schedule invokes. A deploy publishes a new version and moves
   * the alias to it gradually (see `deployment`).
   */
  readonly live: Alias;
  /**
   * Moves `live` to a new version: 10% of invocations for 5 minutes, then all; back to the previous version at
   * once if an alarm added with `rollbackOn` fires meanwhile.
   */
  readonly deployment: LambdaDeploymentGroup;
  readonly role: Role;
  readonly logGroup: LogGroup;
  /** Every dead-letter queue of this function (delivery failures and handler failures). */
  readonly deadLetterQueues: DeadLetterQueue[] = [];

  private readonly props: BpFunctionProps;
  private deliveryQueue?: DeadLetterQueue;
  private schedulerRole?: Role;
  private asyncConfigured = false;

  constructor(scope: Construct, id: string, props: BpFunctionProps) {
    super(scope, id);
    this.props = props;
    this.spec = props.spec;

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.THREE_MONTHS,
    });
    // Our own role rather than the default one: it gets write access to this log group only, instead of
    // the AWS managed AWSLambdaBasicExecutionRole that can write to every log group of the account.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Budget participatif ${props.editionId}: ${props.spec.name} function`,
    });
    this.logGroup.grantWrite(this.role);

    this.fn = new LambdaFunctionResource(this, 'Function', {
      // ES modules split in chunks, the SDK inside, source maps beside the zip: see function-bundle.ts.
      code: functionBundle({
        projectRoot: props.projectRoot,
        entry: props.spec.entry,
        sourceMapsDir:
          props.sourceMapsDir ??
          join(Stage.of(scope)?.outdir ?? props.projectRoot, 'source-maps', props.editionId, props.spec.name),
      }),
      handler: 'index.handler',
      description: props.spec.description.slice(0, 256),
      // Pinned on purpose (not "latest"): the bundle targets node22 and a runtime change must be a decision.
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memoryMb ?? props.spec.memoryMb ?? 256,
      timeout: props.timeout ?? Duration.seconds(props.spec.timeoutSeconds ?? 10),
      role: this.role,
      logGroup: this.logGroup,
      ...(props.spec.reservedConcurrency
        ? { reservedConcurrentExecutions: props.spec.reservedConcurrency }
        : {}),
      tracing: props.tracing ?? Tracing.ACTIVE,
      environment: {
        [FUNCTION_ENV.edition]: props.editionId,
        [FUNCTION_ENV.mailFrom]: props.mailFrom,
        [FUNCTION_ENV.siteUrl]: props.siteUrl,
        [FUNCTION_ENV.staffIssuer]: props.staffTokens.issuer,
        [FUNCTION_ENV.staffAudience]: props.staffTokens.audience,
        POWERTOOLS_SERVICE_NAME: props.spec.name,
        POWERTOOLS_METRICS_NAMESPACE: 'BudgetParticipatif',
      },
    });

    this.live = new Alias(this, 'Live', { aliasName: 'live', version: this.fn.currentVersion });
    this.deployment = new LambdaDeploymentGroup(this, 'Deployment', {
      alias: this.live,
      deploymentConfig: LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES,
    });

    const { publishes, sendsEmail } = props.spec.permissions;
    this.grantTable(props.table, tableAccessOf(props.spec, props.editionId));
    this.grantBus(props.bus, publishes.length > 0);
    if (sendsEmail) this.grantSendEmail(props.mailFrom);
    for (const declared of props.spec.secrets ?? []) {
      const secret = props.secrets?.[declared.id];
      if (!secret) throw new Error(`Secret ${declared.id} of ${props.spec.name} is not provided`);
      this.grantSecret(secret, declared.env);
    }
  }

  /** A deploy whose new version sets off `alarm` before it takes all the traffic goes back to the previous one. */
  rollbackOn(alarm: IAlarm): void {
    this.deployment.addAlarm(alarm);
  }

  /** Names the secret in `env` (its ARN) and allows reading its value, nothing else. */
  grantSecret(secret: ISecret, env: string): void {
    this.fn.addEnvironment(env, secret.secretArn);
    secret.grantRead(this.fn);
  }

  /**
   * Names the table in `TABLE_NAME` and grants item-level access by partition key, as the manifest declares it
   * (`access`, resolved for the edition): read-write on the partitions the function owns, read on those it reads
   * from other contexts, UpdateItem on the few it updates in place, Query on each index for the index partition
   * keys it declares (by name: no `index/*`). Every statement is conditioned on `dynamodb:LeadingKeys`
   * (`ForAllValues:StringLike`, every key of a batch or transaction must match) and on the key being present
   * (`Null`: `ForAllValues` alone would also match a request without keys). Scan only when declared.
   */
  grantTable(table: ITableV2, access: TableAccess): void {
    this.fn.addEnvironment(FUNCTION_ENV.table, table.tableName);
    const onKeys = (patterns: readonly KeyPattern[]) => ({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...patterns] },
      Null: { 'dynamodb:LeadingKeys': 'false' },
    });
    const grant = (
      actions: readonly string[],
      resource: string,
      patterns: readonly KeyPattern[] | undefined,
    ) => {
      if (!patterns?.length) return;
      this.role.addToPrincipalPolicy(
        new PolicyStatement({ actions: [...actions], resources: [resource], conditions: onKeys(patterns) }),
      );
    };
    grant([...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS], table.tableArn, access.owns);
    grant(TABLE_READ_ACTIONS, table.tableArn, access.reads);
    grant(TABLE_UPDATE_ACTIONS, table.tableArn, access.updates);
    for (const [name, patterns] of Object.entries(access.indexes ?? {})) {
      if (!TABLE.indexes.some((index) => index.name === name)) {
        throw new Error(`${this.spec.name} declares keys of an unknown index ${name}`);
      }
      grant(INDEX_ACTIONS, `${table.tableArn}/index/${name}`, patterns);
    }
    if (access.scans) {
      this.role.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['dynamodb:Scan'], resources: [table.tableArn] }),
      );
    }
  }

  /** Names the bus in `EVENT_BUS_NAME`; only publishers may put events on it. */
  grantBus(bus: IEventBus, publishes: boolean): void {
    this.fn.addEnvironment(FUNCTION_ENV.bus, bus.eventBusName);
    if (publishes) bus.grantPutEventsTo(this.fn);
  }

  /**
   * Allows sending mail as `mailFrom` only. The SES identity (the domain of `mailFrom`, verified with DKIM
   * by the Département) is account-wide and shared by editions, so it is granted here, not created.
   */
  grantSendEmail(mailFrom: string): void {
    const domain = mailFrom.slice(mailFrom.lastIndexOf('@') + 1);
    const identityArn = (identity: string) =>
      Stack.of(this).formatArn({ service: 'ses', resource: 'identity', resourceName: identity });
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail', 'ses:SendRawEmail'],
        resources: [identityArn(domain), identityArn(mailFrom)],
        conditions: { StringEquals: { 'ses:FromAddress': mailFrom } },
      }),
    );
  }

  /** Runs the function for every event of the subscription published on `bus`. */
  subscribe(bus: IEventBus, subscription: SubscriptionSpec): Rule {
    const pattern = eventPattern(subscription.events);
    this.configureAsyncFailures();
    return new Rule(this, `Rule-${subscription.id}`, {
      eventBus: bus,
      description: `${this.spec.name} <- ${pattern['detail-type'].join(', ')}`.slice(0, 512),
      eventPattern: { source: pattern.source, detailType: pattern['detail-type'], detail: pattern.detail },
      targets: [
        new LambdaFunction(this.live, {
          deadLetterQueue: this.deliveryDeadLetterQueue().queue,
          retryAttempts: this.props.deliveryRetryAttempts ?? 185,
          maxEventAge: this.props.deliveryMaxEventAge ?? Duration.hours(24),
        }),
      ],
    });
  }

  /** Runs the function at the schedule's time (read in the schedule's time zone) with its input. */
  schedule(group: IScheduleGroup, spec: ScheduleSpec): Schedule {
    this.configureAsyncFailures();
    return new Schedule(this, `Schedule-${spec.id}`, {
      scheduleGroup: group,
      schedule: ScheduleExpression.expression(spec.expression, TimeZone.of(spec.timeZone)),
      description: spec.description.slice(0, 512),
      // Phase changes happen at the announced minute, not "around" it.
      timeWindow: TimeWindow.off(),
      target: new FunctionScheduleTarget(this.live, {
        role: this.schedulerRoleFor(group),
        input: spec.input,
        deadLetterQueue: this.deliveryDeadLetterQueue().queue,
        retryAttempts: this.props.deliveryRetryAttempts ?? 185,
        maxEventAge: this.props.deliveryMaxEventAge ?? Duration.hours(24),
      }),
    });
  }

  /** Events and schedules that EventBridge or Scheduler could not deliver (one queue per function). */
  private deliveryDeadLetterQueue(): DeadLetterQueue {
    if (!this.deliveryQueue) {
      this.deliveryQueue = new DeadLetterQueue(this, 'DeliveryDlq');
      this.deadLetterQueues.push(this.deliveryQueue);
    }
    return this.deliveryQueue;
  }

  /**
   * EventBridge and Scheduler invoke Lambda asynchronously: their retries cover delivery only, so the
   * function's own async config retries a throwing handler and parks the event in a queue at the end.
   */
  private configureAsyncFailures(): void {
    if (this.asyncConfigured) return;
    this.asyncConfigured = true;
    const failures = new DeadLetterQueue(this, 'FailureDlq');
    this.deadLetterQueues.push(failures);
    this.live.configureAsyncInvoke({
      retryAttempts: this.props.asyncRetryAttempts ?? 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(failures.queue),
    });
  }

  /** One role per function and group, allowed to invoke this function only and to write to its DLQ. */
  private schedulerRoleFor(group: IScheduleGroup): Role {
    if (!this.schedulerRole) {
      const stack = Stack.of(this);
      this.schedulerRole = new Role(this, 'SchedulerRole', {
        description: `Budget participatif ${this.props.editionId}: schedules of ${this.spec.name}`,
        assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
          conditions: {
            StringEquals: { 'aws:SourceAccount': stack.account, 'aws:SourceArn': group.scheduleGroupArn },
          },
        }),
      });
      this.schedulerRole.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.live.functionArn] }),
      );
      this.schedulerRole.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['sqs:SendMessage'],
          resources: [this.deliveryDeadLetterQueue().queue.queueArn],
        }),
      );
    }
    return this.schedulerRole;
  }
}
