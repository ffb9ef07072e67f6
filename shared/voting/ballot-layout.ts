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
