/**
 * Staff sign-in against Cognito's API: SRP (the password never leaves the client), then whatever Cognito asks
 * next: a new password at first sign-in, TOTP enrolment (MFA_SETUP), the TOTP code. One client for the staff
 * pages (browser), the local tools and tests (Node), and the rehearsal driver. No AWS SDK: the page cannot
 * afford it, and these five calls are plain JSON.
 */
import { createSrpSession, signSrpSession, wrapAuthChallenge, wrapInitiateAuth } from 'cognito-srp-helper';

export interface CognitoTarget {
  /** Cognito's endpoint (`https://cognito-idp.<region>.amazonaws.com/`) or the local emulator's. */
  readonly endpoint: string;
  readonly userPoolId: string;
  readonly clientId: string;
}

export interface StaffTokens {
  readonly idToken: string;
  readonly accessToken: string;
  readonly refreshToken?: string;
}

/** Where a sign-in stands; `session` is Cognito's, single-use and short-lived (3 minutes). */
export type SignInStep =
  | { readonly kind: 'signed-in'; readonly tokens: StaffTokens }
  | { readonly kind: 'new-password'; readonly session: string; readonly username: string }
  | { readonly kind: 'totp-setup'; readonly session: string; readonly username: string }
  | { readonly kind: 'totp-code'; readonly session: string; readonly username: string };

/** Cognito's refusal, with its exception name (`NotAuthorizedException`, `CodeMismatchException`…). */
export class CognitoRefusal extends Error {
  override name = 'CognitoRefusal';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The service could not be reached (network down, DNS, timeout). */
export class CognitoUnreachable extends Error {
  override name = 'CognitoUnreachable';
}

interface AuthAnswer {
  ChallengeName?: string;
  ChallengeParameters?: Record<string, string>;
  Session?: string;
  AuthenticationResult?: { IdToken?: string; AccessToken?: string; RefreshToken?: string };
}

async function call<T>(target: CognitoTarget, action: string, body: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(target.endpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': `AWSCognitoIdentityProviderService.${action}`,
      },
      body: JSON.stringify(body),
    });
  } catch (error) {
    throw new CognitoUnreachable(`Cognito ${action}: ${String(error)}`);
  }
  const answer = (await response.json().catch(() => ({}))) as T & { __type?: string; message?: string };
  if (!response.ok) {
    const code = (answer.__type ?? '').split('#').pop() || `HTTP ${response.status}`;
    throw new CognitoRefusal(code, answer.message ?? code);
  }
  return answer;
}

function stepOf(answer: AuthAnswer, fallbackUsername: string): SignInStep {
  const result = answer.AuthenticationResult;
  if (result?.IdToken && result.AccessToken) {
    return {
      kind: 'signed-in',
      tokens: {
        idToken: result.IdToken,
        accessToken: result.AccessToken,
        ...(result.RefreshToken ? { refreshToken: result.RefreshToken } : {}),
      },
    };
  }
  const session = answer.Session ?? '';
  const username = answer.ChallengeParameters?.USER_ID_FOR_SRP ?? fallbackUsername;
  switch (answer.ChallengeName) {
    case 'NEW_PASSWORD_REQUIRED':
      return { kind: 'new-password', session, username };
    case 'MFA_SETUP':
      return { kind: 'totp-setup', session, username };
    case 'SOFTWARE_TOKEN_MFA':
      return { kind: 'totp-code', session, username };
    default:
      throw new CognitoRefusal(
        'UnsupportedChallenge',
        `Unexpected challenge ${answer.ChallengeName ?? '(none)'}`,
      );
  }
}

