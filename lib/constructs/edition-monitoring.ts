import { Duration } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Operation } from 'aws-cdk-lib/aws-dynamodb';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { FunctionSpec } from '../../shared/manifest.ts';
import { BUSINESS_METRICS, METRICS_NAMESPACE } from '../../shared/metrics/business-metrics.ts';
import { API_LOG_METRICS_NAMESPACE, API_THROTTLED_METRIC } from '../stacks/api-stack.ts';
import type { BpFunction } from './bp-function.ts';
import { VoteCanary, type VoteCanaryProps } from './vote-canary.ts';

export interface EditionMonitoringProps {
  readonly editionId: string;
  readonly httpApi: IHttpApi;
  readonly functions: readonly BpFunction[];
  /** The edition table: throttles and system errors. */
  readonly table?: ITableV2;
  /**
   * Subscribed to the alarm topic.
   * @default no subscription: operators subscribe to the topic themselves
   */
  readonly alarmEmail?: string;
  /**
   * Period over which alarm metrics are summed.
   * @default Duration.minutes(5)
   */
  readonly period?: Duration;
  /**
   * Concurrent executions the account may run in the region (its Lambda quota): alarmed at 80%.
   * @default 1000, the default quota
   */
  readonly accountConcurrency?: number;
  /**
   * A synthetic citizen on the vote path during the vote, alarmed when it fails twice in a row.
   * @default no canary
   */
  readonly voteCanary?: Omit<VoteCanaryProps, 'editionId'>;
}

/** What each alarm compares, for how long: `evaluationPeriods` periods, `datapointsToAlarm` of them breaching. */
interface AlarmRule {
  readonly threshold: number;
  readonly comparison?: ComparisonOperator;
  readonly evaluationPeriods?: number;
  readonly datapointsToAlarm?: number;
}

/** Every DynamoDB operation the functions use: throttles and system errors are counted on each. */
const TABLE_OPERATIONS = [
  Operation.GET_ITEM,
  Operation.PUT_ITEM,
  Operation.UPDATE_ITEM,
  Operation.DELETE_ITEM,
  Operation.QUERY,
  Operation.SCAN,
  Operation.BATCH_GET_ITEM,
  Operation.BATCH_WRITE_ITEM,
  Operation.TRANSACT_WRITE_ITEMS,
  Operation.TRANSACT_GET_ITEMS,
];

/**
 * A function with no route (events only) and a reserved concurrency: the concurrency is its pace (the mail
 * fan-out's two batches at a time), not a ceiling citizens could hit.
 */
export function pacedByConcurrency(spec: FunctionSpec): boolean {
  return spec.routes.length === 0 && spec.reservedConcurrency !== undefined;
}

/** SES puts an account under review at 5% bounces and 0.1% complaints: the page comes before that. */
export const SES_BOUNCE_RATE_ALARM = 0.04;
export const SES_COMPLAINT_RATE_ALARM = 0.0008;

/**
 * Alarms that page on what a citizen would notice or what would lose work, each with a threshold and a duration
 * that fit its metric (a single 4xx is a typo, a single dead letter is lost work), and one dashboard per edition
 * with the business metrics (codes sent, ideas submitted, ballots cast per minute).
 */
export class EditionMonitoring extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: EditionMonitoringProps) {
    super(scope, id);
    const period = props.period ?? Duration.minutes(5);
    const minute = Duration.minutes(1);

