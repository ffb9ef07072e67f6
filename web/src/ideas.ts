import { type IdeaListOptions, listIdeas } from '../../shared/ideas/idea-list.ts';
import { ApiError, apiRequest } from './lib/api.ts';
import { loadConfig } from './lib/config.ts';
import { byId, fill, h } from './lib/dom.ts';
import { formatEuros, plural } from './lib/format.ts';
import { problemNotice, unexpectedProblem } from './lib/forms.ts';
import {
  communeName,
  communesOf,
  editionPath,
  envelopes,
  type IdeaView,
  territoryName,
  themeName,
} from './lib/ideas.ts';
import { serverNow } from './lib/server-clock.ts';
import { IDEA_SORT_LABELS, IDEA_STATUS_LABELS } from './lib/shared-data.ts';
import type { EditionView } from './lib/types.ts';

type ListedIdea = IdeaView & { supportsCount?: number };

/** `GET .../ideas`. */
interface IdeaPage {
  total: number;
  page: number;
  pageSize: number;
  pages: number;
  items: ListedIdea[];
  refreshedAt: string;
}

/**
 * `data/ideas.json`: every published idea, rewritten by the ideas function on each change and served by
 * CloudFront (browsing costs no Lambda call). Filtered, searched and paged here, as the API would.
 */
interface StaticIdeas {
  edition: string;
  generatedAt: string;
  items: ListedIdea[];
}

const PAGE_SIZE = 20;

async function staticIdeas(edition: string): Promise<StaticIdeas | undefined> {
  try {
    // Revalidated with the CDN at each visit: it keeps the file 30 s at most.
    const response = await fetch('data/ideas.json', { cache: 'no-cache' });
    if (!response.ok) return undefined;
    const file = (await response.json()) as Partial<StaticIdeas> | null;
    if (file?.edition !== edition || !Array.isArray(file.items) || typeof file.generatedAt !== 'string') {
      return undefined;
    }
    return file as StaticIdeas;
  } catch {
    return undefined;
  }
}

function listOptions(params: URLSearchParams, page: number): IdeaListOptions {
  const value = (name: string) => params.get(name)?.trim() || undefined;
  const sort = value('sort');
  return {
    q: value('q'),
    territory: value('territory'),
    commune: value('commune'),
    theme: value('theme'),
    status: value('status') === 'published' ? 'published' : undefined,
    sort: sort && sort in IDEA_SORT_LABELS ? (sort as IdeaListOptions['sort']) : 'recent',
    page,
    pageSize: PAGE_SIZE,
  };
}

/** « il y a 12 s », « il y a 3 min », « il y a 2 h », by the server's clock (the list's is the server's). */
function ago(iso: string): string {
  const seconds = Math.max(0, Math.round((serverNow() - new Date(iso).getTime()) / 1000));
  if (seconds < 60) return `il y a ${seconds} s`;
  if (seconds < 3600) return `il y a ${Math.floor(seconds / 60)} min`;
  return `il y a ${Math.floor(seconds / 3600)} h`;
}

const FILTERS = ['q', 'territory', 'commune', 'theme', 'status', 'sort'] as const;
const PUBLIC_STATUSES = ['published'] as const;

const territory = byId<HTMLSelectElement>('f-territory');
const commune = byId<HTMLSelectElement>('f-commune');

function options(
  select: HTMLSelectElement,
  all: string,
  items: { id: string; name: string }[],
  wanted: string,
) {
  fill(
    select,
    ...(all ? [h('option', { value: '' }, all)] : []),
    ...items.map((item) => h('option', { value: item.id, selected: item.id === wanted }, item.name)),
  );
}

function fillCommunes(edition: EditionView['edition'], wanted: string) {
  const list = communesOf(edition, territory.value).map(({ code, name }) => ({ id: code, name }));
  options(commune, 'Toutes les communes', list, wanted);
}

