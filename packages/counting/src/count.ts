import { rescale } from './decimal.ts';
import type { Fraction } from './fraction.ts';
import type { GreedyStep } from './greedy.ts';
import type { Instance, Project } from './instance.ts';
import { toDecimal } from './instance.ts';
import { type RuleName, runStage, type StageOutcome } from './rules.ts';
import { type ApprovalProfile, approvalProfile, projectSupport, type Support } from './support.ts';
import { DEFAULT_TIE_BREAK, type TieBreak, tieBreakRanks } from './tie-break.ts';

/** A part of the envelope kept for one category of projects (a share for young people, say). */
export interface ReservedAmount {
  readonly category: string;
  /** Currency amount, decimal text or number. */
  readonly amount: string | number;
}

export interface CountOptions {
  readonly rule: RuleName;
  /** @default { kind: 'id' } */
  readonly tieBreak?: TieBreak;
  /** Support (votes, or points) a project needs to be eligible; below it, it cannot win. */
  readonly minimumSupport?: number;
  /** Groups of mutually exclusive projects: once one wins, the others of its group are out. */
  readonly exclusions?: readonly (readonly string[])[];
  /**
   * Counted before the rest, in this order: the category's projects compete for the reserved amount alone;
   * what they do not use returns to the envelope, and those not selected compete again with all the others.
   */
  readonly reserved?: readonly ReservedAmount[];
  /** Repêchage: every territory (project `territory`) with an eligible project that fits ends with a winner. */
  readonly atLeastOnePerTerritory?: boolean;
}

export type ProjectStatus =
  | 'selected'
  | 'does-not-fit'
  | 'stopped'
  | 'below-threshold'
  | 'excluded'
  | 'unaffordable'
  | 'no-support'
  | 'zero-cost';

/** Where a project was decided. */
export type Stage = 'repechage' | 'reserved' | 'main' | 'completion';

export interface MesDetail {
  /** Round it was funded in. */
  readonly round?: number;
  /** What each supporter who could paid, in 10^-decimals currency units. */
  readonly price?: Fraction;
  readonly paidAllTheyHad?: number;
  /** Not funded by MES: what its supporters had left at the end, against its cost. */
  readonly supportersBudget?: Fraction;
}

export interface ProjectExplanation {
  readonly id: string;
  readonly cost: bigint;
  /** Votes or points, exact (see {@link CountResult.supportDecimals}). */
  readonly support: number;
  readonly selected: boolean;
  readonly status: ProjectStatus;
  readonly stage?: Stage;
  /** Reserved amount whose count decided it. */
  readonly category?: string;
  /** Greedy position: rank in the order of its greedy pass and budget left when it was reached. */
  readonly greedy?: { readonly rank: number; readonly budgetLeft: bigint };
  readonly mes?: MesDetail;
  readonly excludedBy?: string;
  /** Repêchage: the territory it was funded for. */
  readonly territory?: string;
}

export interface CountResult {
  readonly rule: RuleName;
  readonly tieBreak: TieBreak;
  readonly minimumSupport?: number;
  /** In 10^-decimals currency units, like every amount here. */
  readonly budget: bigint;
  readonly decimals: number;
  readonly spent: bigint;
  /** Project ids in selection order. */
  readonly selected: string[];
  /** One per project, in instance order. */
  readonly explanations: Map<string, ProjectExplanation>;
  readonly supportDecimals: number;
  readonly supportUnit: 'votes' | 'points';
  /** MES rules: each voter's starting budget in the main stage, and the `mes-add1` increments. */
  readonly mes?: { readonly budgetPerVoter: Fraction; readonly increments: number };
}

interface Prepared {
  readonly instance: Instance;
  readonly options: CountOptions;
  readonly tieBreak: TieBreak;
  readonly costs: bigint[];
  readonly support: Support;
  readonly tieRanks: Int32Array;
  readonly eligible: boolean[];
  readonly threshold?: number;
  readonly incompatible: number[][];
  readonly profile: () => ApprovalProfile;
  readonly unit: bigint;
}

function prepare(instance: Instance, options: CountOptions): Prepared {
  const tieBreak = options.tieBreak ?? DEFAULT_TIE_BREAK;
  const support = projectSupport(instance);
  const index = new Map(instance.projects.map((p, i) => [p.id, i]));
  // support >= minimum, with support an integer in 10^-decimals points: support >= ceil(minimum x 10^decimals).
  let threshold: number | undefined;
  if (options.minimumSupport !== undefined) {
    const minimum = toDecimal(options.minimumSupport);
    const scaled = minimum.units * 10n ** BigInt(support.decimals);
    const den = 10n ** BigInt(minimum.decimals);
    threshold = Number((scaled + den - 1n) / den);
  }
  const eligible = instance.projects.map(
    (_, p) => threshold === undefined || (support.values[p] as number) >= threshold,
  );
  const incompatible = instance.projects.map(() => [] as number[]);
  for (const group of options.exclusions ?? []) {
    const members = group.map((id) => {
      const p = index.get(id);
      if (p === undefined) throw new Error(`Exclusion : projet inconnu ${id}`);
      return p;
    });
    for (const p of members) for (const q of members) if (p !== q) incompatible[p]?.push(q);
  }
  let profile: ApprovalProfile | undefined;
  return {
    instance,
    options,
    tieBreak,
    costs: instance.projects.map((p) => p.cost),
    support,
    tieRanks: tieBreakRanks(instance.projects, tieBreak),
    eligible,
    ...(threshold === undefined ? {} : { threshold }),
    incompatible,
    profile: () => {
      profile ??= approvalProfile(instance);
      return profile;
    },
    unit: 10n ** BigInt(instance.decimals),
  };
}

