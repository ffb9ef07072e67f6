import { createECDH, createHash } from 'node:crypto';
import { calculateJwkThumbprint, importJWK, type JWK, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { CITIZEN_AUDIENCE } from '../../shared/auth/citizen-tokens.ts';

export interface CitizenClaims {
  citizenId: string;
  territory: string;
  status: 'verified' | 'held';
  /** `in-person`: may vote only on paper or at a kiosk; voting refuses its online ballots. */
  channel?: 'email' | 'in-person';
}

/** Port: signs citizen session tokens and publishes the matching public key. */
export interface CitizenTokenSigner {
  sign(claims: CitizenClaims, now: Date): Promise<{ token: string; expiresAt: Date }>;
  /** The public JWKS served at `.../identity/jwks.json`. */
  jwks(): { keys: JWK[] };
  /** For tests and tools: verifies a token of this signer without HTTP. */
  verify(token: string): Promise<JWTPayload>;
}

/** @default 2 hours: long enough to propose an idea or vote, short enough that a held identity re-signs. */
const DEFAULT_TTL_SECONDS = 2 * 3600;

/**
 * The P-256 key is derived from a seed (SHA-256 of the secret string) rather than stored as a PEM: the
 * secret is a plain generated string in Secrets Manager, and the same seed always gives the same key,
 * so every instance of the function signs with the key its JWKS publishes. `kid` = RFC 7638 thumbprint.
 */
export async function citizenTokenSigner(options: {
  seed: string;
  issuer: string;
  edition: string;
  ttlSeconds?: number;
}): Promise<CitizenTokenSigner> {
  const d = createHash('sha256').update(options.seed).digest();
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(d);
  const publicKey = ecdh.getPublicKey(); // 0x04 || x || y
  const publicJwk: JWK = {
    kty: 'EC',
    crv: 'P-256',
    x: publicKey.subarray(1, 33).toString('base64url'),
    y: publicKey.subarray(33, 65).toString('base64url'),
  };
  const kid = await calculateJwkThumbprint(publicJwk);
  const privateKey = await importJWK({ ...publicJwk, d: d.toString('base64url') }, 'ES256');
  const verificationKey = await importJWK(publicJwk, 'ES256');
  const ttl = options.ttlSeconds ?? DEFAULT_TTL_SECONDS;
  const published: JWK = { ...publicJwk, kid, alg: 'ES256', use: 'sig' };

  return {
    async sign(claims, now) {
      const issuedAt = Math.floor(now.getTime() / 1000);
      const token = await new SignJWT({
        'bp:roles': ['citizen'],
        'bp:territory': claims.territory,
        'bp:edition': options.edition,
        'bp:status': claims.status,
        'bp:channel': claims.channel ?? 'email',
      })
        .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
        .setSubject(claims.citizenId)
        .setIssuer(options.issuer)
        .setAudience(CITIZEN_AUDIENCE)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + ttl)
        .sign(privateKey);
      return { token, expiresAt: new Date((issuedAt + ttl) * 1000) };
    },
    jwks: () => ({ keys: [published] }),
    async verify(token) {
      const { payload } = await jwtVerify(token, verificationKey, {
        issuer: options.issuer,
        audience: CITIZEN_AUDIENCE,
      });
      return payload;
    },
  };
}
