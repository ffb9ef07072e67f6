import { randomUUID } from 'node:crypto';
import { type ActionLinkAction, mintActionLink } from '../../shared/auth/action-links.ts';
import { mintUnsubscribeLink, type UnsubscribeList } from '../../shared/auth/unsubscribe-links.ts';
import { toInstant } from '../../shared/time/zoned.ts';

/** Port: the signed links an email carries (minted at send time under the edition's `action-link-key`). */
export interface EmailLinks {
  /** "Open the dossier", "accept", "ask to reassign" for one contact of the assigned service. */
  assignment(input: {
    assignmentId: string;
    ideaId: string;
    recipientEmail: string;
    dueDate: string;
    timeZone: string;
  }): Promise<Record<ActionLinkAction, string>>;
  /** The visible link and the `List-Unsubscribe` headers of a non-essential email. */
  unsubscribe(
    recipientEmail: string,
    list: UnsubscribeList,
  ): Promise<{ url: string; headers: { name: string; value: string }[] }>;
}

const DAY_MS = 24 * 3600_000;
/** An action link lives 14 days, and never beyond a week after the due date. */
const ACTION_LINK_LIFETIME_MS = 14 * DAY_MS;
const AFTER_DUE_DATE_MS = 7 * DAY_MS;

export function actionLinkExpiry(now: Date, dueDate: string, timeZone: string): Date {
  const endOfDueDay = toInstant(`${dueDate}T23:59`, timeZone).getTime();
  return new Date(Math.min(now.getTime() + ACTION_LINK_LIFETIME_MS, endOfDueDay + AFTER_DUE_DATE_MS));
}

export function signedEmailLinks(options: {
  key: () => Promise<string>;
  edition: string;
  siteUrl: string;
  now: () => Date;
  newId?: () => string;
}): EmailLinks {
  const newId = options.newId ?? randomUUID;
  const staffLink = (token: string) => `${options.siteUrl}/staff/lien.html?t=${encodeURIComponent(token)}`;
  return {
    async assignment(input) {
      const key = await options.key();
      const now = options.now();
      const expiresAt = actionLinkExpiry(now, input.dueDate, input.timeZone);
      const mint = async (action: ActionLinkAction) =>
        staffLink(
          await mintActionLink(key, {
            action,
            assignmentId: input.assignmentId,
            ideaId: input.ideaId,
            edition: options.edition,
            recipientEmail: input.recipientEmail,
            expiresAt,
            now,
            jti: newId(),
          }),
        );
      const [open, accept, reassign] = await Promise.all([mint('open'), mint('accept'), mint('reassign')]);
      return { open, accept, reassign };
    },
    async unsubscribe(recipientEmail, list) {
      const token = await mintUnsubscribeLink(await options.key(), {
        edition: options.edition,
        recipientEmail,
        list,
        now: options.now(),
      });
      const encoded = encodeURIComponent(token);
      // RFC 8058: a mail client's one-click POST goes to the API (functions/notifications/handler.ts turns
      // its form body into the route's JSON); people follow the page link, which asks them to confirm.
      const oneClick = `${options.siteUrl}/api/editions/${encodeURIComponent(options.edition)}/unsubscribe?token=${encoded}`;
      return {
        url: `${options.siteUrl}/desabonnement.html?t=${encoded}`,
        headers: [
          { name: 'List-Unsubscribe', value: `<${oneClick}>` },
          { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
        ],
      };
    },
  };
}
