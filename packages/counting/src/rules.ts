import type { Fraction } from './fraction.ts';
import { type GreedyOrder, type GreedyStep, runGreedy } from './greedy.ts';
import { type MesOutcome, type MesRound, runMes } from './mes.ts';
import type { ApprovalProfile } from './support.ts';

export const RULES = [
  'greedy',
  'greedy-per-cost',
  'greedy-no-skip',
  'mes',
  'mes-raw',
  'mes-add1',
  'mes-add1-raw',
] as const;
export type RuleName = (typeof RULES)[number];

export function isRuleName(value: string): value is RuleName {
  return (RULES as readonly string[]).includes(value);
}

export function isMesRule(rule: RuleName): boolean {
  return rule.startsWith('mes');
}

/** What one stage needs: the projects competing, the money they compete for and the prepared data. */
export interface StageInput {
  readonly rule: RuleName;
  readonly costs: readonly bigint[];
  readonly support: Float64Array;
  readonly tieRanks: Int32Array;
  /** Built on first use: greedy rules do not need it. */
  readonly profile: () => ApprovalProfile;
  readonly candidates: readonly number[];
  readonly budget: bigint;
  /** One currency unit in instance units (10^decimals): the step of `mes-add1`. */
  readonly unit: bigint;
  readonly incompatible?: readonly (readonly number[])[];
  readonly alreadySelected?: ReadonlySet<number>;
}

export interface StageOutcome {
  /** In selection order. */
  readonly selected: number[];
  readonly spent: bigint;
  /** The greedy pass: the whole rule for greedy rules, the completion for `mes` and `mes-add1`. */
  readonly greedy?: GreedyStep[];
  readonly mes?: {
    readonly rounds: MesRound[];
    readonly budgetPerVoter: Fraction;
    /** `mes-add1`: how many currency units were added to every voter's budget. */
    readonly increments: number;
    readonly unsupported: number[];
    readonly free: number[];
    readonly excluded: { readonly project: number; readonly by: number }[];
    readonly supportersBudget: Map<number, Fraction>;
  };
}

function greedyStage(input: StageInput, order: GreedyOrder, noSkip: boolean): StageOutcome {
  const outcome = runGreedy({ ...input, order, noSkip });
  return { selected: outcome.selected, spent: outcome.spent, greedy: outcome.steps };
}

/**
 * pabutools' iterated MES (`voter_budget_increment=1`): rerun MES with every voter's initial budget raised by
 * one currency unit at a time until the outcome is exhaustive (no unselected MES project, i.e. with supporters
 * and a positive cost, fits the money left) or no longer feasible; in the latter case the previous outcome is
 * returned. The first run is plain MES, so `k` starts at 0.
 */
function mesAdd1(input: StageInput, profile: ApprovalProfile): { outcome: MesOutcome; increments: number } {
  const base = { ...input, profile };
  let previous: { outcome: MesOutcome; increments: number } | undefined;
  for (let k = 0; ; k++) {
    const outcome = runMes({ ...base, extraPerVoter: BigInt(k) * input.unit, limit: input.budget });
    if (outcome.infeasible) {
      // k = 0 cannot be infeasible: voters never hold more than the budget.
      return previous ?? { outcome, increments: k };
    }
    const left = input.budget - outcome.spent;
    const chosen = new Set(outcome.selected);
    const exhaustive = input.candidates.every(
      (p) =>
        chosen.has(p) ||
        (profile.approvals[p] as number) === 0 ||
        (input.costs[p] as bigint) === 0n ||
        (input.costs[p] as bigint) > left ||
        outcome.excluded.some((e) => e.project === p),
    );
    if (exhaustive || profile.voters === 0) return { outcome, increments: k };
    previous = { outcome, increments: k };
  }
}

function mesStage(input: StageInput, add1: boolean, complete: boolean): StageOutcome {
  const profile = input.profile();
  const { outcome, increments } = add1
    ? mesAdd1(input, profile)
    : { outcome: runMes({ ...input, profile }), increments: 0 };
  const mes = {
    rounds: outcome.rounds,
    budgetPerVoter: outcome.budgetPerVoter,
    increments,
    unsupported: outcome.unsupported,
    free: outcome.free,
    excluded: outcome.excluded,
    supportersBudget: outcome.supportersBudget(),
  };
  if (!complete) return { selected: outcome.selected, spent: outcome.spent, mes };
  // pabutools `completion_by_rule_combination` with greedy (Cost_Sat) on what MES left.
  const chosen = new Set(outcome.selected);
  const rest = runGreedy({
    ...input,
    candidates: input.candidates.filter((p) => !chosen.has(p)),
    budget: input.budget - outcome.spent,
    order: 'support',
    alreadySelected: new Set([...(input.alreadySelected ?? []), ...chosen]),
  });
  return {
    selected: [...outcome.selected, ...rest.selected],
    spent: outcome.spent + rest.spent,
    greedy: rest.steps,
    mes,
  };
}

export function runStage(input: StageInput): StageOutcome {
  switch (input.rule) {
    case 'greedy':
      return greedyStage(input, 'support', false);
    case 'greedy-per-cost':
      return greedyStage(input, 'per-cost', false);
    case 'greedy-no-skip':
      return greedyStage(input, 'support', true);
    case 'mes-raw':
      return mesStage(input, false, false);
    case 'mes':
      return mesStage(input, false, true);
    case 'mes-add1-raw':
      return mesStage(input, true, false);
    case 'mes-add1':
      return mesStage(input, true, true);
  }
}
