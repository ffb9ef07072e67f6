import type { Phase } from './types.ts';

export interface PhaseAction {
  href: string;
  /** The button's words, the same on the home page and in the header navigation. */
  label: string;
  /** One sentence above the button on the home page. */
  lead: string;
  /** Whether the header navigation puts it first (the phases where the site has one thing to do). */
  inNavigation: boolean;
}

/**
 * The one call to action of each phase: the home page's button (web/src/home.ts) and, where `inNavigation`,
 * the first link of the header navigation (web/src/site-nav.ts), with the same words.
 */
export const PHASE_ACTIONS: Record<Phase, PhaseAction> = {
  setup: {
    href: 'identite.html',
    label: 'Vérifier mon identité',
    lead: 'L’appel à idées va bientôt ouvrir : vérifiez dès maintenant votre identité pour proposer une idée le jour venu.',
    inNavigation: false,
  },
  ideas: {
    href: 'proposer.html',
    label: 'Proposer une idée',
    lead: 'L’appel à idées est ouvert : proposez un projet pour votre territoire ou pour tout le Département.',
    inNavigation: true,
  },
  instruction: {
    href: 'idees.html',
    label: 'Consulter les idées',
    lead: 'Les services du Département étudient les idées déposées : faisabilité, coût, compétence.',
    inNavigation: false,
  },
  'ballot-preparation': {
    href: 'idees.html',
    label: 'Consulter les idées',
    lead: 'Le Comité citoyen arrête la liste des projets soumis au vote. Le vote ouvre bientôt.',
    inNavigation: false,
  },
  vote: {
    href: 'vote.html',
    label: 'Voter',
    lead: 'Le vote est ouvert : choisissez les projets que vous voulez voir réalisés.',
    inNavigation: true,
  },
  counting: {
    href: 'resultats.html',
    label: 'Voir les résultats',
    lead: 'Le vote est clos ; les bulletins sont comptés. Les résultats seront publiés après vérification.',
    inNavigation: true,
  },
  results: {
    href: 'resultats.html',
    label: 'Voir les résultats',
    lead: 'Les résultats sont publiés : découvrez les projets lauréats de chaque territoire.',
    inNavigation: true,
  },
};
