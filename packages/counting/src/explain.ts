import type { CountResult, ProjectExplanation } from './count.ts';
import { type Fraction, fraction, fractionToDecimal } from './fraction.ts';
import type { RuleName } from './rules.ts';
import type { TieBreak } from './tie-break.ts';

/**
 * The count in words, for people: French text shared by the CLI, the results page and the emails to authors,
 * so that all of them explain a project the same way.
 */

const NARROW_NBSP = '\u202f';

function groupThousands(int: string): string {
  return int.replace(/\B(?=(\d{3})+(?!\d))/g, NARROW_NBSP);
}

function currencySymbol(currency: string | undefined): string {
  if (currency === undefined || currency === '' || currency === 'EUR') return '€';
  return currency;
}

/**
 * `1 234 567 €`, `12,50 €` or `≈ 645,11 €` from an exact value in 10^-decimals units: whole amounts without
 * decimals, others with `places` digits (at least cents), `≈` when rounding was needed.
 */
export function formatAmount(
  value: bigint | Fraction,
  decimals: number,
  currency?: string,
  places = Math.max(decimals, 2),
): string {
  const exact = typeof value === 'bigint' ? fraction(value) : value;
  const { text, exact: isExact } = fractionToDecimal(exact, places, decimals);
  const [int = '0', frac = ''] = text.split('.');
  const shown = isExact && /^0*$/.test(frac) ? '' : `,${frac}`;
  return `${isExact ? '' : '≈\u00a0'}${groupThousands(int)}${shown}\u00a0${currencySymbol(currency)}`;
}

export function formatSupport(value: number, decimals: number, unit: 'votes' | 'points'): string {
  const text = fractionToDecimal(fraction(BigInt(value)), decimals, decimals).text;
  const [int = '0', frac = ''] = text.split('.');
  const trimmed = frac.replace(/0+$/, '');
  // French: « voix » is invariable, and « point » stays singular up to 1.
  const word = unit === 'votes' ? 'voix' : value <= 10 ** decimals ? 'point' : 'points';
  return `${groupThousands(int)}${trimmed ? `,${trimmed}` : ''}\u00a0${word}`;
}

export const RULE_LABELS: Record<RuleName, string> = {
  greedy: 'les projets les plus soutenus d’abord, en passant ceux qui ne rentrent plus dans le budget',
  'greedy-per-cost':
    'les projets les plus soutenus par euro dépensé d’abord, en passant ceux qui ne rentrent plus',
  'greedy-no-skip':
    'les projets les plus soutenus d’abord, en s’arrêtant au premier qui ne rentre plus dans le budget',
  'mes-raw': 'méthode des parts égales : chaque votant dispose d’une part égale du budget',
  mes: 'méthode des parts égales, puis les projets les plus soutenus avec le reste du budget',
  'mes-add1-raw':
    'méthode des parts égales, en augmentant la part de chaque votant d’une unité tant que le budget n’est pas épuisé',
  'mes-add1':
    'méthode des parts égales (parts augmentées d’une unité tant que le budget n’est pas épuisé), puis les projets les plus soutenus avec le reste',
};

export function describeTieBreak(tieBreak: TieBreak): string {
  if (tieBreak.kind === 'id')
    return 'identifiant du projet, dans l’ordre des caractères (« 10 » avant « 9 »)';
  if (tieBreak.kind === 'lower-cost') return 'le projet le moins cher, puis l’identifiant';
  return `ordre publié : ${tieBreak.order.join(', ')}`;
}

/** How to name things in the text: a territory's display name instead of its id, say. */
export interface ExplainLabels {
  readonly territory?: (id: string) => string;
}

/** One French sentence saying why the project was or was not funded. */
export function explainProject(
  e: ProjectExplanation,
  result: CountResult,
  currency?: string,
  labels: ExplainLabels = {},
): string {
  const money = (v: bigint | Fraction) => formatAmount(v, result.decimals, currency);
  const support = formatSupport(e.support, result.supportDecimals, result.supportUnit);
  const reserve = e.category === undefined ? '' : ` (montant réservé « ${e.category} »)`;
  const mesLeft =
    e.mes?.supportersBudget === undefined
      ? ''
      : `ses soutiens n’avaient plus que ${money(e.mes.supportersBudget)} pour un coût de ${money(e.cost)}`;

  if (e.status === 'selected') {
    if (e.stage === 'repechage') {
      return `Retenu au titre du repêchage : projet le plus soutenu (${support}) du territoire « ${e.territory === undefined ? '' : (labels.territory?.(e.territory) ?? e.territory)} », qui n’avait aucun lauréat, financé en premier.`;
    }
    if (e.mes?.round !== undefined && e.mes.price !== undefined) {
      const all = e.mes.paidAllTheyHad ?? 0;
      const poor =
        all > 0
          ? ` ; ${all} ${all > 1 ? 'ont' : 'a'} donné tout ce qui leur restait, faute de pouvoir payer ce prix`
          : '';
      return `Retenu au tour ${e.mes.round} des parts égales${reserve} : ${support}, chaque soutien a payé ${formatAmount(e.mes.price, result.decimals, currency, Math.max(result.decimals, 2))}${poor}.`;
    }
    if (e.greedy) {
      const when = e.stage === 'completion' ? ' au complément avec le budget restant' : '';
      const before = mesLeft ? ` (aux parts égales, ${mesLeft})` : '';
      return `Retenu${when}${reserve} : rang ${e.greedy.rank} (${support}), il restait ${money(e.greedy.budgetLeft)} quand il a été examiné${before}.`;
    }
    return `Retenu${reserve}.`;
  }
  switch (e.status) {
    case 'below-threshold':
      return `Non retenu : ${support}, sous le seuil de ${formatSupport(Math.ceil((result.minimumSupport ?? 0) * 10 ** result.supportDecimals), result.supportDecimals, result.supportUnit)}.`;
    case 'excluded':
      return `Non retenu : incompatible avec le projet ${e.excludedBy}, retenu avant lui.`;
    case 'no-support':
      return 'Non retenu : aucun soutien.';
    case 'zero-cost':
      return `Non retenu : coût nul, sans effet sur les parts égales (chaque votant y gagne le coût du projet, soit 0)${reserve}.`;
    case 'stopped':
      return `Non examiné : rang ${e.greedy?.rank}, le décompte s’arrête au premier projet qui ne rentre pas dans le budget.`;
    case 'does-not-fit': {
      const cause = `coût de ${money(e.cost)} supérieur aux ${money(e.greedy?.budgetLeft ?? 0n)} restants`;
      const mes = mesLeft ? ` ; aux parts égales, ${mesLeft}` : '';
      return `Non retenu${reserve} : rang ${e.greedy?.rank} (${support}), ${cause}${mes}.`;
    }
    case 'unaffordable':
      return `Non retenu${reserve} : ${support}, mais ${mesLeft}.`;
  }
}
