import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { api, staffToken } from '../support/api.ts';
import { identityPath, stackHash, uniquePerson } from '../support/identity.ts';
import '../support/stack-context.ts';

const stack = inject('stack');
const documents = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    endpoint: stack.dynamodbUrl,
    region: 'eu-west-3',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  }),
);
afterAll(() => documents.destroy());

const item = async (pk: string, sk: string) =>
  (await documents.send(new GetCommand({ TableName: stack.tableName, Key: { pk, sk } }))).Item;

describe('in-person registration by a coordinator', () => {
  it('registers a person without email, marked in-person and audited, with a printed code stored as a hash only', async () => {
    // Prepare
    const coordinator = await staffToken(stack, 'coordinator');
    const person = uniquePerson({ firstName: 'Gwenaëlle' });
    // Act
    const response = await api(stack, 'POST', identityPath(stack, '/staff/identity/in-person'), {
      token: coordinator,
      body: { profile: person },
    });
    // Assess
    expect(response.status).toBe(201);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.body).toMatchObject({
      citizen: {
        territory: expect.any(String),
        status: 'verified',
        channel: 'in-person',
        communeName: 'Nantes',
      },
      votingCode: { code: expect.stringMatching(/^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/) },
      registeredBy: expect.any(String),
    });
    const { citizen, votingCode } = response.body;
    const identity = await item(`CITIZEN#${citizen.id}`, 'IDENTITY');
    expect(identity).toMatchObject({
      channel: 'in-person',
      email: '',
      lastName: person.lastName,
      registeredBy: response.body.registeredBy,
      createdAt: response.body.registeredAt,
    });
    expect(identity?.emailKey).toBeUndefined();
    const hash = await stackHash(stack);
    const code = await item(`VOTECODE#${hash.votingCodeHash(votingCode.code)}`, 'CODE');
    expect(code).toMatchObject({ citizenId: citizen.id, expiresAtMs: Date.parse(votingCode.expiresAt) });
    expect(code?.usedAt).toBeUndefined();
    expect(JSON.stringify(code)).not.toContain(votingCode.code.replaceAll('-', ''));
  });

  it('holds a second registration of the same person for review, and refuses ineligible people in French', async () => {
    const coordinator = await staffToken(stack, 'coordinator');
    const person = uniquePerson();
    const register = (profile: object) =>
      api(stack, 'POST', identityPath(stack, '/staff/identity/in-person'), {
        token: coordinator,
        body: { profile },
      });
    expect((await register(person)).body.citizen.status).toBe('verified');
    const second = await register({ ...person, lastName: person.lastName.toUpperCase() });
    expect(second.body.citizen.status).toBe('held');
    const young = await register(uniquePerson({ birthDate: '2020-01-01' }));
    expect(young.status).toBe(403);
    expect(young.body).toMatchObject({ code: 'not_eligible_age', detail: expect.stringContaining('ans') });
    const bad = await register({ firstName: '', lastName: 'X', birthDate: '1990-13-40', commune: '99' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((error: { field: string }) => error.field)).toEqual(
      expect.arrayContaining(['body.profile.firstName', 'body.profile.birthDate']),
    );
  });

  it('is refused to other staff roles', async () => {
    const response = await api(stack, 'POST', identityPath(stack, '/staff/identity/in-person'), {
      token: await staffToken(stack, 'moderator'),
      body: { profile: uniquePerson() },
    });
    expect(response.status).toBe(403);
  });
});
