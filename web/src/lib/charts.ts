/**
 * The public site's charts: support per project with the funding line and the budget used (« Résultats »),
 * turnout per territory and the territories' tile map (« Participation »).
 *
 * Hand-written SVG, no chart library: three small, fixed shapes (horizontal bars, one gauge, a grid of
 * tiles) take a hundred lines here, where a library would add 50 to 200 kB to pages that load in one
 * request, would need a canvas or inline styles the site's CSP refuses, and would still need this much code
 * to get the French labels, the funding line and the text alternatives right.
 *
 * Each chart is a plain tree (`SvgNode`): `svgElement` draws it in the page (DOM nodes, text never parsed as
 * markup) and `svgMarkup` writes it as text, which is what the unit test reads (test/unit/web-charts.test.ts).
 * Every chart is an `<svg role="img">` named by its `<title>` and described by its `<desc>`, which says
 * every figure in words; the pages put a data table with the same figures beside it. Colours that carry
 * meaning come with text (« ✓ » on a funded bar, the figure on each tile).
 */
import { formatEuros } from './format.ts';

export interface SvgNode {
  tag: string;
  attrs: Record<string, string | number>;
  children: (SvgNode | string)[];
}

const SVG_NS = 'http://www.w3.org/2000/svg';

function el(tag: string, attrs: SvgNode['attrs'] = {}, ...children: (SvgNode | string)[]): SvgNode {
  return { tag, attrs, children };
}

const escapeXml = (value: string) => value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/** The chart as SVG text (tests; the pages use `svgElement`). */
export function svgMarkup(node: SvgNode | string): string {
  if (typeof node === 'string') return escapeXml(node);
  const attrs = Object.entries(node.attrs)
    .map(([name, value]) => ` ${name}="${escapeXml(String(value))}"`)
    .join('');
  const xmlns = node.tag === 'svg' ? ` xmlns="${SVG_NS}"` : '';
  return `<${node.tag}${xmlns}${attrs}>${node.children.map(svgMarkup).join('')}</${node.tag}>`;
}

/** The chart as DOM nodes, for the page. */
export function svgElement(node: SvgNode, doc: Document = document): SVGElement {
  const element = doc.createElementNS(SVG_NS, node.tag) as SVGElement;
  for (const [name, value] of Object.entries(node.attrs)) element.setAttribute(name, String(value));
  for (const child of node.children)
    element.append(typeof child === 'string' ? doc.createTextNode(child) : svgElement(child, doc));
  return element;
}

const number = (n: number) => new Intl.NumberFormat('fr-FR').format(n);
const percent = (part: number, whole: number) =>
  new Intl.NumberFormat('fr-FR', { style: 'percent', maximumFractionDigits: 0 }).format(
    whole > 0 ? part / whole : 0,
  );

/** Cuts a label to `max` characters with « … » (the full text is in the description and the table). */
export function shorten(label: string, max: number): string {
  return label.length <= max ? label : `${label.slice(0, max - 1).trimEnd()}…`;
}

/** Splits a name on spaces and hyphens into lines of at most `max` characters (never cutting a word). */
export function wrapLabel(label: string, max: number): string[] {
  const words = label.split(/(?<=[-\s])/);
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line && (line + word).trimEnd().length > max) {
      lines.push(line.trimEnd());
      line = '';
    }
    line += word;
  }
  if (line.trim()) lines.push(line.trimEnd());
  return lines;
}

function frame(id: string, width: number, height: number, title: string, desc: string, body: SvgNode[]) {
  return el(
    'svg',
    {
      class: 'chart',
      role: 'img',
      viewBox: `0 0 ${width} ${height}`,
      width,
      height,
      'aria-labelledby': `${id}-title`,
      'aria-describedby': `${id}-desc`,
    },
    el('title', { id: `${id}-title` }, title),
    el('desc', { id: `${id}-desc` }, desc),
    ...body,
  );
}

export interface SupportChartInput {
  /** Unique in the page: the ids of the title and description derive from it. */
  id: string;
  name: string;
  budget: number;
  spent: number;
  supportUnit: 'votes' | 'points';
  /** In the order of the count (by support). */
  projects: { title: string; support: number; cost: number; selected: boolean }[];
}

/** Narrow enough that the labels stay readable at 360 px, where the chart is drawn at about 0.8 scale. */
const CHART_WIDTH = 400;
const VALUE_WIDTH = 96;

/**
 * One envelope's results: a bar per project (by support; funded ones in the edition's colour and marked
 * « ✓ »), the funding line under the last funded project, and a gauge of the budget used against the
 * envelope.
 */
