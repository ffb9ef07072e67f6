import { randomUUID } from 'node:crypto';
import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import { envelopesOf } from '../../shared/voting/ballot-list-review.ts';
import type { Project } from '../../shared/voting/projects.ts';
import type { StackContext } from './stack-context.ts';

const listPk = (stack: StackContext) => `INSTRUCTION#${stack.edition}`;

/** Retained projects written as instruction stores them, as if coordinators had recorded their verdicts. */
export async function seedRetainedProjects(
  stack: StackContext,
  documents: DynamoDBDocumentClient,
  envelope: string,
  costs: number[],
): Promise<Project[]> {
  const projects: Project[] = [];
  for (const [i, cost] of costs.entries()) {
    const id = `p-essai-${envelope}-${i}-${randomUUID().slice(0, 6)}`;
    const project = {
      id,
      title: `Projet d’essai ${envelope} ${i + 1}`,
      summary: 'Un projet retenu pour vérifier la liste soumise au vote.',
      cost,
      envelope,
      theme: 'sport',
      ideaIds: [randomUUID()],
      decisionId: randomUUID(),
      retainedAt: new Date().toISOString(),
    };
    await documents.send(
      new PutCommand({
        TableName: stack.tableName,
        Item: {
          pk: listPk(stack),
          sk: `PROJECT#${id}`,
          entity: 'InstructionProject',
          version: 1,
          ...project,
        },
      }),
    );
    projects.push(project);
  }
  return projects;
}

/**
 * Completes the instruction's ballot list so that every envelope can be voted in (as many retained projects
 * as the approval ballot's minimum choices, one otherwise): a list nobody could vote on is refused.
 */
export async function completeBallotList(
  stack: StackContext,
  documents: DynamoDBDocumentClient,
  config: Pick<EditionConfig, 'territories' | 'budget' | 'ballot'>,
): Promise<void> {
  const { Items = [] } = await documents.send(
    new QueryCommand({
      TableName: stack.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': listPk(stack), ':prefix': 'PROJECT#' },
      ConsistentRead: true,
    }),
  );
  const minimum = config.ballot.kind === 'approval' ? config.ballot.minChoices : 1;
  for (const envelope of envelopesOf(config)) {
    const missing = minimum - Items.filter((item) => item.envelope === envelope.id).length;
    if (missing > 0)
      await seedRetainedProjects(
        stack,
        documents,
        envelope.id,
        Array.from({ length: missing }, () => Math.min(10_000, envelope.amount)),
      );
  }
}
