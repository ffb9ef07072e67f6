import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { conflict } from '../../shared/errors/domain-error.ts';
import { votingCodeKey } from '../../shared/identity/voting-code.ts';
import { type RateLimit, rateCounterUpdate, retryAfterWindow } from './rate-limiter.ts';

export const EmailCode = z.object({
  emailKey: z.string(),
  codeHash: z.string(),
  issuedAt: z.iso.datetime(),
  expiresAtMs: z.number(),
  attempts: z.number().check(z.int()),
  /** The request key of the sign-in that used the code: its retry may use it again, nobody else. */
  consumedBy: z.optional(z.string()),
  /** The `Idempotency-Key` of the code request that issued it: its retry is not a second request. */
  requestKey: z.optional(z.string()),
  /** Set once the email went out: a retry of its request then sends nothing more. */
  sent: z.optional(z.boolean()),
});
export type EmailCode = z.infer<typeof EmailCode>;

export const Decision = z.object({
  outcome: z.enum(['clear', 'reject']),
  /** Staff `sub` (pseudonymous). */
  by: z.string(),
  at: z.iso.datetime(),
  reason: z.string(),
});
export type Decision = z.infer<typeof Decision>;

export const IdentityStatus = z.enum(['verified', 'held', 'rejected']);
export type IdentityStatus = z.infer<typeof IdentityStatus>;

export const Identity = z.object({
  citizenId: z.string(),
  /** Absent for an in-person registration (no email). */
  emailKey: z.optional(z.string()),
  email: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  birthDate: z.string(),
  commune: z.string(),
  territory: z.string(),
  workOrStudy: z.boolean(),
  /** The whole-name same-person key (the first of `matchKeys`), kept for the record. */
  fingerprint: z.string(),
  /**
   * Every same-person key of the identity (keyed hashes: name variants with the birth date, the mailbox):
   * another identity sharing one is a probable duplicate. Each has its `IDMATCH#<key>` item.
   */
  matchKeys: z.optional(z.array(z.string())),
  status: IdentityStatus,
  /** `in-person`: registered on site by staff; votes only on paper or at a kiosk, never online. */
  channel: z.enum(['email', 'in-person']),
  createdAt: z.iso.datetime(),
  /** Staff `sub` of the coordinator who registered the person on site (`createdAt` says when). */
  registeredBy: z.optional(z.string()),
  /** `CitizenVerified` (and `DuplicateSuspected`) are on the bus. */
  published: z.boolean(),
  reviewId: z.optional(z.string()),
  decision: z.optional(Decision),
  /** Personal data erased at the person's request (RGPD); the keyed hashes stay, see `erase`. */
  erasedAt: z.optional(z.iso.datetime()),
});
export type Identity = z.infer<typeof Identity>;

export const Review = z.object({
  reviewId: z.string(),
  status: z.enum(['open', 'cleared', 'rejected']),
  heldCitizenId: z.string(),
  otherCitizenIds: z.array(z.string()),
  territory: z.string(),
  createdAt: z.iso.datetime(),
  decision: z.optional(Decision),
});
export type Review = z.infer<typeof Review>;

/**
 * The one-time voting code printed for an in-person registration: only its keyed hash is stored. The
 * voting function redeems it in its ballot transaction (condition `attribute_not_exists(usedAt) AND
 * expiresAtMs > :now`), so it serves once and not after the vote closes.
 */
export const VotingCode = z.object({
  codeHash: z.string(),
  citizenId: z.string(),
  issuedAt: z.iso.datetime(),
  /** The vote's close (epoch ms): the code is worthless afterwards. */
  expiresAtMs: z.number(),
  usedAt: z.optional(z.iso.datetime()),
});
export type VotingCode = z.infer<typeof VotingCode>;

export type IssueOutcome =
  | { issued: true }
  | { issued: false; refusedBy: 'cooldown'; retryAfter: number; previous?: EmailCode | undefined }
  | { issued: false; refusedBy: 'quota'; quota: RateLimit; retryAfter: number };

/**
 * Shards of the sparse index of identities still holding personal data (`gsi1`: `PERSONALDATA#<shard>`): the
 * retention erases them in parallel chains of batches, and 100,000 erasures do not all remove entries under
 * one index partition key.
 */
export const RETENTION_SHARDS = 16;

