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
import { phaseStateKey, StoredPhase } from '../../shared/edition/phase-state.ts';
import type { Phase } from '../../shared/edition/phases.ts';
import { conflict } from '../../shared/errors/domain-error.ts';
import { BALLOT_SHARDS } from '../../shared/voting/ballot-layout.ts';
// The snapshot's schema is the voting function's (pure zod, no AWS): results only reads the item it froze.
import { VoteSnapshot } from '../../shared/voting/frozen-snapshot.ts';
import { PublicResults } from './results-model.ts';

/** What a ballot holds that counts: the choices (a list, or points per project). Nothing else is read. */
export const StoredChoices = z.union([z.array(z.string()), z.record(z.string(), z.number())]);
export type StoredChoices = z.infer<typeof StoredChoices>;

/** A stored ballot as the count reads it: its choices, and its receipt code for the counted-receipts index. */
export interface CountedBallot {
  choices: StoredChoices;
  receipt: string | undefined;
}

export const StoredResults = z.object({
  resultsId: z.string(),
  changeId: z.string(),
  computedAt: z.string(),
  snapshotHash: z.string(),
  results: PublicResults,
  /** `ResultsComputed` not on the bus yet (published, then removed). */
  eventPending: z.boolean(),
  version: z.number().check(z.int()),
  publishedAt: z.optional(z.string()),
  publishedBy: z.optional(z.string()),
  publishReason: z.optional(z.string()),
  /** `ResultsPublished` not on the bus yet. */
  publishEventPending: z.optional(z.boolean()),
  /** Set by an admin's recount: this version replaced `previousResultsId` (version `previousVersion`). */
  recount: z.optional(
    z.object({
      at: z.string(),
      by: z.string(),
      reason: z.string(),
      previousResultsId: z.string(),
      previousVersion: z.number().check(z.int()),
    }),
  ),
  /** Set by an admin's annulment of the vote: these results are no longer the outcome. Never removed. */
  annulment: z.optional(
    z.object({
      annulmentId: z.string(),
      at: z.string(),
      by: z.string(),
      reason: z.string(),
      wasPublished: z.boolean(),
    }),
  ),
  /** `VoteAnnulled` not on the bus yet. */
  annulEventPending: z.optional(z.boolean()),
});
export type StoredResults = z.infer<typeof StoredResults>;

/** What the results audit records; one list for the type and for the items read back. */
const AUDIT_ACTIONS = [
  'computed',
  'recounted',
  'recount-refused',
  'published',
  'annulled',
  'realisation-updated',
] as const;

export interface ResultsAudit {
  auditId: string;
  action: (typeof AUDIT_ACTIONS)[number];
  at: string;
  /** `system`, or the staff member's `sub` (never shown: the role and the name are). */
  actor: string;
  /** Staff role of the action (`admin`, `coordinator`). */
  actorRole?: string;
  /** A name people can read: the staff member's address, from their token. */
  actorName?: string;
  reason: string;
  detail?: string;
}

const StoredAudit = z.object({
  auditId: z.string(),
  action: z.enum(AUDIT_ACTIONS),
  at: z.string(),
  actor: z.string(),
  actorRole: z.optional(z.string()),
  actorName: z.optional(z.string()),
  reason: z.string(),
  detail: z.optional(z.string()),
});

/**
 * Where a receipt code sits in the counted-receipts index of a computation: a hash salted with the results
 * id (the index holds no code in clear), and a bucket of 4,096 from that hash.
 */
export function countedReceiptKey(resultsId: string, code: string): { bucket: string; hash: string } {
  const hash = createHash('sha256').update(`counted-receipt:${resultsId}:${code}`).digest('hex');
  return { bucket: hash.slice(0, 3), hash: hash.slice(3, 35) };
}

