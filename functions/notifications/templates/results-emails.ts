import type { EditionConfig } from '../../../shared/edition/edition-config.ts';
import { htmlLayout } from '../../../shared/email/layout.ts';
import type { OutgoingEmail } from '../../../shared/email/mailer.ts';
import type { RealisationUpdated } from '../../../shared/events/catalogue.ts';
import type { DetailOf } from '../../../shared/events/define-event.ts';
import { MILESTONE_LABELS, REALISATION_STATUS_LABELS } from '../../../shared/http/labels.ts';

export type ResultsEmail =
  /** To an author (or co-author credited by a merge) of an idea that became this project. */
  | {
      kind: 'author';
      projectId: string;
      title: string;
      envelope: string;
      selected: boolean;
      /** The counting library's sentence, the same as on the results page. */
      explanation: string;
    }
  /** To a person who asked to be told when the results are published. */
  | { kind: 'news'; winners: number; envelopes: number }
  /** To a follower of a winning project. */
  | {
      kind: 'realisation';
      detail: Pick<
        DetailOf<typeof RealisationUpdated>,
        'projectId' | 'title' | 'status' | 'reason' | 'milestones'
      >;
    };

const frenchDate = (iso: string) =>
  new Intl.DateTimeFormat('fr-FR', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(`${iso}T00:00:00Z`));

/**
 * Results and follow-up emails, in plain French. Titles are staff text and explanations come from the
 * counting library: kept as they are in the text part, escaped in the HTML part by the layout.
 */
export function resultsEmail(input: {
  to: string;
  config: EditionConfig;
  siteUrl: string;
  email: ResultsEmail;
}): OutgoingEmail {
  const { email, config, siteUrl } = input;
  const results = `${siteUrl}/resultats.html`;
  const followUp = `${siteUrl}/suivi.html`;
  const paragraphs = ['Bonjour,'];
  let subject: string;
  let footer: string;
  switch (email.kind) {
    case 'author':
      subject = email.selected
        ? `Votre projet « ${email.title} » est lauréat`
        : `Résultats du vote : votre projet « ${email.title} »`;
      paragraphs.push(
        email.selected
          ? `Bonne nouvelle : le projet « ${email.title} », issu de votre idée, fait partie des lauréats du budget participatif « ${config.name} » (enveloppe « ${email.envelope} »). Il sera financé et réalisé par le Département.`
          : `Les résultats du budget participatif « ${config.name} » sont publiés. Le projet « ${email.title} », issu de votre idée, n’a pas été retenu dans l’enveloppe « ${email.envelope} ».`,
        `Pourquoi : ${email.explanation}`,
        `Tous les résultats, projet par projet, et la façon dont les lauréats ont été choisis : ${results}#projet-${email.projectId}`,
        ...(email.selected
          ? [`Vous pourrez suivre sa réalisation (études, travaux, livraison) : ${followUp}`]
          : ['Merci pour votre participation : sans idées comme la vôtre, il n’y aurait pas de vote.']),
      );
      footer = `Vous recevez ce message parce que vous avez proposé une idée devenue projet au budget participatif « ${config.name} ».`;
      break;
    case 'news':
      subject = 'Les résultats du budget participatif sont publiés';
      paragraphs.push(
        `Les résultats du budget participatif « ${config.name} » sont publiés : ${email.winners} projet${email.winners > 1 ? 's' : ''} lauréat${email.winners > 1 ? 's' : ''} dans ${email.envelopes} enveloppe${email.envelopes > 1 ? 's' : ''}.`,
        `Les découvrir, avec pour chaque projet la raison pour laquelle il a été retenu ou non : ${results}`,
        'Les bulletins anonymisés sont publiés : chacun peut refaire le décompte.',
      );
      footer = `Vous recevez ce message parce que vous avez demandé à être prévenu·e des résultats du budget participatif « ${config.name} ». Ce message n’a aucun lien avec votre bulletin, qui reste secret.`;
      break;
    case 'realisation': {
      const { detail } = email;
      subject = `Suivi du projet « ${detail.title} » : ${REALISATION_STATUS_LABELS[detail.status]}`;
      paragraphs.push(
        `Le projet lauréat « ${detail.title} », que vous suivez, a changé : il est désormais « ${REALISATION_STATUS_LABELS[detail.status]} ».`,
        ...(detail.reason
          ? [detail.status === 'abandonne' ? `Raison : ${detail.reason}` : `Précision : ${detail.reason}`]
          : []),
        ...(detail.milestones.length > 0
          ? [
              `Étapes : ${detail.milestones
                .map(
                  (m) =>
                    `${MILESTONE_LABELS[m.kind]}, ${m.done ? 'étape franchie le' : 'date prévue :'} ${frenchDate(m.date)}`,
                )
                .join(' ; ')}.`,
            ]
          : []),
        `Le suivi de tous les projets lauréats : ${followUp}#projet-${detail.projectId}`,
      );
      footer = `Vous recevez ce message parce que vous suivez ce projet du budget participatif « ${config.name} ». Pour ne plus le suivre, rendez-vous sur la page de suivi.`;
      break;
    }
  }
  const fullSubject = `[Budget participatif] ${subject}`;
  return {
    to: input.to,
    subject: fullSubject,
    text: `${paragraphs.join('\n\n')}\n\n--\n${footer}\n`,
    html: htmlLayout({ title: fullSubject, paragraphs, footer, siteUrl }),
  };
}
