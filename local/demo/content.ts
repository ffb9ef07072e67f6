import type { Random } from './random.ts';

/**
 * French text of the lived-in demo, written for it: ideas are composed from hand-written fragments per theme
 * (what, where, why, what for), so hundreds of them read like real proposals without any real person's name.
 * Surnames of the demo's inhabitants are invented from syllables.
 */

interface Subject {
  /** An infinitive phrase, the start of the title: « Planter une haie bocagère ». */
  title: string;
  /** What exactly, for the description. */
  what: string;
  /** The author's own estimate, in euros. */
  cost: readonly [number, number];
}

interface ThemeFragments {
  subjects: readonly Subject[];
  places: readonly string[];
  needs: readonly string[];
  benefits: readonly string[];
}

const COMMON_PLACES = [
  'près de l’école',
  'au cœur du bourg',
  'derrière la salle des fêtes',
  'dans le quartier de la gare',
  'sur la place du marché',
  'à côté de la médiathèque',
  'près du collège',
  'au bord de l’étang communal',
] as const;

export const THEME_FRAGMENTS: Record<string, ThemeFragments> = {
  'agriculture-alimentation': {
    subjects: [
      {
        title: 'Créer un jardin partagé',
        what: 'une vingtaine de parcelles, un abri à outils et un récupérateur d’eau de pluie',
        cost: [12_000, 30_000],
      },
      {
        title: 'Installer une halle pour les producteurs locaux',
        what: 'une structure couverte et démontable où les maraîchers vendent le samedi matin',
        cost: [25_000, 50_000],
      },
      {
        title: 'Planter un verger conservatoire',
        what: 'une soixantaine d’arbres fruitiers de variétés anciennes du pays nantais',
        cost: [8_000, 20_000],
      },
      {
        title: 'Équiper une cuisine pédagogique',
        what: 'un îlot de cuisson, des plans de travail à hauteur d’enfant et du petit matériel',
        cost: [15_000, 40_000],
      },
      {
        title: 'Aménager un rucher école',
        what: 'dix ruches, une miellerie partagée et des panneaux sur la vie des abeilles',
        cost: [6_000, 18_000],
      },
      {
        title: 'Ouvrir une légumerie solidaire',
        what: 'une petite légumerie qui prépare les surplus des maraîchers pour l’aide alimentaire',
        cost: [20_000, 48_000],
      },
      {
        title: 'Créer une grainothèque et des bacs potagers',
        what: 'des bacs potagers en bois local et une grainothèque en libre accès',
        cost: [3_000, 9_000],
      },
    ],
    places: [
      'près des jardins familiaux',
      'sur l’ancien terrain de la cure',
      'à côté de la maison de quartier',
    ],
    needs: [
      'Beaucoup de familles n’ont pas de jardin et aimeraient cultiver quelques légumes.',
      'Les producteurs du canton peinent à vendre en direct faute de lieu abrité.',
      'Les enfants savent rarement d’où viennent les fruits et légumes qu’ils mangent.',
      'Les terres autour du bourg se couvrent de lotissements et les savoir-faire se perdent.',
    ],
    benefits: [
      'Le lieu créerait du lien entre voisins et entre générations.',
      'Les écoles du secteur pourraient y venir chaque semaine.',
      'Cela rapprocherait les habitants des agriculteurs qui les nourrissent.',
      'Une association du quartier est prête à en assurer l’animation.',
    ],
  },
  'citoyennete-vie-associative': {
    subjects: [
      {
        title: 'Aménager une maison des associations',
        what: 'des salles de réunion équipées, un local de rangement partagé et un espace de coworking associatif',
        cost: [25_000, 50_000],
      },
      {
        title: 'Installer une boîte à livres et un panneau d’affichage associatif',
        what: 'une boîte à livres abritée et un panneau lumineux pour les annonces des associations',
        cost: [4_000, 12_000],
      },
      {
        title: 'Équiper une salle pour les assemblées de quartier',
        what: 'une sonorisation, un vidéoprojecteur, une boucle magnétique et des chaises empilables',
        cost: [8_000, 22_000],
      },
      {
        title: 'Créer un local pour les bénévoles',
        what: 'un local chauffé avec sanitaires accessibles, prêté aux associations à la demi-journée',
        cost: [20_000, 45_000],
      },
      {
        title: 'Mettre en place une matériauthèque associative',
        what: 'des barnums, tables, vaisselle réutilisable et une remorque prêtés aux associations',
        cost: [10_000, 25_000],
      },
      {
        title: 'Rénover le kiosque pour les fêtes de quartier',
        what: 'une toiture refaite, l’électricité aux normes et un accès de plain-pied',
        cost: [15_000, 40_000],
      },
    ],
    places: ['dans l’ancienne poste', 'près de la mairie annexe', 'au centre social'],
    needs: [
      'Les associations se partagent une seule salle, souvent réservée des mois à l’avance.',
      'Les nouveaux habitants ne savent pas ce qui se passe dans la commune.',
      'Les bénévoles stockent le matériel des fêtes dans leur garage.',
      'Les réunions publiques se tiennent dans des salles où l’on s’entend mal.',
    ],
    benefits: [
      'La vie associative gagnerait en visibilité et en énergie.',
      'Les habitants pourraient enfin s’y retrouver toute l’année.',
      'Cela faciliterait l’engagement des jeunes retraités comme des lycéens.',
      'Le prêt serait géré par un collectif d’associations déjà constitué.',
    ],
  },
  'culture-patrimoine': {
    subjects: [
      {
        title: 'Restaurer le lavoir',
        what: 'la charpente, les ardoises et les bassins du lavoir, avec un panneau racontant son histoire',
        cost: [15_000, 45_000],
      },
      {
        title: 'Créer un parcours du patrimoine',
        what: 'une douzaine de panneaux illustrés et une version audio pour les personnes malvoyantes',
        cost: [8_000, 20_000],
      },
      {
        title: 'Équiper une scène ouverte en plein air',
        what: 'une scène démontable, un éclairage basse consommation et des gradins en bois',
        cost: [20_000, 50_000],
      },
      {
        title: 'Installer une fresque participative',
        what: 'une fresque conçue avec les habitants et réalisée par un collectif d’artistes',
        cost: [6_000, 16_000],
      },
      {
        title: 'Numériser les archives photographiques de la commune',
        what: 'la numérisation de plusieurs milliers de plaques et tirages, consultables en ligne',
        cost: [5_000, 15_000],
      },
      {
        title: 'Remettre en état le four à pain',
        what: 'la voûte du four, son abri et un espace pour les fournées collectives',
        cost: [10_000, 28_000],
      },
      {
        title: 'Aménager une micro-folie',
        what: 'un musée numérique avec écran géant, tablettes et casques de réalité virtuelle',
        cost: [30_000, 50_000],
      },
    ],
    places: ['près de l’église', 'le long du canal', 'dans le vieux bourg', 'au pied du moulin'],
    needs: [
      'Ce petit patrimoine se dégrade d’hiver en hiver et personne n’en connaît plus l’histoire.',
      'Il n’y a aucun lieu de spectacle à moins de vingt kilomètres.',
      'Les anciens ont des souvenirs précieux qui risquent de disparaître.',
      'Les jeunes artistes du territoire manquent d’endroits où se produire.',
    ],
    benefits: [
      'Ce serait un lieu de promenade et de fierté pour les habitants.',
      'Les écoles pourraient s’en servir pour leurs projets d’histoire locale.',
      'Le projet attirerait aussi des visiteurs le week-end.',
      'Les associations culturelles proposent d’y organiser des animations.',
    ],
  },
  'environnement-biodiversite': {
    subjects: [
      {
        title: 'Planter une haie bocagère',
        what: 'trois cents mètres de haie d’essences locales (charme, noisetier, aubépine, érable champêtre)',
        cost: [5_000, 14_000],
      },
      {
        title: 'Créer une mare pédagogique',
        what: 'une mare de 150 m², un ponton d’observation et des panneaux sur les amphibiens',
        cost: [8_000, 22_000],
      },
      {
        title: 'Installer des nichoirs et des gîtes à chauves-souris',
        what: 'une centaine de nichoirs et de gîtes posés avec la ligue de protection des oiseaux',
        cost: [2_000, 6_000],
      },
      {
        title: 'Désimperméabiliser la cour',
        what: 'le remplacement de l’enrobé par des pavés enherbés, des arbres et des noues',
        cost: [25_000, 50_000],
      },
      {
        title: 'Aménager un îlot de fraîcheur',
        what: 'des arbres de haute tige, des bancs ombragés et une fontaine d’eau potable',
        cost: [20_000, 48_000],
      },
      {
        title: 'Restaurer la zone humide',
        what: 'le curage doux des fossés, l’arrachage des plantes invasives et un sentier sur pilotis',
        cost: [15_000, 45_000],
      },
      {
        title: 'Créer une forêt urbaine',
        what: 'une plantation dense de six cents jeunes arbres sur le modèle des micro-forêts',
        cost: [10_000, 30_000],
      },
      {
        title: 'Installer des composteurs collectifs',
        what: 'six pavillons de compostage avec un guide composteur formé',
        cost: [3_000, 9_000],
      },
    ],
    places: [
      'le long du ruisseau',
      'sur le terrain vague de la rue des Écoles',
      'en bord de Loire',
      'près de la zone d’activités',
    ],
    needs: [
      'L’été, la place devient une fournaise et les enfants n’y jouent plus.',
      'Les oiseaux et les hérissons ont disparu depuis l’arrachage des haies.',
      'Les eaux de pluie ruissellent et inondent les caves à chaque orage.',
      'Les habitants veulent agir pour le climat mais ne savent pas par où commencer.',
    ],
    benefits: [
      'La biodiversité reviendrait en quelques saisons.',
      'Ce serait aussi un support pour les classes et les centres de loisirs.',
      'L’ombre et la fraîcheur profiteraient d’abord aux personnes âgées.',
      'Des volontaires se sont déjà proposés pour les plantations.',
    ],
  },
  'jeunesse-education': {
    subjects: [
      {
        title: 'Aménager un foyer pour les collégiens',
        what: 'un espace meublé avec jeux de société, coin lecture et baby-foot',
        cost: [8_000, 22_000],
      },
      {
        title: 'Créer un espace de travail pour les lycéens',
        what: 'une salle calme avec postes informatiques, wifi et prises pour recharger',
        cost: [10_000, 28_000],
      },
      {
        title: 'Installer un abri vélo sécurisé au collège',
        what: 'un abri couvert et fermé de quarante places avec arceaux et éclairage',
        cost: [15_000, 35_000],
      },
      {
        title: 'Équiper un fablab jeunesse',
        what: 'des imprimantes 3D, une découpeuse laser et des kits d’électronique',
        cost: [15_000, 40_000],
      },
      {
        title: 'Aménager une cour d’école non genrée',
        what: 'des zones de jeux variées, des coins calmes et des jeux au sol repensés avec les élèves',
        cost: [20_000, 50_000],
      },
      {
        title: 'Créer une ludothèque itinérante',
        what: 'un triporteur aménagé et plusieurs centaines de jeux pour aller dans les quartiers',
        cost: [8_000, 20_000],
      },
    ],
    places: ['au collège', 'près de l’espace jeunes', 'à la maison de l’enfance'],
    needs: [
      'Entre la fin des cours et le car, les jeunes attendent dehors, même l’hiver.',
      'Beaucoup d’élèves n’ont pas d’endroit calme pour travailler chez eux.',
      'Les vélos des collégiens sont régulièrement volés ou abîmés.',
      'Les jeunes disent qu’il n’y a rien pour eux dans la commune.',
    ],
    benefits: [
      'Les jeunes ont participé à l’écriture de cette proposition.',
      'Cela favoriserait la réussite scolaire et l’autonomie.',
      'Les animateurs jeunesse sont prêts à encadrer le lieu.',
      'Le projet encouragerait les trajets à vélo dès le collège.',
    ],
  },
  mobilites: {
    subjects: [
      {
        title: 'Aménager une piste cyclable sécurisée',
        what: 'une liaison cyclable séparée de la route, éclairée, jusqu’au prochain bourg',
        cost: [30_000, 50_000],
      },
      {
        title: 'Installer des arceaux et une station de réparation vélo',
        what: 'vingt arceaux et une station de gonflage et de réparation en libre-service',
        cost: [3_000, 9_000],
      },
      {
        title: 'Créer un arrêt de covoiturage abrité',
        what: 'un abri, un éclairage solaire et un panneau d’information en temps réel',
        cost: [8_000, 20_000],
      },
      {
        title: 'Sécuriser le chemin des écoliers',
        what: 'un trottoir élargi, des passages piétons éclairés et des balises lumineuses',
        cost: [20_000, 50_000],
      },
      {
        title: 'Mettre des vélos à assistance électrique en prêt',
        what: 'une flotte de douze vélos électriques prêtés un mois aux habitants',
        cost: [15_000, 35_000],
      },
      {
        title: 'Rendre l’arrêt de car accessible',
        what: 'un quai rehaussé, une bande podotactile et un abri avec assise',
        cost: [10_000, 25_000],
      },
    ],
    places: [
      'entre le bourg et la gare',
      'route du collège',
      'vers la zone d’activités',
      'le long de la départementale',
    ],
    needs: [
      'Les cyclistes partagent une route où les voitures roulent vite.',
      'Sans voiture, il est très difficile de rejoindre son travail ou les commerces.',
      'Les enfants ne vont plus à l’école à pied, faute de trottoir sûr.',
      'Les personnes en fauteuil ne peuvent pas monter dans le car.',
    ],
    benefits: [
      'Plus de trajets à vélo, c’est moins de bruit et de pollution.',
      'Les familles gagneraient en autonomie et en budget.',
      'Le projet répond à une demande exprimée lors des réunions de quartier.',
      'Cela rendrait le territoire accessible à tous.',
    ],
  },
  solidarites: {
    subjects: [
      {
        title: 'Créer une épicerie solidaire',
        what: 'un local équipé de chambres froides et de rayonnages, tenu par des bénévoles',
        cost: [20_000, 50_000],
      },
      {
        title: 'Aménager une laverie solidaire',
        what: 'quatre machines professionnelles, un séchoir et un espace d’attente accueillant',
        cost: [15_000, 35_000],
      },
      {
        title: 'Installer un frigo partagé',
        what: 'un réfrigérateur en libre accès, entretenu par un collectif d’habitants',
        cost: [2_000, 6_000],
      },
      {
        title: 'Équiper un tiers-lieu intergénérationnel',
        what: 'un espace convivial avec ateliers numériques, jeux et repas partagés',
        cost: [20_000, 48_000],
      },
      {
        title: 'Rendre accessible la salle polyvalente',
        what: 'une rampe, des sanitaires adaptés et une boucle magnétique',
        cost: [15_000, 40_000],
      },
      {
        title: 'Créer un jardin thérapeutique',
        what: 'des bacs surélevés, des allées praticables en fauteuil et un coin sensoriel',
        cost: [12_000, 30_000],
      },
    ],
    places: [
      'près de l’EHPAD',
      'au centre-bourg',
      'dans le quartier prioritaire',
      'à la résidence autonomie',
    ],
    needs: [
      'De plus en plus de familles se privent de l’essentiel à la fin du mois.',
      'Les personnes âgées isolées ne voient parfois personne de la semaine.',
      'Beaucoup de logements du quartier n’ont pas de place pour une machine à laver.',
      'Les personnes en situation de handicap ne peuvent pas participer aux activités.',
    ],
    benefits: [
      'Le lieu redonnerait de la dignité et du lien.',
      'Les associations caritatives du secteur se sont associées à la proposition.',
      'Cela permettrait aussi de lutter contre le gaspillage.',
      'Chacun, quels que soient ses moyens, y trouverait sa place.',
    ],
  },
  sport: {
    subjects: [
      {
        title: 'Construire un terrain multisports',
        what: 'un city-stade clos avec paniers de basket, buts de handball et revêtement souple',
        cost: [35_000, 50_000],
      },
      {
        title: 'Installer des agrès de fitness en plein air',
        what: 'une dizaine d’agrès accessibles, dont deux utilisables en fauteuil',
        cost: [10_000, 25_000],
      },
      {
        title: 'Aménager un skatepark',
        what: 'un bowl, des modules en béton et un coin ombragé pour les parents',
        cost: [30_000, 50_000],
      },
      {
        title: 'Créer un parcours de santé',
        what: 'un circuit de trois kilomètres balisé avec des stations d’exercices',
        cost: [8_000, 20_000],
      },
      {
        title: 'Éclairer le terrain de football',
        what: 'un éclairage LED pilotable pour les entraînements du soir en hiver',
        cost: [20_000, 45_000],
      },
      {
        title: 'Équiper une salle de tennis de table',
        what: 'huit tables, des séparations et des rangements pour le club et les scolaires',
        cost: [5_000, 12_000],
      },
      {
        title: 'Installer une piste de pumptrack',
        what: 'une piste en enrobé pour vélos, trottinettes et rollers, ouverte à tous',
        cost: [30_000, 50_000],
      },
    ],
    places: ['près du complexe sportif', 'derrière le gymnase', 'au parc des sports', 'à côté du plan d’eau'],
    needs: [
      'Les adolescents jouent sur le parking faute de terrain.',
      'Les clubs refusent des inscriptions par manque de créneaux.',
      'Les adultes qui veulent bouger n’ont que la route pour courir.',
      'Les équipements actuels datent des années quatre-vingt.',
    ],
    benefits: [
      'Le sport en accès libre bénéficierait à tous les âges.',
      'Les clubs du secteur s’engagent à l’utiliser pour des séances découverte.',
      'Ce serait un lieu de rencontre pour les jeunes du quartier.',
      'Le projet encouragerait une activité physique régulière.',
    ],
  },
};

