import { describe, expect, it } from 'vitest';
import { contrastRatio, TEXT_MINIMUM } from '../../shared/edition/contrast.ts';
import {
  supportChart,
  svgMarkup,
  TILE_CLASSES,
  type TurnoutRow,
  tileBounds,
  tileClass,
  tileMap,
  turnoutChart,
  wrapLabel,
} from '../../web/src/lib/charts.ts';

/** French number formatting puts narrow no-break spaces in figures: compare on plain spaces. */
const plain = (markup: string) => markup.replace(/[\u202f\u00a0]/g, ' ');
const all = (markup: string, pattern: RegExp) => [...markup.matchAll(pattern)];

const envelope = {
  id: 'nantes',
  name: 'Nantes',
  budget: 400_000,
  spent: 330_000,
  supportUnit: 'votes' as const,
  projects: [
    { title: 'Jardin partagé du Breil', support: 1200, cost: 150_000, selected: true },
    { title: 'Pistes cyclables <rue> & "quai"', support: 900, cost: 180_000, selected: true },
    { title: 'Halle couverte', support: 600, cost: 250_000, selected: false },
    { title: 'Boîtes à livres', support: 0, cost: 5_000, selected: false },
  ],
};

describe('supportChart', () => {
  const svg = plain(svgMarkup(supportChart(envelope)));

  it('is an image named by its title and described in words, figure by figure', () => {
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" class="chart" role="img"/);
    expect(svg).toContain('aria-labelledby="nantes-title" aria-describedby="nantes-desc"');
    expect(svg).toContain('<title id="nantes-title">Soutien par projet, enveloppe Nantes</title>');
    const desc = /<desc id="nantes-desc">(.*?)<\/desc>/.exec(svg)?.[1] ?? '';
    expect(desc).toContain(
      '4 projets classés par soutien ; 2 financés, pour 330 000 € engagés sur une enveloppe de 400 000 € (83 %).',
    );
    expect(desc).toContain('1. Jardin partagé du Breil : 1 200 voix, 150 000 €, lauréat.');
    expect(desc).toContain('3. Halle couverte : 600 voix, 250 000 €, non retenu.');
    expect(desc).toContain('La ligne de financement passe sous le projet 2.');
  });

  it('draws one bar per project, proportional to support, funded ones marked with text', () => {
    const bars = all(svg, /<rect x="0" y="\d+" width="(\d+)" height="14" rx="2" class="chart-bar"/g).map(
      (m) => Number(m[1]),
    );
    expect(bars).toEqual([304, 228, 152, 0]);
    expect(all(svg, /class="chart-row is-funded"/g)).toHaveLength(2);
    expect(all(svg, /class="chart-row is-unfunded"/g)).toHaveLength(2);
    expect(svg).toContain('>✓ Jardin partagé du Breil</text>');
    expect(svg).toContain('>Halle couverte</text>');
    expect(svg).toContain('>1 200 voix</text>');
  });

  it('puts the funding line right after the last funded project, and gauges the budget used', () => {
    const line = svg.indexOf('class="chart-funding-line"');
    expect(line).toBeGreaterThan(svg.indexOf('✓ Pistes cyclables'));
    expect(line).toBeLessThan(svg.indexOf('>Halle couverte<'));
    expect(svg).toContain('>Budget engagé : 330 000 € sur 400 000 € (83 %)</text>');
    expect(svg).toMatch(/width="400" height="14" rx="2" class="chart-gauge-envelope"/);
    // 330 000 / 400 000 of 400
    expect(svg).toMatch(/width="330" height="14" rx="2" class="chart-gauge-used"/);
  });

  it('escapes project titles: text stays text', () => {
    expect(svg).toContain('Pistes cyclables &#60;rue&#62; &#38; &#34;quai&#34;');
    expect(svg).not.toContain('<rue>');
  });

  it('has no funding line when nothing is funded', () => {
    const none = svgMarkup(
      supportChart({
        ...envelope,
        spent: 0,
        projects: envelope.projects.map((p) => ({ ...p, selected: false })),
      }),
    );
    expect(none).not.toContain('chart-funding-line');
    expect(none).toContain('Aucun projet financé.');
  });
});

