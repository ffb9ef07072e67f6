import { createHmac, timingSafeEqual } from 'node:crypto';
import type * as z from 'zod/mini';
import { DomainError } from '../errors/domain-error.ts';

/**
 * The one way a list route hands out and takes back a pagination cursor (a DynamoDB `LastEvaluatedKey`,
 * say): `<base64url JSON>.<base64url HMAC-SHA256>`, signed with a key of the manifest's secrets and bound to
 * its `scope` (the list it continues). A cursor the API did not write, or wrote for another list, is a 400,
 * never a key handed to DynamoDB.
 */
export interface PageCursors {
  seal(scope: string, position: Record<string, unknown>): Promise<string>;
  /** `undefined` for no cursor; a 400 `invalid_cursor` for a forged, altered or foreign one. */
  open<S extends z.ZodMiniType<Record<string, unknown>>>(
    scope: string,
    cursor: string | undefined,
    shape: S,
  ): Promise<z.infer<S> | undefined>;
}

export const invalidCursor = (field = 'query.cursor') =>
  new DomainError({
    code: 'invalid_cursor',
    status: 400,
    title: 'Lien de page invalide',
    detail: 'Ce lien vers la page suivante n’est pas valable : reprenez la recherche depuis le début.',
    errors: [{ field, message: 'Curseur de page invalide' }],
  });

export function signedPageCursors(key: () => Promise<string>): PageCursors {
  const mac = async (scope: string, payload: string) =>
    createHmac('sha256', await key())
      .update(`page-cursor\u0000${scope}\u0000${payload}`)
      .digest();
  return {
    async seal(scope, position) {
      const payload = Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
      return `${payload}.${(await mac(scope, payload)).toString('base64url')}`;
    },
    async open(scope, cursor, shape) {
      if (cursor === undefined || cursor === '') return undefined;
      const match = /^([A-Za-z0-9_-]{1,4000})\.([A-Za-z0-9_-]{43})$/.exec(cursor);
      if (!match) throw invalidCursor();
      const [, payload = '', signature = ''] = match;
      const given = Buffer.from(signature, 'base64url');
      const expected = await mac(scope, payload);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalidCursor();
      let position: unknown;
      try {
        position = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        throw invalidCursor();
      }
      const parsed = shape.safeParse(position);
      if (!parsed.success) throw invalidCursor();
      return parsed.data;
    },
  };
}