interface Decision {
  status: ProjectStatus;
  stage?: Stage;
  category?: string;
  greedy?: { rank: number; budgetLeft: bigint };
  mes?: MesDetail;
  excludedBy?: number;
  territory?: string;
}

/** Records what a stage decided; later stages overwrite the projects they examine again. */
function record(
  decisions: Map<number, Decision>,
  outcome: StageOutcome,
  stage: Stage,
  category?: string,
): void {
  const base = category === undefined ? {} : { category };
  if (outcome.mes) {
    const { rounds, unsupported, free, excluded, supportersBudget } = outcome.mes;
    for (const r of rounds) {
      decisions.set(r.project, {
        status: 'selected',
        stage: stage,
        ...base,
        mes: { round: r.round, price: r.price, paidAllTheyHad: r.paidAllTheyHad },
      });
    }
    for (const p of unsupported) decisions.set(p, { status: 'no-support', stage: stage, ...base });
    for (const p of free) decisions.set(p, { status: 'zero-cost', stage: stage, ...base });
    for (const e of excluded)
      decisions.set(e.project, { status: 'excluded', stage: stage, ...base, excludedBy: e.by });
    for (const [p, left] of supportersBudget) {
      const previous = decisions.get(p);
      if (previous?.status === 'excluded' && previous.stage === stage) {
        decisions.set(p, { ...previous, mes: { supportersBudget: left } });
      } else {
        decisions.set(p, {
          status: 'unaffordable',
          stage: stage,
          ...base,
          mes: { supportersBudget: left },
        });
      }
    }
  }
  const greedyStage: Stage = outcome.mes ? (stage === 'main' ? 'completion' : stage) : stage;
  for (const step of outcome.greedy ?? ([] as GreedyStep[])) {
    const previous = decisions.get(step.project);
    const mes = outcome.mes ? previous?.mes : undefined;
    decisions.set(step.project, {
      status: step.status,
      stage: greedyStage,
      ...base,
      greedy: { rank: step.rank, budgetLeft: step.budgetLeft },
      ...(mes ? { mes } : {}),
      ...(step.excludedBy === undefined ? {} : { excludedBy: step.excludedBy }),
    });
  }
}

interface Pass {
  selected: number[];
  spent: bigint;
  decisions: Map<number, Decision>;
  mes?: { budgetPerVoter: Fraction; increments: number };
}

/** One count with some projects funded first (repêchage): reserved amounts, then the main count. */
function countPass(ctx: Prepared, forced: readonly { project: number; territory: string }[]): Pass {
  const { instance, options } = ctx;
  const decisions = new Map<number, Decision>();
  const selected: number[] = [];
  const taken = new Set<number>();
  let spent = 0n;
  for (const { project, territory } of forced) {
    selected.push(project);
    taken.add(project);
    spent += ctx.costs[project] as bigint;
    decisions.set(project, { status: 'selected', stage: 'repechage', territory });
  }
  instance.projects.forEach((_, p) => {
    if (!ctx.eligible[p]) decisions.set(p, { status: 'below-threshold' });
  });
  const open = (p: number) => ctx.eligible[p] && !taken.has(p);
  const stage = (candidates: number[], budget: bigint) =>
    runStage({
      rule: options.rule,
      costs: ctx.costs,
      support: ctx.support.values,
      tieRanks: ctx.tieRanks,
      profile: ctx.profile,
      candidates,
      budget,
      unit: ctx.unit,
      incompatible: ctx.incompatible,
      alreadySelected: taken,
    });
  const take = (outcome: StageOutcome) => {
    for (const p of outcome.selected) {
      selected.push(p);
      taken.add(p);
    }
    spent += outcome.spent;
  };

  for (const reserve of options.reserved ?? []) {
    const reserved = toDecimal(reserve.amount);
    // Costs have `decimals` digits: finer digits of a reserved amount can buy nothing, drop them.
    const amount =
      reserved.decimals <= instance.decimals
        ? rescale(reserved, instance.decimals)
        : reserved.units / 10n ** BigInt(reserved.decimals - instance.decimals);
    const left = instance.budget - spent;
    const candidates = instance.projects
      .map((_, p) => p)
      .filter((p) => open(p) && (instance.projects[p] as Project).categories.includes(reserve.category));
    const outcome = stage(candidates, amount < left ? amount : left);
    record(decisions, outcome, 'reserved', reserve.category);
    take(outcome);
  }
  const candidates = instance.projects.map((_, p) => p).filter(open);
  const outcome = stage(candidates, instance.budget - spent);
  record(decisions, outcome, 'main');
  take(outcome);
  return {
    selected,
    spent,
    decisions,
    ...(outcome.mes
      ? { mes: { budgetPerVoter: outcome.mes.budgetPerVoter, increments: outcome.mes.increments } }
      : {}),
  };
}

