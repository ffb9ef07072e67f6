import { type AttributeValue, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
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
import { IdeaDraftBody } from '../../shared/http/idea-schemas.ts';
import { Idea, type IdeaStatus } from './idea.ts';
import { OutboxEvent, type OutboxPort } from './idea-outbox.ts';

/** One entry of an idea's audit trail (who, when, why), or of the ideas window's. */
export const IdeaAudit = z.object({
  auditId: z.string(),
  action: z.enum([
    'submit',
    'edit',
    'withdraw',
    'publish',
    'request-change',
    'hide',
    'merge',
    'extend',
    'erase',
  ]),
  /** `citizen:<id>` or `<role>:<staff sub>`. */
  actor: z.string(),
  at: z.iso.datetime(),
  reason: z.optional(z.string()),
  detail: z.optional(z.string()),
});
export type IdeaAudit = z.infer<typeof IdeaAudit>;

export const IdeasWindow = z.object({
  /** The call for ideas closes at this instant instead of `calendar.ideasClose` (an admin extended it). */
  closesAtMs: z.number(),
  version: z.number().check(z.int()),
});
export type IdeasWindow = z.infer<typeof IdeasWindow>;

export interface IdempotencyClaim {
  authorId: string;
  key: string;
  /** SHA-256 of the parsed body: the same key with another body is refused. */
  requestHash: string;
}

export type CreateOutcome =
  | { kind: 'created' }
  | { kind: 'phase-closed' }
  | { kind: 'replay'; ideaId: string; requestHash: string };

export interface IdeaRepository extends OutboxPort {
  getPhase(): Promise<Phase | undefined>;
  getWindow(): Promise<IdeasWindow | undefined>;
  /** Replaces the window (condition on its version) and writes the audit entry, together. */
  putWindow(next: IdeasWindow, expectedVersion: number | undefined, audit: IdeaAudit): Promise<void>;
  get(ideaId: string): Promise<Idea | undefined>;
  /** The claim a previous submission with this author and key left, if any. */
  getClaim(authorId: string, key: string): Promise<{ ideaId: string; requestHash: string } | undefined>;
  /**
   * ONE transaction: phase still `ideas`, the idea, its idempotency claim (`IDEMPOTENCY#<author>#<key>`,
   * conditional on its absence), the author's pointer, the audit entry, the author's draft deleted and the
   * events to publish (outbox).
   */
  create(
    idea: Idea,
    claim: IdempotencyClaim,
    audit: IdeaAudit,
    events: OutboxEvent[],
  ): Promise<CreateOutcome>;
  /**
   * Writes the new versions of one or more ideas (each conditional on its previous `revision`), their
   * audit entries, the pointers of newly credited authors and the events to publish, in one transaction.
   */
  save(
    changes: { idea: Idea; expectedRevision: number; audit: IdeaAudit }[],
    extra?: { newPointers?: { authorId: string; ideaId: string }[]; events?: OutboxEvent[] },
  ): Promise<void>;
  /** Every idea of a status, oldest first (the `gsi1` index, eventually consistent). */
  listByStatus(status: IdeaStatus): Promise<Idea[]>;
  /** Every idea an author is credited on (own and merged into), newest first. */
  listByAuthor(authorId: string): Promise<Idea[]>;
  audit(ideaId: string): Promise<IdeaAudit[]>;
  getDraft(authorId: string): Promise<{ draft: IdeaDraftBody; savedAt: string } | undefined>;
  putDraft(authorId: string, draft: IdeaDraftBody, savedAt: string): Promise<void>;
  deleteDraft(authorId: string): Promise<void>;
  /** Rewrites the actor of an idea's audit entries (an erased citizen's `citizen:<id>`). */
  replaceAuditActor(ideaId: string, actor: string, replacement: string): Promise<void>;
  /** Deletes an author's pointers ("my ideas") and idempotency claims. */
  forgetAuthor(authorId: string): Promise<void>;
}

/**
 * Key layout (see README, "DynamoDB access patterns"):
 * - `IDEA#<id>` / `IDEA`: the idea; `gsi1`: `IDEAS#<status>` / `<submittedAt>#<id>` (moderation queue, public list);
 * - `IDEA#<id>` / `AUDIT#<at>#<auditId>`: every submission, edit, withdrawal and moderation decision;
 * - `IDEAAUTHOR#<citizenId>` / `IDEA#<id>`: "my ideas", one pointer per credited author;
 * - `IDEMPOTENCY#<citizenId>#<key>` / `IDEMPOTENCY`: the idea a submission's Idempotency-Key created; `gsi1`:
 *   `IDEACLAIMS#<citizenId>` / `<createdAt>` (found again at the citizen's erasure);
 * - `IDEADRAFT#<citizenId>` / `DRAFT`: the one server-side draft of a citizen;
 * - `IDEA#<id>` / `OUTBOX#<eventId>`: an event written with its change, deleted once on the bus; `gsi1`:
 *   `IDEAOUTBOX` / `<at>#<eventId>` for the sweep (one key, but items live seconds: a handful at a time);
 * - `EDITION#<id>#IDEAS` / `WINDOW` (extension of the call for ideas) and `AUDIT#<at>#<id>`.
 */
export function dynamoIdeaRepository(
  client: DynamoDBDocumentClient,
  tableName: string,
  edition: string,
): IdeaRepository {
  const ideaKey = (ideaId: string) => ({ pk: `IDEA#${ideaId}`, sk: 'IDEA' });
  const pointerKey = (authorId: string, ideaId: string) => ({
    pk: `IDEAAUTHOR#${authorId}`,
    sk: `IDEA#${ideaId}`,
  });
  const claimKey = (authorId: string, key: string) => ({
    pk: `IDEMPOTENCY#${authorId}#${key}`,
    sk: 'IDEMPOTENCY',
  });
  const draftKey = (authorId: string) => ({ pk: `IDEADRAFT#${authorId}`, sk: 'DRAFT' });
  const windowPk = `EDITION#${edition}#IDEAS`;
  const windowKey = { pk: windowPk, sk: 'WINDOW' };
  const ideaItem = (idea: Idea) => ({
    ...ideaKey(idea.ideaId),
    entity: 'Idea',
    version: 1,
    gsi1pk: `IDEAS#${idea.status}`,
    gsi1sk: `${idea.submittedAt}#${idea.ideaId}`,
    ...idea,
  });
  const auditItem = (pk: string, entry: IdeaAudit) => ({
    pk,
    sk: `AUDIT#${entry.at}#${entry.auditId}`,
    entity: 'IdeaAudit',
    version: 1,
    ...entry,
  });
  const pointerItem = (authorId: string, ideaId: string, at: string) => ({
    ...pointerKey(authorId, ideaId),
    entity: 'IdeaAuthor',
    version: 1,
    ideaId,
    creditedAt: at,
  });
  const get = async (key: { pk: string; sk: string }) =>
    (await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;
  const parseIdea = (item: Record<string, unknown>) => Idea.parse(item);
  const outboxKey = (event: Pick<OutboxEvent, 'ideaId' | 'eventId'>) => ({
    pk: `IDEA#${event.ideaId}`,
    sk: `OUTBOX#${event.eventId}`,
  });
  const outboxPut = (event: OutboxEvent) => ({
    Put: {
      TableName: tableName,
      Item: {
        ...outboxKey(event),
        entity: 'IdeaOutboxEvent',
        version: 1,
        gsi1pk: 'IDEAOUTBOX',
        gsi1sk: `${event.at}#${event.eventId}`,
        ...event,
      },
    },
  });

  /** Runs a transaction, retrying only conflicts with concurrent transactions on the same items. */
  const transact = async (input: TransactWriteCommandInput) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await client.send(new TransactWriteCommand(input));
        return;
      } catch (error) {
        const reasons =
          error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : [];
        const onlyConflicts =
          reasons.some((r) => r.Code === 'TransactionConflict') &&
          !reasons.some((r) => r.Code === 'ConditionalCheckFailed');
        if (onlyConflicts && attempt < 6) {
          await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * 2 ** attempt));
          continue;
        }
        throw error;
      }
    }
  };

  return {
    async getPhase() {
      const item = await get(phaseStateKey(edition));
      return item ? StoredPhase.parse(item).current : undefined;
    },
    async getWindow() {
      const item = await get(windowKey);
      return item ? IdeasWindow.parse(item) : undefined;
    },
    async putWindow(next, expectedVersion, audit) {
      try {
        await transact({
          TransactItems: [
            {
              Put: {
                TableName: tableName,
                Item: { ...windowKey, entity: 'IdeasWindow', ...next },
                ConditionExpression:
                  expectedVersion === undefined ? 'attribute_not_exists(pk)' : '#version = :expected',
                ...(expectedVersion === undefined
                  ? {}
                  : {
                      ExpressionAttributeNames: { '#version': 'version' },
                      ExpressionAttributeValues: { ':expected': expectedVersion },
                    }),
              },
            },
            { Put: { TableName: tableName, Item: auditItem(windowPk, audit) } },
          ],
        });
      } catch (error) {
        if (error instanceof TransactionCanceledException) {
          throw conflict(
            'ideas_window_changed_meanwhile',
            'La période de dépôt vient d’être modifiée par ailleurs : rechargez la page puis réessayez.',
          );
        }
        throw error;
      }
    },
    async get(ideaId) {
      const item = await get(ideaKey(ideaId));
      return item ? parseIdea(item) : undefined;
    },
    async getClaim(authorId, key) {
      const item = await get(claimKey(authorId, key));
      return item
        ? { ideaId: z.string().parse(item.ideaId), requestHash: z.string().parse(item.requestHash) }
        : undefined;
    },
    async create(idea, claim, audit, events) {
      const idempotencyKey = claimKey(claim.authorId, claim.key);
      try {
        await transact({
          TransactItems: [
            {
              ConditionCheck: {
                TableName: tableName,
                Key: phaseStateKey(edition),
                ConditionExpression: '#current = :ideas',
                ExpressionAttributeNames: { '#current': 'current' },
                ExpressionAttributeValues: { ':ideas': 'ideas' },
              },
            },
            {
              Put: {
                TableName: tableName,
                Item: ideaItem(idea),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: tableName,
                Item: {
                  ...idempotencyKey,
                  entity: 'IdeaIdempotency',
                  version: 1,
                  ideaId: idea.ideaId,
                  requestHash: claim.requestHash,
                  createdAt: idea.submittedAt,
                  gsi1pk: `IDEACLAIMS#${claim.authorId}`,
                  gsi1sk: idea.submittedAt,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            {
              Put: { TableName: tableName, Item: pointerItem(idea.authorId, idea.ideaId, idea.submittedAt) },
            },
            { Put: { TableName: tableName, Item: auditItem(ideaKey(idea.ideaId).pk, audit) } },
            { Delete: { TableName: tableName, Key: draftKey(idea.authorId) } },
            ...events.map(outboxPut),
          ],
        });
        return { kind: 'created' };
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        if (reasons[2]?.Code === 'ConditionalCheckFailed') {
          const old = reasons[2].Item
            ? unmarshall(reasons[2].Item as Record<string, AttributeValue>)
            : await get(idempotencyKey);
          return {
            kind: 'replay',
            ideaId: z.string().parse(old?.ideaId),
            requestHash: z.string().parse(old?.requestHash),
          };
        }
        if (reasons[0]?.Code === 'ConditionalCheckFailed') return { kind: 'phase-closed' };
        throw error;
      }
    },
    async save(changes, { newPointers = [], events = [] } = {}) {
      const at = changes[0]?.audit.at ?? new Date().toISOString();
      try {
        await transact({
          TransactItems: [
            ...changes.flatMap(({ idea, expectedRevision, audit }) => [
              {
                Put: {
                  TableName: tableName,
                  Item: ideaItem(idea),
                  ConditionExpression: '#revision = :expected',
                  ExpressionAttributeNames: { '#revision': 'revision' },
                  ExpressionAttributeValues: { ':expected': expectedRevision },
                },
              },
              { Put: { TableName: tableName, Item: auditItem(ideaKey(idea.ideaId).pk, audit) } },
            ]),
            ...newPointers.map((pointer) => ({
              Put: { TableName: tableName, Item: pointerItem(pointer.authorId, pointer.ideaId, at) },
            })),
            ...events.map(outboxPut),
          ],
        });
      } catch (error) {
        if (error instanceof TransactionCanceledException) {
          throw conflict(
            'idea_changed_meanwhile',
            'Cette idée vient d’être modifiée par ailleurs : rechargez la page puis réessayez.',
          );
        }
        throw error;
      }
    },
    async listByStatus(status) {
      const ideas: Idea[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :pk',
            ExpressionAttributeValues: { ':pk': `IDEAS#${status}` },
            ExclusiveStartKey: start,
          }),
        );
        for (const item of page.Items ?? []) ideas.push(parseIdea(item));
        start = page.LastEvaluatedKey;
      } while (start);
      return ideas;
    },
    async listByAuthor(authorId) {
      const ids: string[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :idea)',
            ExpressionAttributeValues: { ':pk': `IDEAAUTHOR#${authorId}`, ':idea': 'IDEA#' },
            ExclusiveStartKey: start,
          }),
        );
        for (const item of page.Items ?? []) ids.push(z.string().parse(item.ideaId));
        start = page.LastEvaluatedKey;
      } while (start);
      const ideas: Idea[] = [];
      for (let i = 0; i < ids.length; i += 100) {
        let pending: Record<string, unknown>[] = ids.slice(i, i + 100).map(ideaKey);
        for (let attempt = 0; pending.length > 0 && attempt < 6; attempt++) {
          const { Responses, UnprocessedKeys } = await client.send(
            new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }),
          );
          for (const item of Responses?.[tableName] ?? []) ideas.push(parseIdea(item));
          pending = (UnprocessedKeys?.[tableName]?.Keys ?? []) as Record<string, unknown>[];
        }
      }
      return ideas.sort((a, b) => b.submittedAt.localeCompare(a.submittedAt));
    },
    async audit(ideaId) {
      const { Items = [] } = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :audit)',
          ExpressionAttributeValues: { ':pk': ideaKey(ideaId).pk, ':audit': 'AUDIT#' },
          ConsistentRead: true,
        }),
      );
      return Items.map((item) => IdeaAudit.parse(item));
    },
    async getDraft(authorId) {
      const item = await get(draftKey(authorId));
      if (!item) return undefined;
      return {
        draft: IdeaDraftBody.parse(JSON.parse(z.string().parse(item.draftJson))),
        savedAt: z.string().parse(item.savedAt),
      };
    },
    async putDraft(authorId, draft, savedAt) {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...draftKey(authorId),
            entity: 'IdeaDraft',
            version: 1,
            draftJson: JSON.stringify(draft),
            savedAt,
          },
        }),
      );
    },
    async listPending(ideaId) {
      const items: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new QueryCommand(
            ideaId
              ? {
                  TableName: tableName,
                  KeyConditionExpression: 'pk = :pk AND begins_with(sk, :outbox)',
                  ExpressionAttributeValues: { ':pk': ideaKey(ideaId).pk, ':outbox': 'OUTBOX#' },
                  ConsistentRead: true,
                  ExclusiveStartKey: start,
                }
              : {
                  TableName: tableName,
                  IndexName: 'gsi1',
                  KeyConditionExpression: 'gsi1pk = :pk',
                  ExpressionAttributeValues: { ':pk': 'IDEAOUTBOX' },
                  ExclusiveStartKey: start,
                },
          ),
        );
        items.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start);
      return items.map((item) => OutboxEvent.parse(item)).sort((a, b) => a.at.localeCompare(b.at));
    },
    async clearPending(event) {
      await client.send(new DeleteCommand({ TableName: tableName, Key: outboxKey(event) }));
    },
    async deleteDraft(authorId) {
      await client.send(new DeleteCommand({ TableName: tableName, Key: draftKey(authorId) }));
    },
    async replaceAuditActor(ideaId, actor, replacement) {
      const { Items = [] } = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :audit)',
          FilterExpression: 'actor = :actor',
          ExpressionAttributeValues: { ':pk': ideaKey(ideaId).pk, ':audit': 'AUDIT#', ':actor': actor },
          ConsistentRead: true,
        }),
      );
      for (const item of Items) {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: item.pk, sk: item.sk },
            UpdateExpression: 'SET actor = :replacement',
            ExpressionAttributeValues: { ':replacement': replacement },
          }),
        );
      }
    },
    async forgetAuthor(authorId) {
      const keys: { pk: unknown; sk: unknown }[] = [];
      for (const query of [
        {
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `IDEAAUTHOR#${authorId}` },
        },
        {
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': `IDEACLAIMS#${authorId}` },
        },
      ]) {
        let start: Record<string, unknown> | undefined;
        do {
          const page = await client.send(
            new QueryCommand({ TableName: tableName, ...query, ExclusiveStartKey: start }),
          );
          for (const item of page.Items ?? []) keys.push({ pk: item.pk, sk: item.sk });
          start = page.LastEvaluatedKey;
        } while (start);
      }
      for (const key of keys) await client.send(new DeleteCommand({ TableName: tableName, Key: key }));
    },
  };
}