function ideaItem(edition: EditionView['edition'], idea: ListedIdea): HTMLElement {
  const headingId = `idea-${idea.id}`;
  const where = [territoryName(edition, idea.territory), communeName(idea.commune)]
    .filter(Boolean)
    .join(' — ');
  return h(
    'li',
    { class: 'idea-card' },
    h(
      'article',
      { 'aria-labelledby': headingId },
      h('h2', { id: headingId }, h('a', { href: `idee.html?id=${encodeURIComponent(idea.id)}` }, idea.title)),
      h(
        'p',
        { class: 'idea-meta' },
        [
          where,
          themeName(edition, idea.theme),
          formatEuros(idea.estimatedCost),
          ...(edition.supports.enabled && idea.supportsCount !== undefined
            ? [plural(idea.supportsCount, 'soutien')]
            : []),
        ].join(' · '),
      ),
      h('p', {}, idea.description.length > 220 ? `${idea.description.slice(0, 217)}…` : idea.description),
    ),
  );
}

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const status = byId('ideas-status');
  try {
    const config = await loadConfig();
    const { edition } = await apiRequest<EditionView>(config, editionPath(config));
    options(territory, 'Tous les territoires', envelopes(edition), params.get('territory') ?? '');
    fillCommunes(edition, params.get('commune') ?? '');
    territory.addEventListener('change', () => fillCommunes(edition, ''));
    options(byId('f-theme'), 'Tous les thèmes', edition.themes, params.get('theme') ?? '');
    options(
      byId('f-status'),
      'Tous les statuts publics',
      PUBLIC_STATUSES.map((id) => ({ id, name: IDEA_STATUS_LABELS[id] })),
      params.get('status') ?? '',
    );
    options(
      byId('f-sort'),
      '',
      Object.entries(IDEA_SORT_LABELS).map(([id, name]) => ({ id, name })),
      params.get('sort') ?? 'recent',
    );
    byId<HTMLInputElement>('q').value = params.get('q') ?? '';

    const query = new URLSearchParams();
    for (const name of FILTERS) {
      const value = params.get(name)?.trim();
      if (value) query.set(name, value);
    }
    const page = Math.max(1, Math.floor(Number(params.get('page'))) || 1);
    query.set('page', String(page));
    // The static list first; the API (same filters, same code) when it is missing or unreadable.
    const file = await staticIdeas(config.edition);
    const result: IdeaPage = file
      ? { ...listIdeas(file.items, listOptions(params, page)), refreshedAt: file.generatedAt }
      : await apiRequest<IdeaPage>(config, `${editionPath(config)}/ideas?${query}`);

    fill(
      status,
      h(
        'p',
        {},
        result.total === 0
          ? 'Aucune idée ne correspond à ces critères.'
          : `${plural(result.total, 'idée publiée', 'idées publiées')}, page ${result.page} sur ${result.pages}.`,
      ),
    );
    fill(
      byId('ideas-fresh'),
      `Liste mise à jour ${ago(result.refreshedAt)}. Une idée publiée par la modération y apparaît en moins d’une minute.`,
    );
    fill(byId('ideas-list'), ...result.items.map((idea) => ideaItem(edition, idea)));

    const link = (target: number) => {
      const next = new URLSearchParams(query);
      next.set('page', String(target));
      return `idees.html?${next}`;
    };
    const previous = byId<HTMLAnchorElement>('page-previous');
    const nextLink = byId<HTMLAnchorElement>('page-next');
    previous.href = link(result.page - 1);
    nextLink.href = link(result.page + 1);
    (previous.parentElement as HTMLElement).hidden = result.page <= 1;
    (nextLink.parentElement as HTMLElement).hidden = result.page >= result.pages;
    fill(byId('page-current'), `Page ${result.page} sur ${result.pages}`);
    byId('pages').hidden = result.pages <= 1;
  } catch (error) {
    fill(status);
    fill(byId('ideas-error'), problemNotice(error instanceof ApiError ? error.problem : unexpectedProblem()));
  }
}

void main();
