import type { EditionConfig } from '../../../shared/edition/edition-config.ts';
import { htmlLayout } from '../../../shared/email/layout.ts';
import type { OutgoingEmail } from '../../../shared/email/mailer.ts';
import { formatFrench } from '../../../shared/time/zoned.ts';

const ACTIONS = {
  pause: { subject: 'Le vote est suspendu', verb: 'a suspendu le vote' },
  resume: { subject: 'Le vote reprend', verb: 'a rouvert le vote' },
  extend: { subject: 'Le vote est prolongé', verb: 'a prolongé le vote' },
} as const;

/** To coordinators and the citizen committee: an admin paused, resumed or extended the vote, and why. */
export function voteWindowChangedEmail(input: {
  to: string;
  config: EditionConfig;
  action: keyof typeof ACTIONS;
  reason: string;
  closesAt: Date;
  changedAt: Date;
  siteUrl: string;
}): OutgoingEmail {
  const zone = input.config.timeZone;
  const { subject: title, verb } = ACTIONS[input.action];
  const subject = `[Budget participatif] ${title}`;
  const paragraphs = [
    'Bonjour,',
    `Le ${formatFrench(input.changedAt, zone)}, l’administration de l’édition « ${input.config.name} » ${verb}.`,
    `Raison indiquée : ${input.reason}`,
    `Clôture du vote : ${formatFrench(input.closesAt, zone)}.`,
    `Espace des équipes : ${input.siteUrl}/staff/`,
  ];
  const footer =
    'Vous recevez ce message parce que vous coordonnez cette édition ou siégez à son comité citoyen.';
  return {
    to: input.to,
    subject,
    text: `${paragraphs.join('\n\n')}\n\n--\n${footer}\n`,
    html: htmlLayout({ title: subject, paragraphs, footer, siteUrl: input.siteUrl }),
  };
}
