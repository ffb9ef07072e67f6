import { ApiError, apiRequest } from './lib/api.ts';
import { loadConfig } from './lib/config.ts';
import { byId, fill, h } from './lib/dom.ts';
import { formatEuros, plural } from './lib/format.ts';
import { problemNotice, unexpectedProblem } from './lib/forms.ts';

/** `GET .../results` (public once published; 403 `results_not_published` before). */
interface Results {
  counting: { ruleDescription: string };
  envelopes: {
    id: string;
    name: string;
    budget: number;
    spent: number;
    ballots: number;
    supportUnit: 'votes' | 'points';
    selected: string[];
    projects: {
      id: string;
      title: string;
      cost: number;
      support: number;
      selected: boolean;
      explanation: string;
    }[];
  }[];
  files: { name: string; sha256: string }[];
}

const number = (n: number) => new Intl.NumberFormat('fr-FR').format(n);

function envelopeSection(envelope: Results['envelopes'][number]): HTMLElement {
  const max = Math.max(1, ...envelope.projects.map((p) => p.support));
  const unit = envelope.supportUnit === 'votes' ? 'voix' : 'points';
  const lastWinner = envelope.projects.reduce((last, p, i) => (p.selected ? i : last), -1);
  const items: HTMLElement[] = [];
  envelope.projects.forEach((project, i) => {
    // CSSOM, not a style attribute: the site's CSP allows no inline style.
    const fillBar = h('span', { class: 'result-fill' });
    fillBar.style.width = `${Math.round((project.support / max) * 100)}%`;
    items.push(
      h(
        'li',
        { class: project.selected ? 'result funded' : 'result' },
        h('p', { class: 'result-title' }, h('strong', {}, project.title)),
        h('div', { class: 'result-bar', 'aria-hidden': 'true' }, fillBar),
        h(
          'p',
          { class: 'result-figures' },
          `${number(project.support)} ${unit} · ${formatEuros(project.cost)} · `,
          h('strong', {}, project.selected ? 'Lauréat' : 'Non retenu'),
        ),
        h('p', { class: 'result-explanation' }, project.explanation),
      ),
    );
    if (i === lastWinner) {
      items.push(
        h(
          'li',
          { class: 'funded-line' },
          `Ligne de financement : ${formatEuros(envelope.spent)} engagés sur ${formatEuros(envelope.budget)}`,
        ),
      );
    }
  });
  return h(
    'section',
    { 'aria-labelledby': `envelope-${envelope.id}` },
    h('h2', { id: `envelope-${envelope.id}` }, envelope.name),
    h(
      'p',
      {},
      `${plural(envelope.ballots, 'bulletin compté', 'bulletins comptés')} ; ${plural(envelope.selected.length, 'lauréat')} ; budget ${formatEuros(envelope.budget)}, dont ${formatEuros(envelope.spent)} engagés.`,
    ),
    h('ol', { class: 'results-list' }, ...items),
  );
}

async function main(): Promise<void> {
  try {
    const config = await loadConfig();
    const edition = encodeURIComponent(config.edition);
    const results = await apiRequest<Results>(config, `/editions/${edition}/results`);
    fill(byId('results-status'));
    fill(byId('rule-description'), results.counting.ruleDescription);
    fill(byId('envelopes'), ...results.envelopes.map(envelopeSection));
    fill(
      byId('open-data'),
      ...results.files.map((file) =>
        h(
          'li',
          {},
          h('a', { href: `${config.apiBase}/editions/${edition}/open-data/${file.name}` }, file.name),
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
  }
}

void main();
