import type { UnsubscribeList } from '../../shared/auth/unsubscribe-links.ts';
import type { Mailer, OutgoingEmail } from '../../shared/email/mailer.ts';
import type { EmailLog, EmailLogEntry } from './email-log-repository.ts';
import type { SuppressionList } from './suppression-list.ts';

export type SendOutcome = 'sent' | 'already-sent' | 'in-flight' | 'suppressed';

/**
 * Sends `email` once for `entry.key`. An address that bounced or complained (or opted out of `list`, for
 * non-essential mail) gets nothing and the log says `suppressed`. A send failure gives the claim back and
 * rethrows, so the event's retry (and, in the end, its DLQ) takes over; a concurrent delivery of the same
 * event is told `in-flight` and rethrows too, so that it is retried until the other one finished.
 */
export async function sendOnce(
  deps: { log: EmailLog; mailer: Mailer; now: () => Date; suppressions?: SuppressionList },
  entry: EmailLogEntry,
  email: OutgoingEmail,
  options: { list?: UnsubscribeList } = {},
): Promise<SendOutcome> {
  const suppressed = await deps.suppressions?.check(email.to, options.list);
  if (suppressed) {
    await deps.log.markSuppressed(entry, suppressed, deps.now());
    return 'suppressed';
  }
  const claim = await deps.log.claim(entry, deps.now());
  if (claim === 'already-sent') return 'already-sent';
  if (claim === 'in-flight') throw new Error(`Email ${entry.template} is being sent by another attempt`);
  let messageId: string;
  try {
    messageId = await deps.mailer.send(email);
  } catch (error) {
    await deps.log.release(entry, (error as Error).name ?? 'SendFailed', deps.now());
    throw error;
  }
  await deps.log.markSent(entry, messageId, deps.now());
  return 'sent';
}
