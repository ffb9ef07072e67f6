/**
 * Writes the two demo editions, `editions/loire-atlantique-demo.json` and `editions/gironde-demo.json`,
 * from the official commune and EPCI lists of `@etalab/decoupage-administratif`, so that every INSEE code
 * is real and every commune of the Département lands in exactly one territory.
 *
 * Run: `npx tsx editions/generate-loire-atlantique-demo.ts`. The output is deterministic (sorted lists,
 * no clock, no randomness) so a re-run only changes the files when the inputs change.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Contact, EditionConfig } from '../shared/edition/edition-config.ts';
import { parseEditionConfig } from '../shared/edition/load-edition.ts';

interface CogCommune {
  code: string;
  nom: string;
  type: string;
  departement?: string;
  population?: number;
}
interface CogEpci {
  code: string;
  nom: string;
  membres: Array<{ code: string; nom: string }>;
}

const require = createRequire(import.meta.url);
function readCog<T>(file: string): T {
  return JSON.parse(readFileSync(require.resolve(`@etalab/decoupage-administratif/${file}`), 'utf8')) as T;
}
const COG_VERSION = readCog<{ version: string }>('package.json').version;
const allCommunes = readCog<CogCommune[]>('data/communes.json').filter((c) => c.type === 'commune-actuelle');
const allEpci = readCog<CogEpci[]>('data/epci.json');

/**
 * The legal pages of a demo edition (issue 13). Every address, name and e-mail is a demonstration value
 * (`.example` domains, « adresse de démonstration »); only the host is the real one of an AWS deployment.
 */
function demoLegal(options: {
  departement: string;
  domain: string;
  city: string;
  retentionDays: number;
  accessibility: Pick<EditionConfig['legal']['accessibility'], 'status' | 'audit' | 'nonConformities'>;
}): EditionConfig['legal'] {
  const { departement, domain, city, retentionDays } = options;
  const address = `Hôtel du Département (adresse de démonstration)\n1 rue de l’Exemple\n${city}`;
  return {
    publisher: {
      name: departement,
      address,
      director: `Le président ou la présidente du ${departement} (démonstration)`,
      phone: '01 00 00 00 00 (numéro de démonstration)',
    },
    host: {
      name: 'Amazon Web Services EMEA SARL',
      address: '38 avenue John F. Kennedy\nL-1855 Luxembourg',
      website: 'https://aws.amazon.com/fr/',
    },
    controller: {
      name: departement,
      address,
      representative: `Le président ou la présidente du ${departement}`,
    },
    dpo: { email: `dpo@${domain}`, address: `Délégué à la protection des données\n${address}` },
    personalData: {
      purposes: [
        'Recevoir et publier les idées proposées par les habitants',
        'Vérifier que chaque participant remplit les conditions (âge, lieu de vie) et ne vote qu’une fois',
        'Organiser le vote et en publier les résultats',
        'Envoyer les messages liés à votre participation (code de connexion, suivi de vos idées, reçu de vote)',
        'Suivre la réalisation des projets lauréats',
      ],
      legalBasis:
        'Mission d’intérêt public dont est investi le Département (article 6.1.e du RGPD), pour organiser la participation des habitants à ses choix budgétaires.',
      recipients: [
        'Les agents du Département chargés du budget participatif, chacun pour ce qui le concerne',
        'Les membres du comité citoyen, pour les seules idées (jamais votre adresse ni votre vote)',
        'L’hébergeur du site, sous-traitant du Département, qui ne traite les données que sur ses instructions',
      ],
      retention: [
        {
          data: 'Compte de participant (adresse électronique, nom et prénom, date de naissance, commune)',
          duration: `${retentionDays} jours après la publication des résultats, puis effacement`,
        },
        {
          data: 'Idées proposées',
          duration:
            'Le temps de l’édition et du suivi des projets ; le nom de leur auteur est effacé avec son compte',
        },
        {
          data: 'Vote',
          duration:
            'Le bulletin est séparé de votre identité dès le vote ; la trace « a voté » suit votre compte',
        },
        {
          data: 'Journaux techniques (adresse IP, date et page demandée)',
          duration:
            '3 mois pour les journaux du service, 1 an pour les journaux d’accès au site, pour la sécurité du service',
        },
      ],
      rights: { email: `dpo@${domain}`, address: `Délégué à la protection des données\n${address}` },
    },
    accessibility: {
      ...options.accessibility,
      statementDate: '2026-12-01',
      testedPages: [
        { title: 'Accueil', path: '/' },
        { title: 'Les idées', path: '/idees.html' },
        { title: 'Proposer une idée', path: '/proposer.html' },
        { title: 'Vérifier mon identité', path: '/identite.html' },
        { title: 'Voter', path: '/vote.html' },
        { title: 'Résultats', path: '/resultats.html' },
        { title: 'Contact', path: '/contact.html' },
        { title: 'Mentions légales', path: '/mentions-legales.html' },
        { title: 'Données personnelles', path: '/donnees-personnelles.html' },
        { title: 'Déclaration d’accessibilité', path: '/accessibilite.html' },
      ],
      derogations: [],
      contact: { email: `accessibilite@${domain}`, address },
    },
    contact: {
      email: `budget-participatif@${domain}`,
      address: `Service Participation citoyenne\n${address}`,
      phone: '01 00 00 00 00 (numéro de démonstration)',
      hours: 'Du lundi au vendredi, de 9 h à 12 h et de 14 h à 17 h',
    },
  };
}

