import type { TrustedIssuer } from './token-verifier.ts';

/** `aud` of every citizen session token. */
export const CITIZEN_AUDIENCE = 'bp-citizen';

/**
 * The identity function of an edition issues citizen tokens under its own API path and serves its public
 * keys next to it; every function derives the same issuer from `SITE_URL` and `EDITION_ID`, so nothing
 * more is configured. The JWKS is fetched over HTTP like Cognito's (locally, through the HTTP adapter).
 */
export function citizenIssuer(siteUrl: string, edition: string): Required<TrustedIssuer> {
  const issuer = `${siteUrl.replace(/\/$/, '')}/api/editions/${edition}/identity`;
  return { issuer, audience: CITIZEN_AUDIENCE, jwksUrl: `${issuer}/jwks.json` };
}
