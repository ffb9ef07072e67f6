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
  it('erases names, email and birth date, and signing in again gives back the same pseudonymous id', async () => {
    // Prepare
    const { email, response, token } = await signInCitizen(stack, { ...NANTAISE, firstName: 'Maëlys' });
    const citizenId = response.body.citizen.id;
    // Act
    const erased = await api(stack, 'DELETE', identityPath(stack, '/me'), { token });
    const after = await api(stack, 'GET', identityPath(stack, '/me'), { token });
    // Assess
    expect(erased.status).toBe(200);
    expect(after.body.identity).toMatchObject({
      citizenId,
      email: '',
      firstName: '',
      lastName: '',
      birthDate: '',
    });
    expect(after.body.identity.erasedAt).toEqual(expect.any(String));
    // Registering again with the same email cannot make a second voter: same citizen id (its has-voted marker).
    expect((await requestCode(stack, email)).status).toBe(202);
    const again = await openSession(stack, {
      email,
      code: await readCode(stack, email, 1),
      profile: NANTAISE,
    });
    expect(again.body.citizen.id).toBe(citizenId);
  });
});
