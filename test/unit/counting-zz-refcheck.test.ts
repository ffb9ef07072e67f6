import { readdirSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import {
  compareCodePoints,
  count,
  createInstance,
  type Instance,
  parsePabulib,
  type RuleName,
} from '../../shared/counting/index.ts';

const PABULIB = '/work/shared/data/pabulib';
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

it('all small files', () => {
  const files = readdirSync(PABULIB).filter(
    (f) => f.endsWith('.pb') && statSync(resolve(PABULIB, f)).size < Number(process.env.MAXSIZE ?? 300000),
  );
  for (const f of files) {
    const instance = parsePabulib(readFileSync(resolve(PABULIB, f), 'utf8'));
    const plain: Plain = {
      budget: instance.budget,
      projects: instance.projects.map((p) => ({ id: p.id, cost: p.cost })),
      ballots: Array.from({ length: instance.ballots.count }, (_, b) =>
        Array.from(
          instance.ballots.projects.subarray(instance.ballots.offsets[b], instance.ballots.offsets[b + 1]),
        ).map((p) => instance.projects[p]?.id as string),
      ),
    };
    for (const rule of (process.env.RULES ?? 'mes-raw,mes').split(',') as RuleName[]) {
      if (!rule.endsWith('raw') && !['approval', 'choose-1'].includes(instance.voteType)) continue;
      const t = performance.now();
      const mine = count(instance, { rule }).selected;
      const t1 = performance.now();
      const ref = reference(plain, rule);
      const t2 = performance.now();
      console.log(
        f.slice(0, 40),
        rule,
        JSON.stringify(mine) === JSON.stringify(ref)
          ? 'SAME'
          : 'DIFF ' + mine.join(',') + ' | ' + ref.join(','),
        ((t1 - t) / 1000).toFixed(2),
        ((t2 - t1) / 1000).toFixed(2),
      );
      expect(mine).toEqual(ref);
    }
  }
}, 3_000_000);
