import { h } from './dom.ts';
import { formatEuros, plural } from './format.ts';

/** `GET .../results` (public once published; 403 `results_not_published` before). */
export interface Results {
  counting: { ruleDescription: string };
  envelopes: {
    id: string;
    name: string;
    budget: number;
    spent: number;
    ballots: number;
    supportUnit: 'votes' | 'points';
    selected: string[];
    ballotsSha256: string;
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

/**
 * The results of one envelope as the public page shows them, and the staff page before publication:
 * projects by support with a bar each, cost, « Lauréat » / « Non retenu », the explanation, the funded line.
 */
export function envelopeSection(
  envelope: Results['envelopes'][number],
  options: {
    /** Put after the summary (the public page's chart and table); the list then drops its own bars. */
    figures?: HTMLElement[];
  } = {},
): HTMLElement {
  const figures = options.figures ?? [];
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
        { class: project.selected ? 'result funded' : 'result', id: `projet-${project.id}` },
        h('p', { class: 'result-title' }, h('strong', {}, project.title)),
        figures.length ? null : h('div', { class: 'result-bar', 'aria-hidden': 'true' }, fillBar),
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
    ...figures,
    figures.length
      ? h('h3', { id: `envelope-${envelope.id}-why` }, 'Projet par projet : pourquoi ce résultat')
      : null,
    h(
      'ol',
      {
        class: 'results-list',
        'aria-labelledby': figures.length ? `envelope-${envelope.id}-why` : false,
      },
      ...items,
    ),
  );
}
