import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import { DECISION_OUTCOME_LABELS, type VerdictBody } from '../../shared/http/instruction-schemas.ts';
import { envelopesOf } from '../../shared/voting/projects.ts';
import {
  projectIdOf,
  type RetainedProject,
  reasonLabel,
  type Verdict,
  verdictChangesList,
} from './dossier.ts';
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
import { instructionEvent, publishInstructionEvents } from './instruction-outbox.ts';

/** Checks the project of a `retained` verdict against the edition: cost bounds, envelope, theme, territory. */
export function checkProjectDraft(
  config: EditionConfig,
  project: Extract<VerdictBody, { outcome: 'retained' }>['project'],
) {
  if (project.cost < config.ideaCost.min || project.cost > config.ideaCost.max)
    throw invalidField(
      'body.project.cost',
      `Le coût doit être compris entre ${config.ideaCost.min.toLocaleString('fr-FR')} € et ${config.ideaCost.max.toLocaleString('fr-FR')} €`,
    );
  if (!envelopesOf(config).some((envelope) => envelope.id === project.envelope))
    throw invalidField('body.project.envelope', `Enveloppe inconnue : ${project.envelope}`);
  if (!config.themes.some((theme) => theme.id === project.theme))
    throw invalidField('body.project.theme', `Thème inconnu : ${project.theme}`);
  if (project.territory && !config.territories.some((territory) => territory.id === project.territory))
    throw invalidField('body.project.territory', `Territoire inconnu : ${project.territory}`);
}

/**
 * The coordinator's consolidated verdict on a dossier (instruction or ballot preparation): `retained`
 * creates or replaces the idea's project on the ballot list; another verdict removes a project a previous
 * `retained` created. While the list is validated, a verdict that would change it is refused (409) until a
 * reasoned reopening. Emits `DecisionRecorded` (scope `verdict`), which the authors are told of, through the
 * outbox (written with the verdict).
 */
export async function recordVerdict(
  deps: InstructionDeps,
  config: EditionConfig,
  input: { ideaId: string; body: VerdictBody; staff: Staff },
): Promise<{ verdict: Verdict; project?: RetainedProject }> {
  const { body, staff, ideaId } = input;
  await requirePhase(deps, ['instruction', 'ballot-preparation'], 'Le verdict sur une idée');
  const reasons = editionReasons(config);
  requireReason(reasons, body.reasonCode);
  const idea = await deps.repository.getIdea(ideaId);
  if (!idea || (idea.status !== 'published' && idea.status !== 'merged')) throw ideaNotFound(ideaId);
  if (body.outcome === 'retained') checkProjectDraft(config, body.project);
  if (body.outcome === 'merged') {
    if (body.mergeInto === ideaId)
      throw invalidField('body.mergeInto', 'Une idée ne peut pas être regroupée avec elle-même');
    if (!(await deps.repository.getIdea(body.mergeInto)))
      throw invalidField('body.mergeInto', `Idée inconnue : ${body.mergeInto}`);
  }
  const dossier = await deps.repository.getDossier(ideaId);
  const previous = dossier.state?.verdict;
  const at = deps.now().toISOString();
  const projectId = projectIdOf(ideaId);
  const verdict: Verdict = {
    decisionId: deps.newId(),
    outcome: body.outcome,
    final: true,
    reasonCode: body.reasonCode,
    reasonText: body.reasonText,
    ...(body.outcome === 'retained' ? { projectId } : {}),
    ...(body.outcome === 'merged' ? { mergeInto: body.mergeInto } : {}),
    at,
    by: actorOf(staff),
  };
  const project: RetainedProject | undefined =
    body.outcome === 'retained'
      ? {
          id: projectId,
          title: body.project.title,
          summary: body.project.summary,
          cost: body.project.cost,
          envelope: body.project.envelope,
          theme: body.project.theme,
          ...(body.project.territory ? { territory: body.project.territory } : {}),
          ideaIds: [ideaId],
          decisionId: verdict.decisionId,
          retainedAt: at,
        }
      : undefined;
  const recorded = instructionEvent(
    'DecisionRecorded',
    {
      edition: deps.edition,
      decisionId: verdict.decisionId,
      ideaId,
      scope: 'verdict',
      outcome: body.outcome,
      reasonCode: body.reasonCode,
      reasonText: body.reasonText,
      ...(project ? { projectId: project.id, costEstimate: project.cost } : {}),
      ...(body.outcome === 'merged' ? { mergeInto: body.mergeInto } : {}),
      authorIds: idea.authorIds,
      recordedAt: at,
      actor: eventActor(staff),
    },
    { eventId: verdict.decisionId, at },
  );
  await deps.repository.saveVerdict({
    dossier: { ideaId, verdict, revision: (dossier.state?.revision ?? 0) + 1 },
    expectedRevision: dossier.state?.revision,
    verdict,
    timeline: {
      id: verdict.decisionId,
      ideaId,
      kind: 'verdict',
      at,
      by: actorOf(staff),
      summary: `Verdict de la coordination : ${DECISION_OUTCOME_LABELS[body.outcome]} (${reasonLabel(reasons, body.reasonCode)})${project ? ` — projet « ${project.title} », ${project.cost.toLocaleString('fr-FR')} €` : ''}`,
    },
    ...(project ? { putProject: project } : {}),
    ...(!project && previous?.outcome === 'retained' ? { deleteProjectId: projectId } : {}),
    changesList: verdictChangesList(previous, verdict),
    events: [recorded],
  });
  await publishInstructionEvents(deps, [recorded]);
  return { verdict, ...(project ? { project } : {}) };
}
