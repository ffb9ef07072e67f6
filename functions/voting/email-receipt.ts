import type { Mailer } from '../../shared/email/mailer.ts';
import type { CitizenContacts } from '../../shared/identity/citizen-contacts.ts';
import type { Logger } from '../../shared/logging/logger.ts';
import { receiptEmail } from './receipt-email.ts';
import type { VotingRepository } from './voting-repository.ts';

export interface EmailReceiptDeps {
  votes: Pick<VotingRepository, 'claimReceiptEmail' | 'releaseReceiptEmail'>;
  contacts: CitizenContacts;
  mailer: Mailer;
  logger: Logger;
  editionName: () => Promise<string>;
  /** The public site, without a trailing slash. */
  siteUrl: string;
}

/** `already-sent`: an earlier attempt with the same Idempotency-Key emailed it. */
export type ReceiptEmailOutcome = 'not-requested' | 'sent' | 'already-sent' | 'failed';

/**
 * Emails a voter their receipt code, at most once per ballot, after the cast transaction succeeded. Sent
 * here rather than through an event: the code next to a citizen id would sit in the bus archive (90 days)
 * and link a person to a ballot's receipt. The "emailed" flag on the marker is claimed before sending, so
 * concurrent retries send one email; a failure releases it (a retry may send) and never fails the cast
 * (the receipt is on screen anyway). Logs carry no address, no code, no voter id.
 */
export async function emailReceipt(
  deps: EmailReceiptDeps,
  input: { voterId: string; receipt: string },
): Promise<ReceiptEmailOutcome> {
  let claimed = false;
  try {
    // Both reads at once: the address is wasted only on a retry that finds the receipt already emailed.
    const [claim, address] = await Promise.allSettled([
      deps.votes.claimReceiptEmail(input.voterId),
      deps.contacts.emailOf(input.voterId),
    ]);
    if (claim.status === 'rejected') throw claim.reason;
    claimed = claim.value;
    if (!claimed) return 'already-sent';
    if (address.status === 'rejected') throw address.reason;
    const to = address.value;
    if (!to) {
      await deps.votes.releaseReceiptEmail(input.voterId);
      deps.logger.warn('receipt email not sent', { reason: 'no-address' });
      return 'failed';
    }
    await deps.mailer.send(
      receiptEmail({
        to,
        receipt: input.receipt,
        editionName: await deps.editionName(),
        siteUrl: deps.siteUrl,
      }),
    );
    return 'sent';
  } catch (error) {
    // The error's name only: SES messages may quote the address.
    deps.logger.warn('receipt email not sent', {
      reason: error instanceof Error ? error.name : 'unknown',
    });
    if (claimed) {
      try {
        await deps.votes.releaseReceiptEmail(input.voterId);
      } catch (releaseError) {
        deps.logger.warn('receipt email claim not released', {
          reason: releaseError instanceof Error ? releaseError.name : 'unknown',
        });
      }
    }
    return 'failed';
  }
}
