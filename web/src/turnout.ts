import { ApiError, apiRequest } from './lib/api.ts';
import { loadConfig } from './lib/config.ts';
import { byId, fill, h } from './lib/dom.ts';
import { formatDateTime, plural } from './lib/format.ts';
import { problemNotice, unexpectedProblem } from './lib/forms.ts';

/** `GET .../turnout` (public, refreshed at most once a minute). */
interface Turnout {
  refreshedAt: string;
  total: number;
  territories: { id: string; name: string; online: number; paper: number; total: number }[];
}

const count = (n: number) => new Intl.NumberFormat('fr-FR').format(n);

async function main(): Promise<void> {
  try {
    const config = await loadConfig();
    const turnout = await apiRequest<Turnout>(
      config,
      `/editions/${encodeURIComponent(config.edition)}/turnout`,
    );
    fill(byId('turnout-status'));
    fill(byId('turnout-total'), `${plural(turnout.total, 'personne a voté', 'personnes ont voté')}.`);
    fill(byId('turnout-caption'), `Participation par territoire, au ${formatDateTime(turnout.refreshedAt)}`);
    fill(
      byId('turnout-rows'),
      ...turnout.territories.map((territory) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, territory.name),
          h('td', { class: 'number' }, count(territory.online)),
          h('td', { class: 'number' }, count(territory.paper)),
          h('td', { class: 'number' }, count(territory.total)),
        ),
      ),
    );
    byId('turnout').hidden = false;
  } catch (error) {
    fill(byId('turnout-status'));
    fill(
      byId('turnout-error'),
      problemNotice(error instanceof ApiError ? error.problem : unexpectedProblem()),
    );
  }
}

void main();
