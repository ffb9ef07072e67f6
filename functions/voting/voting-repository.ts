import {
  type AttributeValue,
  ConditionalCheckFailedException,
  TransactionCanceledException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import * as z from 'zod/mini';
import { phaseStateKey, StoredPhase } from '../../shared/edition/phase-state.ts';
import type { Phase } from '../../shared/edition/phases.ts';
import { conflict } from '../../shared/errors/domain-error.ts';
import { votingCodeKey } from '../../shared/identity/voting-code.ts';
import { TURNOUT_SHARDS } from '../../shared/voting/ballot-layout.ts';
import { VoteSnapshot } from '../../shared/voting/frozen-snapshot.ts';
import { voteClosedKey, voteWindowKey } from '../../shared/voting/vote-window.ts';
import { voteClosed } from './vote-refusals.ts';

export { BALLOT_SHARDS, TURNOUT_SHARDS } from '../../shared/voting/ballot-layout.ts';

export const Channel = z.enum(['online', 'paper']);
export type Channel = z.infer<typeof Channel>;

/** A window change stored with the window and not yet on the bus (`VoteWindowChanged`'s detail). */
export const PendingWindowChange = z.object({
  changeId: z.string(),
  action: z.enum(['pause', 'resume', 'extend']),
  reason: z.string(),
  closesAt: z.iso.datetime(),
  paused: z.boolean(),
  changedAt: z.iso.datetime(),
  actor: z.object({ kind: z.literal('staff'), sub: z.string(), role: z.string() }),
});
export type PendingWindowChange = z.infer<typeof PendingWindowChange>;

export const VoteWindow = z.object({
  opensAtMs: z.number(),
  closesAtMs: z.number(),
  paused: z.boolean(),
  version: z.number().check(z.int()),
  /** The last change, until its `VoteWindowChanged` is published (then removed). */
  pending: z.optional(PendingWindowChange),
});
export type VoteWindow = z.infer<typeof VoteWindow>;

export const WindowAudit = z.object({
  auditId: z.string(),
  action: z.enum(['pause', 'resume', 'extend', 'freeze', 'change-refused']),
  reason: z.string(),
  at: z.iso.datetime(),
  actor: z.string(),
  detail: z.optional(z.string()),
});
export type WindowAudit = z.infer<typeof WindowAudit>;

/** One envelope's ballot as stored: no voter id, no time, nothing the marker holds. */
export interface BallotToStore {
  ballotId: string;
  envelope: string;
  choices: string[] | Record<string, number>;
}

export interface CastRequest {
  voterId: string;
  territory: string;
  channel: Channel;
  /** YYYY-MM-DD in the edition's zone: no time of day. */
  date: string;
  receipt: string;
  /** The receipt sealed under the client's Idempotency-Key (online), or absent (paper). */
  sealedReceipt?: string;
  ballots: BallotToStore[];
  ballotShard: number;
  turnoutShard: number;
  nowMs: number;
  /** Online casts only: an identity registered in person votes on paper. */
  refuseInPersonIdentity: boolean;
  /**
   * Paper ballots of an in-person registration: the printed code is spent in the same transaction (unused,
   * this voter's, not expired). A code issued "until the vote closes" stays good during an extension: the
   * window check of the same transaction bounds it, so `expiresAtMs >= configuredCloseMs` also passes.
   */
  redeemCode?: { codeHash: string; configuredCloseMs: number };
  /** Written in the same transaction (a paper sheet's closing update, say). */
  extra?: NonNullable<TransactWriteCommandInput['TransactItems']>;
}

/** Why a cast was refused, read from the transaction's cancellation reasons. */
export type CastRefusal =
  /** The vote has closed (the marker written with the close): refused whatever the phase item says. */
  | { kind: 'closed' }
  | { kind: 'phase'; phase: Phase | undefined }
  | { kind: 'window'; window: VoteWindow | undefined }
  | { kind: 'identity'; identity: Record<string, unknown> | undefined }
  | { kind: 'already-voted'; sealedReceipt: string | undefined }
  | { kind: 'voting-code'; code: Record<string, unknown> | undefined }
  /** One of `extra` failed its condition: its index in `extra`. */
  | { kind: 'extra'; index: number };

/** A printed voting code as stored by the identity function (hash only). */
export const StoredVotingCode = z.object({
  citizenId: z.string(),
  expiresAtMs: z.number(),
  usedAt: z.optional(z.string()),
});
export type StoredVotingCode = z.infer<typeof StoredVotingCode>;

/** What voting reads of an identity item: never names, email or birth date. */
export const VoterIdentity = z.object({
  citizenId: z.string(),
  territory: z.string(),
  status: z.string(),
  channel: z.optional(z.string()),
  erasedAt: z.optional(z.string()),
});
export type VoterIdentity = z.infer<typeof VoterIdentity>;

export type CastOutcome = { ok: true } | { ok: false; refusal: CastRefusal };

export interface VotingRepository {
  getSnapshot(): Promise<{ snapshot: VoteSnapshot; hash: string } | undefined>;
  /** Stores the snapshot and the window together, once; `exists` if the vote was already frozen. */
  freeze(snapshot: VoteSnapshot, hash: string, audit: WindowAudit): Promise<'frozen' | 'exists'>;
  audit(entry: WindowAudit): Promise<void>;
  getPhase(): Promise<Phase | undefined>;
  getWindow(): Promise<VoteWindow | undefined>;
  /** Whether this person has a ballot recorded (online or paper): the marker only, never the ballot. */
  hasVoted(voterId: string): Promise<boolean>;
  /**
   * Replaces the window if nobody changed it meanwhile, with its audit entry, checking in the same
   * transaction that the vote has not closed (the marker); with `whileVoting`, also that the phase is still
   * `vote` (an extension cannot race the close). `vote_closed` otherwise.
   */
  changeWindow(
    expectedVersion: number,
    next: VoteWindow,
    audit: WindowAudit,
    options?: { whileVoting: boolean },
  ): Promise<void>;
  /** Forgets the pending change once its event is on the bus (a later change may have replaced it). */
  markWindowChangePublished(changeId: string): Promise<void>;
  /** ONE TransactWriteItems: phase, window and identity checks, marker, ballot(s), turnout counter. */
  cast(request: CastRequest): Promise<CastOutcome>;
  /**
   * Marks the voter's receipt as emailed, once: `true` for the first caller only (a retry with the same
   * Idempotency-Key, or 200 of them at once, find it marked). A boolean on the marker, nothing a ballot holds.
   */
  claimReceiptEmail(voterId: string): Promise<boolean>;
  /** Undoes a claim whose email could not be sent, so that a retry may send it. */
  releaseReceiptEmail(voterId: string): Promise<void>;
  getVotingCode(codeHash: string): Promise<StoredVotingCode | undefined>;
  /**
   * Moves a has-voted marker to another voter id (an erased identity's new id), in one transaction, keeping
   * only its channel: the sealed receipt goes, so nothing ties it to a ballot. `false` when there was none.
   */
  moveMarker(fromVoterId: string, toVoterId: string): Promise<boolean>;
  getVoterIdentity(citizenId: string): Promise<VoterIdentity | undefined>;
  /** Sum of the turnout shards, by `<territory>#<channel>`. */
  readTurnout(): Promise<Record<string, number>>;
  /** The envelopes of the ballots carrying this receipt code (eventually consistent index). */
  findReceipt(code: string): Promise<string[]>;
}

/**
 * Key layout (see README, "DynamoDB access patterns"):
 * - `EDITION#<id>#VOTING` / `SNAPSHOT`: the frozen rules, envelopes, projects and counting rule;
 * - `EDITION#<id>#VOTING` / `WINDOW`: opening and (extended) closing instants, pause flag, version;
 * - `EDITION#<id>#VOTING` / `AUDIT#<at>#<id>`: every pause, resume, extension, refused change;
 * - `VOTER#<citizenId>` / `MARKER`: "has voted" (channel, sealed receipt): one per person, all channels;
 * - `BALLOT#<envelope>#<shard>` / `BALLOT#<ballotId>`: a ballot, `gsi1`: `RECEIPT#<code>` / `ENVELOPE#<id>`;
 * - `TURNOUT#<shard>` / `COUNTS`: one counter attribute per `<territory>#<channel>`.
 * Nothing on a ballot (random id, random shard, receipt code, date) appears on the marker.
 */
export function dynamoVotingRepository(
  client: DynamoDBDocumentClient,
  tableName: string,
  edition: string,
): VotingRepository {
  const votingPk = `EDITION#${edition}#VOTING`;
  const snapshotKey = { pk: votingPk, sk: 'SNAPSHOT' };
  const windowKey = voteWindowKey(edition);
  const auditItem = (entry: WindowAudit) => ({
    pk: votingPk,
    sk: `AUDIT#${entry.at}#${entry.auditId}`,
    entity: 'VotingAudit',
    version: 1,
    ...entry,
  });
  const get = async (key: { pk: string; sk: string }) =>
    (await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;

  return {
    async getSnapshot() {
      const item = await get(snapshotKey);
      if (!item) return undefined;
      return {
        snapshot: VoteSnapshot.parse(JSON.parse(z.string().parse(item.snapshotJson))),
        hash: z.string().parse(item.hash),
      };
    },
    async freeze(snapshot, hash, audit) {
      const window: VoteWindow = {
        opensAtMs: Date.parse(snapshot.opensAt),
        closesAtMs: Date.parse(snapshot.closesAt),
        paused: false,
        version: 1,
      };
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: {
                    ...snapshotKey,
                    entity: 'VoteSnapshot',
                    version: 1,
                    snapshotJson: JSON.stringify(snapshot),
                    hash,
                    frozenAt: audit.at,
                  },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: { ...windowKey, entity: 'VoteWindow', ...window },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              { Put: { TableName: tableName, Item: auditItem(audit) } },
            ],
          }),
        );
        return 'frozen';
      } catch (error) {
        if (error instanceof TransactionCanceledException) return 'exists';
        throw error;
      }
    },
    async audit(entry) {
      await client.send(new PutCommand({ TableName: tableName, Item: auditItem(entry) }));
    },
    async getPhase() {
      const item = await get(phaseStateKey(edition));
      return item ? StoredPhase.parse(item).current : undefined;
    },
    async getWindow() {
      const item = await get(windowKey);
      return item ? VoteWindow.parse(item) : undefined;
    },
    async hasVoted(voterId) {
      return (await get({ pk: `VOTER#${voterId}`, sk: 'MARKER' })) !== undefined;
    },
    async changeWindow(expectedVersion, next, audit, options) {
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: { ...windowKey, entity: 'VoteWindow', ...next },
                  ConditionExpression: '#version = :expected',
                  ExpressionAttributeNames: { '#version': 'version' },
                  ExpressionAttributeValues: { ':expected': expectedVersion },
                },
              },
              { Put: { TableName: tableName, Item: auditItem(audit) } },
              // Once the vote has closed, no pause, resume or extension touches it again.
              {
                ConditionCheck: {
                  TableName: tableName,
                  Key: voteClosedKey(edition),
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              ...(options?.whileVoting
                ? [
                    {
                      ConditionCheck: {
                        TableName: tableName,
                        Key: phaseStateKey(edition),
                        ConditionExpression: '#current = :vote',
                        ExpressionAttributeNames: { '#current': 'current' },
                        ExpressionAttributeValues: { ':vote': 'vote' },
                      },
                    },
                  ]
                : []),
            ],
          }),
        );
      } catch (error) {
        if (error instanceof TransactionCanceledException) {
          const reasons = error.CancellationReasons ?? [];
          if ([2, 3].some((i) => reasons[i]?.Code === 'ConditionalCheckFailed')) throw voteClosed();
          throw conflict(
            'vote_window_changed_meanwhile',
            'La fenêtre de vote vient d’être modifiée par ailleurs : rechargez la page puis réessayez.',
          );
        }
        throw error;
      }
    },
    async markWindowChangePublished(changeId) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: windowKey,
            UpdateExpression: 'REMOVE pending',
            ConditionExpression: 'pending.changeId = :changeId',
            ExpressionAttributeValues: { ':changeId': changeId },
          }),
        );
      } catch (error) {
        // Already marked, or replaced by a later change (which carries its own pending event).
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },
    async claimReceiptEmail(voterId) {
      for (let attempt = 0; ; attempt++) {
        try {
          await client.send(
            new UpdateCommand({
              TableName: tableName,
              Key: { pk: `VOTER#${voterId}`, sk: 'MARKER' },
              UpdateExpression: 'SET receiptEmailed = :true',
              ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(receiptEmailed)',
              ExpressionAttributeValues: { ':true': true },
            }),
          );
          return true;
        } catch (error) {
          if (error instanceof ConditionalCheckFailedException) return false;
          // A concurrent cast of the same voter (a retry still in its transaction): try again shortly.
          if (error instanceof TransactionConflictException && attempt < 5) {
            await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 20 * 2 ** attempt));
            continue;
          }
          throw error;
        }
      }
    },
    async releaseReceiptEmail(voterId) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: `VOTER#${voterId}`, sk: 'MARKER' },
            UpdateExpression: 'REMOVE receiptEmailed',
            ConditionExpression: 'attribute_exists(pk)',
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },
    async moveMarker(fromVoterId, toVoterId) {
      const marker = await get({ pk: `VOTER#${fromVoterId}`, sk: 'MARKER' });
      if (!marker) return false;
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Delete: {
                  TableName: tableName,
                  Key: { pk: `VOTER#${fromVoterId}`, sk: 'MARKER' },
                  ConditionExpression: 'attribute_exists(pk)',
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: {
                    pk: `VOTER#${toVoterId}`,
                    sk: 'MARKER',
                    entity: 'VoteMarker',
                    version: 1,
                    channel: marker.channel,
                  },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
            ],
          }),
        );
        return true;
      } catch (error) {
        // A concurrent redelivery moved it first: the marker is where it belongs.
        if (error instanceof TransactionCanceledException) return false;
        throw error;
      }
    },
    async getVotingCode(codeHash) {
      const item = await get(votingCodeKey(codeHash));
      return item ? StoredVotingCode.parse(item) : undefined;
    },
    async getVoterIdentity(citizenId) {
      const { Item } = await client.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: `CITIZEN#${citizenId}`, sk: 'IDENTITY' },
          ConsistentRead: true,
          ProjectionExpression: 'citizenId, territory, #status, #channel, erasedAt',
          ExpressionAttributeNames: { '#status': 'status', '#channel': 'channel' },
        }),
      );
      return Item ? VoterIdentity.parse(Item) : undefined;
    },
    async cast(request) {
      const input = castTransaction(tableName, edition, request);
      const closedAt = (input.TransactItems?.length ?? 0) - 1;
      for (let attempt = 0; ; attempt++) {
        try {
          await client.send(new TransactWriteCommand(input));
          return { ok: true };
        } catch (error) {
          if (!(error instanceof TransactionCanceledException)) throw error;
          const reasons = error.CancellationReasons ?? [];
          const failed = (i: number) => reasons[i]?.Code === 'ConditionalCheckFailed';
          const conflicted = reasons.some((r) => r.Code === 'TransactionConflict');
          if (!reasons.some((r) => r.Code === 'ConditionalCheckFailed')) {
            // Only concurrent transactions on the same items (the same voter, a turnout shard): try again.
            if (conflicted && attempt < 8) {
              await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * 2 ** attempt));
              continue;
            }
            throw error;
          }
          // The document client leaves cancellation reasons in DynamoDB JSON.
          const old = (i: number) => {
            const item = reasons[i]?.Item;
            return item
              ? (unmarshall(item as Record<string, AttributeValue>) as Record<string, unknown>)
              : undefined;
          };
          if (failed(3)) {
            const marker = old(3) ?? (await get({ pk: `VOTER#${request.voterId}`, sk: 'MARKER' }));
            const sealed = marker?.sealedReceipt;
            return {
              ok: false,
              refusal: {
                kind: 'already-voted',
                sealedReceipt: typeof sealed === 'string' ? sealed : undefined,
              },
            };
          }
          // After the marker: a retry of a ballot stored before the close still gets its receipt back.
          if (failed(closedAt)) return { ok: false, refusal: { kind: 'closed' } };
          if (failed(0)) {
            const item = old(0) ?? (await get(phaseStateKey(edition)));
            return {
              ok: false,
              refusal: { kind: 'phase', phase: item ? StoredPhase.parse(item).current : undefined },
            };
          }
          if (failed(1)) {
            const item = old(1) ?? (await get(windowKey));
            return {
              ok: false,
              refusal: { kind: 'window', window: item ? VoteWindow.parse(item) : undefined },
            };
          }
          if (failed(2)) {
            const item = old(2) ?? (await get({ pk: `CITIZEN#${request.voterId}`, sk: 'IDENTITY' }));
            return { ok: false, refusal: { kind: 'identity', identity: item } };
          }
          const codeAt = 5 + request.ballots.length;
          if (request.redeemCode && failed(codeAt)) {
            return { ok: false, refusal: { kind: 'voting-code', code: old(codeAt) } };
          }
          const extraAt = codeAt + (request.redeemCode ? 1 : 0);
          const index = reasons.findIndex(
            (r, i) => i >= extraAt && i < closedAt && r.Code === 'ConditionalCheckFailed',
          );
          return { ok: false, refusal: { kind: 'extra', index: Math.max(0, index - extraAt) } };
        }
      }
    },
    async readTurnout() {
      const keys = Array.from({ length: TURNOUT_SHARDS }, (_, shard) => ({
        pk: `TURNOUT#${shard}`,
        sk: 'COUNTS',
      }));
      const totals: Record<string, number> = {};
      let pending: Record<string, unknown>[] = keys;
      for (let attempt = 0; pending.length > 0 && attempt < 6; attempt++) {
        const { Responses, UnprocessedKeys } = await client.send(
          new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending } } }),
        );
        for (const item of Responses?.[tableName] ?? []) {
          for (const [name, value] of Object.entries(item)) {
            if (name.startsWith('n#') && typeof value === 'number') {
              const key = name.slice(2);
              totals[key] = (totals[key] ?? 0) + value;
            }
          }
        }
        pending = (UnprocessedKeys?.[tableName]?.Keys ?? []) as Record<string, unknown>[];
      }
      return totals;
    },
    async findReceipt(code) {
      const { Items = [] } = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': `RECEIPT#${code}` },
        }),
      );
      return Items.map((item) => z.string().parse(item.envelope));
    },
  };
}

