import { ApiError, apiRequest, type Problem } from './lib/api.ts';
import { loadConfig, type SiteConfig } from './lib/config.ts';
import { byId, fill, h } from './lib/dom.ts';
import { formatDateTime, formatDay } from './lib/format.ts';
import { clearFieldErrors, problemNotice, showFieldErrors, unexpectedProblem } from './lib/forms.ts';
import { communeName } from './lib/ideas.ts';
import { setupProfileForm, statusLabel } from './lib/profile-form.ts';
import { currentSession, type StaffSession, signOut } from './lib/session.ts';
import type { EditionView } from './lib/types.ts';

const SIGN_IN = 'index.html';

interface ReviewIdentity {
  citizenId: string;
  firstName: string;
  lastName: string;
  birthDate: string;
  commune: string;
  territory: string;
  status: string;
  createdAt: string;
  channel: 'email' | 'in-person';
}

interface ReviewView {
  reviewId: string;
  status: string;
  heldCitizenId: string;
  createdAt: string;
  identities: ReviewIdentity[];
}

interface InPersonRegistration {
  citizen: { id: string; communeName: string; commune: string; status: string };
  votingCode: { code: string; expiresAt: string };
  registeredAt: string;
}

interface Context {
  config: SiteConfig;
  session: StaffSession;
  timeZone: string;
  base: string;
}

function expireSession(): void {
  signOut();
  location.replace(`${SIGN_IN}?session-expiree`);
}

const frenchDay = (iso: string) => (iso ? formatDay(iso) : '(effacée)');

function identityRow(context: Context, identity: ReviewIdentity, held: boolean): HTMLElement {
  return h(
    'tr',
    {},
    h('th', { scope: 'row' }, held ? 'À examiner' : 'Déjà enregistrée'),
    h('td', {}, `${identity.firstName} ${identity.lastName}`.trim() || '(effacé)'),
    h('td', {}, frenchDay(identity.birthDate)),
    h('td', {}, identity.commune ? communeName(identity.commune) : '(effacée)'),
    h('td', {}, identity.channel === 'in-person' ? 'sur place' : 'en ligne'),
    h('td', {}, formatDateTime(identity.createdAt, context.timeZone)),
    h('td', {}, statusLabel(identity.status)),
  );
}

