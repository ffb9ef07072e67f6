import {
  COMMITTEE_OPINION_LABELS,
  type CommitteeOpinionBody,
} from '../../shared/http/instruction-schemas.ts';
import type { CommitteeOpinion } from './dossier.ts';
import { actorOf, type InstructionDeps, ideaNotFound, requirePhase, type Staff } from './instruction-deps.ts';

/**
 * A member of the Comité citoyen records an opinion (avis) on an idea: one per member and idea, the latest
 * wins; every version stays in the dossier's timeline (audit). No event: nothing is emailed.
 */
export async function recordCommitteeOpinion(
  deps: InstructionDeps,
  input: { ideaId: string; body: CommitteeOpinionBody; staff: Staff },
): Promise<CommitteeOpinion> {
  await requirePhase(deps, ['instruction', 'ballot-preparation'], 'L’avis du Comité citoyen');
  const idea = await deps.repository.getIdea(input.ideaId);
  if (!idea || (idea.status !== 'published' && idea.status !== 'merged')) throw ideaNotFound(input.ideaId);
  const at = deps.now().toISOString();
  const opinion: CommitteeOpinion = {
    ideaId: input.ideaId,
    opinion: input.body.opinion,
    text: input.body.text,
    at,
    by: actorOf(input.staff),
  };
  await deps.repository.putCommitteeOpinion(opinion, {
    id: deps.newId(),
    ideaId: input.ideaId,
    kind: 'committee-opinion',
    at,
    by: actorOf(input.staff),
    summary: `Avis d’un membre du Comité citoyen : ${COMMITTEE_OPINION_LABELS[input.body.opinion]} — ${input.body.text}`,
  });
  return opinion;
}
