import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import type { VoteWindowChanged } from '../../shared/events/catalogue.ts';
import type { DetailOf } from '../../shared/events/define-event.ts';
import type { NotifyDeps } from './notify-phase-changed.ts';
import { type SendOutcome, sendOnce } from './send-once.ts';
import { voteWindowChangedEmail } from './templates/vote-window-changed.ts';

/** Tells coordinators and the citizen committee that the vote was paused, resumed or extended; once each. */
export async function notifyVoteWindowChanged(
  deps: NotifyDeps,
  config: EditionConfig,
  detail: DetailOf<typeof VoteWindowChanged>,
  eventId: string,
): Promise<SendOutcome[]> {
  const recipients = [
    ...new Set([...config.staff.coordinators, ...config.staff.committee].map((c) => c.email)),
  ];
  const outcomes: SendOutcome[] = [];
  for (const recipient of recipients) {
    const email = voteWindowChangedEmail({
      to: recipient,
      config,
      action: detail.action,
      reason: detail.reason,
      closesAt: new Date(detail.closesAt),
      changedAt: new Date(detail.changedAt),
      siteUrl: deps.siteUrl,
    });
    outcomes.push(
      await sendOnce(
        deps,
        {
          key: `VoteWindowChanged#${detail.changeId}#${recipient}`,
          template: 'vote-window-changed',
          recipient,
          eventId,
        },
        email,
      ),
    );
  }
  return outcomes;
}
