import { createHmac } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { citizenTokenSigner } from '../../functions/identity/signing-key.ts';
import { citizenIssuer } from '../../shared/auth/citizen-tokens.ts';
import { type Role, STAFF_ROLES } from '../../shared/auth/roles.ts';
import { staffToken } from '../support/api.ts';
import { citizenFactory } from '../support/citizens.ts';
import type { StackContext } from '../support/stack-context.ts';

/** Who calls: the roles the API must grant (none for anonymous and every forged or broken token). */
export interface Caller {
  readonly name: string;
  readonly roles: readonly Role[];
  /** The `Authorization` header(s) to send, if any. */
  readonly authorization?: string | string[];
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
}

/**
 * One caller per role with a real token (a seeded verified citizen, the demo staff accounts), the
 * anonymous caller, and callers whose tokens must grant nothing: expired (genuinely signed), tampered,
 * `alg: none`, HS256 keyed with public data, unknown key id, wrong audience, and header abuse.
 */
export async function prepareCallers(stack: StackContext, territory: string): Promise<Caller[]> {
  const factory = await citizenFactory(stack);
  const citizen = await factory.create(territory);
  factory.close();
  const staff = await Promise.all(
    STAFF_ROLES.map(async (role) => ({ role, token: await staffToken(stack, role) })),
  );
  const admin = staff.find(({ role }) => role === 'admin')?.token ?? '';

  // An expired token with a genuine signature: the identity key, three hours ago (tokens last two).
  const secrets = new SecretsManagerClient({
    endpoint: stack.secretsUrl,
    region: 'eu-west-3',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const { SecretString: seed } = await secrets.send(
    new GetSecretValueCommand({ SecretId: `bp-${stack.edition}-citizen-signing-seed` }),
  );
  secrets.destroy();
  const signer = await citizenTokenSigner({
    seed: seed ?? '',
    issuer: citizenIssuer(stack.siteUrl, stack.edition).issuer,
    edition: stack.edition,
  });
  const expired = (
    await signer.sign(
      { citizenId: citizen.citizenId, territory, status: 'verified' },
      new Date(Date.now() - 3 * 3600_000),
    )
  ).token;

  const adminClaims = { ...claimsOf(admin), 'cognito:groups': ['admin', 'coordinator', 'moderator'] };
  const citizenClaims = { ...claimsOf(citizen.token), 'bp:roles': ['citizen', 'admin'] };
  const [citizenHeader, , citizenSignature] = citizen.token.split('.');
  const [adminHeader, , adminSignature] = admin.split('.');
  const hs256 = (claims: unknown, key: string) => {
    const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
    return `${unsigned}.${createHmac('sha256', key).update(unsigned).digest('base64url')}`;
  };
  const jwks = await (
    await fetch(`${stack.siteUrl}/api/editions/${stack.edition}/identity/jwks.json`)
  ).text();

  const bearer = (token: string) => `Bearer ${token}`;
  const none: readonly Role[] = [];
  return [
    { name: 'anonymous', roles: none },
    { name: 'citizen', roles: ['citizen'], authorization: bearer(citizen.token) },
    ...staff.map(({ role, token }) => ({
      name: role,
      roles: [role] as Role[],
      authorization: bearer(token),
    })),
    // Hostile: each must be treated as anonymous.
    { name: 'expired-citizen', roles: none, authorization: bearer(expired) },
    {
      name: 'tampered-citizen',
      roles: none,
      authorization: bearer(`${citizenHeader}.${b64(citizenClaims)}.${citizenSignature}`),
    },
    {
      name: 'tampered-staff',
      roles: none,
      authorization: bearer(`${adminHeader}.${b64(adminClaims)}.${adminSignature}`),
    },
    {
      name: 'alg-none-staff',
      roles: none,
      authorization: bearer(`${b64({ alg: 'none' })}.${b64(adminClaims)}.`),
    },
    {
      name: 'alg-none-citizen',
      roles: none,
      authorization: bearer(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(citizenClaims)}.`),
    },
    { name: 'hs256-jwks-key', roles: none, authorization: bearer(hs256(citizenClaims, jwks)) },
    {
      name: 'unknown-kid',
      roles: none,
      authorization: bearer(
        `${b64({ alg: 'ES256', kid: '../../etc/passwd' })}.${b64(citizenClaims)}.${citizenSignature}`,
      ),
    },
    {
      name: 'wrong-audience',
      roles: none,
      authorization: bearer(hs256({ ...adminClaims, aud: 'x' }, 'secret')),
    },
    { name: 'garbage-bearer', roles: none, authorization: 'Bearer ....' },
    { name: 'empty-bearer', roles: none, authorization: 'Bearer ' },
    { name: 'basic-auth', roles: none, authorization: 'Basic YWRtaW46YWRtaW4=' },
    { name: 'payload-null', roles: none, authorization: bearer(`${b64({ alg: 'ES256' })}.${b64(null)}.x`) },
    { name: 'payload-not-json', roles: none, authorization: bearer('eyJhbGciOiJFUzI1NiJ9.%%%%.x') },
    { name: 'huge-bearer', roles: none, authorization: bearer('A'.repeat(12_000)) },
    // Two Authorization headers: whatever the server makes of them, they must not add up to a role.
    { name: 'duplicate-authorization', roles: none, authorization: [bearer(admin), bearer(citizen.token)] },
    { name: 'duplicate-with-forged', roles: none, authorization: [bearer(expired), 'Bearer x.y.z'] },
  ];
}
