import { cognitoEndpoint, type SiteConfig } from './config.ts';
import { STAFF_ROLES } from './shared-data.ts';
import { forgetToken, tokenUsableUntil } from './token-clock.ts';
import type { StaffRole } from './types.ts';

/** A signed-in staff member, as read from the Cognito ID token (the API verifies it; we only display). */
export interface StaffSession {
  idToken: string;
  email: string;
  roles: StaffRole[];
  /** Browser epoch milliseconds after which the token is no longer usable, by the issuer's clock. */
  expiresAt: number;
}

const STORAGE_KEY = 'bp.staff.idToken';
const ANCHOR_KEY = 'bp.staff.idToken.anchor';

/** A sign-in refusal, with a French message for the person. */
export class SignInError extends Error {
  override name = 'SignInError';
}

/** The payload of a JWT, without checking its signature. */
export function decodeJwtPayload(token: string): Record<string, unknown> {
  const part = token.split('.')[1];
  if (!part) throw new Error('Malformed token');
  const base64 = part
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(part.length / 4) * 4, '=');
  const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
}

function sessionFromToken(idToken: string, now = Date.now()): StaffSession {
  const claims = decodeJwtPayload(idToken);
  const groups = Array.isArray(claims['cognito:groups']) ? (claims['cognito:groups'] as unknown[]) : [];
  return {
    idToken,
    email: typeof claims.email === 'string' ? claims.email : String(claims['cognito:username'] ?? ''),
    roles: STAFF_ROLES.filter((role) => groups.includes(role)),
    expiresAt: tokenUsableUntil(ANCHOR_KEY, claims, now),
  };
}

/**
 * The stored session, or `null` when there is none or it has expired. Expiry is judged by the token's own
 * lifetime (issuer's `exp - iat`), measured from when this tab received it: never by comparing `exp` with
 * the browser's clock, which may be far from the server's. The API refuses an expired token anyway (401).
 */
export function currentSession(now = Date.now()): StaffSession | null {
  const token = sessionStorage.getItem(STORAGE_KEY);
  if (!token) return null;
  try {
    const session = sessionFromToken(token, now);
    if (session.expiresAt > now) return session;
  } catch {
    // An unreadable token is as good as none.
  }
  signOut();
  return null;
}

export function signOut(): void {
  sessionStorage.removeItem(STORAGE_KEY);
  forgetToken(ANCHOR_KEY);
}

/** Same words for an unknown address and a wrong password, as Cognito: no way to probe who has an account. */
const WRONG_CREDENTIALS =
  'Adresse électronique ou mot de passe incorrect. Vérifiez-les (majuscules comprises) puis réessayez.';

const COGNITO_MESSAGES: Record<string, string> = {
  NotAuthorizedException: WRONG_CREDENTIALS,
  UserNotFoundException: WRONG_CREDENTIALS,
  // cognito-local's answer to a wrong password (Cognito itself answers NotAuthorizedException).
  InvalidPasswordException: WRONG_CREDENTIALS,
  UserNotConfirmedException: 'Ce compte n’est pas encore confirmé. Contactez l’équipe d’exploitation.',
  PasswordResetRequiredException:
    'Vous devez réinitialiser votre mot de passe avant de vous connecter. Contactez l’équipe d’exploitation.',
  TooManyRequestsException: 'Trop de tentatives. Patientez une minute puis réessayez.',
  LimitExceededException: 'Trop de tentatives. Patientez une minute puis réessayez.',
};

interface InitiateAuthResponse {
  AuthenticationResult?: { IdToken?: string };
  ChallengeName?: string;
  __type?: string;
  message?: string;
}

/** Signs in with Cognito's USER_PASSWORD_AUTH flow and stores the ID token for this tab. */
export async function signIn(config: SiteConfig, email: string, password: string): Promise<StaffSession> {
  let response: Response;
  try {
    response = await fetch(cognitoEndpoint(config), {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': 'AWSCognitoIdentityProviderService.InitiateAuth',
      },
      body: JSON.stringify({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: config.cognito.clientId,
        AuthParameters: { USERNAME: email, PASSWORD: password },
      }),
    });
  } catch {
    throw new SignInError(
      'Le service de connexion est injoignable. Vérifiez votre connexion puis réessayez.',
    );
  }
  const body = (await response.json().catch(() => ({}))) as InitiateAuthResponse;
  const idToken = body.AuthenticationResult?.IdToken;
  if (response.ok && idToken) {
    signOut();
    sessionStorage.setItem(STORAGE_KEY, idToken);
    return sessionFromToken(idToken);
  }
  if (response.ok && body.ChallengeName) {
    throw new SignInError(
      'Votre compte demande une étape supplémentaire (nouveau mot de passe ou second facteur) que cet espace ne gère pas encore. Contactez l’équipe d’exploitation.',
    );
  }
  const type = (body.__type ?? '').split('#').pop() ?? '';
  throw new SignInError(COGNITO_MESSAGES[type] ?? 'La connexion a échoué. Réessayez dans quelques instants.');
}
