import { STAFF_ROLES } from './shared-data.ts';
import { forgetToken, tokenUsableUntil } from './token-clock.ts';
import type { StaffRole } from './types.ts';

/** A signed-in staff member, as read from the Cognito ID token (the API verifies it; we only display). */
export interface StaffSession {
  idToken: string;
  email: string;
  roles: StaffRole[];
  /** Browser epoch milliseconds after which the token is no longer usable, by the issuer's clock. */
  expiresAt: number;
}

const STORAGE_KEY = 'bp.staff.idToken';
const ANCHOR_KEY = 'bp.staff.idToken.anchor';

/** The payload of a JWT, without checking its signature. */
export function decodeJwtPayload(token: string): Record<string, unknown> {
  const part = token.split('.')[1];
  if (!part) throw new Error('Malformed token');
  const base64 = part
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(part.length / 4) * 4, '=');
  const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
}

function sessionFromToken(idToken: string, now = Date.now()): StaffSession {
  const claims = decodeJwtPayload(idToken);
  const groups = Array.isArray(claims['cognito:groups']) ? (claims['cognito:groups'] as unknown[]) : [];
  return {
    idToken,
    email: typeof claims.email === 'string' ? claims.email : String(claims['cognito:username'] ?? ''),
    roles: STAFF_ROLES.filter((role) => groups.includes(role)),
    expiresAt: tokenUsableUntil(ANCHOR_KEY, claims, now),
  };
}

/**
 * The stored session, or `null` when there is none or it has expired. Expiry is judged by the token's own
 * lifetime (issuer's `exp - iat`), measured from when this tab received it: never by comparing `exp` with
 * the browser's clock, which may be far from the server's. The API refuses an expired token anyway (401).
 */
export function currentSession(now = Date.now()): StaffSession | null {
  const token = sessionStorage.getItem(STORAGE_KEY);
  if (!token) return null;
  try {
    const session = sessionFromToken(token, now);
    if (session.expiresAt > now) return session;
  } catch {
    // An unreadable token is as good as none.
  }
  signOut();
  return null;
}

export function signOut(): void {
  sessionStorage.removeItem(STORAGE_KEY);
  forgetToken(ANCHOR_KEY);
}

/**
 * A sign-in refusal, with a French message for the person. `field` says the answer to the current step was
 * wrong (to show next to its field, the step stays open); `restart` that the sign-in must start over.
 */
export class SignInError extends Error {
  override name = 'SignInError';
  constructor(
    message: string,
    readonly kind: 'general' | 'field' | 'restart' = 'general',
  ) {
    super(message);
  }
}

/** Keeps the ID token for this tab (the API verifies it; the page only reads the roles). */
export function keepSession(idToken: string): StaffSession {
  signOut();
  sessionStorage.setItem(STORAGE_KEY, idToken);
  return sessionFromToken(idToken);
}
