import { ApiError, apiRequest, type Problem } from './lib/api.ts';
import { loadConfig, type SiteConfig } from './lib/config.ts';
import { byId, fill, h } from './lib/dom.ts';
import { formatDateTime } from './lib/format.ts';
import { currentSession, type StaffSession, signOut } from './lib/session.ts';
import { PHASE_LABELS, PHASES, ROLE_LABELS } from './lib/shared-data.ts';
import type { EditionView, Phase, PhaseActor, StaffPhaseView } from './lib/types.ts';

const SIGN_IN = 'index.html';

/** Roles allowed to force a phase; the API checks it again. */
const CAN_CHANGE_PHASE = new Set(['admin']);
/** The API's minimum for a reason (ChangePhaseBody). */
const REASON_MIN = 5;

interface Context {
  config: SiteConfig;
  session: StaffSession;
  timeZone: string;
}

function phaseLabel(phase: Phase): string {
  return PHASE_LABELS[phase] ?? phase;
}

function roleLabel(role: string): string {
  return (ROLE_LABELS as Record<string, string>)[role] ?? role;
}

function actorLabel(actor: PhaseActor): string {
  return actor.kind === 'schedule' ? 'calendrier (automatique)' : `agent, rôle ${roleLabel(actor.role)}`;
}

function problemNotice(problem: Problem): HTMLElement {
  return h(
    'div',
    { class: 'notice notice-error' },
    h('p', {}, h('strong', {}, problem.title)),
    problem.detail ? h('p', {}, problem.detail) : null,
  );
}

/** A 401 means the token expired or was refused: back to the sign-in page. */
function expireSession(): void {
  signOut();
  location.replace(`${SIGN_IN}?session-expiree`);
}

function renderPhase(context: Context, view: StaffPhaseView): void {
  fill(byId('bo-phase-label'), view.label);
  // A phase never changed yet reports the epoch as its start.
  fill(
    byId('bo-phase-since'),
    Date.parse(view.since) > 0
      ? h(
          'span',
          {},
          'Depuis le ',
          h('time', { datetime: view.since }, formatDateTime(view.since, context.timeZone)),
          '.',
        )
      : null,
  );
  fill(
    byId('bo-phase-calendar'),
    view.calendarPhase === view.current
      ? 'Conforme au calendrier de l’édition.'
      : `Phase forcée\u00a0: le calendrier prévoit «\u00a0${phaseLabel(view.calendarPhase)}\u00a0».`,
  );
  const history = [...view.history].sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  fill(
    byId('bo-history'),
    ...(history.length
      ? history.map((entry) =>
          h(
            'li',
            {},
            h('p', {}, h('time', { datetime: entry.at }, formatDateTime(entry.at, context.timeZone))),
            h('p', { class: 'change' }, `${phaseLabel(entry.from)} → ${phaseLabel(entry.to)}`),
            entry.reason ? h('p', {}, `Motif\u00a0: ${entry.reason}`) : null,
            h('p', {}, `Par\u00a0: ${actorLabel(entry.actor)}`),
          ),
        )
      : [h('li', {}, 'Aucun changement de phase pour le moment.')]),
  );
  byId('phase-section').hidden = false;
  fillPhaseOptions(view.current);
}

function fillPhaseOptions(current: Phase): void {
  const select = byId<HTMLSelectElement>('phase-to');
  const next = PHASES[PHASES.indexOf(current) + 1];
  fill(
    select,
    ...PHASES.map((phase) =>
      h(
        'option',
        { value: phase, disabled: phase === current, selected: phase === next },
        phase === current ? `${phaseLabel(phase)} (phase en cours)` : phaseLabel(phase),
      ),
    ),
  );
}

