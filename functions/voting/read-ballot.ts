import { DomainError } from '../../shared/errors/domain-error.ts';
import { type VoteSnapshot, voterEnvelopes } from '../../shared/voting/frozen-snapshot.ts';
import { shuffleFor } from './shuffle.ts';
import { voteNotOpen } from './vote-refusals.ts';

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
