import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareCodePoints,
  count,
  createInstance,
  fractionToDecimal,
  type Instance,
  parsePabulib,
  type RuleName,
} from '../../shared/counting/index.ts';

const PABULIB = resolve(import.meta.dirname, '..', 'fixtures', 'pabulib');

/**
 * A literal port of pabutools 1.2.3 (`pabutools/rules/mes/mes_rule.py`: `method_of_equal_shares_scheme` and
 * `mes_inner_algo`, resolute, `Cost_Sat`; `exhaustion.py`: `completion_by_rule_combination`;
 * `greedywelfare_rule.py`: `greedy_utilitarian_scheme_additive`), one voter at a time with exact fractions.
 * It is slow and simple on purpose: the library's grouped, lazy implementation must give the same outcome.
 */
interface Q {
  n: bigint;
  d: bigint;
}
const gcd = (a: bigint, b: bigint): bigint => {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y) [x, y] = [y, x % y];
  return x;
};
const q = (n: bigint, d = 1n): Q => {
  const g = gcd(n, d) || 1n;
  return d < 0n ? { n: -n / g, d: -d / g } : { n: n / g, d: d / g };
};
const sub = (a: Q, b: Q) => q(a.n * b.d - b.n * a.d, a.d * b.d);
const add = (a: Q, b: Q) => q(a.n * b.d + b.n * a.d, a.d * b.d);
const mul = (a: Q, b: Q) => q(a.n * b.n, a.d * b.d);
const div = (a: Q, b: Q) => q(a.n * b.d, a.d * b.n);
const cmp = (a: Q, b: Q) => {
  const l = a.n * b.d;
  const r = b.n * a.d;
  return l < r ? -1 : l > r ? 1 : 0;
};

interface Plain {
  budget: bigint;
  projects: { id: string; cost: bigint }[];
  ballots: string[][];
}

function referenceMes(e: Plain, increment: bigint | undefined): string[] {
  const n = BigInt(e.ballots.length);
  let initial = q(e.budget, n);
  const voters = e.ballots.map((b) => ({ ballot: new Set(b), budget: initial }));
  const mesProjects = e.projects
    .map((p) => {
      const supporters = voters.flatMap((v, i) => (v.ballot.has(p.id) ? [i] : []));
      const totalSat = p.cost * BigInt(supporters.length);
      return {
        ...p,
        supporters,
        totalSat,
        initialAff: totalSat > 0n ? q(p.cost, totalSat) : q(0n),
        aff: q(0n),
      };
    })
    .filter((p) => p.totalSat > 0n && p.cost > 0n);
  const inner = (): string[] => {
    const alloc: string[] = [];
    const projects = new Set(mesProjects);
    for (;;) {
      let tied: typeof mesProjects = [];
      let best: Q | undefined;
      for (const project of [...projects].sort((a, b) => cmp(a.aff, b.aff))) {
        const available = project.supporters.reduce(
          (s, i) => add(s, (voters[i] as { budget: Q }).budget),
          q(0n),
        );
        if (cmp(available, q(project.cost)) < 0) {
          projects.delete(project);
          continue;
        }
        if (best && cmp(project.aff, best) > 0) break;
        project.supporters.sort((a, b) =>
          cmp((voters[a] as { budget: Q }).budget, (voters[b] as { budget: Q }).budget),
        );
        let current = q(0n);
        let denominator = q(project.totalSat);
        for (const i of project.supporters) {
          const voter = voters[i] as { budget: Q };
          const factor = div(sub(q(project.cost), current), denominator);
          if (cmp(mul(factor, q(project.cost)), voter.budget) <= 0) {
            project.aff = factor;
            if (!best || cmp(factor, best) < 0) {
              best = factor;
              tied = [project];
            } else if (cmp(factor, best) === 0) {
              tied.push(project);
            }
            break;
          }
          current = add(current, voter.budget);
          denominator = sub(denominator, q(project.cost));
        }
      }
      if (!best || tied.length === 0) return alloc;
      const chosen = [...tied].sort((a, b) => compareCodePoints(a.id, b.id))[0] as (typeof tied)[number];
      alloc.push(chosen.id);
      projects.delete(chosen);
      const price = mul(best, q(chosen.cost));
      for (const i of chosen.supporters) {
        const voter = voters[i] as { budget: Q };
        voter.budget = sub(voter.budget, cmp(voter.budget, price) < 0 ? voter.budget : price);
      }
    }
  };
  const costOf = new Map(e.projects.map((p) => [p.id, p.cost]));
  const total = (ids: string[]) => ids.reduce((s, id) => s + (costOf.get(id) as bigint), 0n);
  let previous: string[] = [];
  for (;;) {
    for (const v of voters) v.budget = initial;
    for (const p of mesProjects) p.aff = p.initialAff;
    const outcome = inner();
    if (increment === undefined) return outcome;
    if (total(outcome) > e.budget) return previous;
    const left = e.budget - total(outcome);
    if (mesProjects.every((p) => outcome.includes(p.id) || p.cost > left)) return outcome;
    initial = add(initial, q(increment));
    previous = outcome;
  }
}

