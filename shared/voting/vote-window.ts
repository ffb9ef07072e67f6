/**
 * The vote window item, owned and written by the voting function (functions/voting/voting-repository.ts).
 * The editions function checks it inside its own transaction before a scheduled switch to `counting`, so
 * that an extension an admin granted is not cut short by the original close: its key lives here.
 */
export const voteWindowKey = (edition: string) => ({ pk: `EDITION#${edition}#VOTING`, sk: 'WINDOW' });

/** Attribute of the window item holding the (possibly extended) close, epoch milliseconds. */
export const VOTE_WINDOW_CLOSES_AT = 'closesAtMs';

/**
 * The "vote closed" marker: written by the editions function in the same transaction as the phase change
 * that closes the vote (to `counting` or `results`), never deleted. The cast and every window change check
 * it is absent in their own transactions, and a move of the phase back to `vote` or before checks the same:
 * once the vote has closed, nothing reopens it, whatever the phase item says. It lives in the editions
 * function's partition (next to the phase), which voting may only read: voting cannot remove it.
 */
export const voteClosedKey = (edition: string) => ({ pk: `EDITION#${edition}`, sk: 'VOTECLOSED' });
