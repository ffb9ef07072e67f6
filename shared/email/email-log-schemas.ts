import * as z from 'zod/mini';
import { singleLineText } from '../http/text.ts';
import { EMAIL_LOG_STATUSES } from './email-log-labels.ts';

export { EMAIL_LOG_STATUS_LABELS, EMAIL_LOG_STATUSES } from './email-log-labels.ts';

/**
 * HTTP schemas of the notifications function, shared with the staff page (web/src/staff-email-log.ts) and
 * the unsubscribe page (web/src/desabonnement.ts).
 */

/** `GET .../staff/email-log?recipient&template&status&event&limit&cursor`. */
export const EmailLogQuery = z.object({
  recipient: z.optional(singleLineText().check(z.trim(), z.maxLength(320))),
  template: z.optional(singleLineText().check(z.trim(), z.maxLength(100))),
  status: z.optional(z.enum(EMAIL_LOG_STATUSES)),
  /** An event id, or an id carried in the reason (`changeId`, `assignmentId`, `decisionId`...). */
  event: z.optional(singleLineText().check(z.trim(), z.maxLength(200))),
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 50),
  cursor: z.optional(z.string().check(z.maxLength(2000))),
});
export type EmailLogQuery = z.infer<typeof EmailLogQuery>;

export const EmailLogItem = z.object({
  key: z.string(),
  template: z.string(),
  recipient: z.string(),
  eventId: z.string(),
  status: z.enum(EMAIL_LOG_STATUSES),
  statusLabel: z.string(),
  attempts: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
  sentAt: z.optional(z.string()),
  failedAt: z.optional(z.string()),
  lastError: z.optional(z.string()),
  suppressedReason: z.optional(z.string()),
});
export type EmailLogItem = z.infer<typeof EmailLogItem>;

export const EmailLogPage = z.object({ items: z.array(EmailLogItem), cursor: z.optional(z.string()) });
export type EmailLogPage = z.infer<typeof EmailLogPage>;

/** `POST .../unsubscribe` body. */
export const UnsubscribeBody = z.object({ token: z.string().check(z.minLength(10), z.maxLength(4000)) });
export type UnsubscribeBody = z.infer<typeof UnsubscribeBody>;
