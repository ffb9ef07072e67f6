/**
 * The rehearsal's inhabitants and their ideas, drawn from a seeded generator: the same `--seed` gives the same
 * people, ideas and choices (the platform's own random parts, codes and receipts, differ from run to run).
 */

/** The seeded generator of floats in [0, 1) (mulberry32). */
export { mulberry32 as randomSource } from '../../local/mulberry32.ts';

export type Random = () => number;

export const pick = <T>(random: Random, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)] as T;

/** `count` distinct items of `items`, in random order. */
export function sample<T>(random: Random, items: readonly T[], count: number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy.slice(0, count);
}

const FIRST = [
  'Camille',
  'Louise',
  'Jade',
  'Hugo',
  'Léo',
  'Gabriel',
  'Emma',
  'Yann',
  'Maël',
  'Nolwenn',
  'Sophie',
  'Pierre',
  'Anne',
  'Mathis',
  'Chloé',
  'Inès',
  'Lucas',
  'Manon',
  'Erwan',
  'Aïcha',
  'Mohamed',
  'Thi',
  'Élodie',
  'Jean',
];
const LAST = [
  'Le Goff',
  'Martin',
  'Bernard',
  'Guérin',
  'Le Roux',
  'Morvan',
  'Petit',
  'Durand',
  'Leroy',
  'Moreau',
  'Simon',
  'Laurent',
  'Le Gall',
  'Garnier',
  'Rousseau',
  'Fontaine',
  'Chevalier',
  'Robin',
  'Nguyen',
  'Benali',
];

/** Letters only (names refuse digits): `n` written in base 26 with a–z, at least 4 letters. */
export function letters(n: number): string {
  let out = '';
  let rest = Math.floor(n);
  do {
    out = String.fromCharCode(97 + (rest % 26)) + out;
    rest = Math.floor(rest / 26);
  } while (rest > 0);
  return out.padStart(4, 'a');
}

export interface Person {
  n: number;
  email: string;
  firstName: string;
  lastName: string;
  birthDate: string;
  commune: string;
  territory: string;
}

/**
 * Person number `n` of run `run` (a tag that makes this run's addresses and names new to the platform), living
 * in a commune of `territories`, drawn by the territories' weights.
 */
export function person(
  random: Random,
  n: number,
  run: string,
  mailDomain: string,
  territories: readonly { id: string; communes: readonly string[]; weight: number }[],
): Person {
  const total = territories.reduce((sum, t) => sum + t.weight, 0);
  let draw = random() * total;
  let territory = territories[0] as (typeof territories)[0];
  for (const candidate of territories) {
    territory = candidate;
    draw -= candidate.weight;
    if (draw < 0) break;
  }
  const year = 1940 + Math.floor(random() * 66);
  const month = 1 + Math.floor(random() * 12);
  const day = 1 + Math.floor(random() * 28);
  return {
    n,
    email: `habitant-${run}-${n}@${mailDomain}`,
    firstName: pick(random, FIRST),
    lastName: `${pick(random, LAST)} ${run.replace(/[^a-z]/g, '')}${letters(n)}`,
    birthDate: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
    commune: pick(random, territory.communes),
    territory: territory.id,
  };
}

const OBJECTS = [
  'un abri vélo couvert',
  'des bancs ombragés',
  'un jardin partagé',
  'une boîte à livres',
  'un terrain multisport',
  'des toilettes publiques',
  'une aire de jeux inclusive',
  'un verger communal',
  'des nichoirs et hôtels à insectes',
  'un parcours sportif',
  'une fontaine à eau potable',
  'une ressourcerie',
  'un éclairage solaire du chemin',
  'une passerelle piétonne',
  'un skatepark',
  'une mare pédagogique',
];
const PLACES = [
  'devant le collège',
  'au bord de l’Erdre',
  'près de la médiathèque',
  'sur la place du marché',
  'au pied des immeubles',
  'le long du canal',
  'à côté de la salle des sports',
  'derrière la mairie',
  'dans le parc municipal',
  'près de la gare',
  'à l’entrée du bourg',
  'sur le chemin de l’école',
];
const SENTENCES = [
  'Les habitants du quartier le demandent depuis longtemps, et l’association de parents d’élèves est prête à aider.',
  'Le lieu est déjà fréquenté par les familles, les personnes âgées et les collégiens, à toute heure de la journée.',
  'Le projet serait construit avec un chantier d’insertion et entretenu par les bénévoles du comité de quartier.',
  'Il faudrait prévoir un accès pour les personnes en fauteuil roulant et un éclairage qui respecte la faune.',
  'Nous avons fait un petit sondage auprès des voisins : plus de soixante personnes se disent prêtes à participer.',
  'Un projet semblable existe dans la commune voisine et il a changé la vie du quartier en quelques mois.',
  'Le coût comprend le matériel, la pose et une première année d’entretien, d’après le devis d’un artisan local.',
  'Ce serait aussi l’occasion d’organiser des ateliers avec les écoles et le centre social tout au long de l’année.',
];

export interface IdeaText {
  title: string;
  description: string;
  estimatedCost: number;
}

/** An idea of realistic size: a title of 20–110 characters, a description of 1 to 20 sentences (about 110–2,200). */
export function ideaText(random: Random, n: number, costRange: { min: number; max: number }): IdeaText {
  const object = pick(random, OBJECTS);
  const title = `${object[0]?.toUpperCase()}${object.slice(1)} ${pick(random, PLACES)} (${letters(n)})`;
  // Most descriptions are short, a few long: 1 + an exponential draw of mean 4 sentences, at most 20.
  const sentences = Math.min(20, 1 + Math.floor(-Math.log(1 - random()) * 4));
  const description = Array.from({ length: sentences }, () => pick(random, SENTENCES)).join(' ');
  const span = costRange.max - costRange.min;
  const estimatedCost = Math.round((costRange.min + span * random() ** 2) / 100) * 100;
  return { title: title.slice(0, 120), description, estimatedCost: Math.max(costRange.min, estimatedCost) };
}
