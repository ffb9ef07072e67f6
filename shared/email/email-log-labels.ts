/** Statuses of the email log and their French labels: plain data, also bundled into the staff page (no zod). */
export const EMAIL_LOG_STATUSES = ['sending', 'sent', 'failed', 'suppressed'] as const;
export type EmailLogStatus = (typeof EMAIL_LOG_STATUSES)[number];

export const EMAIL_LOG_STATUS_LABELS: Record<EmailLogStatus, string> = {
  sending: 'En cours d’envoi',
  sent: 'Envoyé',
  failed: 'Échec',
  suppressed: 'Non envoyé (adresse bloquée ou désabonnée)',
};

/** What each email of the platform is about, in plain French (the person's export, the staff log). */
export const EMAIL_TEMPLATE_LABELS: Record<string, string> = {
  'idea-submitted': 'Idée bien reçue',
  'idea-published': 'Idée publiée',
  'idea-change-requested': 'Modification demandée sur une idée',
  'idea-hidden': 'Idée masquée',
  'ideas-merged': 'Idées regroupées',
  'decision-verdict': 'Décision sur une idée',
  'results-news': 'Résultats du vote',
  'realisation-updated': 'Avancement d’un projet suivi',
  'phase-changed': 'Nouvelle étape du budget participatif',
  'vote-window-changed': 'Changement des dates du vote',
  'duplicate-suspected': 'Inscription à examiner',
  'idea-assigned': 'Idée à instruire',
  'reassignment-requested': 'Demande de réattribution',
  'deadline-reminder': 'Rappel d’échéance',
  'deadline-escalation': 'Échéance dépassée',
  'instruction-digest': 'Synthèse de l’instruction',
  'ballot-list-validated': 'Liste des projets validée',
  'ballot-list-reopened': 'Liste des projets rouverte',
};