/**
 * Territories left without a winner, each with its best-supported eligible project that still fits next to
 * the projects already funded first, strongest first.
 */
function missingTerritories(ctx: Prepared, pass: Pass, forced: readonly { project: number }[]) {
  const { instance } = ctx;
  const won = new Set(pass.selected.map((p) => (instance.projects[p] as Project).territory));
  const forcedSet = new Set(forced.map((f) => f.project));
  let left = instance.budget - forced.reduce((sum, f) => sum + (ctx.costs[f.project] as bigint), 0n);
  const byTerritory = new Map<string, number[]>();
  instance.projects.forEach((project, p) => {
    if (project.territory === undefined || won.has(project.territory) || !ctx.eligible[p]) return;
    if (ctx.incompatible[p]?.some((q) => forcedSet.has(q))) return;
    byTerritory.set(project.territory, [...(byTerritory.get(project.territory) ?? []), p]);
  });
  const better = (a: number, b: number) => {
    const d = (ctx.support.values[b] as number) - (ctx.support.values[a] as number);
    return d !== 0 ? d : (ctx.tieRanks[a] as number) - (ctx.tieRanks[b] as number);
  };
  const picks: { project: number; territory: string }[] = [];
  const bests = [...byTerritory.entries()]
    .map(([territory, projects]) => ({ territory, projects: projects.sort(better) }))
    .sort((x, y) => better(x.projects[0] as number, y.projects[0] as number));
  for (const { territory, projects } of bests) {
    const pick = projects.find(
      (p) => (ctx.costs[p] as bigint) <= left && !picks.some((q) => ctx.incompatible[p]?.includes(q.project)),
    );
    if (pick === undefined) continue;
    picks.push({ project: pick, territory });
    left -= ctx.costs[pick] as bigint;
  }
  return picks;
}

/**
 * Counts one envelope: the winners in selection order, the money spent and an explanation for every project.
 * Outcomes equal pabutools 1.2.3 with its defaults for the rules it has (see the README of this folder).
 */
export function count(instance: Instance, options: CountOptions): CountResult {
  const ctx = prepare(instance, options);
  const forced: { project: number; territory: string }[] = [];
  let pass = countPass(ctx, forced);
  // Repêchage: fund the missing territories' best projects first and count again, until every territory that
  // can have a winner has one. Each turn adds at least one project, so this ends.
  while (options.atLeastOnePerTerritory) {
    const picks = missingTerritories(ctx, pass, forced);
    if (picks.length === 0) break;
    forced.push(...picks);
    pass = countPass(ctx, forced);
  }

  const explanations = new Map<string, ProjectExplanation>();
  const chosen = new Set(pass.selected);
  instance.projects.forEach((project, p) => {
    const d = pass.decisions.get(p) ?? { status: 'no-support' as const };
    explanations.set(project.id, {
      id: project.id,
      cost: project.cost,
      support: ctx.support.values[p] as number,
      selected: chosen.has(p),
      status: d.status,
      ...(d.stage ? { stage: d.stage } : {}),
      ...(d.category ? { category: d.category } : {}),
      ...(d.greedy ? { greedy: d.greedy } : {}),
      ...(d.mes ? { mes: d.mes } : {}),
      ...(d.excludedBy === undefined ? {} : { excludedBy: (instance.projects[d.excludedBy] as Project).id }),
      ...(d.territory ? { territory: d.territory } : {}),
    });
  });
  return {
    rule: options.rule,
    tieBreak: ctx.tieBreak,
    ...(options.minimumSupport === undefined ? {} : { minimumSupport: options.minimumSupport }),
    budget: instance.budget,
    decimals: instance.decimals,
    spent: pass.spent,
    selected: pass.selected.map((p) => (instance.projects[p] as Project).id),
    explanations,
    supportDecimals: ctx.support.decimals,
    supportUnit: ctx.support.unit,
    ...(pass.mes ? { mes: pass.mes } : {}),
  };
}

/** Per-territory envelopes: each is counted alone, with its own budget and its own voters. */
export function countEnvelopes(
  envelopes: readonly { readonly id: string; readonly instance: Instance }[],
  options: CountOptions,
): { readonly id: string; readonly result: CountResult }[] {
  return envelopes.map(({ id, instance }) => ({ id, result: count(instance, options) }));
}