function setupPhaseChange(context: Context): void {
  const section = byId('phase-change');
  section.hidden = false;
  const form = byId<HTMLFormElement>('phase-change-form');
  const fields = {
    to: byId<HTMLSelectElement>('phase-to'),
    reason: byId<HTMLTextAreaElement>('phase-reason'),
  };
  const result = byId('phase-change-result');
  const alert = byId('phase-change-error');
  const submit = form.querySelector('button[type="submit"]') as HTMLButtonElement;

  const clearErrors = () => {
    fill(alert);
    for (const field of Object.values(fields)) {
      field.removeAttribute('aria-invalid');
      fill(byId(`${field.id}-error`));
    }
  };
  const showFieldErrors = (errors: { field: string; message: string }[]): boolean => {
    let first: HTMLElement | undefined;
    for (const { field, message } of errors) {
      // The API names body fields `body.reason`; local checks use the bare name.
      const input = fields[field.replace(/^body\./, '') as keyof typeof fields];
      if (!input) continue;
      input.setAttribute('aria-invalid', 'true');
      fill(byId(`${input.id}-error`), message);
      first ??= input;
    }
    first?.focus();
    return first !== undefined;
  };

  const confirm = byId('phase-confirm');
  const confirmText = byId('phase-confirm-text');
  let pending: { to: string; reason: string } | undefined;

  const send = async ({ to, reason }: { to: string; reason: string }) => {
    submit.disabled = true;
    fill(result, h('p', { class: 'loading' }, 'Changement de phase en cours…'));
    try {
      const view = await apiRequest<StaffPhaseView>(context.config, phasePath(context.config), {
        method: 'POST',
        body: { to, reason },
        token: context.session.idToken,
      });
      renderPhase(context, view);
      fields.reason.value = '';
      fill(
        result,
        h(
          'p',
          { class: 'notice notice-success' },
          `Phase modifiée\u00a0: «\u00a0${view.label}\u00a0» est désormais la phase en cours. La coordination en est informée par courriel.`,
        ),
      );
    } catch (error) {
      fill(result);
      if (error instanceof ApiError && error.status === 401) return expireSession();
      const problem = error instanceof ApiError ? error.problem : unexpected();
      fill(alert, problemNotice(problem));
      showFieldErrors(problem.errors ?? []);
    } finally {
      submit.disabled = false;
    }
  };

  byId('phase-confirm-no').addEventListener('click', () => {
    confirm.hidden = true;
    pending = undefined;
    submit.focus();
  });
  byId('phase-confirm-yes').addEventListener('click', async () => {
    confirm.hidden = true;
    const request = pending;
    pending = undefined;
    if (request) await send(request);
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors();
    fill(result);
    confirm.hidden = true;
    const to = fields.to.value;
    const reason = fields.reason.value.trim();
    const local: { field: string; message: string }[] = [];
    if (!to) local.push({ field: 'to', message: 'Choisissez la nouvelle phase.' });
    if (reason.length < REASON_MIN)
      local.push({
        field: 'reason',
        message: 'Indiquez le motif du changement de phase (5 caractères au moins).',
      });
    if (showFieldErrors(local)) return;
    // The change is immediate (a vote closes, a count starts): the admin confirms what will happen.
    pending = { to, reason };
    const from = byId('bo-phase-label').textContent ?? '';
    fill(
      confirmText,
      h(
        'strong',
        {},
        `Confirmez-vous le passage de la phase «\u00a0${from}\u00a0» à la phase «\u00a0${phaseLabel(to as Phase)}\u00a0»\u00a0? Le changement est immédiat.`,
      ),
    );
    confirm.hidden = false;
    confirmText.focus();
  });
}

function unexpected(): Problem {
  return {
    title: 'Une erreur inattendue est survenue',
    detail: 'Réessayez dans quelques instants.',
    status: 0,
  };
}

function phasePath(config: SiteConfig): string {
  return `/editions/${encodeURIComponent(config.edition)}/staff/phase`;
}

async function main(): Promise<void> {
  const session = currentSession();
  if (!session) {
    location.replace(SIGN_IN);
    return;
  }
  fill(byId('who-email'), session.email);
  fill(
    byId('who-roles'),
    ...(session.roles.length
      ? session.roles.map((role) => h('li', {}, roleLabel(role)))
      : [h('li', {}, 'Aucun rôle attribué\u00a0: contactez l’équipe d’exploitation.')]),
  );
  byId('sign-out').addEventListener('click', () => {
    signOut();
    location.assign(`${SIGN_IN}?deconnexion`);
  });

  const canChangePhase = session.roles.some((role) => CAN_CHANGE_PHASE.has(role));
  if (!canChangePhase) byId('phase-change').remove();

  const status = byId('bo-status');
  try {
    const config = await loadConfig();
    const [edition, phase] = await Promise.allSettled([
      apiRequest<EditionView>(config, `/editions/${encodeURIComponent(config.edition)}`),
      apiRequest<StaffPhaseView>(config, phasePath(config), { token: session.idToken }),
    ]);
    const context: Context = { config, session, timeZone: 'Europe/Paris' };
    if (edition.status === 'fulfilled') {
      context.timeZone = edition.value.edition.timeZone;
      fill(byId('bo-edition'), edition.value.edition.name);
    }
    fill(status);
    if (phase.status === 'rejected') throw phase.reason;
    renderPhase(context, phase.value);
    if (canChangePhase) setupPhaseChange(context);
  } catch (error) {
    fill(status);
    if (error instanceof ApiError && error.status === 401) return expireSession();
    let problem = error instanceof ApiError ? error.problem : unexpected();
    if (problem.status === 403)
      problem = { ...problem, detail: 'Votre rôle ne donne pas accès à la phase de l’édition.' };
    fill(byId('bo-error'), problemNotice(problem));
  }
}

void main();
