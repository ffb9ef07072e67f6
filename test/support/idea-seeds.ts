import { randomUUID } from 'node:crypto';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { Idea, type IdeaStatus } from '../../functions/ideas/idea.ts';
import type { StackContext } from './stack-context.ts';

/**
 * An idea of any status written straight into the table with the ideas function's own schema and keys
 * (the idea, its `gsi1` queue entry and the author's « mes idées » pointer), so a test needs neither the
 * call for ideas' window nor the moderation steps to have one.
 */
export async function seedIdea(
  stack: StackContext,
  documents: DynamoDBDocumentClient,
  input: {
    authorId: string;
    status: IdeaStatus;
    title: string;
    territory: string;
    theme: string;
    commune?: string;
  },
): Promise<string> {
  const ideaId = randomUUID();
  const at = new Date().toISOString();
  const idea = Idea.parse({
    ideaId,
    authorId: input.authorId,
    authorIds: [input.authorId],
    status: input.status,
    title: input.title,
    description: 'Une idée d’essai, décrite en plus de vingt caractères pour passer les règles.',
    theme: input.theme,
    territory: input.territory,
    ...(input.commune ? { commune: input.commune } : {}),
    estimatedCost: 15_000,
    proposer: { kind: 'individual' },
    submittedAt: at,
    updatedAt: at,
    ...(input.status === 'published' ? { publishedAt: at } : {}),
    mergedFrom: [],
    revision: 2,
  });
  const put = (Item: Record<string, unknown>) =>
    documents.send(new PutCommand({ TableName: stack.tableName, Item }));
  await put({
    pk: `IDEA#${ideaId}`,
    sk: 'IDEA',
    entity: 'Idea',
    version: 1,
    gsi1pk: `IDEAS#${idea.status}`,
    gsi1sk: `${at}#${ideaId}`,
    ...idea,
  });
  await put({
    pk: `IDEAAUTHOR#${input.authorId}`,
    sk: `IDEA#${ideaId}`,
    entity: 'IdeaAuthor',
    version: 1,
    ideaId,
    creditedAt: at,
  });
  return ideaId;
}
