import { serviceUnavailable } from '../../shared/errors/domain-error.ts';
import type { Identity, IdentityRepository, Review, VotingCode } from './identity-repository.ts';

/** Another registration joined one of our same-person keys between our read and our write: read again. */
const MAX_MATCH_RACES = 5;

/**
 * Creates an identity `verified`, or `held` with an open review when another identity not rejected shares
 * one of its same-person keys (`matchKeys`: name variants with the birth date, the mailbox). The write
 * requires every key unchanged since it was read, so two registrations of one person racing each other
 * cannot both come out `verified`: the second one reads again and is held.
 */
export async function createIdentity(
  deps: { identities: IdentityRepository; newId: () => string },
  draft: Omit<Identity, 'status' | 'reviewId'> & { matchKeys: string[] },
  votingCode?: VotingCode,
): Promise<{ created: Identity } | 'email-taken'> {
  for (let race = 0; race < MAX_MATCH_RACES; race++) {
    const { citizenIds, seen } = await deps.identities.findMatches(draft.matchKeys);
    const others = await Promise.all(
      citizenIds.filter((id) => id !== draft.citizenId).map((id) => deps.identities.get(id)),
    );
    const twins = others.filter(
      (other): other is Identity => other !== undefined && other.status !== 'rejected',
    );
    const review: Review | undefined = twins.length
      ? {
          reviewId: deps.newId(),
          status: 'open',
          heldCitizenId: draft.citizenId,
          otherCitizenIds: twins.map((twin) => twin.citizenId),
          // The held identity's territory; the others' may differ (a person may declare another commune):
          // the review shows each identity's own territory to the coordinator.
          territory: draft.territory,
          createdAt: draft.createdAt,
        }
      : undefined;
    const identity: Identity = {
      ...draft,
      status: review ? 'held' : 'verified',
      ...(review ? { reviewId: review.reviewId } : {}),
    };
    const created = await deps.identities.create(identity, review, {
      seen,
      ...(votingCode ? { votingCode } : {}),
    });
    if (created === 'email-taken') return created;
    if (created === 'created') return { created: identity };
  }
  throw serviceUnavailable(
    'identity_pending',
    'Trop d’inscriptions simultanées : réessayez dans un instant.',
  );
}
