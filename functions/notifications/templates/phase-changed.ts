import type { EditionConfig } from '../../../shared/edition/edition-config.ts';
import { PHASE_LABELS, type Phase } from '../../../shared/edition/phases.ts';
import { button, renderEmail, text } from '../../../shared/email/layout.ts';
import type { OutgoingEmail } from '../../../shared/email/mailer.ts';
import { formatFrench } from '../../../shared/time/zoned.ts';

/**
 * To coordinators: the edition entered a new phase (by its calendar, or by an admin with a reason). An
 * announcement: with `unsubscribe`, it carries the signed link and the `List-Unsubscribe` headers.
 */
export function phaseChangedEmail(input: {
  to: string;
  config: EditionConfig;
  from: Phase;
  phase: Phase;
  changedAt: Date;
  byStaff: boolean;
  reason: string | undefined;
  siteUrl: string;
  unsubscribe?: { url: string; headers: { name: string; value: string }[] };
}): OutgoingEmail {
  const label = PHASE_LABELS[input.phase];
  const when = formatFrench(input.changedAt, input.config.timeZone);
  const title = `La phase « ${label} » commence`;
  const staffSpace = `${input.siteUrl}/staff/`;
  const rendered = renderEmail({
    title,
    blocks: [
      text('Bonjour,'),
      text(
        `L’édition « ${input.config.name} » est passée de la phase « ${PHASE_LABELS[input.from]} » à la phase « ${label} » le ${when}.`,
      ),
      text(
        input.byStaff
          ? `Ce changement a été fait depuis l’espace d’administration. Raison indiquée : ${input.reason ?? 'non précisée'}.`
          : 'Ce changement suit le calendrier de l’édition.',
      ),
      button('Espace des équipes', staffSpace),
    ],
    footer: 'Vous recevez ce message parce que vous coordonnez cette édition du Budget participatif.',
    ...(input.unsubscribe ? { unsubscribeUrl: input.unsubscribe.url } : {}),
  });
  return {
    to: input.to,
    subject: `[Budget participatif] ${title}`,
    ...rendered,
    ...(input.unsubscribe ? { headers: input.unsubscribe.headers } : {}),
  };
}
