import { createHmac, timingSafeEqual } from 'node:crypto';
import { normalizeVotingCode, votingCodeHash } from '../../shared/identity/voting-code.ts';

export { normalizeVotingCode };

/**
 * Every keyed hash of the identity context, under the `fingerprint-key` secret: without the key, a leaked
 * table tells neither which emails registered nor the codes, and fingerprints cannot be recomputed.
 */
export interface KeyedHash {
  /** Stable key of an email address in this edition (lower-cased and trimmed first). */
  emailKey(email: string): string;
  /** Hash of a one-time code, bound to the email it was sent to. */
  codeHash(email: string, code: string): string;
  /** Probable-same-person fingerprint: normalised names, birth date and commune. */
  fingerprint(person: { firstName: string; lastName: string; birthDate: string; commune: string }): string;
  /** Hash of a printed one-time voting code (normalised: upper case, separators dropped). */
  votingCodeHash(code: string): string;
  /** Opaque key of a client address, for rate limits (an IP address is personal data too). */
  clientKey(address: string): string;
  /**
   * The id an erased identity is filed under from then on (UUID-shaped): the same for a retried erasure,
   * and nothing in the table leads from it back to the former id.
   */
  erasedId(citizenId: string): string;
  /** Constant-time comparison of two hashes of this module. */
  same(a: string, b: string): boolean;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** `Jean-François  D'Arc` → `jeanfrancoisdarc`: lower case, no accents, no spaces, hyphens or apostrophes. */
export function normalizeName(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}]/gu, '');
}

export function keyedHash(key: string | Buffer, edition: string): KeyedHash {
  const mac = (purpose: string, value: string) =>
    createHmac('sha256', key).update(`${edition}\u0000${purpose}\u0000${value}`).digest('base64url');
  return {
    emailKey: (email) => mac('email', normalizeEmail(email)),
    codeHash: (email, code) => mac('code', `${normalizeEmail(email)}\u0000${code}`),
    fingerprint: (person) =>
      mac(
        'fingerprint',
        [
          normalizeName(person.firstName),
          normalizeName(person.lastName),
          person.birthDate,
          person.commune,
        ].join('\u0000'),
      ),
    // Shared with the voting function, which redeems the code (same HMAC, same normalisation).
    votingCodeHash: (code) => votingCodeHash(key, edition, code),
    clientKey: (address) => mac('client', address),
    erasedId: (citizenId) => {
      const hex = Buffer.from(mac('erased-citizen', citizenId), 'base64url').subarray(0, 16).toString('hex');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    },
    same: (a, b) => {
      const left = Buffer.from(a);
      const right = Buffer.from(b);
      return left.length === right.length && timingSafeEqual(left, right);
    },
  };
}
