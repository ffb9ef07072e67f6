import { notFound } from '../../shared/errors/domain-error.ts';
import type { Identity, IdentityRepository, Review } from './identity-repository.ts';

export interface ReviewView extends Review {
  /** The held identity first, then the ones it resembles: what a coordinator needs to judge. */
  identities: Pick<
    Identity,
    | 'citizenId'
    | 'firstName'
    | 'lastName'
    | 'birthDate'
    | 'commune'
    | 'territory'
    | 'status'
    | 'createdAt'
    | 'channel'
  >[];
}

/** The duplicate-review queue, oldest first, with the identities of each review. */
export async function listReviews(
  deps: { identities: IdentityRepository },
  status: Review['status'],
): Promise<ReviewView[]> {
  const reviews = await deps.identities.listReviews(status);
  return Promise.all(reviews.map((review) => withIdentities(deps, review)));
}

async function withIdentities(deps: { identities: IdentityRepository }, review: Review): Promise<ReviewView> {
  const identities = await Promise.all(
    [review.heldCitizenId, ...review.otherCitizenIds].map((id) => deps.identities.get(id)),
  );
  return {
    ...review,
    identities: identities
      .filter((identity): identity is Identity => identity !== undefined)
      .map(
        ({ citizenId, firstName, lastName, birthDate, commune, territory, status, createdAt, channel }) => ({
          citizenId,
          firstName,
          lastName,
          birthDate,
          commune,
          territory,
          status,
          createdAt,
          channel,
        }),
      ),
  };
}

/**
 * A coordinator clears a held identity (it becomes `verified` and may vote) or rejects it, with a reason;
 * the decision (who, when, why) stays on the review and on the identity. Never merges anything.
 */
export async function decideReview(
  deps: { identities: IdentityRepository; now: () => Date },
  input: { reviewId: string; outcome: 'clear' | 'reject'; reason: string; staffSub: string },
): Promise<ReviewView> {
  const review = await deps.identities.getReview(input.reviewId);
  if (!review) throw notFound('review_not_found', 'Cet examen de doublon n’existe pas.');
  const decision = {
    outcome: input.outcome,
    by: input.staffSub,
    at: deps.now().toISOString(),
    reason: input.reason,
  };
  await deps.identities.decide(review, decision, input.outcome === 'clear' ? 'verified' : 'rejected');
  const decided = await deps.identities.getReview(input.reviewId);
  return withIdentities(deps, decided ?? review);
}
