import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { phaseStateKey, StoredPhase } from '../../shared/edition/phase-state.ts';
import type { Phase } from '../../shared/edition/phases.ts';
import { conflict } from '../../shared/errors/domain-error.ts';
import { instructionListPk } from '../../shared/voting/projects.ts';
import {
  Assignment,
  type BallotListRecord,
  BallotListRecord as BallotListSchema,
  CommitteeOpinion,
  Decision,
  DossierState,
  IdeaRecord,
  RetainedProject,
  TimelineItem,
  type Verdict,
} from './dossier.ts';
import { InstructionOutboxEvent, type InstructionOutboxPort } from './instruction-outbox.ts';

export interface DossierRecords {
  state: DossierState | undefined;
  assignments: Assignment[];
  decisions: Decision[];
  opinions: CommitteeOpinion[];
  timeline: TimelineItem[];
}

/** A verdict's writes, all in one transaction. */
export interface VerdictWrite {
  dossier: DossierState;
  /** `undefined`: the dossier item must not exist yet. */
  expectedRevision: number | undefined;
  verdict: Verdict;
  timeline: TimelineItem;
  /** The project created (or replaced) by a `retained` verdict. */
  putProject?: RetainedProject;
  /** The project of a previously retained verdict, removed by another verdict. */
  deleteProjectId?: string;
  /** The ballot list changes: refused while it is validated, and its version is bumped. */
  changesList: boolean;
  /** Events reporting the verdict (outbox), written with it. */
  events?: InstructionOutboxEvent[];
}

/** Pending events (outbox): every write that reports an event stores it in the same transaction. */
export interface InstructionRepository extends InstructionOutboxPort {
  getPhase(): Promise<Phase | undefined>;
  /** An idea item (owned by the ideas function), read only. */
  getIdea(ideaId: string): Promise<IdeaRecord | undefined>;
  /** Every published idea (the ideas function's `gsi1` list, eventually consistent). */
  publishedIdeas(): Promise<IdeaRecord[]>;
  getDossier(ideaId: string): Promise<DossierRecords>;
  getAssignment(assignmentId: { ideaId: string; serviceId: string }): Promise<Assignment | undefined>;
  /** Every assignment of the edition, by due date. */
  listAssignments(): Promise<Assignment[]>;
  listDossierStates(): Promise<Map<string, DossierState>>;
  /**
   * Puts a new assignment, its timeline entry and its events unless one exists for the idea and service:
   * `false` when it existed (nothing written).
   */
  createAssignment(
    assignment: Assignment,
    timeline: TimelineItem,
    events?: InstructionOutboxEvent[],
  ): Promise<boolean>;
  /**
   * Writes the assignment (conditional on `expectedRevision`), its timeline entry, a decision record,
   * the dossier's implied verdict if any and the events reporting them (outbox), together.
   */
  saveAssignment(
    next: Assignment,
    expectedRevision: number,
    extra: {
      timeline: TimelineItem[];
      decision?: Decision;
      dossier?: { next: DossierState; expectedRevision: number | undefined; verdict: Verdict };
      events?: InstructionOutboxEvent[];
    },
  ): Promise<void>;
  saveVerdict(write: VerdictWrite): Promise<void>;
  /** The member's opinion replaces its previous one; the timeline keeps every version. */
  putCommitteeOpinion(opinion: CommitteeOpinion, timeline: TimelineItem): Promise<void>;
  getBallotList(): Promise<BallotListRecord>;
  listProjects(): Promise<RetainedProject[]>;
  /**
   * Replaces the list state (with its audit entry and events) if its version and state are still the ones
   * read; `false` otherwise (nothing written).
   */
  saveBallotList(
    next: BallotListRecord,
    expected: { listVersion: number; state: BallotListRecord['state'] },
    audit: { id: string; at: string; action: 'validate' | 'reopen'; detail: Record<string, unknown> },
    events?: InstructionOutboxEvent[],
  ): Promise<boolean>;
  /** Records a link's single use: `false` when it was already used. */
  consumeActionLink(jti: string, expiresAt: Date, at: string): Promise<boolean>;
  /** Claims a once-only marker of the deadline schedule: `false` when a previous run claimed it. */
  claimMarker(key: string, at: string): Promise<boolean>;
  releaseMarker(key: string): Promise<void>;
}

const ASSIGNMENTS_INDEX = 'INSTRUCTION#ASSIGNMENTS';
const DOSSIERS_INDEX = 'INSTRUCTION#DOSSIERS';

