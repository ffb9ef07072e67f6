import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import type { ResultsPublished } from '../../shared/events/catalogue.ts';
import type { DetailOf } from '../../shared/events/define-event.ts';
import type { CitizenContacts } from '../../shared/identity/citizen-contacts.ts';
import type { NotifyDeps } from './notify-phase-changed.ts';
import { batchesOf, pacedSends, type SendOutcome, sendOnce } from './send-once.ts';
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

export type ResultsOutcome = SendOutcome | 'no-address' | 'no-project';

/** One results email to send: to an author, about the project their idea became; or, without one, the news. */
export interface ResultsMailRecipient {
  readonly citizenId: string;
  readonly projectId?: string;
}

/** Recipients per batch event: far inside the fan-out function's timeout at its sending pace, and the event's size. */
export const RESULTS_MAIL_BATCH_SIZE = 500;

/**
 * Who hears of the published results `resultsId`: every author credited on an idea that became a project (once
 * per project), then every citizen who asked for the news; cut into batches of `batchSize`. Nothing when the
 * results are not (or no longer) the published ones.
 */
export async function planResultsMail(
  deps: { audience: ResultsAudience },
  resultsId: string,
  batchSize = RESULTS_MAIL_BATCH_SIZE,
): Promise<ResultsMailRecipient[][]> {
  const results = await deps.audience.published(resultsId);
  if (!results) return [];
  const recipients: ResultsMailRecipient[] = [];
  const ideas = await deps.audience.ideasByProject();
  for (const envelope of results.envelopes) {
    for (const project of envelope.projects) {
      const authors = new Set<string>();
      for (const ideaId of ideas.get(project.id) ?? [])
        for (const author of await deps.audience.authorsOf(ideaId)) authors.add(author);
      for (const citizenId of authors) recipients.push({ citizenId, projectId: project.id });
    }
  }
  for (const citizenId of new Set(await deps.audience.newsSubscribers())) recipients.push({ citizenId });
  return batchesOf(recipients, batchSize);
}

/**
 * Sends one batch of results emails: an author hears whether their project was funded and why (the project's
 * explanation), a subscriber that the results are out. Once per results, project (or news) and citizen
 * (`ResultsPublished#<resultsId>#<project|news>#citizen:<id>`), so a redelivered batch sends nothing twice;
 * people without an address (erased, in person) are skipped; nothing if the results were replaced meanwhile.
 */
export async function sendResultsMailBatch(
  deps: NotifyResultsDeps & { sendsPerSecond?: number | undefined },
  config: EditionConfig,
  batch: { resultsId: string; recipients: readonly ResultsMailRecipient[] },
  eventId: string,
): Promise<ResultsOutcome[]> {
  const results = await deps.audience.published(batch.resultsId);
  if (!results) return [];
  const projects = new Map(
    results.envelopes.flatMap((envelope) =>
      envelope.projects.map((project) => [project.id, { project, envelope }] as const),
    ),
  );
  const news: ResultsEmail = {
    kind: 'news',
    winners: results.envelopes.reduce((sum, e) => sum + e.projects.filter((p) => p.selected).length, 0),
    envelopes: results.envelopes.length,
  };
  return pacedSends(
    batch.recipients,
    async (recipient): Promise<ResultsOutcome> => {
      let send: { reason: string; template: string; email: ResultsEmail };
      if (recipient.projectId === undefined) {
        send = { reason: `ResultsPublished#${batch.resultsId}#news`, template: 'results-news', email: news };
      } else {
        const found = projects.get(recipient.projectId);
        if (!found) return 'no-project';
        const { project, envelope } = found;
        send = {
          reason: `ResultsPublished#${batch.resultsId}#${project.id}`,
          template: project.selected ? 'results-author-funded' : 'results-author-not-funded',
          email: {
            kind: 'author',
            projectId: project.id,
            title: project.title,
            envelope: envelope.name,
            selected: project.selected,
            explanation: project.explanation,
          },
        };
      }
      const address = await deps.contacts.emailOf(recipient.citizenId);
      if (!address) return 'no-address';
      const to = `citizen:${recipient.citizenId}`;
      return sendOnce(
        deps,
        { key: `${send.reason}#${to}`, template: send.template, recipient: to, eventId },
        resultsEmail({ to: address, config, siteUrl: deps.siteUrl, email: send.email }),
      );
    },
    deps.sendsPerSecond,
  );
}

/**
 * Every results email in one go: the plan, then each batch in turn. The deployed path runs each batch in its own
 * invocation instead (functions/notifications/fanout-handler.ts); this is the same work for tests and small runs.
 */
export async function notifyResultsPublished(
  deps: NotifyResultsDeps,
  config: EditionConfig,
  detail: DetailOf<typeof ResultsPublished>,
  eventId: string,
): Promise<ResultsOutcome[]> {
  const outcomes: ResultsOutcome[] = [];
  for (const recipients of await planResultsMail(deps, detail.resultsId))
    outcomes.push(
      ...(await sendResultsMailBatch(deps, config, { resultsId: detail.resultsId, recipients }, eventId)),
    );
  return outcomes;
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
