import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';

export interface TrustedIssuer {
  issuer: string;
  /** Expected `aud` (Cognito ID tokens carry the app client id there). */
  audience: string;
  /** @default `${issuer}/.well-known/jwks.json` (Cognito's layout, and cognito-local's). */
  jwksUrl?: string;
}

export type VerifyToken = (token: string) => Promise<JWTPayload | undefined>;

/**
 * Verifies a bearer token against every trusted issuer (signature through the issuer's JWKS, issuer,
 * audience, expiry). Done in the function rather than by an API Gateway authorizer so that a refused
 * token gets the same problem+json as any other refusal, and staff and citizen tokens share one path.
 */
export function createTokenVerifier(issuers: readonly TrustedIssuer[]): VerifyToken {
  // Each key set is made at the first token of its issuer: making one builds a fetch `Headers`, which loads
  // Node's fetch (undici) into a cold start that serves a public route without ever fetching a key.
  const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();
  const keySetOf = (trusted: TrustedIssuer) => {
    let keySet = keySets.get(trusted.issuer);
    if (!keySet) {
      keySet = createRemoteJWKSet(new URL(trusted.jwksUrl ?? `${trusted.issuer}/.well-known/jwks.json`), {
        timeoutDuration: 3000,
        cooldownDuration: 30_000,
      });
      keySets.set(trusted.issuer, keySet);
    }
    return keySet;
  };
  return async (token) => {
    let issuer: string | undefined;
    try {
      const [, payload] = token.split('.');
      issuer = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')).iss;
    } catch {
      return undefined;
    }
    const trusted = issuers.find((candidate) => candidate.issuer === issuer);
    if (!trusted) return undefined;
    try {
      const { payload } = await jwtVerify(token, keySetOf(trusted), {
        issuer: trusted.issuer,
        audience: trusted.audience,
      });
      return payload;
    } catch {
      return undefined;
    }
  };
}
