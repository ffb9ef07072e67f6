import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';

/**
 * Port: the email address of a citizen, by pseudonymous id, or `undefined` when there is none to write to
 * (erased at the person's request, registered in person without email, unknown id).
 */
export interface CitizenContacts {
  emailOf(citizenId: string): Promise<string | undefined>;
}

const ContactFields = z.object({
  email: z.optional(z.string()),
  channel: z.optional(z.string()),
  erasedAt: z.optional(z.string()),
});

/**
 * Events carry citizen ids only; addresses live ONLY in the identity context's items. This adapter is
 * the one place outside identity that reads them (notifications, and voting for the receipt email): a consistent GetItem of `CITIZEN#<id>` / `IDENTITY`
 * projected to `email`, `channel` and `erasedAt`, at send time (so an erased person gets nothing, and no
 * address is copied into another item, an event or a log; the email log records `citizen:<id>`).
 */
export function dynamoCitizenContacts(client: DynamoDBDocumentClient, tableName: string): CitizenContacts {
  return {
    async emailOf(citizenId) {
      const { Item } = await client.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: `CITIZEN#${citizenId}`, sk: 'IDENTITY' },
          ProjectionExpression: 'email, channel, erasedAt',
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