export interface ResultsRepository {
  getSnapshot(): Promise<{ snapshot: VoteSnapshot; hash: string } | undefined>;
  getPhase(): Promise<Phase | undefined>;
  /** Every stored ballot of an envelope (choices, receipt): the 32 shard partitions queried in parallel. */
  readBallots(envelope: string): Promise<CountedBallot[]>;
  getResults(): Promise<StoredResults | undefined>;
  /** Stores the files of a computation (chunks keyed by the results id: a replay rewrites the same bytes). */
  putFiles(resultsId: string, files: ReadonlyMap<string, string>): Promise<void>;
  readFile(resultsId: string, name: string): Promise<string | undefined>;
  /**
   * Replaces the results unless they were published or changed meanwhile (`expectedVersion`, 0 for none);
   * `conflict` otherwise.
   */
  putResults(next: StoredResults, expectedVersion: number, audit: ResultsAudit): Promise<void>;
  /**
   * An admin's recount: replaces the results (published or not) with `next` unless they changed or were
   * annulled meanwhile (`conflict`), archiving the replaced version and writing the audit entry in the same
   * transaction.
   */
  replaceResults(
    next: StoredResults,
    previous: StoredResults | undefined,
    audit: ResultsAudit,
  ): Promise<void>;
  /** Marks the results annulled, once (`already` when they were), with the audit entry, in one transaction. */
  markAnnulled(
    resultsId: string,
    annulment: NonNullable<StoredResults['annulment']>,
    audit: ResultsAudit,
  ): Promise<'annulled' | 'already'>;
  audit(entry: ResultsAudit): Promise<void>;
  clearEventPending(
    resultsId: string,
    field: 'eventPending' | 'publishEventPending' | 'annulEventPending',
  ): Promise<void>;
  /** Marks the results published, once (`results_already_published` when they were). */
  markPublished(
    resultsId: string,
    publication: { at: string; by: string; reason: string },
    audit: ResultsAudit,
  ): Promise<'published' | 'already'>;
  /**
   * Stores which receipt codes a computation counted, in which envelopes (before its results are stored, so
   * published results always have their index). Keyed by the results id: a replay rewrites the same items.
   */
  putCountedReceipts(resultsId: string, counted: ReadonlyMap<string, readonly string[]>): Promise<void>;
  /** The envelopes in which this computation counted a ballot carrying this receipt code (none: `[]`). */
  countedEnvelopes(resultsId: string, code: string): Promise<string[]>;
  /** The audit trail, oldest first. */
  listAudit(): Promise<ResultsAudit[]>;
}

/** Items written at once when storing the counted-receipts index. */
const PARALLEL_PUTS = 32;

/** DynamoDB Local and DynamoDB cap items at 400 KB: files are cut in chunks of this many characters. */
const CHUNK_CHARS = 80_000;

/**
 * Key layout (see README, "DynamoDB access patterns"):
 * - `EDITION#<id>#RESULTS` / `RESULTS`: the computed results (JSON), publication state, optimistic `version`;
 * - `EDITION#<id>#RESULTS` / `FILE#<resultsId>#<name>#<chunk>`: open data files, in chunks;
 * - `EDITION#<id>#RESULTS` / `COUNTED#<resultsId>#<bucket>`: the receipt codes a computation counted (salted
 *   hashes, with their envelope), what the public receipt check answers from;
 * - `EDITION#<id>#RESULTS` / `AUDIT#<at>#<id>`: computations, refused recounts, recounts, publication,
 *   annulment (who, why);
 * - `EDITION#<id>#RESULTS` / `VERSION#<n>`: a version replaced by a recount, kept as it was.
 * Reads voting's items: the snapshot (`EDITION#<id>#VOTING` / `SNAPSHOT`) and ballots
 * (`BALLOT#<envelope>#<shard>`, choices and receipt only).
 */
