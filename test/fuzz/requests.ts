import fc from 'fast-check';
import * as z from 'zod';
import { REQUEST_BODIES } from '../../shared/http/bodies.ts';
import { allRoutes, type RouteSpec, routeKey } from '../../shared/manifest.ts';
import type { Caller } from './callers.ts';
import {
  anyJson,
  arbitraryFromSchema,
  HOSTILE_STRINGS,
  hostileString,
  type JsonSchema,
} from './schema-arbitrary.ts';

/** One request of the plan: everything needed to send it again and to judge its answer. */
export interface FuzzRequest {
  /** What was done to it (for the report): `schema`, `malformed-json`, `header:huge`... */
  readonly kind: string;
  readonly method: string;
  /** Raw request target, sent as is (encoded tricks included). */
  readonly path: string;
  readonly route: RouteSpec | undefined;
  readonly caller: Caller;
  readonly headers: Record<string, string | string[]>;
  readonly body: string | Buffer | undefined;
}

export interface PlanOptions {
  readonly edition: string;
  readonly callers: readonly Caller[];
  /**
   * Only bodies refused before any use case runs (malformed, wrong type, too big) for writes a caller is
   * allowed to make: the smoke run shares the integration stack with other tests and must change nothing.
   */
  readonly safe: boolean;
}

const MB = 1024 * 1024;

/** Path parameter values: plausible, then traversal, encoding and Unicode tricks. */
const pathParam = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[a-z0-9-]{1,40}$/) },
  { weight: 1, arbitrary: fc.uuid() },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      '..',
      '.',
      '..%2F..%2F..%2Fetc%2Fpasswd',
      '%2e%2e%2f%2e%2e%2f',
      '%252e%252e%252f',
      '..%5c..%5cwindows',
      '%00',
      'a%00b',
      '%',
      '%E0%A4%A',
      '%C0%AF',
      '%ED%A0%80',
      '%FF%FE',
      '%F0%9F%98%80',
      '%E2%80%AE',
      '%0d%0aSet-Cookie:%20a=b',
      '%20',
      percentEncode('<script>'),
      percentEncode("' OR 1=1 --"),
      'a'.repeat(3000),
      'EDITION%23x',
      'IDEA%23x%23IDEA',
      '__proto__',
      'constructor',
      '%7B%7D',
    ),
  },
);

