import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { dynamoEmailLog } from '../../functions/notifications/email-log-repository.ts';
import { createDocumentClient } from '../../shared/dynamo/document-client.ts';
import { allRoutes } from '../../shared/manifest.ts';
import { api, staffToken } from '../support/api.ts';
import { signInCitizen, uniquePerson } from '../support/identity.ts';
import '../support/stack-context.ts';

const stack = inject('stack');
const editionPath = `/api/editions/${stack.edition}`;
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

let coordinator: string;

async function emailLog(query: Record<string, string>) {
  return api(stack, 'GET', `${editionPath}/staff/email-log?${new URLSearchParams(query)}`, {
    token: coordinator,
  });
}

beforeAll(async () => {
  coordinator = await staffToken(stack, 'coordinator');
  // Three lines of the log of our own, so that a page of two hands out a cursor.
  const documents = createDocumentClient(
    new DynamoDBClient({
      endpoint: stack.dynamodbUrl,
      region: 'eu-west-3',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      requestHandler: { requestTimeout: 10_000, throwOnRequestTimeout: true },
    }),
  );
  const log = dynamoEmailLog(documents, stack.tableName, stack.edition);
  for (let i = 0; i < 3; i++) {
    const entry = {
      key: `CursorTest#${crypto.randomUUID()}`,
      template: 'cursor-test',
      recipient: `curseur-${i}@exemple.fr`,
      eventId: crypto.randomUUID(),
    };
    await log.claim(entry, new Date(Date.now() - i * 1000));
    await log.markSent(entry, `message-${i}`, new Date());
  }
});

describe('pagination cursors are verified', () => {
  it('continues a page with the cursor the API handed out', async () => {
    const first = await emailLog({ limit: '2', template: 'cursor-test' });
    expect(first.status).toBe(200);
    expect(first.body.cursor).toEqual(expect.any(String));
    const next = await emailLog({ limit: '2', template: 'cursor-test', cursor: first.body.cursor });
    expect(next.status).toBe(200);
    const keys = [...first.body.items, ...next.body.items].map((item: { key: string }) => item.key);
    expect(new Set(keys).size).toBe(3);
  });

  it('answers 400 to a crafted key of another partition, never a 500', async () => {
    const crafted = b64({ pk: 'CITIZEN#x', sk: 'IDENTITY', gsi1pk: 'RESULTSNEWS#x', gsi1sk: 'CITIZEN#x' });
    const response = await emailLog({ limit: '2', cursor: crafted });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'invalid_cursor' });
    expect(response.body.errors).toEqual([expect.objectContaining({ field: 'query.cursor' })]);
  });

  it('answers 400 to garbage and to an altered cursor rather than starting over silently', async () => {
    const first = await emailLog({ limit: '2', template: 'cursor-test' });
    const [payload, signature] = String(first.body.cursor).split('.');
    const altered = `${b64({ ...JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()), sk: 'X' })}.${signature}`;
    for (const cursor of ['%%%', 'abc', `${payload}.`, altered, b64({ pk: 1 }), 'a'.repeat(1999)]) {
      const response = await emailLog({ limit: '2', cursor });
      expect(response.status, cursor).toBe(400);
      expect(response.body.code, cursor).toBe('invalid_cursor');
    }
  });

  it('answers every list route of the manifest with no 5xx when given crafted paging parameters', async () => {
    const citizen = (await signInCitizen(stack, uniquePerson())).token;
    const tokens = new Map<string, string>([['citizen', citizen]]);
    const crafted = b64({ pk: 'CITIZEN#x', sk: 'IDENTITY', gsi1pk: 'RESULTSNEWS#x', gsi1sk: 'CITIZEN#x' });
    const failures: string[] = [];
    for (const { route } of allRoutes()) {
      if (route.method !== 'GET') continue;
      const role = route.access === 'public' ? undefined : route.access[0];
      if (role && !tokens.has(role)) tokens.set(role, await staffToken(stack, role));
      const path = route.path.replace('{edition}', stack.edition).replace(/\{[^}]+\}/g, 'inconnu');
      const query = new URLSearchParams({ cursor: crafted, nextToken: crafted, page: crafted, limit: '2' });
      const response = await api(stack, 'GET', `${path}?${query}`, role ? { token: tokens.get(role) } : {});
      if (response.status >= 500) failures.push(`${route.path}: ${response.status}`);
    }
    expect(failures).toEqual([]);
  });
});
