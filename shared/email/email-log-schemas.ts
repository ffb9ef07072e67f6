import * as z from 'zod';
import { singleLineText } from '../http/text.ts';
import { EMAIL_LOG_STATUSES } from './email-log-labels.ts';

export { EMAIL_LOG_STATUS_LABELS, EMAIL_LOG_STATUSES } from './email-log-labels.ts';

/**
 * HTTP schemas of the notifications function, shared with the staff page (web/src/staff-email-log.ts) and
 * the unsubscribe page (web/src/desabonnement.ts).
 */

/** `GET .../staff/email-log?recipient&template&status&event&limit&cursor`. */
export const EmailLogQuery = z.object({
  recipient: singleLineText().trim().max(320).optional(),
  template: singleLineText().trim().max(100).optional(),
  status: z.enum(EMAIL_LOG_STATUSES).optional(),
  /** An event id, or an id carried in the reason (`changeId`, `assignmentId`, `decisionId`...). */
  event: singleLineText().trim().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(2000).optional(),
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
  sentAt: z.string().optional(),
  failedAt: z.string().optional(),
  lastError: z.string().optional(),
  suppressedReason: z.string().optional(),
});
export type EmailLogItem = z.infer<typeof EmailLogItem>;

export const EmailLogPage = z.object({ items: z.array(EmailLogItem), cursor: z.string().optional() });
export type EmailLogPage = z.infer<typeof EmailLogPage>;

/** `POST .../unsubscribe` body. */
export const UnsubscribeBody = z.object({ token: z.string().min(10).max(4000) });
export type UnsubscribeBody = z.infer<typeof UnsubscribeBody>;
