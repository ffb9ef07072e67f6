import type * as z from 'zod';
import type {
  ActionLinkResult,
  AssignmentView,
  BallotListView,
  DecisionView,
  DossierSummary,
  DossierView,
  TimelineEntry,
  VerdictView,
} from '../../../shared/http/instruction-schemas.ts';
import { ApiError, apiRequest, type Problem } from './api.ts';
import { loadConfig, type SiteConfig } from './config.ts';
import { byId, fill, h } from './dom.ts';
import { formatDateTime, formatDay } from './format.ts';
import { problemNotice, unexpectedProblem } from './forms.ts';
import { currentSession, type StaffSession, signOut } from './session.ts';
import { DECISION_OUTCOME_LABELS, DOSSIER_STATUS_LABELS, ROLE_LABELS } from './shared-data.ts';
import type { EditionView, StaffRole } from './types.ts';

/** The instruction API's shapes (shared/http/instruction-schemas.ts), as types only: no zod in the browser. */
export type { AssignmentView, DecisionView, DossierSummary, DossierView, TimelineEntry, VerdictView };
export type BallotList = z.infer<typeof BallotListView>;
export type ActionLinkAnswer = z.infer<typeof ActionLinkResult>;
/** `GET .../staff/instruction/dossiers`. */
export interface DossierList {
  items: DossierSummary[];
  total: number;
  /** The Paris day the API used for `overdue`. */
  today: string;
}

export type Edition = EditionView['edition'];

/** What every instruction page needs once the staff member is known. */
export interface InstructionContext {
  config: SiteConfig;
  session: StaffSession;
  edition: Edition;
  /** `/editions/<edition>/staff/instruction` (the API base is in `config`). */
  base: string;
}

export const SIGN_IN_PAGE = 'index.html';

export const instructionBase = (config: SiteConfig) =>
  `/editions/${encodeURIComponent(config.edition)}/staff/instruction`;

/** A refused or expired token: back to the sign-in page, which says why. */
export function expireSession(): void {
  signOut();
  location.replace(`${SIGN_IN_PAGE}?session-expiree`);
}

export const asProblem = (error: unknown): Problem =>
  error instanceof ApiError ? error.problem : unexpectedProblem();

/** Shows an API failure in `box` (an alert region); a 401 ends the session instead. */
export function showFailure(box: HTMLElement, error: unknown): void {
  if (error instanceof ApiError && error.status === 401) expireSession();
  else fill(box, problemNotice(asProblem(error)));
}

export const hasRole = (session: StaffSession, ...roles: StaffRole[]) =>
  session.roles.some((role) => roles.includes(role));

/**
 * Signed-in staff member with one of `roles`, the site config and the edition; `undefined` (and the reason shown
 * in `errorBox`, or a redirect to the sign-in page) otherwise.
 */
export async function instructionContext(
  roles: StaffRole[],
  errorBox: HTMLElement,
  denied: { title: string; detail: string },
): Promise<InstructionContext | undefined> {
  const session = currentSession();
  if (!session) {
    location.replace(SIGN_IN_PAGE);
    return undefined;
  }
  if (!hasRole(session, ...roles)) {
    fill(errorBox, problemNotice({ ...denied, status: 403 }));
    return undefined;
  }
  try {
    const config = await loadConfig();
    const view = await apiRequest<EditionView>(config, `/editions/${encodeURIComponent(config.edition)}`);
    return { config, session, edition: view.edition, base: instructionBase(config) };
  } catch (error) {
    showFailure(errorBox, error);
    return undefined;
  }
}

/** `2026-12-01` (a Paris calendar day) → `1er décembre 2026`. */
export function frenchDay(day: string): string {
  return formatDay(day);
}

export function dateTime(at: string, edition: Edition): HTMLElement {
  return h('time', { datetime: at }, formatDateTime(at, edition.timeZone));
}

export function dossierStatusLabel(status: string): string {
  return (DOSSIER_STATUS_LABELS as Record<string, string>)[status] ?? status;
}

export function outcomeLabel(outcome: string | undefined): string {
  if (!outcome) return '';
  return (DECISION_OUTCOME_LABELS as Record<string, string>)[outcome] ?? outcome;
}

/** Who acted, by role in French (« Coordination (Participation citoyenne) »): never a name nor an id. */
export function actorText(actor: { role: string }): string {
  return (ROLE_LABELS as Record<string, string>)[actor.role] ?? 'un agent';
}

export function serviceName(edition: Edition, id: string): string {
  return edition.services.find((service) => service.id === id)?.name ?? id;
}

/** The visible "late" marker; its text is the information (no colour-only meaning). */
export function overdueBadge(): HTMLElement {
  return h('span', { class: 'badge badge-late' }, 'En retard');
}

export function statusBadge(status: string, label?: string): HTMLElement {
  return h('span', { class: `badge badge-status badge-${status}` }, label ?? dossierStatusLabel(status));
}

/** Moves the focus to a status or heading that just changed, so keyboard and screen-reader users follow. */
export function focusOn(element: HTMLElement): void {
  if (!element.hasAttribute('tabindex')) element.setAttribute('tabindex', '-1');
  element.focus();
}

/** Clears then fills a field's error paragraph (`<id>-error`) and flags the control. */
export function setFieldError(control: HTMLElement, message: string | undefined): void {
  if (message) control.setAttribute('aria-invalid', 'true');
  else control.removeAttribute('aria-invalid');
  fill(byId(`${control.id}-error`), message ?? '');
}

/** A labelled form field: label, optional hint, control, error paragraph, wired with `aria-describedby`. */
export function field(
  control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement,
  label: string,
  hint?: string,
): HTMLElement {
  const described = [hint ? `${control.id}-hint` : '', `${control.id}-error`].filter(Boolean).join(' ');
  control.setAttribute('aria-describedby', described);
  return h(
    'div',
    { class: 'field' },
    h('label', { for: control.id }, label),
    hint ? h('p', { class: 'hint', id: `${control.id}-hint` }, hint) : null,
    control,
    h('p', { class: 'field-error', id: `${control.id}-error` }),
  );
}

/** `<select>` with a first empty choice. */
export function select(
  id: string,
  placeholder: string,
  options: { value: string; label: string }[],
  selected = '',
): HTMLSelectElement {
  return h(
    'select',
    { id, name: id },
    h('option', { value: '' }, placeholder),
    ...options.map((option) =>
      h('option', { value: option.value, selected: option.value === selected }, option.label),
    ),
  );
}

/**
 * Shows the API's field errors (`body.reasonText`…) next to their controls (`fields` maps the bare names); the
 * first one gets the focus. Returns whether any found its control.
 */
export function showApiFieldErrors(
  fields: Record<string, HTMLElement | undefined>,
  problem: Problem,
): boolean {
  let first: HTMLElement | undefined;
  for (const { field: name, message } of problem.errors ?? []) {
    const key = name.replace(/^body\./, '');
    const control = fields[key] ?? fields[key.split('.').pop() ?? ''];
    if (!control) continue;
    setFieldError(control, message);
    first ??= control;
  }
  first?.focus();
  return first !== undefined;
}
