/** TOTP for the local stack, tools and tests: the codes an authenticator app would show, and their check. */
import { createHash } from 'node:crypto';
import { generateSync, ScureBase32Plugin, verifySync } from 'otplib';

const base32 = new ScureBase32Plugin();

/**
 * Wall-clock milliseconds, even where `Date` follows the local clock (local/time-shift.ts): a phone's
 * authenticator knows nothing of `npm start`'s advanced clock, so codes are made and checked on real time.
 */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}

/** The current 6-digit code for a base32 secret (SHA-1, 30 s: what Cognito and the apps use). */
export function totpCode(secret: string, at: number = wallClockMs()): string {
  return generateSync({ secret, epoch: Math.floor(at / 1000) });
}

/** Cognito's check: the code of the current 30 s step or of the one either side. */
export function verifyTotp(secret: string, code: string, at: number = wallClockMs()): boolean {
  if (!/^\d{6}$/.test(code)) return false;
  try {
    return verifySync({ secret, token: code, epoch: Math.floor(at / 1000), epochTolerance: 30 }).valid;
  } catch {
    return false;
  }
}

/**
 * The TOTP secret the local stack enrols for a seeded account: derived from the user name so that it is the
 * same on every `npm start` and every test worker, and printable. Local only: AWS draws secrets itself.
 */
export function localTotpSecret(username: string): string {
  const bytes = createHash('sha256')
    .update(`bp-local-totp:${username.toLowerCase()}`)
    .digest()
    .subarray(0, 20);
  return base32.encode(bytes).replace(/=+$/, '');
}
