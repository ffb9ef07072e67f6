import { conflict } from '../../shared/errors/domain-error.ts';
import { ResultsPublished } from '../../shared/events/catalogue.ts';
import type { EventPublisher } from '../../shared/events/event-publisher.ts';
import { voteAnnulled } from './recount-results.ts';
import type { ResultsRepository, StoredResults } from './results-repository.ts';

export interface PublishResultsDeps {
  edition: string;
  results: ResultsRepository;
  events: EventPublisher;
  now: () => Date;
  newId: () => string;
}

/**
 * An admin publishes the computed results, once, with a reason (audited), while the vote is closed and not annulled; emits
 * `ResultsPublished` (the editions function moves the phase to `results`). A retry answers the same
 * publication and republishes the event only if it did not make it to the bus.
 */
export async function publishResults(
  deps: PublishResultsDeps,
  request: { reason: string; actor: { sub: string; role: string; name?: string | undefined } },
): Promise<StoredResults> {
  const current = await deps.results.getResults();
  if (!current) throw conflict('results_not_computed', 'Aucun résultat n’a encore été calculé.');
  if (current.annulment) throw voteAnnulled();
  if (!current.publishedAt) {
    const phase = await deps.results.getPhase();
    if (phase !== 'counting' && phase !== 'results')
      throw conflict(
        'vote_not_closed',
        'Les résultats ne se publient qu’une fois le vote clos (dépouillement).',
      );
    const at = deps.now().toISOString();
    await deps.results.markPublished(
      current.resultsId,
      { at, by: request.actor.sub, reason: request.reason },
      {
        auditId: deps.newId(),
        action: 'published',
        at,
        actor: request.actor.sub,
        actorRole: request.actor.role,
        ...(request.actor.name ? { actorName: request.actor.name } : {}),
        reason: request.reason,
        detail: current.resultsId,
      },
    );
  }
  const published = await deps.results.getResults();
  if (!published?.publishedAt) throw conflict('results_changed', 'Les résultats ont changé entre-temps.');
  if (published.publishEventPending) {
    await deps.events.publish(ResultsPublished, {
      edition: deps.edition,
      resultsId: published.resultsId,
      publishedAt: published.publishedAt,
      reason: published.publishReason ?? request.reason,
      actor: { kind: 'staff', sub: published.publishedBy ?? request.actor.sub, role: 'admin' },
    });
    await deps.results.clearEventPending(published.resultsId, 'publishEventPending');
  }
  return published;
}
