import type { EditionConfig } from '../../../shared/edition/edition-config.ts';
import { htmlLayout } from '../../../shared/email/layout.ts';
import type { OutgoingEmail } from '../../../shared/email/mailer.ts';

/** To coordinators: a probable second identity waits for review. No personal data: the link leads to it. */
export function duplicateSuspectedEmail(input: {
  to: string;
  config: EditionConfig;
  reviewId: string;
  siteUrl: string;
}): OutgoingEmail {
  const subject = '[Budget participatif] Doublon possible à examiner';
  const paragraphs = [
    'Bonjour,',
    `Une nouvelle inscription à « ${input.config.name} » ressemble à une identité déjà vérifiée (mêmes nom, prénom, date de naissance et commune). Elle est suspendue et ne peut pas voter tant qu’elle n’a pas été examinée.`,
    `Examinez-la dans l’espace des équipes, puis validez-la ou écartez-la en indiquant la raison : ${input.siteUrl}/staff/#doublons (référence ${input.reviewId}).`,
  ];
  const footer = 'Vous recevez ce message parce que vous coordonnez cette édition du Budget participatif.';
  return {
    to: input.to,
    subject,
    text: `${paragraphs.join('\n\n')}\n\n--\n${footer}\n`,
    html: htmlLayout({ title: subject, paragraphs, footer, siteUrl: input.siteUrl }),
  };
}
