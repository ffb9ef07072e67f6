import { ApiError, apiRequest } from './lib/api.ts';
import { svgElement, type TileInput, tileMap, turnoutChart } from './lib/charts.ts';
import { loadConfig } from './lib/config.ts';
import { byId, fill, h } from './lib/dom.ts';
import { loadEdition } from './lib/edition.ts';
import { formatDateTime, plural } from './lib/format.ts';
import { problemNotice, unexpectedProblem } from './lib/forms.ts';

/** `GET .../turnout` (public, refreshed at most once a minute). */
interface Turnout {
  refreshedAt: string;
  total: number;
  territories: { id: string; name: string; online: number; paper: number; total: number }[];
}

const count = (n: number) => new Intl.NumberFormat('fr-FR').format(n);

/**
 * The tile map, when the edition places every territory on a tile (`territories[].tile` of the edition file).
 * Without it, or if the edition cannot be read, the chart and the table say it all.
 */
async function drawMap(turnout: Turnout): Promise<void> {
  const view = await loadEdition().catch(() => undefined);
  const places = new Map(view?.edition.territories.map((t) => [t.id, t.tile]) ?? []);
  const tiles: TileInput[] = [];
  for (const territory of turnout.territories) {
    const tile = places.get(territory.id);
    if (!tile) return;
    tiles.push({ ...territory, tile });
  }
  if (tiles.length === 0) return;
  fill(byId('turnout-map'), svgElement(tileMap('turnout-map-svg', tiles)));
  byId('turnout-map-section').hidden = false;
}

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
    fill(byId('turnout-chart'), svgElement(turnoutChart('turnout-bars', turnout.territories)));
    byId('turnout').hidden = false;
    await drawMap(turnout);
  } catch (error) {
    fill(byId('turnout-status'));
    fill(
      byId('turnout-error'),
      problemNotice(error instanceof ApiError ? error.problem : unexpectedProblem()),
    );
  }
}

void main();
