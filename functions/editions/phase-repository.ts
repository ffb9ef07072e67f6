import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { phaseStateKey, StoredPhase } from '../../shared/edition/phase-state.ts';
import { isClosedVotePhase, PHASES, Phase, phaseMoveRefusal } from '../../shared/edition/phases.ts';
import { conflict } from '../../shared/errors/domain-error.ts';
import { VOTE_WINDOW_CLOSES_AT, voteClosedKey, voteWindowKey } from '../../shared/voting/vote-window.ts';

export const Actor = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('schedule') }),
  z.object({ kind: z.literal('staff'), sub: z.string(), role: z.string() }),
]);
export type Actor = z.infer<typeof Actor>;

/** The current phase item: its key and shape are shared (shared/edition/phase-state.ts), others read it. */
export const PhaseState = StoredPhase;
export type PhaseState = StoredPhase;

export const PhaseChange = z.object({
  changeId: z.string(),
  from: Phase,
  to: Phase,
  at: z.string(),
  reason: z.optional(z.string()),
  actor: Actor,
  published: z.boolean(),
});
export type PhaseChange = z.infer<typeof PhaseChange>;

export interface PhaseRepository {
  /** `undefined` until the first change: the edition is then in `setup`. */
  getState(): Promise<PhaseState | undefined>;
  /** Whether the vote has closed for good (the marker written with the close): see `phaseMoveRefusal`. */
  isVoteClosed(): Promise<boolean>;
  /**
   * Writes the new state and the change together; refused if someone changed the phase meanwhile. With
   * `voteEndedBy` (epoch ms), also checks in the same transaction that the vote window (voting's item) is
   * closed by then: `vote-extended` (nothing written) while an admin's extension runs. A change to `counting`
   * or `results` writes the "vote closed" marker in the same transaction; a change to `vote` or before checks
   * there that it is absent (`vote_closed_for_good` otherwise): a reopening cannot race the close.
   */
  recordChange(
    expectedVersion: number,
    change: PhaseChange,
    guard?: { voteEndedBy: number },
  ): Promise<PhaseState | 'vote-extended'>;
  /** Most recent first. */
  history(limit: number): Promise<PhaseChange[]>;
  markPublished(change: PhaseChange): Promise<void>;
}

/** The phase cannot go back to `vote` or before: the vote has closed (the marker is there). */
export const voteClosedForGood = (to: Phase) =>
  conflict(
    'vote_closed_for_good',
    phaseMoveRefusal('counting', to, true) ?? 'Le vote est clos : il ne peut pas être rouvert.',
  );

/**
 * Key layout (one partition per edition, a handful of items):
 * - `EDITION#<id>` / `PHASE`: the current phase, with an optimistic `version`;
 * - `EDITION#<id>` / `PHASE#CHANGE#<at>#<changeId>`: one item per change, `published` set once its
 *   `PhaseChanged` event is on the bus (the change and its event cannot be split by a crash);
 * - `EDITION#<id>` / `VOTECLOSED` (shared key, shared/voting/vote-window.ts): the "vote closed" marker,
 *   written with the close, never removed.
 */
export function dynamoPhaseRepository(
  client: DynamoDBDocumentClient,
  tableName: string,
  edition: string,
): PhaseRepository {
  const pk = `EDITION#${edition}`;
  const changeKey = (change: Pick<PhaseChange, 'at' | 'changeId'>) => ({
    pk,
    sk: `PHASE#CHANGE#${change.at}#${change.changeId}`,
  });
  /** Closing writes the marker (kept if there); any move to `vote` or before checks it is absent. */
  const closedMarker = (change: PhaseChange) =>
    isClosedVotePhase(change.to)
      ? {
          Update: {
            TableName: tableName,
            Key: voteClosedKey(edition),
            UpdateExpression:
              'SET #entity = if_not_exists(#entity, :entity), #version = if_not_exists(#version, :one), ' +
              'closedAt = if_not_exists(closedAt, :at), changeId = if_not_exists(changeId, :changeId)',
            ExpressionAttributeNames: { '#entity': 'entity', '#version': 'version' },
            ExpressionAttributeValues: {
              ':entity': 'VoteClosed',
              ':one': 1,
              ':at': change.at,
              ':changeId': change.changeId,
            },
          },
        }
      : PHASES.indexOf(change.to) <= PHASES.indexOf('vote')
        ? {
            ConditionCheck: {
              TableName: tableName,
              Key: voteClosedKey(edition),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          }
        : undefined;
  return {
    async getState() {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: phaseStateKey(edition), ConsistentRead: true }),
      );
      return Item ? PhaseState.parse(Item) : undefined;
    },
    async isVoteClosed() {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: voteClosedKey(edition), ConsistentRead: true }),
      );
      return Item !== undefined;
    },
    async recordChange(expectedVersion, change, guard) {
      const state: PhaseState = { current: change.to, since: change.at, version: expectedVersion + 1 };
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: { ...phaseStateKey(edition), entity: 'PhaseState', ...state },
                  ConditionExpression:
                    expectedVersion === 0 ? 'attribute_not_exists(pk)' : '#version = :expected',
                  ...(expectedVersion === 0
                    ? {}
                    : {
                        ExpressionAttributeNames: { '#version': 'version' },
                        ExpressionAttributeValues: { ':expected': expectedVersion },
                      }),
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: { ...changeKey(change), entity: 'PhaseChange', version: 1, ...change },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              ...(guard
                ? [
                    {
                      ConditionCheck: {
                        TableName: tableName,
                        Key: voteWindowKey(edition),
                        // No window item: the vote never opened, nothing to wait for.
                        ConditionExpression: 'attribute_not_exists(pk) OR #closes <= :by',
                        ExpressionAttributeNames: { '#closes': VOTE_WINDOW_CLOSES_AT },
                        ExpressionAttributeValues: { ':by': guard.voteEndedBy },
                      },
                    },
                  ]
                : []),
              ...[closedMarker(change)].filter((item) => item !== undefined),
            ],
          }),
        );
      } catch (error) {
        const reasons =
          error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : [];
        if (
          PHASES.indexOf(change.to) <= PHASES.indexOf('vote') &&
          reasons[guard ? 3 : 2]?.Code === 'ConditionalCheckFailed'
        ) {
          throw voteClosedForGood(change.to);
        }
        if (
          guard &&
          error instanceof TransactionCanceledException &&
          error.CancellationReasons?.[2]?.Code === 'ConditionalCheckFailed' &&
          error.CancellationReasons[0]?.Code !== 'ConditionalCheckFailed'
        ) {
          return 'vote-extended';
        }
        if (
          error instanceof TransactionCanceledException ||
          error instanceof ConditionalCheckFailedException
        ) {
          throw conflict(
            'phase_changed_meanwhile',
            'La phase vient d’être modifiée par ailleurs : rechargez la page puis réessayez.',
          );
        }
        throw error;
      }
      return state;
    },
    async history(limit) {
      const { Items = [] } = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': pk, ':prefix': 'PHASE#CHANGE#' },
          ScanIndexForward: false,
          Limit: limit,
          ConsistentRead: true,
        }),
      );
      return Items.map((item) => PhaseChange.parse(item));
    },
    async markPublished(change) {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: changeKey(change),
          UpdateExpression: 'SET published = :true',
          ExpressionAttributeValues: { ':true': true },
        }),
      );
    },
  };
}
