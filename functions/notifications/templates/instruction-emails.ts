import type { ActionLinkAction } from '../../../shared/auth/action-links.ts';
import type { EditionConfig } from '../../../shared/edition/edition-config.ts';
import { button, type EmailBlock, facts, list, renderEmail, text } from '../../../shared/email/layout.ts';
import type { OutgoingEmail } from '../../../shared/email/mailer.ts';
import type { DecisionRecorded } from '../../../shared/events/catalogue.ts';
import type { DetailOf } from '../../../shared/events/define-event.ts';
import { ASSIGNMENT_STATUS_LABELS } from '../../../shared/http/labels.ts';
import { formatFrench } from '../../../shared/time/zoned.ts';

/**
 * The emails of the instruction (issue 5), in French, HTML and text from the same blocks. Staff emails
 * name the idea (title, summary, territory, theme) and never its authors; authors get the verdict and
 * its reason in plain words. Citizen and staff text is escaped by the layout in the HTML part.
 */

const PREFIX = '[Budget participatif]';

/** What instructors need to examine an idea: never who proposed it. */
export interface IdeaDossier {
  ideaId: string;
  title: string;
  description: string;
  territory: string;
  theme: string;
}

const SUMMARY_LENGTH = 600;

export function summaryOf(description: string): string {
  const flat = description.replace(/\s+/g, ' ').trim();
  return flat.length <= SUMMARY_LENGTH ? flat : `${flat.slice(0, SUMMARY_LENGTH - 1).trimEnd()}…`;
}

/** `2023-10-13` → `vendredi 13 octobre 2023` (a calendar day, whatever the zone). */
export function frenchDate(day: string): string {
  return new Intl.DateTimeFormat('fr-FR', { dateStyle: 'full', timeZone: 'UTC' }).format(
    new Date(`${day}T12:00:00Z`),
  );
}

const territoryName = (config: EditionConfig, id: string) =>
  config.territories.find((t) => t.id === id)?.name ?? id;
const themeName = (config: EditionConfig, id: string) => config.themes.find((t) => t.id === id)?.name ?? id;
export const serviceName = (config: EditionConfig, id: string) =>
  config.services.find((s) => s.id === id)?.name ?? id;

export const dossierUrl = (siteUrl: string, ideaId: string) =>
  `${siteUrl}/staff/dossier.html?id=${encodeURIComponent(ideaId)}`;

function email(
  to: string,
  subject: string,
  blocks: EmailBlock[],
  footer: string,
  unsubscribe?: { url: string; headers: { name: string; value: string }[] },
): OutgoingEmail {
  const fullSubject = `${PREFIX} ${subject}`;
  const rendered = renderEmail({
    title: subject,
    blocks,
    footer,
    ...(unsubscribe ? { unsubscribeUrl: unsubscribe.url } : {}),
  });
  return {
    to,
    subject: fullSubject,
    ...rendered,
    ...(unsubscribe ? { headers: unsubscribe.headers } : {}),
  };
}

const dossierFacts = (config: EditionConfig, idea: IdeaDossier, dueDate?: string) =>
  facts([
    ['Idée', idea.title],
    ['Résumé', summaryOf(idea.description)],
    ['Territoire', territoryName(config, idea.territory)],
    ['Thème', themeName(config, idea.theme)],
    ...(dueDate ? ([['Avis attendu le', frenchDate(dueDate)]] as const) : []),
  ]);

const SERVICE_FOOTER = (config: EditionConfig, service: string) =>
  `Vous recevez ce message parce que vous êtes contact du service « ${service} » pour le budget participatif « ${config.name} ».`;
const COORDINATOR_FOOTER =
  'Vous recevez ce message parce que vous coordonnez cette édition du Budget participatif.';

/** To each contact of the assigned service: the dossier and three signed links bound to this contact. */
export function ideaAssignedEmail(input: {
  to: string;
  config: EditionConfig;
  serviceId: string;
  idea: IdeaDossier;
  dueDate: string;
  links: Record<ActionLinkAction, string>;
}): OutgoingEmail {
  const service = serviceName(input.config, input.serviceId);
  return email(
    input.to,
    `Nouvelle idée à instruire : « ${input.idea.title} »`,
    [
      text('Bonjour,'),
      text(
        `La coordination du budget participatif « ${input.config.name} » confie au service « ${service} » l’instruction de l’idée ci-dessous : recevabilité, faisabilité et coût estimé, chaque avis avec sa raison.`,
      ),
      dossierFacts(input.config, input.idea, input.dueDate),
      button('Ouvrir le dossier', input.links.open),
      button('J’accepte cette instruction', input.links.accept),
      button('Demander une réattribution', input.links.reassign),
      text(
        `Ces liens sont personnels : ils ne fonctionnent que pour vous, une seule fois chacun, après connexion à l’espace des équipes, et expirent au plus tard une semaine après la date attendue. Si cette idée ne relève pas de votre service, demandez une réattribution en expliquant pourquoi.`,
      ),
    ],
    SERVICE_FOOTER(input.config, service),
  );
}

