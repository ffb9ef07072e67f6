import { ApiError, apiRequest, type Problem } from './lib/api.ts';
import { storeCitizenToken } from './lib/citizen-session.ts';
import { loadConfig, type SiteConfig } from './lib/config.ts';
import { byId, fill, h } from './lib/dom.ts';
import {
  clearFieldErrors,
  holdSubmissions,
  problemNotice,
  showFieldErrors,
  unexpectedProblem,
} from './lib/forms.ts';
import { type ProfileValues, setupProfileForm } from './lib/profile-form.ts';
import type { EditionView } from './lib/types.ts';

const MY_DATA = 'mes-donnees.html';
/** What the person typed, kept across errors and reloads of this tab; never the code. */
const DRAFT_KEY = 'bp.citizen.verifyDraft';

interface Draft extends Partial<ProfileValues> {
  email?: string;
  step?: 'email' | 'code';
  /**
   * The `Idempotency-Key` of the sign-in with the code last sent: sent again with each try of that code, so a
   * try whose answer was lost (or a 503 after the code was used) can be made again instead of asking for a
   * new code. A new one with every code.
   */
  sessionKey?: string;
  /**
   * The `Idempotency-Key` of the code request not answered yet, with its address: a second click after a 503
   * or a lost answer is that request's retry (a new code at once if the email did not go, no second email if
   * it did), not a new request held by the minute between two codes.
   */
  codeRequest?: { key: string; email: string };
}

function readDraft(): Draft {
  try {
    return JSON.parse(sessionStorage.getItem(DRAFT_KEY) ?? '{}') as Draft;
  } catch {
    return {};
  }
}

/** Refusals that are about a rule, not a field: explained in full, with what to do next. */
function refusalNotice(problem: Problem): HTMLElement {
  const notice = problemNotice(problem);
  if (problem.code?.startsWith('not_eligible')) {
    notice.append(
      h(
        'p',
        {},
        'Si vous pensez remplir les conditions, corrigez votre profil ci-dessous ou contactez le service Participation citoyenne du Département.',
      ),
    );
  }
  return notice;
}

