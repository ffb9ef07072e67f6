import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The secret header CloudFront adds to every request it forwards to the API (an origin custom header, value
 * from the manifest's `origin-verify` secret). CloudFront replaces a viewer-sent header of the same name,
 * and the local HTTP adapter does the same, so its presence with the right value proves the request came
 * through the distribution.
 */
export const ORIGIN_VERIFY_HEADER = 'x-bp-origin-verify';

/** Where CloudFront puts the viewer's `ip:port` (the origin request policy forwards it). */
export const VIEWER_ADDRESS_HEADER = 'cloudfront-viewer-address';

/**
 * Headers only the edge may set: a client's copy of them is dropped before the request reaches a function
 * (by CloudFront in AWS, by the local HTTP adapter locally).
 */
export const EDGE_HEADERS: readonly string[] = [ORIGIN_VERIFY_HEADER, VIEWER_ADDRESS_HEADER];

/** Constant-time equality of two strings of any length (compared through their SHA-256). */
function sameSecret(a: string, b: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * The visitor's address, for rate limits. Behind CloudFront, API Gateway's source IP is the edge's, so the
 * address comes from `CloudFront-Viewer-Address`; but that header is trusted only when the request carries
 * the origin secret, i.e. really came through CloudFront. Anything else (a direct call to the API's
 * `execute-api` URL, a forged header) is counted under the source IP API Gateway saw, which the caller
 * cannot choose.
 */
export function trustedClientAddress(
  request: { headers: Record<string, string>; sourceIp: string },
  originSecret: string,
): string {
  const proof = request.headers[ORIGIN_VERIFY_HEADER];
  const viewer = request.headers[VIEWER_ADDRESS_HEADER];
  if (!originSecret || proof === undefined || !viewer || !sameSecret(proof, originSecret)) {
    return request.sourceIp;
  }
  return viewer.replace(/:\d+$/, '');
}

/**
 * Proves that a request came through the edition's distribution (and so through its WAF): the origin header
 * must carry the secret CloudFront adds. The API's own `execute-api` address stays public in AWS (closing it
 * needs a custom domain for the API), so without this a caller could go around the WAF's rate rules.
 * `false` when the header is absent or wrong.
 */
export function cameThroughEdge(headers: Record<string, string>, originSecret: string): boolean {
  const proof = headers[ORIGIN_VERIFY_HEADER];
  return Boolean(originSecret) && proof !== undefined && sameSecret(proof, originSecret);
}
