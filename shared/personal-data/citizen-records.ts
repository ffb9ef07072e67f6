import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';

/**
 * Port: what the other contexts hold about one citizen, by pseudonymous id, for the person's own export
 * (`GET .../me`, RGPD access right). Read-only, projected to what the person may see; each reader follows the
 * key layout its owning context documents (ideas: functions/ideas/idea-repository.ts and
 * support-repository.ts; results: functions/results/follow-up-repository.ts; notifications:
 * functions/notifications/email-log-repository.ts; voting: functions/voting/voting-repository.ts). Like
 * shared/identity/citizen-contacts.ts, the reads are the only coupling: no function calls another.
 */
export interface CitizenRecords {
  drafts(citizenId: string): Promise<{ savedAt: string; draft: unknown }[]>;
  ideas(citizenId: string): Promise<CreditedIdea[]>;
  supports(citizenId: string): Promise<{ ideaId: string; title: string | undefined; supportedAt: string }[]>;
  follows(citizenId: string): Promise<{ projectId: string; followedAt: string }[]>;
  resultsNews(citizenId: string): Promise<{ subscribed: boolean; since?: string }>;
  emails(citizenId: string): Promise<SentEmail[]>;
  vote(citizenId: string): Promise<{ voted: boolean; channel?: string }>;
}

export const CreditedIdea = z.object({
  ideaId: z.string(),
  title: z.string(),
  status: z.string(),
  submittedAt: z.string(),
  /** `author`: they submitted it; `credited`: an idea of theirs was merged into it. */
  role: z.enum(['author', 'credited']),
});
export type CreditedIdea = z.infer<typeof CreditedIdea>;

export const SentEmail = z.object({
  template: z.string(),
  status: z.string(),
  createdAt: z.string(),
  sentAt: z.optional(z.string()),
});
export type SentEmail = z.infer<typeof SentEmail>;

const IdeaFields = z.object({
  ideaId: z.string(),
  authorId: z.string(),
  title: z.string(),
  status: z.string(),
  submittedAt: z.string(),
});

export function dynamoCitizenRecords(
  client: DynamoDBDocumentClient,
  tableName: string,
  edition: string,
): CitizenRecords {
  const queryAll = async (input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>) => {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({ TableName: tableName, ...input, ExclusiveStartKey: start }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  };
  const ideasById = async (ids: string[]) => {
    const found = new Map<string, z.infer<typeof IdeaFields>>();
    for (let i = 0; i < ids.length; i += 100) {
      let pending: Record<string, unknown>[] = ids
        .slice(i, i + 100)
        .map((id) => ({ pk: `IDEA#${id}`, sk: 'IDEA' }));
      for (let attempt = 0; pending.length > 0 && attempt < 6; attempt++) {
        const { Responses, UnprocessedKeys } = await client.send(
          new BatchGetCommand({
            RequestItems: {
              [tableName]: {
                Keys: pending,
                ProjectionExpression: 'ideaId, authorId, title, #status, submittedAt',
                ExpressionAttributeNames: { '#status': 'status' },
              },
            },
          }),
        );
        for (const item of Responses?.[tableName] ?? []) {
          const idea = IdeaFields.parse(item);
          found.set(idea.ideaId, idea);
        }
        pending = (UnprocessedKeys?.[tableName]?.Keys ?? []) as Record<string, unknown>[];
      }
    }
    return found;
  };
  return {
    async drafts(citizenId) {
      const { Item } = await client.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: `IDEADRAFT#${citizenId}`, sk: 'DRAFT' },
          ConsistentRead: true,
        }),
      );
      if (!Item) return [];
      return [
        { savedAt: z.string().parse(Item.savedAt), draft: JSON.parse(z.string().parse(Item.draftJson)) },
      ];
    },
    async ideas(citizenId) {
      const pointers = await queryAll({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :idea)',
        ExpressionAttributeValues: { ':pk': `IDEAAUTHOR#${citizenId}`, ':idea': 'IDEA#' },
      });
      const ideas = await ideasById(pointers.map((item) => z.string().parse(item.ideaId)));
      return [...ideas.values()]
        .map((idea) => ({
          ideaId: idea.ideaId,
          title: idea.title,
          status: idea.status,
          submittedAt: idea.submittedAt,
          role: idea.authorId === citizenId ? ('author' as const) : ('credited' as const),
        }))
        .sort((a, b) => b.submittedAt.localeCompare(a.submittedAt));
    },
    async supports(citizenId) {
      const items = await queryAll({
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `IDEASUPPORT#${citizenId}` },
      });
      const supports = items.map((item) => ({
        ideaId: z.string().parse(item.ideaId),
        supportedAt: z.string().parse(item.supportedAt),
      }));
      const titles = await ideasById(supports.map((s) => s.ideaId));
      return supports.map((s) => ({ ...s, title: titles.get(s.ideaId)?.title }));
    },
    async follows(citizenId) {
      const items = await queryAll({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': `FOLLOWUP#${citizenId}`, ':prefix': 'FOLLOWS#' },
      });
      return items.map((item) => ({
        projectId: z.string().parse(item.projectId),
        followedAt: z.string().parse(item.followedAt),
      }));
    },
    async resultsNews(citizenId) {
      const { Item } = await client.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: `FOLLOWUP#${citizenId}`, sk: 'RESULTSNEWS' },
          ConsistentRead: true,
        }),
      );
      return Item ? { subscribed: true, since: z.string().parse(Item.subscribedAt) } : { subscribed: false };
    },
    async emails(citizenId) {
      // The log keeps `citizen:<id>`, never the address (functions/notifications/send-once.ts).
      const items = await queryAll({
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        FilterExpression: 'recipient = :recipient',
        ExpressionAttributeValues: { ':pk': `EMAILLOG#${edition}`, ':recipient': `citizen:${citizenId}` },
        ScanIndexForward: false,
      });
      return items.map((item) =>
        SentEmail.parse({
          template: item.template,
          status: item.status,
          createdAt: item.createdAt,
          ...(item.sentAt ? { sentAt: item.sentAt } : {}),
        }),
      );
    },
    async vote(citizenId) {
      const { Item } = await client.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: `VOTER#${citizenId}`, sk: 'MARKER' },
          ProjectionExpression: 'channel',
          ConsistentRead: true,
        }),
      );
      return Item ? { voted: true, channel: z.string().parse(Item.channel) } : { voted: false };
    },
  };
}
