import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { DomainError } from '../errors/domain-error.ts';

/** RFC 9457 problem details, with a stable `code` for programs and French text for people. */
export function problemResponse(error: DomainError): APIGatewayProxyStructuredResultV2 {
  const headers: Record<string, string> = {
    'content-type': 'application/problem+json; charset=utf-8',
    'cache-control': 'no-store',
  };
  if (error.retryAfter !== undefined) headers['retry-after'] = String(error.retryAfter);
  return {
    statusCode: error.status,
    headers,
    body: JSON.stringify({
      type: `https://budget-participatif.example/problems/${error.code}`,
      title: error.title,
      status: error.status,
      detail: error.detail,
      code: error.code,
      errors: error.errors,
    }),
  };
}
