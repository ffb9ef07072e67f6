import type { Problem } from './api.ts';
import { byId, fill, h } from './dom.ts';

export type FieldError = { field: string; message: string };

/**
 * Field errors shown next to their fields: each control has an `<p id="<control id>-error">` named in its
 * `aria-describedby`. `fields` maps the API's field names (`body.email`, `body.profile.birthDate`) to
 * controls; the first invalid one gets the focus. Returns whether any error found its field.
 */
export function showFieldErrors(
  fields: Record<string, HTMLElement | undefined>,
  errors: FieldError[],
): boolean {
  let first: HTMLElement | undefined;
  for (const { field, message } of errors) {
    const control = fields[field];
    if (!control) continue;
    control.setAttribute('aria-invalid', 'true');
    fill(byId(`${control.id}-error`), message);
    first ??= control;
  }
  first?.focus();
  return first !== undefined;
}

export function clearFieldErrors(fields: Record<string, HTMLElement | undefined>): void {
  for (const control of Object.values(fields)) {
    if (!control) continue;
    control.removeAttribute('aria-invalid');
    fill(byId(`${control.id}-error`));
  }
}

/** `dans 45 secondes`, `dans 2 minutes`, `dans 1 heure`. */
export function frenchDelay(seconds: number): string {
  if (seconds < 60) return `dans ${seconds}\u00a0seconde${seconds > 1 ? 's' : ''}`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `dans ${minutes}\u00a0minute${minutes > 1 ? 's' : ''}`;
  const hours = Math.ceil(minutes / 60);
  return `dans ${hours}\u00a0heure${hours > 1 ? 's' : ''}`;
}

/** A problem as an error notice; a 429 says when to try again. */
export function problemNotice(problem: Problem): HTMLElement {
  const wait =
    problem.status === 429 ? `Vous pourrez réessayer ${frenchDelay(problem.retryAfter ?? 60)}.` : undefined;
  return h(
    'div',
    { class: 'notice notice-error' },
    h('p', {}, h('strong', {}, problem.status === 429 ? 'Trop de demandes' : problem.title)),
    problem.detail ? h('p', {}, problem.detail) : null,
    wait ? h('p', {}, wait) : null,
  );
}

export function unexpectedProblem(): Problem {
  return {
    title: 'Une erreur inattendue est survenue',
    detail: 'Réessayez dans quelques instants.',
    status: 0,
  };
}

/**
 * Takes a form's submissions from the moment the page's script runs, before the page's data has loaded: a
 * submission made meanwhile waits for the handler instead of being lost (or reloading the page with what was
 * typed in its address). Returns the function that installs the handler once the page is ready.
 */
export function holdSubmissions(form: HTMLFormElement): (handler: (event: SubmitEvent) => unknown) => void {
  let handler: ((event: SubmitEvent) => unknown) | undefined;
  let pending: SubmitEvent | undefined;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (handler) void handler(event);
    else pending = event;
  });
  return (ready) => {
    handler = ready;
    if (pending) {
      const event = pending;
      pending = undefined;
      void ready(event);
    }
  };
}
