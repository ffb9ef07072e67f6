import { ROLES, type Role } from '../auth/roles.ts';

/** Who is calling, as read from the claims the gateway verified. */
export interface Principal {
  /** Pseudonymous subject (Cognito `sub`, or the citizen id of an identity token). */
  sub: string;
  roles: Role[];
  /** Instructor's service, when the token carries one. */
  service: string | undefined;
  /** Citizen's territory (`bp:territory` of an identity token). */
  territory: string | undefined;
  /** Staff member's address (`email` claim of the staff ID token): checks the recipient of a signed action link. */
  email?: string | undefined;
}

type Claims = Record<string, string | number | boolean | string[] | undefined>;

/**
 * API Gateway's JWT authorizer hands array claims to Lambda flattened as `"[a b]"`; the local adapter
 * does the same, and a JSON array is accepted too so a direct test event reads naturally.
 */
function readList(value: Claims[string]): string[] {
  if (Array.isArray(value)) return value;
  if (typeof value !== 'string') return [];
  const trimmed = value.trim();
  if (trimmed.startsWith('[') && trimmed.endsWith(']')) {
    const inner = trimmed.slice(1, -1).trim();
    if (inner.startsWith('"')) {
      try {
        return JSON.parse(trimmed) as string[];
      } catch {
        return [];
      }
    }
    return inner.split(/[\s,]+/).filter(Boolean);
  }
  return trimmed.split(/[\s,]+/).filter(Boolean);
}

export function principalFromClaims(claims: Claims | undefined): Principal | undefined {
  if (!claims || typeof claims.sub !== 'string') return undefined;
  const groups = [...readList(claims['cognito:groups']), ...readList(claims['bp:roles'])];
  const roles = groups.filter((group): group is Role => (ROLES as readonly string[]).includes(group));
  const service = claims['custom:service'] ?? claims['bp:service'];
  const territory = claims['bp:territory'];
  const email = claims.email;
  return {
    sub: claims.sub,
    roles,
    service: typeof service === 'string' ? service : undefined,
    territory: typeof territory === 'string' ? territory : undefined,
    email: typeof email === 'string' ? email : undefined,
  };
}
