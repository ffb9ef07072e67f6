import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createInstance,
  type Instance,
  PabulibParser,
  PabulibSyntaxError,
  parsePabulib,
  writePabulib,
} from '../../shared/counting/index.ts';

// Real files kept in the repository (see its README); `bp count --check DIR` runs the same round-trip over a
// whole pabulib folder.
const PABULIB = resolve(import.meta.dirname, '..', 'fixtures', 'pabulib');
const FILES = readdirSync(PABULIB)
  .filter((f) => f.endsWith('.pb'))
  .sort();

const ids = (instance: Instance, b: number) =>
  Array.from(
    instance.ballots.projects.subarray(instance.ballots.offsets[b], instance.ballots.offsets[b + 1]),
  ).map((p) => instance.projects[p]?.id);

const bytes = (a: Uint32Array | Float64Array | undefined) =>
  a ? Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64') : undefined;

/** Everything the count and the open data depend on, in comparable form (typed arrays as bytes: fast). */
function essence(instance: Instance) {
  return {
    voteType: instance.voteType,
    budget: instance.budget,
    decimals: instance.decimals,
    projects: instance.projects.map((p) => ({ id: p.id, cost: p.cost, fields: [...p.fields] })),
    count: instance.ballots.count,
    offsets: bytes(instance.ballots.offsets),
    listed: bytes(instance.ballots.projects),
    points: bytes(instance.ballots.points),
    pointsDecimals: instance.ballots.pointsDecimals,
    voterIds: instance.ballots.voterIds?.join('\u0000'),
    extra: [...instance.ballots.extra].map(([k, v]) => [k, v.map((x) => x ?? '\u0001').join('\u0000')]),
  };
}

const SAMPLE = [
  '\uFEFFMETA',
  'key;value',
  'description;"Budget ""test""; quartier Nord"',
  'num_projects;3',
  'num_votes;5',
  'budget;1000,50',
  'vote_type;approval',
  'rule;greedy',
  '',
  'PROJECTS',
  'project_id;cost;votes;name;category;selected',
  '1;500,25;3;"Jardin ; partagé";environment,nature;1',
  '2;200.5;2;Bancs;none;0',
  '10;300;none;"Piste ""cyclable""";mobility;none',
  'VOTES',
  'voter_id;vote;age;sex',
  'v1;1,2;34;F',
  'v2;;none;M',
  'v3;none;51;none',
  'v4;1,10,1;22;F',
  'v5;2 , 1 ;40;F',
].join('\r\n');