/**
 * Key layout (see README, "DynamoDB access patterns"):
 * - `DOSSIER#<ideaId>` / `DOSSIER`: verdict and revision; `gsi1`: `INSTRUCTION#DOSSIERS` / `<ideaId>`;
 * - `DOSSIER#<ideaId>` / `ASSIGNMENT#<serviceId>`: one per idea and service, with the service's latest
 *   opinions; `gsi1`: `INSTRUCTION#ASSIGNMENTS` / `<dueDate>#<assignmentId>` (queues, daily deadlines);
 * - `DOSSIER#<ideaId>` / `DECISION#<at>#<id>`, `VERDICT#<at>#<id>`: every decision and verdict;
 * - `DOSSIER#<ideaId>` / `OPINION#<memberSub>`: the committee member's latest opinion;
 * - `DOSSIER#<ideaId>` / `TIMELINE#<at>#<id>`: who did what when (the audit trail, committee versions too);
 * - `INSTRUCTION#<edition>` / `BALLOTLIST`, `PROJECT#<projectId>`, `AUDIT#<at>#<id>`: the ballot list;
 * - `ACTIONLINK#<jti>` / `USED`: a signed link's single use (TTL after its expiry);
 * - `INSTRUCTION#<edition>#DEADLINES` / `<reason>#<assignmentId>#<dueDate>` and `DIGEST#<day>`: once-only
 *   markers of the daily schedule;
 * - `INSTRUCTION#<edition>#OUTBOX` / `<at>#<eventId>`: an event written with its change, deleted once on
 *   the bus (one key for the sweep's strongly consistent query: items live seconds, a handful at a time).
 * Ideas (`IDEA#<id>` / `IDEA`, `gsi1` `IDEAS#published`) belong to functions/ideas and are only read.
 */
