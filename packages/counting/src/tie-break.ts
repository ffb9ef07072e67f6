import type { Project } from './instance.ts';

/**
 * How ties are broken, as published in the règlement. `id` is pabutools' default (`lexico_tie_breaking`):
 * project ids compared as strings by code point, smallest first, so "10" comes before "9". `lower-cost` is
 * pabutools' `min_cost_tie_breaking`, then ids. `order` is an explicit published order (a draw made in public,
 * say); projects it does not list come after, by id.
 */
export type TieBreak =
  | { readonly kind: 'id' }
  | { readonly kind: 'lower-cost' }
  | { readonly kind: 'order'; readonly order: readonly string[] };

export const DEFAULT_TIE_BREAK: TieBreak = { kind: 'id' };

/**
 * Python compares str by code point; JavaScript's `<` compares UTF-16 code units, which differs once a
 * character outside the BMP meets one above U+D7FF. Compare code points to match pabutools everywhere.
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs === ys) return x - y;
    return xs ? 1 : -1;
  }
  return a.length - b.length;
}

/** rank[p] for every project index: 0 wins every tie. */
export function tieBreakRanks(projects: readonly Project[], tieBreak: TieBreak): Int32Array {
  const indices = projects.map((_, i) => i);
  const byId = (a: number, b: number) =>
    compareCodePoints((projects[a] as Project).id, (projects[b] as Project).id);
  if (tieBreak.kind === 'id') {
    indices.sort(byId);
  } else if (tieBreak.kind === 'lower-cost') {
    indices.sort((a, b) => {
      const ca = (projects[a] as Project).cost;
      const cb = (projects[b] as Project).cost;
      return ca < cb ? -1 : ca > cb ? 1 : byId(a, b);
    });
  } else {
    const position = new Map(tieBreak.order.map((id, i) => [id, i]));
    indices.sort((a, b) => {
      const pa = position.get((projects[a] as Project).id) ?? Number.POSITIVE_INFINITY;
      const pb = position.get((projects[b] as Project).id) ?? Number.POSITIVE_INFINITY;
      return pa !== pb ? pa - pb : byId(a, b);
    });
  }
  const ranks = new Int32Array(projects.length);
  indices.forEach((p, rank) => {
    ranks[p] = rank;
  });
  return ranks;
}
