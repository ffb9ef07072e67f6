import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';

export interface EmailLogEntry {
  /** Why this email exists, unique per reason and recipient: `PhaseChanged#<changeId>#<recipient>`. */
  key: string;
  template: string;
  /** A staff address, or `citizen:<id>` for an inhabitant (their address stays in identity's items). */
  recipient: string;
  eventId: string;
}

export type Claim = 'claimed' | 'already-sent' | 'in-flight';

export const EMAIL_STATUSES = ['sending', 'sent', 'failed', 'suppressed'] as const;
export const EmailStatus = z.enum(EMAIL_STATUSES);
export type EmailStatus = z.infer<typeof EmailStatus>;

/** One line of the email log as staff read it. */
export const EmailLogRecord = z.object({
  key: z.string(),
  template: z.string(),
  recipient: z.string(),
  eventId: z.string(),
  status: EmailStatus,
  createdAt: z.string(),
  updatedAt: z.string(),
  attempts: z._default(z.number().check(z.int()), 0),
  sentAt: z.optional(z.string()),
  failedAt: z.optional(z.string()),
  lastError: z.optional(z.string()),
  suppressedReason: z.optional(z.string()),
});
export type EmailLogRecord = z.infer<typeof EmailLogRecord>;

export interface EmailLogQuery {
  recipient?: string;
  template?: string;
  status?: EmailStatus;
  event?: string;
  limit: number;
  /** Where a previous page stopped (its `next`). */
  after?: EmailLogPosition;
}

/** The log line a page stopped at: the `gsi1` key DynamoDB continues from. */
export const EmailLogPosition = z.object({
  pk: z.string(),
  sk: z.string(),
  gsi1pk: z.string(),
  gsi1sk: z.string(),
});
export type EmailLogPosition = z.infer<typeof EmailLogPosition>;

export interface EmailLog {
  /**
   * Takes the right to send `entry`. A claim left by a crashed attempt expires after the lease, so
   * an email is sent at most once per reason, except if a process dies between SES accepting the
   * message and `markSent` (then at most twice): the at-least-once side of that trade-off.
   */
  claim(entry: EmailLogEntry, now: Date): Promise<Claim>;
  markSent(entry: EmailLogEntry, messageId: string, now: Date): Promise<void>;
  /** Gives the claim back after a failed send, so the retry can take it; the line shows `failed` meanwhile. */
  release(entry: EmailLogEntry, error: string, now: Date): Promise<void>;
  /** Records that nothing was sent because the address bounced, complained or opted out (unless already sent). */
  markSuppressed(entry: EmailLogEntry, reason: string, now: Date): Promise<void>;
  /**
   * The lines sent to `recipient` (an erased citizen's `citizen:<id>`) lose it: each moves to a key and a
   * recipient that name nobody (`replacement`, plus a random suffix per line), status and dates kept.
   */
  forgetRecipient(recipient: string, replacement: string): Promise<number>;
  /** Newest first, filtered; `after` continues a previous page, `next` is where this one stopped. */
  search(query: EmailLogQuery): Promise<{ items: EmailLogRecord[]; next?: EmailLogPosition }>;
}

const LEASE_MS = 60_000;
/** Items read per search page at most, whatever the filters keep: a search never scans the whole log. */
const MAX_READ_PER_PAGE = 2_000;

