import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { api } from '../support/api.ts';
import { citizenFactory } from '../support/citizens.ts';
import {
  identityPath,
  openSession,
  readCode,
  requestCode,
  signInCitizen,
  uniquePerson,
} from '../support/identity.ts';
import { openVote } from '../support/voting.ts';
import '../support/stack-context.ts';

const stack = inject('stack');
const editionPath = `/api/editions/${stack.edition}`;
const factory = await citizenFactory(stack);
afterAll(() => factory.close());

const castFirstThree = async (token: string) => {
  const ballot = await api(stack, 'GET', `${editionPath}/ballot`, { token });
  const envelope = ballot.body.envelopes[0];
  return api(stack, 'POST', `${editionPath}/ballots`, {
    token,
    body: { choices: { [envelope.id]: envelope.projects.slice(0, 3).map((p: { id: string }) => p.id) } },
    headers: { 'idempotency-key': randomUUID() },
  });
};

describe('erasure cannot be used to vote twice', () => {
  it('refuses a second ballot from a person who voted, erased their data and signed in again', async () => {
    // Prepare: a running vote and a citizen verified through the real email-code flow, who votes.
    await openVote(stack, factory.documents);
    const profile = uniquePerson();
    const { email, response, token } = await signInCitizen(stack, profile);
    expect(response.status).toBe(201);
    expect((await castFirstThree(token)).status).toBe(201);

    // Act: erase, then register again with the same email and profile, and vote again.
    expect((await api(stack, 'DELETE', identityPath(stack, '/me'), { token })).status).toBe(200);
    expect((await requestCode(stack, email)).status).toBe(202);
    const again = await openSession(stack, { email, code: await readCode(stack, email, 1), profile });
    expect(again.status).toBe(201);
    const second = await castFirstThree(again.body.token);

    // Assess: the same pseudonymous id comes back (it is derived from the address), so no second ballot.
    expect(again.body.citizen.id).toBe(response.body.citizen.id);
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('already_voted');
  });
});
