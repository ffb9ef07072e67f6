import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import { conflict } from '../../shared/errors/domain-error.ts';
import { DECISION_OUTCOME_LABELS, type DecisionBody } from '../../shared/http/instruction-schemas.ts';
import { assignmentForService } from './assignment-actions.ts';
import { type Assignment, type Decision, hasFinalOpinion, reasonLabel, type Verdict } from './dossier.ts';
import {
  actorOf,
  editionReasons,
  eventActor,
  type InstructionDeps,
  ideaNotFound,
  invalidField,
  requirePhase,
  requireReason,
  type Staff,
} from './instruction-deps.ts';
import {
  type InstructionOutboxEvent,
  instructionEvent,
  publishInstructionEvents,
} from './instruction-outbox.ts';

const KIND_LABELS: Record<Decision['kind'], string> = {
  admissibility: 'Recevabilité',
  feasibility: 'Faisabilité',
  cost: 'Estimation du coût',
  merge: 'Regroupement proposé',
};

/**
 * Records one decision of the assigned service (instruction phase only): admissibility, feasibility, cost
 * or a merge proposal, each with a reason of the edition's list and a text. The service's latest decision
 * of each kind is its opinion; not admissible, a feasibility opinion or a merge proposal close its
 * assignment (`decided`). Emits `DecisionRecorded` (scope `service`, not for a bare cost estimate: the
 * event has no outcome for it). With exactly one assignment on the idea, an admissibility or feasibility
 * opinion is also the verdict (a second `DecisionRecorded`, scope `verdict`, which the authors are told),
 * unless a coordinator already recorded one. The events go through the outbox (written with the decision).
 */
export async function recordDecision(
  deps: InstructionDeps,
  config: EditionConfig,
  input: { assignmentId: string; body: DecisionBody; staff: Staff },
): Promise<{ assignment: Assignment; decision: Decision; verdict?: Verdict }> {
  const { body, staff } = input;
  await requirePhase(deps, ['instruction'], 'L’enregistrement d’une décision');
  const assignment = await assignmentForService(deps, input.assignmentId, staff);
  const reasons = editionReasons(config);
  requireReason(reasons, body.reasonCode);
  const dossier = await deps.repository.getDossier(assignment.ideaId);
  if (dossier.state?.verdict?.final)
    throw conflict(
      'dossier_closed',
      'La coordination a déjà prononcé le verdict de cette idée : l’avis de votre service ne peut plus être modifié. Contactez la coordination.',
    );
  const idea = await deps.repository.getIdea(assignment.ideaId);
  if (!idea) throw ideaNotFound(assignment.ideaId);
  if (body.kind === 'merge') {
    if (body.mergeInto === assignment.ideaId)
      throw invalidField('body.mergeInto', 'Une idée ne peut pas être regroupée avec elle-même');
    if (!(await deps.repository.getIdea(body.mergeInto)))
      throw invalidField('body.mergeInto', `Idée inconnue : ${body.mergeInto}`);
  }

  const now = deps.now();
  const at = now.toISOString();
  const decision: Decision = {
    decisionId: deps.newId(),
    ideaId: assignment.ideaId,
    assignmentId: assignment.assignmentId,
    serviceId: assignment.serviceId,
    kind: body.kind,
    ...(body.kind === 'admissibility' || body.kind === 'feasibility' ? { outcome: body.outcome } : {}),
    ...(body.kind === 'merge' ? { outcome: 'merged' as const, mergeInto: body.mergeInto } : {}),
    ...('costEstimate' in body && body.costEstimate !== undefined ? { costEstimate: body.costEstimate } : {}),
    reasonCode: body.reasonCode,
    reasonText: body.reasonText,
    at,
    by: actorOf(staff),
  };
  const opinions = { ...assignment.opinions, [body.kind]: decision };
  const next: Assignment = {
    ...assignment,
    opinions,
    status: hasFinalOpinion({ opinions }) ? 'decided' : 'accepted',
    ...(assignment.acceptedAt ? {} : { acceptedAt: at, acceptedBy: actorOf(staff) }),
    revision: assignment.revision + 1,
  };

  const implied =
    (body.kind === 'admissibility' || body.kind === 'feasibility') &&
    dossier.assignments.length === 1 &&
    !dossier.state?.verdict?.final;
  const verdict: Verdict | undefined = implied
    ? {
        decisionId: deps.newId(),
        outcome: body.outcome,
        final: false,
        reasonCode: body.reasonCode,
        reasonText: body.reasonText,
        at,
        by: actorOf(staff),
      }
    : undefined;
  const service = config.services.find((s) => s.id === assignment.serviceId)?.name ?? assignment.serviceId;
  const what = decision.outcome
    ? DECISION_OUTCOME_LABELS[decision.outcome]
    : decision.costEstimate !== undefined
      ? `${decision.costEstimate.toLocaleString('fr-FR')} €`
      : 'regroupement avec une autre idée proposé';
  const common = {
    edition: deps.edition,
    ideaId: assignment.ideaId,
    reasonCode: body.reasonCode,
    reasonText: body.reasonText,
    authorIds: idea.authorIds,
    recordedAt: at,
    actor: eventActor(staff),
  };
  const events: InstructionOutboxEvent[] = [];
  if (decision.outcome) {
    events.push(
      instructionEvent(
        'DecisionRecorded',
        {
          ...common,
          decisionId: decision.decisionId,
          scope: 'service',
          serviceId: assignment.serviceId,
          outcome: decision.outcome,
          ...(decision.costEstimate !== undefined ? { costEstimate: decision.costEstimate } : {}),
          ...(decision.mergeInto ? { mergeInto: decision.mergeInto } : {}),
        },
        { eventId: decision.decisionId, at },
      ),
    );
  }
  if (verdict) {
    events.push(
      instructionEvent(
        'DecisionRecorded',
        {
          ...common,
          decisionId: verdict.decisionId,
          scope: 'verdict',
          outcome: verdict.outcome as 'admissible' | 'not-admissible' | 'feasible' | 'not-feasible',
          ...(decision.costEstimate !== undefined ? { costEstimate: decision.costEstimate } : {}),
        },
        { eventId: verdict.decisionId, at },
      ),
    );
  }
  await deps.repository.saveAssignment(next, assignment.revision, {
    decision,
    events,
    timeline: [
      {
        id: decision.decisionId,
        ideaId: assignment.ideaId,
        kind: 'decision',
        at,
        by: actorOf(staff),
        assignmentId: assignment.assignmentId,
        serviceId: assignment.serviceId,
        summary: `${service} — ${KIND_LABELS[body.kind]} : ${what} (${reasonLabel(reasons, body.reasonCode)})`,
      },
      ...(verdict
        ? [
            {
              id: verdict.decisionId,
              ideaId: assignment.ideaId,
              kind: 'verdict' as const,
              at,
              by: actorOf(staff),
              assignmentId: assignment.assignmentId,
              serviceId: assignment.serviceId,
              summary: `Verdict (avis du seul service saisi) : ${DECISION_OUTCOME_LABELS[verdict.outcome]}`,
            },
          ]
        : []),
    ],
    ...(verdict
      ? {
          dossier: {
            next: { ideaId: assignment.ideaId, verdict, revision: (dossier.state?.revision ?? 0) + 1 },
            expectedRevision: dossier.state?.revision,
            verdict,
          },
        }
      : {}),
  });

  await publishInstructionEvents(deps, events);
  return { assignment: next, decision, ...(verdict ? { verdict } : {}) };
}
