import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import { Milestone, RealisationStatus } from '../../shared/events/catalogue.ts';
import { DECISION_OUTCOME_LABELS, REALISATION_STATUS_LABELS } from '../../shared/http/labels.ts';
import { reasonsOf } from '../../shared/instruction/reasons.ts';
import { instructionListPk } from '../../shared/voting/projects.ts';

/**
 * What became of an idea after moderation, for its authors (« Mes idées »): the instruction's verdict and
 * its reason, whether its project is on the ballot the Comité citoyen validated, the published result with
 * its explanation, and the realisation. Each step is present once it happened.
 */
export interface IdeaPath {
  instruction?: {
    /** `retained`, `not-admissible`, `not-feasible`, `merged` (or `admissible`/`feasible` while a single
     * service's opinion stands in for the verdict). */
    outcome: string;
    outcomeLabel: string;
    /** Pronounced by the coordination (`true`), or the opinion of the only service (`false`). */
    final: boolean;
    reasonLabel: string;
    reasonText: string;
    at: string;
    mergeInto?: string;
  };
  ballot?: { state: 'waiting' | 'on-ballot' | 'not-on-ballot'; projectTitle?: string };
  result?: { selected: boolean; explanation: string; projectTitle: string };
  realisation?: {
    status: string;
    statusLabel: string;
    reason?: string;
    milestones: z.infer<typeof Milestone>[];
    updatedAt: string;
  };
}

/** Port: the path of each of the given ideas (an author has a handful). */
export interface IdeaPaths {
  pathOf(ideaId: string, edition: EditionConfig): Promise<IdeaPath>;
}

// The other contexts' items, projected to what this read needs (their owners' schemas are richer).
const DossierFields = z.object({
  verdict: z.optional(
    z.object({
      outcome: z.string(),
      final: z.boolean(),
      reasonCode: z.string(),
      reasonText: z.string(),
      projectId: z.optional(z.string()),
      mergeInto: z.optional(z.string()),
      at: z.string(),
    }),
  ),
});
const BallotListFields = z.object({
  state: z.enum(['open', 'validated']),
  validation: z.optional(z.object({ projectIds: z.array(z.string()) })),
});
const ProjectFields = z.object({ title: z.string() });
const ResultsFields = z.object({
  publishedAt: z.optional(z.string()),
  results: z.optional(
    z.object({
      envelopes: z.array(
        z.object({
          projects: z.array(
            z.object({ id: z.string(), title: z.string(), selected: z.boolean(), explanation: z.string() }),
          ),
        }),
      ),
    }),
  ),
});
const RealisationFields = z.object({
  status: RealisationStatus,
  reason: z.optional(z.string()),
  milestones: z.array(Milestone),
  updatedAt: z.string(),
});

/**
 * Reads, never writes, the items other functions own, by their documented keys (as the notifications read
 * identity's addresses): `DOSSIER#<idea>` / `DOSSIER` (instruction's verdict), `INSTRUCTION#<edition>` /
 * `BALLOTLIST` and `PROJECT#<id>` (the ballot list), `EDITION#<edition>#RESULTS` / `RESULTS` (read only once
 * published) and `REALISATION#<project>` (results). No function calls another; nothing is copied.
 */
export function dynamoIdeaPaths(
  client: DynamoDBDocumentClient,
  tableName: string,
  edition: string,
): IdeaPaths {
  const get = async (pk: string, sk: string, projection: string, names?: Record<string, string>) =>
    (
      await client.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk, sk },
          ProjectionExpression: projection,
          ...(names ? { ExpressionAttributeNames: names } : {}),
          ConsistentRead: true,
        }),
      )
    ).Item;
  const listPk = instructionListPk(edition);
  const resultsPk = `EDITION#${edition}#RESULTS`;

  return {
    async pathOf(ideaId, config) {
      const dossier = await get(`DOSSIER#${ideaId}`, 'DOSSIER', 'verdict');
      const verdict = dossier ? DossierFields.parse(dossier).verdict : undefined;
      if (!verdict) return {};
      const reasons = reasonsOf(config);
      const path: IdeaPath = {
        instruction: {
          outcome: verdict.outcome,
          outcomeLabel: (DECISION_OUTCOME_LABELS as Record<string, string>)[verdict.outcome] ?? 'Avis rendu',
          final: verdict.final,
          reasonLabel: reasons.find((reason) => reason.id === verdict.reasonCode)?.label ?? '',
          reasonText: verdict.reasonText,
          at: verdict.at,
          ...(verdict.mergeInto ? { mergeInto: verdict.mergeInto } : {}),
        },
      };
      if (verdict.outcome !== 'retained' || !verdict.projectId) return path;
      const projectId = verdict.projectId;

      const [listItem, projectItem] = await Promise.all([
        get(listPk, 'BALLOTLIST', '#state, validation', { '#state': 'state' }),
        get(listPk, `PROJECT#${projectId}`, 'title'),
      ]);
      const list = listItem ? BallotListFields.parse(listItem) : undefined;
      const projectTitle = projectItem ? ProjectFields.parse(projectItem).title : undefined;
      const onBallot =
        list?.state === 'validated' && list.validation?.projectIds.includes(projectId) === true;
      path.ballot = {
        state: list?.state !== 'validated' ? 'waiting' : onBallot ? 'on-ballot' : 'not-on-ballot',
        ...(projectTitle ? { projectTitle } : {}),
      };
      if (!onBallot) return path;

      const stored = await get(resultsPk, 'RESULTS', 'publishedAt, results.envelopes');
      const results = stored ? ResultsFields.parse(stored) : undefined;
      if (!results?.publishedAt) return path;
      const line = results.results?.envelopes
        .flatMap((envelope) => envelope.projects)
        .find((project) => project.id === projectId);
      if (!line) return path;
      path.result = { selected: line.selected, explanation: line.explanation, projectTitle: line.title };
      if (!line.selected) return path;

      const realisation = await get(
        resultsPk,
        `REALISATION#${projectId}`,
        '#status, reason, milestones, updatedAt',
        {
          '#status': 'status',
        },
      );
      if (realisation) {
        const found = RealisationFields.parse(realisation);
        path.realisation = {
          status: found.status,
          statusLabel: REALISATION_STATUS_LABELS[found.status],
          ...(found.reason ? { reason: found.reason } : {}),
          milestones: found.milestones,
          updatedAt: found.updatedAt,
        };
      }
      return path;
    },
  };
}