const FALLBACK: ThemeFragments = THEME_FRAGMENTS['environnement-biodiversite'] as ThemeFragments;

const CLOSINGS = [
  'Un devis indicatif a été demandé à une entreprise du secteur.',
  'Les voisins consultés sont enthousiastes.',
  'Le terrain appartient à la commune, qui est favorable.',
  'Nous sommes prêts à présenter le projet au conseil de quartier.',
  'Une pétition du quartier a réuni plus de cent signatures.',
  '',
  '',
] as const;

/** Invented names of collectives and associations that propose ideas. */
const GROUPS = [
  ['association', 'Association Les Jardins du Lavoir'],
  ['association', 'Association Bouger au Bourg'],
  ['association', 'Association Mémoire et Patrimoine du Sillon'],
  ['collective', 'Collectif Vélo des Deux Rives'],
  ['collective', 'Collectif des Parents du Collège'],
  ['association', 'Association Familles Solidaires de l’Estuaire'],
  ['collective', 'Collectif Haies et Chemins'],
  ['association', 'Association Jeunesse en Mouvement'],
] as const;

/** `à Nantes`, `au Pellerin`, `aux Sorinières`, `à La Baule-Escoublac`. */
export function inCommune(name: string): string {
  if (name.startsWith('Le ')) return `au ${name.slice(3)}`;
  if (name.startsWith('Les ')) return `aux ${name.slice(4)}`;
  return `à ${name}`;
}

