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
  /** @default 5 per email per hour */
  perEmailPerHour: number;
  /** @default 30 per client address per hour */
  perClientPerHour: number;
}

export const DEFAULT_CODE_POLICY: CodePolicy = {
  validSeconds: 600,
  cooldownSeconds: 60,
  maxAttempts: 5,
  perEmailPerHour: 5,
  perClientPerHour: 30,
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
 * the per-client and per-email limits or inside the resend cooldown. The code goes out from here by SES,
 * never through an event (events are archived). Answers the same whether the email is known or not.
 */
export async function requestCode(
  deps: RequestCodeDeps,
  config: EditionConfig,
  input: { email: string; clientAddress: string },
): Promise<{ expiresAt: string; resendAfterSeconds: number }> {
  const now = deps.now();
  const emailKey = deps.hash.emailKey(input.email);
  const hour = 3600;
  const byClient = await deps.limiter.hit(
    {
      bucket: `client#${deps.hash.clientKey(input.clientAddress)}`,
      limit: deps.policy.perClientPerHour,
      windowSeconds: hour,
    },
    now,
  );
  if (!byClient.allowed) {
    throw tooMany(
      'rate_limited_client',
      'Trop de codes ont été demandés depuis votre connexion. Réessayez plus tard.',
      byClient.retryAfter,
    );
  }
  const byEmail = await deps.limiter.hit(
    { bucket: `email#${emailKey}`, limit: deps.policy.perEmailPerHour, windowSeconds: hour },
    now,
  );
  if (!byEmail.allowed) {
    throw tooMany(
      'rate_limited_email',
      'Trop de codes ont été demandés pour cette adresse. Réessayez plus tard.',
      byEmail.retryAfter,
    );
  }
  const previous = await deps.identities.getCode(emailKey);
  if (previous) {
    const wait = Date.parse(previous.issuedAt) + deps.policy.cooldownSeconds * 1000 - now.getTime();
    if (wait > 0) {
      throw tooMany(
        'code_cooldown',
        'Un code vient d’être envoyé à cette adresse. Patientez un instant avant d’en demander un autre.',
        Math.ceil(wait / 1000),
      );
    }
  }
  const code = deps.newCode();
  const expiresAtMs = now.getTime() + deps.policy.validSeconds * 1000;
  await deps.identities.putCode({
    emailKey,
    codeHash: deps.hash.codeHash(input.email, code),
    issuedAt: now.toISOString(),
    expiresAtMs,
    attempts: 0,
  });
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
  return {
    expiresAt: new Date(expiresAtMs).toISOString(),
    resendAfterSeconds: deps.policy.cooldownSeconds,
  };
}
