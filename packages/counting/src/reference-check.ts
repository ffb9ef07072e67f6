import { count } from './count.ts';
import type { Instance } from './instance.ts';
import { parsePabulib, writePabulib } from './pabulib.ts';
import type { RuleName } from './rules.ts';

/** META key of pabulib files that publish a minimum score. */
export const META_THRESHOLD = 'min_project_score_threshold';

/**
 * The greedy family a published file names in its META `rule`, and ours that reproduces it (with the file's own
 * threshold). Other rules (`unknown`, `greedy-custom`, equal shares variants) are not greedy references: their
 * official winners depend on city-specific constraints or on an add1 completion the file does not name.
 */
const GREEDY_REFERENCES: Readonly<Record<string, RuleName>> = {
  greedy: 'greedy',
  'greedy-threshold': 'greedy',
  'greedy-no-skip': 'greedy-no-skip',
};

export interface ReferenceCheck {
  /** The file's META `rule`, as published. */
  readonly metaRule: string | undefined;
  /** Parse → write → parse gives the same instance, and writing again gives the same text. */
  readonly roundTrip: boolean;
  /** Present when the file publishes its official winners under a greedy rule we reproduce. */
  readonly official?: {
    readonly rule: RuleName;
    readonly expected: readonly string[];
    readonly got: readonly string[];
    readonly same: boolean;
  };
}

const bytes = (a: Uint32Array | Float64Array | undefined) =>
  a ? Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64') : '';

/** Everything the count and the open data depend on, as one comparable string (typed arrays as bytes: fast). */
export function instanceEssence(instance: Instance): string {
  return JSON.stringify({
    voteType: instance.voteType,
    budget: String(instance.budget),
    decimals: instance.decimals,
    projects: instance.projects.map((p) => [p.id, String(p.cost), [...p.fields]]),
    count: instance.ballots.count,
    offsets: bytes(instance.ballots.offsets),
    listed: bytes(instance.ballots.projects),
    points: bytes(instance.ballots.points),
    pointsDecimals: instance.ballots.pointsDecimals,
    voterIds: instance.ballots.voterIds?.join('\u0000'),
    extra: [...instance.ballots.extra].map(([k, v]) => [k, v.map((x) => x ?? '\u0001').join('\u0000')]),
  });
}

/**
 * Checks one published pabulib file against the counting library: the parser and writer round-trip it exactly,
 * and, where the file records the winners a city funded under a greedy rule, our count finds the same ones.
 * `bp count --check DIR` runs it over a whole folder; the unit tests run it over `test/fixtures/pabulib`.
 */
export function checkReferenceFile(text: string): ReferenceCheck {
  const instance = parsePabulib(text);
  const written = writePabulib(instance);
  const again = parsePabulib(written);
  const roundTrip = instanceEssence(again) === instanceEssence(instance) && writePabulib(again) === written;
  const metaRule = instance.meta.get('rule')?.trim();
  const rule = metaRule === undefined ? undefined : GREEDY_REFERENCES[metaRule];
  const hasOfficial = instance.projects.some((p) => p.fields.has('selected'));
  if (rule === undefined || !hasOfficial) return { metaRule, roundTrip };
  const threshold = instance.meta.get(META_THRESHOLD);
  const result = count(instance, {
    rule,
    ...(threshold === undefined ? {} : { minimumSupport: Number(threshold.replace(',', '.')) }),
  });
  const expected = instance.projects
    .filter((p) => p.fields.has('selected') && p.fields.get('selected') !== '0')
    .map((p) => p.id)
    .sort();
  const got = [...result.selected].sort();
  return {
    metaRule,
    roundTrip,
    official: { rule, expected, got, same: JSON.stringify(expected) === JSON.stringify(got) },
  };
}
