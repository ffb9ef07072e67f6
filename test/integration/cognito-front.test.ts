import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { signIn } from '../../local/cognito.ts';
import { localTotpSecret, totpCode, wallClockMs } from '../../local/totp.ts';
import {
  answerTotp,
  beginTotpSetup,
  CognitoRefusal,
  type CognitoTarget,
  confirmTotpSetup,
  type SignInStep,
  setNewPassword,
  startSignIn,
} from '../../shared/auth/staff-sign-in.ts';
import '../support/stack-context.ts';

const stack = inject('stack');
const target: CognitoTarget = {
  endpoint: stack.cognitoUrl,
  userPoolId: stack.cognito.userPoolId,
  clientId: stack.cognito.clientId,
};
const admin = stack.staff.find((user) => user.role === 'admin') as (typeof stack.staff)[number];
const moderator = stack.staff.find((user) => user.role === 'moderator') as (typeof stack.staff)[number];
const cognito = new CognitoIdentityProviderClient({
  region: stack.cognito.region,
  endpoint: stack.cognitoUrl,
});
afterAll(() => cognito.destroy());

/** A raw call, as an attacker would make it. */
async function raw(
  action: string,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(stack.cognitoUrl, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': `AWSCognitoIdentityProviderService.${action}`,
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function expectStep<K extends SignInStep['kind']>(
  step: SignInStep,
  kind: K,
): Extract<SignInStep, { kind: K }> {
  expect(step.kind).toBe(kind);
  return step as Extract<SignInStep, { kind: K }>;
}

/** A TOTP code that is not the current one, nor one step either side. */
function wrongCode(secret: string): string {
  const near = new Set([-30_000, 0, 30_000].map((shift) => totpCode(secret, wallClockMs() + shift)));
  for (let n = 0; ; n++) {
    const code = String(n).padStart(6, '0');
    if (!near.has(code)) return code;
  }
}

async function createInvited(username: string, temporaryPassword: string) {
  await cognito.send(
    new AdminCreateUserCommand({
      UserPoolId: target.userPoolId,
      Username: username,
      TemporaryPassword: temporaryPassword,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: username },
        { Name: 'email_verified', Value: 'true' },
      ],
    }),
  );
}

