import type { EditionConfig } from '../../../shared/edition/edition-config.ts';
import { PHASE_LABELS, type Phase } from '../../../shared/edition/phases.ts';
import { htmlLayout } from '../../../shared/email/layout.ts';
import type { OutgoingEmail } from '../../../shared/email/mailer.ts';
import { formatFrench } from '../../../shared/time/zoned.ts';

/** To coordinators: the edition entered a new phase (by its calendar, or by an admin with a reason). */
export function phaseChangedEmail(input: {
  to: string;
  config: EditionConfig;
  from: Phase;
  phase: Phase;
  changedAt: Date;
  byStaff: boolean;
  reason: string | undefined;
  siteUrl: string;
}): OutgoingEmail {
  const label = PHASE_LABELS[input.phase];
  const when = formatFrench(input.changedAt, input.config.timeZone);
  const subject = `[Budget participatif] La phase « ${label} » commence`;
  const paragraphs = [
    'Bonjour,',
    `L’édition « ${input.config.name} » est passée de la phase « ${PHASE_LABELS[input.from]} » à la phase « ${label} » le ${when}.`,
    input.byStaff
      ? `Ce changement a été fait depuis l’espace d’administration. Raison indiquée : ${input.reason ?? 'non précisée'}.`
      : 'Ce changement suit le calendrier de l’édition.',
    `Espace des équipes : ${input.siteUrl}/staff/`,
  ];
  const footer = 'Vous recevez ce message parce que vous coordonnez cette édition du Budget participatif.';
  return {
    to: input.to,
    subject,
    text: `${paragraphs.join('\n\n')}\n\n--\n${footer}\n`,
    html: htmlLayout({ title: subject, paragraphs, footer }),
  };
}