/** The retention shard of a citizen id (stable: a hash of the id). */
export function retentionShardOf(citizenId: string): number {
  return (createHash('sha256').update(citizenId).digest()[0] ?? 0) % RETENTION_SHARDS;
}

/** One page of a retention shard: citizen ids in order, and whether the shard may hold more after them. */
export interface UnerasedPage {
  citizenIds: string[];
  more: boolean;
}

export interface MatchLookup {
  citizenIds: string[];
  /** Version of each key's item when read (0: no identity under it yet). */
  seen: Record<string, number>;
}

const MatchItem = z.object({ n: z.number().check(z.int()), citizenIds: z.array(z.string()) });

/** Port of the identity context's items. */
export interface IdentityRepository {
  getCode(emailKey: string): Promise<EmailCode | undefined>;
  /**
   * Replaces the email's code, in one atomic write, only if the previous one is older than the cooldown (or
   * used, or issued for the same `requestKey` and not sent: the retry of a request whose email did not go),
   * and every quota has room; the quotas count this code only if it is issued (a refusal spends nothing).
   */
  issueCode(
    code: EmailCode,
    rules: { cooldownSeconds: number; quotas: readonly RateLimit[] },
  ): Promise<IssueOutcome>;
  /**
   * Takes one of the `maxAttempts` attempts of the code issued at `issuedAt` before it is compared, so
   * that concurrent guesses cannot all be compared: the attempt's number (1..max), `burned` when none is
   * left, `gone` when the code was consumed or replaced.
   */
  takeAttempt(emailKey: string, issuedAt: string, maxAttempts: number): Promise<number | 'burned' | 'gone'>;
  /** Records that the email of the code issued at `issuedAt` went out (nothing if it was replaced since). */
  markSent(emailKey: string, issuedAt: string): Promise<void>;
  /** Gives back an attempt taken by the holder of the right code (profile still to fill in). */
  releaseAttempt(emailKey: string, issuedAt: string): Promise<void>;
  /**
   * Consumes the code issued at `issuedAt` for the sign-in request `requestKey` (its `Idempotency-Key`); false
   * if another request consumed or replaced it first. The same request may consume it again until it expires:
   * a retry after a failure that followed the consumption (a 503, a lost answer) still opens the session,
   * and a new code request is no longer held back by the cooldown of a used one.
   */
  consumeCode(emailKey: string, issuedAt: string, requestKey: string): Promise<boolean>;
  findByEmail(emailKey: string): Promise<Identity | undefined>;
  get(citizenId: string): Promise<Identity | undefined>;
  /**
   * The citizen ids already under these same-person keys (strongly consistent reads), and the version of
   * each key seen, which `create` requires unchanged.
   */
  findMatches(keys: readonly string[]): Promise<MatchLookup>;
  /**
   * Creates the identity, its email claim (if it has an email), its review, its voting code (in-person) and
   * its entry under each of its `matchKeys` together. `email-taken` if the email has one; `matches-changed`
   * if another identity joined one of the keys since `seen` was read (nothing written: look again). A key
   * missing from `seen` must have no identity yet.
   */
  create(
    identity: Identity,
    review: Review | undefined,
    options?: { seen?: MatchLookup['seen']; votingCode?: VotingCode },
  ): Promise<'created' | 'email-taken' | 'matches-changed'>;
  getVotingCode(codeHash: string): Promise<VotingCode | undefined>;
  /**
   * Citizen ids of identities still holding personal data in one retention shard, after `after`, at most
   * `limit`: one Query of the sparse index (an erased identity leaves it), never a scan.
   */
  listUnerased(shard: number, page: { after?: string | undefined; limit: number }): Promise<UnerasedPage>;
  /**
   * Claims batch `batch` of the retention run `run` in `shard` for the event `eventId`: false when another
   * event holds it (a replayed or duplicated request: its chain already runs), true for the holder (again on
   * a retry of the same event).
   */
  claimRetentionBatch(claim: {
    run: string;
    shard: number;
    batch: number;
    eventId: string;
  }): Promise<boolean>;
  markPublished(citizenId: string): Promise<void>;
  /**
   * Blanks the email, names, birth date and commune. Kept: the citizen id (so a has-voted marker still
   * applies), the email claim and the fingerprint (keyed hashes, unreadable without the secret), so that
   * erasing then registering again cannot give a second vote. The identity leaves the retention index.
   * Idempotent: `false` (and nothing written) when it was already erased or is gone.
   */
  erase(citizenId: string, now: Date): Promise<boolean>;
  /**
   * Erasure at the person's request: in one transaction, the identity moves to `erasedAs` without its email,
   * names, birth date and commune (the keyed hashes and status stay, so that erasing then registering again
   * cannot give a second vote), and the email claim points to `erasedAs`. Then the duplicate reviews that
   * name the person are rewritten. Idempotent: `false` when there was nothing left to move.
   */
  eraseAs(citizenId: string, erasedAs: string, now: Date): Promise<boolean>;
  listReviews(status: Review['status']): Promise<Review[]>;
  getReview(reviewId: string): Promise<Review | undefined>;
  /** Closes an open review and sets the held identity's status together; refused if already decided. */
  decide(review: Review, decision: Decision, status: IdentityStatus): Promise<void>;
}

