import { beforeAll, describe, expect, inject, it } from 'vitest';
import { STAFF_ROLES } from '../../shared/auth/roles.ts';
import { allRoutes, routeKey } from '../../shared/manifest.ts';
import { api, staffToken } from '../support/api.ts';
import { signInCitizen } from '../support/identity.ts';
import '../support/stack-context.ts';

const stack = inject('stack');
const callers = ['anonymous', 'citizen', ...STAFF_ROLES] as const;
type Caller = (typeof callers)[number];

/** A concrete URL for a route: the stack's edition, a made-up id elsewhere (refusals come before lookups). */
const urlOf = (path: string) =>
  path.replace('{edition}', stack.edition).replace(/\{\w+\}/g, 'matrice-00000000');

describe('route × role matrix: every caller gets exactly what the manifest allows', () => {
  const tokens = new Map<Caller, string | undefined>();

  beforeAll(async () => {
    tokens.set('anonymous', undefined);
    tokens.set('citizen', (await signInCitizen(stack)).token);
    for (const role of STAFF_ROLES) tokens.set(role, await staffToken(stack, role));
  });

  const cases = allRoutes().flatMap(({ route }) => callers.map((caller) => ({ route, caller })));
  /** What each case met, to prove afterwards that every case ran and that the matrix discriminates. */
  const seen = new Map<string, { caller: Caller; allowed: boolean }>();

  it.each(cases.map(({ route, caller }) => [routeKey(route), caller, route] as const))(
    '%s as %s',
    async (_key, caller, route) => {
      // Act: no body, so an allowed write stops at validation and changes nothing.
      const response = await api(stack, route.method, urlOf(route.path), { token: tokens.get(caller) });
      seen.set(`${routeKey(route)} ${caller}`, { caller, allowed: ![401, 403].includes(response.status) });
      // Assess
      if (route.access === 'public') {
        // Public routes refuse no caller; receipts and results answer 403 to everyone until publication.
        if (response.body?.code !== 'results_not_published')
          expect([401, 403]).not.toContain(response.status);
      } else if (caller === 'anonymous') {
        expect(response.status).toBe(401);
        expect(response.body.code).toBe('unauthenticated');
      } else if ((route.access as readonly string[]).includes(caller)) {
        expect([401, 403]).not.toContain(response.status);
        expect(response.status).toBeLessThan(500);
      } else {
        expect(response.status).toBe(403);
        expect(response.body.code).toBe('forbidden');
      }
    },
  );

  it('ran every route of the manifest for every caller, and each staff role is both allowed and refused somewhere', () => {
    // Every (route, caller) pair was requested: none filtered out or left unrun.
    expect([...seen.keys()].sort()).toEqual(
      allRoutes()
        .flatMap(({ route }) => callers.map((caller) => `${routeKey(route)} ${caller}`))
        .sort(),
    );
    // A role allowed everywhere or nowhere would mean the tokens or the role check do not work.
    for (const role of ['citizen', ...STAFF_ROLES] as const) {
      const outcomes = [...seen.values()].filter((o) => o.caller === role).map((o) => o.allowed);
      expect(outcomes, role).toContain(true);
      expect(outcomes, role).toContain(false);
    }
  });

  it('refuses a citizen token whose signature was tampered with', async () => {
    const token = tokens.get('citizen') ?? '';
    const [header, payload] = token.split('.');
    const forged = `${header}.${payload}.${'A'.repeat(86)}`;
    const response = await api(stack, 'GET', urlOf('/api/editions/{edition}/me'), { token: forged });
    expect(response.status).toBe(401);
  });
});
