/**
 * When a stored token stops being usable, judged by the clock of the server that issued it, never by the
 * browser's clock alone: the two can disagree by years (a local stack whose clock was moved to the vote,
 * a phone set to the wrong date). A token lasts `exp - iat` seconds of the issuer's time; the browser
 * only measures how long ago it first saw the token. The API still has the last word: a token it refuses
 * (401) sends the person back to sign in, whatever this says.
 */
interface Anchor {
  /** The token's `iat`, to tell this token's anchor from a previous one's. */
  iat: number;
  /** Browser epoch milliseconds when this tab first saw the token. */
  seenAt: number;
}

function readAnchor(key: string): Anchor | undefined {
  try {
    const parsed = JSON.parse(sessionStorage.getItem(key) ?? 'null') as Partial<Anchor> | null;
    if (typeof parsed?.iat === 'number' && typeof parsed.seenAt === 'number') {
      return { iat: parsed.iat, seenAt: parsed.seenAt };
    }
  } catch {
    // A damaged anchor is replaced below.
  }
  return undefined;
}

/**
 * The browser time (epoch ms) at which the token with these claims stops being usable. The first call for a
 * token anchors it at `browserNow`; later calls measure from there. A token without `iat`/`exp` is left to
 * the API to judge.
 */
export function tokenUsableUntil(
  anchorKey: string,
  claims: Record<string, unknown>,
  browserNow = Date.now(),
): number {
  const { iat, exp } = claims;
  if (typeof exp !== 'number') return 0;
  if (typeof iat !== 'number') return Number.POSITIVE_INFINITY;
  if (exp <= iat) return 0;
  let anchor = readAnchor(anchorKey);
  if (!anchor || anchor.iat !== iat) {
    anchor = { iat, seenAt: browserNow };
    sessionStorage.setItem(anchorKey, JSON.stringify(anchor));
  }
  return anchor.seenAt + (exp - iat) * 1000;
}

/** Forgets the anchor of a token being removed. */
export function forgetToken(anchorKey: string): void {
  sessionStorage.removeItem(anchorKey);
}
