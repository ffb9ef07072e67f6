import type { Mailer, OutgoingEmail } from '../../shared/email/mailer.ts';
import type { EmailLog, EmailLogEntry } from './email-log-repository.ts';

export type SendOutcome = 'sent' | 'already-sent' | 'in-flight';

/**
 * Sends `email` once for `entry.key`. A send failure gives the claim back and rethrows, so the
 * event's retry (and, in the end, its DLQ) takes over; a concurrent delivery of the same event is
 * told `in-flight` and rethrows too, so that it is retried until the other one finished.
 */
export async function sendOnce(
  deps: { log: EmailLog; mailer: Mailer; now: () => Date },
  entry: EmailLogEntry,
  email: OutgoingEmail,
): Promise<SendOutcome> {
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
