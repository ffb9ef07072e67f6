import type * as z from 'zod/mini';
import type { SesEmailBounced, SesEmailComplained } from '../../shared/email/ses-feedback.ts';
import type { SuppressionList } from './suppression-list.ts';

/**
 * Suppresses the addresses of a permanent bounce or a complaint (SES feedback): nothing is sent to them
 * again, and the email log says `suppressed`. Transient bounces (mailbox full...) suppress nothing.
 * Idempotent: suppressing twice is the same item. Returns how many addresses it suppressed.
 */
export async function recordSesFeedback(
  deps: { suppressions: SuppressionList; now: () => Date },
  feedback:
    | { kind: 'bounce'; detail: z.infer<(typeof SesEmailBounced)['detail']> }
    | { kind: 'complaint'; detail: z.infer<(typeof SesEmailComplained)['detail']> },
  eventId: string,
): Promise<number> {
  const addresses =
    feedback.kind === 'bounce'
      ? feedback.detail.bounce.bounceType === 'Permanent'
        ? feedback.detail.bounce.bouncedRecipients.map((r) => r.emailAddress)
        : []
      : feedback.detail.complaint.complainedRecipients.map((r) => r.emailAddress);
  for (const address of new Set(addresses)) {
    await deps.suppressions.suppress(address, feedback.kind, { eventId, at: deps.now() });
  }
  return addresses.length;
}
