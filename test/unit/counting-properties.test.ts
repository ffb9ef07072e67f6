import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CountResult,
  count,
  createInstance,
  type Instance,
  type InstanceInput,
  RULES,
  type RuleName,
} from '../../shared/counting/index.ts';

/** Random elections: approval or cumulative ballots, costs with decimals, budgets from nothing to plenty. */
const election = fc
  .record({
    costs: fc.array(fc.integer({ min: 0, max: 12_000 }), { minLength: 1, maxLength: 8 }),
    ballots: fc.array(
      fc.array(fc.record({ project: fc.nat(7), points: fc.integer({ min: 1, max: 3 }) }), { maxLength: 5 }),
      {
        maxLength: 25,
      },
    ),
    budget: fc.integer({ min: 0, max: 40_000 }),
    cumulative: fc.boolean(),
  })
  .map(({ costs, ballots, budget, cumulative }): InstanceInput => {
    const ids = costs.map((_, i) => `p${i}`);
    return {
      budget: (budget / 100).toFixed(2),
      voteType: cumulative ? 'cumulative' : 'approval',
      projects: costs.map((cost, i) => ({ id: ids[i] as string, cost: (cost / 100).toFixed(2) })),
      ballots: ballots.map((b) => {
        const seen = new Map<string, number>();
        for (const { project, points } of b)
          if (project < ids.length) seen.set(ids[project] as string, points);
        return cumulative ? { projects: [...seen.keys()], points: [...seen.values()] } : [...seen.keys()];
      }),
    };
  });

const COMPLETED: RuleName[] = ['greedy', 'greedy-per-cost', 'mes', 'mes-add1'];

function costOf(instance: Instance, id: string): bigint {
  return instance.projects.find((p) => p.id === id)?.cost ?? 0n;
}

interface Q {
  n: bigint;
  d: bigint;
}
const lt = (a: Q, b: Q) => a.n * b.d < b.n * a.d;
const minus = (a: Q, b: Q): Q => ({ n: a.n * b.d - b.n * a.d, d: a.d * b.d });
const plus = (a: Q, b: Q): Q => ({ n: a.n * b.d + b.n * a.d, d: a.d * b.d });

/**
 * Replays the MES rounds one voter at a time: each supporter pays min(budget, price). The payments must add up
 * to the cost exactly and nobody may end below zero: a price nobody could have paid would show here.
 */
function replayMes(instance: Instance, result: CountResult): void {
  const start = result.mes?.budgetPerVoter;
  if (!start) return;
  const budgets: Q[] = Array.from({ length: instance.ballots.count }, () => ({ n: start.num, d: start.den }));
  const ballots = Array.from({ length: instance.ballots.count }, (_, b) => {
    const { offsets, projects } = instance.ballots;
    return new Set(
      Array.from(projects.subarray(offsets[b], offsets[b + 1])).map((p) => instance.projects[p]?.id),
    );
  });
  const funded = [...result.explanations.values()]
    .filter((e) => e.selected && e.mes?.round !== undefined && e.stage === 'main')
    .sort((a, b) => (a.mes?.round ?? 0) - (b.mes?.round ?? 0));
  for (const e of funded) {
    const price = e.mes?.price as { num: bigint; den: bigint };
    let paid: Q = { n: 0n, d: 1n };
    ballots.forEach((ballot, v) => {
      if (!ballot.has(e.id)) return;
      const budget = budgets[v] as Q;
      const pay = lt(budget, { n: price.num, d: price.den }) ? budget : { n: price.num, d: price.den };
      budgets[v] = minus(budget, pay);
      expect((budgets[v] as Q).n >= 0n).toBe(true);
      paid = plus(paid, pay);
    });
    expect(paid.n * 1n).toBe(e.cost * paid.d);
  }
}

describe('counting properties', () => {
  it('never spends more than the budget, with every rule', () => {
    fc.assert(
      fc.property(election, fc.constantFrom(...RULES), (input, rule) => {
        const instance = createInstance(input);
        const result = count(instance, { rule });
        const total = result.selected.reduce((sum, id) => sum + costOf(instance, id), 0n);
        expect(result.spent).toBe(total);
        expect(total <= instance.budget).toBe(true);
        expect(new Set(result.selected).size).toBe(result.selected.length);
        expect(result.explanations.size).toBe(instance.projects.length);
        for (const e of result.explanations.values()) expect(e.selected).toBe(result.selected.includes(e.id));
      }),
      { numRuns: 300 },
    );
  });

  it('leaves no project that would still fit after a completed rule', () => {
    fc.assert(
      fc.property(election, fc.constantFrom(...COMPLETED), (input, rule) => {
        const instance = createInstance(input);
        const result = count(instance, { rule });
        const left = instance.budget - result.spent;
        for (const p of instance.projects)
          if (!result.selected.includes(p.id)) expect(p.cost > left).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('never lets an MES supporter pay more than they hold', () => {
    fc.assert(
      fc.property(
        election,
        fc.constantFrom<RuleName>('mes-raw', 'mes', 'mes-add1-raw', 'mes-add1'),
        (input, rule) => {
          const instance = createInstance(input);
          replayMes(instance, count(instance, { rule }));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives the same outcome every time, whatever the order of ballots and projects', () => {
    fc.assert(
      fc.property(
        election,
        fc.constantFrom(...RULES),
        fc.infiniteStream(fc.double()),
        (input, rule, noise) => {
          const first = count(createInstance(input), { rule });
          expect(count(createInstance(input), { rule })).toEqual(first);
          const shuffle = <T>(xs: readonly T[]) =>
            xs
              .map((x) => ({ x, k: noise.next().value }))
              .sort((a, b) => a.k - b.k)
              .map(({ x }) => x);
          const shuffled = count(
            createInstance({ ...input, projects: shuffle(input.projects), ballots: shuffle(input.ballots) }),
            { rule },
          );
          expect(shuffled.selected).toEqual(first.selected);
        },
      ),
      { numRuns: 200 },
    );
  });
});
