/**
 * French labels of the platform's enumerations, for pages and emails. Apart from the schemas they label (and
 * re-exported by them): a function that only words an email or a page does not carry those schemas.
 */
import type * as z from 'zod/mini';
import type { Milestone, RealisationStatus } from '../events/catalogue.ts';
import type { CharterRule } from './idea-schemas.ts';
import type { AssignmentStatus } from './instruction-schemas.ts';

export const DECISION_OUTCOME_LABELS = {
  admissible: 'Recevable',
  'not-admissible': 'Non recevable',
  feasible: 'Faisable',
  'not-feasible': 'Non faisable',
  merged: 'Regroupement proposé',
  retained: 'Retenue',
} as const;

export const ASSIGNMENT_STATUS_LABELS: Record<AssignmentStatus, string> = {
  assigned: 'Affectée, en attente de prise en charge',
  accepted: 'Prise en charge',
  'reassignment-requested': 'Réaffectation demandée',
  decided: 'Avis rendu',
};

export const CHARTER_RULE_LABELS: Record<CharterRule, string> = {
  disrespect: 'Propos irrespectueux, injurieux ou discriminatoires',
  'personal-data': 'Données personnelles d’autrui',
  advertising: 'Publicité, propagande ou démarche commerciale',
  illegal: 'Contenu contraire à la loi',
  'out-of-scope': 'Hors du champ du budget participatif',
};

export const REALISATION_STATUS_LABELS: Record<z.infer<typeof RealisationStatus>, string> = {
  etude: 'À l’étude',
  travaux: 'Travaux en cours',
  livre: 'Livré',
  abandonne: 'Abandonné',
};

export const MILESTONE_LABELS: Record<z.infer<typeof Milestone>['kind'], string> = {
  etudes: 'Études',
  travaux: 'Travaux',
  livre: 'Livraison',
};
