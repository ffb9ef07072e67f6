import { conflict } from '../../shared/errors/domain-error.ts';
import { type ComputeResultsDeps, countStoredBallots, publishComputed } from './compute-results.ts';
import type { StoredResults } from './results-repository.ts';

export const voteAnnulled = () =>
  conflict('vote_annulled', 'Le vote a été annulé : ses résultats ne se recomptent ni ne se publient plus.');

/**
 * An admin recounts the closed vote, with a reason: recomputes every envelope from the stored ballots and
 * the frozen snapshot, and replaces the results record (published or not) with a new version, the replaced
 * one archived and the recount audited, in one transaction; a publication stands (the public then sees the
 * recount). Refused before the close, and once the vote is annulled. Emits `ResultsComputed`. The only way
 * to count again after the close: the phase never goes back to the vote.
 */
export async function recountResults(
  deps: ComputeResultsDeps,
  request: { reason: string; actor: { sub: string; role: string; name?: string | undefined } },
): Promise<StoredResults> {
  const phase = await deps.results.getPhase();
  if (phase !== 'counting' && phase !== 'results')
    throw conflict('vote_not_closed', 'Un recomptage n’est possible qu’une fois le vote clos.');
  const frozen = await deps.results.getSnapshot();
  if (!frozen) throw conflict('no_vote', 'Aucun vote n’a eu lieu : il n’y a rien à recompter.');
  const previous = await deps.results.getResults();
  if (previous?.annulment) throw voteAnnulled();
  const counted = await countStoredBallots(deps, frozen);
  const at = deps.now().toISOString();
  const next: StoredResults = {
    resultsId: counted.resultsId,
    changeId: previous?.changeId ?? 'recount',
    computedAt: at,
    snapshotHash: counted.snapshotHash,
    results: counted.results,
    eventPending: true,
    version: (previous?.version ?? 0) + 1,
    ...(previous?.publishedAt
      ? {
          publishedAt: previous.publishedAt,
          publishedBy: previous.publishedBy,
          publishReason: previous.publishReason,
          publishEventPending: previous.publishEventPending ?? false,
        }
      : {}),
    recount: {
      at,
      by: request.actor.sub,
      reason: request.reason,
      previousResultsId: previous?.resultsId ?? '',
      previousVersion: previous?.version ?? 0,
    },
  };
  await deps.results.replaceResults(next, previous, {
    auditId: deps.newId(),
    action: 'recounted',
    at,
    actor: request.actor.sub,
    actorRole: request.actor.role,
    ...(request.actor.name ? { actorName: request.actor.name } : {}),
    reason: request.reason,
    // `changed:`/`unchanged:` first: the staff view tells whether the recount changed the results.
    detail: `${next.resultsId === previous?.resultsId ? 'unchanged' : 'changed'}:${previous ? `${previous.resultsId} (version ${previous.version})` : 'aucun'} → ${next.resultsId} (version ${next.version})`,
  });
  deps.logger.info('results recounted', {
    resultsId: next.resultsId,
    version: next.version,
    changed: next.resultsId !== previous?.resultsId,
  });
  await publishComputed(deps, next);
  return next;
}
