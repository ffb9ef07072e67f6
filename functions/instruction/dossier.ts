import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import {
  ASSIGNMENT_STATUS_LABELS,
  AssignmentStatus,
  COMMITTEE_OPINIONS,
  DECISION_OUTCOMES,
  DecisionKind,
  DOSSIER_STATUS_LABELS,
  type DossierStatus,
  TIMELINE_KINDS,
} from '../../shared/http/instruction-schemas.ts';
import type { InstructionReason } from '../../shared/instruction/reasons.ts';
import { type Project, Project as ProjectSchema } from '../../shared/voting/projects.ts';
import { addWorkingDays } from './working-days.ts';

/**
 * The instruction model: assignments (idea × service), the services' decisions, the dossier's verdict,
 * committee opinions, the timeline, and the pure rules over them (statuses, deadlines, the ballot list's
 * hash). Items are validated with these schemas when read back.
 */

/** Who acted: role and pseudonymous staff `sub`. */
export const Actor = z.object({ role: z.string(), sub: z.string() });
export type Actor = z.infer<typeof Actor>;

export const Decision = z.object({
  decisionId: z.string(),
  ideaId: z.string(),
  assignmentId: z.string(),
  serviceId: z.string(),
  kind: DecisionKind,
  outcome: z.optional(z.enum(DECISION_OUTCOMES)),
  costEstimate: z.optional(z.number().check(z.int())),
  mergeInto: z.optional(z.string()),
  reasonCode: z.string(),
  reasonText: z.string(),
  at: z.iso.datetime(),
  by: Actor,
});
export type Decision = z.infer<typeof Decision>;

export const Assignment = z.object({
  assignmentId: z.string(),
  ideaId: z.string(),
  serviceId: z.string(),
  status: AssignmentStatus,
  dueDate: z.iso.date(),
  assignedAt: z.iso.datetime(),
  assignedBy: Actor,
  acceptedAt: z.optional(z.iso.datetime()),
  acceptedBy: z.optional(Actor),
  reassignmentReason: z.optional(z.string()),
  reassignmentRequestedAt: z.optional(z.iso.datetime()),
  opinions: z.object({
    admissibility: z.optional(Decision),
    feasibility: z.optional(Decision),
    cost: z.optional(Decision),
    merge: z.optional(Decision),
  }),
  /** Optimistic concurrency: every write checks and bumps it. */
  revision: z.number().check(z.int()),
});
export type Assignment = z.infer<typeof Assignment>;

export const Verdict = z.object({
  decisionId: z.string(),
  outcome: z.enum(['retained', 'not-admissible', 'not-feasible', 'merged', 'admissible', 'feasible']),
  /** Recorded by a coordinator (`true`), or implied by the opinion of the only service assigned (`false`). */
  final: z.boolean(),
  reasonCode: z.string(),
  reasonText: z.string(),
  projectId: z.optional(z.string()),
  mergeInto: z.optional(z.string()),
  at: z.iso.datetime(),
  by: Actor,
});
export type Verdict = z.infer<typeof Verdict>;

export const DossierState = z.object({
  ideaId: z.string(),
  verdict: z.optional(Verdict),
  revision: z.number().check(z.int()),
});
export type DossierState = z.infer<typeof DossierState>;

export const CommitteeOpinion = z.object({
  ideaId: z.string(),
  opinion: z.enum(COMMITTEE_OPINIONS),
  text: z.string(),
  at: z.iso.datetime(),
  by: Actor,
});
export type CommitteeOpinion = z.infer<typeof CommitteeOpinion>;

export const TimelineItem = z.object({
  id: z.string(),
  ideaId: z.string(),
  kind: z.enum(TIMELINE_KINDS),
  at: z.iso.datetime(),
  by: Actor,
  assignmentId: z.optional(z.string()),
  serviceId: z.optional(z.string()),
  summary: z.string(),
});
export type TimelineItem = z.infer<typeof TimelineItem>;

/** A project created by a `retained` verdict (the ballot list is made of them). */
export const RetainedProject = z.extend(ProjectSchema, {
  ideaIds: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
  decisionId: z.string(),
  retainedAt: z.iso.datetime(),
});
export type RetainedProject = z.infer<typeof RetainedProject>;