/**
 * Key layout (see README, "DynamoDB access patterns"):
 * - `IDCODE#<emailKey>` / `CODE`: the live one-time code of an email (hash only), TTL'd;
 * - `IDEMAIL#<emailKey>` / `IDENTITY`: one identity per email and edition (the citizen id);
 * - `CITIZEN#<citizenId>` / `IDENTITY`: the identity and its personal data; while it holds any, it is on the
 *   sparse `gsi1` `PERSONALDATA#<shard>` / `<citizenId>` (the retention's list; erasure removes the keys);
 * - `RETENTIONBATCH#<run>#<shard>#<batch>` / `CLAIM`: the event that runs one retention batch (TTL'd);
 * - `IDMATCH#<key>` / `MATCH`: the citizen ids under one same-person key, with a version `n` that every
 *   creation bumps under the condition that it is still the one it read: two registrations of one person
 *   cannot both see "no twin";
 * - `IDREVIEW#<reviewId>` / `REVIEW`: a duplicate review; `gsi1`: `IDREVIEWS#<status>` / `<createdAt>#<id>`;
 * - `VOTECODE#<codeHash>` / `CODE`: the one-time voting code of an in-person registration (hash only).
 * Email keys and same-person keys are HMACs under the `fingerprint-key` secret.
 */