/** `de planter`, `d’installer`. */
function de(phrase: string): string {
  const lower = phrase.charAt(0).toLowerCase() + phrase.slice(1);
  return /^[aeéèêiîoôuh]/i.test(lower) ? `d’${lower}` : `de ${lower}`;
}

export interface ComposedIdea {
  title: string;
  description: string;
  estimatedCost: number;
  proposer: { kind: 'individual' } | { kind: 'collective' | 'association'; name: string };
  place?: string;
  /** Index of the subject within its theme (duplicates share it). */
  subject: number;
}

/** One idea of `theme`, located `communeName` (or Département-wide when undefined). */
export function composeIdea(random: Random, theme: string, communeName: string | undefined): ComposedIdea {
  const fragments = THEME_FRAGMENTS[theme] ?? FALLBACK;
  const subject = random.int(0, fragments.subjects.length - 1);
  const { title: action, what, cost } = fragments.subjects[subject] as Subject;
  const place = random.pick([...fragments.places, ...COMMON_PLACES]);
  const where = communeName ? `${place} ${inCommune(communeName)}` : 'dans les collèges du département';
  const title = communeName ? `${action} ${where}` : `${action} dans plusieurs communes de Loire-Atlantique`;
  const sentences = [
    random.pick(fragments.needs),
    `Je propose ${de(action)} ${where} : ${what}.`,
    random.pick(fragments.benefits),
    random.pick(CLOSINGS),
  ].filter(Boolean);
  const group = random.chance(0.25) ? random.pick(GROUPS) : undefined;
  if (group) sentences[1] = (sentences[1] as string).replace('Je propose', 'Nous proposons');
  return {
    title: title.length > 120 ? `${action} ${inCommune(communeName ?? 'Loire-Atlantique')}` : title,
    description: sentences.join(' '),
    estimatedCost: Math.round(random.int(cost[0], cost[1]) / 500) * 500,
    proposer: group ? { kind: group[0], name: group[1] } : { kind: 'individual' },
    ...(communeName ? { place: capitalize(place) } : {}),
    subject,
  };
}