export function dynamoResultsRepository(
  client: DynamoDBDocumentClient,
  tableName: string,
  edition: string,
): ResultsRepository {
  const pk = `EDITION#${edition}#RESULTS`;
  const resultsKey = { pk, sk: 'RESULTS' };
  const get = async (key: { pk: string; sk: string }) =>
    (await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;
  const auditItem = (entry: ResultsAudit) => ({
    pk,
    sk: `AUDIT#${entry.at}#${entry.auditId}`,
    entity: 'ResultsAudit',
    version: 1,
    ...entry,
  });
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
    async getSnapshot() {
      const item = await get({ pk: `EDITION#${edition}#VOTING`, sk: 'SNAPSHOT' });
      if (!item) return undefined;
      return {
        snapshot: VoteSnapshot.parse(JSON.parse(z.string().parse(item.snapshotJson))),
        hash: z.string().parse(item.hash),
      };
    },
    async getPhase() {
      const item = await get(phaseStateKey(edition));
      return item ? StoredPhase.parse(item).current : undefined;
    },
    async readBallots(envelope) {
      const shards = await Promise.all(
        Array.from({ length: BALLOT_SHARDS }, (_, shard) =>
          queryAll({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: { ':pk': `BALLOT#${envelope}#${shard}`, ':prefix': 'BALLOT#' },
            ProjectionExpression: 'choices, receipt',
            ConsistentRead: true,
          }),
        ),
      );
      return shards.flat().map((item) => ({
        choices: StoredChoices.parse(item.choices),
        receipt: z.optional(z.string()).parse(item.receipt),
      }));
    },
    async getResults() {
      const item = await get(resultsKey);
      if (!item) return undefined;
      return StoredResults.parse({ ...item, results: JSON.parse(z.string().parse(item.resultsJson)) });
    },
    async putFiles(resultsId, files) {
      const puts: Promise<unknown>[] = [];
      for (const [name, text] of files) {
        const chunks = Math.max(1, Math.ceil(text.length / CHUNK_CHARS));
        for (let c = 0; c < chunks; c++) {
          puts.push(
            client.send(
              new PutCommand({
                TableName: tableName,
                Item: {
                  pk,
                  sk: `FILE#${resultsId}#${name}#${String(c).padStart(5, '0')}`,
                  entity: 'OpenDataChunk',
                  version: 1,
                  content: text.slice(c * CHUNK_CHARS, (c + 1) * CHUNK_CHARS),
                },
              }),
            ),
          );
        }
      }
      await Promise.all(puts);
    },
    async readFile(resultsId, name) {
      const items = await queryAll({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': `FILE#${resultsId}#${name}#` },
        ConsistentRead: true,
      });
      if (items.length === 0) return undefined;
      return items.map((item) => z.string().parse(item.content)).join('');
    },
    async putResults(next, expectedVersion, audit) {
      const { results, ...rest } = next;
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...resultsKey, entity: 'Results', ...rest, resultsJson: JSON.stringify(results) },
            ConditionExpression:
              expectedVersion === 0
                ? 'attribute_not_exists(pk)'
                : 'attribute_not_exists(publishedAt) AND attribute_not_exists(annulment) AND version = :expected',
            ...(expectedVersion === 0 ? {} : { ExpressionAttributeValues: { ':expected': expectedVersion } }),
          }),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException)
          throw conflict('results_changed', 'Les résultats ont été modifiés ou publiés entre-temps.');
        throw error;
      }
      await client.send(new PutCommand({ TableName: tableName, Item: auditItem(audit) }));
    },
    async replaceResults(next, previous, audit) {
      const { results, ...rest } = next;
      const archived = previous
        ? (() => {
            const { results: previousResults, ...previousRest } = previous;
            return {
              pk,
              sk: `VERSION#${String(previous.version).padStart(6, '0')}`,
              ...previousRest,
              entity: 'ResultsVersion',
              resultsJson: JSON.stringify(previousResults),
            };
          })()
        : undefined;
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: { ...resultsKey, entity: 'Results', ...rest, resultsJson: JSON.stringify(results) },
                  ConditionExpression: previous
                    ? 'version = :expected AND attribute_not_exists(annulment)'
                    : 'attribute_not_exists(pk)',
                  ...(previous ? { ExpressionAttributeValues: { ':expected': previous.version } } : {}),
                },
              },
              ...(archived
                ? [
                    {
                      Put: {
                        TableName: tableName,
                        Item: archived,
                        ConditionExpression: 'attribute_not_exists(pk)',
                      },
                    },
                  ]
                : []),
              { Put: { TableName: tableName, Item: auditItem(audit) } },
            ],
          }),
        );
      } catch (error) {
        if (error instanceof TransactionCanceledException)
          throw conflict(
            'results_changed',
            'Les résultats ont été modifiés ou annulés entre-temps : rechargez-les puis recommencez.',
          );
        throw error;
      }
    },
    async markAnnulled(resultsId, annulment, audit) {
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: tableName,
                  Key: resultsKey,
                  UpdateExpression: 'SET annulment = :annulment, annulEventPending = :true',
                  ConditionExpression: 'resultsId = :id AND attribute_not_exists(annulment)',
                  ExpressionAttributeValues: { ':annulment': annulment, ':true': true, ':id': resultsId },
                },
              },
              { Put: { TableName: tableName, Item: auditItem(audit) } },
            ],
          }),
        );
      } catch (error) {
        if (error instanceof TransactionCanceledException) return 'already';
        throw error;
      }
      return 'annulled';
    },
    async audit(entry) {
      await client.send(new PutCommand({ TableName: tableName, Item: auditItem(entry) }));
    },
    async clearEventPending(resultsId, field) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: resultsKey,
            UpdateExpression: 'SET #field = :false',
            ConditionExpression: 'resultsId = :id',
            ExpressionAttributeNames: { '#field': field },
            ExpressionAttributeValues: { ':false': false, ':id': resultsId },
          }),
        );
      } catch (error) {
        // Replaced by a newer computation meanwhile: its own flag is its own business.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },
    async markPublished(resultsId, publication, audit) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: resultsKey,
            UpdateExpression:
              'SET publishedAt = :at, publishedBy = :by, publishReason = :reason, publishEventPending = :true',
            ConditionExpression:
              'resultsId = :id AND attribute_not_exists(publishedAt) AND attribute_not_exists(annulment)',
            ExpressionAttributeValues: {
              ':at': publication.at,
              ':by': publication.by,
              ':reason': publication.reason,
              ':true': true,
              ':id': resultsId,
            },
          }),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return 'already';
        throw error;
      }
      await client.send(new PutCommand({ TableName: tableName, Item: auditItem(audit) }));
      return 'published';
    },
    async putCountedReceipts(resultsId, counted) {
      const buckets = new Map<string, string[]>();
      for (const [code, envelopes] of counted) {
        const { bucket, hash } = countedReceiptKey(resultsId, code);
        const entries = buckets.get(bucket) ?? [];
        for (const envelope of envelopes) entries.push(`${hash} ${envelope}`);
        buckets.set(bucket, entries);
      }
      const items = [...buckets].map(([bucket, entries]) => ({
        pk,
        sk: `COUNTED#${resultsId}#${bucket}`,
        entity: 'CountedReceipts',
        version: 1,
        entries: entries.sort(),
      }));
      for (let i = 0; i < items.length; i += PARALLEL_PUTS) {
        await Promise.all(
          items
            .slice(i, i + PARALLEL_PUTS)
            .map((item) => client.send(new PutCommand({ TableName: tableName, Item: item }))),
        );
      }
    },
    async countedEnvelopes(resultsId, code) {
      const { bucket, hash } = countedReceiptKey(resultsId, code);
      const item = await get({ pk, sk: `COUNTED#${resultsId}#${bucket}` });
      const entries = z.array(z.string()).parse(item?.entries ?? []);
      return entries
        .filter((entry) => entry.startsWith(`${hash} `))
        .map((entry) => entry.slice(hash.length + 1));
    },
    async listAudit() {
      const items = await queryAll({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': 'AUDIT#' },
        ConsistentRead: true,
      });
      return items.map((item) => StoredAudit.parse(item));
    },
  };
}
