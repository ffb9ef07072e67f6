import { conflict, DomainError } from '../../shared/errors/domain-error.ts';
import {
  type EnvelopeReview,
  reviewBallotList,
  unvotableEnvelopes,
} from '../../shared/voting/ballot-list-review.ts';
import type { Project } from '../../shared/voting/projects.ts';
import { type BallotListRecord, ballotListProjects, ballotListSha256 } from './dossier.ts';
import { actorOf, eventActor, type InstructionDeps, requirePhase, type Staff } from './instruction-deps.ts';
import { instructionEvent, publishInstructionEvents } from './instruction-outbox.ts';

export interface BallotList {
  record: BallotListRecord;
  projects: Project[];
  listSha256: string;
  /** Per envelope of the edition: its projects' count and cost, what blocks the vote, what warns. */
  envelopes: EnvelopeReview[];
}

/** The retained projects, sorted, their SHA-256, the list's state and its review per envelope. */
export async function readBallotList(deps: InstructionDeps): Promise<BallotList> {
  const [record, stored, config] = await Promise.all([
    deps.repository.getBallotList(),
    deps.repository.listProjects(),
    deps.editions.get(),
  ]);
  const projects = ballotListProjects(stored);
  return {
    record,
    projects,
    listSha256: ballotListSha256(projects),
    envelopes: reviewBallotList(config, projects),
  };
}

/** 409 of a list with an envelope nobody could vote in: one French field error per such envelope. */
export const ballotListUnvotable = (envelopes: readonly EnvelopeReview[]) =>
  new DomainError({
    code: 'ballot_list_unvotable',
    status: 409,
    title: 'Liste impossible à soumettre au vote',
    detail:
      'Dans au moins une enveloppe, personne ne pourrait voter : la liste ne peut pas être validée en l’état. Complétez-la d’abord.',
    errors: unvotableEnvelopes(envelopes),
  });

/**
 * The Comité citoyen validates the list it saw (`listSha256`): refused if the list changed since, if it is
 * empty or already validated, or if an envelope is unvotable (`ballot_list_unvotable`, one error per
 * envelope: no project, fewer than the ballot's minimum choices, nothing within budget). Freezes it (verdicts that would change it are refused). Emits
 * `BallotListValidated` with who and when, through the outbox.
 */
export async function validateBallotList(
  deps: InstructionDeps,
  input: { listSha256: string; staff: Staff },
): Promise<BallotList> {
  await requirePhase(deps, ['instruction', 'ballot-preparation'], 'La validation de la liste des projets');
  const list = await readBallotList(deps);
  if (list.record.state === 'validated')
    throw conflict('ballot_list_validated', 'La liste des projets est déjà validée.');
  if (list.projects.length === 0)
    throw conflict('ballot_list_empty', 'Aucun projet n’est retenu : il n’y a pas de liste à valider.');
  if (list.listSha256 !== input.listSha256)
    throw conflict(
      'ballot_list_changed',
      'La liste a changé depuis que vous l’avez consultée : rechargez-la, vérifiez-la, puis validez à nouveau.',
    );
  if (unvotableEnvelopes(list.envelopes).length > 0) throw ballotListUnvotable(list.envelopes);
  const at = deps.now().toISOString();
  const validationId = deps.newId();
  const projectIds = list.projects.map((project) => project.id);
  const next: BallotListRecord = {
    ...list.record,
    state: 'validated',
    validation: { validationId, listSha256: list.listSha256, projectIds, at, by: actorOf(input.staff) },
  };
  const validated = instructionEvent(
    'BallotListValidated',
    {
      edition: deps.edition,
      validationId,
      projectIds,
      listSha256: list.listSha256,
      validatedAt: at,
      actor: eventActor(input.staff),
    },
    { eventId: validationId, at },
  );
  const saved = await deps.repository.saveBallotList(
    next,
    { listVersion: list.record.listVersion, state: 'open' },
    {
      id: validationId,
      at,
      action: 'validate',
      detail: { listSha256: list.listSha256, projectIds, by: actorOf(input.staff) },
    },
    [validated],
  );
  if (!saved)
    throw conflict(
      'ballot_list_changed',
      'La liste a changé pendant la validation : rechargez-la, vérifiez-la, puis validez à nouveau.',
    );
  await publishInstructionEvents(deps, [validated]);
  return { ...list, record: next };
}

/**
 * A coordinator or admin reopens the validated list, with a recorded reason. Emits `BallotListReopened`
 * through the outbox.
 */
export async function reopenBallotList(
  deps: InstructionDeps,
  input: { reason: string; staff: Staff },
): Promise<BallotList> {
  const list = await readBallotList(deps);
  const validation = list.record.validation;
  if (list.record.state !== 'validated' || !validation)
    throw conflict('ballot_list_not_validated', 'La liste des projets n’est pas validée : rien à rouvrir.');
  const at = deps.now().toISOString();
  const reopeningId = deps.newId();
  const next: BallotListRecord = {
    ...list.record,
    state: 'open',
    lastReopening: {
      reopeningId,
      validationId: validation.validationId,
      reason: input.reason,
      at,
      by: actorOf(input.staff),
    },
  };
  const reopened = instructionEvent(
    'BallotListReopened',
    {
      edition: deps.edition,
      reopeningId,
      validationId: validation.validationId,
      reason: input.reason,
      reopenedAt: at,
      actor: eventActor(input.staff),
    },
    { eventId: reopeningId, at },
  );
  const saved = await deps.repository.saveBallotList(
    next,
    { listVersion: list.record.listVersion, state: 'validated' },
    {
      id: reopeningId,
      at,
      action: 'reopen',
      detail: { reason: input.reason, validationId: validation.validationId, by: actorOf(input.staff) },
    },
    [reopened],
  );
  if (!saved)
    throw conflict('ballot_list_changed', 'La liste a changé entre-temps : rechargez-la puis recommencez.');
  await publishInstructionEvents(deps, [reopened]);
  return { ...list, record: next };
}
