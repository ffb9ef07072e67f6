import { htmlLayout } from '../../shared/email/layout.ts';
import type { OutgoingEmail } from '../../shared/email/mailer.ts';

/**
 * To a voter who asked for it on the confirmation screen: their receipt code. It says nothing of the
 * choices (the voter knows them; a mailbox is not a ballot box) and the code stays out of the subject, which
 * mail clients show in lists and notifications.
 */
export function receiptEmail(input: {
  to: string;
  receipt: string;
  editionName: string;
  siteUrl: string;
}): OutgoingEmail {
  const subject = '[Budget participatif] Votre vote est enregistré : votre code de reçu';
  const paragraphs = [
    'Bonjour,',
    `Votre vote pour « ${input.editionName} » est enregistré. Il ne peut plus être modifié.`,
    `Votre code de reçu : ${input.receipt}`,
    `Gardez ce code. Après la publication des résultats, il vous permet de vérifier que votre bulletin a été compté, sur la page « Vérifier mon reçu » : ${input.siteUrl}/recu.html (saisissez le code sur la page : il ne figure jamais dans l’adresse).`,
    'Ce code ne révèle pas vos choix. Ne le communiquez pas : nos équipes ne vous le demanderont jamais.',
  ];
  const footer =
    'Vous recevez ce message parce que vous avez demandé votre code de reçu par courriel en votant. Message automatique : merci de ne pas y répondre.';
  return {
    to: input.to,
    subject,
    text: `${paragraphs.join('\n\n')}\n\n--\n${footer}\n`,
    html: htmlLayout({ title: subject, paragraphs, footer, siteUrl: input.siteUrl }),
  };
}
