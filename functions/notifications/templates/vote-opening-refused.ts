import type { EditionConfig } from '../../../shared/edition/edition-config.ts';
import { PHASE_LABELS, type Phase } from '../../../shared/edition/phases.ts';
import { htmlLayout } from '../../../shared/email/layout.ts';
import type { OutgoingEmail } from '../../../shared/email/mailer.ts';
import { formatFrench } from '../../../shared/time/zoned.ts';

/** To coordinators: the scheduled opening of the vote was refused, the list has unvotable envelopes. */
export function voteOpeningRefusedEmail(input: {
  to: string;
  config: EditionConfig;
  phase: Phase;
  problems: string[];
  refusedAt: Date;
  siteUrl: string;
}): OutgoingEmail {
  const subject = '[Budget participatif] Le vote n’a pas pu ouvrir';
  const paragraphs = [
    'Bonjour,',
    `Le ${formatFrench(input.refusedAt, input.config.timeZone)}, l’ouverture programmée du vote de l’édition « ${input.config.name} » a été refusée : dans au moins une enveloppe, personne ne pourrait voter.`,
    ...input.problems,
    `L’édition reste en phase « ${PHASE_LABELS[input.phase]} ». Complétez la liste des projets, faites-la valider par le Comité citoyen, puis ouvrez le vote depuis l’espace des équipes : ${input.siteUrl}/staff/`,
  ];
  const footer = 'Vous recevez ce message parce que vous coordonnez cette édition.';
  return {
    to: input.to,
    subject,
    text: `${paragraphs.join('\n\n')}\n\n--\n${footer}\n`,
    html: htmlLayout({ title: subject, paragraphs, footer, siteUrl: input.siteUrl }),
  };
}