export const BallotListRecord = z.object({
  state: z.enum(['open', 'validated']),
  /** Bumped by every verdict that changes the list: a validation is conditional on the version it saw. */
  listVersion: z.number().check(z.int()),
  validation: z.optional(
    z.object({
      validationId: z.string(),
      listSha256: z.string(),
      projectIds: z.array(z.string()),
      at: z.iso.datetime(),
      by: Actor,
    }),
  ),
  lastReopening: z.optional(
    z.object({
      reopeningId: z.string(),
      validationId: z.string(),
      reason: z.string(),
      at: z.iso.datetime(),
      by: Actor,
    }),
  ),
});
export type BallotListRecord = z.infer<typeof BallotListRecord>;

/**
 * What instruction reads of an idea item (owned by functions/ideas): the fields a dossier shows, plus the
 * pseudonymous author ids that only ever go into `DecisionRecorded` (never into a response).
 */
export const IdeaRecord = z.object({
  ideaId: z.string(),
  authorIds: z.array(z.string()).check(z.minLength(1)),
  status: z.string(),
  title: z.string(),
  description: z.string(),
  theme: z.string(),
  territory: z.string(),
  commune: z.optional(z.string()),
  estimatedCost: z.number(),
  proposer: z.looseObject({ kind: z.enum(['individual', 'collective', 'association']) }),
  publishedAt: z.optional(z.iso.datetime()),
  mergedInto: z.optional(z.string()),
});
export type IdeaRecord = z.infer<typeof IdeaRecord>;

// ---- rules ----------------------------------------------------------------------------------------

export const assignmentIdOf = (ideaId: string, serviceId: string) => `${ideaId}.${serviceId}`;

export function parseAssignmentId(assignmentId: string): { ideaId: string; serviceId: string } | undefined {
  const dot = assignmentId.indexOf('.');
  if (dot <= 0 || dot === assignmentId.length - 1) return undefined;
  return { ideaId: assignmentId.slice(0, dot), serviceId: assignmentId.slice(dot + 1) };
}

/** Not admissible, a feasibility opinion, or a merge proposal: the service has said its last word. */
export function hasFinalOpinion(assignment: Pick<Assignment, 'opinions'>): boolean {
  const { admissibility, feasibility, merge } = assignment.opinions;
  return admissibility?.outcome === 'not-admissible' || !!feasibility || !!merge;
}

/** Still owed by its service: neither decided nor closed by the dossier's final verdict. */
export function isOpen(assignment: Assignment, dossier: DossierState | undefined): boolean {
  return assignment.status !== 'decided' && !isClosed(dossier);
}

/** The dossier has a verdict that ends its instruction (a coordinator's, or a negative one of its only service). */
export function isClosed(dossier: DossierState | undefined): boolean {
  const verdict = dossier?.verdict;
  if (!verdict) return false;
  return verdict.final || verdict.outcome === 'not-admissible' || verdict.outcome === 'not-feasible';
}

export function isOverdue(assignment: Assignment, dossier: DossierState | undefined, today: string): boolean {
  return isOpen(assignment, dossier) && assignment.dueDate < today;
}

export function dossierStatus(
  assignments: readonly Assignment[],
  dossier: DossierState | undefined,
): DossierStatus {
  const verdict = dossier?.verdict;
  if (verdict && isClosed(dossier)) {
    if (verdict.outcome === 'admissible' || verdict.outcome === 'feasible') return 'opinions-complete';
    return verdict.outcome;
  }
  if (assignments.length === 0) return 'to-assign';
  return assignments.every((a) => a.status === 'decided') ? 'opinions-complete' : 'in-instruction';
}

export const dossierStatusLabel = (status: DossierStatus) => DOSSIER_STATUS_LABELS[status];
export const assignmentStatusLabel = (assignment: Assignment) => ASSIGNMENT_STATUS_LABELS[assignment.status];

export interface DeadlineFinding {
  assignment: Assignment;
  reason: 'approaching' | 'missed';
}

