import { createSrpSession, signSrpSession, wrapAuthChallenge, wrapInitiateAuth } from 'cognito-srp-helper';
import { describe, expect, it } from 'vitest';
import { type SrpChallenge, startSrp, verifySrpSignature } from '../../local/cognito-srp.ts';

const userPoolId = 'eu-west-3_AbCdEf123';
const userIdForSrp = 'coordinator@demo.example';

/** One exchange: the independent client (cognito-srp-helper) against the local front's server half. */
function exchange(clientPassword: string, serverPassword = clientPassword, serverUserId = userIdForSrp) {
  const session = createSrpSession(userIdForSrp, clientPassword, userPoolId, false);
  const initiate = wrapInitiateAuth(session, {
    AuthFlow: 'USER_SRP_AUTH',
    ClientId: 'client',
    AuthParameters: {} as Record<string, string>,
  });
  const srpA = initiate.AuthParameters?.SRP_A as string;
  const challenge: SrpChallenge = startSrp({
    userPoolId,
    userIdForSrp: serverUserId,
    password: serverPassword,
    srpA,
  });
  const secretBlock = Buffer.from('secret block of the exchange').toString('base64');
  const signed = signSrpSession(session, {
    ChallengeName: 'PASSWORD_VERIFIER',
    ChallengeParameters: {
      SALT: challenge.salt,
      SRP_B: challenge.srpB,
      SECRET_BLOCK: secretBlock,
      USER_ID_FOR_SRP: userIdForSrp,
    },
  });
  const answer = wrapAuthChallenge(signed, {
    ClientId: 'client',
    ChallengeName: 'PASSWORD_VERIFIER',
    ChallengeResponses: {} as Record<string, string>,
  });
  const responses = answer.ChallengeResponses as Record<string, string>;
  return verifySrpSignature(challenge, {
    userPoolId,
    userIdForSrp: serverUserId,
    secretBlock: responses.PASSWORD_CLAIM_SECRET_BLOCK as string,
    timestamp: responses.TIMESTAMP as string,
    signature: responses.PASSWORD_CLAIM_SIGNATURE as string,
  });
}

describe('local Cognito SRP (server half) against cognito-srp-helper', () => {
  it('accepts the proof of the right password, across many random exchanges (padding edge cases included)', () => {
    // Act: A, B, u and S vary; a fixed-width padding would fail about one exchange in 256 (800 passed once
    // by hand; 24 here keep the file quick, the client's 1024-bit exponent costs ~0.3 s each).
    const results = Array.from({ length: 24 }, () => exchange('Demo-admin-2026!'));

    // Assess
    expect(results.every(Boolean)).toBe(true);
  }, 60_000);

  it('refuses the proof of a wrong password', () => {
    expect(exchange('Demo-admin-2026?', 'Demo-admin-2026!')).toBe(false);
  });

  it('refuses a proof made for another user id', () => {
    expect(exchange('Demo-admin-2026!', 'Demo-admin-2026!', 'admin@demo.example')).toBe(false);
  });

  it('refuses an A that is zero modulo N', () => {
    expect(() => startSrp({ userPoolId, userIdForSrp, password: 'x', srpA: '0' })).toThrow();
  });
});
