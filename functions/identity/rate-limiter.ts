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

/** The fixed window `now` falls in (epoch ms). */
export function rateWindow(limit: RateLimit, now: Date): { start: number; end: number } {
  const windowMs = limit.windowSeconds * 1000;
  const start = Math.floor(now.getTime() / windowMs) * windowMs;
  return { start, end: start + windowMs };
}

/** Seconds until the window of `now` ends (at least 1): the `Retry-After` of a refusal. */
export function retryAfterWindow(limit: RateLimit, now: Date): number {
  return Math.max(1, Math.ceil((rateWindow(limit, now).end - now.getTime()) / 1000));
}

/**
 * The counter item of `limit`'s current window, and the update that counts one more hit in it. With
 * `onlyUnderLimit`, the update is conditional on the count being under the limit: a refusal counts
 * nothing (for a transaction that must count only what it does).
 */
export function rateCounterUpdate(
  tableName: string,
  limit: RateLimit,
  now: Date,
  options: { onlyUnderLimit: boolean },
) {
  const { start, end } = rateWindow(limit, now);
  return {
    TableName: tableName,
    Key: { pk: `RATE#${limit.bucket}#${start}`, sk: 'RATE' },
    UpdateExpression: 'ADD hits :one SET entity = :entity, version = :v, expiresAt = :expires',
    ...(options.onlyUnderLimit ? { ConditionExpression: 'attribute_not_exists(hits) OR hits < :limit' } : {}),
    ExpressionAttributeValues: {
      ':one': 1,
      ':entity': 'RateCounter',
      ':v': 1,
      ':expires': Math.ceil(end / 1000) + 60,
      ...(options.onlyUnderLimit ? { ':limit': limit.limit } : {}),
    },
  };
}

/**
 * Fixed windows: one counter item per bucket and window (`RATE#<bucket>#<windowStart>` / `RATE`), added to
 * atomically and expired by TTL after the window. A window's counter is never read after it ends, so a
 * late TTL deletion changes nothing. `hit` counts every call, refused or not: it is for limits on what a
 * caller does itself (its own address), never on what a caller could spend for someone else.
 */
export function dynamoRateLimiter(client: DynamoDBDocumentClient, tableName: string): RateLimiter {
  return {
    async hit(limit, now) {
      const { Attributes } = await client.send(
        new UpdateCommand({
          ...rateCounterUpdate(tableName, limit, now, { onlyUnderLimit: false }),
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      const hits = Number(Attributes?.hits ?? 1);
      if (hits <= limit.limit) return { allowed: true };
      return { allowed: false, retryAfter: retryAfterWindow(limit, now) };
    },
  };
}
