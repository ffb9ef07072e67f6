import { randomUUID } from 'node:crypto';
import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import { DomainError, serviceUnavailable } from '../../shared/errors/domain-error.ts';
import { CitizenVerified, DuplicateSuspected } from '../../shared/events/catalogue.ts';
import type { EventPublisher } from '../../shared/events/event-publisher.ts';
import type { CitizenProfile } from '../../shared/http/schemas.ts';
import { toLocal } from '../../shared/time/zoned.ts';
import { createIdentity } from './create-identity.ts';
import { checkEligibility } from './eligibility.ts';
import type { EmailCode, Identity, IdentityRepository } from './identity-repository.ts';
import type { KeyedHash } from './keyed-hash.ts';
import type { RateLimiter } from './rate-limiter.ts';
import type { CodePolicy } from './request-code.ts';
import type { CitizenTokenSigner } from './signing-key.ts';

export interface OpenSessionDeps {
  edition: string;
  identities: IdentityRepository;
  events: EventPublisher;
  hash: KeyedHash;
  signer: CitizenTokenSigner;
  limiter: RateLimiter;
  policy: Pick<CodePolicy, 'maxAttempts' | 'attemptsPerClientPerHour'>;
  now: () => Date;
  /** Random, not derived from the email: the pseudonymous citizen id. */
  newId: () => string;
}

export interface Session {
  token: string;
  expiresAt: string;
  citizen: { id: string; territory: string; status: Identity['status']; created: boolean };
}

const codeProblem = (code: string, status: number, detail: string) =>
  new DomainError({
    code,
    status,
    title: 'Code refusé',
    detail,
    errors: [{ field: 'body.code', message: detail }],
  });

/**
 * Turns a valid one-time code into a citizen session. At the first sign-in the profile must meet the
 * edition's rules; the identity is created with its email claim (one per email), and if one of its
 * same-person keys matches another identity it is `held` with a review for coordinators (`createIdentity`).
 * Codes typed are limited per client address; each code allows `maxAttempts` tries, exactly. Emits `CitizenVerified` (and
 * `DuplicateSuspected`), republished at the next sign-in if a crash lost them.
 */
export async function openSession(
  deps: OpenSessionDeps,
  config: EditionConfig,
  input: {
    email: string;
    code: string;
    profile?: CitizenProfile | undefined;
    clientAddress: string;
    /**
     * The request's `Idempotency-Key`: a retry with the same key may use the code again (see
     * `IdentityRepository.consumeCode`). Without one the code is good for one request only.
     */
    requestKey?: string | undefined;
  },
): Promise<Session> {
  const now = deps.now();
  const byClient = await deps.limiter.hit(
    {
      bucket: `session#${deps.hash.clientKey(input.clientAddress)}`,
      limit: deps.policy.attemptsPerClientPerHour,
      windowSeconds: 3600,
    },
    now,
  );
  if (!byClient.allowed) {
    throw new DomainError({
      code: 'rate_limited_client',
      status: 429,
      title: 'Trop de tentatives',
      detail: 'Trop de codes ont été essayés depuis votre connexion. Réessayez plus tard.',
      retryAfter: byClient.retryAfter,
    });
  }
  const emailKey = deps.hash.emailKey(input.email);
  // Eligibility first, whoever asks: a person can fix their profile and retry with the same code, and the
  // answer tells nothing about whether the email is registered.
  const today = toLocal(now, config.timeZone).slice(0, 10);
  const eligible = input.profile ? checkEligibility(config, input.profile, today) : undefined;
  const stored = await verifyCode(deps, emailKey, input.email, input.code, now);
  const existing = await deps.identities.findByEmail(emailKey);
  if (!existing && !input.profile) {
    // Told only to the owner of the email (the code is right), and the code stays usable: the attempt is
    // given back (only someone who knows the code gets it back).
    await deps.identities.releaseAttempt(emailKey, stored.issuedAt);
    throw new DomainError({
      code: 'profile_required',
      status: 422,
      title: 'Profil requis',
      detail: 'Première connexion : indiquez vos nom, prénom, date de naissance et commune.',
      errors: [{ field: 'body.profile', message: 'Champ obligatoire à la première connexion' }],
    });
  }
  if (!(await deps.identities.consumeCode(emailKey, stored.issuedAt, input.requestKey ?? randomUUID()))) {
    throw codeProblem(
      'code_expired',
      409,
      'Ce code vient d’être utilisé ou remplacé : demandez-en un nouveau.',
    );
  }

  if (existing) return session(deps, await republish(deps, existing), false, now);
  if (!input.profile || !eligible) throw new Error('unreachable: profile checked above');

  const profile = input.profile;
  const personKeys = deps.hash.personKeys(profile);
  const created = await createIdentity(deps, {
    citizenId: deps.newId(),
    emailKey,
    email: input.email.trim().toLowerCase(),
    firstName: profile.firstName,
    lastName: profile.lastName,
    birthDate: profile.birthDate,
    commune: eligible.commune,
    territory: eligible.territory,
    workOrStudy: profile.workOrStudy,
    fingerprint: personKeys[0] ?? '',
    // The mailbox too: `name+1@` and `name+2@` are one person's, whatever names they declare.
    matchKeys: [...personKeys, deps.hash.mailboxKey(input.email)],
    channel: 'email',
    createdAt: now.toISOString(),
    published: false,
  });
  if (created === 'email-taken') {
    // Two first sign-ins of one email raced: the other one made the identity.
    const winner = await deps.identities.findByEmail(emailKey);
    if (!winner) throw serviceUnavailable('identity_pending', 'Réessayez dans un instant.');
    return session(deps, winner, false, now);
  }
  return session(deps, await republish(deps, created.created), true, now);
}

