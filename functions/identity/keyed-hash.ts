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
  /**
   * Probable-same-person keys of a declared person (see `personMatchKeys`): two identities sharing one are
   * held for review. Nothing the person may declare differently (commune, address alias) is part of them.
   */
  personKeys(person: { firstName: string; lastName: string; birthDate: string }): string[];
  /** Same-person key of a mailbox: one person's `name+1@` and `name+2@` share it (see `canonicalMailbox`). */
  mailboxKey(email: string): string;
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
  return (
    name
      .normalize('NFD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      // Ligatures have no canonical decomposition: `Lætitia` is also written `Laetitia`.
      .replaceAll('æ', 'ae')
      .replaceAll('œ', 'oe')
      .replaceAll('ß', 'ss')
      .replace(/[^\p{L}]/gu, '')
  );
}

/** First-name words shorter than this (`J.`, `Al`) are initials or too common to stand alone. */
const MIN_TOKEN_LETTERS = 3;
/** Bounds the keys of a long first name, and so the items written per identity. */
const MAX_VARIANTS = 5;

/**
 * A first name's variants: the whole (normalised) then each of its words of 3+ letters, so that a compound
 * first name also matches its parts: `Jean-Pierre` → jeanpierre, jean, pierre.
 */
export function firstNameVariants(name: string): string[] {
  const words = name
    .split(/[\s\-\u2010\u2011'\u2019.]+/u)
    .map(normalizeName)
    .filter((word) => word.length >= MIN_TOKEN_LETTERS);
  return [...new Set([normalizeName(name), ...words])].filter(Boolean).slice(0, MAX_VARIANTS);
}

/**
 * What the same-person keys are made of, before hashing: one per first-name variant, with the whole last
 * name and the birth date, the two names sorted so that swapped first and last names give the same key.
 * So `Jean-Pierre Le Goff` shares a key with `JEAN PIERRE LEGOFF`, `Jean Le Goff`, `Pierre Le-Goff` and
 * `Le Goff Jean-Pierre` born the same day. The last name is not split: its words are shared by too many
 * unrelated people (`Le Goff`, `Le Goff-Martin`). The commune is left out on purpose: a person chooses what
 * commune to declare.
 */
export function personMatchKeys(person: {
  firstName: string;
  lastName: string;
  birthDate: string;
}): string[] {
  const last = normalizeName(person.lastName);
  return firstNameVariants(person.firstName).map((first) =>
    [...[first, last].sort(), person.birthDate].join('\u0000'),
  );
}

/** Mail providers known to ignore dots in the local part (and their alias domain). */
const DOTLESS_DOMAINS: Record<string, string> = { 'gmail.com': 'gmail.com', 'googlemail.com': 'gmail.com' };

/**
 * The mailbox an address reaches, for same-person detection only (codes still go to the address as typed):
 * lower case, a `+tag` dropped from the local part (sub-addressing, supported by most providers), and for
 * Gmail the dots too.
 */
export function canonicalMailbox(email: string): string {
  const address = normalizeEmail(email);
  const at = address.lastIndexOf('@');
  if (at < 0) return address;
  let local = address.slice(0, at).replace(/\+.*$/, '');
  let domain = address.slice(at + 1);
  const dotless = DOTLESS_DOMAINS[domain];
  if (dotless) {
    local = local.replaceAll('.', '');
    domain = dotless;
  }
  return `${local}@${domain}`;
}

export function keyedHash(key: string | Buffer, edition: string): KeyedHash {
  const mac = (purpose: string, value: string) =>
    createHmac('sha256', key).update(`${edition}\u0000${purpose}\u0000${value}`).digest('base64url');
  return {
    emailKey: (email) => mac('email', normalizeEmail(email)),
    codeHash: (email, code) => mac('code', `${normalizeEmail(email)}\u0000${code}`),
    personKeys: (person) => personMatchKeys(person).map((key) => mac('person', key)),
    mailboxKey: (email) => mac('mailbox', canonicalMailbox(email)),
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
