import type { Phase } from '../../shared/edition/phases.ts';
import { DomainError } from '../../shared/errors/domain-error.ts';
import { type VoteSnapshot, voterEnvelopes } from '../../shared/voting/frozen-snapshot.ts';
import { shuffleFor } from './shuffle.ts';
import { voteNotOpen } from './vote-refusals.ts';
import type { VoteWindow } from './voting-repository.ts';

/** Where this voter stands, so that the page says it before any choice is made. */
export type VoterStatus = 'open' | 'not-open' | 'paused' | 'closed' | 'voted';

export interface VoterState {
  status: VoterStatus;
  /** ISO instants of the window in force (an extension moves `closesAt`). */
  opensAt: string;
  closesAt: string;
}

/**
 * The same checks, in the same order, as the cast transaction (voting-repository.ts): a ballot the page
 * offers as `open` is one the API accepts, barring a change in between (which the cast then explains).
 */
export function voterState(input: {
  snapshot: Pick<VoteSnapshot, 'opensAt' | 'closesAt'>;
  phase: Phase | undefined;
  window: VoteWindow | undefined;
  voted: boolean;
  now: Date;
}): VoterState {
  const { snapshot, phase, window, voted, now } = input;
  const opensAt = window ? new Date(window.opensAtMs).toISOString() : snapshot.opensAt;
  const closesAt = window ? new Date(window.closesAtMs).toISOString() : snapshot.closesAt;
  const at = (status: VoterStatus): VoterState => ({ status, opensAt, closesAt });
  if (voted) return at('voted');
  if (phase === 'counting' || phase === 'results') return at('closed');
  if (phase !== 'vote' || !window) return at('not-open');
  if (window.paused) return at('paused');
  if (now.getTime() < window.opensAtMs) return at('not-open');
  if (now.getTime() >= window.closesAtMs) return at('closed');
  return at('open');
}

/**
 * The ballot a voter fills: their envelopes (their territory, then the Département-wide one), each with
 * its projects in an order shuffled for this voter (reproducible), and the frozen rules.
 */
export function readBallot(
  snapshot: VoteSnapshot | undefined,
  voter: { id: string; territory: string | undefined },
  edition: string,
) {
  if (!snapshot) throw voteNotOpen();
  const envelopes = voterEnvelopes(snapshot, voter.territory ?? '');
  if (!voter.territory || envelopes.length === 0) {
    throw new DomainError({
      code: 'territory_unknown',
      status: 403,
      title: 'Vote impossible',
      detail: 'Votre territoire n’est pas reconnu dans cette édition : reconnectez-vous.',
    });
  }
  return {
    rules: snapshot.rules,
    opensAt: snapshot.opensAt,
    closesAt: snapshot.closesAt,
    envelopes: envelopes.map((envelope) => ({
      id: envelope.id,
      name: envelope.name,
      amount: envelope.amount,
      kind: envelope.id === snapshot.departementWide ? 'departement' : 'territory',
      projects: shuffleFor(
        snapshot.projects.filter((p) => p.envelope === envelope.id),
        voter.id,
        edition,
        envelope.id,
      ).map(({ id, title, summary, cost, theme }) => ({ id, title, summary, cost, theme })),
    })),
    notice: 'Un vote ne peut pas être modifié après confirmation.',
  };
}
