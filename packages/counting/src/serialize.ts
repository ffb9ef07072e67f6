import type { CountResult } from './count.ts';
import { formatUnits } from './decimal.ts';
import { type Fraction, fraction, fractionToDecimal } from './fraction.ts';

/**
 * A count result as plain JSON (stored with the results, published as open data): amounts as decimal strings
 * in currency units, exact fractions as `{ num, den }` in lowest terms next to their decimal rendering.
 */
export interface ExactJson {
  readonly num: string;
  readonly den: string;
  /** Currency units, 2 digits at least, rounded half up. */
  readonly decimal: string;
}

function exact(value: Fraction, decimals: number): ExactJson {
  const reduced = fraction(value.num, value.den * 10n ** BigInt(decimals));
  return {
    num: reduced.num.toString(),
    den: reduced.den.toString(),
    decimal: fractionToDecimal(value, Math.max(decimals, 2), decimals).text,
  };
}

export function countResultToJson(result: CountResult) {
  const d = result.decimals;
  const support = (value: number) => formatUnits(BigInt(value), result.supportDecimals);
  return {
    rule: result.rule,
    tieBreak: result.tieBreak,
    ...(result.minimumSupport === undefined ? {} : { minimumSupport: result.minimumSupport }),
    budget: formatUnits(result.budget, d),
    spent: formatUnits(result.spent, d),
    selected: result.selected,
    supportUnit: result.supportUnit,
    ...(result.mes
      ? { mes: { budgetPerVoter: exact(result.mes.budgetPerVoter, d), increments: result.mes.increments } }
      : {}),
    projects: [...result.explanations.values()].map((e) => ({
      id: e.id,
      cost: formatUnits(e.cost, d),
      support: support(e.support),
      selected: e.selected,
      status: e.status,
      ...(e.stage ? { stage: e.stage } : {}),
      ...(e.category ? { category: e.category } : {}),
      ...(e.territory ? { territory: e.territory } : {}),
      ...(e.excludedBy ? { excludedBy: e.excludedBy } : {}),
      ...(e.greedy
        ? { greedy: { rank: e.greedy.rank, budgetLeft: formatUnits(e.greedy.budgetLeft, d) } }
        : {}),
      ...(e.mes
        ? {
            mes: {
              ...(e.mes.round === undefined ? {} : { round: e.mes.round }),
              ...(e.mes.price ? { price: exact(e.mes.price, d) } : {}),
              ...(e.mes.paidAllTheyHad === undefined ? {} : { paidAllTheyHad: e.mes.paidAllTheyHad }),
              ...(e.mes.supportersBudget ? { supportersBudget: exact(e.mes.supportersBudget, d) } : {}),
            },
          }
        : {}),
    })),
  };
}