/** To coordinators: a service asks that an assignment go to another service, and why. */
export function reassignmentRequestedEmail(input: {
  to: string;
  config: EditionConfig;
  serviceId: string;
  ideaId: string;
  title: string;
  reason: string;
  siteUrl: string;
}): OutgoingEmail {
  const service = serviceName(input.config, input.serviceId);
  return email(
    input.to,
    `Demande de réattribution : « ${input.title} »`,
    [
      text('Bonjour,'),
      text(
        `Le service « ${service} » demande que l’idée « ${input.title} » soit confiée à un autre service.`,
      ),
      text(`Raison indiquée : ${input.reason}`),
      button('Voir le dossier et réattribuer', dossierUrl(input.siteUrl, input.ideaId)),
    ],
    COORDINATOR_FOOTER,
  );
}

type Outcome = DetailOf<typeof DecisionRecorded>['outcome'];

const VERDICTS: Record<Outcome, { subject: string; decided: string; next: string }> = {
  admissible: {
    subject: 'Votre idée est recevable',
    decided: 'est recevable : elle respecte les règles du budget participatif',
    next: 'Prochaine étape : les services du Département étudient sa faisabilité et estiment son coût. Vous recevrez un message à la prochaine décision.',
  },
  'not-admissible': {
    subject: 'Votre idée n’est pas recevable',
    decided: 'n’est pas recevable',
    next: 'Elle ne sera donc pas soumise au vote. Vous pouvez répondre à ce message si vous avez une question, ou proposer une autre idée lors d’un prochain appel à idées.',
  },
  feasible: {
    subject: 'Votre idée est faisable',
    decided: 'est jugée faisable par les services du Département',
    next: 'Prochaine étape : la liste des projets soumis au vote est arrêtée puis validée par le Comité citoyen. Vous serez informé·e.',
  },
  'not-feasible': {
    subject: 'Votre idée n’est pas faisable',
    decided: 'n’est pas jugée faisable par les services du Département',
    next: 'Elle ne sera donc pas soumise au vote. Vous pouvez répondre à ce message si vous avez une question.',
  },
  retained: {
    subject: 'Votre idée devient un projet soumis au vote',
    decided: 'est retenue : elle devient un projet soumis au vote des habitantes et habitants',
    next: 'Prochaine étape : le vote. Parlez-en autour de vous !',
  },
  merged: {
    subject: 'Votre idée est regroupée avec une idée proche',
    decided: 'est regroupée avec une idée proche, examinée désormais avec elle',
    next: 'Vous restez crédité·e sur l’idée regroupée et serez informé·e des décisions qui la concernent.',
  },
};

/** To each author: the consolidated verdict on their idea, what it means, why, and what comes next. */
export function decisionVerdictEmail(input: {
  to: string;
  config: EditionConfig;
  siteUrl: string;
  ideaId: string;
  title: string;
  outcome: Outcome;
  reasonLabel: string | undefined;
  reasonText: string;
  costEstimate: number | undefined;
  mergeInto?: { ideaId: string; title: string };
}): OutgoingEmail {
  const verdict = VERDICTS[input.outcome];
  const blocks: EmailBlock[] = [
    text('Bonjour,'),
    text(`Votre idée « ${input.title} » ${verdict.decided}.`),
    text(`Pourquoi : ${input.reasonLabel ? `${input.reasonLabel}. ` : ''}${input.reasonText}`),
  ];
  if (input.costEstimate !== undefined && ['feasible', 'retained'].includes(input.outcome)) {
    blocks.push(
      text(
        `Coût estimé par les services : ${new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR', maximumFractionDigits: 0 }).format(input.costEstimate)}.`,
      ),
    );
  }
  if (input.mergeInto) {
    blocks.push(text(`Idée regroupée : « ${input.mergeInto.title} »`));
    blocks.push(
      button(
        'Voir l’idée regroupée',
        `${input.siteUrl}/idee.html?id=${encodeURIComponent(input.mergeInto.ideaId)}`,
      ),
    );
  } else {
    blocks.push(button('Voir mon idée', `${input.siteUrl}/idee.html?id=${encodeURIComponent(input.ideaId)}`));
  }
  blocks.push(text(verdict.next));
  return email(
    input.to,
    verdict.subject,
    blocks,
    `Vous recevez ce message parce que vous avez proposé une idée au budget participatif « ${input.config.name} ».`,
  );
}

/** To each contact of the service: an opinion is due in three working days. */
export function deadlineReminderEmail(input: {
  to: string;
  config: EditionConfig;
  serviceId: string;
  idea: IdeaDossier;
  dueDate: string;
  siteUrl: string;
}): OutgoingEmail {
  const service = serviceName(input.config, input.serviceId);
  return email(
    input.to,
    `Rappel : avis attendu le ${frenchDate(input.dueDate)}`,
    [
      text('Bonjour,'),
      text(
        `L’avis du service « ${service} » sur l’idée « ${input.idea.title} » est attendu dans trois jours ouvrés, le ${frenchDate(input.dueDate)}.`,
      ),
      dossierFacts(input.config, input.idea, input.dueDate),
      button('Ouvrir le dossier', dossierUrl(input.siteUrl, input.idea.ideaId)),
      text('Si vous avez besoin de plus de temps, prévenez la coordination en répondant à ce message.'),
    ],
    SERVICE_FOOTER(input.config, service),
  );
}

