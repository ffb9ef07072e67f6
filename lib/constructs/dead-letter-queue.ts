import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface DeadLetterQueueProps {
  /**
   * How long a failed message waits for someone to look at it (and redrive it).
   * @default Duration.days(14), the SQS maximum, so a failure over a long weekend is not lost
   */
  readonly retention?: Duration;
}

/**
 * Where a message goes when every retry failed. Every DLQ of the platform is built here so that they all
 * enforce TLS, are encrypted and keep messages as long as SQS allows: "no ballot, idea, decision or email
 * is lost".
 */
export class DeadLetterQueue extends Construct {
  readonly queue: Queue;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps = {}) {
    super(scope, id);
    this.queue = new Queue(this, 'Queue', {
      // SSE-SQS rather than a KMS key: EventBridge, Scheduler and Lambda destinations can all write to
      // it without key-policy plumbing, and it is still encryption at rest.
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: props.retention ?? Duration.days(14),
      // Kept when its stack is deleted or the queue replaced: a failure waiting for a redrive (a receipt, a
      // results email) must not vanish with a teardown. docs/operations.md says when an operator deletes it.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