/** A second proposal of the same thing in other words: what moderators merge. */
export function composeDuplicate(random: Random, original: { title: string }) {
  const opener = random.pick([
    'Comme d’autres habitants, je souhaite',
    'Il faudrait vraiment',
    'Mon idée :',
    'Nous aimerions',
  ]);
  const body = original.title.charAt(0).toLowerCase() + original.title.slice(1);
  return {
    title: `${random.pick(['Pour', 'Idée :', 'Projet :'])} ${body}`.slice(0, 120),
    description: `${opener} ${body}. ${random.pick([
      'On en parle depuis longtemps dans le quartier.',
      'Ce serait très utile pour les familles.',
      'J’ai vu que cela marche bien ailleurs.',
    ])}`,
  };
}

/** Ideas the charter does not allow: a moderator hides them, with the rule and a reason. */
export const OFF_CHARTER = [
  {
    rule: 'advertising',
    title: 'Financer la nouvelle vitrine de mon salon de coiffure',
    description:
      'Mon salon ouvre le mois prochain : une belle vitrine attirerait des clients. Venez nombreux, -10 % sur présentation de cette idée !',
    reason: 'Démarche commerciale au profit d’une entreprise : contraire à la charte de participation.',
  },
  {
    rule: 'out-of-scope',
    title: 'Baisser la taxe foncière de tous les propriétaires',
    description:
      'Les impôts sont trop élevés, le budget participatif devrait servir à baisser la taxe foncière de chacun.',
    reason:
      'Le budget participatif finance des investissements d’intérêt général, pas une baisse d’impôt : hors du champ du règlement.',
  },
  {
    rule: 'out-of-scope',
    title: 'Payer le salaire d’un animateur pendant cinq ans',
    description:
      'Il faudrait un animateur à plein temps dans la commune pour les jeunes, payé par le Département pendant cinq ans.',
    reason:
      'Une dépense de fonctionnement (un salaire) ne relève pas du budget participatif, réservé à l’investissement.',
  },
  {
    rule: 'advertising',
    title: 'Soutenir la liste de notre mouvement aux prochaines élections',
    description:
      'Votez pour nous aux prochaines élections : notre programme propose beaucoup de projets pour la commune.',
    reason: 'Propagande électorale : contraire à la charte de participation.',
  },
  {
    rule: 'out-of-scope',
    title: 'Refaire la toiture de ma maison',
    description:
      'Ma toiture fuit depuis l’hiver dernier et je n’ai pas les moyens de la refaire : le budget participatif pourrait m’aider.',
    reason:
      'Un projet doit être d’intérêt général et sur le domaine public : une maison particulière n’en relève pas.',
  },
] as const;

