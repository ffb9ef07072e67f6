import { notFound } from '../../shared/errors/domain-error.ts';
import { CitizenErased } from '../../shared/events/catalogue.ts';
import type { EventPublisher } from '../../shared/events/event-publisher.ts';
import type { CitizenRecords } from '../../shared/personal-data/citizen-records.ts';
import type { IdentityRepository } from './identity-repository.ts';
import type { KeyedHash } from './keyed-hash.ts';

const noIdentity = () =>
  notFound('identity_not_found', 'Aucune donnée n’est enregistrée pour cette session.');

/**
 * Everything the platform holds about the signed-in citizen (RGPD access right): the identity, and what the
 * other contexts keep under the citizen id (drafts, ideas authored and credited, supports, follows, the
 * results-news opt-in, the emails sent, whether they voted; never what: the ballot is secret). Sign-ins
 * are not kept (a session is a signed token, nothing is written), which the export says.
 */
export async function readMyData(
  deps: { identities: IdentityRepository; records: CitizenRecords },
  citizenId: string,
) {
  const identity = await deps.identities.get(citizenId);
  if (!identity) throw noIdentity();
  const {
    emailKey: _emailKey,
    fingerprint: _fingerprint,
    matchKeys: _matchKeys,
    published: _published,
    ...mine
  } = identity;
  const { records } = deps;
  const [drafts, ideas, supports, follows, resultsNews, emails, vote] = await Promise.all([
    records.drafts(citizenId),
    records.ideas(citizenId),
    records.supports(citizenId),
    records.follows(citizenId),
    records.resultsNews(citizenId),
    records.emails(citizenId),
    records.vote(citizenId),
  ]);
  return {
    identity: mine,
    drafts,
    ideas,
    supports,
    follows,
    resultsNews,
    emails,
    vote,
    signIns: {
      kept: false,
      note: 'Les dates de vos connexions ne sont pas conservées : une session est un jeton signé, rien n’est enregistré.',
    },
    kept: 'Une empreinte chiffrée de votre adresse et de votre identité est conservée jusqu’à la suppression des données de l’édition, pour garantir une seule participation par personne.',
  };
}

/**
 * Erases the citizen's personal data (RGPD erasure right). The identity is blanked and marked erased in place,
 * then `CitizenErased` goes on the bus (each context that holds items keyed by the citizen id removes or
 * anonymises them), then the identity moves to an id
 * derived with the fingerprint key, without its personal fields: the keyed hashes stay there with the
 * has-voted marker (moved by voting), so erasing never gives a second vote, and nothing leads back to the
 * person. A retry after a failure publishes the same event again (consumers are idempotent) and finishes.
 */
export async function eraseMyData(
  deps: {
    identities: IdentityRepository;
    events: EventPublisher;
    keys: () => Promise<{ hash: KeyedHash }>;
    now: () => Date;
  },
  edition: string,
  citizenId: string,
): Promise<{ erasedAt: string }> {
  const identity = await deps.identities.get(citizenId);
  if (!identity) throw noIdentity();
  const now = deps.now();
  const erasedAs = (await deps.keys()).hash.erasedId(citizenId);
  // Blanked and marked erased in place first: from this write on, no ballot can be cast under either id
  // (voting checks `erasedAt` in its ballot transaction), whatever the order the consumers run in.
  if (!identity.erasedAt) await deps.identities.erase(citizenId, now);
  await deps.events.publish(CitizenErased, {
    edition,
    citizenId,
    erasedAs,
    erasedAt: now.toISOString(),
  });
  await deps.identities.eraseAs(citizenId, erasedAs, now);
  return { erasedAt: now.toISOString() };
}
