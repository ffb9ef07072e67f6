import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { count, createInstance, type Instance, parsePabulib } from '../../shared/counting/index.ts';

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '..', '..');
// Real files kept in the repository (see its README); `bp count --check DIR` compares a whole pabulib folder.
const PABULIB = resolve(REPO, 'test', 'fixtures', 'pabulib');
const FILES = readdirSync(PABULIB)
  .filter((f) => f.endsWith('.pb'))
  .sort();

interface Line {
  file: string;
  rule: string;
  selected: string[];
  seconds: number;
}

async function cli(args: string[]): Promise<Line[]> {
  const { stdout } = await run(process.execPath, [resolve(REPO, 'bin', 'bp.js'), 'count', ...args], {
    cwd: REPO,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Line);
}

describe('greedy rules', () => {
  const simple = (support: number[], costs: number[], budget: number): Instance =>
    createInstance({
      budget,
      projects: costs.map((cost, i) => ({ id: String.fromCharCode(65 + i), cost })),
      ballots: support.flatMap((votes, i) =>
        Array.from({ length: votes }, () => [String.fromCharCode(65 + i)]),
      ),
    });

  it('takes the most supported projects that still fit and skips the others', () => {
    // Prepare: A 5 votes / 60, B 4 / 50, C 3 / 30, D 0 / 10; budget 100.
    const instance = simple([5, 4, 3, 0], [60, 50, 30, 10], 100);
    // Act
    const result = count(instance, { rule: 'greedy' });
    // Assess: A (40 left), B does not fit, C (10 left), D without support still fits (as in pabutools).
    expect(result.selected).toEqual(['A', 'C', 'D']);
    expect(result.spent).toBe(100n);
    expect(result.explanations.get('B')).toMatchObject({
      status: 'does-not-fit',
      greedy: { rank: 2, budgetLeft: 40n },
    });
    expect(result.explanations.get('C')).toMatchObject({
      status: 'selected',
      greedy: { rank: 3, budgetLeft: 40n },
    });
  });

  it('stops at the first project that does not fit with greedy-no-skip', () => {
    const result = count(simple([5, 4, 3, 0], [60, 50, 30, 10], 100), { rule: 'greedy-no-skip' });
    expect(result.selected).toEqual(['A']);
    expect(result.explanations.get('C')?.status).toBe('stopped');
  });

  it('orders by support per cost with exact cross-multiplication, ties by id', () => {
    // 1/3 and 2/6 are equal: B ("B" > "A") comes after A; C 3/10 is below them.
    const instance = simple([1, 2, 3], [3, 6, 10], 9);
    expect(count(instance, { rule: 'greedy-per-cost' }).selected).toEqual(['A', 'B']);
    expect(
      count(instance, { rule: 'greedy-per-cost', tieBreak: { kind: 'order', order: ['B'] } }).selected,
    ).toEqual(['B', 'A']);
  });

  it('breaks ties between ids as strings by code point: "10" before "9"', () => {
    const instance = createInstance({
      budget: 10,
      projects: [
        { id: '9', cost: 10 },
        { id: '10', cost: 10 },
      ],
      ballots: [['9'], ['10']],
    });
    expect(count(instance, { rule: 'greedy' }).selected).toEqual(['10']);
    expect(count(instance, { rule: 'greedy', tieBreak: { kind: 'lower-cost' } }).selected).toEqual(['10']);
  });

  it('leaves out projects below the minimum support, whatever the budget left', () => {
    const result = count(simple([5, 4, 3], [10, 10, 10], 100), { rule: 'greedy', minimumSupport: 4 });
    expect(result.selected).toEqual(['A', 'B']);
    expect(result.explanations.get('C')?.status).toBe('below-threshold');
  });

  it('ranks cumulative ballots by points and ordinal ballots by position (L - i), as pabulib scores them', () => {
    const cumulative = createInstance({
      budget: 10,
      voteType: 'cumulative',
      projects: [
        { id: 'a', cost: 10 },
        { id: 'b', cost: 10 },
      ],
      ballots: [
        { projects: ['a', 'b'], points: [1, 3] },
        { projects: ['a'], points: [1] },
      ],
    });
    expect(count(cumulative, { rule: 'greedy' }).selected).toEqual(['b']);
    const ordinal = createInstance({
      budget: 10,
      voteType: 'ordinal',
      projects: [
        { id: 'a', cost: 10 },
        { id: 'b', cost: 10 },
      ],
      ballots: [['b', 'a'], ['a'], ['b', 'a']],
    });
    // b: 2 + 2 = 4 points, a: 1 + 1 + 1 = 3.
    expect(count(ordinal, { rule: 'greedy' }).selected).toEqual(['b']);
  });
});

/**
 * The acceptance check: the CLI counts every file; wherever the file publishes its official `selected` column
 * and its META rule is greedy, greedy-threshold or greedy-no-skip, our rule (with the file's own threshold)
 * gives exactly the official winners. Files without a `selected` column (Toulouse, Amsterdam, Gdańsk, Zabrze)
 * have nothing to compare; other rules (unknown, greedy-custom, equal shares) are not greedy references.
 */
describe('greedy on the pabulib reference files, through the CLI', () => {
  // Test names need the META rule at collection time: read it, and whether PROJECTS has `selected`, cheaply.
  const head = new Map(
    FILES.map((file) => {
      const text = readFileSync(resolve(PABULIB, file), 'utf8');
      const projects = text.slice(0, text.indexOf('\nVOTES'));
      return [
        file,
        {
          rule: /^rule;(.*)$/m.exec(projects)?.[1]?.trim(),
          selected: /^project_id;.*selected/m.test(projects),
        },
      ];
    }),
  );
  const ruleOf = (file: string) => head.get(file)?.rule;
  const comparable = (rule: string) => (file: string) =>
    ruleOf(file) === rule && head.get(file)?.selected === true;
  const byFile = new Map<string, Instance>();
  let greedy: Line[] = [];
  const official = (file: string) =>
    byFile
      .get(file)
      ?.projects.filter((p) => p.fields.has('selected') && p.fields.get('selected') !== '0')
      .map((p) => p.id)
      .sort();
  const greedyReferences = FILES.filter((f) => ['greedy', 'greedy-threshold'].some((r) => comparable(r)(f)));

  beforeAll(async () => {
    for (const file of FILES)
      if (head.get(file)?.selected)
        byFile.set(file, parsePabulib(readFileSync(resolve(PABULIB, file), 'utf8')));
    greedy = await cli([
      ...FILES.map((f) => resolve(PABULIB, f)),
      '--rule',
      'greedy',
      '--minimum-support',
      'meta',
      '--json',
    ]);
  }, 60_000);

  it('prints one JSON line per file, in the documented shape', () => {
    expect(greedy).toHaveLength(FILES.length);
    for (const line of greedy) {
      expect(Object.keys(line)).toEqual(['file', 'rule', 'selected', 'seconds']);
      expect(line.rule).toBe('greedy');
      expect(typeof line.seconds).toBe('number');
    }
  });

  it('has greedy references among the fixtures, with and without a threshold', () => {
    expect(greedyReferences.filter(comparable('greedy')).length).toBeGreaterThanOrEqual(3);
    expect(greedyReferences.filter(comparable('greedy-threshold'))).toHaveLength(1);
  });

  it.each(greedyReferences)('greedy reproduces the official winners of %s', (file) => {
    const line = greedy.find((l) => l.file.endsWith(file));
    expect(official(file)?.length).toBeGreaterThan(0);
    expect([...(line?.selected ?? [])].sort()).toEqual(official(file));
  });
});

describe('bp count --check DIR', () => {
  it('round-trips every file of a folder and compares the official greedy winners, with a summary line', async () => {
    const { stdout } = await run(
      process.execPath,
      [resolve(REPO, 'bin', 'bp.js'), 'count', '--check', PABULIB],
      { cwd: REPO },
    );
    const lines = stdout.trim().split('\n');
    expect(lines.at(-1)).toBe(
      `count --check: files=${FILES.length} round_trip_ok=${FILES.length} official_compared=4 failures=0`,
    );
    expect(lines.find((l) => l.includes('Poland_Lodz_2020'))).toMatch(/^ok .*greedy=lauréats officiels$/);
  });

  it('fails, naming the file, when a published winner list does not match the count', async () => {
    // Prepare: a copy of a greedy reference whose official winners are tampered with (one more project selected).
    const dir = mkdtempSync(join(tmpdir(), 'bp-check-'));
    try {
      const text = readFileSync(resolve(PABULIB, 'Poland_Warszawa_2017_Zerzen.pb'), 'utf8');
      const instance = parsePabulib(text);
      const loser = instance.projects.find((p) => p.fields.get('selected') === '0');
      expect(loser).toBeDefined();
      const tampered = text.replace(
        new RegExp(`^(${loser?.id};[^\\r\\n]*;)0(\\r?)$`, 'm'),
        (_line, start: string, end: string) => `${start}1${end}`,
      );
      expect(tampered).not.toBe(text);
      writeFileSync(join(dir, 'tampered.pb'), tampered);
      // Act
      const failure = await run(process.execPath, [resolve(REPO, 'bin', 'bp.js'), 'count', '--check', dir], {
        cwd: REPO,
      }).catch((error: { code: number; stdout: string }) => error);
      // Assess
      expect('code' in failure ? failure.code : 0).toBe(1);
      expect(failure.stdout).toMatch(/^ÉCHEC {2}tampered\.pb .*attendu/m);
      expect(failure.stdout).toMatch(/failures=1$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
