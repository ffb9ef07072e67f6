import { randomInt } from 'node:crypto';
import type { EnvelopeChoices } from '../../shared/http/voting-schemas.ts';
import type { Logger } from '../../shared/logging/logger.ts';
import { type VoteSnapshot, voterEnvelopes } from '../../shared/voting/frozen-snapshot.ts';
import { validateBallot } from './ballot-rules.ts';
import { type EmailReceiptDeps, emailReceipt, type ReceiptEmailOutcome } from './email-receipt.ts';
import { newReceiptCode, sealReceipt, unsealReceipt } from './receipt-seal.ts';
import { alreadyVoted, identityRefused, voteClosed, voteNotOpen, votePaused } from './vote-refusals.ts';
import {
  BALLOT_SHARDS,
  type CastRefusal,
  TURNOUT_SHARDS,
  type VotingRepository,
} from './voting-repository.ts';

export interface CastDeps extends Omit<EmailReceiptDeps, 'votes' | 'logger'> {
  edition: string;
  votes: VotingRepository;
  snapshot: (options: { freezeIfVote: boolean }) => Promise<{ snapshot: VoteSnapshot } | undefined>;
  logger: Logger;
  now: () => Date;
  newId: () => string;
}

export interface CastResult {
  receipt: string;
  envelopes: string[];
  /** A retry with the same Idempotency-Key: nothing new was stored. */
  replayed: boolean;
  receiptEmail: ReceiptEmailOutcome;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * The calendar date in the edition's zone (`YYYY-MM-DD`): all a ballot, online or paper, keeps of when it
 * was cast. Built from the parts rather than from a locale's pattern, which ICU data may change.
 */
export function dateIn(timeZone: string, instant: Date): string {
  // Building an Intl.DateTimeFormat costs far more than formatting with one: one per zone, kept.
  let format = dateFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      calendar: 'gregory',
      numberingSystem: 'latn',
    });
    dateFormats.set(timeZone, format);
  }
  let year = '';
  let month = '';
  let day = '';
  for (const { type, value } of format.formatToParts(instant)) {
    if (type === 'year') year = value.padStart(4, '0');
    else if (type === 'month') month = value;
    else if (type === 'day') day = value;
  }
  return `${year}-${month}-${day}`;
}

/**
 * Casts a citizen's online ballot: validated against the frozen rules, then written with its has-voted
 * marker and the turnout counter in ONE transaction that also checks the stored phase, the window (clock,
 * pause, extension) and the identity (verified, same territory, not erased, not an in-person identity).
 * A retry with the same Idempotency-Key returns the same receipt (sealed on the marker under that key);
 * any other second ballot is refused. When asked, emails the receipt once (see `emailReceipt`). Emits
 * nothing (no `BallotCast` yet: its detail would be a timing side channel next to the sign-in logs; turnout
 * is read from the counters).
 */
export async function castBallot(
  deps: CastDeps,
  input: {
    voterId: string;
    territory: string;
    idempotencyKey: string;
    choices: Record<string, EnvelopeChoices>;
    /** The voter ticked "M'envoyer mon code de reçu par courriel". */
    emailReceipt?: boolean;
  },
): Promise<CastResult> {
  const frozen = await deps.snapshot({ freezeIfVote: true });
  if (!frozen) throw voteNotOpen();
  const { snapshot } = frozen;
  const envelopes = voterEnvelopes(snapshot, input.territory);
  const valid = validateBallot(snapshot, envelopes, input.choices);
  const receipt = newReceiptCode();
  const now = deps.now();
  const outcome = await deps.votes.cast({
    voterId: input.voterId,
    territory: input.territory,
    channel: 'online',
    date: dateIn(snapshot.timeZone, now),
    receipt,
    sealedReceipt: sealReceipt(receipt, input.idempotencyKey, input.voterId, deps.edition),
    ballots: [...valid].map(([envelope, choices]) => ({ ballotId: deps.newId(), envelope, choices })),
    ballotShard: randomInt(BALLOT_SHARDS),
    turnoutShard: randomInt(TURNOUT_SHARDS),
    nowMs: now.getTime(),
    refuseInPersonIdentity: true,
  });
  const stored = async (code: string, replayed: boolean): Promise<CastResult> => ({
    receipt: code,
    envelopes: [...valid.keys()],
    replayed,
    receiptEmail: input.emailReceipt
      ? await emailReceipt(deps, { voterId: input.voterId, receipt: code })
      : 'not-requested',
  });
  if (outcome.ok) return stored(receipt, false);
  if (outcome.refusal.kind === 'already-voted' && outcome.refusal.sealedReceipt) {
    const previous = unsealReceipt(
      outcome.refusal.sealedReceipt,
      input.idempotencyKey,
      input.voterId,
      deps.edition,
    );
    if (previous) return stored(previous, true);
  }
  throw refusalError(outcome.refusal, snapshot, now);
}

/** The French problem of a refused cast, from what the transaction found. */
export function refusalError(refusal: CastRefusal, snapshot: VoteSnapshot, now: Date) {
  const zone = snapshot.timeZone;
  switch (refusal.kind) {
    case 'already-voted':
      return alreadyVoted();
    case 'closed':
      return voteClosed();
    case 'phase':
      return refusal.phase === 'counting' || refusal.phase === 'results'
        ? voteClosed(new Date(snapshot.closesAt), zone)
        : voteNotOpen(new Date(snapshot.opensAt), zone);
    case 'window': {
      const window = refusal.window;
      if (!window) return voteNotOpen(new Date(snapshot.opensAt), zone);
      if (window.paused) return votePaused();
      if (now.getTime() < window.opensAtMs) return voteNotOpen(new Date(window.opensAtMs), zone);
      return voteClosed(new Date(window.closesAtMs), zone);
    }
    case 'identity': {
      const identity = refusal.identity;
      if (!identity)
        return identityRefused('identity_unknown', 'Votre inscription est introuvable : reconnectez-vous.');
      if (identity.status === 'held')
        return identityRefused(
          'identity_held',
          'Votre inscription ressemble à une autre déjà enregistrée : l’équipe du budget participatif la vérifie. Vous pourrez voter dès qu’elle l’aura validée.',
        );
      if (identity.status !== 'verified')
        return identityRefused(
          'identity_rejected',
          'Votre inscription n’a pas été retenue : vous ne pouvez pas voter.',
        );
      if (identity.erasedAt)
        return identityRefused(
          'identity_erased',
          'Vos données personnelles ont été effacées à votre demande : vous ne pouvez plus voter en ligne.',
        );
      if (identity.channel === 'in-person')
        return identityRefused(
          'in_person_identity',
          'Votre inscription a été faite sur place : votre vote se fait sur papier, auprès de l’équipe qui vous a inscrit.',
        );
      return identityRefused(
        'territory_changed',
        'Votre territoire a changé depuis votre connexion : reconnectez-vous pour voter.',
      );
    }
    case 'voting-code':
    case 'extra':
      return alreadyVoted();
  }
}
