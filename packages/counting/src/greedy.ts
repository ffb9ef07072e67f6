/**
 * Greedy rules, as pabutools 1.2.3 `greedy_utilitarian_welfare` (additive satisfaction, resolute): projects are
 * ordered once by a score, descending, ties by the tie-break, and each one that still fits the remaining
 * budget is taken. Projects without support are not dropped: they come last and are taken if they fit, as in
 * pabutools.
 */

export type GreedyOrder = 'support' | 'per-cost';

export type GreedyStatus = 'selected' | 'does-not-fit' | 'stopped' | 'excluded';

export interface GreedyStep {
  readonly project: number;
  /** 1-based position in the greedy order of this run. */
  readonly rank: number;
  /** Budget left when the project was reached, before it was taken. */
  readonly budgetLeft: bigint;
  readonly status: GreedyStatus;
  /** For `excluded`: the selected project it is incompatible with. */
  readonly excludedBy?: number;
}

export interface GreedyInput {
  readonly costs: readonly bigint[];
  readonly support: Float64Array;
  readonly tieRanks: Int32Array;
  /** Projects taking part, in any order. */
  readonly candidates: readonly number[];
  readonly budget: bigint;
  readonly order: GreedyOrder;
  /** `greedy-no-skip`: stop at the first project that does not fit. */
  readonly noSkip?: boolean;
  /** incompatible[p]: projects that cannot win together with p. */
  readonly incompatible?: readonly (readonly number[])[];
  /** Already selected projects (earlier stages), for incompatibilities. */
  readonly alreadySelected?: ReadonlySet<number>;
}

export interface GreedyOutcome {
  readonly selected: number[];
  readonly spent: bigint;
  readonly steps: GreedyStep[];
}

/**
 * The order pabutools uses: `support` is the density of `Cost_Sat` (total satisfaction / cost = number of
 * supporters, 0 for a free project since its cost satisfaction is 0); `per-cost` is the density of
 * `Cardinality_Sat` (supporters / cost, +infinity for a free project with supporters). Exact comparisons.
 */
export function greedyOrder(
  input: Pick<GreedyInput, 'costs' | 'support' | 'tieRanks' | 'candidates' | 'order'>,
) {
  const { costs, support, tieRanks, order } = input;
  const infinite = (p: number) =>
    order === 'per-cost' && (costs[p] as bigint) === 0n && (support[p] as number) > 0;
  const zero = (p: number) =>
    (support[p] as number) === 0 || (order === 'support' && (costs[p] as bigint) === 0n);
  const compare = (a: number, b: number): number => {
    const ia = infinite(a);
    const ib = infinite(b);
    if (ia !== ib) return ia ? -1 : 1;
    const za = zero(a);
    const zb = zero(b);
    if (!ia && !(za && zb)) {
      if (za !== zb) return za ? 1 : -1;
      if (order === 'support') {
        const d = (support[b] as number) - (support[a] as number);
        if (d !== 0) return d;
      } else {
        // support[a] / cost[a] vs support[b] / cost[b], both costs > 0 here.
        const left = BigInt(support[a] as number) * (costs[b] as bigint);
        const right = BigInt(support[b] as number) * (costs[a] as bigint);
        if (left !== right) return left > right ? -1 : 1;
      }
    }
    return (tieRanks[a] as number) - (tieRanks[b] as number);
  };
  return [...input.candidates].sort(compare);
}

export function runGreedy(input: GreedyInput): GreedyOutcome {
  const ordered = greedyOrder(input);
  const selected: number[] = [];
  const steps: GreedyStep[] = [];
  const taken = new Set(input.alreadySelected ?? []);
  let left = input.budget;
  let stopped = false;
  ordered.forEach((p, i) => {
    const rank = i + 1;
    const cost = input.costs[p] as bigint;
    const blocker = input.incompatible?.[p]?.find((q) => taken.has(q));
    if (blocker !== undefined) {
      steps.push({ project: p, rank, budgetLeft: left, status: 'excluded', excludedBy: blocker });
    } else if (stopped) {
      steps.push({ project: p, rank, budgetLeft: left, status: 'stopped' });
    } else if (cost <= left) {
      steps.push({ project: p, rank, budgetLeft: left, status: 'selected' });
      selected.push(p);
      taken.add(p);
      left -= cost;
    } else {
      steps.push({ project: p, rank, budgetLeft: left, status: 'does-not-fit' });
      if (input.noSkip) stopped = true;
    }
  });
  return { selected, spent: input.budget - left, steps };
}
