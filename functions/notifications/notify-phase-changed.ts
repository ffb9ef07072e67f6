import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import type { Mailer } from '../../shared/email/mailer.ts';
import type { PhaseChanged } from '../../shared/events/catalogue.ts';
import type { DetailOf } from '../../shared/events/define-event.ts';
import type { EmailLinks } from './email-links.ts';
import type { EmailLog } from './email-log-repository.ts';
import { type SendOutcome, sendOnce } from './send-once.ts';
import type { SuppressionList } from './suppression-list.ts';
import { phaseChangedEmail } from './templates/phase-changed.ts';

export interface NotifyDeps {
  log: EmailLog;
  mailer: Mailer;
  now: () => Date;
  siteUrl: string;
  /** Bounced, complained and opted-out addresses (checked before every send). */
  suppressions?: SuppressionList;
  /** Signed links (action and unsubscribe links); without it, mail goes out without an unsubscribe link. */
  links?: EmailLinks;
}

/**
 * Tells every coordinator of the edition that its phase changed; once per change and coordinator. An
 * announcement, not a task: it carries an unsubscribe link (list `announcements`).
 */
export async function notifyPhaseChanged(
  deps: NotifyDeps,
  config: EditionConfig,
  detail: DetailOf<typeof PhaseChanged>,
  eventId: string,
): Promise<SendOutcome[]> {
  const outcomes: SendOutcome[] = [];
  for (const coordinator of config.staff.coordinators) {
    const unsubscribe = await deps.links?.unsubscribe(coordinator.email, 'announcements');
    const email = phaseChangedEmail({
      to: coordinator.email,
      config,
      from: detail.from,
      phase: detail.to,
      changedAt: new Date(detail.changedAt),
      byStaff: detail.actor.kind === 'staff',
      reason: detail.reason,
      siteUrl: deps.siteUrl,
      ...(unsubscribe ? { unsubscribe } : {}),
    });
    outcomes.push(
      await sendOnce(
        deps,
        {
          key: `PhaseChanged#${detail.changeId}#${coordinator.email}`,
          template: 'phase-changed',
          recipient: coordinator.email,
          eventId,
        },
        email,
        { list: 'announcements' },
      ),
    );
  }
  return outcomes;
}
