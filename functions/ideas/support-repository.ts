import { createHash } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';

/**
 * How many counter items an idea's supports are spread over. Why sharded counters rather than counting
 * the support items: the public list shows the count of every idea, and counting items would mean one
 * Query per idea (thousands per regeneration, each reading every support). One counter item per idea
 * would be a hot key (every support of a popular idea updates it, and concurrent transactions on one item
 * fail with TransactionConflict). So each citizen's support goes to one of 8 counters, picked by a hash
 * of the citizen id (the same shard for the support and its withdrawal: no shard goes negative), each in
 * its own partition; the list reads every count with 8 Queries of the `gsi1` index.
 */
export const SUPPORT_SHARDS = 8;

export function supportShard(citizenId: string): number {
  return (createHash('sha256').update(citizenId).digest()[0] ?? 0) % SUPPORT_SHARDS;
}

export interface SupportRepository {
  has(ideaId: string, citizenId: string): Promise<boolean>;
  /** The support item and its counter increment, in one transaction; `false` if it was already there. */
  add(ideaId: string, citizenId: string, at: string): Promise<boolean>;
  /** The support's removal and its counter decrement, in one transaction; `false` if there was none. */
  remove(ideaId: string, citizenId: string): Promise<boolean>;
  /** The ideas a citizen supports (their erasure removes each support). */
  supportedBy(citizenId: string): Promise<string[]>;
  /** One idea's count (strongly consistent). */
  count(ideaId: string): Promise<number>;
  /** Every idea's count (index, eventually consistent): ideas with no support are absent. */
  counts(): Promise<Map<string, number>>;
}

const Counter = z.object({ ideaId: z.string(), count: z.number() });

/**
 * Key layout:
 * - `IDEASUPPORT#<citizenId>` / `IDEA#<ideaId>`: one citizen's support of one idea (spread by citizen);
 * - `IDEASUPPORTS#<ideaId>#<shard>` / `COUNT`: a counter shard; `gsi1`: `SUPPORTCOUNTS#<shard>` / `<ideaId>`.
 */
export function dynamoSupportRepository(
  client: DynamoDBDocumentClient,
  tableName: string,
): SupportRepository {
  const supportKey = (ideaId: string, citizenId: string) => ({
    pk: `IDEASUPPORT#${citizenId}`,
    sk: `IDEA#${ideaId}`,
  });
  const counterKey = (ideaId: string, shard: number) => ({
    pk: `IDEASUPPORTS#${ideaId}#${shard}`,
    sk: 'COUNT',
  });
  const counterUpdate = (ideaId: string, citizenId: string, delta: 1 | -1) => {
    const shard = supportShard(citizenId);
    return {
      Update: {
        TableName: tableName,
        Key: counterKey(ideaId, shard),
        UpdateExpression:
          'ADD #count :delta SET entity = :entity, version = :version, ideaId = :idea, gsi1pk = :gsi1pk, gsi1sk = :idea',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: {
          ':delta': delta,
          ':entity': 'IdeaSupportCounter',
          ':version': 1,
          ':idea': ideaId,
          ':gsi1pk': `SUPPORTCOUNTS#${shard}`,
        },
      },
    };
  };
  const transactOnce = async (
    items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>,
  ) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await client.send(new TransactWriteCommand({ TransactItems: items }));
        return true;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        if (reasons[0]?.Code === 'ConditionalCheckFailed') return false;
        if (reasons.some((r) => r.Code === 'TransactionConflict') && attempt < 6) {
          await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * 2 ** attempt));
          continue;
        }
        throw error;
      }
    }
  };
  return {
    async has(ideaId, citizenId) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: supportKey(ideaId, citizenId), ConsistentRead: true }),
      );
      return Boolean(Item);
    },
    add(ideaId, citizenId, at) {
      return transactOnce([
        {
          Put: {
            TableName: tableName,
            Item: {
              ...supportKey(ideaId, citizenId),
              entity: 'IdeaSupport',
              version: 1,
              ideaId,
              supportedAt: at,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        counterUpdate(ideaId, citizenId, 1),
      ]);
    },
    remove(ideaId, citizenId) {
      return transactOnce([
        {
          Delete: {
            TableName: tableName,
            Key: supportKey(ideaId, citizenId),
            ConditionExpression: 'attribute_exists(pk)',
          },
        },
        counterUpdate(ideaId, citizenId, -1),
      ]);
    },
    async supportedBy(citizenId) {
      const ids: string[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': `IDEASUPPORT#${citizenId}` },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        for (const item of page.Items ?? []) ids.push(z.string().parse(item.ideaId));
        start = page.LastEvaluatedKey;
      } while (start);
      return ids;
    },
    async count(ideaId) {
      const keys = Array.from({ length: SUPPORT_SHARDS }, (_, shard) => counterKey(ideaId, shard));
      const { Responses } = await client.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } } }),
      );
      return (Responses?.[tableName] ?? []).reduce((sum, item) => sum + Counter.parse(item).count, 0);
    },
    async counts() {
      const totals = new Map<string, number>();
      await Promise.all(
        Array.from({ length: SUPPORT_SHARDS }, async (_, shard) => {
          let start: Record<string, unknown> | undefined;
          do {
            const page = await client.send(
              new QueryCommand({
                TableName: tableName,
                IndexName: 'gsi1',
                KeyConditionExpression: 'gsi1pk = :pk',
                ExpressionAttributeValues: { ':pk': `SUPPORTCOUNTS#${shard}` },
                ExclusiveStartKey: start,
              }),
            );
            for (const item of page.Items ?? []) {
              const counter = Counter.parse(item);
              totals.set(counter.ideaId, (totals.get(counter.ideaId) ?? 0) + counter.count);
            }
            start = page.LastEvaluatedKey;
          } while (start);
        }),
      );
      return totals;
    },
  };
}