function referenceGreedyCompletion(e: Plain, initial: string[]): string[] {
  const costOf = new Map(e.projects.map((p) => [p.id, p.cost]));
  let left = e.budget - initial.reduce((s, id) => s + (costOf.get(id) as bigint), 0n);
  if (e.projects.every((p) => initial.includes(p.id) || p.cost > left)) return initial;
  const votes = (id: string) => e.ballots.filter((b) => new Set(b).has(id)).length;
  const density = (p: { id: string; cost: bigint }) => (p.cost > 0n ? votes(p.id) : 0);
  const order = e.projects
    .filter((p) => !initial.includes(p.id))
    .sort((a, b) => compareCodePoints(a.id, b.id))
    .map((p, index) => ({ p, index }))
    .sort((a, b) => density(b.p) - density(a.p) || a.index - b.index);
  const result = [...initial];
  for (const { p } of order) {
    if (p.cost <= left) {
      result.push(p.id);
      left -= p.cost;
    }
  }
  return result;
}

function reference(e: Plain, rule: RuleName): string[] {
  if (rule === 'mes-raw') return referenceMes(e, undefined);
  if (rule === 'mes-add1-raw') return referenceMes(e, 1n);
  if (rule === 'mes') return referenceGreedyCompletion(e, referenceMes(e, undefined));
  if (rule === 'mes-add1') return referenceGreedyCompletion(e, referenceMes(e, 1n));
  throw new Error(rule);
}

const toInstance = (e: Plain): Instance =>
  createInstance({
    budget: e.budget,
    projects: e.projects.map((p) => ({ id: p.id, cost: p.cost })),
    ballots: e.ballots,
  });

const MES_RULES: RuleName[] = ['mes-raw', 'mes', 'mes-add1-raw', 'mes-add1'];

/** Small instances full of ties: few voters, few distinct costs, ids that sort differently as strings. */
const plainInstance = fc
  .record({
    costs: fc.array(fc.constantFrom(0n, 10n, 20n, 30n, 40n, 60n, 90n), { minLength: 1, maxLength: 7 }),
    ballots: fc.array(fc.array(fc.nat(6), { maxLength: 4 }), { minLength: 1, maxLength: 12 }),
    budget: fc.bigInt({ min: 0n, max: 200n }),
  })
  .map(({ costs, ballots, budget }): Plain => {
    const ids = costs.map((_, i) => String(i === 1 ? 10 : i + 2));
    return {
      budget,
      projects: costs.map((cost, i) => ({ id: ids[i] as string, cost })),
      ballots: ballots.map((b) => b.filter((i) => i < ids.length).map((i) => ids[i] as string)),
    };
  });