/** Every UTF-8 byte percent-encoded (lone surrogates too, as U+FFFD, where encodeURIComponent throws). */
function percentEncode(value: string): string {
  return [...Buffer.from(value, 'utf8')]
    .map((byte) =>
      /[\w.~-]/.test(String.fromCharCode(byte)) && byte < 128
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
}

const queryValue = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.integer({ min: -10, max: 100_000 }).map(String),
  hostileString.map((value) => value.slice(0, 300)),
);
const queryString = fc
  .array(
    fc.tuple(
      fc.constantFrom(
        'status',
        'territory',
        'commune',
        'theme',
        'q',
        'sort',
        'page',
        'pageSize',
        'postcode',
        '__proto__',
        'constructor[prototype][admin]',
        'page',
      ),
      queryValue,
    ),
    { maxLength: 4 },
  )
  .map((pairs) => pairs.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&'))
  .map((query) => (query ? `?${query}` : ''));

function deepArray(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}
function deepObject(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

const malformedJson = fc.constantFrom(
  '{',
  '}',
  '{"a":}',
  "{'a':1}",
  '{"a":1,}',
  '[1,2',
  'NaN',
  'undefined',
  '\u0000',
  '{"a":"\u0000"',
  '\ufeff{"a":1}',
  '{"a":1}{"b":2}',
  '{"a":"\\ud800"}x',
  '{"a":01}',
  '{"a":1e99999}',
  '"unterminated',
  '<xml/>',
  'a=1&b=2',
);

/** Bodies that no schema accepts but that reach the JSON parser and the validation. */
const refusedJsonBody = fc.oneof(
  fc.constantFrom('null', '[]', '"x"', '42', 'true', '{}', '{"__proto__":{"admin":true}}', '{"a":1,"a":2}'),
  anyJson
    .filter((value) => typeof value !== 'object' || value === null || Array.isArray(value))
    .map((v) => JSON.stringify(v) ?? 'null'),
);

type BodyPlan = { kind: string; body: string | Buffer | undefined; contentType: string | undefined };

/** Bodies the server must refuse before any use case runs, whatever the route. */
const safeBody: fc.Arbitrary<BodyPlan> = fc.oneof(
  {
    weight: 4,
    arbitrary: malformedJson.map((body) => ({
      kind: 'malformed-json',
      body,
      contentType: 'application/json',
    })),
  },
  {
    weight: 3,
    arbitrary: refusedJsonBody.map((body) => ({
      kind: 'refused-json',
      body,
      contentType: 'application/json',
    })),
  },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(10_000, 32_000, 100_000, 1_000_000)
      .chain((depth) =>
        fc.constantFrom(
          { kind: `deep-array-${depth}`, body: deepArray(depth), contentType: 'application/json' },
          { kind: `deep-object-${depth}`, body: deepObject(depth), contentType: 'application/json' },
        ),
      ),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      {
        kind: 'invalid-utf8',
        body: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc0, 0x22, 0x7d]),
        contentType: 'application/json',
      },
      {
        kind: 'utf16-body',
        body: Buffer.from('{"a":"b"}', 'utf16le'),
        contentType: 'application/json; charset=utf-16',
      },
      {
        kind: 'binary',
        body: Buffer.from([0, 1, 2, 3, 255, 254, 0x89, 0x50, 0x4e, 0x47]),
        contentType: 'application/octet-stream',
      },
    ),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(
        { kind: 'body-64KiB+1', size: 64 * 1024 + 1 },
        { kind: 'body-1MB', size: MB },
        { kind: 'body-10MB', size: 10 * MB },
        { kind: 'body-10MB+1', size: 10 * MB + 1 },
      )
      .map(({ kind, size }) => ({
        kind,
        // A valid JSON string of exactly `size` bytes: refused for its size, not its syntax.
        body: `"${'a'.repeat(size - 2)}"`,
        contentType: 'application/json',
      })),
  },
);

const wrongContentType = fc.constantFrom(
  undefined,
  'text/plain',
  'text/html',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/jsonx',
  'application/javascript',
  'json',
  '',
  '*/*',
  'application/json\tx',
);