function reviewCard(context: Context, review: ReviewView, onDecided: (message: string) => void): HTMLElement {
  const id = review.reviewId;
  const headingId = `review-${id}-heading`;
  const reasonId = `review-${id}-reason`;
  const outcomeId = `review-${id}-outcome`;
  const alert = h('div', { role: 'alert' });
  const reason = h('textarea', {
    id: reasonId,
    name: 'reason',
    rows: 2,
    required: true,
    'aria-describedby': `${reasonId}-hint ${reasonId}-error`,
  });
  const radio = (value: string, label: string) =>
    h(
      'div',
      { class: 'field-check' },
      h('input', { type: 'radio', id: `${outcomeId}-${value}`, name: `outcome-${id}`, value }),
      h('label', { for: `${outcomeId}-${value}` }, label),
    );
  const outcome = h(
    'fieldset',
    { class: 'fieldset', id: outcomeId, 'aria-describedby': `${outcomeId}-error` },
    h('legend', {}, 'Décision'),
    radio('clear', 'Deux personnes distinctes : valider l’identité à examiner'),
    radio('reject', 'Même personne : écarter l’identité à examiner'),
    h('p', { class: 'field-error', id: `${outcomeId}-error` }),
  );
  const submit = h('button', { type: 'submit', class: 'button' }, 'Enregistrer la décision');
  const form = h(
    'form',
    { class: 'form', novalidate: true },
    outcome,
    h(
      'div',
      { class: 'field' },
      h('label', { for: reasonId }, 'Motif'),
      h(
        'p',
        { class: 'hint', id: `${reasonId}-hint` },
        'Obligatoire, 5 caractères au moins. Conservé avec la décision.',
      ),
      reason,
      h('p', { class: 'field-error', id: `${reasonId}-error` }),
    ),
    submit,
  );
  const fields = { 'body.outcome': outcome, 'body.reason': reason };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    fill(alert);
    clearFieldErrors(fields);
    const chosen = form.querySelector<HTMLInputElement>('input[type="radio"]:checked')?.value;
    const local = [];
    if (!chosen) local.push({ field: 'body.outcome', message: 'Choisissez une décision.' });
    if (reason.value.trim().length < 5)
      local.push({
        field: 'body.reason',
        message: 'Indiquez le motif de la décision (5 caractères au moins).',
      });
    if (showFieldErrors(fields, local)) return;
    submit.disabled = true;
    try {
      await apiRequest(context.config, `${context.base}/reviews/${encodeURIComponent(id)}`, {
        method: 'POST',
        body: { outcome: chosen, reason: reason.value.trim() },
        token: context.session.idToken,
      });
      onDecided(
        chosen === 'clear' ? 'Identité validée : elle peut voter.' : 'Identité écartée comme doublon.',
      );
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return expireSession();
      const problem = error instanceof ApiError ? error.problem : unexpectedProblem();
      if (!showFieldErrors(fields, problem.errors ?? [])) fill(alert, problemNotice(problem));
      submit.disabled = false;
    }
  });
  const held = review.identities.find((identity) => identity.citizenId === review.heldCitizenId);
  const others = review.identities.filter((identity) => identity.citizenId !== review.heldCitizenId);
  return h(
    'article',
    { class: 'card review', 'aria-labelledby': headingId },
    h(
      'h3',
      { id: headingId },
      `Doublon possible signalé le ${formatDateTime(review.createdAt, context.timeZone)}`,
    ),
    h(
      'div',
      // Focusable so that a keyboard can scroll the table sideways on a phone.
      // Named after its review: several reviews on one page need distinct landmark names.
      {
        class: 'table-scroll',
        tabindex: 0,
        role: 'region',
        'aria-label': `Identités comparées — ${formatDateTime(review.createdAt, context.timeZone)} (${review.heldCitizenId.slice(0, 8)})`,
      },
      h(
        'table',
        {},
        h('caption', {}, 'Identités comparées'),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...['Rôle', 'Nom', 'Naissance', 'Commune', 'Inscription', 'Le', 'Statut'].map((label) =>
              h('th', { scope: 'col' }, label),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          held ? identityRow(context, held, true) : null,
          ...others.map((identity) => identityRow(context, identity, false)),
        ),
      ),
    ),
    alert,
    form,
  );
}

async function loadReviews(context: Context): Promise<void> {
  const list = byId('reviews-list');
  fill(list, h('p', { class: 'loading' }, 'Chargement des doublons…'));
  const { reviews } = await apiRequest<{ reviews: ReviewView[] }>(context.config, `${context.base}/reviews`, {
    token: context.session.idToken,
  });
  const result = byId('reviews-result');
  const cards = reviews.map((review) =>
    reviewCard(context, review, (message) => {
      card(review)?.remove();
      fill(result, h('p', { class: 'notice notice-success' }, message));
      if (!list.querySelector('article')) fill(list, h('p', {}, 'Aucun doublon à examiner.'));
      byId('reviews-heading').focus();
    }),
  );
  const card = (review: ReviewView) => cards[reviews.indexOf(review)];
  fill(list, ...(cards.length ? cards : [h('p', {}, 'Aucun doublon à examiner.')]));
  byId('reviews').hidden = false;
}

