import { randomInt } from 'node:crypto';
import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import { serviceUnavailable } from '../../shared/errors/domain-error.ts';
import type { EventPublisher } from '../../shared/events/event-publisher.ts';
import type { CitizenProfile } from '../../shared/http/schemas.ts';
import { toInstant, toLocal } from '../../shared/time/zoned.ts';
import { createIdentity } from './create-identity.ts';
import { checkEligibility } from './eligibility.ts';
import type { Identity, IdentityRepository, VotingCode } from './identity-repository.ts';
import type { KeyedHash } from './keyed-hash.ts';
import { republish } from './open-session.ts';

/** No 0/O, 1/I: read aloud or copied from paper without doubt. 32 symbols, 12 of them = 60 bits. */
export const VOTING_CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/** `K7QM-4XTR-9BHE`: three groups of four, from the unambiguous alphabet, uniformly random. */
export function newVotingCode(random: (max: number) => number = randomInt): string {
  const chars = Array.from({ length: 12 }, () => VOTING_CODE_ALPHABET[random(VOTING_CODE_ALPHABET.length)]);
  return [0, 4, 8].map((start) => chars.slice(start, start + 4).join('')).join('-');
}

export interface RegisterInPersonDeps {
  edition: string;
  identities: IdentityRepository;
  events: EventPublisher;
  hash: KeyedHash;
  now: () => Date;
  newId: () => string;
  newVotingCode: () => string;
}

export interface InPersonRegistration {
  citizen: {
    id: string;
    territory: string;
    commune: string;
    communeName: string;
    status: Identity['status'];
    channel: 'in-person';
  };
  /** Shown once, to print: only its hash is stored. */
  votingCode: { code: string; expiresAt: string };
  registeredAt: string;
  registeredBy: string;
}

/**
 * A coordinator registers a person on site, without email: the online eligibility and duplicate rules
 * apply (a probable second identity is `held` with a review). The identity is marked `in-person` so that
 * it votes only on paper or at a kiosk, with a one-time voting code valid until the vote closes; who
 * registered and when stay on the identity. Emits `CitizenVerified` (and `DuplicateSuspected`).
 */
export async function registerInPerson(
  deps: RegisterInPersonDeps,
  config: EditionConfig,
  input: { profile: CitizenProfile; staffSub: string },
): Promise<InPersonRegistration> {
  const now = deps.now();
  // Not refused after the close: the registration stands (it may also serve ideas), the code is just spent.
  const voteClose = toInstant(config.calendar.voteClose, config.timeZone);
  const eligible = checkEligibility(config, input.profile, toLocal(now, config.timeZone).slice(0, 10));
  const personKeys = deps.hash.personKeys(input.profile);
  const code = deps.newVotingCode();
  const citizenId = deps.newId();
  const votingCode: VotingCode = {
    codeHash: deps.hash.votingCodeHash(code),
    citizenId,
    issuedAt: now.toISOString(),
    expiresAtMs: voteClose.getTime(),
  };
  const created = await createIdentity(
    deps,
    {
      citizenId,
      email: '',
      firstName: input.profile.firstName,
      lastName: input.profile.lastName,
      birthDate: input.profile.birthDate,
      commune: eligible.commune,
      territory: eligible.territory,
      workOrStudy: input.profile.workOrStudy,
      fingerprint: personKeys[0] ?? '',
      matchKeys: personKeys,
      channel: 'in-person',
      createdAt: now.toISOString(),
      registeredBy: input.staffSub,
      published: false,
    },
    votingCode,
  );
  if (created === 'email-taken') {
    // No email here: only a colliding random id or code could refuse it; nothing was written.
    throw serviceUnavailable('registration_retry', 'Inscription non enregistrée : réessayez.');
  }
  const identity = created.created;
  await republish(deps, identity);
  return {
    citizen: {
      id: citizenId,
      territory: eligible.territory,
      commune: eligible.commune,
      communeName: eligible.communeName,
      status: identity.status,
      channel: 'in-person',
    },
    votingCode: { code, expiresAt: voteClose.toISOString() },
    registeredAt: identity.createdAt,
    registeredBy: input.staffSub,
  };
}
