import type { SiteConfig } from './config.ts';
import { noteServerDate } from './server-clock.ts';

/** RFC 9457 problem details as the API sends them: French `title`/`detail`, stable `code`. */
export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  code?: string;
  errors?: { field: string; message: string }[];
  /** Seconds, from the `Retry-After` header of a 429 or 503. */
  retryAfter?: number;
}

export class ApiError extends Error {
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.title);
    this.name = 'ApiError';
    this.problem = problem;
  }

  get status(): number {
    return this.problem.status;
  }
}

const UNREACHABLE: Problem = {
  title: 'Le service est injoignable',
  detail: 'Vérifiez votre connexion à Internet puis réessayez.',
  status: 0,
  code: 'network_error',
};

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  token?: string;
  /** Extra request headers (`Idempotency-Key` of a ballot, say). */
  headers?: Record<string, string>;
}

/** Calls the API; any failure becomes an `ApiError` carrying a problem with French text. */
export async function apiRequest<T>(
  config: SiteConfig,
  path: string,
  options: RequestOptions = {},
): Promise<T> {
  const headers: Record<string, string> = {
    Accept: 'application/json, application/problem+json',
    ...options.headers,
  };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  let response: Response;
  try {
    response = await fetch(`${config.apiBase}${path}`, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? null : JSON.stringify(options.body),
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(UNREACHABLE);
  }
  noteServerDate(response.headers);
  const payload: unknown = await response.json().catch(() => undefined);
  if (response.ok) return payload as T;
  const problem = asProblem(payload, response.status);
  const retryAfter = Number(response.headers.get('Retry-After'));
  if (retryAfter > 0) problem.retryAfter = retryAfter;
  throw new ApiError(problem);
}

function asProblem(payload: unknown, status: number): Problem {
  if (payload && typeof payload === 'object' && typeof (payload as Problem).title === 'string') {
    return { ...(payload as Problem), status };
  }
  return {
    title: 'Une erreur inattendue est survenue',
    detail: `Le service a répondu avec le code ${status}. Réessayez dans quelques instants.`,
    status,
  };
}
