import { type Decimal, parseDecimal, rescale } from './decimal.ts';

/** Ballot formats of pabulib. `choose-1` is an approval ballot of at most one project. */
export type VoteType = 'approval' | 'choose-1' | 'cumulative' | 'scoring' | 'ordinal';
export const VOTE_TYPES: readonly VoteType[] = ['approval', 'choose-1', 'cumulative', 'scoring', 'ordinal'];

export interface Project {
  readonly id: string;
  /** In 10^-decimals currency units (see {@link Instance.decimals}). */
  readonly cost: bigint;
  readonly name?: string;
  /** From the `category` (or `categories`) column, comma-separated. */
  readonly categories: readonly string[];
  /** From the `territory` column, else `district`, else `subunit`. */
  readonly territory?: string;
  /** Every column of the PROJECTS row except `project_id` and `cost`, `none` cells left out. */
  readonly fields: ReadonlyMap<string, string>;
}

/**
 * The ballots in compressed rows: ballot b lists `projects[offsets[b]]` to `projects[offsets[b + 1] - 1]`
 * (indices into {@link Instance.projects}, in the order written). Typed arrays keep a million ballots in a few
 * tens of MB. Empty ballots are kept: they count in n.
 */
export interface Ballots {
  readonly count: number;
  readonly offsets: Uint32Array;
  readonly projects: Uint32Array;
  /** Points given to each listed project, times 10^pointsDecimals; present when the file has a `points` column. */
  readonly points?: Float64Array;
  readonly pointsDecimals: number;
  readonly voterIds?: readonly string[];
  /** The other VOTES columns (age, sex, ...), one array per column, `undefined` for `none` cells. */
  readonly extra: ReadonlyMap<string, readonly (string | undefined)[]>;
}

export interface Instance {
  /** META rows in file order. */
  readonly meta: ReadonlyMap<string, string>;
  readonly voteType: VoteType;
  /** In 10^-decimals currency units. */
  readonly budget: bigint;
  /** Common scale of every cost and of the budget. */
  readonly decimals: number;
  readonly projects: readonly Project[];
  readonly ballots: Ballots;
}

export interface ProjectInput {
  readonly id: string;
  readonly cost: string | number | bigint;
  readonly name?: string;
  readonly categories?: readonly string[];
  readonly territory?: string;
  readonly fields?: Readonly<Record<string, string>>;
}

export interface BallotInput {
  readonly voterId?: string;
  readonly projects: readonly string[];
  readonly points?: readonly (number | string)[];
  readonly fields?: Readonly<Record<string, string>>;
}

export interface InstanceInput {
  readonly budget: string | number | bigint;
  /** @default 'approval' */
  readonly voteType?: VoteType;
  readonly meta?: Readonly<Record<string, string>>;
  readonly projects: readonly ProjectInput[];
  readonly ballots: readonly (readonly string[] | BallotInput)[];
}

export function toDecimal(value: string | number | bigint): Decimal {
  if (typeof value === 'bigint') return { units: value, decimals: 0 };
  if (typeof value === 'number' && !Number.isFinite(value))
    throw new RangeError(`Montant invalide : ${value}`);
  return parseDecimal(String(value));
}

/** Appends to a typed array, doubling it when full: parsing does not know the number of ballots in advance. */
export class GrowableUint32 {
  private data: Uint32Array;
  length = 0;
  constructor(capacity = 1024) {
    this.data = new Uint32Array(capacity);
  }
  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new Uint32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }
  at(index: number): number {
    return this.data[index] as number;
  }
  toArray(): Uint32Array {
    return this.data.slice(0, this.length);
  }
}

