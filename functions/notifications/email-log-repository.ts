import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';

export interface EmailLogEntry {
  /** Why this email exists, unique per reason and recipient: `PhaseChanged#<changeId>#<recipient>`. */
  key: string;
  template: string;
  recipient: string;
  eventId: string;
}

export type Claim = 'claimed' | 'already-sent' | 'in-flight';

export interface EmailLog {
  /**
   * Takes the right to send `entry`. A claim left by a crashed attempt expires after the lease, so
   * an email is sent at most once per reason, except if a process dies between SES accepting the
   * message and `markSent` (then at most twice): the at-least-once side of that trade-off.
   */
  claim(entry: EmailLogEntry, now: Date): Promise<Claim>;
  markSent(entry: EmailLogEntry, messageId: string, now: Date): Promise<void>;
  /** Gives the claim back after a failed send, so the retry can take it. */
  release(entry: EmailLogEntry, error: string, now: Date): Promise<void>;
}

const LEASE_MS = 60_000;

export function dynamoEmailLog(client: DynamoDBDocumentClient, tableName: string, edition: string): EmailLog {
  const key = (entry: EmailLogEntry) => ({ pk: `EMAIL#${entry.key}`, sk: 'EMAIL' });
  return {
    async claim(entry, now) {
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...key(entry),
              entity: 'EmailLog',
              version: 1,
              gsi1pk: `EMAILLOG#${edition}`,
              gsi1sk: `${now.toISOString()}#${entry.key}`,
              ...entry,
              status: 'sending',
              leaseUntil: now.getTime() + LEASE_MS,
              attempts: 1,
            },
            ConditionExpression: 'attribute_not_exists(pk) OR (#status <> :sent AND leaseUntil < :now)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':sent': 'sent', ':now': now.getTime() },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return 'claimed';
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) {
          return error.Item?.status?.S === 'sent' ? 'already-sent' : 'in-flight';
        }
        throw error;
      }
    },
    async markSent(entry, messageId, now) {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key(entry),
          UpdateExpression: 'SET #status = :sent, messageId = :id, sentAt = :at REMOVE leaseUntil',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':sent': 'sent', ':id': messageId, ':at': now.toISOString() },
        }),
      );
    },
    async release(entry, error, now) {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key(entry),
          UpdateExpression: 'SET #status = :failed, lastError = :error, failedAt = :at, leaseUntil = :zero',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':failed': 'failed',
            ':error': error.slice(0, 500),
            ':at': now.toISOString(),
            ':zero': 0,
          },
        }),
      );
    },
  };
}
