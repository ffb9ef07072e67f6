import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import type { Mailer } from '../../shared/email/mailer.ts';
import { DomainError, serviceUnavailable } from '../../shared/errors/domain-error.ts';
import type { IdentityRepository } from './identity-repository.ts';
import type { KeyedHash } from './keyed-hash.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { codeEmail } from './templates/code-email.ts';

export interface CodePolicy {
  /** @default 10 minutes */
  validSeconds: number;
  /** @default 60 seconds between two codes to one email */
  cooldownSeconds: number;
  /** @default 5 wrong attempts burn a code */
  maxAttempts: number;
  /**
   * Codes sent to one mailbox (aliases `name+tag@` included) at the request of one client address.
   * @default 5 per hour
   */
  perEmailPerHour: number;
  /**
   * Codes sent to one address whoever asks: the bound on mail sent to it. Higher than `perEmailPerHour`,
   * so that exhausting it takes several client addresses and, with the cooldown, over ten minutes.
   * @default 12 per hour
   */
  perAddressPerHour: number;
  /** @default 30 code requests per client address per hour */
  perClientPerHour: number;
  /** @default 60 sign-in attempts (code typed) per client address per hour */
  attemptsPerClientPerHour: number;
}

export const DEFAULT_CODE_POLICY: CodePolicy = {
  validSeconds: 600,
  cooldownSeconds: 60,
  maxAttempts: 5,
  perEmailPerHour: 5,
  perAddressPerHour: 12,
  perClientPerHour: 30,
  attemptsPerClientPerHour: 60,
};

export interface RequestCodeDeps {
  identities: IdentityRepository;
  limiter: RateLimiter;
  mailer: Mailer;
  hash: KeyedHash;
  policy: CodePolicy;
  now: () => Date;
  /** 6 random digits (crypto.randomInt). */
  newCode: () => string;
}

const tooMany = (code: string, detail: string, retryAfter: number) =>
  new DomainError({ code, status: 429, title: 'Trop de demandes', detail, retryAfter });

/**
 * Sends a fresh one-time code to `email`, storing only its keyed hash; refuses (429, `Retry-After`) past
 * the per-client limit, inside the resend cooldown, or past the mailbox's quotas. The client limit counts
 * every request of that address (its own spending); the cooldown and the mailbox quotas are checked and
 * counted in one atomic write with the code, so a refused request spends nothing of the mailbox's quota
 * and concurrent requests send one code. The mailbox quota is per client address, under a higher ceiling
 * for all addresses together: locking a person out takes more requests, from more addresses, than the
 * person needs. The code goes out from here by SES, never through an event (events are archived). Answers
 * the same whether the email is known or not.
 */
export async function requestCode(
  deps: RequestCodeDeps,
  config: EditionConfig,
  input: {
    email: string;
    clientAddress: string;
    /**
     * The request's `Idempotency-Key`: its retry gets the first answer without a second email once the email
     * went out, and a new code at once (no cooldown) if it did not.
     */
    requestKey?: string | undefined;
  },
): Promise<{ expiresAt: string; resendAfterSeconds: number }> {
  const now = deps.now();
  const emailKey = deps.hash.emailKey(input.email);
  const mailbox = deps.hash.mailboxKey(input.email);
  const client = deps.hash.clientKey(input.clientAddress);
  const hour = 3600;
  const byClient = await deps.limiter.hit(
    { bucket: `client#${client}`, limit: deps.policy.perClientPerHour, windowSeconds: hour },
    now,
  );
  if (!byClient.allowed) {
    throw tooMany(
      'rate_limited_client',
      'Trop de codes ont été demandés depuis votre connexion. Réessayez plus tard.',
      byClient.retryAfter,
    );
  }
  const code = deps.newCode();
  const expiresAtMs = now.getTime() + deps.policy.validSeconds * 1000;
  const issuedAt = now.toISOString();
  const outcome = await deps.identities.issueCode(
    {
      emailKey,
      codeHash: deps.hash.codeHash(input.email, code),
      issuedAt,
      expiresAtMs,
      attempts: 0,
      ...(input.requestKey ? { requestKey: input.requestKey } : {}),
    },
    {
      cooldownSeconds: deps.policy.cooldownSeconds,
      quotas: [
        {
          bucket: `mailbox#${mailbox}#client#${client}`,
          limit: deps.policy.perEmailPerHour,
          windowSeconds: hour,
        },
        // The exact address, not the mailbox: aliases of a victim's mailbox cannot spend its ceiling.
        { bucket: `email#${emailKey}`, limit: deps.policy.perAddressPerHour, windowSeconds: hour },
      ],
    },
  );
  if (!outcome.issued) {
    if (outcome.refusedBy === 'cooldown') {
      const { previous } = outcome;
      if (input.requestKey && previous?.requestKey === input.requestKey && previous.sent) {
        // The retry of a request whose code went out (its answer was lost, or a 503 came after): same answer.
        return {
          expiresAt: new Date(previous.expiresAtMs).toISOString(),
          resendAfterSeconds: outcome.retryAfter,
        };
      }
      throw tooMany(
        'code_cooldown',
        'Un code vient d’être envoyé à cette adresse. Patientez un instant avant d’en demander un autre.',
        outcome.retryAfter,
      );
    }
    throw tooMany(
      'rate_limited_email',
      'Trop de codes ont été demandés pour cette adresse. Réessayez plus tard.',
      outcome.retryAfter,
    );
  }
  try {
    await deps.mailer.send(
      codeEmail({
        to: input.email,
        code,
        editionName: config.name,
        validMinutes: Math.round(deps.policy.validSeconds / 60),
      }),
    );
  } catch {
    throw serviceUnavailable(
      'code_not_sent',
      'Le courriel n’a pas pu partir. Réessayez dans un instant.',
      60,
    );
  }
  // Best effort: if this write fails, a retry of the request sends a new code (the first stops working).
  await deps.identities.markSent(emailKey, issuedAt).catch(() => undefined);
  return {
    expiresAt: new Date(expiresAtMs).toISOString(),
    resendAfterSeconds: deps.policy.cooldownSeconds,
  };
}
