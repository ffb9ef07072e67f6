import { htmlLayout } from '../../../shared/email/layout.ts';
import type { OutgoingEmail } from '../../../shared/email/mailer.ts';

/** To a person verifying their email: the one-time code, valid `validMinutes`. */
export function codeEmail(input: {
  to: string;
  code: string;
  editionName: string;
  validMinutes: number;
}): OutgoingEmail {
  const subject = `[Budget participatif] Votre code de vérification : ${input.code}`;
  const paragraphs = [
    'Bonjour,',
    `Voici votre code pour vérifier votre adresse électronique sur « ${input.editionName} » : ${input.code}`,
    `Ce code est valable ${input.validMinutes} minutes et ne peut servir qu’une fois. Ne le communiquez à personne : nos équipes ne vous le demanderont jamais.`,
    'Si vous n’avez rien demandé, ignorez ce message : sans ce code, personne ne peut utiliser votre adresse.',
  ];
  const footer = 'Message automatique du Budget participatif : merci de ne pas y répondre.';
  return {
    to: input.to,
    subject,
    text: `${paragraphs.join('\n\n')}\n\n--\n${footer}\n`,
    html: htmlLayout({ title: subject, paragraphs, footer }),
  };
}
