import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { addressHash, type UnsubscribeList } from '../../shared/auth/unsubscribe-links.ts';

export type SuppressionReason = 'bounce' | 'complaint' | `unsubscribed:${UnsubscribeList}`;

/**
 * Port: addresses no email may go to (a permanent bounce, a complaint) and opt-outs of a list of
 * non-essential mail. Keyed by a keyed hash of the address: no address is stored here.
 */
export interface SuppressionList {
  /** Why `address` must not receive mail of `list` (essential mail: no list), or `undefined`. */
  check(address: string, list: UnsubscribeList | undefined): Promise<SuppressionReason | undefined>;
  suppress(
    address: string,
    reason: 'bounce' | 'complaint',
    source: { eventId: string; at: Date },
  ): Promise<void>;
  /** Records an opt-out carried by a verified unsubscribe link (which holds the hash, not the address). */
  optOut(recipientHash: string, list: UnsubscribeList, at: Date): Promise<void>;
}

const Item = z.object({ sk: z.string(), reason: z.optional(z.string()) });

/** `SUPPRESSION#<hash>` / `SUPPRESSION` (bounce, complaint) and `SUPPRESSION#<hash>` / `OPTOUT#<list>`. */
export function dynamoSuppressionList(
  client: DynamoDBDocumentClient,
  tableName: string,
  key: () => Promise<string>,
): SuppressionList {
  const pk = (hash: string) => `SUPPRESSION#${hash}`;
  return {
    async check(address, list) {
      const { Items } = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk(addressHash(await key(), address)) },
          ConsistentRead: true,
        }),
      );
      const items = (Items ?? []).map((item) => Item.parse(item));
      const hard = items.find((item) => item.sk === 'SUPPRESSION');
      if (hard) return hard.reason === 'complaint' ? 'complaint' : 'bounce';
      if (list && items.some((item) => item.sk === `OPTOUT#${list}`)) return `unsubscribed:${list}`;
      return undefined;
    },
    async suppress(address, reason, source) {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk: pk(addressHash(await key(), address)),
            sk: 'SUPPRESSION',
            entity: 'EmailSuppression',
            version: 1,
            reason,
            sesEventId: source.eventId,
            suppressedAt: source.at.toISOString(),
          },
        }),
      );
    },
    async optOut(recipientHash, list, at) {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk: pk(recipientHash),
            sk: `OPTOUT#${list}`,
            entity: 'EmailOptOut',
            version: 1,
            list,
            optedOutAt: at.toISOString(),
          },
        }),
      );
    },
  };
}
