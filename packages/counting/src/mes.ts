import { type Fraction, fraction, gcd } from './fraction.ts';
import type { ApprovalProfile } from './support.ts';

/**
 * The Method of Equal Shares with cost utilities, as pabutools 1.2.3 `method_of_equal_shares` (resolute,
 * `Cost_Sat`, `mes_inner_algo`): every voter starts with budget / n (n counts empty ballots); each round funds
 * the project with the smallest affordability factor rho, where a supporter pays min(budget, rho x cost) and
 * the payments add up to the cost; ties go to the tie-break; a project whose supporters hold less than its cost
 * is dropped; the rule stops when no project is affordable. Projects without supporters, and free ones (their
 * cost utility is 0), are never selected.
 *
 * Exactness and speed: voters are grouped by identical ballots (profile groups), and groups by identical
 * remaining budget ("budget classes"): every budget is an exact rational numerator over one common denominator
 * D, so a supporter test is one BigInt multiplication and a project's supporters are scanned with typed arrays.
 * Like pabutools, projects are visited in the order of their last known rho (it can only grow) and the scan
 * stops as soon as that lower bound exceeds the best rho of the round.
 */

export interface MesInput {
  readonly profile: ApprovalProfile;
  readonly costs: readonly bigint[];
  readonly tieRanks: Int32Array;
  /** Projects taking part; those without supporters are reported as such. */
  readonly candidates: readonly number[];
  /** What the voters share, in 10^-decimals currency units: each starts with budget / n. */
  readonly budget: bigint;
  /** `mes-add1`: 10^-decimals units added to every voter's initial budget. */
  readonly extraPerVoter?: bigint;
  /** Give up, reporting `infeasible`, as soon as the spending exceeds this (the iterated variant only needs to know). */
  readonly limit?: bigint;
  readonly incompatible?: readonly (readonly number[])[];
  readonly alreadySelected?: ReadonlySet<number>;
}

export interface MesRound {
  readonly project: number;
  /** 1-based. */
  readonly round: number;
  /** What each supporter who could afford it paid, in 10^-decimals currency units (exact). */
  readonly price: Fraction;
  /** The affordability factor: price / cost. */
  readonly rho: Fraction;
  readonly supporters: number;
  /** Supporters whose whole remaining budget was less than the price: they paid all they had. */
  readonly paidAllTheyHad: number;
}

export interface MesOutcome {
  readonly selected: number[];
  readonly spent: bigint;
  readonly rounds: MesRound[];
  readonly infeasible: boolean;
  readonly budgetPerVoter: Fraction;
  readonly unsupported: number[];
  /** Free projects: no utility under cost utilities, left to the completion. */
  readonly free: number[];
  readonly excluded: { readonly project: number; readonly by: number }[];
  /** Total budget left to the supporters of each candidate that was not selected, at the end. */
  readonly supportersBudget: () => Map<number, Fraction>;
}

const ZERO_CLASS = 0;

/**
 * Voters grouped by remaining budget. Values are numerators over a common denominator D that grows each round
 * (D x number of payers, reduced); rather than rescale every class each round, a class keeps the numerator of
 * the round it was last read in, and `factors[e]` = D / D_e brings it up to date when it is read again.
 */
class BudgetClasses {
  denominator: bigint;
  private numerators: bigint[];
  private epochs: number[];
  private factors: bigint[] = [1n];
  population: number[];
  /** Live classes by increasing value; the empty purse first. */
  sorted: number[];
  rankOf = new Int32Array(16);

  constructor(initial: bigint, denominator: bigint, voters: number) {
    this.denominator = denominator;
    this.numerators = [0n, initial];
    this.epochs = [0, 0];
    this.population = [0, voters];
    this.sorted = [ZERO_CLASS, 1];
    this.rankOf[1] = 1;
  }

  get size(): number {
    return this.numerators.length;
  }

