import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import type {
  IdeaChangeRequested,
  IdeaHidden,
  IdeaPublished,
  IdeaSubmitted,
  IdeasMerged,
} from '../../shared/events/catalogue.ts';
import type { DetailOf } from '../../shared/events/define-event.ts';
import type { CitizenContacts } from '../../shared/identity/citizen-contacts.ts';
import type { IdeaTitles } from './idea-titles.ts';
import type { NotifyDeps } from './notify-phase-changed.ts';
import { type SendOutcome, sendToCitizens } from './send-once.ts';
import { type IdeaEmail, ideaEmail } from './templates/idea-emails.ts';

export interface NotifyAuthorsDeps extends NotifyDeps {
  contacts: CitizenContacts;
  titles: IdeaTitles;
}

export type AuthorOutcome = SendOutcome | 'no-address';

/** One email per author, once per `reason` and author (see `sendToCitizens`). */
function notifyAuthors(
  deps: NotifyAuthorsDeps,
  config: EditionConfig,
  input: {
    reason: string;
    template: string;
    authorIds: readonly string[];
    eventId: string;
    email: IdeaEmail;
  },
): Promise<AuthorOutcome[]> {
  return sendToCitizens(
    deps,
    { citizenIds: input.authorIds, reason: input.reason, template: input.template, eventId: input.eventId },
    (address) => ideaEmail({ to: address, config, siteUrl: deps.siteUrl, email: input.email }),
  );
}

const titleOf = async (deps: NotifyAuthorsDeps, ideaId: string) =>
  (await deps.titles.titleOf(ideaId)) ?? `idée ${ideaId}`;

/** Acknowledges a submission to its author, once per idea. */
export async function notifyIdeaSubmitted(
  deps: NotifyAuthorsDeps,
  config: EditionConfig,
  detail: DetailOf<typeof IdeaSubmitted>,
  eventId: string,
) {
  return notifyAuthors(deps, config, {
    reason: `IdeaSubmitted#${detail.ideaId}`,
    template: 'idea-submitted',
    authorIds: [detail.authorId],
    eventId,
    email: { kind: 'submitted', ideaId: detail.ideaId, title: await titleOf(deps, detail.ideaId) },
  });
}

/** Tells every author their idea is public, once per idea and author (a re-publication says nothing). */
export async function notifyIdeaPublished(
  deps: NotifyAuthorsDeps,
  config: EditionConfig,
  detail: DetailOf<typeof IdeaPublished>,
  eventId: string,
) {
  return notifyAuthors(deps, config, {
    reason: `IdeaPublished#${detail.ideaId}`,
    template: 'idea-published',
    authorIds: detail.authorIds,
    eventId,
    email: { kind: 'published', ideaId: detail.ideaId, title: await titleOf(deps, detail.ideaId) },
  });
}

/** Sends the moderator's change request to every author, once per request and author. */
export async function notifyIdeaChangeRequested(
  deps: NotifyAuthorsDeps,
  config: EditionConfig,
  detail: DetailOf<typeof IdeaChangeRequested>,
  eventId: string,
) {
  return notifyAuthors(deps, config, {
    reason: `IdeaChangeRequested#${detail.moderationId}`,
    template: 'idea-change-requested',
    authorIds: detail.authorIds,
    eventId,
    email: {
      kind: 'change-requested',
      ideaId: detail.ideaId,
      title: await titleOf(deps, detail.ideaId),
      reason: detail.reason,
    },
  });
}

/** Tells every author their idea was hidden, the charter rule and the reason; once per decision and author. */
export async function notifyIdeaHidden(
  deps: NotifyAuthorsDeps,
  config: EditionConfig,
  detail: DetailOf<typeof IdeaHidden>,
  eventId: string,
) {
  return notifyAuthors(deps, config, {
    reason: `IdeaHidden#${detail.moderationId}`,
    template: 'idea-hidden',
    authorIds: detail.authorIds,
    eventId,
    email: {
      kind: 'hidden',
      ideaId: detail.ideaId,
      title: await titleOf(deps, detail.ideaId),
      rule: detail.rule,
      reason: detail.reason,
    },
  });
}

/** Tells every author credited on the remaining idea about the merge; once per merge and author. */
export async function notifyIdeasMerged(
  deps: NotifyAuthorsDeps,
  config: EditionConfig,
  detail: DetailOf<typeof IdeasMerged>,
  eventId: string,
) {
  return notifyAuthors(deps, config, {
    reason: `IdeasMerged#${detail.moderationId}`,
    template: 'ideas-merged',
    authorIds: detail.authorIds,
    eventId,
    email: {
      kind: 'merged',
      ideaId: detail.mergedIdeaId,
      title: await titleOf(deps, detail.mergedIdeaId),
      intoIdeaId: detail.intoIdeaId,
      intoTitle: await titleOf(deps, detail.intoIdeaId),
      reason: detail.reason,
    },
  });
}
