import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import { conflict } from '../../shared/errors/domain-error.ts';
import { type Assignment, parseAssignmentId } from './dossier.ts';
import {
  actorOf,
  assignmentNotFound,
  eventActor,
  type InstructionDeps,
  otherService,
  type Staff,
} from './instruction-deps.ts';
import { instructionEvent, publishInstructionEvents } from './instruction-outbox.ts';

/** Loads an assignment the staff member's service may act on (403 for another service's). */
export async function assignmentForService(
  deps: InstructionDeps,
  assignmentId: string,
  staff: Staff,
): Promise<Assignment> {
  const parts = parseAssignmentId(assignmentId);
  const assignment = parts ? await deps.repository.getAssignment(parts) : undefined;
  if (!assignment) throw assignmentNotFound(assignmentId);
  if (!staff.service || staff.service !== assignment.serviceId) throw otherService();
  return assignment;
}

const serviceName = (config: EditionConfig, serviceId: string) =>
  config.services.find((s) => s.id === serviceId)?.name ?? serviceId;

/**
 * The service takes the assignment (`assigned` or `reassignment-requested` → `accepted`). Accepting an
 * accepted or decided assignment changes nothing. No event: the coordinators see it on the board.
 */
export async function acceptAssignment(
  deps: InstructionDeps,
  config: EditionConfig,
  input: { assignmentId: string; staff: Staff },
): Promise<Assignment> {
  const assignment = await assignmentForService(deps, input.assignmentId, input.staff);
  if (assignment.status === 'accepted' || assignment.status === 'decided') return assignment;
  const at = deps.now().toISOString();
  const next: Assignment = {
    ...assignment,
    status: 'accepted',
    acceptedAt: at,
    acceptedBy: actorOf(input.staff),
    revision: assignment.revision + 1,
  };
  await deps.repository.saveAssignment(next, assignment.revision, {
    timeline: [
      {
        id: deps.newId(),
        ideaId: assignment.ideaId,
        kind: 'accepted',
        at,
        by: actorOf(input.staff),
        assignmentId: assignment.assignmentId,
        serviceId: assignment.serviceId,
        summary: `Prise en charge par ${serviceName(config, assignment.serviceId)}`,
      },
    ],
  });
  return next;
}

/**
 * The service asks the coordinators to give the assignment to another service, with a reason
 * (`assigned`/`accepted` → `reassignment-requested`). Emits `ReassignmentRequested` through the outbox.
 */
export async function requestReassignment(
  deps: InstructionDeps,
  config: EditionConfig,
  input: { assignmentId: string; reason: string; staff: Staff },
): Promise<Assignment> {
  const assignment = await assignmentForService(deps, input.assignmentId, input.staff);
  if (assignment.status === 'reassignment-requested') return assignment;
  if (assignment.status === 'decided')
    throw conflict(
      'assignment_decided',
      'Votre service a déjà rendu son avis sur cette idée : une réaffectation n’est plus possible. Contactez la coordination.',
    );
  const at = deps.now().toISOString();
  const next: Assignment = {
    ...assignment,
    status: 'reassignment-requested',
    reassignmentReason: input.reason,
    reassignmentRequestedAt: at,
    revision: assignment.revision + 1,
  };
  const timelineId = deps.newId();
  const requested = instructionEvent(
    'ReassignmentRequested',
    {
      edition: deps.edition,
      assignmentId: assignment.assignmentId,
      ideaId: assignment.ideaId,
      serviceId: assignment.serviceId,
      reason: input.reason,
      requestedAt: at,
      actor: eventActor(input.staff),
    },
    { eventId: timelineId, at },
  );
  await deps.repository.saveAssignment(next, assignment.revision, {
    events: [requested],
    timeline: [
      {
        id: timelineId,
        ideaId: assignment.ideaId,
        kind: 'reassignment-requested',
        at,
        by: actorOf(input.staff),
        assignmentId: assignment.assignmentId,
        serviceId: assignment.serviceId,
        summary: `${serviceName(config, assignment.serviceId)} demande une réaffectation : ${input.reason}`,
      },
    ],
  });
  await publishInstructionEvents(deps, [requested]);
  return next;
}
