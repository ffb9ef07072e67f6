import type { UnsubscribeList } from '../../shared/auth/unsubscribe-links.ts';
import type { Mailer, OutgoingEmail } from '../../shared/email/mailer.ts';
import type { CitizenContacts } from '../../shared/identity/citizen-contacts.ts';
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

type SendDeps = Parameters<typeof sendOnce>[0];

/**
 * One email per staff address, once per `reason` and address (`<reason>#<address>` in the email log), in
 * turn: a failure stops the loop and the event's retry resumes it (the ones sent are `already-sent`).
 */
export async function sendToStaff(
  deps: SendDeps,
  input: { addresses: Iterable<string>; reason: string; template: string; eventId: string },
  build: (to: string) => OutgoingEmail | Promise<OutgoingEmail>,
  options: { list?: UnsubscribeList } = {},
): Promise<SendOutcome[]> {
  const outcomes: SendOutcome[] = [];
  for (const to of new Set(input.addresses)) {
    const entry = {
      key: `${input.reason}#${to}`,
      template: input.template,
      recipient: to,
      eventId: input.eventId,
    };
    outcomes.push(await sendOnce(deps, entry, await build(to), options));
  }
  return outcomes;
}

/**
 * One email per citizen, once per `reason` and citizen (`<reason>#citizen:<id>`: no address is stored
 * outside identity). A citizen without an address (erased, registered in person) is skipped.
 */
export async function sendToCitizens(
  deps: SendDeps & { contacts: CitizenContacts },
  input: { citizenIds: Iterable<string>; reason: string; template: string; eventId: string },
  build: (address: string) => OutgoingEmail,
): Promise<(SendOutcome | 'no-address')[]> {
  const outcomes: (SendOutcome | 'no-address')[] = [];
  for (const citizenId of new Set(input.citizenIds)) {
    const address = await deps.contacts.emailOf(citizenId);
    if (!address) {
      outcomes.push('no-address');
      continue;
    }
    const recipient = `citizen:${citizenId}`;
    const entry = {
      key: `${input.reason}#${recipient}`,
      template: input.template,
      recipient,
      eventId: input.eventId,
    };
    outcomes.push(await sendOnce(deps, entry, build(address)));
  }
  return outcomes;
}

/** A few sends at a time: thousands of recipients must not wait one by one, nor flood SES. */
const PARALLEL_SENDS = 8;

/**
 * Runs `run` on every item, `PARALLEL_SENDS` at a time, and at most `perSecond` items a second when given (the
 * SES sending rate is per account: the mail fan-out paces itself instead of being throttled). By hand: the pace
 * is a due time per group of sends, a few lines that a rate-limiting dependency would not make shorter.
 */
export async function pacedSends<T, R>(
  items: readonly T[],
  run: (item: T) => Promise<R>,
  perSecond?: number,
): Promise<R[]> {
  const out: R[] = [];
  const started = performance.now();
  for (let i = 0; i < items.length; i += PARALLEL_SENDS) {
    if (perSecond && perSecond > 0) {
      const due = started + (i / perSecond) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    out.push(...(await Promise.all(items.slice(i, i + PARALLEL_SENDS).map(run))));
  }
  return out;
}

/** `items` cut into consecutive batches of at most `size` (none for no item): one mail batch event each. */
export function batchesOf<T>(items: readonly T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return batches;
}