export class GrowableFloat64 {
  private data: Float64Array;
  length = 0;
  constructor(capacity = 1024) {
    this.data = new Float64Array(capacity);
  }
  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }
  at(index: number): number {
    return this.data[index] as number;
  }
  set(index: number, value: number): void {
    this.data[index] = value;
  }
  /** Multiplies every value pushed so far (points read before a value with more decimals). */
  rescale(factor: number): void {
    for (let i = 0; i < this.length; i++) this.data[i] = (this.data[i] as number) * factor;
  }
  toArray(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

/** Points are summed as doubles: they must stay integers below 2^53 to be exact. */
export function pointsAsNumber(value: Decimal, decimals: number): number {
  const units = rescale(value, decimals);
  if (units > BigInt(Number.MAX_SAFE_INTEGER) || units < 0n) {
    throw new RangeError(`Nombre de points hors limites : ${units}`);
  }
  return Number(units);
}

/** Derives `categories` and `territory` from the raw columns, as the parser and the builder both need. */
export function makeProject(id: string, cost: bigint, fields: ReadonlyMap<string, string>): Project {
  const categoryText = fields.get('category') ?? fields.get('categories');
  const categories = categoryText
    ? categoryText
        .split(',')
        .map((c) => c.trim())
        .filter((c) => c !== '')
    : [];
  const territory = fields.get('territory') ?? fields.get('district') ?? fields.get('subunit');
  const name = fields.get('name');
  return {
    id,
    cost,
    categories,
    fields,
    ...(name === undefined ? {} : { name }),
    ...(territory === undefined ? {} : { territory }),
  };
}

/** Builds an instance from plain data (tests, generated instances, ballots read from the database). */
export function createInstance(input: InstanceInput): Instance {
  const voteType = input.voteType ?? 'approval';
  const budget = toDecimal(input.budget);
  const costs = input.projects.map((p) => toDecimal(p.cost));
  const decimals = [budget, ...costs].reduce((max, v) => Math.max(max, v.decimals), 0);
  const index = new Map<string, number>();
  const projects = input.projects.map((p, i) => {
    if (index.has(p.id)) throw new Error(`Projet en double : ${p.id}`);
    index.set(p.id, i);
    const fields = new Map(Object.entries(p.fields ?? {}));
    if (p.name !== undefined) fields.set('name', p.name);
    if (p.categories && p.categories.length > 0) fields.set('category', p.categories.join(','));
    if (p.territory !== undefined) fields.set('territory', p.territory);
    return makeProject(p.id, rescale(costs[i] as Decimal, decimals), fields);
  });

  const ballots = input.ballots.map(
    (b): BallotInput => ('projects' in b ? (b as BallotInput) : { projects: b }),
  );
  const hasPoints = ballots.some((b) => b.points !== undefined);
  const parsedPoints = ballots.map((b) => (b.points ?? []).map((p) => toDecimal(p)));
  const pointsDecimals = parsedPoints.flat().reduce((max, v) => Math.max(max, v.decimals), 0);
  const offsets = new Uint32Array(ballots.length + 1);
  const listed = new GrowableUint32();
  const points = new GrowableFloat64();
  const hasIds = ballots.some((b) => b.voterId !== undefined);
  const extraColumns = [...new Set(ballots.flatMap((b) => Object.keys(b.fields ?? {})))];
  const extra = new Map(extraColumns.map((c) => [c, [] as (string | undefined)[]]));
  ballots.forEach((ballot, b) => {
    ballot.projects.forEach((id, j) => {
      const p = index.get(id);
      if (p === undefined) throw new Error(`Bulletin ${b + 1} : projet inconnu ${id}`);
      listed.push(p);
      if (hasPoints) {
        const value = parsedPoints[b]?.[j];
        if (value === undefined) throw new Error(`Bulletin ${b + 1} : points manquants`);
        points.push(pointsAsNumber(value, pointsDecimals));
      }
    });
    offsets[b + 1] = listed.length;
    for (const [column, values] of extra) values.push(ballot.fields?.[column]);
  });
  const meta = new Map(Object.entries(input.meta ?? {}));
  return {
    meta,
    voteType,
    budget: rescale(budget, decimals),
    decimals,
    projects,
    ballots: {
      count: ballots.length,
      offsets,
      projects: listed.toArray(),
      ...(hasPoints ? { points: points.toArray() } : {}),
      pointsDecimals,
      ...(hasIds ? { voterIds: ballots.map((b, i) => b.voterId ?? String(i + 1)) } : {}),
      extra,
    },
  };
}