const byCode = (a: { code: string }, b: { code: string }) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const byEmail = (a: Contact, b: Contact) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0);
const euros = (amount: number) => `${new Intl.NumberFormat('fr-FR').format(amount).replace(/\s/g, ' ')} €`;

function contact(name: string, local: string, domain: string): Contact {
  return { name, email: `${local}@${domain}` };
}

/**
 * Splits `amount` among `weights` in whole `unit`s: a `floor` each, the rest pro rata by largest remainder
 * (ties to the first index), so the parts add up to `amount` exactly and the rounding favours no one twice.
 */
function splitEnvelope(amount: number, weights: number[], floor: number, unit: number): number[] {
  const rest = amount - floor * weights.length;
  if (rest < 0 || rest % unit !== 0) throw new Error(`Enveloppe ${amount} impossible à répartir`);
  const units = rest / unit;
  const total = weights.reduce((sum, w) => sum + w, 0);
  const exact = weights.map((w) => (units * w) / total);
  const parts = exact.map(Math.floor);
  const order = exact
    .map((value, i) => ({ i, frac: value - Math.floor(value) }))
    .sort((a, b) => b.frac - a.frac || a.i - b.i);
  let missing = units - parts.reduce((sum, p) => sum + p, 0);
  for (const { i } of order) {
    if (missing === 0) break;
    parts[i] = (parts[i] ?? 0) + 1;
    missing--;
  }
  return parts.map((p) => floor + p * unit);
}

// ---------------------------------------------------------------------------------------------------------
// Loire-Atlantique (44)
// ---------------------------------------------------------------------------------------------------------

const LA_DOMAIN = 'demo.loire-atlantique.example';
const LA_TOTAL = 2_000_000;
const LA_DEPARTEMENT_WIDE = 200_000;
const LA_FLOOR = 150_000;
const LA_UNIT = 1_000;

/**
 * ASSUMPTION: territories modelled on the Département's territorial délégations, each built from whole EPCI
 * (SIREN codes of data/epci.json). An EPCI that spans two départements contributes only its communes of 44.
 */
const LA_DELEGATIONS = [
  { id: 'nantes', name: 'Nantes', epci: ['244400404', '244400503'] },
  {
    id: 'saint-nazaire',
    name: 'Saint-Nazaire',
    epci: ['244400644', '244400610', '200072734', '200000438', '244400453', '243500741'],
  },
  { id: 'pays-de-retz', name: 'Pays de Retz', epci: ['200067346', '200071546', '244400586', '244400438'] },
  { id: 'vignoble', name: 'Vignoble', epci: ['200067635', '200067866'] },
  {
    id: 'chateaubriant-ancenis',
    name: 'Châteaubriant-Ancenis',
    epci: ['200072726', '244400552', '244400537'],
  },
] as const;

