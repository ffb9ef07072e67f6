import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';

/** Port: where to send a voter's receipt, or `undefined` when there is nowhere to write to. */
export interface VoterContacts {
  emailOf(voterId: string): Promise<string | undefined>;
}

const ContactFields = z.object({
  email: z.string().optional(),
  channel: z.string().optional(),
  erasedAt: z.string().optional(),
});

/**
 * The voter's address, read at send time from the identity context's item (`CITIZEN#<id>` / `IDENTITY`,
 * projected to `email`, `channel`, `erasedAt`), as notifications' citizen-contacts does: the address is
 * never copied into a voting item, an event or a log. (The same narrow read as
 * functions/notifications/citizen-contacts.ts: it moves to shared/ when a third context needs it.)
 */
export function dynamoVoterContacts(client: DynamoDBDocumentClient, tableName: string): VoterContacts {
  return {
    async emailOf(voterId) {
      const { Item } = await client.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: `CITIZEN#${voterId}`, sk: 'IDENTITY' },
          ProjectionExpression: 'email, #channel, erasedAt',
          ExpressionAttributeNames: { '#channel': 'channel' },
          ConsistentRead: true,
        }),
      );
      if (!Item) return undefined;
      const contact = ContactFields.parse(Item);
      if (contact.erasedAt || contact.channel === 'in-person' || !contact.email?.includes('@'))
        return undefined;
      return contact.email;
    },
  };
}
