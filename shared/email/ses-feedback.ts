import * as z from 'zod/mini';
import type { EventContract } from '../events/define-event.ts';

/**
 * Bounce and complaint events that SES publishes for the edition's configuration set (SESv2 event
 * destination → EventBridge, on the account's default bus: lib/stacks/functions-stack.ts). They are AWS's
 * events, not ours: no `version` and no `edition` in their detail, so the rule matches source and
 * detail-type (plus, deployed, the configuration set's tag). Only the fields we read are checked.
 */

const Mail = z.looseObject({
  messageId: z.string(),
  destination: z.optional(z.array(z.string())),
  tags: z.optional(z.record(z.string(), z.array(z.string()))),
});

const SesBounceDetail = z.looseObject({
  eventType: z.literal('Bounce'),
  bounce: z.looseObject({
    /** `Permanent` suppresses the address; `Transient` and `Undetermined` (mailbox full, say) do not. */
    bounceType: z.string(),
    bounceSubType: z.optional(z.string()),
    bouncedRecipients: z.array(z.looseObject({ emailAddress: z.string() })),
    timestamp: z.optional(z.string()),
  }),
  mail: Mail,
});

const SesComplaintDetail = z.looseObject({
  eventType: z.literal('Complaint'),
  complaint: z.looseObject({
    complainedRecipients: z.array(z.looseObject({ emailAddress: z.string() })),
    timestamp: z.optional(z.string()),
  }),
  mail: Mail,
});

/** Contract-shaped, so that `on()` routes and parses them like our events (`version` 0: AWS sets none). */
export const SesEmailBounced = {
  source: 'aws.ses',
  detailType: 'Email Bounced',
  version: 0,
  detail: SesBounceDetail,
} as const satisfies EventContract;

export const SesEmailComplained = {
  source: 'aws.ses',
  detailType: 'Email Complained',
  version: 0,
  detail: SesComplaintDetail,
} as const satisfies EventContract;

export const SES_FEEDBACK_EVENTS = [SesEmailBounced, SesEmailComplained] as const;

/** The EventBridge pattern of AWS service events: source and detail-type (no `detail.version`). */
export function awsEventPattern(contracts: readonly EventContract[]) {
  return {
    source: [...new Set(contracts.map((c) => c.source))],
    'detail-type': [...new Set(contracts.map((c) => c.detailType))],
  };
}

/** Names the SESv2 configuration set the function sends through (set by the deployed stack only). */
export const MAIL_CONFIGURATION_SET_ENV = 'MAIL_CONFIGURATION_SET';