function loireAtlantique(): EditionConfig {
  const communes44 = allCommunes.filter((c) => c.departement === '44');
  const inDepartement = new Map(communes44.map((c) => [c.code, c]));

  const groups = LA_DELEGATIONS.map((delegation) => {
    const epci = delegation.epci.map((code) => {
      const found = allEpci.find((e) => e.code === code);
      if (!found) throw new Error(`EPCI ${code} absent de @etalab/decoupage-administratif`);
      return found;
    });
    const members = epci
      .flatMap((e) => e.membres.map((m) => inDepartement.get(m.code)))
      .filter((c): c is CogCommune => c !== undefined)
      .sort(byCode);
    return { ...delegation, epci, members, population: members.reduce((s, c) => s + (c.population ?? 0), 0) };
  });

  // Fail loudly rather than write a file where a commune votes twice or nowhere.
  const seen = new Map<string, string>();
  for (const group of groups) {
    for (const commune of group.members) {
      const other = seen.get(commune.code);
      if (other) throw new Error(`${commune.code} ${commune.nom} est à la fois dans ${other} et ${group.id}`);
      seen.set(commune.code, group.id);
    }
  }
  const orphans = communes44.filter((c) => !seen.has(c.code));
  if (orphans.length > 0)
    throw new Error(`Communes sans territoire : ${orphans.map((c) => c.code).join(', ')}`);

  const envelopes = splitEnvelope(
    LA_TOTAL - LA_DEPARTEMENT_WIDE,
    groups.map((g) => g.population),
    LA_FLOOR,
    LA_UNIT,
  );
  const territories = groups.map((group, i) => ({
    id: group.id,
    name: group.name,
    envelope: envelopes[i] ?? 0,
    communes: group.members.map((c) => c.code),
    tile: tileOf(LA_TILES, group.id),
  }));

  const population = groups.reduce((s, g) => s + g.population, 0);
  const straddling = groups
    .flatMap((g) => g.epci)
    .filter((e) => e.membres.some((m) => !inDepartement.has(m.code)))
    .map((e) => e.nom)
    .sort();
  const grouping = groups
    .map(
      (g, i) =>
        `« ${g.name} » (${g.members.length} communes, ${new Intl.NumberFormat('fr-FR').format(g.population).replace(/\s/g, ' ')} hab., ${euros(envelopes[i] ?? 0)}) = ${g.epci.map((e) => e.nom).join(' + ')}`,
    )
    .join(' ; ');
  const description = [
    'Démonstration réaliste de la première édition du Budget participatif de la Loire-Atlantique (appel à idées du 27 février au 11 avril 2023). Données de démonstration : ni les adresses électroniques (domaine demo.loire-atlantique.example) ni les dates postérieures à l’appel à idées ne sont officielles.',
    `HYPOTHÈSE (territoires) : ${communes44.length} communes actuelles du département 44 (@etalab/decoupage-administratif ${COG_VERSION}), regroupées en ${groups.length} territoires calqués sur les délégations territoriales du Département, chacun formé d’EPCI entiers : ${grouping}. Un EPCI à cheval sur deux départements (${straddling.join(', ')}) n’apporte que ses communes de Loire-Atlantique.`,
    `HYPOTHÈSE (enveloppes) : sur ${euros(LA_TOTAL)}, ${euros(LA_DEPARTEMENT_WIDE)} vont à une enveloppe départementale (projets à l’échelle de toute la Loire-Atlantique) ; les ${euros(LA_TOTAL - LA_DEPARTEMENT_WIDE)} restants sont répartis entre territoires avec un plancher de ${euros(LA_FLOOR)} chacun, le reste au prorata de la population municipale (${new Intl.NumberFormat('fr-FR').format(population).replace(/\s/g, ' ')} hab. au total), arrondi au millier d’euros par la méthode du plus fort reste. La somme des enveloppes égale l’enveloppe totale.`,
    'HYPOTHÈSE (calendrier) : instruction jusqu’au 8 septembre 2023, vote du 2 au 22 octobre 2023, résultats le 20 novembre 2023.',
  ].join('\n\n');

  const metiers = [
    ['agriculture-mer-littoral', 'Direction agriculture, mer et littoral'],
    ['culture-patrimoine', 'Direction culture et patrimoine'],
    ['education-colleges', 'Direction éducation et collèges'],
    ['environnement-espaces-naturels', 'Direction environnement et espaces naturels sensibles'],
    ['infrastructures-mobilites', 'Direction infrastructures et mobilités'],
    ['patrimoine-immobilier', 'Direction patrimoine immobilier'],
    ['solidarites-insertion', 'Direction solidarités et insertion'],
    ['sport-jeunesse-vie-associative', 'Direction sport, jeunesse et vie associative'],
  ] as const;
  const services: EditionConfig['services'] = [
    ...metiers.map(([id, name]) => ({
      id,
      name,
      kind: 'direction-metier' as const,
      contacts: [
        contact(`Référent·e Budget participatif — ${name}`, `bp.${id}`, LA_DOMAIN),
        contact(`Secrétariat — ${name}`, `secretariat.${id}`, LA_DOMAIN),
      ].sort(byEmail),
    })),
    ...LA_DELEGATIONS.map(({ id, name }) => ({
      id: `delegation-${id}`,
      name: `Délégation ${name}`,
      kind: 'direction-territoriale' as const,
      contacts: [
        contact(`Référent·e Budget participatif — Délégation ${name}`, `bp.delegation-${id}`, LA_DOMAIN),
        contact(`Direction — Délégation ${name}`, `direction.delegation-${id}`, LA_DOMAIN),
      ].sort(byEmail),
    })),
  ].sort(byId);

  const committee = Array.from({ length: 24 }, (_, i) => {
    const n = String(i + 1).padStart(2, '0');
    return contact(`Membre du Comité citoyen n° ${n}`, `comite-citoyen-${n}`, LA_DOMAIN);
  });

  return {
    id: 'loire-atlantique-demo',
    name: 'Budget participatif de la Loire-Atlantique — 1re édition (démo)',
    description,
    departement: { code: '44', name: 'Loire-Atlantique' },
    timeZone: 'Europe/Paris',
    calendar: {
      ideasOpen: '2023-02-27T09:00',
      ideasClose: '2023-04-11T23:59',
      instructionEnd: '2023-09-08T18:00',
      voteOpen: '2023-10-02T09:00',
      voteClose: '2023-10-22T23:59',
      resultsAt: '2023-11-20T18:00',
    },
    budget: {
      currency: 'EUR',
      total: LA_TOTAL,
      departementWide: {
        id: 'loire-atlantique',
        name: 'Toute la Loire-Atlantique',
        envelope: LA_DEPARTEMENT_WIDE,
      },
    },
    territories: territories.sort(byId),
    themes: [
      { id: 'agriculture-alimentation', name: 'Agriculture et alimentation' },
      { id: 'citoyennete-vie-associative', name: 'Citoyenneté et vie associative' },
      { id: 'culture-patrimoine', name: 'Culture et patrimoine' },
      { id: 'environnement-biodiversite', name: 'Environnement et biodiversité' },
      { id: 'jeunesse-education', name: 'Jeunesse et éducation' },
      { id: 'mobilites', name: 'Mobilités' },
      { id: 'solidarites', name: 'Solidarités' },
      { id: 'sport', name: 'Sport' },
    ],
    services,
    eligibility: { minimumAge: 16, residence: 'live' },
    ideaCost: { min: 1_000, max: 50_000 },
    ballot: { kind: 'approval', minChoices: 3, maxChoices: 10 },
    counting: {
      rule: 'greedy',
      tieBreak: 'project-id',
      minimumSupport: 0,
      atLeastOneWinnerPerTerritory: false,
    },
    supports: { enabled: false },
    staff: {
      coordinators: [
        contact(
          'Coordination Budget participatif — Service Participation citoyenne',
          'coordination.bp',
          LA_DOMAIN,
        ),
        contact('Chargé·e de mission Budget participatif', 'mission.bp', LA_DOMAIN),
        contact('Modération des idées — Service Participation citoyenne', 'moderation.bp', LA_DOMAIN),
      ].sort(byEmail),
      committee: committee.sort(byEmail),
      admins: [
        contact('Administration de la plateforme', 'admin.bp', LA_DOMAIN),
        contact('Équipe d’exploitation', 'exploitation.bp', LA_DOMAIN),
      ].sort(byEmail),
    },
    mailFrom: `budget-participatif@${LA_DOMAIN}`,
    personalDataRetentionDays: 365,
    identity: {
      name: 'Département de Loire-Atlantique',
      logo: 'loire-atlantique-demo.logo.svg',
      colours: {
        primary: '#005a70',
        primaryDark: '#003e4d',
        primaryTint: '#e5f1f4',
        onPrimary: '#ffffff',
        focus: '#c2410c',
      },
    },
    legal: demoLegal({
      departement: 'Département de Loire-Atlantique',
      domain: LA_DOMAIN,
      city: '44000 Nantes',
      retentionDays: 365,
      accessibility: {
        status: 'non-conforme',
        nonConformities: [
          'Aucun audit de conformité au RGAA 4.1 n’a encore été réalisé : le site est vérifié par des tests automatiques (axe) à chaque version, ce qui ne couvre qu’une partie des critères.',
        ],
      },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Gironde (33): a small second edition, to prove two editions deploy side by side.
// ---------------------------------------------------------------------------------------------------------

const GI_DOMAIN = 'demo.gironde.example';

const GI_TERRITORIES = [
  {
    id: 'bassin-arcachon',
    name: 'Bassin d’Arcachon',
    communes: ['Andernos-les-Bains', 'Arcachon', 'Gujan-Mestras', 'La Teste-de-Buch'],
  },
  {
    id: 'bordeaux-sud-ouest',
    name: 'Bordeaux et Sud-Ouest',
    communes: ['Bègles', 'Bordeaux', 'Mérignac', 'Pessac', 'Talence'],
  },
  {
    id: 'libournais',
    name: 'Libournais',
    communes: ['Castillon-la-Bataille', 'Coutras', 'Libourne', 'Saint-Émilion'],
  },
] as const;

/**
 * Tiles of the public turnout map (`territories[].tile`): each territory's rough place on a small grid,
 * west to east and north to south, as it lies in the Département.
 */
const LA_TILES: Record<string, { row: number; col: number }> = {
  'chateaubriant-ancenis': { row: 0, col: 2 },
  'saint-nazaire': { row: 1, col: 0 },
  nantes: { row: 1, col: 1 },
  'pays-de-retz': { row: 2, col: 0 },
  vignoble: { row: 2, col: 2 },
};
const GI_TILES: Record<string, { row: number; col: number }> = {
  libournais: { row: 0, col: 2 },
  'bassin-arcachon': { row: 1, col: 0 },
  'bordeaux-sud-ouest': { row: 1, col: 1 },
};

function tileOf(tiles: Record<string, { row: number; col: number }>, id: string) {
  const tile = tiles[id];
  if (!tile) throw new Error(`Pas de tuile pour le territoire ${id}`);
  return tile;
}

function gironde(): EditionConfig {
  const territories = GI_TERRITORIES.map(({ id, name, communes }) => ({
    id,
    name,
    envelope: 250_000,
    communes: communes
      .map((nom) => {
        const found = allCommunes.filter((c) => c.departement === '33' && c.nom === nom);
        if (found.length !== 1 || !found[0])
          throw new Error(`Commune de Gironde introuvable ou ambiguë : ${nom}`);
        return found[0].code;
      })
      .sort(),
    tile: tileOf(GI_TILES, id),
  }));
  return {
    id: 'gironde-demo',
    name: 'Budget participatif de la Gironde (démo)',
    description: [
      'Seconde édition de démonstration, volontairement petite, pour prouver que deux éditions se déploient côte à côte. Données fictives sauf les codes INSEE (@etalab/decoupage-administratif).',
      `HYPOTHÈSE : 3 territoires de quelques communes réelles chacun (${GI_TERRITORIES.map((t) => `« ${t.name} » : ${t.communes.join(', ')}`).join(' ; ')}) ; les autres communes de Gironde ne sont dans aucun territoire et ne votent que pour l’enveloppe départementale. 250 000 € par territoire et 250 000 € pour l’enveloppe départementale, soit 1 000 000 €. Vote par sac à dos (knapsack), dépouillement par la méthode des parts égales (MES).`,
    ].join('\n\n'),
    departement: { code: '33', name: 'Gironde' },
    timeZone: 'Europe/Paris',
    calendar: {
      ideasOpen: '2026-03-02T09:00',
      ideasClose: '2026-04-30T23:59',
      instructionEnd: '2026-07-10T18:00',
      voteOpen: '2026-09-14T09:00',
      voteClose: '2026-10-11T23:59',
      resultsAt: '2026-11-06T18:00',
    },
    budget: {
      currency: 'EUR',
      total: 1_000_000,
      departementWide: { id: 'gironde', name: 'Toute la Gironde', envelope: 250_000 },
    },
    territories,
    themes: [
      { id: 'environnement', name: 'Environnement' },
      { id: 'jeunesse', name: 'Jeunesse' },
      { id: 'mobilites', name: 'Mobilités' },
      { id: 'solidarites', name: 'Solidarités' },
    ],
    services: [
      {
        id: 'direction-environnement',
        name: 'Direction de l’environnement',
        kind: 'direction-metier',
        contacts: [contact('Référent·e Budget participatif — Environnement', 'bp.environnement', GI_DOMAIN)],
      },
      {
        id: 'direction-jeunesse',
        name: 'Direction jeunesse, éducation et citoyenneté',
        kind: 'direction-metier',
        contacts: [contact('Référent·e Budget participatif — Jeunesse', 'bp.jeunesse', GI_DOMAIN)],
      },
      {
        id: 'pole-territorial-bordeaux',
        name: 'Pôle territorial de solidarité de Bordeaux',
        kind: 'direction-territoriale',
        contacts: [
          contact('Référent·e Budget participatif — Pôle de Bordeaux', 'bp.pole-bordeaux', GI_DOMAIN),
        ],
      },
    ],
    eligibility: { minimumAge: 11, residence: 'live-work-study' },
    ideaCost: { min: 500, max: 100_000 },
    ballot: { kind: 'knapsack' },
    counting: { rule: 'mes', tieBreak: 'lower-cost', minimumSupport: 0, atLeastOneWinnerPerTerritory: false },
    supports: { enabled: false },
    staff: {
      coordinators: [contact('Coordination Budget participatif', 'coordination.bp', GI_DOMAIN)],
      committee: [],
      admins: [contact('Administration de la plateforme', 'admin.bp', GI_DOMAIN)],
    },
    mailFrom: `budget-participatif@${GI_DOMAIN}`,
    personalDataRetentionDays: 365,
    identity: {
      name: 'Département de la Gironde',
      logo: 'gironde-demo.logo.svg',
      colours: {
        primary: '#7a1f3d',
        primaryDark: '#561228',
        primaryTint: '#f7eaef',
        onPrimary: '#ffffff',
        focus: '#1d4ed8',
      },
    },
    legal: demoLegal({
      departement: 'Département de la Gironde',
      domain: GI_DOMAIN,
      city: '33000 Bordeaux',
      retentionDays: 365,
      accessibility: {
        status: 'partiellement-conforme',
        audit: { date: '2026-11-15', by: 'Auto-évaluation de démonstration (fictive)', rate: 82 },
        nonConformities: [
          'Les cartes des projets n’ont pas d’alternative textuelle complète (critère 1.1).',
          'Le document PDF du règlement n’est pas accessible (critère 13.3) ; une version texte est disponible sur demande.',
        ],
      },
    }),
  };
}

const here = dirname(fileURLToPath(import.meta.url));
for (const [file, config] of [
  ['loire-atlantique-demo.json', loireAtlantique()],
  ['gironde-demo.json', gironde()],
] as const) {
  // Never write a file the platform would refuse.
  const parsed = parseEditionConfig(config);
  if (!parsed.ok) throw new Error(`${file} invalide :\n${parsed.errors.join('\n')}`);
  writeFileSync(join(here, file), `${JSON.stringify(config, null, 2)}\n`);
  console.log(`écrit editions/${file} (${config.territories.length} territoires)`);
}
