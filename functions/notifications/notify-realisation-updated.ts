import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import type { RealisationUpdated } from '../../shared/events/catalogue.ts';
import type { DetailOf } from '../../shared/events/define-event.ts';
import type { CitizenContacts } from '../../shared/identity/citizen-contacts.ts';
import type { NotifyDeps } from './notify-phase-changed.ts';
import { RESULTS_MAIL_BATCH_SIZE } from './notify-results-published.ts';
import { batchesOf, pacedSends, type SendOutcome, sendOnce } from './send-once.ts';
import { resultsEmail } from './templates/results-emails.ts';

/** Port: the citizens who follow a project (`POST .../projects/{project}/followers`). */
export interface ProjectFollowers {
  followersOf(projectId: string): Promise<string[]>;
  /** Whether `citizenId` follows `projectId` now (checked again at send time). */
  follows(citizenId: string, projectId: string): Promise<boolean>;
}

export interface NotifyFollowersDeps extends NotifyDeps {
  contacts: CitizenContacts;
  followers: ProjectFollowers;
}

/** What a follower's email says of the change: the fields both `RealisationUpdated` and its batches carry. */
export type RealisationChange = Omit<DetailOf<typeof RealisationUpdated>, 'version' | 'edition' | 'actor'>;

export type FollowerOutcome = SendOutcome | 'no-address' | 'not-following';

/** Followers per batch event: as the results emails' batches (the fan-out's timeout at its pace, the event's size). */
export const REALISATION_MAIL_BATCH_SIZE = RESULTS_MAIL_BATCH_SIZE;

/**
 * Who hears of a change of `projectId`'s realisation: each of its followers once, cut into batches of
 * `batchSize` citizen ids (none when nobody follows it).
 */
export async function planRealisationMail(
  deps: { followers: ProjectFollowers },
  projectId: string,
  batchSize = REALISATION_MAIL_BATCH_SIZE,
): Promise<string[][]> {
  return batchesOf([...new Set(await deps.followers.followersOf(projectId))], batchSize);
}

/**
 * Sends one batch of followers' emails: the project's new status, reason and milestones, once per change and
 * follower (`RealisationUpdated#<updateId>#citizen:<id>`), so a redelivered batch or a replayed plan sends nothing
 * twice; a follower without an address (erased, in person) gets nothing. Each id is checked to follow the project
 * still: one who stopped since the plan hears nothing, and a batch event put on the bus by anyone else than the
 * planner reaches no one but the project's followers (as `RealisationUpdated` itself).
 */
export async function sendRealisationMailBatch(
  deps: NotifyFollowersDeps & { sendsPerSecond?: number | undefined },
  config: EditionConfig,
  batch: { change: RealisationChange; followers: readonly string[] },
  eventId: string,
): Promise<FollowerOutcome[]> {
  const { change } = batch;
  return pacedSends(
    batch.followers,
    async (citizenId): Promise<FollowerOutcome> => {
      if (!(await deps.followers.follows(citizenId, change.projectId))) return 'not-following';
      const address = await deps.contacts.emailOf(citizenId);
      if (!address) return 'no-address';
      const recipient = `citizen:${citizenId}`;
      return sendOnce(
        deps,
        {
          key: `RealisationUpdated#${change.updateId}#${recipient}`,
          template: 'realisation-updated',
          recipient,
          eventId,
        },
        resultsEmail({
          to: address,
          config,
          siteUrl: deps.siteUrl,
          email: { kind: 'realisation', detail: change },
        }),
      );
    },
    deps.sendsPerSecond,
  );
}

/**
 * Every follower's email in one go: the plan, then each batch in turn. The deployed path runs each batch in its
 * own invocation instead (functions/notifications/fanout-handler.ts); this is the same work for tests.
 */
export async function notifyRealisationUpdated(
  deps: NotifyFollowersDeps,
  config: EditionConfig,
  detail: RealisationChange,
  eventId: string,
): Promise<FollowerOutcome[]> {
  const outcomes: FollowerOutcome[] = [];
  for (const followers of await planRealisationMail(deps, detail.projectId))
    outcomes.push(...(await sendRealisationMailBatch(deps, config, { change: detail, followers }, eventId)));
  return outcomes;
}

/**
 * Reads `gsi1` `FOLLOWERS#<edition>#<project>` and the follow items `FOLLOWUP#<citizen>` / `FOLLOWS#<project>`
 * (owned by functions/results/follow-up-repository.ts).
 */
export function dynamoProjectFollowers(
  client: DynamoDBDocumentClient,
  tableName: string,
  edition: string,
): ProjectFollowers {
  return {
    async followersOf(projectId) {
      const citizens: string[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :pk',
            ExpressionAttributeValues: { ':pk': `FOLLOWERS#${edition}#${projectId}` },
            ProjectionExpression: 'citizenId',
            ExclusiveStartKey: start,
          }),
        );
        for (const item of page.Items ?? []) citizens.push(z.string().parse(item.citizenId));
        start = page.LastEvaluatedKey;
      } while (start);
      return citizens;
    },
    async follows(citizenId, projectId) {
      const { Item } = await client.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: `FOLLOWUP#${citizenId}`, sk: `FOLLOWS#${projectId}` },
          ProjectionExpression: 'gsi1pk',
          ConsistentRead: true,
        }),
      );
      return Item?.gsi1pk === `FOLLOWERS#${edition}#${projectId}`;
    },
  };
}