/** USER_SRP_AUTH then the PASSWORD_VERIFIER answer. */
export async function startSignIn(
  target: CognitoTarget,
  username: string,
  password: string,
): Promise<SignInStep> {
  // isHashed false: the password hash needs USER_ID_FOR_SRP, which only the challenge tells.
  const srp = createSrpSession(username, password, target.userPoolId, false);
  const initiated = await call<AuthAnswer>(
    target,
    'InitiateAuth',
    wrapInitiateAuth(srp, {
      AuthFlow: 'USER_SRP_AUTH',
      ClientId: target.clientId,
      AuthParameters: { USERNAME: username },
    }),
  );
  if (initiated.ChallengeName !== 'PASSWORD_VERIFIER') return stepOf(initiated, username);
  const signed = signSrpSession(srp, initiated);
  const userId = initiated.ChallengeParameters?.USER_ID_FOR_SRP ?? username;
  const answered = await call<AuthAnswer>(
    target,
    'RespondToAuthChallenge',
    wrapAuthChallenge(signed, {
      ClientId: target.clientId,
      ChallengeName: 'PASSWORD_VERIFIER',
      ChallengeResponses: { USERNAME: userId },
      ...(initiated.Session ? { Session: initiated.Session } : {}),
    }),
  );
  return stepOf(answered, userId);
}

/** NEW_PASSWORD_REQUIRED: the temporary password is replaced. */
export async function setNewPassword(
  target: CognitoTarget,
  step: Extract<SignInStep, { kind: 'new-password' }>,
  newPassword: string,
): Promise<SignInStep> {
  const answer = await call<AuthAnswer>(target, 'RespondToAuthChallenge', {
    ClientId: target.clientId,
    ChallengeName: 'NEW_PASSWORD_REQUIRED',
    Session: step.session,
    ChallengeResponses: { USERNAME: step.username, NEW_PASSWORD: newPassword },
  });
  return stepOf(answer, step.username);
}

/** MFA_SETUP, first half: Cognito draws the TOTP secret (base32) the person adds to an authenticator app. */
export async function beginTotpSetup(
  target: CognitoTarget,
  step: Extract<SignInStep, { kind: 'totp-setup' }>,
): Promise<{ secret: string; step: Extract<SignInStep, { kind: 'totp-setup' }> }> {
  const answer = await call<{ SecretCode?: string; Session?: string }>(target, 'AssociateSoftwareToken', {
    Session: step.session,
  });
  if (!answer.SecretCode || !answer.Session) {
    throw new CognitoRefusal('InvalidResponse', 'AssociateSoftwareToken returned no secret');
  }
  return { secret: answer.SecretCode, step: { ...step, session: answer.Session } };
}

/** MFA_SETUP, second half: a first code from the app proves the enrolment, then the sign-in completes. */
export async function confirmTotpSetup(
  target: CognitoTarget,
  step: Extract<SignInStep, { kind: 'totp-setup' }>,
  code: string,
): Promise<SignInStep> {
  const verified = await call<{ Status?: string; Session?: string }>(target, 'VerifySoftwareToken', {
    Session: step.session,
    UserCode: code,
    FriendlyDeviceName: 'Application d’authentification',
  });
  if (verified.Status !== 'SUCCESS' || !verified.Session) {
    throw new CognitoRefusal('CodeMismatchException', 'The code did not verify');
  }
  const answer = await call<AuthAnswer>(target, 'RespondToAuthChallenge', {
    ClientId: target.clientId,
    ChallengeName: 'MFA_SETUP',
    Session: verified.Session,
    ChallengeResponses: { USERNAME: step.username },
  });
  return stepOf(answer, step.username);
}

/** SOFTWARE_TOKEN_MFA: the current 6-digit code. */
export async function answerTotp(
  target: CognitoTarget,
  step: Extract<SignInStep, { kind: 'totp-code' }>,
  code: string,
): Promise<SignInStep> {
  const answer = await call<AuthAnswer>(target, 'RespondToAuthChallenge', {
    ClientId: target.clientId,
    ChallengeName: 'SOFTWARE_TOKEN_MFA',
    Session: step.session,
    ChallengeResponses: { USERNAME: step.username, SOFTWARE_TOKEN_MFA_CODE: code },
  });
  return stepOf(answer, step.username);
}

/** `otpauth://` URI an authenticator app reads from a QR code. */
export function totpUri(secret: string, account: string, issuer: string): string {
  const label = encodeURIComponent(`${issuer}:${account}`);
  return `otpauth://totp/${label}?secret=${secret}&issuer=${encodeURIComponent(issuer)}&algorithm=SHA1&digits=6&period=30`;
}
