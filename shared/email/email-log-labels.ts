/** Statuses of the email log and their French labels: plain data, also bundled into the staff page (no zod). */
export const EMAIL_LOG_STATUSES = ['sending', 'sent', 'failed', 'suppressed'] as const;
export type EmailLogStatus = (typeof EMAIL_LOG_STATUSES)[number];

export const EMAIL_LOG_STATUS_LABELS: Record<EmailLogStatus, string> = {
  sending: 'En cours d’envoi',
  sent: 'Envoyé',
  failed: 'Échec',
  suppressed: 'Non envoyé (adresse bloquée ou désabonnée)',
};
