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
  const keySets = new Map(
    issuers.map((trusted) => [
      trusted.issuer,
      createRemoteJWKSet(new URL(trusted.jwksUrl ?? `${trusted.issuer}/.well-known/jwks.json`), {
        timeoutDuration: 3000,
        cooldownDuration: 30_000,
      }),
    ]),
  );
  return async (token) => {
    let issuer: string | undefined;
    try {
      const [, payload] = token.split('.');
      issuer = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')).iss;
    } catch {
      return undefined;
    }
    const trusted = issuers.find((candidate) => candidate.issuer === issuer);
    const keySet = trusted && keySets.get(trusted.issuer);
    if (!trusted || !keySet) return undefined;
    try {
      const { payload } = await jwtVerify(token, keySet, {
        issuer: trusted.issuer,
        audience: trusted.audience,
      });
      return payload;
    } catch {
      return undefined;
    }
  };
}
