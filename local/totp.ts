/** TOTP for local tools and tests: the codes an authenticator app would show, and the demo accounts' secrets. */
import { createHash } from 'node:crypto';
import { generateSync, ScureBase32Plugin } from 'otplib';

const base32 = new ScureBase32Plugin();

/** The current 6-digit code for a base32 secret (SHA-1, 30 s: what Cognito and the apps use). */
export function totpCode(secret: string, at: number = Date.now()): string {
  return generateSync({ secret, epoch: Math.floor(at / 1000) });
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
