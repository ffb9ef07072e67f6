import type { EditionStore } from '../../shared/edition/edition-store.ts';
import type { Mailer } from '../../shared/email/mailer.ts';
import {
  DuplicateSuspected,
  IdeaChangeRequested,
  IdeaHidden,
  IdeaPublished,
  IdeaSubmitted,
  IdeasMerged,
  PhaseChanged,
  VoteWindowChanged,
} from '../../shared/events/catalogue.ts';
import { eventHandler, on } from '../../shared/events/event-handler.ts';
import { lambdaEntry } from '../../shared/lambda/entry.ts';
import type { Logger } from '../../shared/logging/logger.ts';
import type { CitizenContacts } from './citizen-contacts.ts';
import type { EmailLog } from './email-log-repository.ts';
import type { IdeaTitles } from './idea-titles.ts';
import { notifyDuplicateSuspected } from './notify-duplicate-suspected.ts';
import {
  notifyIdeaChangeRequested,
  notifyIdeaHidden,
  notifyIdeaPublished,
  notifyIdeaSubmitted,
  notifyIdeasMerged,
} from './notify-idea-events.ts';
import { notifyPhaseChanged } from './notify-phase-changed.ts';
import { notifyVoteWindowChanged } from './notify-vote-window-changed.ts';

export interface NotificationsDeps {
  editions: EditionStore;
  log: EmailLog;
  mailer: Mailer;
  logger: Logger;
  now: () => Date;
  siteUrl: string;
  /** Citizens' addresses, read from their identity item at send time (events carry ids only). */
  contacts: CitizenContacts;
  titles: IdeaTitles;
}

export function makeHandler(deps: NotificationsDeps) {
  const events = eventHandler({
    logger: deps.logger,
    routes: [
      on(PhaseChanged, async (detail, envelope) => {
        const outcomes = await notifyPhaseChanged(deps, await deps.editions.get(), detail, envelope.id);
        deps.logger.info('phase change notified', { changeId: detail.changeId, outcomes });
      }),
      on(DuplicateSuspected, async (detail, envelope) => {
        const outcomes = await notifyDuplicateSuspected(deps, await deps.editions.get(), detail, envelope.id);
        deps.logger.info('duplicate review notified', { reviewId: detail.reviewId, outcomes });
      }),
      on(VoteWindowChanged, async (detail, envelope) => {
        const outcomes = await notifyVoteWindowChanged(deps, await deps.editions.get(), detail, envelope.id);
        deps.logger.info('vote window change notified', { changeId: detail.changeId, outcomes });
      }),
      on(IdeaSubmitted, async (detail, envelope) => {
        const outcomes = await notifyIdeaSubmitted(deps, await deps.editions.get(), detail, envelope.id);
        deps.logger.info('idea submission acknowledged', { ideaId: detail.ideaId, outcomes });
      }),
      on(IdeaPublished, async (detail, envelope) => {
        const outcomes = await notifyIdeaPublished(deps, await deps.editions.get(), detail, envelope.id);
        deps.logger.info('idea publication notified', { ideaId: detail.ideaId, outcomes });
      }),
      on(IdeaChangeRequested, async (detail, envelope) => {
        const outcomes = await notifyIdeaChangeRequested(
          deps,
          await deps.editions.get(),
          detail,
          envelope.id,
        );
        deps.logger.info('idea change request notified', { ideaId: detail.ideaId, outcomes });
      }),
      on(IdeaHidden, async (detail, envelope) => {
        const outcomes = await notifyIdeaHidden(deps, await deps.editions.get(), detail, envelope.id);
        deps.logger.info('idea hiding notified', { ideaId: detail.ideaId, outcomes });
      }),
      on(IdeasMerged, async (detail, envelope) => {
        const outcomes = await notifyIdeasMerged(deps, await deps.editions.get(), detail, envelope.id);
        deps.logger.info('idea merge notified', { ideaId: detail.mergedIdeaId, outcomes });
      }),
    ],
  });
  return lambdaEntry({ events });
}
