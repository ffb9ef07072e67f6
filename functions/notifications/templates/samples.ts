import type { EditionConfig } from '../../../shared/edition/edition-config.ts';
import type { OutgoingEmail } from '../../../shared/email/mailer.ts';
import { codeEmail } from '../../identity/templates/code-email.ts';
import { receiptEmail } from '../../voting/receipt-email.ts';
import { signedEmailLinks } from '../email-links.ts';
import { duplicateSuspectedEmail } from './duplicate-suspected.ts';
import { ideaEmail } from './idea-emails.ts';
import {
  ballotListEmail,
  deadlineEscalationEmail,
  deadlineReminderEmail,
  decisionVerdictEmail,
  type IdeaDossier,
  ideaAssignedEmail,
  instructionDigestEmail,
  reassignmentRequestedEmail,
} from './instruction-emails.ts';
import { phaseChangedEmail } from './phase-changed.ts';
import { voteOpeningRefusedEmail } from './vote-opening-refused.ts';
import { voteWindowChangedEmail } from './vote-window-changed.ts';

/**
 * Every email of the product rendered with sample data (`npx bp email preview <template>`), so that staff
 * can read each one before it reaches anybody. Links are signed with a preview key, never the real one.
 */
export const PREVIEW_LINK_KEY = 'preview-only-key-not-the-edition-secret';
const SITE = 'https://budget-participatif.example.org';
const NOW = new Date('2023-10-02T07:00:00Z');

type Sample = (config: EditionConfig) => Promise<OutgoingEmail> | OutgoingEmail;

function sampleIdea(config: EditionConfig): IdeaDossier {
  return {
    ideaId: 'idee-0042',
    title: 'Un abri vélo couvert devant le collège',
    description:
      'Installer un abri pour une trentaine de vélos, couvert et éclairé, devant l’entrée du collège, pour que les élèves viennent à vélo toute l’année.',
    territory: config.territories[0]?.id ?? 'territoire',
    theme: config.themes[0]?.id ?? 'theme',
  };
}

const links = () =>
  signedEmailLinks({
    key: async () => PREVIEW_LINK_KEY,
    edition: 'preview',
    siteUrl: SITE,
    now: () => NOW,
    newId: () => 'preview-link',
  });

const service = (config: EditionConfig) => config.services[0];
const contact = (config: EditionConfig) => service(config)?.contacts[0]?.email ?? 'agent@example.org';
const coordinator = (config: EditionConfig) => config.staff.coordinators[0]?.email ?? 'coord@example.org';
const author = 'habitante@example.org';