/** What a moderator asks of an author, and what the author then changes. */
export const CHANGE_REQUESTS = [
  {
    reason:
      'Précisez le lieu exact : quelle rue, quel terrain ? Sans lieu, les services ne peuvent pas étudier l’idée.',
    addition: 'Le terrain visé est la parcelle communale en friche, à l’angle de la rue principale.',
  },
  {
    reason:
      'Votre description est très courte : expliquez à qui le projet servira et comment il sera utilisé.',
    addition: 'Il servira aux familles, aux écoles et aux associations du secteur, toute l’année.',
  },
  {
    reason: 'Retirez le nom de la personne citée : la charte interdit les données personnelles d’autrui.',
    addition: 'Le projet a été discuté avec les riverains lors de la réunion de quartier.',
  },
] as const;

/** Reasons a service or the coordination gives for a verdict, written for the author and the Comité citoyen. */
export const VERDICT_TEXTS = {
  retained: [
    'Projet conforme au règlement, techniquement faisable sur un terrain maîtrisé par la collectivité ; coût confirmé par le service.',
    'Le service a vérifié l’emprise et chiffré le projet avec les fournisseurs habituels : il peut être soumis au vote.',
    'Idée d’intérêt général, relevant d’une compétence partagée ; la commune a donné son accord pour le terrain.',
  ],
  'not-feasible': [
    'Le terrain visé est privé et son propriétaire ne souhaite pas le céder : le projet ne peut pas être réalisé.',
    'L’étude de sol montre une zone inondable où aucun aménagement n’est autorisé.',
    'Le coût réel, études comprises, dépasse nettement le plafond d’un projet fixé par le règlement.',
  ],
  'not-admissible': [
    'Le projet relève de la compétence de la commune et non du Département : il ne peut pas être financé ici.',
    'Il s’agit d’une dépense de fonctionnement (entretien, salaires), que le règlement exclut.',
  ],
  merged: ['Idée très proche d’un autre projet du même secteur : les deux sont étudiées ensemble.'],
} as const;

