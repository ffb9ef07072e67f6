import { decodeJwtPayload } from './session.ts';
import { forgetToken, tokenUsableUntil } from './token-clock.ts';

/** A verified inhabitant's session, as the identity API answered it (the API verifies; we only display). */
export interface CitizenSession {
  token: string;
  citizenId: string;
  territory: string;
  status: string;
  /** Browser epoch milliseconds after which the token is no longer usable, by the issuer's clock. */
  expiresAt: number;
}

const STORAGE_KEY = 'bp.citizen.token';
const ANCHOR_KEY = 'bp.citizen.token.anchor';

export function storeCitizenToken(token: string): void {
  signOutCitizen();
  sessionStorage.setItem(STORAGE_KEY, token);
}

/**
 * The stored session of this tab, or `null` when there is none or it has expired: judged by the token's own
 * lifetime measured from when this tab received it, never by the browser's clock against `exp` (see
 * token-clock.ts). The API refuses an expired token anyway (401).
 */
export function currentCitizen(now = Date.now()): CitizenSession | null {
  const token = sessionStorage.getItem(STORAGE_KEY);
  if (!token) return null;
  try {
    const claims = decodeJwtPayload(token);
    const expiresAt = tokenUsableUntil(ANCHOR_KEY, claims, now);
    if (expiresAt > now) {
      return {
        token,
        citizenId: String(claims.sub ?? ''),
        territory: String(claims['bp:territory'] ?? ''),
        status: String(claims['bp:status'] ?? ''),
        expiresAt,
      };
    }
  } catch {
    // An unreadable token is as good as none.
  }
  signOutCitizen();
  return null;
}

export function signOutCitizen(): void {
  sessionStorage.removeItem(STORAGE_KEY);
  forgetToken(ANCHOR_KEY);
}
