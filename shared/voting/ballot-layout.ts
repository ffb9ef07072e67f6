import { randomInt } from 'node:crypto';

/**
 * What the voting function writes and the results function reads: how many partitions ballots and
 * turnout counters are spread over (see README), and the shape of a receipt code.
 */
export const BALLOT_SHARDS = 32;
export const TURNOUT_SHARDS = 32;

/** No 0/O, 1/I/L, 5/S, 2/Z: read aloud or copied by hand without mistakes. */
const ALPHABET = '346789ABCDEFGHJKMNPQRTUVWXY';

/** A random receipt code, `XXXX-XXXX-XXXX` (≈ 57 bits), unguessable and easy to copy. */
export function newReceiptCode(): string {
  const chars = Array.from({ length: 12 }, () => ALPHABET[randomInt(ALPHABET.length)]);
  return `${chars.slice(0, 4).join('')}-${chars.slice(4, 8).join('')}-${chars.slice(8).join('')}`;
}

const group = `[${ALPHABET}]{4}`;
export const ReceiptCodePattern = new RegExp(`^${group}-${group}-${group}$`);

/** Separators a voter may type or paste between the groups: spaces, hyphens and dashes, dots, underscores. */
const SEPARATORS = /[\s\u00a0\u202f\-\u2010-\u2015\u2212._]/g;

/**
 * A receipt code as a voter types it (any case, with or without dashes or spaces) in its printed form
 * `XXXX-XXXX-XXXX`, or `undefined` when it cannot be a receipt code.
 */
export function normalizeReceiptCode(typed: string): string | undefined {
  const bare = typed.toUpperCase().replace(SEPARATORS, '');
  if (bare.length !== 12) return undefined;
  const code = `${bare.slice(0, 4)}-${bare.slice(4, 8)}-${bare.slice(8)}`;
  return ReceiptCodePattern.test(code) ? code : undefined;
}