export function dynamoInstructionRepository(
  client: DynamoDBDocumentClient,
  tableName: string,
  edition: string,
): InstructionRepository {
  const dossierPk = (ideaId: string) => `DOSSIER#${ideaId}`;
  const listPk = instructionListPk(edition);
  const markerPk = `INSTRUCTION#${edition}#DEADLINES`;
  const listKey = { pk: listPk, sk: 'BALLOTLIST' };
  const outboxPk = `INSTRUCTION#${edition}#OUTBOX`;
  const outboxKey = (event: Pick<InstructionOutboxEvent, 'at' | 'eventId'>) => ({
    pk: outboxPk,
    sk: `${event.at}#${event.eventId}`,
  });
  const outboxPut = (event: InstructionOutboxEvent) => ({
    Put: {
      TableName: tableName,
      Item: { ...outboxKey(event), entity: 'InstructionOutboxEvent', version: 1, ...event },
    },
  });

  const dossierItem = (state: DossierState) => ({
    pk: dossierPk(state.ideaId),
    sk: 'DOSSIER',
    entity: 'InstructionDossier',
    version: 1,
    gsi1pk: DOSSIERS_INDEX,
    gsi1sk: state.ideaId,
    ...state,
  });
  const assignmentItem = (assignment: Assignment) => ({
    pk: dossierPk(assignment.ideaId),
    sk: `ASSIGNMENT#${assignment.serviceId}`,
    entity: 'InstructionAssignment',
    version: 1,
    gsi1pk: ASSIGNMENTS_INDEX,
    gsi1sk: `${assignment.dueDate}#${assignment.assignmentId}`,
    ...assignment,
  });
  const timelinePut = (item: TimelineItem) => ({
    Put: {
      TableName: tableName,
      Item: {
        pk: dossierPk(item.ideaId),
        sk: `TIMELINE#${item.at}#${item.id}`,
        entity: 'InstructionTimeline',
        version: 1,
        ...item,
      },
    },
  });
  const decisionPut = (decision: Decision) => ({
    Put: {
      TableName: tableName,
      Item: {
        pk: dossierPk(decision.ideaId),
        sk: `DECISION#${decision.at}#${decision.decisionId}`,
        entity: 'InstructionDecision',
        version: 1,
        ...decision,
      },
    },
  });
  const verdictPut = (ideaId: string, verdict: Verdict) => ({
    Put: {
      TableName: tableName,
      Item: {
        pk: dossierPk(ideaId),
        sk: `VERDICT#${verdict.at}#${verdict.decisionId}`,
        entity: 'InstructionVerdict',
        version: 1,
        ideaId,
        ...verdict,
      },
    },
  });
  const dossierPut = (state: DossierState, expectedRevision: number | undefined) => ({
    Put: {
      TableName: tableName,
      Item: dossierItem(state),
      ...revisionCondition(expectedRevision),
    },
  });
  const revisionCondition = (expectedRevision: number | undefined) =>
    expectedRevision === undefined
      ? { ConditionExpression: 'attribute_not_exists(pk)' }
      : {
          ConditionExpression: 'revision = :expected',
          ExpressionAttributeValues: { ':expected': expectedRevision },
        };

  const get = async (key: { pk: string; sk: string }) =>
    (await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;

  const queryAll = async (input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>) => {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({ TableName: tableName, ...input, ExclusiveStartKey: start }),
      );
      items.push(...((page.Items ?? []) as Record<string, unknown>[]));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  };

  /** Runs a transaction; retries conflicts with concurrent transactions; returns the failed conditions' indexes. */
  const transact = async (input: TransactWriteCommandInput): Promise<number[]> => {
    for (let attempt = 0; ; attempt++) {
      try {
        await client.send(new TransactWriteCommand(input));
        return [];
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        const failed = reasons.flatMap((r, i) => (r.Code === 'ConditionalCheckFailed' ? [i] : []));
        if (failed.length > 0) return failed;
        if (reasons.some((r) => r.Code === 'TransactionConflict') && attempt < 6) {
          await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * 2 ** attempt));
          continue;
        }
        throw error;
      }
    }
  };

  const changed = () =>
    conflict(
      'dossier_changed',
      'Le dossier a été modifié entre-temps par quelqu’un d’autre. Rechargez-le puis recommencez.',
    );

  return {
    async getPhase() {
      const item = await get(phaseStateKey(edition));
      return item ? StoredPhase.parse(item).current : undefined;
    },
    async getIdea(ideaId) {
      const item = await get({ pk: `IDEA#${ideaId}`, sk: 'IDEA' });
      return item ? IdeaRecord.parse(item) : undefined;
    },
    async publishedIdeas() {
      const items = await queryAll({
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': 'IDEAS#published' },
      });
      return items.map((item) => IdeaRecord.parse(item));
    },
    async getDossier(ideaId) {
      const items = await queryAll({
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': dossierPk(ideaId) },
        ConsistentRead: true,
      });
      const records: DossierRecords = {
        state: undefined,
        assignments: [],
        decisions: [],
        opinions: [],
        timeline: [],
      };
      for (const item of items) {
        const sk = String(item.sk);
        if (sk === 'DOSSIER') records.state = DossierState.parse(item);
        else if (sk.startsWith('ASSIGNMENT#')) records.assignments.push(Assignment.parse(item));
        else if (sk.startsWith('DECISION#')) records.decisions.push(Decision.parse(item));
        else if (sk.startsWith('OPINION#')) records.opinions.push(CommitteeOpinion.parse(item));
        else if (sk.startsWith('TIMELINE#')) records.timeline.push(TimelineItem.parse(item));
      }
      return records;
    },
    async getAssignment({ ideaId, serviceId }) {
      const item = await get({ pk: dossierPk(ideaId), sk: `ASSIGNMENT#${serviceId}` });
      return item ? Assignment.parse(item) : undefined;
    },
    async listAssignments() {
      const items = await queryAll({
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': ASSIGNMENTS_INDEX },
      });
      return items.map((item) => Assignment.parse(item));
    },
    async listDossierStates() {
      const items = await queryAll({
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': DOSSIERS_INDEX },
      });
      return new Map(items.map((item) => DossierState.parse(item)).map((state) => [state.ideaId, state]));
    },
    async createAssignment(assignment, timeline, events) {
      const failed = await transact({
        TransactItems: [
          {
            Put: {
              TableName: tableName,
              Item: assignmentItem(assignment),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          timelinePut(timeline),
          ...(events ?? []).map(outboxPut),
        ],
      });
      return failed.length === 0;
    },
    async saveAssignment(next, expectedRevision, extra) {
      const failed = await transact({
        TransactItems: [
          {
            Put: {
              TableName: tableName,
              Item: assignmentItem(next),
              ...revisionCondition(expectedRevision),
            },
          },
          ...extra.timeline.map(timelinePut),
          ...(extra.decision ? [decisionPut(extra.decision)] : []),
          ...(extra.dossier
            ? [
                dossierPut(extra.dossier.next, extra.dossier.expectedRevision),
                verdictPut(next.ideaId, extra.dossier.verdict),
              ]
            : []),
          ...(extra.events ?? []).map(outboxPut),
        ],
      });
      if (failed.length > 0) throw changed();
    },
    async saveVerdict(write) {
      const items: NonNullable<TransactWriteCommandInput['TransactItems']> = [
        dossierPut(write.dossier, write.expectedRevision),
        verdictPut(write.dossier.ideaId, write.verdict),
        timelinePut(write.timeline),
      ];
      const listIndex = items.length;
      if (write.changesList) {
        items.push({
          Update: {
            TableName: tableName,
            Key: listKey,
            UpdateExpression:
              'SET listVersion = if_not_exists(listVersion, :zero) + :one, #state = if_not_exists(#state, :open), entity = :entity, version = :v',
            ConditionExpression: 'attribute_not_exists(pk) OR #state <> :validated',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: {
              ':zero': 0,
              ':one': 1,
              ':open': 'open',
              ':validated': 'validated',
              ':entity': 'InstructionBallotList',
              ':v': 1,
            },
          },
        });
      }
      if (write.putProject) {
        items.push({
          Put: {
            TableName: tableName,
            Item: {
              pk: listPk,
              sk: `PROJECT#${write.putProject.id}`,
              entity: 'InstructionProject',
              version: 1,
              ...write.putProject,
            },
          },
        });
      } else if (write.deleteProjectId) {
        items.push({
          Delete: { TableName: tableName, Key: { pk: listPk, sk: `PROJECT#${write.deleteProjectId}` } },
        });
      }
      items.push(...(write.events ?? []).map(outboxPut));
      const failed = await transact({ TransactItems: items });
      if (failed.includes(listIndex) && write.changesList) {
        throw conflict(
          'ballot_list_frozen',
          'La liste des projets soumis au vote a été validée par le Comité citoyen : ce verdict la modifierait. Une réouverture motivée (coordination ou administration) est nécessaire d’abord.',
        );
      }
      if (failed.length > 0) throw changed();
    },
    async putCommitteeOpinion(opinion, timeline) {
      await transact({
        TransactItems: [
          {
            Put: {
              TableName: tableName,
              Item: {
                pk: dossierPk(opinion.ideaId),
                sk: `OPINION#${opinion.by.sub}`,
                entity: 'InstructionCommitteeOpinion',
                version: 1,
                ...opinion,
              },
            },
          },
          timelinePut(timeline),
        ],
      });
    },
    async getBallotList() {
      const item = await get(listKey);
      return item ? BallotListSchema.parse(item) : { state: 'open', listVersion: 0 };
    },
    async listProjects() {
      const items = await queryAll({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': listPk, ':prefix': 'PROJECT#' },
        ConsistentRead: true,
      });
      return items.map((item) => RetainedProject.parse(item));
    },
    async saveBallotList(next, expected, audit, events) {
      const failed = await transact({
        TransactItems: [
          {
            Put: {
              TableName: tableName,
              Item: { ...listKey, entity: 'InstructionBallotList', version: 1, ...next },
              ConditionExpression:
                expected.listVersion === 0 && expected.state === 'open'
                  ? '(attribute_not_exists(pk)) OR (listVersion = :lv AND #state = :state)'
                  : 'listVersion = :lv AND #state = :state',
              ExpressionAttributeNames: { '#state': 'state' },
              ExpressionAttributeValues: { ':lv': expected.listVersion, ':state': expected.state },
            },
          },
          {
            Put: {
              TableName: tableName,
              Item: {
                pk: listPk,
                sk: `AUDIT#${audit.at}#${audit.id}`,
                entity: 'InstructionBallotListAudit',
                version: 1,
                ...audit,
              },
            },
          },
          ...(events ?? []).map(outboxPut),
        ],
      });
      return failed.length === 0;
    },
    async consumeActionLink(jti, expiresAt, at) {
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              pk: `ACTIONLINK#${jti}`,
              sk: 'USED',
              entity: 'ActionLinkUse',
              version: 1,
              usedAt: at,
              // Kept a day past the link's own expiry: after that the signature check refuses it anyway.
              expiresAt: Math.floor(expiresAt.getTime() / 1000) + 86_400,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return true;
      } catch (error) {
        if ((error as Error).name === 'ConditionalCheckFailedException') return false;
        throw error;
      }
    },
    async claimMarker(key, at) {
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: { pk: markerPk, sk: key, entity: 'InstructionDeadlineMarker', version: 1, at },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return true;
      } catch (error) {
        if ((error as Error).name === 'ConditionalCheckFailedException') return false;
        throw error;
      }
    },
    async releaseMarker(key) {
      await client.send(new DeleteCommand({ TableName: tableName, Key: { pk: markerPk, sk: key } }));
    },
    async listPending() {
      const items = await queryAll({
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': outboxPk },
        ConsistentRead: true,
      });
      return items.map((item) => InstructionOutboxEvent.parse(item));
    },
    async clearPending(event) {
      await client.send(new DeleteCommand({ TableName: tableName, Key: outboxKey(event) }));
    },
  };
}