/** To coordinators: a service missed its due date. */
export function deadlineEscalationEmail(input: {
  to: string;
  config: EditionConfig;
  serviceId: string;
  ideaId: string;
  title: string;
  dueDate: string;
  siteUrl: string;
}): OutgoingEmail {
  const service = serviceName(input.config, input.serviceId);
  return email(
    input.to,
    `Échéance dépassée : « ${input.title} »`,
    [
      text('Bonjour,'),
      text(
        `Le service « ${service} » n’a pas rendu son avis sur l’idée « ${input.title} », attendu le ${frenchDate(input.dueDate)}.`,
      ),
      text('Vous pouvez relancer le service, prolonger l’échéance ou confier l’idée à un autre service.'),
      button('Voir le dossier', dossierUrl(input.siteUrl, input.ideaId)),
    ],
    COORDINATOR_FOOTER,
  );
}

/** To coordinators, once a day: counts per service and status, and what is overdue. Non-essential. */
export function instructionDigestEmail(input: {
  to: string;
  config: EditionConfig;
  digestDate: string;
  counts: readonly { serviceId: string; status: string; count: number }[];
  /** The overdue assignments to list (at most 50 are shown), and how many there are in all. */
  overdue: readonly { ideaId: string; title: string; serviceId: string; dueDate: string }[];
  overdueCount: number;
  siteUrl: string;
  unsubscribe: { url: string; headers: { name: string; value: string }[] };
}): OutgoingEmail {
  const { config } = input;
  const labels = ASSIGNMENT_STATUS_LABELS as Record<string, string>;
  const services = [...new Set(input.counts.map((c) => c.serviceId))];
  const rows = services.map((serviceId) => {
    const parts = input.counts
      .filter((c) => c.serviceId === serviceId)
      .map((c) => `${labels[c.status] ?? c.status} : ${c.count}`);
    return [serviceName(config, serviceId), parts.join(' · ')] as const;
  });
  const shown = input.overdue.slice(0, 50);
  const blocks: EmailBlock[] = [
    text('Bonjour,'),
    text(
      `Voici le point de l’instruction du budget participatif « ${config.name} » au ${frenchDate(input.digestDate)}.`,
    ),
    rows.length > 0 ? facts(rows) : text('Aucune idée n’est en cours d’instruction.'),
  ];
  if (shown.length > 0) {
    blocks.push(text(`En retard (${input.overdueCount}) :`));
    blocks.push(
      list(
        shown.map(
          (o) =>
            `« ${o.title} » — ${serviceName(config, o.serviceId)}, avis attendu le ${frenchDate(o.dueDate)}`,
        ),
      ),
    );
    if (input.overdueCount > shown.length) {
      blocks.push(text(`… et ${input.overdueCount - shown.length} autres, dans le tableau de bord.`));
    }
  } else {
    blocks.push(text('Aucune échéance dépassée.'));
  }
  blocks.push(button('Tableau de bord de l’instruction', `${input.siteUrl}/staff/`));
  return email(
    input.to,
    `Point de l’instruction du ${frenchDate(input.digestDate)}`,
    blocks,
    COORDINATOR_FOOTER,
    input.unsubscribe,
  );
}

/** To coordinators, admins and the committee: the list put to the vote was validated, or reopened. */
export function ballotListEmail(
  input: {
    to: string;
    config: EditionConfig;
    siteUrl: string;
  } & (
    | { kind: 'validated'; projectCount: number; listSha256: string; at: Date }
    | { kind: 'reopened'; reason: string; at: Date }
  ),
): OutgoingEmail {
  const when = formatFrench(input.at, input.config.timeZone);
  const blocks: EmailBlock[] = [text('Bonjour,')];
  let subject: string;
  if (input.kind === 'validated') {
    subject = 'La liste des projets soumis au vote est validée';
    blocks.push(
      text(
        `Le Comité citoyen a validé le ${when} la liste des ${input.projectCount} projets soumis au vote du budget participatif « ${input.config.name} ». La liste est désormais figée ; elle ne peut être rouverte que par une décision motivée et tracée.`,
      ),
      facts([['Empreinte SHA-256 de la liste', input.listSha256]]),
    );
  } else {
    subject = 'La liste des projets soumis au vote est rouverte';
    blocks.push(
      text(
        `La liste des projets soumis au vote du budget participatif « ${input.config.name} » a été rouverte le ${when}. Elle devra être validée à nouveau par le Comité citoyen.`,
      ),
      text(`Raison indiquée : ${input.reason}`),
    );
  }
  blocks.push(button('Espace des équipes', `${input.siteUrl}/staff/`));
  return email(
    input.to,
    subject,
    blocks,
    'Vous recevez ce message parce que vous coordonnez, administrez cette édition du Budget participatif ou siégez à son Comité citoyen.',
  );
}