/**
 * The reminders and escalations of a Paris day: an open assignment is reminded once its due date is within
 * three working days (a check that did not run on the exact day, or an assignment given a short due date, is
 * still reminded: the caller publishes once per assignment, reason and due date), and escalated once its due
 * date has passed. Services that asked to be reassigned are not reminded.
 */
export function deadlineFindings(
  assignments: readonly Assignment[],
  dossiers: ReadonlyMap<string, DossierState>,
  today: string,
): DeadlineFinding[] {
  const third = addWorkingDays(today, 3);
  const findings: DeadlineFinding[] = [];
  for (const assignment of assignments) {
    if (!isOpen(assignment, dossiers.get(assignment.ideaId))) continue;
    if (assignment.dueDate < today) findings.push({ assignment, reason: 'missed' });
    else if (assignment.status !== 'reassignment-requested' && assignment.dueDate <= third)
      findings.push({ assignment, reason: 'approaching' });
  }
  return findings;
}

/** The coordinators' digest: counts per service and assignment status, and the overdue list (oldest first). */
export function instructionDigest(
  assignments: readonly Assignment[],
  dossiers: ReadonlyMap<string, DossierState>,
  today: string,
) {
  const counts = new Map<string, { serviceId: string; status: string; count: number }>();
  for (const assignment of assignments) {
    const status =
      isClosed(dossiers.get(assignment.ideaId)) && assignment.status !== 'decided'
        ? 'closed'
        : assignment.status;
    const key = `${assignment.serviceId}#${status}`;
    const entry = counts.get(key) ?? { serviceId: assignment.serviceId, status, count: 0 };
    entry.count++;
    counts.set(key, entry);
  }
  const overdue = assignments
    .filter((a) => isOverdue(a, dossiers.get(a.ideaId), today))
    .sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.assignmentId.localeCompare(b.assignmentId))
    .map(({ assignmentId, ideaId, serviceId, dueDate }) => ({ assignmentId, ideaId, serviceId, dueDate }));
  return {
    counts: [...counts.values()].sort(
      (a, b) => a.serviceId.localeCompare(b.serviceId) || a.status.localeCompare(b.status),
    ),
    overdue,
  };
}

/** A verdict changes the ballot list when it retains the idea or un-retains a retained one. */
export function verdictChangesList(previous: Verdict | undefined, next: Pick<Verdict, 'outcome'>): boolean {
  return previous?.outcome === 'retained' || next.outcome === 'retained';
}

/** JSON with object keys sorted at every level: the same projects always give the same bytes. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The ballot list as put to the vote: the projects' public fields, sorted by id. */
export function ballotListProjects(projects: readonly RetainedProject[]): Project[] {
  return projects
    .map(({ id, title, summary, cost, envelope, theme, territory, ideaIds }) =>
      ProjectSchema.parse({
        id,
        title,
        summary,
        cost,
        envelope,
        theme,
        ...(territory ? { territory } : {}),
        ideaIds,
      }),
    )
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** SHA-256 (hex) of the canonical JSON of the sorted list: what the committee validates. */
export function ballotListSha256(projects: readonly Project[]): string {
  return createHash('sha256').update(canonicalJson(projects)).digest('hex');
}

/** The project id of a retained idea (lower-case slug, stable: a second retained verdict replaces it). */
export const projectIdOf = (ideaId: string) => `p-${ideaId.toLowerCase()}`;

export function reasonLabel(reasons: readonly InstructionReason[], code: string): string {
  return reasons.find((reason) => reason.id === code)?.label ?? code;
}

/** The idea as every staff role sees it here: no author id, name, association name or address. */
export function dossierIdea(idea: IdeaRecord) {
  return {
    id: idea.ideaId,
    title: idea.title,
    description: idea.description,
    theme: idea.theme,
    territory: idea.territory,
    ...(idea.commune ? { commune: idea.commune } : {}),
    estimatedCost: idea.estimatedCost,
    proposerKind: idea.proposer.kind,
    authorsCount: idea.authorIds.length,
    ...(idea.publishedAt ? { publishedAt: idea.publishedAt } : {}),
  };
}
