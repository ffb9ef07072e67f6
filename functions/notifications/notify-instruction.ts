import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import type {
  BallotListReopened,
  BallotListValidated,
  DeadlineApproaching,
  DeadlineMissed,
  DecisionRecorded,
  IdeaAssigned,
  InstructionDigestReady,
  ReassignmentRequested,
} from '../../shared/events/catalogue.ts';
import type { DetailOf } from '../../shared/events/define-event.ts';
import type { CitizenContacts } from '../../shared/identity/citizen-contacts.ts';
import type { EmailLinks } from './email-links.ts';
import type { IdeaDossiers } from './idea-dossiers.ts';
import type { IdeaTitles } from './idea-titles.ts';
import type { NotifyDeps } from './notify-phase-changed.ts';
import { type SendOutcome, sendToCitizens, sendToStaff } from './send-once.ts';
import {
  ballotListEmail,
  deadlineEscalationEmail,
  deadlineReminderEmail,
  decisionVerdictEmail,
  type IdeaDossier,
  ideaAssignedEmail,
  instructionDigestEmail,
  reassignmentRequestedEmail,
} from './templates/instruction-emails.ts';

export interface NotifyInstructionDeps extends NotifyDeps {
  contacts: CitizenContacts;
  titles: IdeaTitles;
  dossiers: IdeaDossiers;
  links: EmailLinks;
}

export type InstructionOutcome = SendOutcome | 'no-address';

function serviceContacts(config: EditionConfig, serviceId: string) {
  const service = config.services.find((s) => s.id === serviceId);
  // An event names a service of this edition (instruction checks it); anything else is a wiring bug.
  if (!service) throw new Error(`Unknown service ${serviceId} in edition ${config.id}`);
  return service.contacts.map((c) => c.email);
}

const coordinators = (config: EditionConfig) => config.staff.coordinators.map((c) => c.email);

async function dossier(deps: NotifyInstructionDeps, ideaId: string): Promise<IdeaDossier> {
  const found = await deps.dossiers.dossierOf(ideaId);
  // Retried, then parked in the DLQ: an assignment email without its dossier would be useless.
  if (!found) throw new Error(`Idea ${ideaId} not found for an instruction email`);
  return found;
}

const titleOf = async (deps: NotifyInstructionDeps, ideaId: string) =>
  (await deps.titles.titleOf(ideaId)) ?? `idée ${ideaId}`;

/**
 * Sends each contact of the assigned service the dossier and its three signed links (open, accept, ask to
 * reassign), bound to that contact; once per assignment and contact.
 */
export async function notifyIdeaAssigned(
  deps: NotifyInstructionDeps,
  config: EditionConfig,
  detail: DetailOf<typeof IdeaAssigned>,
  eventId: string,
): Promise<SendOutcome[]> {
  const idea = await dossier(deps, detail.ideaId);
  return sendToStaff(
    deps,
    {
      addresses: serviceContacts(config, detail.serviceId),
      reason: `IdeaAssigned#${detail.assignmentId}`,
      template: 'idea-assigned',
      eventId,
    },
    async (to) =>
      ideaAssignedEmail({
        to,
        config,
        serviceId: detail.serviceId,
        idea,
        dueDate: detail.dueDate,
        links: await deps.links.assignment({
          assignmentId: detail.assignmentId,
          ideaId: detail.ideaId,
          recipientEmail: to,
          dueDate: detail.dueDate,
          timeZone: config.timeZone,
        }),
      }),
  );
}

/** Tells coordinators a service asks for a reassignment; once per request and coordinator. */
export async function notifyReassignmentRequested(
  deps: NotifyInstructionDeps,
  config: EditionConfig,
  detail: DetailOf<typeof ReassignmentRequested>,
  eventId: string,
): Promise<SendOutcome[]> {
  const title = await titleOf(deps, detail.ideaId);
  return sendToStaff(
    deps,
    {
      addresses: coordinators(config),
      reason: `ReassignmentRequested#${detail.assignmentId}#${detail.requestedAt}`,
      template: 'reassignment-requested',
      eventId,
    },
    (to) =>
      reassignmentRequestedEmail({
        to,
        config,
        serviceId: detail.serviceId,
        ideaId: detail.ideaId,
        title,
        reason: detail.reason,
        siteUrl: deps.siteUrl,
      }),
  );
}

/**
 * Tells each author the consolidated verdict on their idea (a service's opinion alone tells them nothing);
 * once per decision and author. Essential mail: no unsubscribe link.
 */
export async function notifyDecisionRecorded(
  deps: NotifyInstructionDeps,
  config: EditionConfig,
  detail: DetailOf<typeof DecisionRecorded>,
  eventId: string,
): Promise<InstructionOutcome[]> {
  if (detail.scope !== 'verdict') return [];
  const title = await titleOf(deps, detail.ideaId);
  const mergeInto = detail.mergeInto
    ? { ideaId: detail.mergeInto, title: await titleOf(deps, detail.mergeInto) }
    : undefined;
  const reasonLabel = config.instruction?.reasons.find((r) => r.id === detail.reasonCode)?.label;
  return sendToCitizens(
    deps,
    {
      citizenIds: detail.authorIds,
      reason: `DecisionRecorded#${detail.decisionId}`,
      template: 'decision-verdict',
      eventId,
    },
    (address) =>
      decisionVerdictEmail({
        to: address,
        config,
        siteUrl: deps.siteUrl,
        ideaId: detail.ideaId,
        title,
        outcome: detail.outcome,
        reasonLabel,
        reasonText: detail.reasonText,
        costEstimate: detail.costEstimate,
        ...(mergeInto ? { mergeInto } : {}),
      }),
  );
}