function setupInPerson(context: Context, allowWorkOrStudy: boolean): void {
  byId('in-person').hidden = false;
  const form = byId<HTMLFormElement>('in-person-form');
  const alert = byId('in-person-error');
  const result = byId('in-person-result');
  const profile = setupProfileForm(context.config, { allowWorkOrStudy });
  const submit = form.querySelector('button[type="submit"]') as HTMLButtonElement;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    fill(alert);
    fill(result);
    clearFieldErrors(profile.fields);
    if (!profile.check()) return;
    submit.disabled = true;
    try {
      const registration = await apiRequest<InPersonRegistration>(
        context.config,
        `${context.base}/in-person`,
        {
          method: 'POST',
          body: { profile: profile.body() },
          token: context.session.idToken,
        },
      );
      const who = `${profile.values().firstName.trim()} ${profile.values().lastName.trim()}`;
      profile.reset();
      fill(result, printCard(context, registration, who));
      byId('print-heading').focus();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return expireSession();
      const problem: Problem = error instanceof ApiError ? error.problem : unexpectedProblem();
      const placed = showFieldErrors(profile.fields, problem.errors ?? []);
      if (!placed || problem.status === 403) fill(alert, problemNotice(problem));
    } finally {
      submit.disabled = false;
    }
  });
}

function printCard(context: Context, registration: InPersonRegistration, who: string): HTMLElement {
  const expired = Date.parse(registration.votingCode.expiresAt) <= Date.now();
  return h(
    'div',
    {},
    h(
      'p',
      { class: 'notice notice-success' },
      `${who} est inscrit·e (${registration.citizen.communeName}). Imprimez le code ci-dessous et remettez-le : il ne sera plus jamais affiché.`,
    ),
    registration.citizen.status === 'held'
      ? h(
          'p',
          { class: 'notice notice-info' },
          'Cette identité ressemble à une autre déjà enregistrée : elle est en attente d’examen (voir « Doublons à examiner ») et ne pourra voter qu’une fois validée.',
        )
      : null,
    expired
      ? h('p', { class: 'notice notice-error' }, 'Le vote est clos : ce code ne permet plus de voter.')
      : null,
    h(
      'section',
      { class: 'print-card', 'aria-labelledby': 'print-heading' },
      h('h3', { id: 'print-heading', tabindex: -1 }, 'Budget participatif — votre code de vote'),
      h('p', { class: 'voting-code', id: 'voting-code' }, registration.votingCode.code),
      h(
        'p',
        {},
        'Valable une seule fois, pour voter sur papier ou à une borne, jusqu’au ',
        h(
          'time',
          { datetime: registration.votingCode.expiresAt },
          formatDateTime(registration.votingCode.expiresAt, context.timeZone),
        ),
        '.',
      ),
      h('p', {}, 'Gardez ce code pour vous : il permet de voter à votre place.'),
    ),
    h('p', {}, h('button', { type: 'button', class: 'button', id: 'print' }, 'Imprimer le code')),
  );
}

async function main(): Promise<void> {
  const session = currentSession();
  if (!session) {
    location.replace(SIGN_IN);
    return;
  }
  const status = byId('si-status');
  if (!session.roles.includes('coordinator')) {
    fill(
      byId('si-error'),
      problemNotice({
        title: 'Accès réservé à la coordination',
        detail: 'Les doublons et les inscriptions sur place relèvent du rôle « coordination ».',
        status: 403,
      }),
    );
    return;
  }
  fill(status, h('p', { class: 'loading' }, 'Chargement…'));
  try {
    const config = await loadConfig();
    const view = await apiRequest<EditionView>(config, `/editions/${encodeURIComponent(config.edition)}`);
    fill(byId('si-edition'), view.edition.name);
    const context: Context = {
      config,
      session,
      timeZone: view.edition.timeZone,
      base: `/editions/${encodeURIComponent(config.edition)}/staff/identity`,
    };
    setupInPerson(context, view.edition.eligibility.residence === 'live-work-study');
    document.addEventListener('click', (event) => {
      if ((event.target as HTMLElement | null)?.id === 'print') window.print();
    });
    await loadReviews(context);
    fill(status);
  } catch (error) {
    fill(status);
    if (error instanceof ApiError && error.status === 401) return expireSession();
    fill(byId('si-error'), problemNotice(error instanceof ApiError ? error.problem : unexpectedProblem()));
  }
}

void main();