describe('local Cognito front: SRP and TOTP as AWS does them', () => {
  it('signs a seeded account in with SRP then its TOTP code', async () => {
    // Act
    const step = expectStep(await startSignIn(target, admin.username, admin.password), 'totp-code');
    const done = expectStep(
      await answerTotp(target, step, totpCode(localTotpSecret(admin.username))),
      'signed-in',
    );

    // Assess
    expect(decodeJwt(done.tokens.idToken)['cognito:groups']).toContain('admin');
  });

  it('refuses USER_PASSWORD_AUTH from the web client with Cognito’s error', async () => {
    // Act
    const answer = await raw('InitiateAuth', {
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: target.clientId,
      AuthParameters: { USERNAME: admin.username, PASSWORD: admin.password },
    });

    // Assess
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      __type: 'InvalidParameterException',
      message: 'USER_PASSWORD_AUTH flow not enabled for this client',
    });
  });

  it('refuses a wrong SRP proof, and the same secret block twice', async () => {
    // Act
    const wrong = startSignIn(target, admin.username, `${admin.password}x`);
    const unknown = startSignIn(target, 'nobody@demo.example', admin.password);

    // Assess
    await expect(wrong).rejects.toMatchObject({ code: 'NotAuthorizedException' });
    // Same answer for an unknown account: no way to probe who has one.
    await expect(unknown).rejects.toMatchObject({ code: 'NotAuthorizedException' });
    const forged = await raw('RespondToAuthChallenge', {
      ClientId: target.clientId,
      ChallengeName: 'PASSWORD_VERIFIER',
      ChallengeResponses: {
        USERNAME: admin.username,
        PASSWORD_CLAIM_SECRET_BLOCK: 'bm90IGEgc2Vzc2lvbg==',
        PASSWORD_CLAIM_SIGNATURE: 'AAAA',
        TIMESTAMP: 'Mon Dec 7 10:00:00 UTC 2026',
      },
    });
    expect(forged.body.__type).toBe('NotAuthorizedException');
  });

  it('refuses a wrong TOTP code, and ends the session after three', async () => {
    // Prepare
    const secret = localTotpSecret(admin.username);
    const step = expectStep(await startSignIn(target, admin.username, admin.password), 'totp-code');

    // Act and assess
    for (let attempt = 0; attempt < 3; attempt++) {
      await expect(answerTotp(target, step, wrongCode(secret))).rejects.toMatchObject({
        code: 'CodeMismatchException',
      });
    }
    await expect(answerTotp(target, step, totpCode(secret))).rejects.toMatchObject({
      code: 'NotAuthorizedException',
    });
  });

  it('refuses an MFA session replayed after it succeeded', async () => {
    // Prepare
    const code = totpCode(localTotpSecret(admin.username));
    const step = expectStep(await startSignIn(target, admin.username, admin.password), 'totp-code');
    expectStep(await answerTotp(target, step, code), 'signed-in');

    // Act
    const replay = answerTotp(target, step, code);

    // Assess
    await expect(replay).rejects.toMatchObject({ code: 'NotAuthorizedException' });
  });

  it('refuses a session of one user answering for another', async () => {
    // Prepare: the moderator's password is proven; the admin's code is stolen.
    const step = expectStep(await startSignIn(target, moderator.username, moderator.password), 'totp-code');

    // Act
    const hijack = answerTotp(
      target,
      { ...step, username: admin.username },
      totpCode(localTotpSecret(admin.username)),
    );

    // Assess
    await expect(hijack).rejects.toMatchObject({ code: 'NotAuthorizedException' });
  });

  it('refuses a session past its three minutes', async () => {
    // Prepare
    const step = expectStep(await startSignIn(target, admin.username, admin.password), 'totp-code');
    const code = totpCode(localTotpSecret(admin.username));
    const later = Date.now() + 4 * 60_000;
    const clock = vi.spyOn(Date, 'now').mockReturnValue(later);

    // Act
    const late = answerTotp(target, step, code).finally(() => clock.mockRestore());

    // Assess
    await expect(late).rejects.toMatchObject({
      code: 'NotAuthorizedException',
      message: expect.stringMatching(/expired/),
    });
  });

  it('takes an invited account through a new password and TOTP enrolment, then asks its code', async () => {
    // Prepare
    const username = 'invitee@demo.example';
    await createInvited(username, 'Temp-pass-2026!');

    // Act: the temporary password, a new one (the policy refuses a weak one), enrolment.
    const first = expectStep(await startSignIn(target, username, 'Temp-pass-2026!'), 'new-password');
    await expect(setNewPassword(target, first, 'short')).rejects.toMatchObject({
      code: 'InvalidPasswordException',
    });
    const setup = expectStep(await setNewPassword(target, first, 'Chosen-pass-2026!'), 'totp-setup');
    const { secret, step } = await beginTotpSetup(target, setup);
    await expect(confirmTotpSetup(target, step, wrongCode(secret))).rejects.toBeInstanceOf(CognitoRefusal);
    const done = expectStep(await confirmTotpSetup(target, step, totpCode(secret)), 'signed-in');

    // Assess
    expect(decodeJwt(done.tokens.idToken).email).toBe(username);
    // The MFA_SETUP session served once.
    const replay = await raw('RespondToAuthChallenge', {
      ClientId: target.clientId,
      ChallengeName: 'MFA_SETUP',
      Session: step.session,
      ChallengeResponses: { USERNAME: username },
    });
    expect(replay.body.__type).toBe('NotAuthorizedException');
    // The temporary password is gone; the new one leads to the enrolled code.
    await expect(startSignIn(target, username, 'Temp-pass-2026!')).rejects.toMatchObject({
      code: 'NotAuthorizedException',
    });
    const again = await signIn(target, stack.cognitoUrl, username, 'Chosen-pass-2026!', {
      totpSecret: secret,
    });
    expect(decodeJwt(again.idToken).email).toBe(username);
  });

  it('lets an account with a permanent password but no TOTP enrol at sign-in', async () => {
    // Prepare
    const username = 'no-totp@demo.example';
    await createInvited(username, 'Temp-pass-2026!');
    await cognito.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: target.userPoolId,
        Username: username,
        Password: 'Permanent-2026!',
        Permanent: true,
      }),
    );

    // Act
    const step = await startSignIn(target, username, 'Permanent-2026!');
    const tokens = await signIn(target, stack.cognitoUrl, username, 'Permanent-2026!');

    // Assess
    expect(step.kind).toBe('totp-setup');
    expect(tokens.totpSecret).not.toBe(localTotpSecret(username));
  });
});
