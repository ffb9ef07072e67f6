import { notFound } from '../../shared/errors/domain-error.ts';
import type { IdentityRepository } from './identity-repository.ts';

const noIdentity = () =>
  notFound('identity_not_found', 'Aucune donnée n’est enregistrée pour cette session.');

/** Everything the identity context holds about the signed-in citizen (RGPD access right). */
export async function readMyData(deps: { identities: IdentityRepository }, citizenId: string) {
  const identity = await deps.identities.get(citizenId);
  if (!identity) throw noIdentity();
  const {
    emailKey: _emailKey,
    fingerprint: _fingerprint,
    matchKeys: _matchKeys,
    published: _published,
    ...mine
  } = identity;
  return {
    identity: mine,
    kept: 'Une empreinte chiffrée de votre adresse et de votre identité est conservée jusqu’à la suppression des données de l’édition, pour garantir une seule participation par personne.',
  };
}

/**
 * Erases the citizen's personal data (RGPD erasure right); the pseudonymous id and keyed hashes stay so
 * that a has-voted marker keeps applying and erasure cannot be used to vote twice.
 */
export async function eraseMyData(
  deps: { identities: IdentityRepository; now: () => Date },
  citizenId: string,
): Promise<{ erasedAt: string }> {
  const identity = await deps.identities.get(citizenId);
  if (!identity) throw noIdentity();
  const now = deps.now();
  await deps.identities.erase(citizenId, now);
  return { erasedAt: now.toISOString() };
}
