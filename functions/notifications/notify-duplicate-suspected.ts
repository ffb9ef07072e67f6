import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import type { DuplicateSuspected } from '../../shared/events/catalogue.ts';
import type { DetailOf } from '../../shared/events/define-event.ts';
import type { NotifyDeps } from './notify-phase-changed.ts';
import { type SendOutcome, sendOnce } from './send-once.ts';
import { duplicateSuspectedEmail } from './templates/duplicate-suspected.ts';

/** Tells every coordinator that a held identity waits for review; once per review and coordinator. */
export async function notifyDuplicateSuspected(
  deps: NotifyDeps,
  config: EditionConfig,
  detail: DetailOf<typeof DuplicateSuspected>,
  eventId: string,
): Promise<SendOutcome[]> {
  const outcomes: SendOutcome[] = [];
  for (const coordinator of config.staff.coordinators) {
    outcomes.push(
      await sendOnce(
        deps,
        {
          key: `DuplicateSuspected#${detail.reviewId}#${coordinator.email}`,
          template: 'duplicate-suspected',
          recipient: coordinator.email,
          eventId,
        },
        duplicateSuspectedEmail({
          to: coordinator.email,
          config,
          reviewId: detail.reviewId,
          siteUrl: deps.siteUrl,
        }),
      ),
    );
  }
  return outcomes;
}
