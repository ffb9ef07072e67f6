import type { EditionConfig } from '../../../shared/edition/edition-config.ts';
import { htmlLayout } from '../../../shared/email/layout.ts';
import type { OutgoingEmail } from '../../../shared/email/mailer.ts';
import type { CharterRule } from '../../../shared/http/idea-schemas.ts';
import { CHARTER_RULE_LABELS } from '../../../shared/http/labels.ts';

export type IdeaEmail =
  | { kind: 'submitted'; ideaId: string; title: string }
  | { kind: 'published'; ideaId: string; title: string }
  | { kind: 'change-requested'; ideaId: string; title: string; reason: string }
  | { kind: 'hidden'; ideaId: string; title: string; rule: string; reason: string }
  | {
      kind: 'merged';
      ideaId: string;
      title: string;
      intoIdeaId: string;
      intoTitle: string;
      reason: string;
    };

const SUBJECTS: Record<IdeaEmail['kind'], string> = {
  submitted: 'Nous avons bien reçu votre idée',
  published: 'Votre idée est publiée',
  'change-requested': 'Une modification de votre idée est demandée',
  hidden: 'Votre idée a été masquée',
  merged: 'Votre idée a été regroupée avec une idée proche',
};

/**
 * To an author (or a co-author credited by a merge): plain French; the idea's title and the
 * moderator's reason are citizen and staff text, kept as typed in the text part and escaped in the
 * HTML part by the layout (a `<script>` in a title is shown, never run).
 */
export function ideaEmail(input: {
  to: string;
  config: EditionConfig;
  siteUrl: string;
  email: IdeaEmail;
}): OutgoingEmail {
  const { email, config, siteUrl } = input;
  const subject = `[Budget participatif] ${SUBJECTS[email.kind]}`;
  const link = (ideaId: string) => `${siteUrl}/idee.html?id=${encodeURIComponent(ideaId)}`;
  const mine = `${siteUrl}/mes-idees.html`;
  const paragraphs = ['Bonjour,'];
  switch (email.kind) {
    case 'submitted':
      paragraphs.push(
        `Merci ! Votre idée « ${email.title} » est bien déposée dans l’appel à idées « ${config.name} ».`,
        'L’équipe de modération va la relire au regard de la charte de participation ; vous recevrez un message dès qu’elle sera publiée. D’ici la clôture de l’appel à idées, vous pouvez la modifier ou la retirer.',
        `Suivre mes idées : ${mine}`,
      );
      break;
    case 'published':
      paragraphs.push(
        `Votre idée « ${email.title} » est publiée : tout le monde peut désormais la consulter.`,
        `La voir : ${link(email.ideaId)}`,
        'Après la clôture de l’appel à idées, les services du Département l’examineront (recevabilité, faisabilité, coût) ; vous serez informé·e de chaque décision.',
      );
      break;
    case 'change-requested':
      paragraphs.push(
        `L’équipe de modération vous demande de modifier votre idée « ${email.title} » avant de la publier.`,
        `Ce qui est demandé : ${email.reason}`,
        `Modifiez-la depuis vos idées, avant la clôture de l’appel à idées : ${mine}`,
      );
      break;
    case 'hidden': {
      const rule = CHARTER_RULE_LABELS[email.rule as CharterRule] ?? email.rule;
      paragraphs.push(
        `Votre idée « ${email.title} » a été masquée : elle ne respecte pas la charte de participation.`,
        `Règle concernée : ${rule}.`,
        `Explication de l’équipe de modération : ${email.reason}`,
        `Vous pouvez répondre à ce message si vous pensez qu’il s’agit d’une erreur. Vos idées : ${mine}`,
      );
      break;
    }
    case 'merged':
      paragraphs.push(
        `L’idée « ${email.title} » a été regroupée avec l’idée proche « ${email.intoTitle} ». Toutes les personnes qui ont proposé l’une ou l’autre sont créditées sur « ${email.intoTitle} », vous comprise ou compris.`,
        `Raison : ${email.reason}`,
        `L’idée regroupée : ${link(email.intoIdeaId)}`,
      );
      break;
  }
  const footer = `Vous recevez ce message parce que vous avez proposé une idée au budget participatif « ${config.name} ».`;
  return {
    to: input.to,
    subject,
    text: `${paragraphs.join('\n\n')}\n\n--\n${footer}\n`,
    html: htmlLayout({ title: subject, paragraphs, footer, siteUrl }),
  };
}
