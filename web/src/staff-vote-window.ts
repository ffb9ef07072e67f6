import { fromZonedTime } from 'date-fns-tz';
import { ApiError, apiRequest } from './lib/api.ts';
import { loadConfig } from './lib/config.ts';
import { byId, fill, h } from './lib/dom.ts';
import { formatDateTime } from './lib/format.ts';
import { clearFieldErrors, problemNotice, showFieldErrors, unexpectedProblem } from './lib/forms.ts';
import { currentSession, signOut } from './lib/session.ts';
import type { EditionView } from './lib/types.ts';

/**
 * « Fenêtre de vote » (admin): pause, resume or extend the vote with a reason, through
 * `POST .../staff/vote-window` (the voting function checks the phase, the closed marker and the reason).
 */
const SIGN_IN = 'index.html';
const REASON_MIN = 5;

interface WindowAnswer {
  paused: boolean;
  closesAt: string;
}

function expireSession(): void {
  signOut();
  location.replace(`${SIGN_IN}?session-expiree`);
}

async function main(): Promise<void> {
  const session = currentSession();
  if (!session) {
    location.replace(SIGN_IN);
    return;
  }
  const status = byId('vw-status');
  const alert = byId('vw-error');
  if (!session.roles.includes('admin')) {
    fill(
      alert,
      h('p', { class: 'notice notice-error' }, 'Seule l’administration de l’édition agit sur le vote.'),
    );
    return;
  }
  try {
    const config = await loadConfig();
    const edition = encodeURIComponent(config.edition);
    const view = await apiRequest<EditionView>(config, `/editions/${edition}`);
    const timeZone = view.edition.timeZone;
    fill(status, h('p', {}, `Phase actuelle : ${view.phase.label}.`));
    byId('vw-section').hidden = false;

    const form = byId<HTMLFormElement>('vw-form');
    const reason = byId<HTMLTextAreaElement>('vw-reason');
    const until = byId<HTMLInputElement>('vw-until');
    const untilField = byId('vw-until-field');
    const result = byId('vw-result');
    const fields = { reason, 'body.reason': reason, until, 'body.until': until };
    const action = () =>
      (form.elements.namedItem('action') as RadioNodeList).value as 'pause' | 'resume' | 'extend';
    form.addEventListener('change', () => {
      untilField.hidden = action() !== 'extend';
    });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearFieldErrors(fields);
      fill(alert);
      fill(result);
      const errors: { field: string; message: string }[] = [];
      if (reason.value.trim().length < REASON_MIN)
        errors.push({ field: 'reason', message: 'Indiquez la raison (5 caractères au moins).' });
      const chosen = action();
      if (chosen === 'extend' && !until.value)
        errors.push({ field: 'until', message: 'Indiquez la nouvelle date et heure de clôture.' });
      if (errors.length > 0) {
        showFieldErrors(fields, errors);
        return;
      }
      const body =
        chosen === 'extend'
          ? {
              action: chosen,
              reason: reason.value.trim(),
              // The field is a wall-clock time of the edition's zone, whatever the browser's zone.
              until: fromZonedTime(until.value, timeZone).toISOString(),
            }
          : { action: chosen, reason: reason.value.trim() };
      try {
        const answer = await apiRequest<WindowAnswer>(config, `/editions/${edition}/staff/vote-window`, {
          method: 'POST',
          body,
          token: session.idToken,
        });
        reason.value = '';
        const closes = formatDateTime(answer.closesAt, timeZone);
        fill(
          result,
          h(
            'p',
            { class: 'notice notice-success' },
            answer.paused
              ? `Le vote est suspendu. Clôture prévue : ${closes}.`
              : `Le vote est ouvert. Clôture prévue : ${closes}.`,
          ),
        );
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return expireSession();
        const problem = error instanceof ApiError ? error.problem : unexpectedProblem();
        fill(alert, problemNotice(problem));
        showFieldErrors(fields, problem.errors ?? []);
      }
    });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return expireSession();
    fill(alert, problemNotice(error instanceof ApiError ? error.problem : unexpectedProblem()));
  }
}

void main();
