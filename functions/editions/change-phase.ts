import { PHASES, type Phase, phaseMoveRefusal } from '../../shared/edition/phases.ts';
import { conflict, DomainError, serviceUnavailable } from '../../shared/errors/domain-error.ts';
import { PhaseChanged, VoteOpeningRefused } from '../../shared/events/catalogue.ts';
import type { EventPublisher } from '../../shared/events/event-publisher.ts';
import { type EnvelopeReview, unvotableEnvelopes } from '../../shared/voting/ballot-list-review.ts';
import type { Actor, PhaseChange, PhaseRepository, PhaseState } from './phase-repository.ts';

export interface ChangePhaseDeps {
  phases: PhaseRepository;
  events: EventPublisher;
  /** The ballot list that would be frozen at the opening, reviewed (shared/voting/ballot-list-review.ts). */
  reviewBallotList: () => Promise<EnvelopeReview[]>;
  now: () => Date;
  newId: () => string;
  edition: string;
}

/** 409 of an admin's move to `vote` on a list nobody could vote on: one field error per envelope. */
export const ballotListUnvotable = (reviews: readonly EnvelopeReview[]) =>
  new DomainError({
    code: 'ballot_list_unvotable',
    status: 409,
    title: 'Le vote ne peut pas ouvrir sur cette liste',
    detail:
      'Dans au moins une enveloppe, personne ne pourrait voter : complétez la liste des projets (ou corrigez les règles du bulletin) avant d’ouvrir le vote.',
    errors: unvotableEnvelopes(reviews),
  });

/**
 * Moves the edition to `to` and emits `PhaseChanged` exactly once per change: the change is stored
 * unpublished first, and any call finds and republishes a change whose event did not make it.
 * Schedules never move the phase backwards (`forwardOnly`); an admin may, with a reason. With
 * `unlessVoteExtended`, a move out of `vote` is declined (state unchanged) while the vote window runs past
 * now: an admin extended it, and voting asks for the close (`VoteWindowEnded`) when the extension ends.
 * Once the vote has closed, the phase goes forward only (`phaseMoveRefusal`, checked again in the
 * transaction against the "vote closed" marker): 409 `vote_closed_for_good`. The vote never opens on a list
 * with an unvotable envelope: an admin gets 409 `ballot_list_unvotable` (field per envelope); a schedule
 * leaves the phase as it is and emits `VoteOpeningRefused` (coordinators are told).
 */
export async function changePhase(
  deps: ChangePhaseDeps,
  request: { to: Phase; reason?: string; actor: Actor; forwardOnly: boolean; unlessVoteExtended?: boolean },
): Promise<PhaseState> {
  await publishPending(deps);
  const state = (await deps.phases.getState()) ?? {
    current: 'setup' as Phase,
    since: new Date(0).toISOString(),
    version: 0,
  };
  if (state.current === request.to) return state;
  if (request.forwardOnly && PHASES.indexOf(request.to) < PHASES.indexOf(state.current)) return state;
  const refusal = phaseMoveRefusal(state.current, request.to, await deps.phases.isVoteClosed());
  if (refusal) throw conflict('vote_closed_for_good', refusal);
  if (request.to === 'vote') {
    const reviews = await deps.reviewBallotList();
    if (unvotableEnvelopes(reviews).length > 0) {
      if (request.actor.kind === 'staff') throw ballotListUnvotable(reviews);
      await deps.events.publish(VoteOpeningRefused, {
        edition: deps.edition,
        refusalId: `vote-opening-refused-${state.version}`,
        phase: state.current,
        refusedAt: deps.now().toISOString(),
        envelopes: reviews.flatMap((review) =>
          review.problem ? [{ id: review.id, problem: review.problem.message }] : [],
        ),
      });
      return state;
    }
  }
  const change: PhaseChange = {
    changeId: deps.newId(),
    from: state.current,
    to: request.to,
    at: deps.now().toISOString(),
    actor: request.actor,
    published: false,
    ...(request.reason ? { reason: request.reason } : {}),
  };
  // Any scheduled move out of the vote (to `counting`, or a later phase whose schedule comes first).
  const guarded =
    request.unlessVoteExtended &&
    state.current === 'vote' &&
    PHASES.indexOf(request.to) > PHASES.indexOf('vote');
  const next = await deps.phases.recordChange(
    state.version,
    change,
    guarded ? { voteEndedBy: deps.now().getTime() } : undefined,
  );
  if (next === 'vote-extended') return state;
  await publish(deps, change);
  return next;
}

async function publishPending(deps: ChangePhaseDeps) {
  const [latest] = await deps.phases.history(1);
  if (latest && !latest.published) await publish(deps, latest);
}

async function publish(deps: ChangePhaseDeps, change: PhaseChange) {
  try {
    await deps.events.publish(PhaseChanged, {
      edition: deps.edition,
      changeId: change.changeId,
      from: change.from,
      to: change.to,
      changedAt: change.at,
      actor: change.actor,
      ...(change.reason ? { reason: change.reason } : {}),
    });
  } catch {
    // The change is stored; the next call (a retry of this one, or any other) publishes it.
    throw serviceUnavailable(
      'event_publish_pending',
      'La phase est enregistrée ; sa diffusion reprendra dans un instant. Réessayez.',
    );
  }
  await deps.phases.markPublished(change);
}
