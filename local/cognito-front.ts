/**
 * What cognito-local 5.3.0 lacks for staff sign-in, on its own endpoint (it wraps the emulator's router, so
 * the site, the tools and the tests see one Cognito): USER_SRP_AUTH with its PASSWORD_VERIFIER challenge,
 * MFA_SETUP with Session-based AssociateSoftwareToken / VerifySoftwareToken, and challenge sessions that are
 * single-use, short-lived and bound to one user and one app client (cognito-local ignores `Session`). Every
 * other call goes through to cognito-local unchanged. Errors carry Cognito's exception names and messages.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Route, Router } from 'cognito-local/lib/server/Router';
import type { Services } from 'cognito-local/lib/services';
import type { AppClient } from 'cognito-local/lib/services/appClient';
import type { Context } from 'cognito-local/lib/services/context';
import type { User, UserPoolService } from 'cognito-local/lib/services/userPoolService';
import { type SrpChallenge, startSrp, verifySrpSignature } from './cognito-srp.ts';
import { verifyTotp } from './totp.ts';

/** Cognito's default `AuthSessionValidity`. */
export const CHALLENGE_SESSION_MS = 3 * 60_000;
/** Wrong TOTP codes one session may take before the sign-in starts over. */
const MAX_CODE_ATTEMPTS = 3;

type Errors = typeof import('cognito-local/lib/errors');
type Totp = typeof import('cognito-local/lib/services/totp');

function loadEmulatorModules(): { errors: Errors; totp: Totp } {
  const requireHere = createRequire(import.meta.url);
  return {
    errors: requireHere('cognito-local/lib/errors') as Errors,
    totp: requireHere('cognito-local/lib/services/totp') as Totp,
  };
}

interface BaseSession {
  readonly userPoolId: string;
  readonly clientId: string;
  /** The pool's `Username`; null for an unknown user (the refusal waits for the password answer). */
  readonly username: string | null;
  readonly expiresAt: number;
  codeAttempts: number;
}

type ChallengeSession =
  | (BaseSession & { readonly kind: 'PASSWORD_VERIFIER'; readonly srp: SrpChallenge })
  | (BaseSession & { readonly kind: 'NEW_PASSWORD_REQUIRED' })
  | (BaseSession & { readonly kind: 'SOFTWARE_TOKEN_MFA' })
  | (BaseSession & { readonly kind: 'MFA_SETUP' })
  | (BaseSession & { readonly kind: 'MFA_SETUP_ASSOCIATED'; readonly secret: string })
  | (BaseSession & { readonly kind: 'MFA_SETUP_VERIFIED' });

/** A session's fields before it is opened (the union kept, one member per kind). */
type Opening = ChallengeSession extends infer S
  ? S extends ChallengeSession
    ? Omit<S, 'expiresAt' | 'codeAttempts'>
    : never
  : never;

type Request = Record<string, unknown> & {
  ClientId?: string;
  AuthFlow?: string;
  AuthParameters?: Record<string, string>;
  ChallengeName?: string;
  ChallengeResponses?: Record<string, string>;
  Session?: string;
  AccessToken?: string;
  UserCode?: string;
  FriendlyDeviceName?: string;
  UserPoolId?: string;
  Username?: string;
  SecretCode?: string;
  SoftwareTokenMfaSettings?: { Enabled?: boolean; PreferredMfa?: boolean };
};

const POLICY_DEFAULTS = {
  MinimumLength: 8,
  RequireUppercase: true,
  RequireLowercase: true,
  RequireNumbers: true,
  RequireSymbols: true,
};

