import { Duration } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { BpFunction } from './bp-function.ts';

export interface EditionMonitoringProps {
  readonly editionId: string;
  readonly httpApi: IHttpApi;
  readonly functions: readonly BpFunction[];
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
}

/**
 * Alarms that page on anything a citizen would notice or that would lose work (function errors and
 * throttles, messages in a dead-letter queue, API 5xx) and one dashboard per edition.
 */
export class EditionMonitoring extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: EditionMonitoringProps) {
    super(scope, id);
    const period = props.period ?? Duration.minutes(5);

    // No KMS key on purpose: CloudWatch cannot publish to a topic encrypted with the AWS managed key, and
    // alarm notifications carry no personal data.
    this.topic = new Topic(this, 'AlarmTopic', {
      displayName: `Budget participatif ${props.editionId} : alertes`,
      enforceSSL: true,
    });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));

    const api5xx = props.httpApi.metricServerError({ period, statistic: 'Sum' });
    this.alarm('Api5xx', api5xx, `${props.editionId}: the API answered 5xx`);

    for (const bp of props.functions) {
      const name = bp.spec.name;
      // The function's errors, every version together: a new version that fails during its gradual deploy sets
      // it off, and the deploy goes back.
      bp.rollbackOn(
        this.alarm(
          `${name}-Errors`,
          bp.fn.metricErrors({ period, statistic: 'Sum' }),
          `${name}: handler errors`,
        ),
      );
      this.alarm(
        `${name}-Throttles`,
        bp.fn.metricThrottles({ period, statistic: 'Sum' }),
        `${name}: throttled`,
      );
      for (const dlq of bp.deadLetterQueues) {
        this.alarm(
          `${name}-${dlq.node.id}`,
          dlq.queue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
          `${name}: messages waiting in ${dlq.node.id} (failed work, redrive after the fix)`,
        );
      }
    }

    this.dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.days(1) });
    this.dashboard.addWidgets(
      new TextWidget({ markdown: `# Budget participatif — ${props.editionId}`, width: 24, height: 1 }),
      new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }),
      new GraphWidget({
        title: 'API requests and errors',
        left: [
          props.httpApi.metricCount({ period, statistic: 'Sum' }),
          props.httpApi.metricClientError({ period, statistic: 'Sum' }),
          api5xx,
        ],
        width: 12,
      }),
      new GraphWidget({
        title: 'API latency (p50, p99)',
        left: [
          props.httpApi.metricLatency({ period, statistic: 'p50' }),
          props.httpApi.metricLatency({ period, statistic: 'p99' }),
        ],
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

  /** Any occurrence alarms: the platform's normal error rate is zero. */
  private alarm(id: string, metric: IMetric, description: string): Alarm {
    const alarm = new Alarm(this, id, {
      metric,
      alarmDescription: description,
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    alarm.addOkAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
    return alarm;
  }
}
