/**
 * `npm run staff:code -- <address>`: the current TOTP code of a staff account seeded by `npm start`, and its
 * secret to add to an authenticator app instead. Local only (the secrets derive from the address).
 */
import { localTotpSecret, totpCode, wallClockMs } from './totp.ts';

const username = process.argv[2];
if (!username) {
  console.error('Usage : npm run staff:code -- <adresse du compte de démonstration>');
  process.exit(2);
}
const secret = localTotpSecret(username);
const left = 30 - (Math.floor(wallClockMs() / 1000) % 30);
console.log(`Code du moment : ${totpCode(secret)} (encore ${left} s)`);
console.log(`Clé pour une application d’authentification : ${secret.replace(/(.{4})(?=.)/g, '$1 ')}`);
