import type { EditionStore } from '../../shared/edition/edition-store.ts';
import type { Mailer } from '../../shared/email/mailer.ts';
import { DuplicateSuspected, PhaseChanged, VoteWindowChanged } from '../../shared/events/catalogue.ts';
import { eventHandler, on } from '../../shared/events/event-handler.ts';
import { lambdaEntry } from '../../shared/lambda/entry.ts';
import type { Logger } from '../../shared/logging/logger.ts';
import type { EmailLog } from './email-log-repository.ts';
import { notifyDuplicateSuspected } from './notify-duplicate-suspected.ts';
import { notifyPhaseChanged } from './notify-phase-changed.ts';
import { notifyVoteWindowChanged } from './notify-vote-window-changed.ts';

export interface NotificationsDeps {
  editions: EditionStore;
  log: EmailLog;
  mailer: Mailer;
  logger: Logger;
  now: () => Date;
  siteUrl: string;
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
    ],
  });
  return lambdaEntry({ events });
}
