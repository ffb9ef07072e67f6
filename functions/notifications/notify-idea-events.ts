import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import type {
  IdeaChangeRequested,
  IdeaHidden,
  IdeaPublished,
  IdeaSubmitted,
  IdeasMerged,
} from '../../shared/events/catalogue.ts';
import type { DetailOf } from '../../shared/events/define-event.ts';
import type { CitizenContacts } from './citizen-contacts.ts';
import type { IdeaTitles } from './idea-titles.ts';
import type { NotifyDeps } from './notify-phase-changed.ts';
import { type SendOutcome, sendOnce } from './send-once.ts';
import { type IdeaEmail, ideaEmail } from './templates/idea-emails.ts';

export interface NotifyAuthorsDeps extends NotifyDeps {
  contacts: CitizenContacts;
  titles: IdeaTitles;
}

export type AuthorOutcome = SendOutcome | 'no-address';

/**
 * One email per author, once per `reason` and author (`<reason>#citizen:<id>` in the email log: no
 * address is stored outside identity). An author without an address (erased, in person) is skipped.
 */
async function notifyAuthors(
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
  const outcomes: AuthorOutcome[] = [];
  for (const citizenId of new Set(input.authorIds)) {
    const address = await deps.contacts.emailOf(citizenId);
    if (!address) {
      outcomes.push('no-address');
      continue;
    }
    const recipient = `citizen:${citizenId}`;
    outcomes.push(
      await sendOnce(
        deps,
        { key: `${input.reason}#${recipient}`, template: input.template, recipient, eventId: input.eventId },
        ideaEmail({ to: address, config, siteUrl: deps.siteUrl, email: input.email }),
      ),
    );
  }
  return outcomes;
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