/**
 * The stored code if `code` matches it. An attempt is taken atomically before the comparison (`takeAttempt`),
 * so however many guesses arrive together, at most `maxAttempts` are ever compared; the last one burns it.
 */
async function verifyCode(
  deps: OpenSessionDeps,
  emailKey: string,
  email: string,
  code: string,
  now: Date,
): Promise<EmailCode> {
  const expired = () =>
    codeProblem('code_expired', 409, 'Ce code a expiré ou n’existe pas : demandez-en un nouveau.');
  const burned = () =>
    codeProblem('code_burned', 409, 'Trop d’essais : ce code n’est plus valable. Demandez-en un nouveau.');
  const stored = await deps.identities.getCode(emailKey);
  if (!stored || stored.expiresAtMs <= now.getTime()) throw expired();
  const attempt = await deps.identities.takeAttempt(emailKey, stored.issuedAt, deps.policy.maxAttempts);
  if (attempt === 'gone') throw expired();
  if (attempt === 'burned') throw burned();
  if (!deps.hash.same(deps.hash.codeHash(email, code), stored.codeHash)) {
    const left = deps.policy.maxAttempts - attempt;
    if (left <= 0) throw burned();
    throw codeProblem(
      'code_incorrect',
      400,
      `Code incorrect. Il vous reste ${left} essai${left > 1 ? 's' : ''}.`,
    );
  }
  return stored;
}

/** Publishes the identity's events if they are not on the bus yet (first time, or after a crash). */
export async function republish(
  deps: Pick<OpenSessionDeps, 'edition' | 'events' | 'identities'>,
  identity: Identity,
): Promise<Identity> {
  if (identity.published || identity.status === 'rejected') return identity;
  try {
    await deps.events.publish(CitizenVerified, {
      edition: deps.edition,
      citizenId: identity.citizenId,
      territory: identity.territory,
      status: identity.status === 'held' ? 'held' : 'verified',
      channel: identity.channel,
      verifiedAt: identity.createdAt,
    });
    if (identity.reviewId) {
      const review = await deps.identities.getReview(identity.reviewId);
      if (review) {
        await deps.events.publish(DuplicateSuspected, {
          edition: deps.edition,
          reviewId: review.reviewId,
          heldCitizenId: review.heldCitizenId,
          otherCitizenIds: review.otherCitizenIds,
          territory: review.territory,
          suspectedAt: review.createdAt,
        });
      }
    }
  } catch {
    // Identity stored: the next sign-in republishes. The person can still sign in now.
    return identity;
  }
  await deps.identities.markPublished(identity.citizenId);
  return { ...identity, published: true };
}

async function session(
  deps: OpenSessionDeps,
  identity: Identity,
  created: boolean,
  now: Date,
): Promise<Session> {
  if (identity.status === 'rejected') {
    throw new DomainError({
      code: 'identity_rejected',
      status: 403,
      title: 'Identité refusée',
      detail:
        'Cette identité a été écartée comme doublon d’une autre par l’équipe de coordination. Contactez le service Participation citoyenne si c’est une erreur.',
    });
  }
  const { token, expiresAt } = await deps.signer.sign(
    {
      citizenId: identity.citizenId,
      territory: identity.territory,
      status: identity.status,
      channel: identity.channel,
    },
    now,
  );
  return {
    token,
    expiresAt: expiresAt.toISOString(),
    citizen: { id: identity.citizenId, territory: identity.territory, status: identity.status, created },
  };
}
