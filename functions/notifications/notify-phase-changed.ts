import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import type { Mailer } from '../../shared/email/mailer.ts';
import type { PhaseChanged } from '../../shared/events/catalogue.ts';
import type { DetailOf } from '../../shared/events/define-event.ts';
import type { EmailLog } from './email-log-repository.ts';
import { type SendOutcome, sendOnce } from './send-once.ts';
import { phaseChangedEmail } from './templates/phase-changed.ts';

export interface NotifyDeps {
  log: EmailLog;
  mailer: Mailer;
  now: () => Date;
  siteUrl: string;
}

/** Tells every coordinator of the edition that its phase changed; once per change and coordinator. */
export async function notifyPhaseChanged(
  deps: NotifyDeps,
  config: EditionConfig,
  detail: DetailOf<typeof PhaseChanged>,
  eventId: string,
): Promise<SendOutcome[]> {
  const outcomes: SendOutcome[] = [];
  for (const coordinator of config.staff.coordinators) {
    const email = phaseChangedEmail({
      to: coordinator.email,
      config,
      from: detail.from,
      phase: detail.to,
      changedAt: new Date(detail.changedAt),
      byStaff: detail.actor.kind === 'staff',
      reason: detail.reason,
      siteUrl: deps.siteUrl,
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
      ),
    );
  }
  return outcomes;
}
