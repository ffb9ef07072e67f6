import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import type { VerifyToken } from '../auth/token-verifier.ts';
import { DomainError, serviceUnavailable, validationFailed } from '../errors/domain-error.ts';
import { isTransientAwsError } from '../errors/transient-error.ts';
import type { Logger } from '../logging/logger.ts';
import type { Access } from '../manifest.ts';
import { fieldErrors } from '../validation/french.ts';
import { cameThroughEdge } from './origin.ts';
import { type Principal, principalFromClaims } from './principal.ts';
import { problemResponse } from './problem.ts';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResponse = APIGatewayProxyStructuredResultV2;

export interface HttpRequest {
  routeKey: string;
  params: Record<string, string>;
  query: Record<string, string>;
  /** Lower-cased names. */
  headers: Record<string, string>;
  /** Parsed JSON body, `undefined` when there is none. Still to be validated by the route. */
  body: unknown;
  principal: Principal | undefined;
  idempotencyKey: string | undefined;
  sourceIp: string;
}

export interface HttpResult {
  /** @default 200 */
  status?: number;
  body?: unknown;
  /** A body sent as is (CSV, pabulib files): set its `content-type` in `headers`. Wins over `body`. */
  text?: string;
  headers?: Record<string, string>;
}

export type RouteHandler = (request: HttpRequest) => Promise<HttpResult>;

/** @default 64 KiB: no body of this API is larger; bigger ones are refused before parsing. */
const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/** Parses `value` with `schema` or throws a 400 with one French message per field. */
export function parseWith<S extends z.ZodMiniType>(schema: S, value: unknown, prefix: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationFailed(fieldErrors(result.error, prefix));
  return result.data;
}

const unauthenticated = () =>
  new DomainError({
    code: 'unauthenticated',
    status: 401,
    title: 'Connexion requise',
    detail: 'Connectez-vous pour accéder à cette page.',
  });
const forbidden = () =>
  new DomainError({
    code: 'forbidden',
    status: 403,
    title: 'Accès refusé',
    detail: 'Votre rôle ne permet pas cette action.',
  });

function readBody(event: HttpEvent, maxBytes: number): unknown {
  if (event.body === undefined || event.body === null || event.body === '') return undefined;
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(raw, 'utf8') > maxBytes) {
    throw new DomainError({
      code: 'payload_too_large',
      status: 413,
      title: 'Contenu trop volumineux',
      detail: `Le contenu envoyé dépasse ${Math.round(maxBytes / 1024)} Ko.`,
    });
  }
  const contentType = event.headers['content-type'] ?? event.headers['Content-Type'] ?? '';
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType)) {
    throw new DomainError({
      code: 'unsupported_media_type',
      status: 415,
      title: 'Format non pris en charge',
      detail: 'Envoyez le contenu au format JSON (Content-Type: application/json).',
    });
  }
  try {
    return JSON.parse(raw);
  } catch {
    throw new DomainError({
      code: 'malformed_json',
      status: 400,
      title: 'Contenu illisible',
      detail: 'Le contenu envoyé n’est pas du JSON valide.',
    });
  }
}

function lowerCaseHeaders(headers: HttpEvent['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {}))
    if (value !== undefined) out[name.toLowerCase()] = value;
  return out;
}

/**
 * The middy stack every HTTP function uses: it enforces the role the manifest declares for the route,
 * parses the JSON body, dispatches on `routeKey`, and turns every error into problem+json (5xx only
 * for faults of ours, with no internals in the body).
 */
export function httpHandler(options: {
  routes: Record<string, RouteHandler>;
  /**
   * Who may call each route of the function, by route key: its manifest slice's `routes`
   * (shared/manifest-slices), so that the bundle does not carry the whole manifest.
   */
  access: Readonly<Record<string, Access>>;
  logger: Logger;
  verifyToken: VerifyToken;
  maxBodyBytes?: number;
  /**
   * The origin secret CloudFront adds to every API request (`x-bp-origin-verify`): when given, a request
   * without it is refused before anything else (403 `edge_required`). By default, read once from the secret
   * named by `ORIGIN_VERIFY_SECRET` when the function has it (every HTTP function of the manifest has, which
   * `test/infra/origin-secret.test.ts` asserts); unit tests that build a handler without it are not checked.
   */
  originSecret?: () => Promise<string>;
}) {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const { logger } = options;
  /** Who called, per request, as established by `authorize`. */
  const principals = new WeakMap<HttpEvent, Principal>();

  const declared = new Map(Object.entries(options.access));

  const dispatch = async (event: HttpEvent): Promise<HttpResponse> => {
    const access = declared.get(event.routeKey);
    const handle = options.routes[event.routeKey];
    if (!access || !handle) throw routeNotFound();
    const principal = principals.get(event);
    const headers = lowerCaseHeaders(event.headers);
    const result = await handle({
      routeKey: event.routeKey,
      params: definedEntries(event.pathParameters),
      query: definedEntries(event.queryStringParameters),
      headers,
      body: readBody(event, maxBodyBytes),
      principal,
      idempotencyKey: headers['idempotency-key'],
      sourceIp: event.requestContext.http.sourceIp,
    });
    return {
      statusCode: result.status ?? 200,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': access === 'public' ? 'no-cache' : 'no-store',
        ...result.headers,
      },
      body: result.text ?? (result.body === undefined ? '' : JSON.stringify(result.body)),
    };
  };

  const originSecret = options.originSecret ?? originSecretFromEnv();
  const stack = middy<HttpEvent, HttpResponse, Error, Context>().use(problemErrors(logger));
  if (originSecret) stack.use(requireEdge(originSecret));
  return stack.use(authorize(options.verifyToken, declared, principals)).handler(dispatch);
}

