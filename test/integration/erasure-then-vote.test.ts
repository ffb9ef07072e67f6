import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { api, waitForBus } from '../support/api.ts';
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
    // The has-voted marker follows the erased identity once voting has consumed `CitizenErased`.
    await waitForBus(stack);
    expect((await requestCode(stack, email)).status).toBe(202);
    const again = await openSession(stack, { email, code: await readCode(stack, email, 1), profile });
    // A session on the identity that exists (erased), not a new one.
    expect(again.status).toBe(200);
    const second = await castFirstThree(again.body.token);

    // Assess: the erased identity comes back under a new id (nothing personal, the has-voted marker moved with
    // it), and no second ballot.
    expect(again.body.citizen.id).not.toBe(response.body.citizen.id);
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('already_voted');
  });
});
