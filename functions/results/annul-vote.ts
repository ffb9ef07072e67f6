import { conflict } from '../../shared/errors/domain-error.ts';
import { VoteAnnulled } from '../../shared/events/catalogue.ts';
import type { PublishResultsDeps } from './publish-results.ts';
import type { StoredResults } from './results-repository.ts';

/**
 * An admin annuls the vote (as the règlement may allow), with a mandatory reason: the results, published or
 * not, are marked annulled (never removed, never reopened), audited in the same transaction, then
 * `VoteAnnulled` is emitted. The phase does not move back; annulled results are neither recounted nor
 * published. A retry whose event did not make it republishes it; any other second annulment is refused.
 */
export async function annulVote(
  deps: PublishResultsDeps,
  request: { reason: string; actor: { sub: string; role: string; name?: string | undefined } },
): Promise<StoredResults> {
  const current = await deps.results.getResults();
  if (!current)
    throw conflict(
      'results_not_computed',
      'Aucun résultat n’a été calculé : il n’y a pas de vote clos à annuler.',
    );
  if (current.annulment && !current.annulEventPending)
    throw conflict('vote_annulled_already', 'Le vote est déjà annulé.');
  if (!current.annulment) {
    const at = deps.now().toISOString();
    const annulmentId = deps.newId();
    const outcome = await deps.results.markAnnulled(
      current.resultsId,
      {
        annulmentId,
        at,
        by: request.actor.sub,
        reason: request.reason,
        wasPublished: Boolean(current.publishedAt),
      },
      {
        auditId: annulmentId,
        action: 'annulled',
        at,
        actor: request.actor.sub,
        actorRole: request.actor.role,
        ...(request.actor.name ? { actorName: request.actor.name } : {}),
        reason: request.reason,
        detail: `${current.resultsId} (version ${current.version}${current.publishedAt ? ', publiés' : ', non publiés'})`,
      },
    );
    if (outcome === 'already')
      throw conflict(
        'results_changed',
        'Les résultats ont changé entre-temps : rechargez-les puis recommencez.',
      );
  }
  const annulled = await deps.results.getResults();
  if (!annulled?.annulment) throw conflict('results_changed', 'Les résultats ont changé entre-temps.');
  if (annulled.annulEventPending) {
    await deps.events.publish(VoteAnnulled, {
      edition: deps.edition,
      annulmentId: annulled.annulment.annulmentId,
      resultsId: annulled.resultsId,
      wasPublished: annulled.annulment.wasPublished,
      reason: annulled.annulment.reason,
      annulledAt: annulled.annulment.at,
      actor: { kind: 'staff', sub: annulled.annulment.by, role: request.actor.role },
    });
    await deps.results.clearEventPending(annulled.resultsId, 'annulEventPending');
  }
  return { ...annulled, annulEventPending: false };
}