/** Cognito's own policy messages, checked in its order. */
function policyViolation(
  password: string,
  policy: Partial<typeof POLICY_DEFAULTS> | undefined,
): string | undefined {
  const rules = { ...POLICY_DEFAULTS, ...policy };
  if (password.length < rules.MinimumLength) return 'Password not long enough';
  if (rules.RequireLowercase && !/[a-z]/.test(password)) return 'Password must have lowercase characters';
  if (rules.RequireUppercase && !/[A-Z]/.test(password)) return 'Password must have uppercase characters';
  if (rules.RequireNumbers && !/[0-9]/.test(password)) return 'Password must have numeric characters';
  if (rules.RequireSymbols && !/[\^$*.[\]{}()?"!@#%&/\\,><':;|_~`=+\- ]/.test(password))
    return 'Password must have symbol characters';
  return undefined;
}

/**
 * Wraps cognito-local's router. `now` is the clock sessions expire by (the process clock by default).
 */
export function cognitoFront(services: Services, emulator: Router, now = () => Date.now()): Router {
  const { errors, totp } = loadEmulatorModules();
  const sessions = new Map<string, ChallengeSession>();
  const refuse = (code: string, message: string) => new errors.CognitoError(code, message);
  const wrongCredentials = () => refuse('NotAuthorizedException', 'Incorrect username or password.');
  const invalidSession = () => refuse('NotAuthorizedException', 'Invalid session for the user.');

  const newToken = () => randomBytes(96).toString('base64');
  function open(session: Opening, token = newToken()): string {
    for (const [key, value] of sessions) if (value.expiresAt <= now()) sessions.delete(key);
    sessions.set(token, {
      ...session,
      expiresAt: now() + CHALLENGE_SESSION_MS,
      codeAttempts: 0,
    } as ChallengeSession);
    return token;
  }
  /** The live session behind `token`, of one of `kinds`, for this client and user; not yet consumed. */
  function find<K extends ChallengeSession['kind']>(
    token: string | undefined,
    kinds: readonly K[],
    opts: { clientId?: string; username?: string },
  ): Extract<ChallengeSession, { kind: K }> {
    const session = token ? sessions.get(token) : undefined;
    if (!session || !(kinds as readonly string[]).includes(session.kind)) throw invalidSession();
    if (session.expiresAt <= now()) {
      sessions.delete(token as string);
      throw refuse('NotAuthorizedException', 'Invalid session for the user, session is expired.');
    }
    if (opts.clientId !== undefined && opts.clientId !== session.clientId) throw invalidSession();
    if (opts.username !== undefined && session.username !== null && opts.username !== session.username)
      throw invalidSession();
    return session as Extract<ChallengeSession, { kind: K }>;
  }
  /** One more wrong code on `token`; past the limit the session is gone. */
  function wrongCode(token: string, session: ChallengeSession): void {
    session.codeAttempts += 1;
    if (session.codeAttempts >= MAX_CODE_ATTEMPTS) sessions.delete(token);
  }

  async function poolAndClient(ctx: Context, clientId: string | undefined) {
    const client = clientId ? await services.cognito.getAppClient(ctx, clientId) : null;
    if (!client || !clientId) throw refuse('ResourceNotFoundException', 'User pool client does not exist.');
    const pool = await services.cognito.getUserPoolForClientId(ctx, clientId);
    return { client, pool };
  }
  async function userOf(ctx: Context, pool: UserPoolService, username: string | null): Promise<User> {
    const user = username ? await pool.getUserByUsername(ctx, username) : null;
    if (!user) throw wrongCredentials();
    if (!user.Enabled) throw refuse('NotAuthorizedException', 'User is disabled.');
    return user;
  }
  const hasTotp = (user: User) =>
    Boolean(
      user.SoftwareTokenMfaConfiguration?.Verified && user.UserMFASettingList?.includes('SOFTWARE_TOKEN_MFA'),
    );

  async function tokensFor(ctx: Context, pool: UserPoolService, client: AppClient, user: User) {
    const groups = await pool.listUserGroupMembership(ctx, user);
    const tokens = await services.tokenGenerator.generate(
      ctx,
      user,
      groups,
      client,
      undefined,
      'Authentication',
    );
    await pool.storeRefreshToken(ctx, tokens.RefreshToken, user);
    return {
      ChallengeParameters: {},
      AuthenticationResult: { ...tokens, ExpiresIn: 3600, TokenType: 'Bearer' },
    };
  }

  /** What Cognito asks once the password is proven: a new password, TOTP enrolment, the TOTP code, or nothing. */
  async function afterPassword(ctx: Context, pool: UserPoolService, client: AppClient, user: User) {
    const base = {
      userPoolId: pool.options.Id as string,
      clientId: client.ClientId,
      username: user.Username,
    };
    const params = { USER_ID_FOR_SRP: user.Username };
    if (user.UserStatus === 'RESET_REQUIRED')
      throw refuse('PasswordResetRequiredException', 'Password reset required for the user');
    if (user.UserStatus === 'FORCE_CHANGE_PASSWORD') {
      return {
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        ChallengeParameters: { ...params, requiredAttributes: '[]', userAttributes: '{}' },
        Session: open({ ...base, kind: 'NEW_PASSWORD_REQUIRED' }),
      };
    }
    const mfa = pool.options.MfaConfiguration ?? 'OFF';
    if (hasTotp(user) && mfa !== 'OFF') {
      return {
        ChallengeName: 'SOFTWARE_TOKEN_MFA',
        ChallengeParameters: params,
        Session: open({ ...base, kind: 'SOFTWARE_TOKEN_MFA' }),
      };
    }
    if (mfa === 'ON') {
      return {
        ChallengeName: 'MFA_SETUP',
        ChallengeParameters: { ...params, MFAS_CAN_SETUP: '["SOFTWARE_TOKEN_MFA"]' },
        Session: open({ ...base, kind: 'MFA_SETUP' }),
      };
    }
    return tokensFor(ctx, pool, client, user);
  }

  const initiateAuth: Route = async (ctx, req: Request) => {
    const { client, pool } = await poolAndClient(ctx, req.ClientId);
    const flows = client.ExplicitAuthFlows ?? [];
    if (req.AuthFlow === 'USER_PASSWORD_AUTH' && !flows.includes('ALLOW_USER_PASSWORD_AUTH'))
      throw refuse('InvalidParameterException', 'USER_PASSWORD_AUTH flow not enabled for this client');
    if (req.AuthFlow !== 'USER_SRP_AUTH') return emulator('InitiateAuth')(ctx, req);
    if (!flows.includes('ALLOW_USER_SRP_AUTH'))
      throw refuse('InvalidParameterException', 'USER_SRP_AUTH is not enabled for the client.');
    const username = req.AuthParameters?.USERNAME;
    const srpA = req.AuthParameters?.SRP_A;
    // A is below N (768 hex digits); a longer one is refused before any arithmetic on it.
    if (!username || !srpA || !/^[0-9a-fA-F]{1,770}$/.test(srpA))
      throw refuse('InvalidParameterException', 'Missing required parameter USERNAME or SRP_A');
    const user = await pool.getUserByUsername(ctx, username);
    const userPoolId = pool.options.Id as string;
    // An unknown user gets a challenge all the same (preventUserExistenceErrors): the answer is refused.
    const userIdForSrp = user?.Username ?? username;
    let srp: SrpChallenge;
    try {
      srp = startSrp({
        userPoolId,
        userIdForSrp,
        password: user?.Password ?? randomBytes(32).toString('hex'),
        srpA,
      });
    } catch {
      throw refuse('InvalidParameterException', 'Invalid SRP_A');
    }
    const secretBlock = newToken();
    open(
      {
        kind: 'PASSWORD_VERIFIER',
        userPoolId,
        clientId: client.ClientId,
        username: user?.Username ?? null,
        srp,
      },
      secretBlock,
    );
    return {
      ChallengeName: 'PASSWORD_VERIFIER',
      ChallengeParameters: {
        SALT: srp.salt,
        SRP_B: srp.srpB,
        SECRET_BLOCK: secretBlock,
        USER_ID_FOR_SRP: userIdForSrp,
        USERNAME: userIdForSrp,
      },
    };
  };

  const respondToAuthChallenge: Route = async (ctx, req: Request) => {
    const { client, pool } = await poolAndClient(ctx, req.ClientId);
    const answers = req.ChallengeResponses ?? {};
    const claimed = answers.USERNAME;
    if (!claimed) throw refuse('InvalidParameterException', 'Missing required parameter USERNAME');
    const claimedUser = await pool.getUserByUsername(ctx, claimed);
    const context = { clientId: client.ClientId, username: claimedUser?.Username ?? claimed };

    switch (req.ChallengeName) {
      case 'PASSWORD_VERIFIER': {
        const token = answers.PASSWORD_CLAIM_SECRET_BLOCK;
        const session = find(token, ['PASSWORD_VERIFIER'], context);
        sessions.delete(token as string);
        const proven =
          session.username !== null &&
          verifySrpSignature(session.srp, {
            userPoolId: session.userPoolId,
            userIdForSrp: session.username,
            secretBlock: token as string,
            timestamp: answers.TIMESTAMP ?? '',
            signature: answers.PASSWORD_CLAIM_SIGNATURE ?? '',
          });
        if (!proven) throw wrongCredentials();
        return afterPassword(ctx, pool, client, await userOf(ctx, pool, session.username));
      }
      case 'NEW_PASSWORD_REQUIRED': {
        const session = find(req.Session, ['NEW_PASSWORD_REQUIRED'], context);
        const password = answers.NEW_PASSWORD ?? '';
        const violation = policyViolation(password, pool.options.Policies?.PasswordPolicy);
        if (violation)
          throw refuse('InvalidPasswordException', `Password does not conform to policy: ${violation}`);
        sessions.delete(req.Session as string);
        const user = await userOf(ctx, pool, session.username);
        const updated: User = {
          ...user,
          Password: password,
          UserStatus: 'CONFIRMED',
          UserLastModifiedDate: new Date(now()),
        };
        await pool.saveUser(ctx, updated);
        return afterPassword(ctx, pool, client, updated);
      }
      case 'SOFTWARE_TOKEN_MFA': {
        const token = req.Session as string;
        const session = find(token, ['SOFTWARE_TOKEN_MFA'], context);
        const user = await userOf(ctx, pool, session.username);
        const secret = user.SoftwareTokenMfaConfiguration?.Secret;
        const code = answers.SOFTWARE_TOKEN_MFA_CODE ?? '';
        if (!secret || !verifyTotp(secret, code)) {
          wrongCode(token, session);
          throw refuse('CodeMismatchException', 'Invalid code received for user');
        }
        sessions.delete(token);
        return tokensFor(ctx, pool, client, user);
      }
      case 'MFA_SETUP': {
        const session = find(req.Session, ['MFA_SETUP_VERIFIED'], context);
        sessions.delete(req.Session as string);
        return tokensFor(ctx, pool, client, await userOf(ctx, pool, session.username));
      }
      default:
        throw refuse('InvalidParameterException', `Unsupported challenge ${String(req.ChallengeName)}`);
    }
  };

  const associateSoftwareToken: Route = async (ctx, req: Request) => {
    if (req.AccessToken) return emulator('AssociateSoftwareToken')(ctx, req);
    const session = find(req.Session, ['MFA_SETUP', 'MFA_SETUP_ASSOCIATED'], {});
    sessions.delete(req.Session as string);
    const secret = totp.generateSecret();
    const { kind: _kind, expiresAt: _expires, codeAttempts: _attempts, ...base } = session;
    return { SecretCode: secret, Session: open({ ...base, kind: 'MFA_SETUP_ASSOCIATED', secret }) };
  };

  const verifySoftwareToken: Route = async (ctx, req: Request) => {
    if (req.AccessToken) return emulator('VerifySoftwareToken')(ctx, req);
    const token = req.Session as string;
    const session = find(token, ['MFA_SETUP_ASSOCIATED'], {});
    const code = req.UserCode ?? '';
    if (!verifyTotp(session.secret, code)) {
      wrongCode(token, session);
      throw refuse('EnableSoftwareTokenMFAException', 'Code mismatch');
    }
    sessions.delete(token);
    const pool = await services.cognito.getUserPoolForClientId(ctx, session.clientId);
    const user = await userOf(ctx, pool, session.username);
    await pool.saveUser(ctx, {
      ...user,
      SoftwareTokenMfaConfiguration: {
        Secret: session.secret,
        Verified: true,
        FriendlyDeviceName: req.FriendlyDeviceName,
      },
      UserMFASettingList: ['SOFTWARE_TOKEN_MFA'],
      PreferredMfaSetting: 'SOFTWARE_TOKEN_MFA',
      UserLastModifiedDate: new Date(now()),
    });
    const { kind: _kind, expiresAt: _expires, codeAttempts: _attempts, secret: _secret, ...base } = session;
    return { Status: 'SUCCESS', Session: open({ ...base, kind: 'MFA_SETUP_VERIFIED' }) };
  };

  /** Ops' answer to a lost authenticator: the TOTP is dropped, the next sign-in enrols a new one. */
  const adminSetUserMfaPreference: Route = async (ctx, req: Request) => {
    const pool = await services.cognito.getUserPool(ctx, req.UserPoolId as string);
    const user = await pool.getUserByUsername(ctx, req.Username ?? '');
    if (!user) throw refuse('UserNotFoundException', 'User does not exist.');
    const enabled = req.SoftwareTokenMfaSettings?.Enabled;
    if (enabled === false) {
      const { SoftwareTokenMfaConfiguration: _dropped, ...rest } = user;
      await pool.saveUser(ctx, { ...rest, UserMFASettingList: [], PreferredMfaSetting: undefined });
    } else if (enabled === true && !user.SoftwareTokenMfaConfiguration?.Verified) {
      throw refuse('InvalidParameterException', 'User has not verified software token mfa');
    }
    return {};
  };

  /**
   * Local only, never in AWS: enrols a known TOTP secret without a sign-in, so seeded demo accounts have a
   * secret `npm start` can print (AWS would draw it at the account's first sign-in).
   */
  const localAdminEnrolSoftwareToken: Route = async (ctx, req: Request) => {
    const pool = await services.cognito.getUserPool(ctx, req.UserPoolId as string);
    const user = await pool.getUserByUsername(ctx, req.Username ?? '');
    if (!user || !req.SecretCode) throw refuse('UserNotFoundException', 'User does not exist.');
    await pool.saveUser(ctx, {
      ...user,
      SoftwareTokenMfaConfiguration: { Secret: req.SecretCode, Verified: true },
      UserMFASettingList: ['SOFTWARE_TOKEN_MFA'],
      PreferredMfaSetting: 'SOFTWARE_TOKEN_MFA',
    });
    return {};
  };

  const routes: Record<string, Route> = {
    InitiateAuth: initiateAuth,
    RespondToAuthChallenge: respondToAuthChallenge,
    AssociateSoftwareToken: associateSoftwareToken,
    VerifySoftwareToken: verifySoftwareToken,
    AdminSetUserMFAPreference: adminSetUserMfaPreference,
    LocalAdminEnrolSoftwareToken: localAdminEnrolSoftwareToken,
  };
  return (target) => routes[target] ?? emulator(target);
}