describe('Method of Equal Shares', () => {
  it('matches a literal port of pabutools on random small instances, ties included', () => {
    fc.assert(
      fc.property(plainInstance, fc.constantFrom(...MES_RULES), (e, rule) => {
        expect(count(toInstance(e), { rule }).selected).toEqual(reference(e, rule));
      }),
      { numRuns: 400 },
    );
  });

  it('funds the project whose supporters pay the smallest equal share, by hand', () => {
    // Prepare: B = 90, n = 3, each voter holds 30. A (cost 60) is liked by v1, v2: 30 each, rho = 1/2.
    // B (cost 30) by v3 alone: 30, rho = 1. C (cost 30) by v1, v3.
    const instance = createInstance({
      budget: 90,
      projects: [
        { id: 'A', cost: 60 },
        { id: 'B', cost: 30 },
        { id: 'C', cost: 30 },
      ],
      ballots: [['A', 'C'], ['A'], ['B', 'C']],
    });
    // Act
    const result = count(instance, { rule: 'mes-raw' });
    // Assess: C first (15 each, rho = 1/2 ties A; "A" < "C" wins the tie). A costs 30 to v1 and v2 (rho 1/2):
    // round 1 A, v1 and v2 spent. Then B: v3 pays 30. C: v1 has 0, v3 has 0: unaffordable.
    expect(result.selected).toEqual(['A', 'B']);
    const a = result.explanations.get('A');
    expect(a?.mes?.round).toBe(1);
    expect(a?.mes?.price && fractionToDecimal(a.mes.price, 2).text).toBe('30.00');
    expect(result.explanations.get('C')?.status).toBe('unaffordable');
    expect(result.explanations.get('C')?.mes?.supportersBudget?.num).toBe(0n);
  });

  it('lets a poor supporter pay all they have and the others share the rest', () => {
    // Prepare: B = 100, n = 4, 25 each. X (cost 20) liked by v1: v1 pays 20 and keeps 5.
    // Y (cost 65) liked by v1..v4 after X: v1 pays its 5, the three others 20 each (rho = 20/65).
    const instance = createInstance({
      budget: 100,
      projects: [
        { id: 'X', cost: 20 },
        { id: 'Y', cost: 65 },
      ],
      ballots: [['X', 'Y'], ['Y'], ['Y'], ['Y']],
    });
    const result = count(instance, { rule: 'mes-raw' });
    // rho(X) = 20/20 = 1 and rho(Y) = 1/4 at first: Y goes first at 16.25 each; then X: v1 has 8.75 < 20.
    expect(result.selected).toEqual(['Y']);
    const y = result.explanations.get('Y');
    expect(y?.mes?.price && fractionToDecimal(y.mes.price, 2).text).toBe('16.25');
    expect(y?.mes?.paidAllTheyHad).toBe(0);

    const reversed = createInstance({
      budget: 100,
      projects: [
        { id: 'X', cost: 20 },
        { id: 'Y', cost: 90 },
      ],
      ballots: [
        ['X', 'Y'],
        ['X', 'Y'],
        ['X', 'Y'],
        ['Y', 'X'],
      ],
    });
    // X: 5 each (rho 1/4), then Y costs 90 but the four hold 80: unaffordable.
    expect(count(reversed, { rule: 'mes-raw' }).selected).toEqual(['X']);
    expect(count(reversed, { rule: 'mes-raw' }).explanations.get('Y')?.status).toBe('unaffordable');
  });

  it('breaks an exact tie by project id as strings, "10" before "9"', () => {
    // Prepare: B = 20, n = 4, 5 each; three projects of cost 10, each liked by two voters: rho = 1/2 for all.
    const instance = createInstance({
      budget: 20,
      projects: [
        { id: '9', cost: 10 },
        { id: '10', cost: 10 },
        { id: '11', cost: 10 },
      ],
      ballots: [['9', '11'], ['9'], ['10', '11'], ['10']],
    });
    expect(count(instance, { rule: 'mes-raw' }).selected[0]).toBe('10');
    expect(count(instance, { rule: 'mes-raw', tieBreak: { kind: 'lower-cost' } }).selected[0]).toBe('10');
    expect(
      count(instance, { rule: 'mes-raw', tieBreak: { kind: 'order', order: ['11', '9', '10'] } }).selected[0],
    ).toBe('11');
  });

  it('counts empty ballots in n: they hold a share nobody spends', () => {
    const base = { projects: [{ id: 'A', cost: 60 }], budget: 100 };
    // Two voters: 50 each, A costs 60 > 50 liked by one voter: unaffordable.
    expect(count(createInstance({ ...base, ballots: [['A'], ['A']] }), { rule: 'mes-raw' }).selected).toEqual(
      ['A'],
    );
    expect(count(createInstance({ ...base, ballots: [['A'], []] }), { rule: 'mes-raw' }).selected).toEqual(
      [],
    );
  });

  it('raises every share by one currency unit until the outcome is exhaustive (mes-add1)', () => {
    // B = 100, n = 2 (50 each). A (60) liked by v1 only is unaffordable and 60 stays unspent after B (40):
    // not exhaustive. At +10 each, v1 holds 60: A and B both have rho = 1, "A" wins the tie, then B; 100 spent.
    const instance = createInstance({
      budget: 100,
      projects: [
        { id: 'A', cost: 60 },
        { id: 'B', cost: 40 },
      ],
      ballots: [['A'], ['B']],
    });
    const result = count(instance, { rule: 'mes-add1-raw' });
    expect(result.selected).toEqual(['A', 'B']);
    expect(result.mes?.increments).toBe(10);
    expect(count(instance, { rule: 'mes-raw' }).selected).toEqual(['B']);
  });

  it('reproduces the cities that decided with MES and add1 (Świecie 2023, Assen 2024)', () => {
    // Świecie funded mes-add1 completed by greedy; Assen stopped after the add1 iterations.
    const cases: [string, RuleName][] = [
      ['Poland_Swiecie_2023.pb', 'mes-add1'],
      ['Netherlands_Assen_2024.pb', 'mes-add1-raw'],
    ];
    for (const [file, rule] of cases) {
      const instance = parsePabulib(readFileSync(resolve(PABULIB, file), 'utf8'));
      const official = instance.projects.filter((p) => p.fields.get('selected') === '1').map((p) => p.id);
      expect([...count(instance, { rule }).selected].sort(), file).toEqual(official.sort());
    }
  });

  it('matches the pabutools port on real files, in selection order', () => {
    // Assen for every MES rule (843 add1 steps); two larger approval files for mes-raw and mes.
    const cases: [string, RuleName[]][] = [
      ['Netherlands_Assen_2024.pb', MES_RULES],
      ['Poland_Wieliczka_2023_Green_Budget.pb', ['mes-raw', 'mes']],
      ['Poland_Swiecie_2023.pb', ['mes-raw', 'mes']],
    ];
    for (const [file, rules] of cases) {
      const instance = parsePabulib(readFileSync(resolve(PABULIB, file), 'utf8'));
      const { offsets, projects } = instance.ballots;
      const plain: Plain = {
        budget: instance.budget,
        projects: instance.projects.map((p) => ({ id: p.id, cost: p.cost })),
        ballots: Array.from({ length: instance.ballots.count }, (_, b) =>
          Array.from(projects.subarray(offsets[b], offsets[b + 1])).map(
            (p) => instance.projects[p]?.id as string,
          ),
        ),
      };
      for (const rule of rules)
        expect(count(instance, { rule }).selected, `${file} ${rule}`).toEqual(reference(plain, rule));
    }
  }, 30_000);
});