function bodyFor(route: RouteSpec | undefined, safe: boolean): fc.Arbitrary<BodyPlan> {
  const schema = route && REQUEST_BODIES[routeKey(route)];
  const json = schema
    ? (z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema)
    : undefined;
  const shaped = json ? arbitraryFromSchema(json) : anyJson;
  const hostileShaped = json ? arbitraryFromSchema(json, 0.3) : anyJson;
  const schemaBodies = fc.oneof(
    { weight: 4, arbitrary: shaped.map((value) => ({ kind: 'schema', value })) },
    { weight: 4, arbitrary: hostileShaped.map((value) => ({ kind: 'schema-hostile', value })) },
  );
  const unsafe = fc.oneof(
    {
      weight: 10,
      arbitrary: schemaBodies.map(({ kind, value }) => ({
        kind,
        body: JSON.stringify(value),
        contentType: 'application/json',
      })),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(schemaBodies, wrongContentType).map(([{ value }, contentType]) => ({
        kind: `content-type:${contentType ?? 'none'}`,
        body: JSON.stringify(value),
        contentType,
      })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(shaped, fc.constantFrom(...HOSTILE_STRINGS.filter((s) => s.length < 1000)))
        .map(([value, hostile]) => ({
          kind: 'schema-hostile-keys',
          body: JSON.stringify({ ...(typeof value === 'object' && value ? value : {}), [hostile]: hostile }),
          contentType: 'application/json',
        })),
    },
  );
  const none = fc.constant<BodyPlan>({ kind: 'no-body', body: undefined, contentType: undefined });
  if (safe) return fc.oneof({ weight: 1, arbitrary: none }, { weight: 6, arbitrary: safeBody });
  return fc.oneof(
    { weight: 2, arbitrary: none },
    { weight: 5, arbitrary: safeBody },
    { weight: 12, arbitrary: unsafe },
  );
}

type HeaderPlan = { kind: string; headers: Record<string, string | string[]> };

const headerAbuse: fc.Arbitrary<HeaderPlan> = fc.oneof(
  { weight: 20, arbitrary: fc.constant<HeaderPlan>({ kind: '', headers: {} }) },
  {
    weight: 6,
    arbitrary: fc
      .oneof(
        fc.uuid(),
        hostileString.map((s) =>
          Buffer.from(s)
            .toString('latin1')
            .replace(/[^\x20-\x7e\x80-\xff]/g, '')
            .slice(0, 5000),
        ),
      )
      .map((key) => ({ kind: 'idempotency-key', headers: { 'idempotency-key': key } })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom<HeaderPlan>(
      { kind: 'header:huge', headers: { 'x-padding': 'a'.repeat(64 * 1024) } },
      { kind: 'header:8k', headers: { 'x-padding': 'a'.repeat(8 * 1024) } },
      {
        kind: 'header:many',
        headers: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`x-h${i}`, String(i)])),
      },
      { kind: 'header:host-odd', headers: { host: 'exemple.fr:99999' } },
      { kind: 'header:host-bracket', headers: { host: '[' } },
      { kind: 'header:host-empty', headers: { host: '' } },
      {
        kind: 'header:duplicate-content-type',
        headers: { 'content-type': ['application/json', 'text/plain'] },
      },
      { kind: 'header:duplicate-idempotency', headers: { 'idempotency-key': ['a', 'b'] } },
      { kind: 'header:latin1', headers: { 'x-name': '\u00e9\u00ff\u00a0' } },
      {
        kind: 'header:forwarded',
        headers: { 'x-forwarded-for': '127.0.0.1, 10.0.0.1', forwarded: 'for=evil' },
      },
      { kind: 'header:accept-odd', headers: { accept: 'application/problem+json;q=0, */*;q=0' } },
    ),
  },
);

const OTHER_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'TRACE'] as const;
const UNKNOWN_PATHS = [
  '/api/',
  '/api/editions',
  '/api/editions/{edition}/nope',
  '/api/editions/{edition}/staff',
  '/api/editions/{edition}/ideas/{id}/support',
  '/api/%',
  '/api/..%2f..%2fpackage.json',
  '/api/editions/{edition}/ideas/../staff/phase',
  '/api//editions/{edition}',
];

function fillPath(template: string, edition: string, params: readonly string[]): string {
  let i = 0;
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[i++] ?? 'x';
    return name === 'edition' && value === 'same' ? edition : value;
  });
}

