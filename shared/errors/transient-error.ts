/** AWS error names that say "not now", not "never": throttling, server faults, timeouts. */
const TRANSIENT_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TransactionInProgressException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);
/** Socket errors the SDK gives up on after its own retries. */
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);
/** Reasons of a cancelled transaction that a later attempt can get past. */
const TRANSIENT_CANCELLATIONS = new Set([
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
  'TransactionConflict',
]);

interface AwsErrorShape {
  name: string;
  code?: unknown;
  $retryable?: unknown;
  $fault?: unknown;
  $metadata?: unknown;
  CancellationReasons?: { Code?: string }[];
}

/**
 * True when an AWS SDK call failed for a reason a retry of the whole request may get past (the SDK's
 * own retries were spent): the client is told 503 with Retry-After, not 500. A cancelled transaction
 * counts only when no condition failed.
 */
export function isTransientAwsError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const e = error as Error & AwsErrorShape;
  if (e.$retryable) return true;
  if (TRANSIENT_NAMES.has(e.name)) return true;
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return true;
  if (e.$metadata !== undefined && e.$fault === 'server') return true;
  if (e.name === 'TransactionCanceledException') {
    const codes = (e.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
    return (
      codes.some((code) => TRANSIENT_CANCELLATIONS.has(code)) && !codes.includes('ConditionalCheckFailed')
    );
  }
  return false;
}
