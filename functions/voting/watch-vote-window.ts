import { VoteWindowEnded } from '../../shared/events/catalogue.ts';
import type { EventPublisher } from '../../shared/events/event-publisher.ts';
import type { VoteSnapshot } from '../../shared/voting/frozen-snapshot.ts';
import { publishWindowChange } from './change-vote-window.ts';
import type { VotingRepository } from './voting-repository.ts';

export interface WatchWindowDeps {
  edition: string;
  votes: VotingRepository;
  events: EventPublisher;
  snapshot: (options: { freezeIfVote: boolean }) => Promise<{ snapshot: VoteSnapshot } | undefined>;
  now: () => Date;
}

export type WatchOutcome = 'no-window' | 'running' | 'close-requested';

/**
 * The voting function's minute watch (a schedule of the manifest). Publishes a window change whose
 * `VoteWindowChanged` did not make it, and, once a window an admin EXTENDED has ended while the phase is
 * still `vote`, publishes `VoteWindowEnded` so that the editions function moves to `counting` (its own
 * schedule at the configured close declined while the extension ran). Published again at each watch until
 * the phase moves: at-least-once, and idempotent on the editions side.
 */
export async function watchVoteWindow(deps: WatchWindowDeps): Promise<WatchOutcome> {
  const window = await deps.votes.getWindow();
  if (!window) return 'no-window';
  if (window.pending) await publishWindowChange(deps, window.pending);
  const now = deps.now().getTime();
  if (window.closesAtMs > now) return 'running';
  const frozen = await deps.snapshot({ freezeIfVote: false });
  // Not extended: the configured `counting` schedule closes the vote, nothing to ask.
  if (!frozen || window.closesAtMs <= Date.parse(frozen.snapshot.closesAt)) return 'running';
  if ((await deps.votes.getPhase()) !== 'vote') return 'running';
  const closedAt = new Date(window.closesAtMs).toISOString();
  await deps.events.publish(VoteWindowEnded, {
    edition: deps.edition,
    changeId: `vote-window-ended-${window.closesAtMs}`,
    closedAt,
  });
  return 'close-requested';
}
