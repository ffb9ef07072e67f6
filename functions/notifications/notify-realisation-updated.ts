import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import type { RealisationUpdated } from '../../shared/events/catalogue.ts';
import type { DetailOf } from '../../shared/events/define-event.ts';
import type { CitizenContacts } from '../../shared/identity/citizen-contacts.ts';
import type { NotifyDeps } from './notify-phase-changed.ts';
import { type SendOutcome, sendToCitizens } from './send-once.ts';
import { resultsEmail } from './templates/results-emails.ts';

/** Port: the citizens who follow a project (`POST .../projects/{project}/followers`). */
export interface ProjectFollowers {
  followersOf(projectId: string): Promise<string[]>;
}

export interface NotifyFollowersDeps extends NotifyDeps {
  contacts: CitizenContacts;
  followers: ProjectFollowers;
}

/**
 * On `RealisationUpdated`: every follower of the project is told its new status, reason and milestones, once
 * per change and follower (`RealisationUpdated#<updateId>#citizen:<id>`); no address, no email.
 */
export async function notifyRealisationUpdated(
  deps: NotifyFollowersDeps,
  config: EditionConfig,
  detail: DetailOf<typeof RealisationUpdated>,
  eventId: string,
): Promise<(SendOutcome | 'no-address')[]> {
  return sendToCitizens(
    deps,
    {
      citizenIds: await deps.followers.followersOf(detail.projectId),
      reason: `RealisationUpdated#${detail.updateId}`,
      template: 'realisation-updated',
      eventId,
    },
    (address) =>
      resultsEmail({ to: address, config, siteUrl: deps.siteUrl, email: { kind: 'realisation', detail } }),
  );
}

/** Reads `gsi1` `FOLLOWERS#<edition>#<project>` (items owned by functions/results/follow-up-repository.ts). */
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
  };
}
