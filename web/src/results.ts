import { ApiError, apiRequest } from './lib/api.ts';
import { supportChart, svgElement } from './lib/charts.ts';
import { currentCitizen } from './lib/citizen-session.ts';
import type { SiteConfig } from './lib/config.ts';
import { loadConfig } from './lib/config.ts';
import { byId, fill, h } from './lib/dom.ts';
import { formatEuros } from './lib/format.ts';
import { problemNotice, unexpectedProblem } from './lib/forms.ts';
import { envelopeSection, type Results } from './lib/results-view.ts';

const number = (n: number) => new Intl.NumberFormat('fr-FR').format(n);

/**
 * An envelope's chart (support per project, the funding line, the budget used: web/src/lib/charts.ts) and,
 * beside it, the table of the same figures.
 */
function envelopeFigures(envelope: Results['envelopes'][number]): HTMLElement[] {
  const unit = envelope.supportUnit === 'votes' ? 'voix' : 'points';
  const chart = svgElement(supportChart({ ...envelope, id: `chart-${envelope.id}` }));
  const lastFunded = envelope.projects.reduce((last, p, i) => (p.selected ? i : last), -1);
  const rows: HTMLElement[] = [];
  envelope.projects.forEach((project, i) => {
    rows.push(
      h(
        'tr',
        { class: project.selected ? 'is-funded' : false },
        h('th', { scope: 'row' }, project.title),
        h('td', { class: 'num' }, number(project.support)),
        h('td', { class: 'num' }, formatEuros(project.cost)),
        h('td', {}, project.selected ? 'Lauréat' : 'Non retenu'),
      ),
    );
    if (i === lastFunded)
      rows.push(
        h(
          'tr',
          { class: 'funding-line-row' },
          h(
            'td',
            { colspan: 4 },
            `Ligne de financement : ${formatEuros(envelope.spent)} engagés sur ${formatEuros(envelope.budget)}`,
          ),
        ),
      );
  });
  return [
    h('figure', { class: 'chart-figure' }, chart),
    h(
      'div',
      // Scrolls sideways on a phone: focusable and named, so that it can be scrolled from the keyboard.
      {
        class: 'table-scroll',
        tabindex: '0',
        role: 'group',
        'aria-label': `Tableau des résultats, enveloppe ${envelope.name}`,
      },
      h(
        'table',
        { class: 'results-table' },
        h('caption', {}, `Soutien, coût et résultat des projets, enveloppe ${envelope.name}`),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, 'Projet'),
            h('th', { scope: 'col', class: 'num' }, unit === 'voix' ? 'Voix' : 'Points'),
            h('th', { scope: 'col', class: 'num' }, 'Coût'),
            h('th', { scope: 'col' }, 'Résultat'),
          ),
        ),
        h('tbody', {}, ...rows),
      ),
    ),
  ];
}

/**
 * Before publication: a signed-in inhabitant may ask to be emailed the results (`PUT .../me/results-news`,
 * stored with their identity, never with their ballot); others are invited to sign in first.
 */
async function offerResultsNews(config: SiteConfig): Promise<void> {
  const section = byId('results-news');
  const citizen = currentCitizen();
  section.hidden = false;
  if (!citizen) {
    fill(
      byId('results-news-text'),
      'Pour recevoir un courriel à la publication des résultats, ',
      h('a', { href: 'identite.html' }, 'vérifiez votre identité'),
      ' puis revenez sur cette page.',
    );
    return;
  }
  const path = `/editions/${encodeURIComponent(config.edition)}/me/results-news`;
  const render = (subscribed: boolean) => {
    fill(
      byId('results-news-text'),
      subscribed
        ? 'Vous recevrez un courriel dès la publication des résultats.'
        : 'Recevez un courriel dès la publication des résultats. Cette demande n’est jamais liée à votre bulletin.',
    );
    const button = h(
      'button',
      { type: 'button', class: subscribed ? 'button button-secondary' : 'button' },
      subscribed ? 'Ne plus être prévenu·e' : 'Me prévenir par courriel',
    );
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        const answer = await apiRequest<{ subscribed: boolean }>(config, path, {
          method: 'PUT',
          token: citizen.token,
          body: { subscribed: !subscribed },
        });
        render(answer.subscribed);
      } catch (error) {
        button.disabled = false;
        fill(
          byId('results-news-action'),
          button,
          problemNotice(error instanceof ApiError ? error.problem : unexpectedProblem()),
        );
      }
    });
    fill(byId('results-news-action'), button);
  };
  const mine = await apiRequest<{ subscribed: boolean }>(config, path, { token: citizen.token }).catch(
    () => ({ subscribed: false }),
  );
  render(mine.subscribed);
}

async function main(): Promise<void> {
  let config: SiteConfig | undefined;
  try {
    const site = await loadConfig();
    config = site;
    const edition = encodeURIComponent(site.edition);
    const results = await apiRequest<Results>(site, `/editions/${edition}/results`);
    fill(byId('results-status'));
    fill(byId('rule-description'), results.counting.ruleDescription);
    fill(
      byId('envelopes'),
      ...results.envelopes.map((envelope) =>
        envelopeSection(envelope, { figures: envelopeFigures(envelope) }),
      ),
    );
    fill(
      byId('open-data'),
      ...results.files.map((file) =>
        h(
          'li',
          {},
          h('a', { href: `${site.apiBase}/editions/${edition}/open-data/${file.name}` }, file.name),
          h('span', { class: 'hash' }, ` SHA-256 ${file.sha256}`),
        ),
      ),
    );
    byId('results').hidden = false;
  } catch (error) {
    fill(byId('results-status'));
    fill(
      byId('results-error'),
      problemNotice(error instanceof ApiError ? error.problem : unexpectedProblem()),
    );
    if (config && error instanceof ApiError && error.problem.code === 'results_not_published')
      await offerResultsNews(config);
  }
}

void main();
