import {
  answerTotp,
  beginTotpSetup,
  type CognitoTarget,
  confirmTotpSetup,
  type SignInStep,
  type StaffTokens,
  setNewPassword,
  startSignIn,
} from '../shared/auth/staff-sign-in.ts';
import { localTotpSecret, totpCode } from './totp.ts';

/**
 * A staff sign-in with no person at the keyboard (tests, benches, the rehearsal): SRP, then the steps the page
 * would show. An enrolled account answers with `totpSecret` (default: the seeded `localTotpSecret(username)`);
 * a new one sets `newPassword` if asked and enrols, and the secret it enrolled is returned.
 */
export async function signInWithTotp(
  target: CognitoTarget,
  username: string,
  password: string,
  opts: { totpSecret?: string; newPassword?: string } = {},
): Promise<StaffTokens & { totpSecret: string }> {
  let secret = opts.totpSecret ?? localTotpSecret(username);
  let step: SignInStep = await startSignIn(target, username, password);
  for (;;) {
    switch (step.kind) {
      case 'signed-in':
        return { ...step.tokens, totpSecret: secret };
      case 'new-password':
        if (!opts.newPassword) throw new Error(`${username} must choose a new password: pass newPassword`);
        step = await setNewPassword(target, step, opts.newPassword);
        break;
      case 'totp-setup': {
        const setup = await beginTotpSetup(target, step);
        secret = setup.secret;
        step = await confirmTotpSetup(target, setup.step, totpCode(secret));
        break;
      }
      case 'totp-code':
        step = await answerTotp(target, step, totpCode(secret));
        break;
    }
  }
}
