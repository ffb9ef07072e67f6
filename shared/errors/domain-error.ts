import type { FieldError } from '../validation/french.ts';

/**
 * The only error a use case throws on purpose. One middleware turns it into problem+json, so a
 * handler never writes an HTTP error by hand and a client never sees internals.
 */
export class DomainError extends Error {
  readonly code: string;
  readonly status: number;
  /** French, for people. */
  readonly title: string;
  readonly detail: string | undefined;
  readonly errors: FieldError[];
  /** Seconds, for 429 and 503. */
  readonly retryAfter: number | undefined;

  constructor(spec: {
    code: string;
    status: number;
    title: string;
    detail?: string;
    errors?: FieldError[];
    retryAfter?: number;
  }) {
    super(`${spec.code}: ${spec.title}`);
    this.name = 'DomainError';
    this.code = spec.code;
    this.status = spec.status;
    this.title = spec.title;
    this.detail = spec.detail;
    this.errors = spec.errors ?? [];
    this.retryAfter = spec.retryAfter;
  }
}

export const validationFailed = (errors: FieldError[], detail?: string) =>
  new DomainError({
    code: 'validation_failed',
    status: 400,
    title: 'Certaines informations sont invalides',
    detail: detail ?? 'Corrigez les champs signalés puis réessayez.',
    errors,
  });

export const notFound = (code: string, detail: string) =>
  new DomainError({ code, status: 404, title: 'Introuvable', detail });

export const conflict = (code: string, detail: string) =>
  new DomainError({ code, status: 409, title: 'Conflit', detail });

export const serviceUnavailable = (code: string, detail: string, retryAfter = 2) =>
  new DomainError({ code, status: 503, title: 'Service momentanément indisponible', detail, retryAfter });