/**
 * Reminds the service's contacts that an opinion is due in three working days. Keyed on the assignment and
 * its due date, not on the event: a schedule run twice (two events) sends once; a new due date reminds again.
 */
export async function notifyDeadlineApproaching(
  deps: NotifyInstructionDeps,
  config: EditionConfig,
  detail: DetailOf<typeof DeadlineApproaching>,
  eventId: string,
): Promise<SendOutcome[]> {
  const idea = await dossier(deps, detail.ideaId);
  return sendToStaff(
    deps,
    {
      addresses: serviceContacts(config, detail.serviceId),
      reason: `DeadlineApproaching#${detail.assignmentId}#${detail.dueDate}`,
      template: 'deadline-reminder',
      eventId,
    },
    (to) =>
      deadlineReminderEmail({
        to,
        config,
        serviceId: detail.serviceId,
        idea,
        dueDate: detail.dueDate,
        siteUrl: deps.siteUrl,
      }),
  );
}

/** Escalates a missed due date to the coordinators; once per assignment, due date and coordinator. */
export async function notifyDeadlineMissed(
  deps: NotifyInstructionDeps,
  config: EditionConfig,
  detail: DetailOf<typeof DeadlineMissed>,
  eventId: string,
): Promise<SendOutcome[]> {
  const title = await titleOf(deps, detail.ideaId);
  return sendToStaff(
    deps,
    {
      addresses: coordinators(config),
      reason: `DeadlineMissed#${detail.assignmentId}#${detail.dueDate}`,
      template: 'deadline-escalation',
      eventId,
    },
    (to) =>
      deadlineEscalationEmail({
        to,
        config,
        serviceId: detail.serviceId,
        ideaId: detail.ideaId,
        title,
        dueDate: detail.dueDate,
        siteUrl: deps.siteUrl,
      }),
  );
}

/** The coordinators' daily digest, once per Paris day and coordinator; non-essential (list `digests`). */
export async function notifyInstructionDigest(
  deps: NotifyInstructionDeps,
  config: EditionConfig,
  detail: DetailOf<typeof InstructionDigestReady>,
  eventId: string,
): Promise<SendOutcome[]> {
  const overdue = await Promise.all(
    detail.overdue.slice(0, 50).map(async (o) => ({ ...o, title: await titleOf(deps, o.ideaId) })),
  );
  return sendToStaff(
    deps,
    {
      addresses: coordinators(config),
      reason: `InstructionDigestReady#${detail.digestDate}`,
      template: 'instruction-digest',
      eventId,
    },
    async (to) =>
      instructionDigestEmail({
        to,
        config,
        digestDate: detail.digestDate,
        counts: detail.counts,
        overdue,
        overdueCount: detail.overdue.length,
        siteUrl: deps.siteUrl,
        unsubscribe: await deps.links.unsubscribe(to, 'digests'),
      }),
    { list: 'digests' },
  );
}

const ballotListRecipients = (config: EditionConfig) =>
  [...config.staff.coordinators, ...config.staff.admins, ...config.staff.committee].map((c) => c.email);

/** Tells coordinators, admins and the committee that the ballot list is validated (frozen); once each. */
export async function notifyBallotListValidated(
  deps: NotifyInstructionDeps,
  config: EditionConfig,
  detail: DetailOf<typeof BallotListValidated>,
  eventId: string,
): Promise<SendOutcome[]> {
  return sendToStaff(
    deps,
    {
      addresses: ballotListRecipients(config),
      reason: `BallotListValidated#${detail.validationId}`,
      template: 'ballot-list-validated',
      eventId,
    },
    (to) =>
      ballotListEmail({
        to,
        config,
        siteUrl: deps.siteUrl,
        kind: 'validated',
        projectCount: detail.projectIds.length,
        listSha256: detail.listSha256,
        at: new Date(detail.validatedAt),
      }),
  );
}

/** Tells the same people that the list was reopened, and why; once per reopening and recipient. */
export async function notifyBallotListReopened(
  deps: NotifyInstructionDeps,
  config: EditionConfig,
  detail: DetailOf<typeof BallotListReopened>,
  eventId: string,
): Promise<SendOutcome[]> {
  return sendToStaff(
    deps,
    {
      addresses: ballotListRecipients(config),
      reason: `BallotListReopened#${detail.reopeningId}`,
      template: 'ballot-list-reopened',
      eventId,
    },
    (to) =>
      ballotListEmail({
        to,
        config,
        siteUrl: deps.siteUrl,
        kind: 'reopened',
        reason: detail.reason,
        at: new Date(detail.reopenedAt),
      }),
  );
}