export const COMMITTEE_TEXTS = {
  favorable: [
    'Projet utile au quartier, bien décrit, avec des habitants prêts à s’impliquer.',
    'Bonne idée, qui profitera aux jeunes comme aux anciens.',
  ],
  reserve: ['Intéressant, mais l’entretien dans la durée devra être précisé.'],
  defavorable: ['Le coût nous paraît élevé pour le nombre de personnes concernées.'],
} as const;

const FIRST_NAMES = [
  'Camille',
  'Léa',
  'Manon',
  'Chloé',
  'Inès',
  'Jade',
  'Louise',
  'Emma',
  'Alice',
  'Lina',
  'Rose',
  'Anna',
  'Maëlle',
  'Nolwenn',
  'Gwenaëlle',
  'Sophie',
  'Nathalie',
  'Isabelle',
  'Sylvie',
  'Martine',
  'Françoise',
  'Hugo',
  'Lucas',
  'Louis',
  'Gabriel',
  'Arthur',
  'Jules',
  'Nathan',
  'Raphaël',
  'Tom',
  'Yanis',
  'Malo',
  'Erwan',
  'Yann',
  'Loïc',
  'Thierry',
  'Philippe',
  'Pascal',
  'Patrick',
  'Michel',
  'Alain',
  'Bernard',
] as const;
const SURNAME_START = [
  'Ker',
  'Mor',
  'Guer',
  'Pen',
  'Lan',
  'Tré',
  'Bel',
  'Rou',
  'Mar',
  'Gué',
  'Dal',
  'Ber',
  'Cor',
  'Pla',
  'Vil',
  'Sau',
] as const;
const SURNAME_MIDDLE = ['va', 'lo', 'ri', 'ne', 'ga', 'bi', 'ma', 'to', 'lé', 'du'] as const;
const SURNAME_END = [
  'dec',
  'nec',
  'zic',
  'rec',
  'het',
  'ard',
  'ier',
  'eau',
  'ain',
  'ot',
  'and',
  'elle',
] as const;

/**
 * The `index`-th inhabitant of the demo: an invented surname (distinct for every index below 1,920) and a birth
 * date, so that no two inhabitants look like the same person to the duplicate detection.
 */
export function inhabitant(random: Random, index: number) {
  const a = index % SURNAME_START.length;
  const b = Math.floor(index / SURNAME_START.length) % SURNAME_MIDDLE.length;
  const c = Math.floor(index / (SURNAME_START.length * SURNAME_MIDDLE.length)) % SURNAME_END.length;
  const round = Math.floor(index / (SURNAME_START.length * SURNAME_MIDDLE.length * SURNAME_END.length));
  const surname = `${SURNAME_START[a]}${SURNAME_MIDDLE[b]}${SURNAME_END[c]}`;
  const year = random.int(1940, 2006);
  const month = String(random.int(1, 12)).padStart(2, '0');
  const day = String(random.int(1, 28)).padStart(2, '0');
  return {
    firstName: random.pick(FIRST_NAMES),
    lastName:
      round === 0
        ? surname
        : `${surname}-${SURNAME_START[round % SURNAME_START.length]}${SURNAME_END[round % SURNAME_END.length]}`,
    birthDate: `${year}-${month}-${day}`,
  };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
