import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import {
  ASSIGNMENT_STATUS_LABELS,
  type DossierListQuery,
  type DossierStatus,
} from '../../shared/http/instruction-schemas.ts';
import { type InstructionReason, reasonsOf } from '../../shared/instruction/reasons.ts';
import {
  type Assignment,
  type Decision,
  type DossierState,
  dossierIdea,
  dossierStatus,
  dossierStatusLabel,
  type IdeaRecord,
  isOpen,
  isOverdue,
  reasonLabel,
} from './dossier.ts';
import {
  type InstructionDeps,
  ideaNotFound,
  otherService,
  parisDay,
  type Staff,
} from './instruction-deps.ts';

/** Who sees what: instructors their service's dossiers; coordinators and the committee every dossier. */
const seesAll = (staff: Staff) => staff.role !== 'instructor';

function decisionView(reasons: readonly InstructionReason[], decision: Decision) {
  return { ...decision, reasonLabel: reasonLabel(reasons, decision.reasonCode) };
}

export function assignmentView(
  config: EditionConfig,
  assignment: Assignment,
  dossier: DossierState | undefined,
  today: string,
) {
  const reasons = reasonsOf(config);
  const { revision: _revision, acceptedBy: _acceptedBy, reassignmentRequestedAt: _r, ...rest } = assignment;
  const opinions = Object.fromEntries(
    Object.entries(assignment.opinions)
      .filter((entry): entry is [string, Decision] => entry[1] !== undefined)
      .map(([kind, decision]) => [kind, decisionView(reasons, decision)]),
  );
  return {
    ...rest,
    serviceName: config.services.find((s) => s.id === assignment.serviceId)?.name ?? assignment.serviceId,
    statusLabel: ASSIGNMENT_STATUS_LABELS[assignment.status],
    overdue: isOverdue(assignment, dossier, today),
    opinions,
  };
}

function summary(
  config: EditionConfig,
  idea: IdeaRecord,
  assignments: Assignment[],
  dossier: DossierState | undefined,
  today: string,
) {
  const status = dossierStatus(assignments, dossier);
  const open = assignments
    .filter((a) => isOpen(a, dossier))
    .map((a) => a.dueDate)
    .sort();
  const reasons = reasonsOf(config);
  return {
    idea: dossierIdea(idea),
    status,
    statusLabel: dossierStatusLabel(status),
    assignments: assignments.map((a) => assignmentView(config, a, dossier, today)),
    ...(open[0] ? { nextDueDate: open[0] } : {}),
    overdue: assignments.some((a) => isOverdue(a, dossier, today)),
    ...(dossier?.verdict
      ? { verdict: { ...dossier.verdict, reasonLabel: reasonLabel(reasons, dossier.verdict.reasonCode) } }
      : {}),
  };
}

/** The dossiers (published ideas) a staff member may see, filtered, overdue first then by due date. */
export async function listDossiers(
  deps: InstructionDeps,
  config: EditionConfig,
  input: { query: DossierListQuery; staff: Staff },
) {
  const [ideas, assignments, states] = await Promise.all([
    deps.repository.publishedIdeas(),
    deps.repository.listAssignments(),
    deps.repository.listDossierStates(),
  ]);
  const today = parisDay(deps.now(), config);
  const byIdea = new Map<string, Assignment[]>();
  for (const assignment of assignments) {
    byIdea.set(assignment.ideaId, [...(byIdea.get(assignment.ideaId) ?? []), assignment]);
  }
  const { query, staff } = input;
  const service = seesAll(staff) ? query.service : (staff.service ?? '\u0000');
  const items = ideas
    .filter((idea) => !query.territory || idea.territory === query.territory)
    .filter((idea) => !query.theme || idea.theme === query.theme)
    .filter((idea) => !service || (byIdea.get(idea.ideaId) ?? []).some((a) => a.serviceId === service))
    .map((idea) => summary(config, idea, byIdea.get(idea.ideaId) ?? [], states.get(idea.ideaId), today))
    .filter((item) => !query.status || item.status === (query.status as DossierStatus))
    .sort(
      (a, b) =>
        Number(b.overdue) - Number(a.overdue) ||
        (a.nextDueDate ?? '9999').localeCompare(b.nextDueDate ?? '9999') ||
        a.idea.title.localeCompare(b.idea.title, 'fr'),
    );
  return { items, total: items.length, today };
}

/** One dossier: idea (no personal data), assignments and opinions, decisions, verdict, committee, timeline. */
export async function readDossier(
  deps: InstructionDeps,
  config: EditionConfig,
  input: { ideaId: string; staff: Staff },
) {
  const idea = await deps.repository.getIdea(input.ideaId);
  if (!idea || idea.status === 'submitted' || idea.status === 'hidden') throw ideaNotFound(input.ideaId);
  const records = await deps.repository.getDossier(input.ideaId);
  if (!seesAll(input.staff) && !records.assignments.some((a) => a.serviceId === input.staff.service))
    throw otherService();
  const today = parisDay(deps.now(), config);
  const reasons = reasonsOf(config);
  const projectId = records.state?.verdict?.projectId;
  const project =
    projectId && records.state?.verdict?.outcome === 'retained'
      ? (await deps.repository.listProjects()).find((p) => p.id === projectId)
      : undefined;
  return {
    ...summary(config, idea, records.assignments, records.state, today),
    decisions: records.decisions
      .sort((a, b) => a.at.localeCompare(b.at))
      .map((decision) => decisionView(reasons, decision)),
    committeeOpinions: records.opinions.sort((a, b) => a.at.localeCompare(b.at)),
    timeline: records.timeline
      .sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id))
      .map(({ ideaId: _ideaId, ...entry }) => entry),
    ...(project ? { project } : {}),
    reasons: [...reasons],
    today,
  };
}
