import { csvCell } from './csv-cell.ts';
import { type Decimal, formatUnits, parseDecimal, rescale } from './decimal.ts';
import {
  type Ballots,
  GrowableFloat64,
  GrowableUint32,
  type Instance,
  makeProject,
  type Project,
  VOTE_TYPES,
  type VoteType,
} from './instance.ts';

/**
 * Reader and writer of the pabulib `.pb` format (https://pabulib.org/format): three sections META, PROJECTS and
 * VOTES, `;`-separated, each opened by its name then a header row. Reading follows pabutools 1.2.3
 * (`parse_pabulib`): cells are trimmed, `none` cells are ignored, `,` or `.` is the decimal point of costs and
 * budget, quoted cells follow Python's `csv` module (`""` is a quote), blank lines are skipped, and empty
 * ballots are kept so that n counts them.
 */

type Section = 'meta' | 'projects' | 'votes' | undefined;

const SECTIONS = new Set(['meta', 'projects', 'votes']);

export class PabulibSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`ligne ${line} : ${message}`);
    this.name = 'PabulibSyntaxError';
  }
}

function isNone(cell: string): boolean {
  return cell.length === 4 && cell.toLowerCase() === 'none';
}

/** The trimmed cell, or undefined when absent or `none`. */
function cellAt(cells: readonly string[], i: number): string | undefined {
  if (i < 0) return undefined;
  const value = cells[i]?.trim();
  return value === undefined || isNone(value) ? undefined : value;
}

const VOTE_CACHE_SIZE = 50_000;

/**
 * Splits one row like Python's `csv.reader(delimiter=';')` in its default, non-strict dialect: a quote only
 * opens quoting at the start of a cell, `""` inside quotes is a quote, text after a closing quote is kept.
 * Returns undefined when the row ends inside quotes (the cell goes on on the next line).
 */
