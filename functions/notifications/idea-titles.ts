import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';

/** Port: the title of an idea, to name it in an email (events carry ids, not citizen text). */
export interface IdeaTitles {
  titleOf(ideaId: string): Promise<string | undefined>;
}

/** Reads `IDEA#<id>` / `IDEA` (owned by functions/ideas/idea-repository.ts), projected to its title. */
export function dynamoIdeaTitles(client: DynamoDBDocumentClient, tableName: string): IdeaTitles {
  return {
    async titleOf(ideaId) {
      const { Item } = await client.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: `IDEA#${ideaId}`, sk: 'IDEA' },
          ProjectionExpression: 'title',
          ConsistentRead: true,
        }),
      );
      return Item ? z.string().parse(Item.title) : undefined;
    },
  };
}