export function dynamoEmailLog(client: DynamoDBDocumentClient, tableName: string, edition: string): EmailLog {
  const key = (entry: EmailLogEntry) => ({ pk: `EMAIL#${entry.key}`, sk: 'EMAIL' });
  const gsi1pk = `EMAILLOG#${edition}`;
  return {
    async claim(entry, now) {
      const at = now.toISOString();
      // Our own mark on the claim: when DynamoDB's answer is lost and the SDK retries, the retry's condition
      // fails on the claim this very call wrote; finding our token there means the claim is ours.
      const token = randomUUID();
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(entry),
            UpdateExpression:
              'SET entity = :entity, version = :v, #key = :key, gsi1pk = :gsi1pk, gsi1sk = if_not_exists(gsi1sk, :gsi1sk), template = :template, ' +
              'recipient = :recipient, eventId = :eventId, #status = :sending, leaseUntil = :lease, claimToken = :token, ' +
              'createdAt = if_not_exists(createdAt, :at), updatedAt = :at ADD attempts :one',
            ConditionExpression: 'attribute_not_exists(pk) OR (#status <> :sent AND leaseUntil < :now)',
            ExpressionAttributeNames: { '#status': 'status', '#key': 'key' },
            ExpressionAttributeValues: {
              ':entity': 'EmailLog',
              ':key': entry.key,
              ':v': 1,
              ':gsi1pk': gsi1pk,
              // Listed by when the email was first attempted: a retry does not move it up the log.
              ':gsi1sk': `${at}#${entry.key}`,
              ':template': entry.template,
              ':recipient': entry.recipient,
              ':eventId': entry.eventId,
              ':sending': 'sending',
              ':sent': 'sent',
              ':lease': now.getTime() + LEASE_MS,
              ':now': now.getTime(),
              ':at': at,
              ':one': 1,
              ':token': token,
            },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return 'claimed';
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) {
          if (error.Item?.status?.S === 'sent') return 'already-sent';
          return error.Item?.claimToken?.S === token ? 'claimed' : 'in-flight';
        }
        throw error;
      }
    },
    async markSent(entry, messageId, now) {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key(entry),
          UpdateExpression:
            'SET #status = :sent, messageId = :id, sentAt = :at, updatedAt = :at REMOVE leaseUntil, lastError',
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
          UpdateExpression:
            'SET #status = :failed, lastError = :error, failedAt = :at, updatedAt = :at, leaseUntil = :zero',
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
    async markSuppressed(entry, reason, now) {
      const at = now.toISOString();
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...key(entry),
              entity: 'EmailLog',
              version: 1,
              gsi1pk,
              gsi1sk: `${at}#${entry.key}`,
              ...entry,
              status: 'suppressed',
              suppressedReason: reason,
              createdAt: at,
              updatedAt: at,
              attempts: 0,
              leaseUntil: 0,
            },
            ConditionExpression: 'attribute_not_exists(pk) OR #status <> :sent',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':sent': 'sent' },
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },
    async forgetRecipient(recipient, replacement) {
      const lines: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :pk',
            FilterExpression: 'recipient = :recipient',
            ExpressionAttributeValues: { ':pk': gsi1pk, ':recipient': recipient },
            ExclusiveStartKey: start,
          }),
        );
        lines.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start);
      for (const line of lines) {
        const anonymous = `${replacement}-${randomUUID()}`;
        const oldKey = String(line.key ?? String(line.pk).replace(/^EMAIL#/, ''));
        const newKey = oldKey.split(recipient).join(anonymous);
        const { claimToken: _claimToken, leaseUntil: _leaseUntil, ...kept } = line;
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Delete: {
                  TableName: tableName,
                  Key: { pk: line.pk, sk: line.sk },
                  ConditionExpression: 'attribute_exists(pk)',
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: {
                    ...kept,
                    ...key({ key: newKey, template: '', recipient: anonymous, eventId: '' }),
                    key: newKey,
                    recipient: replacement,
                    gsi1sk: String(line.gsi1sk).split(recipient).join(anonymous),
                  },
                },
              },
            ],
          }),
        );
      }
      return lines.length;
    },
    async search(query) {
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = { ':pk': gsi1pk };
      const filters: string[] = [];
      if (query.recipient) {
        names['#recipient'] = 'recipient';
        values[':recipient'] = query.recipient.trim().toLowerCase();
        filters.push('contains(#recipient, :recipient)');
      }
      if (query.template) {
        names['#template'] = 'template';
        values[':template'] = query.template;
        filters.push('#template = :template');
      }
      if (query.status) {
        names['#status'] = 'status';
        values[':status'] = query.status;
        filters.push('#status = :status');
      }
      if (query.event) {
        names['#eventId'] = 'eventId';
        names['#key'] = 'key';
        values[':event'] = query.event;
        filters.push('(#eventId = :event OR contains(#key, :event))');
      }
      const items: EmailLogRecord[] = [];
      // Signed by the caller (shared/http/page-cursor.ts); still only ever a key of this edition's log.
      let startKey: Record<string, unknown> | undefined =
        query.after?.gsi1pk === gsi1pk ? query.after : undefined;
      let read = 0;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :pk',
            ...(filters.length > 0 ? { FilterExpression: filters.join(' AND ') } : {}),
            ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
            ExpressionAttributeValues: values,
            ScanIndexForward: false,
            Limit: Math.min(200, query.limit - items.length + (filters.length > 0 ? 50 : 0)),
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        );
        read += page.ScannedCount ?? 0;
        for (const item of page.Items ?? []) {
          if (items.length === query.limit) break;
          // Lines written before the log kept `key` name it by their partition key only.
          items.push(EmailLogRecord.parse({ key: String(item.pk).replace(/^EMAIL#/, ''), ...item }));
          startKey = { pk: item.pk, sk: item.sk, gsi1pk: item.gsi1pk, gsi1sk: item.gsi1sk };
        }
        if (items.length === query.limit) break;
        startKey = page.LastEvaluatedKey;
      } while (startKey && read < MAX_READ_PER_PAGE);
      return startKey ? { items, next: EmailLogPosition.parse(startKey) } : { items };
    },
  };
}