const turnout: TurnoutRow[] = [
  { id: 'nantes', name: 'Nantes', online: 300, paper: 100, total: 400 },
  { id: 'vignoble', name: 'Vignoble', online: 50, paper: 50, total: 100 },
  { id: 'chateaubriant-ancenis', name: 'Châteaubriant-Ancenis', online: 0, paper: 0, total: 0 },
];

describe('turnoutChart', () => {
  const svg = plain(svgMarkup(turnoutChart('turnout', turnout)));

  it('stacks online and paper voters per territory, on one scale, with a legend', () => {
    expect(svg).toContain('<title id="turnout-title">Participation par territoire</title>');
    const online = all(svg, /width="(\d+)" height="14" class="chart-bar"/g).map((m) => Number(m[1]));
    const paper = all(svg, /width="(\d+)" height="14" class="chart-bar-paper"/g).map((m) => Number(m[1]));
    // The last of each is the legend's swatch.
    expect(online).toEqual([228, 38, 0, 14]);
    expect(paper).toEqual([76, 38, 0, 14]);
    expect(svg).toMatch(/<rect x="228" y="\d+" width="76" height="14" class="chart-bar-paper"/);
    expect(svg).toContain('>En ligne</text>');
    expect(svg).toContain('>Papier</text>');
    expect(svg).toContain('Nantes : 400 votants (300 en ligne, 100 sur papier).');
  });
});

describe('tileMap', () => {
  const places = [
    { row: 1, col: 1 },
    { row: 2, col: 2 },
    { row: 0, col: 2 },
  ];
  const tiles = turnout.map((row, i) => ({ ...row, tile: places[i] ?? { row: 0, col: 0 } }));
  const svg = plain(svgMarkup(tileMap('map', tiles)));

  it('places each territory on its tile of the grid, labelled with its name and voters', () => {
    const placed = all(svg, /<g class="tile" data-territory="([\w-]+)"><rect x="(\d+)" y="(\d+)"/g).map(
      (m) => [m[1], Number(m[2]), Number(m[3])],
    );
    expect(placed).toEqual([
      ['nantes', 138, 90],
      ['vignoble', 276, 180],
      ['chateaubriant-ancenis', 276, 0],
    ]);
    // A long name on two lines, cut at the hyphen.
    expect(svg).toContain('>Châteaubriant-</text>');
    expect(svg).toContain('>Ancenis</text>');
    expect(svg).toContain('>400 votants</text>');
    expect(svg).toContain('Nantes (ligne 2, colonne 2) : 400 votants.');
  });

  it('colours tiles by class, from a legend of the classes, with readable text on each', () => {
    expect(tileBounds(400)).toEqual([100, 200, 300, 400]);
    expect(tileBounds(0)).toEqual([1, 2, 3, 4]);
    expect([0, 100, 101, 400, 999].map((n) => tileClass(n, tileBounds(400)))).toEqual([0, 0, 1, 3, 3]);
    expect(svg).toMatch(/data-territory="nantes"><rect [^>]*fill="#163f66"/);
    expect(svg).toMatch(/data-territory="vignoble"><rect [^>]*fill="#e8f1f8"/);
    for (const label of ['0 à 100', '101 à 200', '201 à 300', '301 à 400'])
      expect(svg).toContain(`>${label}</text>`);
    for (const { fill, text } of TILE_CLASSES)
      expect(contrastRatio(fill, text)).toBeGreaterThanOrEqual(TEXT_MINIMUM);
  });

  it('wraps labels on spaces and hyphens, never inside a word', () => {
    expect(wrapLabel('Bordeaux et Sud-Ouest', 17)).toEqual(['Bordeaux et Sud-', 'Ouest']);
    expect(wrapLabel('Nantes', 17)).toEqual(['Nantes']);
    expect(wrapLabel('Bassin d’Arcachon', 17)).toEqual(['Bassin d’Arcachon']);
  });
});
