/**
 * The vote window item, owned and written by the voting function (functions/voting/voting-repository.ts).
 * The editions function checks it inside its own transaction before a scheduled switch to `counting`, so
 * that an extension an admin granted is not cut short by the original close: its key lives here.
 */
export const voteWindowKey = (edition: string) => ({ pk: `EDITION#${edition}#VOTING`, sk: 'WINDOW' });

/** Attribute of the window item holding the (possibly extended) close, epoch milliseconds. */
export const VOTE_WINDOW_CLOSES_AT = 'closesAtMs';