export const EMAIL_SAMPLES: Readonly<Record<string, Sample>> = {
  'phase-changed': async (config) =>
    phaseChangedEmail({
      to: coordinator(config),
      config,
      from: 'ideas',
      phase: 'instruction',
      changedAt: NOW,
      byStaff: false,
      reason: undefined,
      siteUrl: SITE,
      unsubscribe: await links().unsubscribe(coordinator(config), 'announcements'),
    }),
  'duplicate-suspected': (config) =>
    duplicateSuspectedEmail({ to: coordinator(config), config, reviewId: 'revue-0007', siteUrl: SITE }),
  'vote-opening-refused': (config) =>
    voteOpeningRefusedEmail({
      to: coordinator(config),
      config,
      phase: 'ballot-preparation',
      problems: ['Aucun projet dans l’enveloppe « Vignoble » : personne ne pourrait y voter.'],
      refusedAt: NOW,
      siteUrl: SITE,
    }),
  'vote-window-changed': (config) =>
    voteWindowChangedEmail({
      to: coordinator(config),
      config,
      action: 'extend',
      reason: 'Panne du service de vote pendant deux heures le premier jour.',
      closesAt: new Date('2023-11-20T17:00:00Z'),
      changedAt: NOW,
      siteUrl: SITE,
    }),
  'idea-submitted': (config) =>
    ideaEmail({
      to: author,
      config,
      siteUrl: SITE,
      email: { kind: 'submitted', ideaId: 'idee-0042', title: sampleIdea(config).title },
    }),
  'idea-published': (config) =>
    ideaEmail({
      to: author,
      config,
      siteUrl: SITE,
      email: { kind: 'published', ideaId: 'idee-0042', title: sampleIdea(config).title },
    }),
  'idea-change-requested': (config) =>
    ideaEmail({
      to: author,
      config,
      siteUrl: SITE,
      email: {
        kind: 'change-requested',
        ideaId: 'idee-0042',
        title: sampleIdea(config).title,
        reason: 'Précisez le lieu exact (nom du collège et rue).',
      },
    }),
  'idea-hidden': (config) =>
    ideaEmail({
      to: author,
      config,
      siteUrl: SITE,
      email: {
        kind: 'hidden',
        ideaId: 'idee-0042',
        title: sampleIdea(config).title,
        rule: 'advertising',
        reason: 'L’idée fait la promotion d’une entreprise.',
      },
    }),
  'idea-merged': (config) =>
    ideaEmail({
      to: author,
      config,
      siteUrl: SITE,
      email: {
        kind: 'merged',
        ideaId: 'idee-0042',
        title: sampleIdea(config).title,
        intoIdeaId: 'idee-0017',
        intoTitle: 'Des abris vélos devant les collèges du territoire',
        reason: 'Les deux idées proposent la même chose au même endroit.',
      },
    }),
  'idea-assigned': async (config) =>
    ideaAssignedEmail({
      to: contact(config),
      config,
      serviceId: service(config)?.id ?? 'service',
      idea: sampleIdea(config),
      dueDate: '2023-10-13',
      links: await links().assignment({
        assignmentId: 'affectation-0001',
        ideaId: 'idee-0042',
        recipientEmail: contact(config),
        dueDate: '2023-10-13',
        timeZone: config.timeZone,
      }),
    }),
  'reassignment-requested': (config) =>
    reassignmentRequestedEmail({
      to: coordinator(config),
      config,
      serviceId: service(config)?.id ?? 'service',
      ideaId: 'idee-0042',
      title: sampleIdea(config).title,
      reason: 'Les abords du collège relèvent de la commune, pas de notre direction.',
      siteUrl: SITE,
    }),
  'decision-verdict': (config) =>
    decisionVerdictEmail({
      to: author,
      config,
      siteUrl: SITE,
      ideaId: 'idee-0042',
      title: sampleIdea(config).title,
      outcome: 'retained',
      reasonLabel: config.instruction?.reasons[0]?.label,
      reasonText:
        'Le projet relève de la compétence du Département (collèges), c’est un investissement, et son coût tient dans l’enveloppe du territoire.',
      costEstimate: 45000,
    }),
  'deadline-reminder': (config) =>
    deadlineReminderEmail({
      to: contact(config),
      config,
      serviceId: service(config)?.id ?? 'service',
      idea: sampleIdea(config),
      dueDate: '2023-10-13',
      siteUrl: SITE,
    }),
  'deadline-escalation': (config) =>
    deadlineEscalationEmail({
      to: coordinator(config),
      config,
      serviceId: service(config)?.id ?? 'service',
      ideaId: 'idee-0042',
      title: sampleIdea(config).title,
      dueDate: '2023-10-13',
      siteUrl: SITE,
    }),
  'instruction-digest': async (config) =>
    instructionDigestEmail({
      to: coordinator(config),
      config,
      digestDate: '2023-10-16',
      counts: config.services.slice(0, 3).flatMap((s, i) => [
        { serviceId: s.id, status: 'assigned', count: 3 + i },
        { serviceId: s.id, status: 'decided', count: 7 - i },
      ]),
      overdue: [
        {
          ideaId: 'idee-0042',
          title: sampleIdea(config).title,
          serviceId: service(config)?.id ?? 'service',
          dueDate: '2023-10-13',
        },
      ],
      overdueCount: 1,
      siteUrl: SITE,
      unsubscribe: await links().unsubscribe(coordinator(config), 'digests'),
    }),
  'ballot-list-validated': (config) =>
    ballotListEmail({
      to: coordinator(config),
      config,
      siteUrl: SITE,
      kind: 'validated',
      projectCount: 48,
      listSha256: 'a3f1c9e2b7d4058e6f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70',
      at: NOW,
    }),
  'ballot-list-reopened': (config) =>
    ballotListEmail({
      to: coordinator(config),
      config,
      siteUrl: SITE,
      kind: 'reopened',
      reason: 'Un projet a été retenu par erreur : son coût dépasse le plafond par idée.',
      at: NOW,
    }),
  'identity-code': (config) =>
    codeEmail({ to: author, code: '428613', editionName: config.name, validMinutes: 10 }),
  'vote-receipt': (config) =>
    receiptEmail({ to: author, receipt: 'K7QF-2M9X-PL4D', editionName: config.name, siteUrl: SITE }),
};

export const EMAIL_TEMPLATE_NAMES = Object.keys(EMAIL_SAMPLES).sort();