export function supportChart(input: SupportChartInput): SvgNode {
  const unit = input.supportUnit === 'votes' ? 'voix' : 'points';
  const max = Math.max(1, ...input.projects.map((p) => p.support));
  const barSpace = CHART_WIDTH - VALUE_WIDTH;
  const lastFunded = input.projects.reduce((last, p, i) => (p.selected ? i : last), -1);
  const body: SvgNode[] = [];
  let y = 4;
  input.projects.forEach((project, i) => {
    const width = project.support > 0 ? Math.max(2, Math.round((project.support / max) * barSpace)) : 0;
    body.push(
      el(
        'g',
        { class: project.selected ? 'chart-row is-funded' : 'chart-row is-unfunded' },
        el(
          'text',
          { x: 0, y: y + 13, class: 'chart-label' },
          `${project.selected ? '✓ ' : ''}${shorten(project.title, 40)}`,
        ),
        el('rect', { x: 0, y: y + 19, width, height: 14, rx: 2, class: 'chart-bar' }),
        el('text', { x: width + 6, y: y + 31, class: 'chart-value' }, `${number(project.support)} ${unit}`),
      ),
    );
    y += 40;
    if (i === lastFunded) {
      body.push(
        el(
          'g',
          { class: 'chart-funding-line' },
          el('line', { x1: 0, x2: CHART_WIDTH, y1: y + 2, y2: y + 2 }),
          el(
            'text',
            { x: CHART_WIDTH, y: y + 17, 'text-anchor': 'end', class: 'chart-note' },
            'Ligne de financement',
          ),
        ),
      );
      y += 24;
    }
  });
  const used = input.budget > 0 ? Math.min(1, input.spent / input.budget) : 0;
  y += 8;
  body.push(
    el(
      'g',
      { class: 'chart-gauge' },
      el(
        'text',
        { x: 0, y: y + 13, class: 'chart-label' },
        `Budget engagé : ${formatEuros(input.spent)} sur ${formatEuros(input.budget)} (${percent(input.spent, input.budget)})`,
      ),
      el('rect', { x: 0, y: y + 19, width: CHART_WIDTH, height: 14, rx: 2, class: 'chart-gauge-envelope' }),
      el('rect', {
        x: 0,
        y: y + 19,
        width: Math.round(used * CHART_WIDTH),
        height: 14,
        rx: 2,
        class: 'chart-gauge-used',
      }),
    ),
  );
  y += 38;

  const funded = input.projects.filter((p) => p.selected);
  const desc = [
    `${input.projects.length} projets classés par soutien ; ${funded.length} financés, pour ${formatEuros(input.spent)} engagés sur une enveloppe de ${formatEuros(input.budget)} (${percent(input.spent, input.budget)}).`,
    ...input.projects.map(
      (p, i) =>
        `${i + 1}. ${p.title} : ${number(p.support)} ${unit}, ${formatEuros(p.cost)}, ${p.selected ? 'lauréat' : 'non retenu'}.`,
    ),
    lastFunded >= 0
      ? `La ligne de financement passe sous le projet ${lastFunded + 1}.`
      : 'Aucun projet financé.',
  ].join(' ');
  return frame(input.id, CHART_WIDTH, y, `Soutien par projet, enveloppe ${input.name}`, desc, body);
}

export interface TurnoutRow {
  id: string;
  name: string;
  online: number;
  paper: number;
  total: number;
}

/** Turnout per territory: one bar per territory, online and paper stacked, the total written after it. */
export function turnoutChart(id: string, rows: readonly TurnoutRow[]): SvgNode {
  const max = Math.max(1, ...rows.map((r) => r.total));
  const barSpace = CHART_WIDTH - VALUE_WIDTH;
  const body: SvgNode[] = [];
  let y = 4;
  for (const row of rows) {
    const online = Math.round((row.online / max) * barSpace);
    const paper = Math.round((row.paper / max) * barSpace);
    body.push(
      el(
        'g',
        { class: 'chart-row' },
        el('text', { x: 0, y: y + 13, class: 'chart-label' }, shorten(row.name, 40)),
        el('rect', { x: 0, y: y + 19, width: online, height: 14, class: 'chart-bar' }),
        el('rect', { x: online, y: y + 19, width: paper, height: 14, class: 'chart-bar-paper' }),
        el('text', { x: online + paper + 6, y: y + 31, class: 'chart-value' }, number(row.total)),
      ),
    );
    y += 40;
  }
  // The legend: the two parts of a bar.
  body.push(
    el(
      'g',
      { class: 'chart-legend' },
      el('rect', { x: 0, y: y + 4, width: 14, height: 14, class: 'chart-bar' }),
      el('text', { x: 20, y: y + 16, class: 'chart-note' }, 'En ligne'),
      el('rect', { x: 110, y: y + 4, width: 14, height: 14, class: 'chart-bar-paper' }),
      el('text', { x: 130, y: y + 16, class: 'chart-note' }, 'Papier'),
    ),
  );
  y += 24;
  const desc = rows
    .map(
      (r) =>
        `${r.name} : ${number(r.total)} votants (${number(r.online)} en ligne, ${number(r.paper)} sur papier).`,
    )
    .join(' ');
  return frame(id, CHART_WIDTH, y, 'Participation par territoire', desc, body);
}

