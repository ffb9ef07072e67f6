import type { CitizenErased } from '../../shared/events/catalogue.ts';
import type { DetailOf } from '../../shared/events/define-event.ts';
import type { FollowUpRepository } from './follow-up-repository.ts';

/**
 * Consumer of `CitizenErased` in the results context: the results-news opt-in and every follow of a
 * winner go. Idempotent (deleting what is gone is a no-op).
 */
export async function eraseCitizenFollowUps(
  deps: { followUp: FollowUpRepository; now: () => Date },
  detail: DetailOf<typeof CitizenErased>,
): Promise<{ follows: number }> {
  await deps.followUp.setResultsNews(detail.citizenId, false, deps.now().toISOString());
  const follows = await deps.followUp.follows(detail.citizenId);
  for (const projectId of follows) await deps.followUp.unfollow(detail.citizenId, projectId);
  return { follows: follows.length };
}