export function dynamoIdentityRepository(
  client: DynamoDBDocumentClient,
  tableName: string,
): IdentityRepository {
  const codeKey = (emailKey: string) => ({ pk: `IDCODE#${emailKey}`, sk: 'CODE' });
  const emailClaimKey = (emailKey: string) => ({ pk: `IDEMAIL#${emailKey}`, sk: 'IDENTITY' });
  const citizenKey = (citizenId: string) => ({ pk: `CITIZEN#${citizenId}`, sk: 'IDENTITY' });
  const reviewKey = (reviewId: string) => ({ pk: `IDREVIEW#${reviewId}`, sk: 'REVIEW' });
  const matchKey = (key: string) => ({ pk: `IDMATCH#${key}`, sk: 'MATCH' });
  const identityItem = (identity: Identity) => ({
    ...citizenKey(identity.citizenId),
    entity: 'Identity',
    version: 1,
    // Sparse: only identities that still hold personal data are listed for the retention.
    ...(identity.erasedAt
      ? {}
      : { gsi1pk: `PERSONALDATA#${retentionShardOf(identity.citizenId)}`, gsi1sk: identity.citizenId }),
    ...identity,
  });
  const reviewItem = (review: Review) => ({
    ...reviewKey(review.reviewId),
    entity: 'IdentityReview',
    version: 1,
    gsi1pk: `IDREVIEWS#${review.status}`,
    gsi1sk: `${review.createdAt}#${review.reviewId}`,
    ...review,
  });
  const get = async (key: { pk: string; sk: string }) =>
    (await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;
  const listReviews = async (status: Review['status']) => {
    const { Items = [] } = await client.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': `IDREVIEWS#${status}` },
        ScanIndexForward: true,
        Limit: 200,
      }),
    );
    return Items.map((item) => Review.parse(item));
  };

  return {
    async getCode(emailKey) {
      const item = await get(codeKey(emailKey));
      return item ? EmailCode.parse(item) : undefined;
    },
    async issueCode(code, { cooldownSeconds, quotas }) {
      const now = new Date(Date.parse(code.issuedAt));
      const cooldownEdge = new Date(now.getTime() - cooldownSeconds * 1000).toISOString();
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: {
                    ...codeKey(code.emailKey),
                    entity: 'EmailCode',
                    version: 1,
                    ...code,
                    expiresAt: Math.ceil(code.expiresAtMs / 1000),
                  },
                  // ISO instants of one format compare as strings.
                  ConditionExpression:
                    'attribute_not_exists(pk) OR issuedAt <= :edge OR attribute_exists(consumedBy)' +
                    (code.requestKey ? ' OR (requestKey = :request AND attribute_not_exists(sent))' : ''),
                  ExpressionAttributeValues: {
                    ':edge': cooldownEdge,
                    ...(code.requestKey ? { ':request': code.requestKey } : {}),
                  },
                },
              },
              ...quotas.map((quota) => ({
                Update: rateCounterUpdate(tableName, quota, now, { onlyUnderLimit: true }),
              })),
            ],
          }),
        );
        return { issued: true };
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        const failed = (i: number) => reasons[i]?.Code === 'ConditionalCheckFailed';
        const quota = quotas.find((_, i) => failed(i + 1));
        if (quota && !failed(0))
          return { issued: false, refusedBy: 'quota', quota, retryAfter: retryAfterWindow(quota, now) };
        // The cooldown (or a concurrent request for the same email, which is one too).
        const previous = await get(codeKey(code.emailKey));
        const issuedAt = previous ? Date.parse(String(previous.issuedAt)) : now.getTime();
        const wait = issuedAt + cooldownSeconds * 1000 - now.getTime();
        return {
          issued: false,
          refusedBy: 'cooldown',
          retryAfter: Math.max(1, Math.ceil(wait / 1000)),
          previous: previous ? EmailCode.parse(previous) : undefined,
        };
      }
    },
    async markSent(emailKey, issuedAt) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: codeKey(emailKey),
            UpdateExpression: 'SET sent = :sent',
            ConditionExpression: 'issuedAt = :issuedAt',
            ExpressionAttributeValues: { ':sent': true, ':issuedAt': issuedAt },
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },
    async takeAttempt(emailKey, issuedAt, maxAttempts) {
      try {
        const { Attributes } = await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: codeKey(emailKey),
            UpdateExpression: 'ADD attempts :one',
            ConditionExpression: 'issuedAt = :issuedAt AND attempts < :max',
            ExpressionAttributeValues: { ':one': 1, ':issuedAt': issuedAt, ':max': maxAttempts },
            ReturnValues: 'UPDATED_NEW',
          }),
        );
        return Number(Attributes?.attempts);
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        const current = await get(codeKey(emailKey));
        return current?.issuedAt === issuedAt ? 'burned' : 'gone';
      }
    },
    async releaseAttempt(emailKey, issuedAt) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: codeKey(emailKey),
            UpdateExpression: 'ADD attempts :minusOne',
            ConditionExpression: 'issuedAt = :issuedAt AND attempts > :zero',
            ExpressionAttributeValues: { ':minusOne': -1, ':issuedAt': issuedAt, ':zero': 0 },
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },
    async consumeCode(emailKey, issuedAt, requestKey) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: codeKey(emailKey),
            UpdateExpression: 'SET consumedBy = :request',
            ConditionExpression:
              'issuedAt = :issuedAt AND (attribute_not_exists(consumedBy) OR consumedBy = :request)',
            ExpressionAttributeValues: { ':issuedAt': issuedAt, ':request': requestKey },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },
    async findByEmail(emailKey) {
      const claim = await get(emailClaimKey(emailKey));
      if (!claim) return undefined;
      const item = await get(citizenKey(z.string().parse(claim.citizenId)));
      return item ? Identity.parse(item) : undefined;
    },
    async get(citizenId) {
      const item = await get(citizenKey(citizenId));
      return item ? Identity.parse(item) : undefined;
    },
    async findMatches(keys) {
      const items = await Promise.all(keys.map((key) => get(matchKey(key))));
      const seen: Record<string, number> = {};
      const citizenIds = new Set<string>();
      keys.forEach((key, i) => {
        const item = MatchItem.parse(items[i] ?? { n: 0, citizenIds: [] });
        seen[key] = item.n;
        for (const id of item.citizenIds) citizenIds.add(id);
      });
      return { citizenIds: [...citizenIds], seen };
    },
    async create(identity, review, { seen = {}, votingCode } = {}) {
      const put = (Item: Record<string, unknown>) => ({
        Put: { TableName: tableName, Item, ConditionExpression: 'attribute_not_exists(pk)' },
      });
      const matches = (identity.matchKeys ?? []).map((key) => {
        const n = seen[key] ?? 0;
        return {
          Update: {
            TableName: tableName,
            Key: matchKey(key),
            UpdateExpression:
              'SET citizenIds = list_append(if_not_exists(citizenIds, :none), :me), n = :next, entity = :entity, version = :v',
            ConditionExpression: n === 0 ? 'attribute_not_exists(pk)' : 'n = :seen',
            ExpressionAttributeValues: {
              ':none': [],
              ':me': [identity.citizenId],
              ':next': n + 1,
              ':entity': 'IdentityMatch',
              ':v': 1,
              ...(n === 0 ? {} : { ':seen': n }),
            },
          },
        };
      });
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              ...(identity.emailKey
                ? [
                    put({
                      ...emailClaimKey(identity.emailKey),
                      entity: 'IdentityEmail',
                      version: 1,
                      citizenId: identity.citizenId,
                    }),
                  ]
                : []),
              ...(votingCode
                ? [
                    put({
                      ...votingCodeKey(votingCode.codeHash),
                      entity: 'VotingCode',
                      version: 1,
                      ...votingCode,
                      // Kept a year past the close: an audit can still tell a used code from an unused one.
                      expiresAt: Math.ceil(votingCode.expiresAtMs / 1000) + 365 * 86400,
                    }),
                  ]
                : []),
              {
                Put: {
                  TableName: tableName,
                  Item: identityItem(identity),
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              ...(review
                ? [
                    {
                      Put: {
                        TableName: tableName,
                        Item: reviewItem(review),
                        ConditionExpression: 'attribute_not_exists(pk)',
                      },
                    },
                  ]
                : []),
              ...matches,
            ],
          }),
        );
        return 'created';
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        // The email claim is the first item when there is one; a failed match item means a twin raced us.
        const reasons = error.CancellationReasons ?? [];
        const failed = (i: number) => reasons[i]?.Code === 'ConditionalCheckFailed';
        if (identity.emailKey && failed(0)) return 'email-taken';
        // A match key moved since it was read, or a concurrent registration is writing one: read again.
        if (
          reasons.some(
            (reason) => reason.Code === 'ConditionalCheckFailed' || reason.Code === 'TransactionConflict',
          )
        ) {
          return 'matches-changed';
        }
        // No reasons given: the email claim decides, as before.
        return identity.emailKey ? 'email-taken' : 'matches-changed';
      }
    },
    async getVotingCode(codeHash) {
      const item = await get(votingCodeKey(codeHash));
      return item ? VotingCode.parse(item) : undefined;
    },
    async listUnerased(shard, { after, limit }) {
      const page = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: after ? 'gsi1pk = :pk AND gsi1sk > :after' : 'gsi1pk = :pk',
          ExpressionAttributeValues: {
            ':pk': `PERSONALDATA#${shard}`,
            ...(after ? { ':after': after } : {}),
          },
          ProjectionExpression: 'gsi1sk',
          Limit: limit,
        }),
      );
      return {
        citizenIds: (page.Items ?? []).map((item) => z.string().parse(item.gsi1sk)),
        more: Boolean(page.LastEvaluatedKey),
      };
    },
    async claimRetentionBatch({ run, shard, batch, eventId }) {
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              pk: `RETENTIONBATCH#${run}#${shard}#${batch}`,
              sk: 'CLAIM',
              entity: 'RetentionBatchClaim',
              version: 1,
              eventId,
              // Kept a month: a replay within it still finds the batch claimed.
              expiresAt: Math.ceil(Date.parse(run) / 1000) + 30 * 86400,
            },
            ConditionExpression: 'attribute_not_exists(pk) OR eventId = :eventId',
            ExpressionAttributeValues: { ':eventId': eventId },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },
    async markPublished(citizenId) {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: citizenKey(citizenId),
          UpdateExpression: 'SET published = :true',
          ExpressionAttributeValues: { ':true': true },
        }),
      );
    },
    async erase(citizenId, now) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: citizenKey(citizenId),
            UpdateExpression:
              'SET email = :blank, firstName = :blank, lastName = :blank, birthDate = :blank, commune = :blank, erasedAt = :now REMOVE gsi1pk, gsi1sk',
            // Already erased: nothing to do, and its first `erasedAt` stays.
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(erasedAt)',
            ExpressionAttributeValues: { ':blank': '', ':now': now.toISOString() },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },
    async eraseAs(citizenId, erasedAs, now) {
      const item = await get(citizenKey(citizenId));
      const keys = item ? (Identity.parse(item).matchKeys ?? []) : [];
      if (item) {
        const identity = Identity.parse(item);
        const { reviewId: _reviewId, decision, registeredBy: _registeredBy, ...kept } = identity;
        const tombstone: Identity = {
          ...kept,
          citizenId: erasedAs,
          email: '',
          firstName: '',
          lastName: '',
          birthDate: '',
          commune: '',
          // A coordinator's reason may name the person: the outcome stays, the words go.
          ...(decision ? { decision: { ...decision, reason: '' } } : {}),
          erasedAt: identity.erasedAt ?? now.toISOString(),
        };
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: tableName, Item: identityItem(tombstone) } },
              {
                Delete: {
                  TableName: tableName,
                  Key: citizenKey(citizenId),
                  ConditionExpression: 'attribute_exists(pk)',
                },
              },
              ...(identity.emailKey
                ? [
                    {
                      Put: {
                        TableName: tableName,
                        Item: {
                          ...emailClaimKey(identity.emailKey),
                          entity: 'IdentityEmail',
                          version: 1,
                          citizenId: erasedAs,
                        },
                      },
                    },
                  ]
                : []),
            ],
          }),
        );
      }
      // The same-person keys list the person's id: they follow it to the erased id (a registration may append
      // to a list meanwhile: the swap is conditioned on its version and tried again).
      for (const key of keys) {
        for (let attempt = 0; attempt < 5; attempt++) {
          const match = MatchItem.safeParse(await get(matchKey(key)));
          if (!match.success || !match.data.citizenIds.includes(citizenId)) break;
          try {
            await client.send(
              new UpdateCommand({
                TableName: tableName,
                Key: matchKey(key),
                UpdateExpression: 'SET citizenIds = :ids, n = :next',
                ConditionExpression: 'n = :n',
                ExpressionAttributeValues: {
                  ':ids': match.data.citizenIds.map((id) => (id === citizenId ? erasedAs : id)),
                  ':n': match.data.n,
                  ':next': match.data.n + 1,
                },
              }),
            );
            break;
          } catch (error) {
            if (!(error instanceof ConditionalCheckFailedException)) throw error;
          }
        }
      }
      // Reviews naming the person (held, or the other identity of a suspected duplicate).
      for (const status of ['open', 'cleared', 'rejected'] as const) {
        for (const review of await listReviews(status)) {
          if (review.heldCitizenId !== citizenId && !review.otherCitizenIds.includes(citizenId)) continue;
          const swap = (id: string) => (id === citizenId ? erasedAs : id);
          await client.send(
            new PutCommand({
              TableName: tableName,
              Item: reviewItem({
                ...review,
                heldCitizenId: swap(review.heldCitizenId),
                otherCitizenIds: review.otherCitizenIds.map(swap),
              }),
            }),
          );
        }
      }
      return Boolean(item);
    },
    listReviews,
    async getReview(reviewId) {
      const item = await get(reviewKey(reviewId));
      return item ? Review.parse(item) : undefined;
    },
    async decide(review, decision, status) {
      const closed: Review = { ...review, status: status === 'verified' ? 'cleared' : 'rejected', decision };
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: reviewItem(closed),
                  ConditionExpression: '#status = :open',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: { ':open': 'open' },
                },
              },
              {
                Update: {
                  TableName: tableName,
                  Key: citizenKey(review.heldCitizenId),
                  UpdateExpression: 'SET #status = :status, decision = :decision',
                  ConditionExpression: 'attribute_exists(pk)',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: { ':status': status, ':decision': decision },
                },
              },
            ],
          }),
        );
      } catch (error) {
        if (error instanceof TransactionCanceledException) {
          throw conflict('review_already_decided', 'Ce doublon a déjà été examiné : rechargez la liste.');
        }
        throw error;
      }
    },
  };
}
