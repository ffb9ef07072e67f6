import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { readMailbox } from '../../local/ses.ts';
import { api } from '../support/api.ts';
import {
  decodeClaims,
  identityPath,
  NANTAISE,
  openSession,
  readCode,
  requestCode,
  signInCitizen,
  stackHash,
  uniqueEmail,
  uniquePerson,
} from '../support/identity.ts';
import '../support/stack-context.ts';
import { inject } from 'vitest';

const stack = inject('stack');
const documents = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    endpoint: stack.dynamodbUrl,
    region: 'eu-west-3',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  }),
);
afterAll(() => documents.destroy());

describe('citizen sign-in by email code', () => {
  it('sends a code, opens a session for an eligible inhabitant, and the token opens the citizen routes', async () => {
    // Prepare
    const email = uniqueEmail();
    // Act
    const sent = await requestCode(stack, email);
    const code = await readCode(stack, email);
    const session = await openSession(stack, { email, code, profile: uniquePerson() });
    // Assess
    expect(sent.status).toBe(202);
    expect(sent.body.resendAfterSeconds).toBe(60);
    expect(session.status).toBe(201);
    expect(session.body.citizen).toMatchObject({
      status: 'verified',
      territory: expect.any(String),
      created: true,
    });
    const claims = decodeClaims(session.body.token);
    expect(claims).toMatchObject({
      sub: session.body.citizen.id,
      aud: 'bp-citizen',
      iss: `${stack.siteUrl}/api/editions/${stack.edition}/identity`,
      'bp:roles': ['citizen'],
      'bp:edition': stack.edition,
      'bp:territory': session.body.citizen.territory,
    });
    expect(Number(claims.exp) - Number(claims.iat)).toBe(7200);
    expect(JSON.stringify(claims)).not.toContain(email);
    const me = await api(stack, 'GET', identityPath(stack, '/me'), { token: session.body.token });
    expect(me.status).toBe(200);
    expect(me.body.identity).toMatchObject({
      email,
      firstName: 'Camille',
      commune: '44109',
      status: 'verified',
    });
    // The other functions trust the same token (editions: a public route with a token is fine, a staff one is not).
    const staffRoute = await api(stack, 'GET', identityPath(stack, '/staff/phase'), {
      token: session.body.token,
    });
    expect(staffRoute.status).toBe(403);
  });

  it('serves the public key set that verifies the tokens', async () => {
    const jwks = await api(stack, 'GET', identityPath(stack, '/identity/jwks.json'));
    expect(jwks.status).toBe(200);
    expect(jwks.body.keys).toEqual([
      expect.objectContaining({ kty: 'EC', crv: 'P-256', alg: 'ES256', kid: expect.any(String) }),
    ]);
    expect(jwks.body.keys[0].d).toBeUndefined();
  });

  it('signs the same person in again with a new code and no profile, and refuses a used code', async () => {
    const first = await signInCitizen(stack);
    const code = await readCode(stack, first.email);
    const reused = await openSession(stack, { email: first.email, code });
    expect(reused.status).toBe(409);
    expect(reused.body.code).toBe('code_expired');

    // A consumed code leaves no cooldown: the person may sign in again at once, without a profile.
    expect((await requestCode(stack, first.email)).status).toBe(202);
    const second = await openSession(stack, {
      email: first.email,
      code: await readCode(stack, first.email, 1),
    });
    expect(second.status).toBe(200);
    expect(second.body.citizen).toMatchObject({ id: first.response.body.citizen.id, created: false });
  });

  it('answers the retry of a code request (same Idempotency-Key) without a second email', async () => {
    const email = uniqueEmail();
    const key = randomUUID();
    const ask = (headers: Record<string, string>) =>
      api(stack, 'POST', identityPath(stack, '/identity/code'), { body: { email }, headers });
    const first = await ask({ 'idempotency-key': key });
    const code = await readCode(stack, email);
    const retried = await ask({ 'idempotency-key': key });
    expect([first.status, retried.status]).toEqual([202, 202]);
    expect(retried.body.expiresAt).toBe(first.body.expiresAt);
    // Any other request meets the minute between two codes, as before.
    expect((await ask({ 'idempotency-key': randomUUID() })).status).toBe(429);
    expect((await ask({})).status).toBe(429);
    const codes = (await readMailbox(stack.mailboxUrl)).filter((mail) => mail.destination.to.includes(email));
    expect(codes).toHaveLength(1);
    // The one code sent works.
    expect((await openSession(stack, { email, code, profile: uniquePerson() })).status).toBe(201);
  });

  it('lets the retry of a sign-in (same Idempotency-Key) use its code again, and nobody else', async () => {
    const email = uniqueEmail();
    await requestCode(stack, email);
    const code = await readCode(stack, email);
    const key = randomUUID();
    const body = { email, code, profile: uniquePerson() };
    const first = await api(stack, 'POST', identityPath(stack, '/identity/session'), {
      body,
      headers: { 'idempotency-key': key },
    });
    expect(first.status).toBe(201);

    // Its answer lost (or a 503 after the code was used): the site sends the same request again.
    const retried = await api(stack, 'POST', identityPath(stack, '/identity/session'), {
      body,
      headers: { 'idempotency-key': key },
    });
    expect(retried.status).toBe(200);
    expect(retried.body.citizen).toMatchObject({ id: first.body.citizen.id, created: false });

    // The retry's key with a wrong code is a wrong code.
    const wrong = await api(stack, 'POST', identityPath(stack, '/identity/session'), {
      body: { ...body, code: code === '000000' ? '111111' : '000000' },
      headers: { 'idempotency-key': key },
    });
    expect(wrong.body.code).toBe('code_incorrect');
    // Another request with the same code, with another key or none, is told the code was used.
    for (const headers of [{ 'idempotency-key': randomUUID() }, {}] as Record<string, string>[]) {
      const other = await api(stack, 'POST', identityPath(stack, '/identity/session'), { body, headers });
      expect(other.status).toBe(409);
      expect(other.body.code).toBe('code_expired');
    }
    // A malformed key is a field error, not a 5xx.
    const malformed = await api(stack, 'POST', identityPath(stack, '/identity/session'), {
      body,
      headers: { 'idempotency-key': 'x' },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors[0].field).toBe('headers.idempotency-key');
  });

  it('burns a code after five wrong attempts', async () => {
    const email = uniqueEmail();
    await requestCode(stack, email);
    const code = await readCode(stack, email);
    const wrong = code === '000000' ? '111111' : '000000';
    const answers = [];
    for (let i = 0; i < 5; i++)
      answers.push(await openSession(stack, { email, code: wrong, profile: NANTAISE }));
    expect(answers.slice(0, 4).map((answer) => answer.status)).toEqual([400, 400, 400, 400]);
    expect(answers[0]?.body).toMatchObject({ code: 'code_incorrect', errors: [{ field: 'body.code' }] });
    expect(answers[0]?.body.detail).toContain('4 essais');
    expect(answers[4]?.status).toBe(409);
    expect(answers[4]?.body.code).toBe('code_burned');
    const right = await openSession(stack, { email, code, profile: NANTAISE });
    expect(right.status).toBe(409);
    expect(right.body.code).toBe('code_burned');
  });

  it('refuses an expired code', async () => {
    const email = uniqueEmail();
    await requestCode(stack, email);
    const code = await readCode(stack, email);
    const hash = await stackHash(stack);
    await documents.send(
      new UpdateCommand({
        TableName: stack.tableName,
        Key: { pk: `IDCODE#${hash.emailKey(email)}`, sk: 'CODE' },
        UpdateExpression: 'SET expiresAtMs = :past',
        ExpressionAttributeValues: { ':past': Date.now() - 1000 },
      }),
    );
    const response = await openSession(stack, { email, code, profile: NANTAISE });
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ code: 'code_expired' });
    expect(response.body.detail).toMatch(/expiré/);
  });

  it('limits codes per email: 429 with Retry-After past five sent in an hour, refusals not counted', async () => {
    const email = uniqueEmail();
    const hash = await stackHash(stack);
    // Each round ends the resend cooldown by moving the code's issue time back, rather than waiting.
    const endCooldown = () =>
      documents.send(
        new UpdateCommand({
          TableName: stack.tableName,
          Key: { pk: `IDCODE#${hash.emailKey(email)}`, sk: 'CODE' },
          UpdateExpression: 'SET issuedAt = :before',
          ExpressionAttributeValues: { ':before': '2000-01-01T00:00:00.000Z' },
        }),
      );
    const statuses = [];
    let last: Awaited<ReturnType<typeof requestCode>> | undefined;
    for (let i = 0; i < 6; i++) {
      last = await requestCode(stack, email);
      statuses.push(last.status);
      // Inside the cooldown: refused, and the refusal spends nothing of the quota.
      expect((await requestCode(stack, email)).body.code).toBe(
        i < 5 ? 'code_cooldown' : 'rate_limited_email',
      );
      await endCooldown();
    }
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
    expect(last?.body.code).toBe('rate_limited_email');
    expect(last?.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(last?.headers.get('retry-after'))).toBeLessThanOrEqual(3600);
  });

  it('asks for the profile at a first sign-in without one, and keeps the code usable', async () => {
    const email = uniqueEmail();
    await requestCode(stack, email);
    const code = await readCode(stack, email);
    const bare = await openSession(stack, { email, code });
    expect(bare.status).toBe(422);
    expect(bare.body.code).toBe('profile_required');
    expect((await openSession(stack, { email, code, profile: NANTAISE })).status).toBe(201);
  });
});

