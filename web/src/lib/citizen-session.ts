import { decodeJwtPayload } from './session.ts';

/** A verified inhabitant's session, as the identity API answered it (the API verifies; we only display). */
export interface CitizenSession {
  token: string;
  citizenId: string;
  territory: string;
  status: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

const STORAGE_KEY = 'bp.citizen.token';

export function storeCitizenToken(token: string): void {
  sessionStorage.setItem(STORAGE_KEY, token);
}

/** The stored session of this tab, or `null` when there is none or it has expired. */
export function currentCitizen(now = Date.now()): CitizenSession | null {
  const token = sessionStorage.getItem(STORAGE_KEY);
  if (!token) return null;
  try {
    const claims = decodeJwtPayload(token);
    const expiresAt = typeof claims.exp === 'number' ? claims.exp * 1000 : 0;
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
  sessionStorage.removeItem(STORAGE_KEY);
  return null;
}

export function signOutCitizen(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}