/**
 * The tile map's four classes, light to dark, each with the colour of its text (all pairs at least 4.5:1,
 * checked by the unit test). Fixed rather than drawn from the edition's colours: a sequential scale must stay
 * readable whatever the Département's brand.
 */
export const TILE_CLASSES = [
  { fill: '#e8f1f8', text: '#1b1b1b' },
  { fill: '#a9cbe6', text: '#1b1b1b' },
  { fill: '#2f6ea5', text: '#ffffff' },
  { fill: '#163f66', text: '#ffffff' },
] as const;

/** Upper bounds of the classes for a maximum `max`: four equal steps, rounded up to whole voters. */
export function tileBounds(max: number): number[] {
  const step = Math.max(1, Math.ceil(max / TILE_CLASSES.length));
  return TILE_CLASSES.map((_, i) => step * (i + 1));
}

export function tileClass(total: number, bounds: readonly number[]): number {
  const index = bounds.findIndex((bound) => total <= bound);
  return index < 0 ? bounds.length - 1 : index;
}

export interface TileInput extends TurnoutRow {
  tile: { row: number; col: number };
}

const TILE_W = 132;
const TILE_H = 84;
const GAP = 6;

/**
 * The territories as a tile map: each territory a labelled tile at its place on the edition's grid
 * (`territories[].tile`), coloured by its number of voters, with the figure written on it and a legend of
 * the classes. Static: nothing to focus or click.
 */
export function tileMap(id: string, tiles: readonly TileInput[]): SvgNode {
  const rows = Math.max(0, ...tiles.map((t) => t.tile.row)) + 1;
  const cols = Math.max(0, ...tiles.map((t) => t.tile.col)) + 1;
  const bounds = tileBounds(Math.max(0, ...tiles.map((t) => t.total)));
  const width = cols * (TILE_W + GAP) - GAP;
  const body: SvgNode[] = [];
  for (const tile of tiles) {
    const x = tile.tile.col * (TILE_W + GAP);
    const y = tile.tile.row * (TILE_H + GAP);
    const colours = TILE_CLASSES[tileClass(tile.total, bounds)] ?? TILE_CLASSES[0];
    const lines = wrapLabel(tile.name, 17).slice(0, 2);
    body.push(
      el(
        'g',
        { class: 'tile', 'data-territory': tile.id },
        el('rect', {
          x,
          y,
          width: TILE_W,
          height: TILE_H,
          rx: 4,
          fill: colours.fill,
          stroke: '#1b1b1b',
          'stroke-width': 1,
        }),
        ...lines.map((line, i) =>
          el('text', { x: x + 8, y: y + 20 + i * 16, fill: colours.text, class: 'tile-name' }, line),
        ),
        el(
          'text',
          { x: x + 8, y: y + TILE_H - 10, fill: colours.text, class: 'tile-value' },
          `${number(tile.total)} votants`,
        ),
      ),
    );
  }
  let y = rows * (TILE_H + GAP) + 6;
  body.push(el('text', { x: 0, y: y + 12, class: 'chart-note' }, 'Nombre de votants :'));
  y += 20;
  const legendWidth = Math.max(width, 4 * 110);
  TILE_CLASSES.forEach((colours, i) => {
    const x = i * 110;
    const from = i === 0 ? 0 : (bounds[i - 1] ?? 0) + 1;
    body.push(
      el(
        'g',
        { class: 'tile-legend' },
        el('rect', { x, y, width: 18, height: 18, fill: colours.fill, stroke: '#1b1b1b', 'stroke-width': 1 }),
        el(
          'text',
          { x: x + 24, y: y + 14, class: 'chart-note' },
          `${number(from)} à ${number(bounds[i] ?? 0)}`,
        ),
      ),
    );
  });
  y += 24;
  const desc = [
    `Carte schématique : chaque territoire est une tuile placée à peu près où il se trouve, plus foncée quand le nombre de votants est plus grand (${TILE_CLASSES.length} classes de ${number(bounds[0] ?? 0)} votants).`,
    ...[...tiles]
      .sort((a, b) => a.tile.row - b.tile.row || a.tile.col - b.tile.col)
      .map(
        (t) => `${t.name} (ligne ${t.tile.row + 1}, colonne ${t.tile.col + 1}) : ${number(t.total)} votants.`,
      ),
  ].join(' ');
  return frame(id, legendWidth, y, 'Carte de la participation par territoire', desc, body);
}