export function splitRow(line: string): string[] | undefined {
  if (!line.includes('"')) return line.split(';');
  const cells: string[] = [];
  let cell = '';
  let i = 0;
  let atStart = true;
  let quoted = false;
  while (i < line.length) {
    const ch = line[i] as string;
    if (quoted) {
      if (ch === '"') {
        if (line[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        cell += ch;
      }
    } else if (ch === ';') {
      cells.push(cell);
      cell = '';
      atStart = true;
      i += 1;
      continue;
    } else if (ch === '"' && atStart) {
      quoted = true;
    } else {
      cell += ch;
    }
    atStart = false;
    i += 1;
  }
  if (quoted) return undefined;
  cells.push(cell);
  return cells;
}

/**
 * Incremental reader: feed chunks of text with {@link write} (from a file stream, say), then call {@link end}.
 * Memory stays proportional to the instance (typed arrays for the ballots), never to the text.
 */
export class PabulibParser {
  private pending = '';
  private continued: string | undefined;
  private lineNumber = 0;
  private section: Section;
  private header: string[] | undefined;
  private first = true;

  private readonly meta = new Map<string, string>();
  private readonly projectRows: { id: string; cost: Decimal; fields: Map<string, string>; line: number }[] =
    [];
  private projectIndex = new Map<string, number>();
  private projectsFrozen = false;

  private ballotCount = 0;
  private readonly offsets = new GrowableUint32(1024);
  private readonly listed = new GrowableUint32(4096);
  private readonly points = new GrowableFloat64(16);
  private pointsDecimals = 0;
  private hasPoints = false;
  private voterIds: string[] = [];
  private voteColumns:
    | { vote: number; points: number; voterId: number; extra: [string, number][] }
    | undefined;
  private readonly extra = new Map<string, (string | undefined)[]>();
  private readonly voteCache = new Map<string, number[]>();

  constructor() {
    this.offsets.push(0);
  }

  write(chunk: string): void {
    let text = this.pending + chunk;
    if (this.first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      this.first = false;
    }
    let start = 0;
    // Where the next \r is, searched once per \r (a file without any must not be rescanned at every line).
    let cr = text.indexOf('\r');
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (cr !== -1 && cr < start) cr = text.indexOf('\r', start);
      let end: number;
      let next: number;
      if (cr !== -1 && (nl === -1 || cr < nl)) {
        // A lone \r at the very end of the chunk may be the first half of \r\n: wait for more text.
        if (cr === text.length - 1) break;
        end = cr;
        next = text[cr + 1] === '\n' ? cr + 2 : cr + 1;
      } else if (nl !== -1) {
        end = nl;
        next = nl + 1;
      } else {
        break;
      }
      this.line(text.slice(start, end));
      start = next;
    }
    this.pending = text.slice(start);
  }

  end(): Instance {
    if (this.pending !== '') {
      const last = this.pending.endsWith('\r') ? this.pending.slice(0, -1) : this.pending;
      this.pending = '';
      this.line(last);
    }
    if (this.continued !== undefined) {
      throw new PabulibSyntaxError(this.lineNumber, 'guillemet non refermé en fin de fichier');
    }
    return this.build();
  }

  private line(raw: string): void {
    this.lineNumber += 1;
    const text = this.continued === undefined ? raw : `${this.continued}\n${raw}`;
    const cells = splitRow(text);
    if (cells === undefined) {
      this.continued = text;
      return;
    }
    this.continued = undefined;
    this.row(cells);
  }

  private row(cells: string[]): void {
    if (cells.length === 0 || (cells.length === 1 && (cells[0] as string).trim() === '')) return;
    const head = (cells[0] as string).trim().toLowerCase();
    if (SECTIONS.has(head)) {
      this.section = head as Section;
      this.header = undefined;
      if (this.section === 'votes') this.freezeProjects();
      return;
    }
    if (this.header === undefined) {
      if (this.section === undefined) {
        throw new PabulibSyntaxError(
          this.lineNumber,
          'le fichier doit commencer par META, PROJECTS ou VOTES',
        );
      }
      this.header = cells.map((c) => c.trim());
      if (this.section === 'votes') this.prepareVotes(this.header);
      return;
    }
    if (this.section === 'meta') this.metaRow(cells);
    else if (this.section === 'projects') this.projectRow(cells, this.header);
    else this.voteRow(cells);
  }

  private metaRow(cells: string[]): void {
    const key = (cells[0] as string).trim();
    const value = (cells[1] ?? '').trim();
    this.meta.set(key, value);
  }

  private projectRow(cells: string[], header: string[]): void {
    if (this.projectsFrozen) throw new PabulibSyntaxError(this.lineNumber, 'projet déclaré après les votes');
    const idColumn = Math.max(0, header.indexOf('project_id'));
    const id = (cells[idColumn] ?? '').trim();
    if (id === '') throw new PabulibSyntaxError(this.lineNumber, 'identifiant de projet vide');
    if (this.projectIndex.has(id)) throw new PabulibSyntaxError(this.lineNumber, `projet en double : ${id}`);
    const fields = new Map<string, string>();
    let costText: string | undefined;
    cells.forEach((raw, i) => {
      const key = header[i] ?? `column_${i + 1}`;
      const cell = raw.trim();
      if (i === idColumn || isNone(cell)) return;
      if (key === 'cost') costText = cell;
      else fields.set(key, cell);
    });
    if (costText === undefined) throw new PabulibSyntaxError(this.lineNumber, `coût manquant pour ${id}`);
    let cost: Decimal;
    try {
      cost = parseDecimal(costText);
    } catch {
      throw new PabulibSyntaxError(this.lineNumber, `coût invalide pour ${id} : « ${costText} »`);
    }
    if (cost.units < 0n) throw new PabulibSyntaxError(this.lineNumber, `coût négatif pour ${id}`);
    this.projectIndex.set(id, this.projectRows.length);
    this.projectRows.push({ id, cost, fields, line: this.lineNumber });
  }

  private freezeProjects(): void {
    this.projectsFrozen = true;
  }

  private prepareVotes(header: string[]): void {
    const extra: [string, number][] = [];
    header.forEach((column, i) => {
      if (column !== 'voter_id' && column !== 'vote' && column !== 'points') {
        extra.push([column, i]);
        this.extra.set(column, []);
      }
    });
    this.voteColumns = {
      voterId: header.indexOf('voter_id'),
      vote: header.indexOf('vote'),
      points: header.indexOf('points'),
      extra,
    };
    if (this.voteColumns.vote === -1)
      throw new PabulibSyntaxError(this.lineNumber, 'colonne « vote » absente');
    this.hasPoints = this.voteColumns.points !== -1;
  }

  private voteRow(cells: string[]): void {
    const columns = this.voteColumns as NonNullable<PabulibParser['voteColumns']>;
    const ballot = this.ballotCount;
    if (columns.voterId >= 0) this.voterIds.push(cellAt(cells, columns.voterId) ?? String(ballot + 1));
    const vote = cellAt(cells, columns.vote);
    if (vote !== undefined && vote !== '') {
      if (this.hasPoints) this.pointedVote(vote, cellAt(cells, columns.points));
      else for (const p of this.projectsOf(vote)) this.listed.push(p);
    }
    this.offsets.push(this.listed.length);
    for (const [column, i] of columns.extra) this.extra.get(column)?.push(cellAt(cells, i));
    this.ballotCount += 1;
  }

  /** Project indices of a vote cell; identical cells are frequent (choose-1, popular pairs): memoised. */
  private projectsOf(vote: string): number[] {
    const known = this.voteCache.get(vote);
    if (known) return known;
    const projects: number[] = [];
    for (const raw of vote.split(',')) {
      const id = raw.trim();
      if (id === '') continue;
      const p = this.projectIndex.get(id);
      if (p === undefined)
        throw new PabulibSyntaxError(this.lineNumber, `vote pour un projet inconnu : ${id}`);
      projects.push(p);
    }
    if (this.voteCache.size < VOTE_CACHE_SIZE) this.voteCache.set(vote, projects);
    return projects;
  }

  private pointedVote(vote: string, pointsCell: string | undefined): void {
    const pointTexts = pointsCell === undefined ? [] : pointsCell.split(',');
    let position = 0;
    for (const p of this.projectsOf(vote)) {
      const text = pointTexts[position]?.trim();
      if (text === undefined || text === '') {
        throw new PabulibSyntaxError(
          this.lineNumber,
          `points manquants pour le projet ${(this.projectRows[p] as { id: string }).id}`,
        );
      }
      this.listed.push(p);
      this.pushPoints(text);
      position += 1;
    }
  }

  private pushPoints(text: string): void {
    let value: Decimal;
    try {
      value = parseDecimal(text);
    } catch {
      throw new PabulibSyntaxError(this.lineNumber, `points invalides : « ${text} »`);
    }
    if (value.units < 0n) throw new PabulibSyntaxError(this.lineNumber, `points négatifs : « ${text} »`);
    if (value.decimals > this.pointsDecimals) {
      // Rare: a file with fractional points. Rescale what was read so far, once per new precision.
      this.points.rescale(10 ** (value.decimals - this.pointsDecimals));
      this.pointsDecimals = value.decimals;
    }
    const units = rescale(value, this.pointsDecimals);
    if (units > BigInt(Number.MAX_SAFE_INTEGER))
      throw new PabulibSyntaxError(this.lineNumber, 'points trop grands');
    this.points.push(Number(units));
  }

  private build(): Instance {
    const voteTypeText = this.meta.get('vote_type') ?? 'approval';
    if (!VOTE_TYPES.includes(voteTypeText as VoteType)) {
      throw new PabulibSyntaxError(this.lineNumber, `type de vote non pris en charge : ${voteTypeText}`);
    }
    const budgetText = this.meta.get('budget');
    if (budgetText === undefined) throw new PabulibSyntaxError(this.lineNumber, 'META sans « budget »');
    const budget = parseDecimal(budgetText);
    const decimals = this.projectRows.reduce((max, p) => Math.max(max, p.cost.decimals), budget.decimals);
    const projects: Project[] = this.projectRows.map((p) =>
      makeProject(p.id, rescale(p.cost, decimals), p.fields),
    );
    const ballots: Ballots = {
      count: this.ballotCount,
      offsets: this.offsets.toArray(),
      projects: this.listed.toArray(),
      ...(this.hasPoints ? { points: this.points.toArray() } : {}),
      pointsDecimals: this.pointsDecimals,
      ...(this.voteColumns && this.voteColumns.voterId >= 0 ? { voterIds: this.voterIds } : {}),
      extra: this.extra,
    };
    return {
      meta: this.meta,
      voteType: voteTypeText as VoteType,
      budget: rescale(budget, decimals),
      decimals,
      projects,
      ballots,
    };
  }
}

export function parsePabulib(text: string): Instance {
  const parser = new PabulibParser();
  parser.write(text);
  return parser.end();
}

/** Reads a `.pb` from any async iterable of text chunks (e.g. `createReadStream(path, 'utf8')`). */
export async function parsePabulibStream(chunks: AsyncIterable<string | Uint8Array>): Promise<Instance> {
  const parser = new PabulibParser();
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of chunks) {
    parser.write(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
  }
  parser.write(decoder.decode());
  return parser.end();
}

function quote(cell: string): string {
  return /[;"\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

function row(cells: readonly string[]): string {
  return cells.map(quote).join(';');
}

/**
 * Cells a count reads keep their exact text (ids, amounts, votes, the rule's columns and keys); every other
 * cell is free text (a project's name, a description) and is written like any CSV text cell of the platform,
 * formula-neutralised ({@link csvCell}): a `.pb` opened in a spreadsheet runs nothing, and recounts the same.
 */
const COUNTED_META = new Set([
  'num_projects',
  'num_votes',
  'budget',
  'vote_type',
  'rule',
  'reserved_amounts',
  'min_one_winner_per_territory',
  'min_length',
  'max_length',
  'min_sum_points',
  'max_sum_points',
  'min_points',
  'max_points',
  'min_sum_cost',
  'max_sum_cost',
]);
const COUNTED_FIELDS = new Set(['category', 'categories', 'territory', 'district', 'subunit', 'target']);
const textCell = (counted: boolean, cell: string) => (counted ? quote(cell) : csvCell(cell));

/**
 * The canonical `.pb` text of an instance, line by line: META in its order with `num_projects`, `num_votes`,
 * `budget` and `vote_type` recomputed, PROJECTS in instance order (`project_id`, `cost`, then the other columns
 * in first-seen order), VOTES in ballot order. Amounts use `.` and no trailing zeros; missing cells are `none`.
 */
export function* pabulibLines(instance: Instance): Generator<string> {
  const computed = new Map<string, string>([
    ['num_projects', String(instance.projects.length)],
    ['num_votes', String(instance.ballots.count)],
    ['budget', formatUnits(instance.budget, instance.decimals)],
    ['vote_type', instance.voteType],
  ]);
  yield 'META';
  yield 'key;value';
  for (const [key, value] of instance.meta) {
    yield `${quote(key)};${textCell(COUNTED_META.has(key), computed.get(key) ?? value)}`;
  }
  for (const [key, value] of computed) if (!instance.meta.has(key)) yield row([key, value]);

  const columns: string[] = [];
  const seen = new Set<string>();
  for (const project of instance.projects) {
    if (/[,;\r\n]/.test(project.id) || project.id.trim() !== project.id || project.id === '') {
      throw new Error(`Identifiant de projet impossible à écrire en pabulib : « ${project.id} »`);
    }
    for (const key of project.fields.keys()) {
      if (!seen.has(key)) {
        seen.add(key);
        columns.push(key);
      }
    }
  }
  yield 'PROJECTS';
  yield row(['project_id', 'cost', ...columns]);
  for (const project of instance.projects) {
    yield [
      quote(project.id),
      quote(formatUnits(project.cost, instance.decimals)),
      ...columns.map((c) => textCell(COUNTED_FIELDS.has(c), project.fields.get(c) ?? 'none')),
    ].join(';');
  }

  const { ballots } = instance;
  const extra = [...ballots.extra.keys()];
  yield 'VOTES';
  yield row(['voter_id', 'vote', ...(ballots.points ? ['points'] : []), ...extra]);
  for (let b = 0; b < ballots.count; b++) {
    const start = ballots.offsets[b] as number;
    const end = ballots.offsets[b + 1] as number;
    const ids: string[] = [];
    const points: string[] = [];
    for (let k = start; k < end; k++) {
      ids.push((instance.projects[ballots.projects[k] as number] as Project).id);
      if (ballots.points)
        points.push(formatUnits(BigInt(ballots.points[k] as number), ballots.pointsDecimals));
    }
    yield row([
      ballots.voterIds?.[b] ?? String(b + 1),
      ids.join(','),
      ...(ballots.points ? [points.join(',')] : []),
      ...extra.map((c) => ballots.extra.get(c)?.[b] ?? 'none'),
    ]);
  }
}

export function writePabulib(instance: Instance): string {
  let text = '';
  for (const line of pabulibLines(instance)) text += `${line}\n`;
  return text;
}
