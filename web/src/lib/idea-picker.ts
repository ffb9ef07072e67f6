import { apiRequest } from './api.ts';
import type { SiteConfig } from './config.ts';
import { fill, h } from './dom.ts';
import { plural } from './format.ts';

/** An idea one may pick: people see its title (and where it is), never its identifier. */
export interface PickableIdea {
  id: string;
  title: string;
  /** `Nantes · Mobilités`: tells two similar titles apart. */
  hint?: string;
}

export interface IdeaPicker {
  /** The whole field: the title search, how many match, the list to pick from, the error line. */
  field: HTMLElement;
  /** The list itself (its value is the picked idea's id): focus and `aria-invalid` go here. */
  select: HTMLSelectElement;
  error: HTMLElement;
  value(): string;
}

/** Lower case, accents off: « Écoles » is found by « ecole ». */
export function searchable(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase();
}

/** A search by title over a list already in the page. */
export function searchIn(ideas: readonly PickableIdea[]): (query: string) => Promise<PickableIdea[]> {
  return async (query) => {
    const words = searchable(query).split(/\s+/).filter(Boolean);
    return ideas.filter((idea) => {
      const title = searchable(idea.title);
      return words.every((word) => title.includes(word));
    });
  };
}

/** A search by title over the published ideas of the edition (the public list, `GET .../ideas?q=`). */
export function searchPublished(
  config: SiteConfig,
  hint?: (idea: { territory: string; theme: string }) => string,
): (query: string) => Promise<PickableIdea[]> {
  return async (query) => {
    const params = new URLSearchParams({ pageSize: '50', sort: 'recent' });
    if (query.trim()) params.set('q', query.trim());
    const page = await apiRequest<{
      items: { id: string; title: string; territory: string; theme: string }[];
    }>(config, `/editions/${encodeURIComponent(config.edition)}/ideas?${params}`);
    return page.items.map((idea) => ({ id: idea.id, title: idea.title, hint: hint?.(idea) }));
  };
}

/**
 * Pick an idea by typing part of its title: a search box, then the matching titles in a list. Nobody types
 * or reads an identifier.
 */
export function ideaPicker(options: {
  id: string;
  label: string;
  placeholder: string;
  search: (query: string) => Promise<PickableIdea[]>;
  /** Never offered (the idea being decided on). */
  exclude?: string;
}): IdeaPicker {
  const query = h('input', {
    type: 'search',
    id: `${options.id}-q`,
    autocomplete: 'off',
    'aria-describedby': `${options.id}-found`,
  });
  const found = h('p', { class: 'hint', id: `${options.id}-found`, 'aria-live': 'polite' });
  const select = h('select', { id: options.id, 'aria-describedby': `${options.id}-error` });
  const error = h('p', { class: 'field-error', id: `${options.id}-error` });
  let asked = 0;
  const refresh = async () => {
    const mine = ++asked;
    const previous = select.value;
    let ideas: PickableIdea[];
    try {
      ideas = (await options.search(query.value)).filter((idea) => idea.id !== options.exclude);
    } catch {
      if (mine === asked) fill(found, 'La recherche n’a pas abouti. Réessayez dans quelques instants.');
      return;
    }
    if (mine !== asked) return;
    fill(
      select,
      h('option', { value: '' }, ideas.length ? options.placeholder : 'Aucune idée ne correspond'),
      ...ideas.map((idea) =>
        h(
          'option',
          { value: idea.id, selected: idea.id === previous },
          idea.hint ? `${idea.title} (${idea.hint})` : idea.title,
        ),
      ),
    );
    fill(
      found,
      ideas.length === 0
        ? 'Aucune idée ne correspond à ce titre.'
        : `${plural(ideas.length, 'idée correspond', 'idées correspondent')} : choisissez-la dans la liste ci-dessous.`,
    );
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  query.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => void refresh(), 250);
  });
  // Enter in the search box searches now rather than submitting the decision form.
  query.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    clearTimeout(timer);
    void refresh();
  });
  void refresh();
  const field = h(
    'div',
    { class: 'field' },
    h('label', { for: query.id }, `${options.label} : rechercher par titre`),
    query,
    found,
    h('label', { for: select.id }, options.label),
    select,
    error,
  );
  return { field, select, error, value: () => select.value };
}