  value(c: number): bigint {
    const epoch = this.epochs[c] as number;
    const current = this.factors.length - 1;
    if (epoch === current) return this.numerators[c] as bigint;
    const value = (this.numerators[c] as bigint) * (this.factors[epoch] as bigint);
    this.numerators[c] = value;
    this.epochs[c] = current;
    return value;
  }

  /** D becomes D x factor: every value's numerator is (lazily) multiplied by it. */
  scale(factor: bigint): void {
    if (factor === 1n) return;
    this.denominator *= factor;
    for (let e = 0; e < this.factors.length; e++) this.factors[e] = (this.factors[e] as bigint) * factor;
    this.factors.push(1n);
  }

  add(value: bigint): number {
    this.numerators.push(value);
    this.epochs.push(this.factors.length - 1);
    this.population.push(0);
    return this.numerators.length - 1;
  }

  /**
   * New order after a payment: `paid` (new classes, in the order of the classes they came from, hence by value)
   * are placed among the classes that did not pay by binary search, which keep their order.
   */
  reorder(paid: readonly number[]): void {
    const kept = this.sorted.filter((c) => c !== ZERO_CLASS && (this.population[c] as number) > 0);
    const merged: number[] = [ZERO_CLASS];
    let from = 0;
    for (const c of paid) {
      const value = this.value(c);
      let lo = from;
      let hi = kept.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (this.value(kept[mid] as number) <= value) lo = mid + 1;
        else hi = mid;
      }
      for (let i = from; i < lo; i++) merged.push(kept[i] as number);
      merged.push(c);
      from = lo;
    }
    for (let i = from; i < kept.length; i++) merged.push(kept[i] as number);
    this.sorted = merged;
    if (this.rankOf.length < this.size) this.rankOf = new Int32Array(this.size * 2);
    merged.forEach((c, r) => {
      this.rankOf[c] = r;
    });
  }

  /** Renumbers the live classes in value order, merging equal values; returns old id -> new id. */
  compact(): Int32Array {
    const renumber = new Int32Array(this.size).fill(-1);
    const numerators: bigint[] = [];
    const population: number[] = [];
    for (const c of this.sorted) {
      const value = this.value(c);
      const last = numerators.length - 1;
      if (last >= 0 && numerators[last] === value) {
        renumber[c] = last;
        population[last] = (population[last] as number) + (this.population[c] as number);
      } else {
        renumber[c] = numerators.length;
        numerators.push(value);
        population.push(this.population[c] as number);
      }
    }
    this.numerators = numerators;
    this.population = population;
    this.factors = [1n];
    this.epochs = numerators.map(() => 0);
    this.sorted = numerators.map((_, c) => c);
    this.sorted.forEach((c, r) => {
      this.rankOf[c] = r;
    });
    return renumber;
  }
}

