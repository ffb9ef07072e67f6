import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { conflict } from '../../shared/errors/domain-error.ts';
import { votingCodeKey } from '../../shared/identity/voting-code.ts';

export const EmailCode = z.object({
  emailKey: z.string(),
  codeHash: z.string(),
  issuedAt: z.iso.datetime(),
  expiresAtMs: z.number(),
  attempts: z.number().int(),
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
  emailKey: z.string().optional(),
  email: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  birthDate: z.string(),
  commune: z.string(),
  territory: z.string(),
  workOrStudy: z.boolean(),
  fingerprint: z.string(),
  status: IdentityStatus,
  /** `in-person`: registered on site by staff; votes only on paper or at a kiosk, never online. */
  channel: z.enum(['email', 'in-person']),
  createdAt: z.iso.datetime(),
  /** Staff `sub` of the coordinator who registered the person on site (`createdAt` says when). */
  registeredBy: z.string().optional(),
  /** `CitizenVerified` (and `DuplicateSuspected`) are on the bus. */
  published: z.boolean(),
  reviewId: z.string().optional(),
  decision: Decision.optional(),
  /** Personal data erased at the person's request (RGPD); the keyed hashes stay, see `erase`. */
  erasedAt: z.iso.datetime().optional(),
});
export type Identity = z.infer<typeof Identity>;

export const Review = z.object({
  reviewId: z.string(),
  status: z.enum(['open', 'cleared', 'rejected']),
  heldCitizenId: z.string(),
  otherCitizenIds: z.array(z.string()),
  territory: z.string(),
  createdAt: z.iso.datetime(),
  decision: Decision.optional(),
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
  usedAt: z.iso.datetime().optional(),
});
export type VotingCode = z.infer<typeof VotingCode>;

/** Port of the identity context's items. */
export interface IdentityRepository {
  getCode(emailKey: string): Promise<EmailCode | undefined>;
  /** Replaces any previous code of this email. */
  putCode(code: EmailCode): Promise<void>;
  /** One more wrong attempt on the code issued at `issuedAt`; the new count (0 if it is gone). */
  addFailedAttempt(emailKey: string, issuedAt: string): Promise<number>;
  /** Consumes the code issued at `issuedAt`; false if another request consumed or replaced it first. */
  consumeCode(emailKey: string, issuedAt: string): Promise<boolean>;
  findByEmail(emailKey: string): Promise<Identity | undefined>;
  get(citizenId: string): Promise<Identity | undefined>;
  /** Identities with this fingerprint (eventually consistent index). */
  findByFingerprint(fingerprint: string): Promise<Identity[]>;
  /**
   * Creates the identity, its email claim (if it has an email), its review and its voting code (in-person)
   * together; `email-taken` if the email has one.
   */
  create(
    identity: Identity,
    review: Review | undefined,
    votingCode?: VotingCode,
  ): Promise<'created' | 'email-taken'>;
  getVotingCode(codeHash: string): Promise<VotingCode | undefined>;
  /** Citizen ids of the identities whose personal data is not erased yet (a scan: retention runs daily). */
  listUnerased(): Promise<string[]>;
  markPublished(citizenId: string): Promise<void>;
  /**
   * Blanks the email, names, birth date and commune. Kept: the citizen id (so a has-voted marker still
   * applies), the email claim and the fingerprint (keyed hashes, unreadable without the secret), so that
   * erasing then registering again cannot give a second vote.
   */
  erase(citizenId: string, now: Date): Promise<void>;
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
 * - `CITIZEN#<citizenId>` / `IDENTITY`: the identity and its personal data; `gsi1`: `FINGERPRINT#<fp>`;
 * - `IDREVIEW#<reviewId>` / `REVIEW`: a duplicate review; `gsi1`: `IDREVIEWS#<status>` / `<createdAt>#<id>`;
 * - `VOTECODE#<codeHash>` / `CODE`: the one-time voting code of an in-person registration (hash only).
 * Email keys and fingerprints are HMACs under the `fingerprint-key` secret.
 */
export function dynamoIdentityRepository(
  client: DynamoDBDocumentClient,
  tableName: string,
): IdentityRepository {
  const codeKey = (emailKey: string) => ({ pk: `IDCODE#${emailKey}`, sk: 'CODE' });
  const emailClaimKey = (emailKey: string) => ({ pk: `IDEMAIL#${emailKey}`, sk: 'IDENTITY' });
  const citizenKey = (citizenId: string) => ({ pk: `CITIZEN#${citizenId}`, sk: 'IDENTITY' });
  const reviewKey = (reviewId: string) => ({ pk: `IDREVIEW#${reviewId}`, sk: 'REVIEW' });
  const identityItem = (identity: Identity) => ({
    ...citizenKey(identity.citizenId),
    entity: 'Identity',
    version: 1,
    gsi1pk: `FINGERPRINT#${identity.fingerprint}`,
    gsi1sk: `CITIZEN#${identity.citizenId}`,
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
    async putCode(code) {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...codeKey(code.emailKey),
            entity: 'EmailCode',
            version: 1,
            ...code,
            expiresAt: Math.ceil(code.expiresAtMs / 1000),
          },
        }),
      );
    },
    async addFailedAttempt(emailKey, issuedAt) {
      try {
        const { Attributes } = await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: codeKey(emailKey),
            UpdateExpression: 'ADD attempts :one',
            ConditionExpression: 'issuedAt = :issuedAt',
            ExpressionAttributeValues: { ':one': 1, ':issuedAt': issuedAt },
            ReturnValues: 'UPDATED_NEW',
          }),
        );
        return Number(Attributes?.attempts ?? 0);
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return 0;
        throw error;
      }
    },
    async consumeCode(emailKey, issuedAt) {
      try {
        await client.send(
          new DeleteCommand({
            TableName: tableName,
            Key: codeKey(emailKey),
            ConditionExpression: 'issuedAt = :issuedAt',
            ExpressionAttributeValues: { ':issuedAt': issuedAt },
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
    async findByFingerprint(fingerprint) {
      const { Items = [] } = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': `FINGERPRINT#${fingerprint}` },
        }),
      );
      return Items.map((item) => Identity.parse(item));
    },
    async create(identity, review, votingCode) {
      const put = (Item: Record<string, unknown>) => ({
        Put: { TableName: tableName, Item, ConditionExpression: 'attribute_not_exists(pk)' },
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
            ],
          }),
        );
        return 'created';
      } catch (error) {
        if (error instanceof TransactionCanceledException) return 'email-taken';
        throw error;
      }
    },
    async getVotingCode(codeHash) {
      const item = await get(votingCodeKey(codeHash));
      return item ? VotingCode.parse(item) : undefined;
    },
    async listUnerased() {
      const ids: string[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new ScanCommand({
            TableName: tableName,
            FilterExpression: 'entity = :identity AND attribute_not_exists(erasedAt)',
            ExpressionAttributeValues: { ':identity': 'Identity' },
            ProjectionExpression: 'citizenId',
            ExclusiveStartKey: start,
          }),
        );
        for (const item of page.Items ?? []) ids.push(z.string().parse(item.citizenId));
        start = page.LastEvaluatedKey;
      } while (start);
      return ids;
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
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: citizenKey(citizenId),
          UpdateExpression:
            'SET email = :blank, firstName = :blank, lastName = :blank, birthDate = :blank, commune = :blank, erasedAt = :now',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':blank': '', ':now': now.toISOString() },
        }),
      );
    },
    async eraseAs(citizenId, erasedAs, now) {
      const item = await get(citizenKey(citizenId));
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
