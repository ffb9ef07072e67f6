import {
  EMAIL_LOG_STATUS_LABELS,
  type EmailLogPage,
  type EmailLogQuery,
} from '../../shared/email/email-log-schemas.ts';
import type { EmailLog } from './email-log-repository.ts';

/** Staff search of the email log, newest first: who got which email, for which event, and its status. */
export async function searchEmailLog(deps: { log: EmailLog }, query: EmailLogQuery): Promise<EmailLogPage> {
  const page = await deps.log.search({
    limit: query.limit,
    ...(query.recipient ? { recipient: query.recipient } : {}),
    ...(query.template ? { template: query.template } : {}),
    ...(query.status ? { status: query.status } : {}),
    ...(query.event ? { event: query.event } : {}),
    ...(query.cursor ? { cursor: query.cursor } : {}),
  });
  return {
    items: page.items.map((item) => ({ ...item, statusLabel: EMAIL_LOG_STATUS_LABELS[item.status] })),
    ...(page.cursor ? { cursor: page.cursor } : {}),
  };
}