export function runMes(input: MesInput): MesOutcome {
  const { profile, costs, tieRanks } = input;
  const n = profile.voters;
  const { multiplicity, projectOffsets, projectGroups, approvals } = profile;

  const initial = input.budget + (input.extraPerVoter ?? 0n) * BigInt(n);
  const budgetPerVoter = fraction(initial, BigInt(Math.max(n, 1)));
  let voters = 0;
  for (let g = 0; g < profile.groups; g++) voters += multiplicity[g] as number;
  const classes = new BudgetClasses(initial, BigInt(Math.max(n, 1)), voters);
  const classOf = new Int32Array(profile.groups).fill(1);
  let histogram = new Float64Array(16);
  let remap = new Int32Array(16).fill(-1);
  let paidAll = new Uint8Array(16);

  const selected: number[] = [];
  const rounds: MesRound[] = [];
  const unsupported: number[] = [];
  const excluded: { project: number; by: number }[] = [];
  const taken = new Set(input.alreadySelected ?? []);
  const active = new Set<number>();
  const rhoNum: bigint[] = [];
  const rhoDen: bigint[] = [];
  let spent = 0n;
  let infeasible = false;

  const blockedBy = (p: number) => input.incompatible?.[p]?.find((q) => taken.has(q));
  const select = (p: number) => {
    selected.push(p);
    taken.add(p);
    spent += costs[p] as bigint;
    for (const q of input.incompatible?.[p] ?? []) {
      if (active.delete(q)) excluded.push({ project: q, by: p });
    }
  };

  // Cost utilities give a free project a utility of 0 for everyone: pabutools never lets MES select it (the
  // greedy completion does, since it always fits).
  const free: number[] = [];
  for (const p of input.candidates) {
    const by = blockedBy(p);
    if (by !== undefined) excluded.push({ project: p, by });
    else if ((approvals[p] as number) === 0) unsupported.push(p);
    else if ((costs[p] as bigint) === 0n) free.push(p);
    else {
      active.add(p);
      rhoNum[p] = 1n;
      rhoDen[p] = BigInt(approvals[p] as number);
    }
  }

  const touched: number[] = [];
  interface Evaluation {
    /** price = share / (rich x D), in 10^-decimals currency units. */
    share: bigint;
    rich: number;
  }

  /** Smallest rho for p given the current budgets, or undefined when its supporters cannot pay its cost. */
  const evaluate = (p: number): Evaluation | undefined => {
    const cost = costs[p] as bigint;
    const start = projectOffsets[p] as number;
    const end = projectOffsets[p + 1] as number;
    for (let k = start; k < end; k++) {
      const g = projectGroups[k] as number;
      const c = classOf[g] as number;
      if (histogram[c] === 0) touched.push(c);
      histogram[c] = (histogram[c] as number) + (multiplicity[g] as number);
    }
    // Visit the supporters' classes from the poorest: sort the few touched ones, or walk all classes in order.
    let order: readonly number[];
    if (touched.length * 16 < classes.sorted.length) {
      const rankOf = classes.rankOf;
      touched.sort((a, b) => (rankOf[a] as number) - (rankOf[b] as number));
      order = touched;
    } else {
      order = classes.sorted;
    }
    // What the supporters not yet visited must still pay, over D.
    let due = cost * classes.denominator;
    let rich = approvals[p] as number;
    let found: Evaluation | undefined;
    for (const c of order) {
      const h = histogram[c] as number;
      if (h === 0) continue;
      if (c !== ZERO_CLASS) {
        const value = classes.value(c);
        // Can everyone left pay an equal share of what remains? The poorest left decides.
        if (due <= BigInt(rich) * value) {
          found = { share: due, rich };
          break;
        }
        due -= BigInt(h) * value;
      }
      rich -= h;
    }
    for (const c of touched) histogram[c] = 0;
    touched.length = 0;
    return found;
  };

  const fund = (p: number, evaluation: Evaluation, round: number) => {
    const cost = costs[p] as bigint;
    let share = evaluation.share;
    let rich = BigInt(evaluation.rich);
    const common = gcd(share, rich);
    share /= common;
    rich /= common;
    // The price share / (rich x D) becomes an integer numerator over the new common denominator D x rich.
    classes.scale(rich);
    const price = share;
    let poor = 0;
    const start = projectOffsets[p] as number;
    const end = projectOffsets[p + 1] as number;
    const moved: number[] = [];
    for (let k = start; k < end; k++) {
      const g = projectGroups[k] as number;
      const c = classOf[g] as number;
      let next = remap[c] as number;
      if (next === -1) {
        const value = classes.value(c);
        const left = value - price;
        next = left <= 0n ? ZERO_CLASS : classes.add(left);
        remap[c] = next;
        paidAll[c] = value < price ? 1 : 0;
        moved.push(c);
      }
      const weight = multiplicity[g] as number;
      if (paidAll[c] === 1) poor += weight;
      classOf[g] = next;
      classes.population[c] = (classes.population[c] as number) - weight;
      classes.population[next] = (classes.population[next] as number) + weight;
    }

    // The classes that paid in full lost the same price, so they keep their order among themselves.
    const rankOf = classes.rankOf;
    moved.sort((a, b) => (rankOf[a] as number) - (rankOf[b] as number));
    const paid: number[] = [];
    for (const c of moved) {
      const next = remap[c] as number;
      if (next !== ZERO_CLASS) paid.push(next);
      remap[c] = -1;
    }
    classes.reorder(paid);
    if (classes.sorted.length * 2 < classes.size) {
      const renumber = classes.compact();
      for (let g = 0; g < classOf.length; g++) classOf[g] = renumber[classOf[g] as number] as number;
    }
    if (classes.size > histogram.length) {
      histogram = new Float64Array(classes.size * 2);
      remap = new Int32Array(classes.size * 2).fill(-1);
      paidAll = new Uint8Array(classes.size * 2);
    }

    const denominator = classes.denominator;
    rounds.push({
      project: p,
      round,
      // Left unreduced: Euclid on numbers of hundreds of bits costs more than the whole round.
      price: { num: price, den: denominator },
      rho: { num: price, den: denominator * cost },
      supporters: approvals[p] as number,
      paidAllTheyHad: poor,
    });
  };

  // Active projects by last known rho, ascending; rho only grows as budgets shrink, so it is a lower bound.
  const lessRho = (a: number, b: number) =>
    (rhoNum[a] as bigint) * (rhoDen[b] as bigint) < (rhoNum[b] as bigint) * (rhoDen[a] as bigint);
  const insert = (list: number[], p: number) => {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (lessRho(p, list[mid] as number)) hi = mid;
      else lo = mid + 1;
    }
    list.splice(lo, 0, p);
  };
  let queue: number[] = [];
  for (const p of active) insert(queue, p);
  for (let round = 1; queue.length > 0; round++) {
    let best: { project: number; evaluation: Evaluation } | undefined;
    const evaluated: number[] = [];
    let scanned = 0;
    for (; scanned < queue.length; scanned++) {
      const p = queue[scanned] as number;
      if (best && lessRho(best.project, p)) break;
      const evaluation = evaluate(p);
      if (!evaluation) {
        active.delete(p); // its supporters cannot pay its cost now, nor later
        continue;
      }
      rhoNum[p] = evaluation.share;
      rhoDen[p] = BigInt(evaluation.rich) * classes.denominator * (costs[p] as bigint);
      evaluated.push(p);
      if (
        !best ||
        lessRho(p, best.project) ||
        (!lessRho(best.project, p) && (tieRanks[p] as number) < (tieRanks[best.project] as number))
      ) {
        best = { project: p, evaluation };
      }
    }
    if (!best) break;
    const winner = best.project;
    fund(winner, best.evaluation, round);
    active.delete(winner);
    select(winner);
    // Projects not scanned keep their place; scanned ones that survive go back at their new rho.
    const rest = queue.slice(scanned).filter((p) => active.has(p));
    queue = rest;
    for (const p of evaluated) if (p !== winner && active.has(p)) insert(queue, p);
    if (input.limit !== undefined && spent > input.limit) {
      infeasible = true;
      break;
    }
  }

  // Only the explanation of the final outcome needs this: computed on demand, per budget class.
  const supportersBudget = () => {
    const left = new Map<number, Fraction>();
    for (const p of input.candidates) {
      if (taken.has(p) || (approvals[p] as number) === 0 || (costs[p] as bigint) === 0n) continue;
      for (let k = projectOffsets[p] as number; k < (projectOffsets[p + 1] as number); k++) {
        const g = projectGroups[k] as number;
        const c = classOf[g] as number;
        if (histogram[c] === 0) touched.push(c);
        histogram[c] = (histogram[c] as number) + (multiplicity[g] as number);
      }
      let total = 0n;
      for (const c of touched) {
        total += BigInt(histogram[c] as number) * classes.value(c);
        histogram[c] = 0;
      }
      touched.length = 0;
      left.set(p, { num: total, den: classes.denominator });
    }
    return left;
  };

  return {
    selected,
    spent,
    rounds,
    infeasible,
    budgetPerVoter,
    unsupported,
    free,
    excluded,
    supportersBudget,
  };
}
