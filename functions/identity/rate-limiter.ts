import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';

export interface RateLimit {
  /** Stable name of what is counted: `email#<emailKey>`, `client#<clientKey>`. */
  bucket: string;
  limit: number;
  windowSeconds: number;
}

/** Port: counts one hit in the current fixed window; `retryAfter` (seconds) when over the limit. */
export interface RateLimiter {
  hit(limit: RateLimit, now: Date): Promise<{ allowed: true } | { allowed: false; retryAfter: number }>;
}

/**
 * Fixed windows: one counter item per bucket and window (`RATE#<bucket>#<windowStart>` / `RATE`), added to
 * atomically and expired by TTL after the window. A window's counter is never read after it ends, so a
 * late TTL deletion changes nothing.
 */
export function dynamoRateLimiter(client: DynamoDBDocumentClient, tableName: string): RateLimiter {
  return {
    async hit(limit, now) {
      const windowMs = limit.windowSeconds * 1000;
      const start = Math.floor(now.getTime() / windowMs) * windowMs;
      const end = start + windowMs;
      const { Attributes } = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: `RATE#${limit.bucket}#${start}`, sk: 'RATE' },
          UpdateExpression: 'ADD hits :one SET entity = :entity, version = :v, expiresAt = :expires',
          ExpressionAttributeValues: {
            ':one': 1,
            ':entity': 'RateCounter',
            ':v': 1,
            ':expires': Math.ceil(end / 1000) + 60,
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      const hits = Number(Attributes?.hits ?? 1);
      if (hits <= limit.limit) return { allowed: true };
      return { allowed: false, retryAfter: Math.max(1, Math.ceil((end - now.getTime()) / 1000)) };
    },
  };
}
