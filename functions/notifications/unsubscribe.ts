import { UNSUBSCRIBE_LIST_LABELS, verifyUnsubscribeLink } from '../../shared/auth/unsubscribe-links.ts';
import { DomainError } from '../../shared/errors/domain-error.ts';
import type { SuppressionList } from './suppression-list.ts';

/**
 * Records the opt-out a signed unsubscribe link carries (idempotent: a second click changes nothing).
 * A tampered, expired or other-edition link is refused, with no hint of which.
 */
export async function unsubscribe(
  deps: { suppressions: SuppressionList; key: () => Promise<string>; edition: string; now: () => Date },
  token: string,
): Promise<{ list: string; label: string }> {
  const check = await verifyUnsubscribeLink(await deps.key(), token, {
    edition: deps.edition,
    now: deps.now(),
  });
  if (!check.ok) {
    throw new DomainError({
      code: 'unsubscribe_link_invalid',
      status: 400,
      title: 'Lien de désabonnement invalide',
      detail:
        check.reason === 'expired'
          ? 'Ce lien de désabonnement a expiré. Utilisez le lien d’un message plus récent.'
          : 'Ce lien de désabonnement n’est pas valide. Copiez-le en entier depuis le message reçu.',
    });
  }
  await deps.suppressions.optOut(check.recipient, check.list, deps.now());
  return { list: check.list, label: UNSUBSCRIBE_LIST_LABELS[check.list] };
}
