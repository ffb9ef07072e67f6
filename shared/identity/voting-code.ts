import { createHmac } from 'node:crypto';

/**
 * The printed one-time voting code of an in-person registration. The identity function issues it and
 * stores only its keyed hash; the voting function redeems it inside the paper ballot's transaction. Both
 * need the key layout and the hash, so they live here (HMAC-SHA-256 under the `fingerprint-key` secret).
 */
export const votingCodeKey = (codeHash: string) => ({ pk: `VOTECODE#${codeHash}`, sk: 'CODE' });

/** `abcd efgh-jkmn` → `ABCDEFGHJKMN`: what a person types back from the printed code. */
export function normalizeVotingCode(code: string): string {
  return code.toUpperCase().replace(/[^0-9A-Z]/g, '');
}

/** Keyed hash of a voting code, as stored in `VOTECODE#<hash>` (normalised first). */
export function votingCodeHash(key: string | Buffer, edition: string, code: string): string {
  return createHmac('sha256', key)
    .update(`${edition}\u0000voting-code\u0000${normalizeVotingCode(code)}`)
    .digest('base64url');
}
