import { conflict } from '../../shared/errors/domain-error.ts';
import { type ComputeOutcome, type ComputeResultsDeps, computeResults } from './compute-results.ts';
import type { StoredResults } from './results-repository.ts';

/**
 * An admin recounts the closed vote from the stored ballots, with a reason (audited as `recounted`, whether
 * the results changed or not), before the results are published: published results are never recounted
 * (refused, audited). Emits `ResultsComputed` when the recount gives new results.
 */
export async function recountResults(
  deps: ComputeResultsDeps,
  request: { reason: string; actor: { sub: string; role: string; name?: string | undefined } },
): Promise<{ outcome: ComputeOutcome; stored: StoredResults }> {
  const current = await deps.results.getResults();
  const recount = {
    actor: request.actor.sub,
    actorRole: request.actor.role,
    actorName: request.actor.name,
    reason: request.reason,
  };
  if (current?.publishedAt) {
    await deps.results.audit({
      auditId: deps.newId(),
      action: 'recount-refused',
      at: deps.now().toISOString(),
      actor: recount.actor,
      actorRole: recount.actorRole,
      ...(recount.actorName ? { actorName: recount.actorName } : {}),
      reason: recount.reason,
      detail: current.resultsId,
    });
    throw conflict(
      'results_already_published',
      'Les résultats sont publiés : ils ne se recomptent plus. Le recomptage reste possible avec les fichiers de données ouvertes.',
    );
  }
  const phase = await deps.results.getPhase();
  if (phase !== 'counting' && phase !== 'results')
    throw conflict(
      'vote_not_closed',
      'Le recomptage n’est possible qu’une fois le vote clos (dépouillement).',
    );
  const outcome = await computeResults(deps, {
    changeId: current?.changeId ?? `recount-${deps.newId()}`,
    recount,
  });
  if (outcome === 'no-vote') throw conflict('no_vote', 'Aucun vote n’a eu lieu dans cette édition.');
  if (outcome === 'published-already')
    throw conflict('results_already_published', 'Les résultats ont été publiés entre-temps.');
  const stored = await deps.results.getResults();
  if (!stored) throw conflict('results_changed', 'Les résultats ont changé entre-temps.');
  return { outcome, stored };
}
