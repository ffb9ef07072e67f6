import { ApiError, apiRequest } from './lib/api.ts';
import { loadConfig } from './lib/config.ts';
import { byId, fill, h } from './lib/dom.ts';
import { formatDateTime, formatEuros, plural } from './lib/format.ts';
import { PHASE_ACTIONS } from './lib/phase-action.ts';
import type { EditionView } from './lib/types.ts';

async function main(): Promise<void> {
  const status = byId('home-status');
  try {
    const config = await loadConfig();
    const view = await apiRequest<EditionView>(config, `/editions/${encodeURIComponent(config.edition)}`);
    render(view);
    fill(status);
  } catch (error) {
    fill(status);
    const problem = error instanceof ApiError ? error.problem : undefined;
    fill(
      byId('home-error'),
      h(
        'div',
        { class: 'notice notice-error' },
        h('p', {}, h('strong', {}, 'Impossible d’afficher l’édition en cours.')),
        h(
          'p',
          {},
          problem?.detail ?? problem?.title ?? 'Le service ne répond pas. Réessayez dans quelques instants.',
        ),
      ),
    );
  }
}

function render({ edition, phase, calendar }: EditionView): void {
  const timeZone = edition.timeZone;
  document.title = `${edition.name} — Budget participatif`;
  fill(byId('edition-name'), edition.name);

  fill(byId('phase-label'), phase.label);
  // A phase never changed yet reports the epoch as its start.
  fill(
    byId('phase-since'),
    Date.parse(phase.since) > 0
      ? h(
          'span',
          {},
          'Depuis le ',
          h('time', { datetime: phase.since }, formatDateTime(phase.since, timeZone)),
          '.',
        )
      : null,
  );
  const currentIndex = calendar.findIndex((step) => step.phase === phase.current);
  // Before the first phase (setup) the next step is the calendar's first one.
  const next = calendar[currentIndex + 1];
  fill(
    byId('phase-next'),
    next
      ? h(
          'span',
          {},
          `Prochaine étape\u00a0: ${next.label}, prévue le `,
          h('time', { datetime: next.at }, formatDateTime(next.at, timeZone)),
          '.',
        )
      : null,
  );
  fill(byId('edition-description'), edition.description);

  // The stepper (after the DSFR's): « Étape 2 sur 6 », a bar of segments, the next step; before the first
  // phase opens, the edition is « en préparation ».
  fill(
    byId('stepper-state'),
    currentIndex >= 0
      ? `Étape ${currentIndex + 1} sur ${calendar.length}`
      : `En préparation : ${calendar.length} étapes à venir`,
  );
  fill(
    byId('stepper-steps'),
    ...calendar.map((_, index) =>
      h('span', {
        class: index < currentIndex ? 'is-done' : index === currentIndex ? 'is-current' : false,
      }),
    ),
  );
  const action = PHASE_ACTIONS[phase.current];
  fill(
    byId('phase-action'),
    h('p', { class: 'phase-action-lead' }, action.lead),
    h('a', { class: 'button button-cta', href: action.href }, action.label),
  );

  fill(
    byId('calendar'),
    ...calendar.map((step, index) => {
      const state = index < currentIndex ? 'terminée' : index === currentIndex ? 'en cours' : 'à venir';
      return h(
        'li',
        {
          class: index === currentIndex ? 'is-current' : false,
          'aria-current': index === currentIndex ? 'step' : false,
        },
        h('span', { class: 'step-name' }, step.label, h('span', { class: 'step-state' }, state)),
        h('time', { datetime: step.at }, formatDateTime(step.at, timeZone)),
      );
    }),
  );

  fill(byId('budget-total'), formatEuros(edition.budget.total));
  const rows = edition.territories.map((territory) =>
    h(
      'tr',
      {},
      h(
        'th',
        { scope: 'row' },
        territory.name,
        h('span', { class: 'detail' }, plural(territory.communes.length, 'commune')),
      ),
      h('td', { class: 'num' }, formatEuros(territory.envelope)),
    ),
  );
  const wide = edition.budget.departementWide;
  if (wide) {
    rows.push(
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, wide.name, h('span', { class: 'detail' }, 'tout le Département')),
        h('td', { class: 'num' }, formatEuros(wide.envelope)),
      ),
    );
  }
  const body = byId('envelopes').querySelector('tbody');
  if (body) fill(body, ...rows);
  byId('edition').hidden = false;
}

void main();