describe('eligibility', () => {
  it('refuses someone younger than the minimum age on the day the vote opens, saying so', async () => {
    const { response } = await signInCitizen(stack, { ...NANTAISE, birthDate: '2012-01-01' });
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('not_eligible_age');
    expect(response.body.detail).toMatch(/au moins 16 ans le \d+ \S+ \d{4}/);
  });

  it('refuses a commune outside the Département, naming it', async () => {
    const { response } = await signInCitizen(stack, { ...NANTAISE, commune: '75056' });
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('not_eligible_commune');
    expect(response.body.detail).toContain('Loire-Atlantique');
  });

  it('accepts a postcode of one commune, and lists the communes of a shared one', async () => {
    const { response } = await signInCitizen(stack, { ...NANTAISE, commune: undefined, postcode: '44000' });
    expect(response.status).toBe(201);
    const lookup = await api(stack, 'GET', identityPath(stack, '/identity/communes?postcode=44000'));
    expect(lookup.body.communes).toEqual([expect.objectContaining({ code: '44109', name: 'Nantes' })]);
  });
});

describe('bad input gets a French 4xx problem, never a 5xx', () => {
  const codePath = identityPath(stack, '/identity/code');
  const sessionPath = identityPath(stack, '/identity/session');

  it.each([
    ['a malformed email', codePath, { email: 'pas-une-adresse' }, 400, 'body.email'],
    ['a missing email', codePath, {}, 400, 'body.email'],
    ['a short code', sessionPath, { email: 'a@exemple.fr', code: '12' }, 400, 'body.code'],
    [
      'an INSEE code of the Département that does not exist',
      sessionPath,
      { email: 'a@exemple.fr', code: '123456', profile: { ...NANTAISE, commune: '44999' } },
      400,
      'body.profile.commune',
    ],
    [
      'a malformed INSEE code',
      sessionPath,
      { email: 'a@exemple.fr', code: '123456', profile: { ...NANTAISE, commune: 'Nantes' } },
      400,
      'body.profile.commune',
    ],
    [
      'a birth date in the future',
      sessionPath,
      { email: 'a@exemple.fr', code: '123456', profile: { ...NANTAISE, birthDate: '2999-01-01' } },
      400,
      'body.profile.birthDate',
    ],
    [
      'an impossible birth date',
      sessionPath,
      { email: 'a@exemple.fr', code: '123456', profile: { ...NANTAISE, birthDate: '1990-02-30' } },
      400,
      'body.profile.birthDate',
    ],
  ])('%s', async (_label, path, body, status, field) => {
    const response = await api(stack, 'POST', path, { body });
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    for (const error of response.body.errors) expect(error.message).toMatch(/[a-zéèàç]/i);
  });

  it('refuses a huge body, a non-JSON body and a non-JSON content type', async () => {
    const huge = await api(stack, 'POST', codePath, { body: { email: `${'a'.repeat(70_000)}@exemple.fr` } });
    expect(huge.status).toBe(413);
    const garbage = await api(stack, 'POST', codePath, {
      rawBody: '{"email": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(garbage.status).toBe(400);
    expect(garbage.body.code).toBe('malformed_json');
    const text = await api(stack, 'POST', codePath, {
      rawBody: 'email=a@b.fr',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
    for (const response of [huge, garbage, text]) {
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.body.title).toMatch(/[a-zé]/i);
    }
  });
});
