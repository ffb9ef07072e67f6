import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import type { EditionStore } from '../../shared/edition/edition-store.ts';
import { PHASE_LABELS, type Phase } from '../../shared/edition/phases.ts';
import { conflict, DomainError, notFound } from '../../shared/errors/domain-error.ts';
import type { EventPublisher } from '../../shared/events/event-publisher.ts';
import { type InstructionReason, reasonsOf } from '../../shared/instruction/reasons.ts';
import { toLocal } from '../../shared/time/zoned.ts';
import type { Actor } from './dossier.ts';
import type { InstructionOutboxEvent } from './instruction-outbox.ts';
import type { InstructionRepository } from './instruction-repository.ts';

/** The ports every instruction use case receives. */
export interface InstructionDeps {
  edition: string;
  editions: EditionStore;
  repository: InstructionRepository;
  events: EventPublisher;
  now: () => Date;
  newId: () => string;
  /** Told when an event stays pending (the change is stored; the `instruction-sweep` schedule publishes it). */
  onPublishFailure?: (event: InstructionOutboxEvent, error: unknown) => void;
}

/** The staff member acting: role used for this action, pseudonymous sub, and the instructor's service. */
export interface Staff extends Actor {
  service?: string | undefined;
}

/** The Paris calendar day of an instant, `YYYY-MM-DD`. */
export const parisDay = (instant: Date, config: Pick<EditionConfig, 'timeZone'>) =>
  toLocal(instant, config.timeZone).slice(0, 10);

/** Refuses an action outside the phases that allow it, with the current phase in French. */
export async function requirePhase(deps: InstructionDeps, allowed: readonly Phase[], action: string) {
  const phase = (await deps.repository.getPhase()) ?? 'setup';
  if (!allowed.includes(phase)) {
    throw conflict(
      'phase_closed',
      `${action} n’est possible que pendant : ${allowed.map((p) => PHASE_LABELS[p].toLowerCase()).join(', ')}. L’édition est en phase « ${PHASE_LABELS[phase]} ».`,
    );
  }
  return phase;
}

export function requireReason(reasons: readonly InstructionReason[], code: string) {
  if (!reasons.some((reason) => reason.id === code)) {
    throw new DomainError({
      code: 'validation_failed',
      status: 400,
      title: 'Certaines informations sont invalides',
      detail: 'Choisissez un motif de la liste de l’édition.',
      errors: [{ field: 'body.reasonCode', message: `Motif inconnu : ${code}` }],
    });
  }
}

export const editionReasons = (config: EditionConfig) => reasonsOf(config);

export const ideaNotFound = (ideaId: string) =>
  notFound('idea_not_found', `Aucune idée publiée « ${ideaId} ».`);
export const assignmentNotFound = (assignmentId: string) =>
  notFound('assignment_not_found', `Aucune affectation « ${assignmentId} ».`);

export const otherService = () =>
  new DomainError({
    code: 'other_service',
    status: 403,
    title: 'Accès refusé',
    detail: 'Cette affectation concerne un autre service : seuls ses agents instructeurs peuvent agir.',
  });

export const invalidField = (field: string, message: string) =>
  new DomainError({
    code: 'validation_failed',
    status: 400,
    title: 'Certaines informations sont invalides',
    detail: 'Corrigez les champs signalés puis réessayez.',
    errors: [{ field, message }],
  });

export const actorOf = (staff: Staff): Actor => ({ role: staff.role, sub: staff.sub });
export const eventActor = (staff: Staff) => ({ kind: 'staff' as const, sub: staff.sub, role: staff.role });