/**
 * The cast as one TransactWriteItems. Item order matters: the cancellation reasons come back in it.
 * 0 phase is `vote` · 1 window open and not paused · 2 identity verified, same territory, not erased ·
 * 3 marker absent · 4 turnout counter · 5.. ballots, then the voting code spent (paper), then any extra item,
 * and LAST the "vote closed" marker absent: once the close is written, no ballot gets in, whatever the phase.
 */
export function castTransaction(
  tableName: string,
  edition: string,
  request: CastRequest,
): TransactWriteCommandInput {
  const identityCondition = [
    'attribute_exists(pk)',
    '#status = :verified',
    '#territory = :territory',
    'attribute_not_exists(erasedAt)',
    ...(request.refuseInPersonIdentity ? ['(attribute_not_exists(#channel) OR #channel <> :inPerson)'] : []),
  ].join(' AND ');
  const counter = `n#${request.territory}#${request.channel}`;
  return {
    TransactItems: [
      {
        ConditionCheck: {
          TableName: tableName,
          Key: phaseStateKey(edition),
          ConditionExpression: '#current = :vote',
          ExpressionAttributeNames: { '#current': 'current' },
          ExpressionAttributeValues: { ':vote': 'vote' },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      {
        ConditionCheck: {
          TableName: tableName,
          Key: voteWindowKey(edition),
          ConditionExpression: '#paused = :false AND #opens <= :now AND #closes > :now',
          ExpressionAttributeNames: { '#paused': 'paused', '#opens': 'opensAtMs', '#closes': 'closesAtMs' },
          ExpressionAttributeValues: { ':false': false, ':now': request.nowMs },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      {
        ConditionCheck: {
          TableName: tableName,
          Key: { pk: `CITIZEN#${request.voterId}`, sk: 'IDENTITY' },
          ConditionExpression: identityCondition,
          ExpressionAttributeNames: {
            '#status': 'status',
            '#territory': 'territory',
            ...(request.refuseInPersonIdentity ? { '#channel': 'channel' } : {}),
          },
          ExpressionAttributeValues: {
            ':verified': 'verified',
            ':territory': request.territory,
            ...(request.refuseInPersonIdentity ? { ':inPerson': 'in-person' } : {}),
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      {
        Put: {
          TableName: tableName,
          Item: {
            pk: `VOTER#${request.voterId}`,
            sk: 'MARKER',
            entity: 'VoteMarker',
            version: 1,
            channel: request.channel,
            ...(request.sealedReceipt ? { sealedReceipt: request.sealedReceipt } : {}),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      {
        Update: {
          TableName: tableName,
          Key: { pk: `TURNOUT#${request.turnoutShard}`, sk: 'COUNTS' },
          UpdateExpression: 'SET #entity = :entity, #version = :one ADD #counter :one',
          ExpressionAttributeNames: { '#entity': 'entity', '#version': 'version', '#counter': counter },
          ExpressionAttributeValues: { ':one': 1, ':entity': 'TurnoutShard' },
        },
      },
      ...request.ballots.map((ballot) => ({
        Put: {
          TableName: tableName,
          Item: {
            pk: `BALLOT#${ballot.envelope}#${request.ballotShard}`,
            sk: `BALLOT#${ballot.ballotId}`,
            entity: 'Ballot',
            version: 1,
            ballotId: ballot.ballotId,
            envelope: ballot.envelope,
            choices: ballot.choices,
            channel: request.channel,
            date: request.date,
            receipt: request.receipt,
            gsi1pk: `RECEIPT#${request.receipt}`,
            gsi1sk: `ENVELOPE#${ballot.envelope}`,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      })),
      ...(request.redeemCode
        ? [
            {
              Update: {
                TableName: tableName,
                Key: votingCodeKey(request.redeemCode.codeHash),
                UpdateExpression: 'SET usedAt = :usedAt',
                ConditionExpression:
                  'attribute_exists(pk) AND citizenId = :citizen AND attribute_not_exists(usedAt) AND ' +
                  '(expiresAtMs > :now OR expiresAtMs >= :configuredClose)',
                ExpressionAttributeValues: {
                  ':usedAt': new Date(request.nowMs).toISOString(),
                  ':citizen': request.voterId,
                  ':now': request.nowMs,
                  ':configuredClose': request.redeemCode.configuredCloseMs,
                },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
              },
            },
          ]
        : []),
      ...(request.extra ?? []),
      {
        ConditionCheck: {
          TableName: tableName,
          Key: voteClosedKey(edition),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ],
  };
}
