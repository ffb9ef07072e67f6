import type { EditionStore } from '../../shared/edition/edition-store.ts';
import type { SiteWriter } from '../../shared/site/site-writer.ts';
import { type Idea, publicIdea } from './idea.ts';
import type { IdeaRepository } from './idea-repository.ts';
import type { SupportRepository } from './support-repository.ts';

/** Where the site finds the list (the site bucket's `data/` prefix, the only one functions may write). */
export const PUBLIC_LIST_KEY = 'data/ideas.json';
/**
 * How long CloudFront and browsers keep it: with a regeneration within seconds of a change, a publication
 * shows within a minute, and a busy list costs one S3 read per edge location every 30 s.
 */
export const PUBLIC_LIST_MAX_AGE_SECONDS = 30;

export interface PublishPublicListDeps {
  edition: string;
  editions: EditionStore;
  ideas: Pick<IdeaRepository, 'listByStatus' | 'get'>;
  supports: Pick<SupportRepository, 'counts'>;
  site: SiteWriter;
  now: () => Date;
}

export type PublicIdeasFile = {
  edition: string;
  generatedAt: string;
  total: number;
  items: (ReturnType<typeof publicIdea> & { supportsCount?: number })[];
};

/**
 * Writes the static public list: every published idea, public fields only, newest first, with its
 * supports when the edition has them. Read from the status index (eventually consistent), then the ideas
 * that triggered the regeneration are read again strongly consistent, so a change is never missed by the
 * snapshot it caused. Idempotent: it rewrites the whole file from the current state.
 */
export async function publishPublicList(
  deps: PublishPublicListDeps,
  touchedIdeaIds: readonly string[] = [],
): Promise<PublicIdeasFile> {
  const config = await deps.editions.get();
  const published = new Map<string, Idea>();
  for (const idea of await deps.ideas.listByStatus('published')) published.set(idea.ideaId, idea);
  for (const ideaId of new Set(touchedIdeaIds)) {
    const idea = await deps.ideas.get(ideaId);
    if (idea?.status === 'published') published.set(ideaId, idea);
    else published.delete(ideaId);
  }
  const counts = config.supports.enabled ? await deps.supports.counts() : undefined;
  const items = [...published.values()]
    .sort(
      (a, b) =>
        (b.publishedAt ?? b.submittedAt).localeCompare(a.publishedAt ?? a.submittedAt) ||
        a.ideaId.localeCompare(b.ideaId),
    )
    .map((idea) => ({
      ...publicIdea(idea),
      ...(counts ? { supportsCount: counts.get(idea.ideaId) ?? 0 } : {}),
    }));
  const file: PublicIdeasFile = {
    edition: deps.edition,
    generatedAt: deps.now().toISOString(),
    total: items.length,
    items,
  };
  await deps.site.putJson(PUBLIC_LIST_KEY, file, { maxAgeSeconds: PUBLIC_LIST_MAX_AGE_SECONDS });
  return file;
}
