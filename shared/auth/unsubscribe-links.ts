import { createHmac } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import * as z from 'zod/mini';

/**
 * Signed unsubscribe links of non-essential mail (phase-change announcements, digests): an HS256 JWT
 * under the edition's `action-link-key` secret, with its own audience so an action link is never an
 * unsubscribe link nor the reverse. The token names the list and a keyed hash of the address (no address
 * in the URL); the opt-out is stored under that hash, and every send checks it.
 */

export const UNSUBSCRIBE_LISTS = ['announcements', 'digests'] as const;
export const UnsubscribeList = z.enum(UNSUBSCRIBE_LISTS);
export type UnsubscribeList = z.infer<typeof UnsubscribeList>;

export const UNSUBSCRIBE_LIST_LABELS: Record<UnsubscribeList, string> = {
  announcements: 'les annonces de changement de phase',
  digests: 'le point quotidien de l’instruction',
};

const AUDIENCE = 'bp-unsubscribe';
/** Long enough to outlive an edition: an old email's link still works. */
const LIFETIME_MS = 400 * 24 * 3600_000;

/** Keyed hash of an address, case-insensitive: the key of its opt-outs and suppressions. */
export function addressHash(key: string, email: string): string {
  return createHmac('sha256', key).update(`email-address:${email.trim().toLowerCase()}`).digest('base64url');
}

const Claims = z.object({
  iss: z.string().check(z.minLength(1)),
  rcp: z.string().check(z.minLength(1)),
  lst: UnsubscribeList,
});

export async function mintUnsubscribeLink(
  key: string,
  input: { edition: string; recipientEmail: string; list: UnsubscribeList; now: Date },
): Promise<string> {
  return new SignJWT({ rcp: addressHash(key, input.recipientEmail), lst: input.list })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(input.edition)
    .setAudience(AUDIENCE)
    .setIssuedAt(Math.floor(input.now.getTime() / 1000))
    .setExpirationTime(Math.floor((input.now.getTime() + LIFETIME_MS) / 1000))
    .sign(new TextEncoder().encode(key));
}

export type UnsubscribeCheck =
  | { ok: true; recipient: string; list: UnsubscribeList }
  | { ok: false; reason: 'invalid' | 'expired' | 'other-edition' };

/** Verifies signature, audience, expiry and edition. Never throws for a bad token. */
export async function verifyUnsubscribeLink(
  key: string,
  token: string,
  expected: { edition: string; now: Date },
): Promise<UnsubscribeCheck> {
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, new TextEncoder().encode(key), {
      algorithms: ['HS256'],
      audience: AUDIENCE,
      currentDate: expected.now,
    }));
  } catch (error) {
    return { ok: false, reason: error instanceof errors.JWTExpired ? 'expired' : 'invalid' };
  }
  const claims = Claims.safeParse(payload);
  if (!claims.success) return { ok: false, reason: 'invalid' };
  if (claims.data.iss !== expected.edition) return { ok: false, reason: 'other-edition' };
  return { ok: true, recipient: claims.data.rcp, list: claims.data.lst };
}
