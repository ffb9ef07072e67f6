/**
 * The server half of Cognito's SRP-6a variant (USER_SRP_AUTH → PASSWORD_VERIFIER), for the local Cognito front.
 *
 * Written by hand: the one npm package with a server side (cognito-srp 0.2.0, 2018) pads B and S to a fixed
 * 384 bytes where Cognito's clients hash their minimal two's-complement hex, so about one exchange in 256 would
 * fail. The group, hash and key derivation follow amazon-cognito-identity-js's AuthenticationHelper; the unit
 * test test/unit/cognito-srp.test.ts runs it against cognito-srp-helper, the client the site uses.
 */
import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/** RFC 5054's 3072-bit group, generator 2: the one Cognito uses. */
const N = BigInt(
  '0xFFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF',
);
const G = 2n;
const INFO = 'Caldera Derived Key';

/** Minimal even-length hex with a leading 00 when the top bit is set (Java's BigInteger.toByteArray). */
function padHex(value: bigint): string {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return /^[89a-f]/.test(hex) ? `00${hex}` : hex;
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest();
const hexHash = (hex: string) => sha256(Buffer.from(hex, 'hex')).toString('hex');
const toBigInt = (hex: string) => BigInt(`0x${hex}`);

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}

const K = toBigInt(hexHash(`${padHex(N)}${padHex(G)}`));

/** The pool's name in Cognito's sense: the part of the pool id after the region. */
export function srpPoolName(userPoolId: string): string {
  return userPoolId.slice(userPoolId.indexOf('_') + 1);
}

/** State the server keeps between InitiateAuth and the PASSWORD_VERIFIER answer. */
export interface SrpChallenge {
  readonly salt: string;
  readonly srpB: string;
  readonly verifier: bigint;
  readonly b: bigint;
  readonly srpA: bigint;
}

/**
 * Starts the exchange for a password the emulator knows in plain: the verifier is derived on the spot with a
 * fresh salt (Cognito stores one per password; the client cannot tell the difference). Throws on A ≡ 0 mod N.
 */
export function startSrp(opts: {
  userPoolId: string;
  userIdForSrp: string;
  password: string;
  srpA: string;
}): SrpChallenge {
  const srpA = toBigInt(opts.srpA);
  if (srpA % N === 0n) throw new Error('SRP_A is zero modulo N');
  const salt = padHex(toBigInt(randomBytes(16).toString('hex')));
  const inner = sha256(`${srpPoolName(opts.userPoolId)}${opts.userIdForSrp}:${opts.password}`).toString(
    'hex',
  );
  const x = toBigInt(hexHash(`${salt}${inner}`));
  const verifier = modPow(G, x, N);
  for (;;) {
    const b = toBigInt(randomBytes(32).toString('hex'));
    const B = (K * verifier + modPow(G, b, N)) % N;
    if (B !== 0n) return { salt, srpB: B.toString(16), verifier, b, srpA };
  }
}

/** The signature an honest client computes: HMAC(K, pool name ‖ user id ‖ secret block ‖ timestamp), base64. */
export function expectedSignature(
  challenge: SrpChallenge,
  opts: { userPoolId: string; userIdForSrp: string; secretBlock: string; timestamp: string },
): Buffer {
  const B = toBigInt(challenge.srpB);
  const u = toBigInt(hexHash(`${padHex(challenge.srpA)}${padHex(B)}`));
  if (u === 0n) throw new Error('SRP scrambling parameter is zero');
  const S = modPow(challenge.srpA * modPow(challenge.verifier, u, N), challenge.b, N);
  const key = Buffer.from(
    hkdfSync('sha256', Buffer.from(padHex(S), 'hex'), Buffer.from(padHex(u), 'hex'), INFO, 16),
  );
  return createHmac('sha256', key)
    .update(
      Buffer.concat([
        Buffer.from(srpPoolName(opts.userPoolId), 'utf8'),
        Buffer.from(opts.userIdForSrp, 'utf8'),
        Buffer.from(opts.secretBlock, 'base64'),
        Buffer.from(opts.timestamp, 'utf8'),
      ]),
    )
    .digest();
}

/** Constant-time check of the client's PASSWORD_CLAIM_SIGNATURE. */
export function verifySrpSignature(
  challenge: SrpChallenge,
  opts: {
    userPoolId: string;
    userIdForSrp: string;
    secretBlock: string;
    timestamp: string;
    signature: string;
  },
): boolean {
  let expected: Buffer;
  try {
    expected = expectedSignature(challenge, opts);
  } catch {
    return false;
  }
  const given = Buffer.from(opts.signature, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
