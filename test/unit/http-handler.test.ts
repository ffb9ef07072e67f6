import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { VerifyToken } from '../../shared/auth/token-verifier.ts';
import { httpHandler, parseWith } from '../../shared/http/http-handler.ts';
import { principalFromClaims } from '../../shared/http/principal.ts';
import { createLogger } from '../../shared/logging/logger.ts';
import { EDITIONS_SLICE } from '../../shared/manifest-slices/editions.generated.ts';

const logger = createLogger('test');
logger.setLogLevel('SILENT');

function event(
  routeKey: string,
  options: { body?: string; headers?: Record<string, string> } = {},
): APIGatewayProxyEventV2 {
  const [method = 'GET', path = '/'] = routeKey.split(' ');
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers: options.headers ?? {},
    pathParameters: { edition: 'demo' },
    requestContext: {
      accountId: '1',
      apiId: 'a',
      domainName: 'd',
      domainPrefix: 'd',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: 'r',
      routeKey,
      stage: '$default',
      time: '',
      timeEpoch: 0,
    },
    isBase64Encoded: false,
    ...(options.body !== undefined ? { body: options.body } : {}),
  };
}

const tokens: Record<string, Record<string, unknown>> = {
  admin: { sub: 'a', 'cognito:groups': ['admin'] },
  coordinator: { sub: 'c', 'cognito:groups': ['coordinator'] },
};
const verifyToken: VerifyToken = async (token) => tokens[token] as never;

const Body = z.object({ to: z.string().min(2), reason: z.string().min(5) });
const handler = httpHandler({
  access: EDITIONS_SLICE.routes,
  logger,
  verifyToken,
  routes: {
    'GET /api/health': async () => ({ body: { status: 'ok' } }),
    'POST /api/editions/{edition}/staff/phase': async (request) => ({
      body: parseWith(Body, request.body, 'body'),
    }),
    'GET /api/editions/{edition}': async () => {
      throw new Error('database password is hunter2');
    },
  },
});
const call = async (e: APIGatewayProxyEventV2) => {
  const result = await handler(e as never, {} as Context);
  return { ...result, json: result.body ? JSON.parse(result.body) : undefined };
};
const post = (headers: Record<string, string>, body?: string) =>
  call(
    event('POST /api/editions/{edition}/staff/phase', { headers, ...(body !== undefined ? { body } : {}) }),
  );

describe('httpHandler', () => {
  it('serves a public route without a token', async () => {
    const response = await call(event('GET /api/health'));
    expect(response.statusCode).toBe(200);
    expect(response.json).toEqual({ status: 'ok' });
  });

  it('enforces the role the manifest declares for the route', async () => {
    expect((await post({})).statusCode).toBe(401);
    expect((await post({ authorization: 'Bearer unknown' })).statusCode).toBe(401);
    expect((await post({ authorization: 'Bearer coordinator' })).json.code).toBe('forbidden');
  });

  it('turns a zod failure into one French message per field', async () => {
    const response = await post(
      { authorization: 'Bearer admin', 'content-type': 'application/json' },
      JSON.stringify({ to: 1 }),
    );
    expect(response.statusCode).toBe(400);
    expect(response.headers?.['content-type']).toContain('application/problem+json');
    expect(response.json.errors.map((error: { field: string }) => error.field)).toEqual([
      'body.to',
      'body.reason',
    ]);
    expect(response.json.errors[0].message).toMatch(/attendu/);
  });

  it('refuses malformed JSON, a wrong content type and an oversized body with 4xx, never 5xx', async () => {
    const admin = { authorization: 'Bearer admin', 'content-type': 'application/json' };
    expect((await post(admin, '{"to":')).json.code).toBe('malformed_json');
    expect(
      (await post({ authorization: 'Bearer admin', 'content-type': 'text/plain' }, 'hello')).statusCode,
    ).toBe(415);
    expect((await post(admin, JSON.stringify({ to: 'x'.repeat(70_000) }))).statusCode).toBe(413);
  });

  it('hides internals behind a French 500', async () => {
    const response = await call(event('GET /api/editions/{edition}'));
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('hunter2');
    expect(response.json.code).toBe('internal_error');
  });

  it('answers 404 for a route key the manifest does not declare', async () => {
    expect((await call(event('GET /api/nowhere'))).statusCode).toBe(404);
  });

  it('answers 404 for a route another function serves, even with a staff token', async () => {
    // Act: a staff route of instruction, sent to a handler that has the editions function's slice.
    const response = await call(
      event('GET /api/editions/{edition}/staff/instruction/dossiers', {
        headers: { authorization: 'Bearer admin' },
      }),
    );
    // Assess
    expect(response.statusCode).toBe(404);
    expect(response.json.code).toBe('route_not_found');
  });
});

describe('principalFromClaims', () => {
  it('reads the groups API Gateway flattens as "[a b]" and real JSON arrays alike', () => {
    expect(principalFromClaims({ sub: 's', 'cognito:groups': '[admin coordinator]' })?.roles).toEqual([
      'admin',
      'coordinator',
    ]);
    expect(principalFromClaims({ sub: 's', 'cognito:groups': ['moderator', 'not-a-role'] })?.roles).toEqual([
      'moderator',
    ]);
    expect(principalFromClaims({ 'cognito:groups': ['admin'] })).toBeUndefined();
  });
});

describe('a request that did not come through the distribution', () => {
  const SECRET = 'edge-secret-of-the-edition';
  const behindEdge = httpHandler({
    access: EDITIONS_SLICE.routes,
    logger,
    verifyToken,
    originSecret: async () => SECRET,
    routes: { 'GET /api/health': async () => ({ body: { status: 'ok' } }) },
  });
  const call = (headers: Record<string, string>) =>
    behindEdge(event('GET /api/health', { headers }), {} as Context) as Promise<{
      statusCode: number;
      body: string;
    }>;

  it('is refused before anything else: without the origin header, or with a wrong one', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { 'x-bp-origin-verify': 'guess' },
      { 'X-Bp-Origin-Verify': `${SECRET}x` },
    ];
    for (const headers of attempts) {
      const response = await call(headers);
      expect(response.statusCode).toBe(403);
      expect(JSON.parse(response.body)).toMatchObject({ code: 'edge_required' });
    }
  });

  it('is served with the header CloudFront adds, whatever its case', async () => {
    expect((await call({ 'x-bp-origin-verify': SECRET })).statusCode).toBe(200);
    expect((await call({ 'X-Bp-Origin-Verify': SECRET })).statusCode).toBe(200);
  });
});
