import { describe, expect, inject, it } from 'vitest';
import { api } from '../support/api.ts';
import {
  identityPath,
  NANTAISE,
  openSession,
  readCode,
  requestCode,
  signInCitizen,
} from '../support/identity.ts';
import '../support/stack-context.ts';

const stack = inject('stack');

describe('personal data: access and erasure', () => {
  it('erases names, email and birth date, and signing in again finds the erased identity under a new id', async () => {
    // Prepare
    const { email, response, token } = await signInCitizen(stack, { ...NANTAISE, firstName: 'Maëlys' });
    const citizenId = response.body.citizen.id;
    // Act
    const erased = await api(stack, 'DELETE', identityPath(stack, '/me'), { token });
    const after = await api(stack, 'GET', identityPath(stack, '/me'), { token });
    // Assess: the former id leads nowhere.
    expect(erased.status).toBe(200);
    expect(after.status).toBe(404);
    // Registering again with the same email cannot make a second voter: the erased identity (its keyed
    // hashes, its has-voted marker) under an id that leads back to nobody, the same at each sign-in.
    expect((await requestCode(stack, email)).status).toBe(202);
    const again = await openSession(stack, {
      email,
      code: await readCode(stack, email, 1),
      profile: NANTAISE,
    });
    expect(again.body.citizen.id).not.toBe(citizenId);
    const mine = await api(stack, 'GET', identityPath(stack, '/me'), { token: again.body.token });
    expect(mine.body.identity).toMatchObject({
      citizenId: again.body.citizen.id,
      email: '',
      firstName: '',
      lastName: '',
      birthDate: '',
    });
    expect(mine.body.identity.erasedAt).toEqual(expect.any(String));
    expect((await requestCode(stack, email)).status).toBe(202);
    const third = await openSession(stack, { email, code: await readCode(stack, email, 2) });
    expect(third.body.citizen.id).toBe(again.body.citizen.id);
  });
});
