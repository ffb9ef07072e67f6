import { createHmac, randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import * as z from 'zod/mini';

/**
 * Signed action links of staff emails (issue 5): "open the dossier", "accept the assignment", "ask to
 * reassign". Minted by notifications when it renders an `IdeaAssigned` email, verified and consumed by
 * instruction. A link is an HS256 JWT under the edition's `action-link-key` secret; it is:
 * - expiring (`exp`),
 * - bound to its recipient: `rcp` is a keyed hash of the recipient's address (no address in the URL), and
 *   instruction only accepts it from a signed-in staff member whose own address hashes the same,
 * - single-use: instruction records `jti` with a conditional write before acting (a reuse is refused).
 * jose does the signing and verification; only the claims and the recipient hash are ours.
 */

export const ACTION_LINK_ACTIONS = ['open', 'accept', 'reassign'] as const;
export const ActionLinkAction = z.enum(ACTION_LINK_ACTIONS);
export type ActionLinkAction = z.infer<typeof ActionLinkAction>;

const AUDIENCE = 'bp-action-link';

export interface ActionLinkClaims {
  /** Link id: the single-use record's key. */
  jti: string;
  action: ActionLinkAction;
  assignmentId: string;
  ideaId: string;
  edition: string;
  /** Keyed hash of the recipient's address (see `recipientHash`). */
  recipient: string;
  expiresAt: Date;
}

const Claims = z.object({
  jti: z.string().check(z.minLength(1)),
  act: ActionLinkAction,
  asg: z.string().check(z.minLength(1)),
  idea: z.string().check(z.minLength(1)),
  iss: z.string().check(z.minLength(1)),
  rcp: z.string().check(z.minLength(1)),
  exp: z.number().check(z.int()),
});

function keyBytes(key: string): Uint8Array {
  return new TextEncoder().encode(key);
}

/** Keyed hash of an address, case-insensitive: what a link carries instead of the address itself. */
export function recipientHash(key: string, email: string): string {
  return createHmac('sha256', key)
    .update(`action-link-recipient:${email.trim().toLowerCase()}`)
    .digest('base64url');
}

export async function mintActionLink(
  key: string,
  input: {
    action: ActionLinkAction;
    assignmentId: string;
    ideaId: string;
    edition: string;
    recipientEmail: string;
    expiresAt: Date;
    now: Date;
    jti?: string;
  },
): Promise<string> {
  return new SignJWT({
    act: input.action,
    asg: input.assignmentId,
    idea: input.ideaId,
    rcp: recipientHash(key, input.recipientEmail),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setJti(input.jti ?? randomUUID())
    .setIssuer(input.edition)
    .setAudience(AUDIENCE)
    .setIssuedAt(Math.floor(input.now.getTime() / 1000))
    .setExpirationTime(Math.floor(input.expiresAt.getTime() / 1000))
    .sign(keyBytes(key));
}

export type ActionLinkCheck =
  | { ok: true; claims: ActionLinkClaims }
  | { ok: false; reason: 'invalid' | 'expired' | 'other-recipient' | 'other-edition' };

/**
 * Verifies signature, audience, expiry and edition, then the recipient against the caller's address.
 * Single use is the caller's job (it needs the table). Never throws for a bad token.
 */
export async function verifyActionLink(
  key: string,
  token: string,
  expected: { edition: string; callerEmail: string | undefined; now: Date },
): Promise<ActionLinkCheck> {
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, keyBytes(key), {
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
  if (!expected.callerEmail || recipientHash(key, expected.callerEmail) !== claims.data.rcp) {
    return { ok: false, reason: 'other-recipient' };
  }
  return {
    ok: true,
    claims: {
      jti: claims.data.jti,
      action: claims.data.act,
      assignmentId: claims.data.asg,
      ideaId: claims.data.idea,
      edition: claims.data.iss,
      recipient: claims.data.rcp,
      expiresAt: new Date(claims.data.exp * 1000),
    },
  };
}
