import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { IdeaDossier } from './templates/instruction-emails.ts';

/** Port: what an instructor's email says of an idea (title, summary, territory, theme: nothing of its authors). */
export interface IdeaDossiers {
  dossierOf(ideaId: string): Promise<IdeaDossier | undefined>;
}

const Fields = z.object({
  title: z.string(),
  description: z.string(),
  territory: z.string(),
  theme: z.string(),
});

/** Reads `IDEA#<id>` / `IDEA` (owned by functions/ideas/idea-repository.ts), projected to those four fields. */
export function dynamoIdeaDossiers(client: DynamoDBDocumentClient, tableName: string): IdeaDossiers {
  return {
    async dossierOf(ideaId) {
      const { Item } = await client.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: `IDEA#${ideaId}`, sk: 'IDEA' },
          ProjectionExpression: 'title, description, territory, theme',
          ConsistentRead: true,
        }),
      );
      return Item ? { ideaId, ...Fields.parse(Item) } : undefined;
    },
  };
}