    // No KMS key on purpose: CloudWatch cannot publish to a topic encrypted with the AWS managed key, and
    // alarm notifications carry no personal data.
    this.topic = new Topic(this, 'AlarmTopic', {
      displayName: `Budget participatif ${props.editionId} : alertes`,
      enforceSSL: true,
    });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));

    // ---- API ------------------------------------------------------------------------------------------------
    const requests = props.httpApi.metricCount({ period, statistic: 'Sum' });
    const api5xx = props.httpApi.metricServerError({ period, statistic: 'Sum' });
    const api4xx = props.httpApi.metricClientError({ period, statistic: 'Sum' });
    // A rate, counted only once there is traffic: one 5xx among three night requests is not a page.
    const rate = (errors: IMetric, minRequests: number, label: string) =>
      new MathExpression({
        expression: `IF(requests >= ${minRequests}, 100 * errors / requests, 0)`,
        usingMetrics: { errors, requests },
        period,
        label,
      });
    this.alarm('Api5xx', rate(api5xx, 20, 'API 5xx (% of requests)'), {
      description: `${props.editionId}: the API answered 5xx to more than 1% of requests for 10 minutes`,
      threshold: 1,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
    });
    this.alarm('Api4xx', rate(api4xx, 200, 'API 4xx (% of requests)'), {
      description:
        `${props.editionId}: over 25% of API requests refused (4xx) for 15 minutes: a broken page or client, ` +
        'not citizens’ typos',
      threshold: 25,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
    });
    const throttled = new Metric({
      namespace: API_LOG_METRICS_NAMESPACE,
      metricName: API_THROTTLED_METRIC,
      dimensionsMap: { edition: props.editionId },
      period,
      statistic: 'Sum',
    });
    this.alarm('Api429', throttled, {
      description:
        `${props.editionId}: over 50 requests refused by the API throttles (429) in each of 10 minutes: ` +
        'citizens are turned away (raise the stage or route limits, or look for a flood the WAF let through)',
      threshold: 50,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
    });
    const p99 = props.httpApi.metricLatency({ period, statistic: 'p99' });
    this.alarm('ApiLatency', p99, {
      description: `${props.editionId}: API p99 latency above 3 s for 15 minutes`,
      threshold: 3000,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
    });

    // ---- DynamoDB -------------------------------------------------------------------------------------------
    if (props.table) {
      // The SDK retries throttled requests: a few are absorbed; sustained throttling reaches citizens.
      const throttles = props.table.metricThrottledRequestsForOperations({
        operations: TABLE_OPERATIONS,
        period,
        label: 'Throttled requests',
      });
      this.alarm('TableThrottles', throttles, {
        description: `${props.editionId}: DynamoDB throttled over 25 requests in each of 10 minutes`,
        threshold: 25,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
      });
      const systemErrors = props.table.metricSystemErrorsForOperations({
        operations: TABLE_OPERATIONS,
        period,
        label: 'System errors',
      });
      this.alarm('TableSystemErrors', systemErrors, {
        description: `${props.editionId}: DynamoDB answered 5 or more system errors (500) in 5 minutes`,
        threshold: 5,
      });
    }

    // ---- Functions ------------------------------------------------------------------------------------------
    for (const bp of props.functions) {
      const name = bp.spec.name;
      // The function's errors, every version together: a new version that fails during its gradual deploy sets
      // it off, and the deploy goes back. The platform's normal error rate is zero: one is a bug to look at.
      bp.rollbackOn(
        this.alarm(`${name}-Errors`, bp.fn.metricErrors({ period, statistic: 'Sum' }), {
          description: `${name}: handler errors`,
          threshold: 1,
        }),
      );
      // A function whose reserved concurrency paces batch work on purpose is throttled every time it runs: its
      // events wait in Lambda's asynchronous queue, and only those that outwait it (its DLQs) are trouble.
      const paced = pacedByConcurrency(bp.spec);
      if (!paced) {
        this.alarm(`${name}-Throttles`, bp.fn.metricThrottles({ period, statistic: 'Sum' }), {
          description: `${name}: throttled (reserved concurrency or account quota reached)`,
          threshold: 1,
        });
      }
      // Near its timeout for most of 15 minutes: the next slower dependency makes it fail.
      const timeoutMs = (bp.spec.timeoutSeconds ?? 10) * 1000;
      this.alarm(`${name}-NearTimeout`, bp.fn.metricDuration({ period, statistic: 'p99' }), {
        description: `${name}: p99 duration above 80% of its ${timeoutMs / 1000} s timeout`,
        threshold: Math.round(timeoutMs * 0.8),
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
      });
      if (bp.spec.reservedConcurrency && !paced) {
        this.alarm(
          `${name}-Concurrency`,
          new Metric({
            namespace: 'AWS/Lambda',
            metricName: 'ConcurrentExecutions',
            dimensionsMap: { FunctionName: bp.fn.functionName },
            period: minute,
            statistic: 'Maximum',
          }),
          {
            description:
              `${name}: above 80% of its ${bp.spec.reservedConcurrency} reserved executions for 5 minutes ` +
              '(throttling is next)',
            threshold: Math.floor(bp.spec.reservedConcurrency * 0.8),
            evaluationPeriods: 5,
            datapointsToAlarm: 5,
          },
        );
      }
      for (const dlq of bp.deadLetterQueues) {
        this.alarm(
          `${name}-${dlq.node.id}`,
          dlq.queue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
          {
            description: `${name}: messages waiting in ${dlq.node.id} (failed work, redrive after the fix)`,
            threshold: 1,
          },
        );
      }
    }
    const accountConcurrency = props.accountConcurrency ?? 1000;
    this.alarm(
      'AccountConcurrency',
      new Metric({
        namespace: 'AWS/Lambda',
        metricName: 'ConcurrentExecutions',
        period: minute,
        statistic: 'Maximum',
      }),
      {
        description:
          `Account: above 80% of the ${accountConcurrency} concurrent Lambda executions of the region for 5 ` +
          'minutes (every edition and application of the account shares them)',
        threshold: Math.floor(accountConcurrency * 0.8),
        evaluationPeriods: 5,
        datapointsToAlarm: 5,
      },
    );

    // ---- SES reputation (account-wide: the sender domain is shared by editions) --------------------------------
    const reputation = (metricName: string) =>
      new Metric({ namespace: 'AWS/SES', metricName, period: Duration.hours(1), statistic: 'Maximum' });
    this.alarm('SesBounceRate', reputation('Reputation.BounceRate'), {
      description: `SES bounce rate above ${SES_BOUNCE_RATE_ALARM * 100}% (AWS reviews the account at 5%)`,
      threshold: SES_BOUNCE_RATE_ALARM,
    });
    this.alarm('SesComplaintRate', reputation('Reputation.ComplaintRate'), {
      description: `SES complaint rate above ${SES_COMPLAINT_RATE_ALARM * 100}% (AWS reviews the account at 0.1%)`,
      threshold: SES_COMPLAINT_RATE_ALARM,
    });

    // ---- The vote path, tried by a canary during the vote --------------------------------------------------------
    if (props.voteCanary) {
      const { canary, deadLetters } = new VoteCanary(this, 'VotePath', {
        ...props.voteCanary,
        editionId: props.editionId,
      });
      this.alarm(
        'VoteCanarySchedules',
        deadLetters.queue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
        { description: `${props.editionId}: the vote canary could not be started or stopped`, threshold: 1 },
      );
      this.alarm('VoteCanary', canary.metricSuccessPercent({ period, statistic: 'Average' }), {
        description: `${props.editionId}: the vote page or the edition API failed twice in a row (canary)`,
        threshold: 100,
        comparison: ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
      });
    }

    // ---- Dashboard ------------------------------------------------------------------------------------------
    const business = (key: keyof typeof BUSINESS_METRICS, label: string) =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: BUSINESS_METRICS[key].name,
        dimensionsMap: { service: BUSINESS_METRICS[key].service, edition: props.editionId },
        period: minute,
        statistic: 'Sum',
        label,
      });
    this.dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.days(1) });
    this.dashboard.addWidgets(
      new TextWidget({ markdown: `# Budget participatif — ${props.editionId}`, width: 24, height: 1 }),
      new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }),
      new GraphWidget({
        title: 'Per minute: codes sent, ideas submitted, ballots cast',
        left: [
          business('codesSent', 'Codes sent'),
          business('ideasSubmitted', 'Ideas submitted'),
          business('ballotsCast', 'Ballots cast'),
        ],
        width: 24,
      }),
      new GraphWidget({
        title: 'API requests and errors',
        left: [requests, api4xx, api5xx, throttled],
        width: 12,
      }),
      new GraphWidget({
        title: 'API latency (p50, p99)',
        left: [props.httpApi.metricLatency({ period, statistic: 'p50' }), p99],
        width: 12,
      }),
    );
    for (const bp of props.functions) {
      this.dashboard.addWidgets(
        new GraphWidget({
          title: `${bp.spec.name}: invocations, errors, throttles`,
          left: [
            bp.fn.metricInvocations({ period, statistic: 'Sum' }),
            bp.fn.metricErrors({ period, statistic: 'Sum' }),
            bp.fn.metricThrottles({ period, statistic: 'Sum' }),
          ],
          width: 8,
        }),
        new GraphWidget({
          title: `${bp.spec.name}: duration (p50, p99)`,
          left: [
            bp.fn.metricDuration({ period, statistic: 'p50' }),
            bp.fn.metricDuration({ period, statistic: 'p99' }),
          ],
          width: 8,
        }),
        new GraphWidget({
          title: `${bp.spec.name}: dead-letter queues`,
          left: bp.deadLetterQueues.map((dlq) =>
            dlq.queue.metricApproximateNumberOfMessagesVisible({
              period,
              statistic: 'Maximum',
              label: dlq.node.id,
            }),
          ),
          width: 8,
        }),
      );
    }
  }

  /** An alarm on the topic, for its trouble and its end. Missing data (no traffic) is not trouble. */
  alarm(id: string, metric: IMetric, rule: AlarmRule & { description: string }): Alarm {
    const alarm = new Alarm(this, id, {
      metric,
      alarmDescription: rule.description,
      threshold: rule.threshold,
      comparisonOperator: rule.comparison ?? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: rule.evaluationPeriods ?? 1,
      datapointsToAlarm: rule.datapointsToAlarm ?? rule.evaluationPeriods ?? 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    alarm.addOkAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
    return alarm;
  }
}