describe('pabulib parser', () => {
  it('reads decimal commas and points, none cells, quoted cells, empty ballots, a BOM and CRLF', () => {
    // Act
    const instance = parsePabulib(SAMPLE);
    // Assess
    expect(instance.meta.get('description')).toBe('Budget "test"; quartier Nord');
    expect(instance.decimals).toBe(2);
    expect(instance.budget).toBe(100050n);
    expect(instance.projects.map((p) => p.cost)).toEqual([50025n, 20050n, 30000n]);
    expect(instance.projects[0]?.name).toBe('Jardin ; partagé');
    expect(instance.projects[0]?.categories).toEqual(['environment', 'nature']);
    expect(instance.projects[1]?.categories).toEqual([]);
    expect(instance.projects[1]?.fields.has('category')).toBe(false);
    expect(instance.projects[2]?.name).toBe('Piste "cyclable"');
    expect(instance.projects[2]?.fields.has('votes')).toBe(false);
    expect(instance.ballots.count).toBe(5);
    expect([0, 1, 2, 3, 4].map((b) => ids(instance, b))).toEqual([
      ['1', '2'],
      [],
      [],
      ['1', '10', '1'],
      ['2', '1'],
    ]);
    expect(instance.ballots.voterIds).toEqual(['v1', 'v2', 'v3', 'v4', 'v5']);
    expect(instance.ballots.extra.get('age')).toEqual(['34', undefined, '51', '22', '40']);
  });

  it('gives the same instance whatever the chunks of a stream', () => {
    const whole = essence(parsePabulib(SAMPLE));
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat(SAMPLE.length), { maxLength: 8 }), (cuts) => {
        const parser = new PabulibParser();
        let from = 0;
        for (const cut of [...cuts].sort((a, b) => a - b)) {
          parser.write(SAMPLE.slice(from, cut));
          from = cut;
        }
        parser.write(SAMPLE.slice(from));
        expect(essence(parser.end())).toEqual(whole);
      }),
      { numRuns: 200 },
    );
  });

  it('reads cumulative points, fractional ones included', () => {
    const text = [
      'META',
      'key;value',
      'budget;100',
      'vote_type;cumulative',
      'PROJECTS',
      'project_id;cost',
      'a;60',
      'b;40',
      'VOTES',
      'voter_id;vote;points',
      '1;a,b;2,1',
      '2;b;2.5',
      '3;;',
    ].join('\n');
    const instance = parsePabulib(text);
    expect(instance.ballots.pointsDecimals).toBe(1);
    expect([...(instance.ballots.points ?? [])]).toEqual([20, 10, 25]);
    expect(instance.ballots.count).toBe(3);
  });

  it('refuses a vote for an unknown project and a quote left open, with the line number', () => {
    const unknown = [
      'META',
      'key;value',
      'budget;10',
      'PROJECTS',
      'project_id;cost',
      '1;5',
      'VOTES',
      'voter_id;vote',
      'a;1,7',
    ];
    expect(() => parsePabulib(unknown.join('\n'))).toThrow(PabulibSyntaxError);
    expect(() => parsePabulib(unknown.join('\n'))).toThrow(/ligne 9 : vote pour un projet inconnu : 7/);
    expect(() => parsePabulib('META\nkey;value\nbudget;"10\n')).toThrow(/guillemet non refermé/);
    expect(() => parsePabulib('META\nkey;value\nvote_type;approval\n')).toThrow(/budget/);
  });

  it('writes a canonical file that reads back to the same instance', () => {
    const instance = parsePabulib(SAMPLE);
    const text = writePabulib(instance);
    expect(text).toContain('budget;1000.5\n');
    expect(text).toContain('1;500.25;3;"Jardin ; partagé";environment,nature;1\n');
    expect(text).toContain('v2;;none;M\n');
    expect(essence(parsePabulib(text))).toEqual(essence(instance));
  });

  it('writes what createInstance builds, ballots from the database say', () => {
    const built = createInstance({
      budget: '1500.5',
      meta: { description: 'Édition test', rule: 'mes' },
      projects: [
        { id: 'P1', cost: 1000, name: 'Aire de jeux', categories: ['jeunesse'], territory: 'Nord' },
        { id: 'P2', cost: '500.5', name: 'Bancs' },
      ],
      ballots: [['P1'], { voterId: 'x', projects: ['P2', 'P1'], fields: { age: '17' } }, []],
    });
    const back = parsePabulib(writePabulib(built));
    expect(essence(back).listed).toEqual(essence(built).listed);
    expect(back.budget).toBe(15005n);
    expect(back.projects[0]?.territory).toBe('Nord');
    expect(back.projects[0]?.categories).toEqual(['jeunesse']);
    expect(back.ballots.voterIds).toEqual(['1', 'x', '3']);
    expect(back.ballots.extra.get('age')).toEqual([undefined, '17', undefined]);
  });

  it('round-trips the pabulib files of the reference set', () => {
    for (const file of FILES) {
      const original = parsePabulib(readFileSync(resolve(PABULIB, file), 'utf8'));
      const text = writePabulib(original);
      const again = parsePabulib(text);
      expect(essence(again), file).toEqual(essence(original));
      expect(writePabulib(again), file).toBe(text);
    }
  }, 60_000);
});
