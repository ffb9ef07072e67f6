import * as z from 'zod/mini';
import { allRoutes } from '../manifest.ts';
import { REQUEST_BODIES, RESPONSE_BODIES } from './bodies.ts';

const Problem = {
  type: 'object',
  required: ['title', 'status', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string', description: 'En français, pour les personnes' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string', description: 'Stable, pour les programmes' },
    errors: {
      type: 'array',
      items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } },
    },
  },
};

/** OpenAPI 3.1 document generated from the manifest's routes and the zod body schemas. */
export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const { fn, route } of allRoutes()) {
    const body = REQUEST_BODIES[`${route.method} ${route.path}`];
    const answer = RESPONSE_BODIES[`${route.method} ${route.path}`];
    const parameters = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => ({
      name: match[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, unknown>)[route.method.toLowerCase()] = {
      summary: route.summary,
      tags: [fn.name],
      'x-roles': route.access,
      ...(route.access === 'public' ? { security: [] } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: z.toJSONSchema(body) } },
            },
          }
        : {}),
      responses: {
        '200': answer
          ? { description: 'OK', content: { 'application/json': { schema: z.toJSONSchema(answer) } } }
          : { description: 'OK' },
        default: { description: 'Erreur', content: { 'application/problem+json': { schema: Problem } } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Budget participatif API', version: '1' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    security: [{ bearer: [] }],
    paths,
  };
}