/** The function's origin secret, read from Secrets Manager at its first request, if it has one. */
function originSecretFromEnv(): (() => Promise<string>) | undefined {
  const secretId = process.env.ORIGIN_VERIFY_SECRET;
  if (!secretId) return undefined;
  let pending: Promise<string> | undefined;
  return () => {
    if (!pending) {
      // Loaded on first use: the SDK client is not part of the function's import (cold start).
      pending = import('@aws-sdk/client-secrets-manager').then(async (sdk) => {
        const read = await new sdk.SecretsManagerClient({}).send(
          new sdk.GetSecretValueCommand({ SecretId: secretId }),
        );
        if (!read.SecretString) throw new Error(`Secret ${secretId} has no string value`);
        return read.SecretString;
      });
      pending.catch(() => {
        pending = undefined;
      });
    }
    return pending;
  };
}

/** Refuses a request that did not come through the distribution (and its WAF), before its token is read. */
function requireEdge(originSecret: () => Promise<string>): middy.MiddlewareObj<HttpEvent, HttpResponse> {
  return {
    before: async ({ event }) => {
      if (cameThroughEdge(lowerCaseHeaders(event.headers), await originSecret())) return;
      throw new DomainError({
        code: 'edge_required',
        status: 403,
        title: 'Accès refusé',
        detail: 'Passez par le site du budget participatif : cette adresse ne répond pas directement.',
      });
    },
  };
}

const routeNotFound = () =>
  new DomainError({
    code: 'route_not_found',
    status: 404,
    title: 'Introuvable',
    detail: 'Cette adresse n’existe pas.',
  });

function definedEntries(record: Record<string, string | undefined> | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record ?? {}).filter((entry): entry is [string, string] => !!entry[1]),
  );
}

/**
 * Verifies the bearer token, if any, then enforces the role the manifest declares for the route,
 * before the body is even read. A bad token on a public route is ignored, not refused.
 */
function authorize(
  verifyToken: VerifyToken,
  declared: ReadonlyMap<string, Access>,
  principals: WeakMap<HttpEvent, Principal>,
): middy.MiddlewareObj<HttpEvent, HttpResponse> {
  return {
    before: async ({ event }) => {
      const access = declared.get(event.routeKey);
      if (!access) throw routeNotFound();
      const header = event.headers.authorization ?? event.headers.Authorization;
      const token = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
      const claims = token ? await verifyToken(token) : undefined;
      const principal = principalFromClaims(claims as Parameters<typeof principalFromClaims>[0]);
      if (principal) principals.set(event, principal);
      if (access === 'public') return;
      if (!principal) throw unauthenticated();
      if (!principal.roles.some((role) => access.includes(role))) throw forbidden();
    },
  };
}

/** Every error becomes problem+json; 5xx only for faults of ours, and never with internals. */
function problemErrors(logger: Logger): middy.MiddlewareObj<HttpEvent, HttpResponse> {
  return {
    onError: (request) => {
      const { error, event } = request;
      if (error instanceof DomainError) {
        if (error.status >= 500)
          logger.warn('request refused', { code: error.code, routeKey: event.routeKey });
        request.response = problemResponse(error);
        return;
      }
      // Throttling, a 5xx or a timeout of DynamoDB or SES once the SDK's retries are spent: the client
      // may retry (writes carry an Idempotency-Key), so say 503 with Retry-After, not 500.
      if (isTransientAwsError(error)) {
        logger.warn('dependency unavailable', { routeKey: event.routeKey, errorName: (error as Error).name });
        request.response = problemResponse(
          serviceUnavailable(
            'service_unavailable',
            'Le service est momentanément surchargé. Réessayez dans quelques secondes : une demande renvoyée avec la même clé ne sera pas enregistrée deux fois.',
          ),
        );
        return;
      }
      logger.error('unexpected error', { routeKey: event.routeKey, error: error as Error });
      request.response = problemResponse(
        new DomainError({
          code: 'internal_error',
          status: 500,
          title: 'Erreur interne',
          detail: 'Une erreur inattendue est survenue. Rien n’a été perdu de ce qui était déjà enregistré.',
        }),
      );
    },
  };
}