/** The plan of `numRuns` requests for this seed: deterministic, so a seed replays the same requests. */
export function planRequests(options: PlanOptions, seed: number, numRuns: number): FuzzRequest[] {
  const routes = allRoutes().map(({ route }) => route);
  const target = fc.oneof(
    {
      weight: 30,
      arbitrary: fc
        .constantFrom(...routes)
        .map((route) => ({ route, method: route.method, template: route.path })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.constantFrom(...OTHER_METHODS),
          fc.constantFrom(...UNKNOWN_PATHS, ...routes.map((r) => r.path)),
        )
        .map(([method, template]) => ({
          route: routes.find((r) => r.method === method && r.path === template),
          method,
          template,
        })),
    },
  );
  const request = target.chain(({ route, method, template }) => {
    const names = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
    const params = fc.tuple(
      ...names.map((name) =>
        name === 'edition'
          ? fc.oneof({ weight: 8, arbitrary: fc.constant('same') }, { weight: 1, arbitrary: pathParam })
          : pathParam,
      ),
    );
    return fc
      .record({
        params,
        query: fc.oneof({ weight: 3, arbitrary: fc.constant('') }, { weight: 1, arbitrary: queryString }),
        // Real callers (anonymous, each role) three times as often as forged ones: they reach the use cases.
        caller: fc.oneof(
          ...options.callers.map((caller) => ({
            weight: caller.roles.length > 0 || caller.authorization === undefined ? 3 : 1,
            arbitrary: fc.constant(caller),
          })),
        ),
        headers: headerAbuse,
      })
      .chain((parts) => {
        const allowed =
          route?.access === 'public' ||
          (route !== undefined &&
            parts.caller.roles.some((role) => (route.access as readonly string[]).includes(role)));
        const writes = method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS';
        const safe = options.safe && allowed && writes;
        // A safe run never sends an accepted erasure: DELETE /me of the seeded citizen would log them out.
        const body =
          safe && method === 'DELETE'
            ? safeBody.filter((plan) => plan.kind !== 'refused-json')
            : bodyFor(route, safe);
        return body.map((bodyPlan): FuzzRequest => {
          const headers: Record<string, string | string[]> = { ...parts.headers.headers };
          if (parts.caller.authorization) headers.authorization = parts.caller.authorization;
          if (bodyPlan.contentType !== undefined && !headers['content-type'])
            headers['content-type'] = bodyPlan.contentType;
          const kinds = [bodyPlan.kind, parts.headers.kind].filter(Boolean).join('+');
          const hasTricks = parts.params.some((p) => p !== 'same' && /%|\.\./.test(p));
          return {
            kind: `${kinds}${hasTricks ? '+path-tricks' : ''}`,
            method,
            path: `${fillPath(template, options.edition, parts.params)}${parts.query}`,
            route,
            caller: parts.caller,
            headers,
            body: bodyPlan.body,
          };
        });
      });
  });
  const fixed = regressionRequests(options, routes);
  return [...fixed, ...fc.sample(request, { seed, numRuns: Math.max(0, numRuns - fixed.length) })];
}

/**
 * Requests every run sends, whatever the seed: the ones that once broke the local stack or could
 * reach a role by accident. Safe in a shared stack (refused before any use case).
 */
function regressionRequests(options: PlanOptions, routes: readonly RouteSpec[]): FuzzRequest[] {
  const byName = (name: string) =>
    options.callers.find((caller) => caller.name === name) ?? options.callers[0];
  const staffPhase = routes.find((r) => r.method === 'GET' && r.path.endsWith('/staff/phase'));
  const me = routes.find((r) => r.method === 'GET' && r.path.endsWith('/me'));
  const edition = routes.find((r) => r.method === 'GET' && r.path === '/api/editions/{edition}');
  const at = (route: RouteSpec | undefined) =>
    fillPath(route?.path ?? '/api/health', options.edition, ['same']);
  const plain = (
    kind: string,
    route: RouteSpec | undefined,
    caller: string,
    headers = {},
    path = at(route),
  ) => ({
    kind,
    method: route?.method ?? 'GET',
    path,
    route,
    caller: byName(caller) as Caller,
    headers: {
      ...headers,
      ...(byName(caller)?.authorization
        ? { authorization: byName(caller)?.authorization as string | string[] }
        : {}),
    },
    body: undefined,
  });
  const requests: FuzzRequest[] = [
    // `Host: [` was parsed as the URL base and took the whole local stack down.
    plain('regression:host-bracket', edition, 'anonymous', { host: '[' }),
    // Malformed percent-encoding in a path parameter threw in decodeURIComponent (500).
    plain('regression:bad-encoding', edition, 'anonymous', {}, `/api/editions/%E0%A4%A`),
    plain('regression:bad-encoding-static', undefined, 'anonymous', {}, '/%E0%A4%A'),
    // Headers over Node's 16 KiB limit were answered in plain text.
    plain('regression:huge-header', edition, 'anonymous', { 'x-padding': 'a'.repeat(64 * 1024) }),
    // A request target that is not a path.
    plain('regression:absolute-target', edition, 'anonymous', {}, 'http://evil.example/api/health'),
  ];
  for (const name of [
    'duplicate-authorization',
    'duplicate-with-forged',
    'alg-none-staff',
    'alg-none-citizen',
    'tampered-staff',
    'expired-citizen',
    'hs256-jwks-key',
  ]) {
    requests.push(plain(`regression:${name}`, staffPhase, name));
    requests.push(plain(`regression:${name}`, me, name));
  }
  return requests.filter((request) => request.caller);
}
