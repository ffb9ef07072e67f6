import {
  EMAIL_LOG_STATUS_LABELS,
  type EmailLogPage,
  type EmailLogQuery,
} from '../../shared/email/email-log-schemas.ts';
import type { PageCursors } from '../../shared/http/page-cursor.ts';
import { type EmailLog, EmailLogPosition } from './email-log-repository.ts';

const CURSOR_SCOPE = 'email-log';

/**
 * Staff search of the email log, newest first: who got which email, for which event, and its status. The
 * cursor is signed: a forged one is a 400, never a key read by DynamoDB.
 */
export async function searchEmailLog(
  deps: { log: EmailLog; cursors: PageCursors },
  query: EmailLogQuery,
): Promise<EmailLogPage> {
  const after = await deps.cursors.open(CURSOR_SCOPE, query.cursor, EmailLogPosition);
  const page = await deps.log.search({
    limit: query.limit,
    ...(query.recipient ? { recipient: query.recipient } : {}),
    ...(query.template ? { template: query.template } : {}),
    ...(query.status ? { status: query.status } : {}),
    ...(query.event ? { event: query.event } : {}),
    ...(after ? { after } : {}),
  });
  return {
    items: page.items.map((item) => ({ ...item, statusLabel: EMAIL_LOG_STATUS_LABELS[item.status] })),
    ...(page.next ? { cursor: await deps.cursors.seal(CURSOR_SCOPE, page.next) } : {}),
  };
}
