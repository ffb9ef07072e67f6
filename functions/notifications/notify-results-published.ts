import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import type { ResultsPublished } from '../../shared/events/catalogue.ts';
import type { DetailOf } from '../../shared/events/define-event.ts';
import type { CitizenContacts } from '../../shared/identity/citizen-contacts.ts';
import type { NotifyDeps } from './notify-phase-changed.ts';
import { type SendOutcome, sendOnce } from './send-once.ts';
import { type ResultsEmail, resultsEmail } from './templates/results-emails.ts';

/** One project's line of the published results, as much as an email needs. */
const PublishedProject = z.object({
  id: z.string(),
  title: z.string(),
  selected: z.boolean(),
  explanation: z.string(),
});
const PublishedResults = z.object({
  envelopes: z.array(z.object({ id: z.string(), name: z.string(), projects: z.array(PublishedProject) })),
});
export type PublishedResults = z.infer<typeof PublishedResults>;

/** Port: what the results emails need to read, narrowed to ids, titles and explanations (no ballot). */
export interface ResultsAudience {
  /** The published results of `resultsId`, `undefined` if they are not (or no longer) the published ones. */
  published(resultsId: string): Promise<PublishedResults | undefined>;
  /** The ideas each project comes from (`ideaIds` of the project items), by project id. */
  ideasByProject(): Promise<Map<string, string[]>>;
  /** Everyone credited on an idea (its author, then the authors of ideas merged into it). */
  authorsOf(ideaId: string): Promise<string[]>;
  /** Citizens who asked to be emailed the results (`PUT .../me/results-news`). */
  newsSubscribers(): Promise<string[]>;
}

export interface NotifyResultsDeps extends NotifyDeps {
  contacts: CitizenContacts;
  audience: ResultsAudience;
}

export type ResultsOutcome = SendOutcome | 'no-address';

/** A few sends at a time: thousands of subscribers must not wait one by one, nor flood SES. */
const PARALLEL_SENDS = 8;

async function inBatches<T, R>(items: readonly T[], run: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += PARALLEL_SENDS)
    out.push(...(await Promise.all(items.slice(i, i + PARALLEL_SENDS).map(run))));
  return out;
}

/**
 * On `ResultsPublished`: every author of an idea that became a project hears whether it was funded and why
 * (the project's explanation), and every citizen who asked is told the results are out. Once per results,
 * project (or news) and citizen (`ResultsPublished#<resultsId>#<project|news>#citizen:<id>`), so a
 * redelivered event sends nothing twice; people without an address (erased, in person) are skipped.
 */
export async function notifyResultsPublished(
  deps: NotifyResultsDeps,
  config: EditionConfig,
  detail: DetailOf<typeof ResultsPublished>,
  eventId: string,
): Promise<ResultsOutcome[]> {
  const results = await deps.audience.published(detail.resultsId);
  if (!results) return [];
  const sends: { reason: string; citizenId: string; template: string; email: ResultsEmail }[] = [];
  const ideas = await deps.audience.ideasByProject();
  for (const envelope of results.envelopes) {
    for (const project of envelope.projects) {
      const authors = new Set<string>();
      for (const ideaId of ideas.get(project.id) ?? [])
        for (const author of await deps.audience.authorsOf(ideaId)) authors.add(author);
      for (const citizenId of authors)
        sends.push({
          reason: `ResultsPublished#${detail.resultsId}#${project.id}`,
          citizenId,
          template: project.selected ? 'results-author-funded' : 'results-author-not-funded',
          email: {
            kind: 'author',
            projectId: project.id,
            title: project.title,
            envelope: envelope.name,
            selected: project.selected,
            explanation: project.explanation,
          },
        });
    }
  }
  const news: ResultsEmail = {
    kind: 'news',
    winners: results.envelopes.reduce((sum, e) => sum + e.projects.filter((p) => p.selected).length, 0),
    envelopes: results.envelopes.length,
  };
  for (const citizenId of await deps.audience.newsSubscribers())
    sends.push({
      reason: `ResultsPublished#${detail.resultsId}#news`,
      citizenId,
      template: 'results-news',
      email: news,
    });

  return inBatches(sends, async (send) => {
    const address = await deps.contacts.emailOf(send.citizenId);
    if (!address) return 'no-address' as const;
    const recipient = `citizen:${send.citizenId}`;
    return sendOnce(
      deps,
      { key: `${send.reason}#${recipient}`, template: send.template, recipient, eventId },
      resultsEmail({ to: address, config, siteUrl: deps.siteUrl, email: send.email }),
    );
  });
}

/**
 * Reads, never writes, other contexts' items: the results (`EDITION#<id>#RESULTS` / `RESULTS`, owned by
 * functions/results/results-repository.ts), the projects (`EDITION#<id>#PROJECTS`, shared/voting/projects.ts),
 * the ideas' credited authors (`IDEA#<id>` / `IDEA`, functions/ideas/idea-repository.ts) and the results news
 * opt-ins (`gsi1` `RESULTSNEWS#<edition>`, functions/results/follow-up-repository.ts).
 */
export function dynamoResultsAudience(
  client: DynamoDBDocumentClient,
  tableName: string,
  edition: string,
): ResultsAudience {
  const queryAll = async (input: ConstructorParameters<typeof QueryCommand>[0]) => {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await client.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  };
  return {
    async published(resultsId) {
      const { Item } = await client.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: `EDITION#${edition}#RESULTS`, sk: 'RESULTS' },
          ProjectionExpression: 'resultsId, publishedAt, resultsJson',
          ConsistentRead: true,
        }),
      );
      if (!Item || Item.resultsId !== resultsId || !Item.publishedAt) return undefined;
      return PublishedResults.parse(JSON.parse(z.string().parse(Item.resultsJson)));
    },
    async ideasByProject() {
      const items = await queryAll({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': `EDITION#${edition}#PROJECTS`, ':prefix': 'PROJECT#' },
        ProjectionExpression: 'id, ideaIds',
        ConsistentRead: true,
      });
      const byProject = new Map<string, string[]>();
      for (const item of items) {
        const ideaIds = z.optional(z.array(z.string())).parse(item.ideaIds);
        if (ideaIds?.length) byProject.set(z.string().parse(item.id), ideaIds);
      }
      return byProject;
    },
    async authorsOf(ideaId) {
      const { Item } = await client.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: `IDEA#${ideaId}`, sk: 'IDEA' },
          ProjectionExpression: 'authorIds',
          ConsistentRead: true,
        }),
      );
      return Item ? z.array(z.string()).parse(Item.authorIds) : [];
    },
    async newsSubscribers() {
      const items = await queryAll({
        TableName: tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': `RESULTSNEWS#${edition}` },
        ProjectionExpression: 'citizenId',
      });
      return items.map((item) => z.string().parse(item.citizenId));
    },
  };
}
