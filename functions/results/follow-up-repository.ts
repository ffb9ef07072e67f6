import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { conflict } from '../../shared/errors/domain-error.ts';
import { Milestone, RealisationStatus } from '../../shared/events/catalogue.ts';
import type { ResultsAudit } from './results-repository.ts';

/** The realisation of a winning project, as stored and as the public follow-up page shows it. */
export const StoredRealisation = z.object({
  projectId: z.string(),
  status: RealisationStatus,
  reason: z.optional(z.string()),
  milestones: z.array(Milestone),
  version: z.number().check(z.int(), z.positive()),
  updatedAt: z.string(),
  /** Staff `sub` (pseudonymous). */
  updatedBy: z.string(),
  /** `RealisationUpdated` of this version not on the bus yet. */
  eventPending: z.boolean(),
});
export type StoredRealisation = z.infer<typeof StoredRealisation>;

export interface FollowUpRepository {
  /** A citizen's wish to be emailed when the results are published (stored with the citizen, not a ballot). */
  setResultsNews(citizenId: string, subscribed: boolean, at: string): Promise<void>;
  getResultsNews(citizenId: string): Promise<boolean>;
  /** `created`, or `already` when the citizen followed the project before. */
  follow(citizenId: string, projectId: string, at: string): Promise<'created' | 'already'>;
  unfollow(citizenId: string, projectId: string): Promise<void>;
  /** The projects a citizen follows. */
  follows(citizenId: string): Promise<string[]>;
  /** Verification state of a citizen (identity's item, projected): `undefined` for an unknown id. */
  identityOf(citizenId: string): Promise<{ status: string; erased: boolean } | undefined>;
  getRealisation(projectId: string): Promise<StoredRealisation | undefined>;
  listRealisations(): Promise<StoredRealisation[]>;
  /** Writes `next` if the stored version is still `next.version - 1` (0: none); `conflict` otherwise. */
  putRealisation(next: StoredRealisation, audit: ResultsAudit): Promise<void>;
  clearRealisationPending(projectId: string, version: number): Promise<void>;
}

/**
 * Key layout (see README, "DynamoDB access patterns"):
 * - `FOLLOWUP#<citizenId>` / `RESULTSNEWS`: the citizen asked for the results by email; listed on `gsi1`
 *   `RESULTSNEWS#<edition>` / `CITIZEN#<citizenId>` by the mail fan-out
 *   (functions/notifications/notify-results-published.ts);
 * - `FOLLOWUP#<citizenId>` / `FOLLOWS#<projectId>`: the citizen follows a winning project; listed on `gsi1`
 *   `FOLLOWERS#<edition>#<projectId>` / `CITIZEN#<citizenId>`, and read at send time, by the mail fan-out
 *   (functions/notifications/notify-realisation-updated.ts);
 * - `EDITION#<id>#RESULTS` / `REALISATION#<projectId>`: status, reason and milestones, optimistic `version`;
 *   changes audited as `AUDIT#<at>#<id>` next to the results' audit.
 * Reads identity's `CITIZEN#<id>` / `IDENTITY` projected to `status, erasedAt` (no personal data).
 */
export function dynamoFollowUpRepository(
  client: DynamoDBDocumentClient,
  tableName: string,
  edition: string,
): FollowUpRepository {
  const resultsPk = `EDITION#${edition}#RESULTS`;
  const realisationKey = (projectId: string) => ({ pk: resultsPk, sk: `REALISATION#${projectId}` });
  const newsKey = (citizenId: string) => ({ pk: `FOLLOWUP#${citizenId}`, sk: 'RESULTSNEWS' });
  const followKey = (citizenId: string, projectId: string) => ({
    pk: `FOLLOWUP#${citizenId}`,
    sk: `FOLLOWS#${projectId}`,
  });
  const get = async (key: { pk: string; sk: string }, projection?: string) =>
    (
      await client.send(
        new GetCommand({
          TableName: tableName,
          Key: key,
          ConsistentRead: true,
          ...(projection ? { ProjectionExpression: projection } : {}),
        }),
      )
    ).Item;
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
  const parseRealisation = (item: Record<string, unknown>) =>
    StoredRealisation.parse({ ...item, milestones: JSON.parse(z.string().parse(item.milestonesJson)) });

  return {
    async setResultsNews(citizenId, subscribed, at) {
      if (!subscribed) {
        await client.send(new DeleteCommand({ TableName: tableName, Key: newsKey(citizenId) }));
        return;
      }
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...newsKey(citizenId),
            entity: 'ResultsNews',
            version: 1,
            gsi1pk: `RESULTSNEWS#${edition}`,
            gsi1sk: `CITIZEN#${citizenId}`,
            citizenId,
            subscribedAt: at,
          },
        }),
      );
    },
    async getResultsNews(citizenId) {
      return Boolean(await get(newsKey(citizenId), 'pk'));
    },
    async follow(citizenId, projectId, at) {
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...followKey(citizenId, projectId),
              entity: 'ProjectFollow',
              version: 1,
              gsi1pk: `FOLLOWERS#${edition}#${projectId}`,
              gsi1sk: `CITIZEN#${citizenId}`,
              citizenId,
              projectId,
              followedAt: at,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return 'created';
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return 'already';
        throw error;
      }
    },
    async unfollow(citizenId, projectId) {
      await client.send(new DeleteCommand({ TableName: tableName, Key: followKey(citizenId, projectId) }));
    },
    async follows(citizenId) {
      const items = await queryAll({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': `FOLLOWUP#${citizenId}`, ':prefix': 'FOLLOWS#' },
        ProjectionExpression: 'projectId',
        ConsistentRead: true,
      });
      return items.map((item) => z.string().parse(item.projectId)).sort();
    },
    async identityOf(citizenId) {
      const { Item: item } = await client.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: `CITIZEN#${citizenId}`, sk: 'IDENTITY' },
          ProjectionExpression: '#status, erasedAt',
          ExpressionAttributeNames: { '#status': 'status' },
          ConsistentRead: true,
        }),
      );
      if (!item) return undefined;
      return { status: z.string().parse(item.status), erased: Boolean(item.erasedAt) };
    },
    async getRealisation(projectId) {
      const item = await get(realisationKey(projectId));
      return item ? parseRealisation(item) : undefined;
    },
    async listRealisations() {
      const items = await queryAll({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': resultsPk, ':prefix': 'REALISATION#' },
        ConsistentRead: true,
      });
      return items.map(parseRealisation);
    },
    async putRealisation(next, audit) {
      const { milestones, ...rest } = next;
      const expected = next.version - 1;
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...realisationKey(next.projectId),
              entity: 'Realisation',
              ...rest,
              milestonesJson: JSON.stringify(milestones),
            },
            ConditionExpression: expected === 0 ? 'attribute_not_exists(pk)' : 'version = :expected',
            ...(expected === 0 ? {} : { ExpressionAttributeValues: { ':expected': expected } }),
          }),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException)
          throw conflict(
            'realisation_changed',
            'Le suivi de ce projet a été modifié entre-temps : rechargez la page.',
          );
        throw error;
      }
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk: resultsPk,
            sk: `AUDIT#${audit.at}#${audit.auditId}`,
            entity: 'ResultsAudit',
            version: 1,
            ...audit,
          },
        }),
      );
    },
    async clearRealisationPending(projectId, version) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: realisationKey(projectId),
            UpdateExpression: 'SET eventPending = :false',
            ConditionExpression: 'version = :version',
            ExpressionAttributeValues: { ':false': false, ':version': version },
          }),
        );
      } catch (error) {
        // A newer change meanwhile carries its own flag.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },
  };
}