async function main(): Promise<void> {
  const status = byId('verify-status');
  const alert = byId('verify-error');
  const emailForm = byId<HTMLFormElement>('email-form');
  const sessionForm = byId<HTMLFormElement>('session-form');
  const email = byId<HTMLInputElement>('email');
  const code = byId<HTMLInputElement>('code');
  const stepEmail = byId('step-email');
  const stepCode = byId('step-code');
  // Someone quick may send the form while the edition loads: the submission waits for it.
  const onEmailSubmit = holdSubmissions(emailForm);
  const onSessionSubmit = holdSubmissions(sessionForm);

  let config: SiteConfig;
  let allowWorkOrStudy = false;
  try {
    config = await loadConfig();
    const view = await apiRequest<EditionView>(config, `/editions/${encodeURIComponent(config.edition)}`);
    allowWorkOrStudy = view.edition.eligibility.residence === 'live-work-study';
    document.title = `Vérifier mon identité — ${view.edition.name}`;
  } catch (error) {
    fill(alert, problemNotice(error instanceof ApiError ? error.problem : unexpectedProblem()));
    return;
  }
  const base = `/editions/${encodeURIComponent(config.edition)}/identity`;

  const draft = readDraft();
  const save = (step?: Draft['step']) => {
    const next: Draft = { ...readDraft(), ...profile.values(), email: email.value.trim() };
    if (step) next.step = step;
    sessionStorage.setItem(DRAFT_KEY, JSON.stringify(next));
  };
  const profile = setupProfileForm(config, { allowWorkOrStudy, onChange: () => save() });
  // What the person typed while the edition loaded wins over the saved draft.
  if (!email.value) email.value = draft.email ?? '';
  profile.restore(draft);
  email.addEventListener('input', () => save());

  const showStep = (step: 'email' | 'code', focus = true) => {
    stepEmail.hidden = step !== 'email';
    stepCode.hidden = step !== 'code';
    if (step === 'code') {
      fill(
        byId('code-sent-to'),
        'Un code à 6 chiffres a été envoyé à ',
        h('strong', {}, email.value.trim()),
        '. Il est valable 10 minutes. Pensez à regarder dans les courriers indésirables.',
      );
      if (focus) code.focus();
    } else if (focus) email.focus();
  };
  if (draft.step === 'code' && draft.email) showStep('code', false);

  const fields = { 'body.email': email, 'body.code': code, ...profile.fields };
  const profileError = byId('profile-error');
  const clear = () => {
    fill(alert);
    fill(status);
    clearFieldErrors(fields);
    fill(profileError);
  };
  /** Shows a problem: next to its fields when it names them, above the form otherwise. */
  const showProblem = (problem: Problem) => {
    const errors = problem.errors ?? [];
    if (errors.some((error) => error.field === 'body.profile')) {
      fill(profileError, 'Première vérification pour cette édition\u00a0: remplissez votre profil.');
    }
    // An email error on step 2 belongs to step 1.
    if (errors.some((error) => error.field === 'body.email') && !stepCode.hidden) showStep('email');
    const placed = showFieldErrors(fields, errors);
    if (!placed || problem.status === 403 || problem.status === 429 || problem.status >= 500) {
      fill(alert, refusalNotice(problem));
    } else {
      fill(alert, h('p', { class: 'notice notice-error' }, 'Corrigez les champs signalés ci-dessous.'));
    }
  };

  onEmailSubmit(async () => {
    clear();
    const value = email.value.trim();
    if (!value || !email.validity.valid) {
      showFieldErrors(fields, [
        {
          field: 'body.email',
          message: value
            ? 'Saisissez une adresse électronique valide, par exemple nom@exemple.fr.'
            : 'Saisissez votre adresse électronique.',
        },
      ]);
      return;
    }
    const submit = emailForm.querySelector('button[type="submit"]') as HTMLButtonElement;
    submit.disabled = true;
    fill(status, h('p', { class: 'loading' }, 'Envoi du code…'));
    try {
      const pending = readDraft().codeRequest;
      const codeRequest = pending?.email === value ? pending : { key: crypto.randomUUID(), email: value };
      sessionStorage.setItem(DRAFT_KEY, JSON.stringify({ ...readDraft(), codeRequest }));
      await apiRequest(config, `${base}/code`, {
        method: 'POST',
        body: { email: value },
        headers: { 'Idempotency-Key': codeRequest.key },
      });
      fill(status);
      const { codeRequest: _answered, ...rest } = readDraft();
      sessionStorage.setItem(DRAFT_KEY, JSON.stringify({ ...rest, sessionKey: crypto.randomUUID() }));
      save('code');
      showStep('code');
    } catch (error) {
      fill(status);
      const problem = error instanceof ApiError ? error.problem : unexpectedProblem();
      // A code sent less than a minute ago is still valid: let the person type it.
      if (problem.code === 'code_cooldown') {
        save('code');
        showStep('code');
        fill(
          status,
          h(
            'p',
            { class: 'notice notice-info' },
            'Un code vous a été envoyé il y a moins d’une minute\u00a0: utilisez-le, ou attendez pour en demander un autre.',
          ),
        );
      } else showProblem(problem);
    } finally {
      submit.disabled = false;
    }
  });

  byId('change-email').addEventListener('click', () => {
    clear();
    save('email');
    showStep('email');
  });

  onSessionSubmit(async () => {
    clear();
    const typed = code.value.trim();
    if (!/^\d{6}$/.test(typed)) {
      showFieldErrors(fields, [{ field: 'body.code', message: 'Saisissez les 6 chiffres du code reçu.' }]);
      return;
    }
    const body = profile.body();
    if (body && !profile.check()) return;
    const submit = sessionForm.querySelector('button[type="submit"]') as HTMLButtonElement;
    submit.disabled = true;
    fill(status, h('p', { class: 'loading' }, 'Vérification en cours…'));
    try {
      const draft = readDraft();
      const sessionKey = draft.sessionKey ?? crypto.randomUUID();
      sessionStorage.setItem(DRAFT_KEY, JSON.stringify({ ...draft, sessionKey }));
      const session = await apiRequest<{ token: string }>(config, `${base}/session`, {
        method: 'POST',
        headers: { 'Idempotency-Key': sessionKey },
        body: { email: email.value.trim(), code: typed, ...(body ? { profile: body } : {}) },
      });
      storeCitizenToken(session.token);
      sessionStorage.removeItem(DRAFT_KEY);
      location.assign(`${MY_DATA}?verifie`);
    } catch (error) {
      fill(status);
      const problem = error instanceof ApiError ? error.problem : unexpectedProblem();
      if (problem.code === 'code_burned' || problem.code === 'code_expired') code.value = '';
      showProblem(problem);
      submit.disabled = false;
    }
  });
}

void main();
