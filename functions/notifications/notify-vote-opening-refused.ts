import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import type { VoteOpeningRefused } from '../../shared/events/catalogue.ts';
import type { DetailOf } from '../../shared/events/define-event.ts';
import type { NotifyDeps } from './notify-phase-changed.ts';
import { type SendOutcome, sendOnce } from './send-once.ts';
import { voteOpeningRefusedEmail } from './templates/vote-opening-refused.ts';

/** Tells every coordinator, once each, that the scheduled opening of the vote was refused, and why. */
export async function notifyVoteOpeningRefused(
  deps: NotifyDeps,
  config: EditionConfig,
  detail: DetailOf<typeof VoteOpeningRefused>,
  eventId: string,
): Promise<SendOutcome[]> {
  const outcomes: SendOutcome[] = [];
  for (const recipient of new Set(config.staff.coordinators.map((c) => c.email))) {
    const email = voteOpeningRefusedEmail({
      to: recipient,
      config,
      phase: detail.phase,
      problems: detail.envelopes.map((envelope) => envelope.problem),
      refusedAt: new Date(detail.refusedAt),
      siteUrl: deps.siteUrl,
    });
    outcomes.push(
      await sendOnce(
        deps,
        {
          key: `VoteOpeningRefused#${detail.refusalId}#${recipient}`,
          template: 'vote-opening-refused',
          recipient,
          eventId,
        },
        email,
      ),
    );
  }
  return outcomes;
}
