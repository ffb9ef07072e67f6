import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import { DomainError, validationFailed } from '../../shared/errors/domain-error.ts';
import type { CitizenProfile } from '../../shared/http/schemas.ts';
import { COMMUNES } from '../../shared/identity/communes.generated.ts';

export interface Eligible {
  commune: string;
  communeName: string;
  territory: string;
}

const FRENCH_DATE = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'UTC' });
const frenchDate = (isoDate: string) => FRENCH_DATE.format(new Date(`${isoDate}T00:00:00Z`));

/** Full years between two `YYYY-MM-DD` dates. */
export function ageOn(birthDate: string, onDate: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [y, m, d] = onDate.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

/** Communes of the edition a postcode designates (several communes may share one). */
export function communesForPostcode(config: EditionConfig, postcode: string) {
  return config.territories.flatMap((territory) =>
    territory.communes
      .filter((code) => COMMUNES[code]?.[1].includes(postcode))
      .map((code) => ({ code, name: COMMUNES[code]?.[0] ?? code, territory: territory.id })),
  );
}

/**
 * The edition's rules, each refusal naming the rule in French: minimum age on the day the vote opens
 * (in the edition's time zone), commune in one of the edition's territories (which gives the territory),
 * "work or study here" only where the edition allows it.
 */
export function checkEligibility(config: EditionConfig, profile: CitizenProfile, today: string): Eligible {
  if (profile.birthDate > today) {
    throw validationFailed([
      { field: 'body.profile.birthDate', message: 'La date de naissance ne peut pas être dans le futur' },
    ]);
  }
  if (profile.birthDate < '1900-01-01') {
    throw validationFailed([
      { field: 'body.profile.birthDate', message: 'Date de naissance invraisemblable' },
    ]);
  }
  if (profile.workOrStudy && config.eligibility.residence === 'live') {
    throw new DomainError({
      code: 'not_eligible_residence',
      status: 403,
      title: 'Participation réservée aux habitants',
      detail: `Cette édition est réservée aux personnes qui habitent en ${config.departement.name} : y travailler ou y étudier ne suffit pas.`,
    });
  }
  const voteDay = config.calendar.voteOpen.slice(0, 10);
  if (ageOn(profile.birthDate, voteDay) < config.eligibility.minimumAge) {
    throw new DomainError({
      code: 'not_eligible_age',
      status: 403,
      title: 'Âge minimum non atteint',
      detail: `Il faut avoir au moins ${config.eligibility.minimumAge} ans le ${frenchDate(voteDay)}, jour d’ouverture du vote, pour participer à cette édition.`,
    });
  }

  const outside = () =>
    new DomainError({
      code: 'not_eligible_commune',
      status: 403,
      title: 'Commune hors du Département',
      detail: `Cette édition est ouverte aux personnes qui ${
        config.eligibility.residence === 'live' ? 'habitent' : 'habitent, travaillent ou étudient'
      } en ${config.departement.name} (${config.departement.code}) ; la commune indiquée n’en fait pas partie.`,
    });
  const unknown = (field: string, message: string) => validationFailed([{ field, message }]);

  let commune = profile.commune;
  if (commune === undefined && profile.postcode !== undefined) {
    const matches = communesForPostcode(config, profile.postcode);
    if (matches.length === 0) {
      if (profile.postcode.startsWith(config.departement.code.slice(0, 2))) {
        throw unknown(
          'body.profile.postcode',
          `Aucune commune de l’édition n’a le code postal ${profile.postcode}`,
        );
      }
      throw outside();
    }
    if (matches.length > 1) {
      throw new DomainError({
        code: 'commune_ambiguous',
        status: 422,
        title: 'Plusieurs communes possibles',
        detail: `Le code postal ${profile.postcode} correspond à plusieurs communes : ${matches
          .map((match) => `${match.name} (${match.code})`)
          .join(', ')}. Choisissez la vôtre.`,
        errors: [{ field: 'body.profile.commune', message: 'Choisissez votre commune' }],
      });
    }
    commune = matches[0]?.code;
  }
  const territory = config.territories.find((candidate) => candidate.communes.includes(commune ?? ''));
  if (!commune || !territory) {
    if (commune?.startsWith(config.departement.code)) {
      throw unknown('body.profile.commune', `Code INSEE inconnu en ${config.departement.name} : ${commune}`);
    }
    throw outside();
  }
  return { commune, communeName: COMMUNES[commune]?.[0] ?? commune, territory: territory.id };
}
