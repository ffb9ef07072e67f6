import type { IdeaListQuery } from '../http/idea-schemas.ts';

/**
 * The public list's filter, search, sort and pages, shared by the ideas function (`GET .../ideas`) and the
 * site, which applies it to the static `data/ideas.json` in the browser. No dependency: it is bundled as is.
 */

/** Lower case, no accents, ligatures spelled out, punctuation as spaces: « Œuvre d’Été » → "oeuvre d ete". */
export function searchable(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .replace(/ß/g, 'ss')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** What the list needs of an idea: its public view has all of it. */
export interface ListableIdea {
  id: string;
  status: string;
  title: string;
  description: string;
  theme: string;
  territory: string;
  commune?: string | undefined;
  estimatedCost: number;
  submittedAt: string;
  publishedAt?: string | undefined;
}

export type IdeaListOptions = Pick<IdeaListQuery, 'sort' | 'page' | 'pageSize'> &
  Partial<Pick<IdeaListQuery, 'territory' | 'commune' | 'theme' | 'status' | 'q'>>;

const COMPARE: Record<IdeaListQuery['sort'], (a: ListableIdea, b: ListableIdea) => number> = {
  recent: (a, b) => (b.publishedAt ?? b.submittedAt).localeCompare(a.publishedAt ?? a.submittedAt),
  oldest: (a, b) => (a.publishedAt ?? a.submittedAt).localeCompare(b.publishedAt ?? b.submittedAt),
  title: (a, b) => a.title.localeCompare(b.title, 'fr', { sensitivity: 'base' }),
  'cost-asc': (a, b) => a.estimatedCost - b.estimatedCost,
  'cost-desc': (a, b) => b.estimatedCost - a.estimatedCost,
};

/**
 * Filters (territory, commune, theme, status), accent-insensitive search of every word of `q` in the
 * title and description, sort (ties by id, so pages are stable), and one page of the result.
 */
export function listIdeas<T extends ListableIdea>(ideas: readonly T[], query: IdeaListOptions) {
  const words = query.q ? searchable(query.q).split(' ').filter(Boolean) : [];
  const matching = ideas.filter((idea) => {
    if (query.territory && idea.territory !== query.territory) return false;
    if (query.commune && idea.commune !== query.commune) return false;
    if (query.theme && idea.theme !== query.theme) return false;
    if (query.status && idea.status !== query.status) return false;
    if (words.length === 0) return true;
    const text = ` ${searchable(`${idea.title} ${idea.description}`)} `;
    return words.every((word) => text.includes(word));
  });
  const compare = COMPARE[query.sort] ?? COMPARE.recent;
  const sorted = [...matching].sort((a, b) => compare(a, b) || a.id.localeCompare(b.id));
  const pages = Math.max(1, Math.ceil(sorted.length / query.pageSize));
  const start = (query.page - 1) * query.pageSize;
  return {
    total: sorted.length,
    page: query.page,
    pageSize: query.pageSize,
    pages,
    items: sorted.slice(start, start + query.pageSize),
  };
}
