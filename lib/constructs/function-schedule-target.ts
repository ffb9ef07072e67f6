import type { Duration } from 'aws-cdk-lib';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  type ISchedule,
  type IScheduleTarget,
  type ScheduleTargetConfig,
  ScheduleTargetInput,
} from 'aws-cdk-lib/aws-scheduler';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';

export interface FunctionScheduleTargetProps {
  /** Role Scheduler assumes; it must already be allowed to invoke the function and write to the DLQ. */
  readonly role: IRole;
  /** Passed to the function as its event. */
  readonly input: unknown;
  readonly deadLetterQueue: IQueue;
  readonly retryAttempts: number;
  readonly maxEventAge: Duration;
}

/**
 * A Lambda target for EventBridge Scheduler that adds no permission of its own. The stock `LambdaInvoke`
 * target calls `grantInvoke`, which also grants `<function>:*` (every version and alias); the role given
 * here is allowed to invoke the unqualified function only, which is what Scheduler calls.
 */
export class FunctionScheduleTarget implements IScheduleTarget {
  private readonly fn: IFunction;
  private readonly props: FunctionScheduleTargetProps;

  constructor(fn: IFunction, props: FunctionScheduleTargetProps) {
    this.fn = fn;
    this.props = props;
  }

  bind(_schedule: ISchedule): ScheduleTargetConfig {
    return {
      arn: this.fn.functionArn,
      role: this.props.role,
      input: ScheduleTargetInput.fromObject(this.props.input),
      deadLetterConfig: { arn: this.props.deadLetterQueue.queueArn },
      retryPolicy: {
        maximumEventAgeInSeconds: this.props.maxEventAge.toSeconds(),
        maximumRetryAttempts: this.props.retryAttempts,
      },
    };
  }
}
