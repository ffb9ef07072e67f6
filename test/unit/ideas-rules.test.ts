import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { type Idea, publicIdea } from '../../functions/ideas/idea.ts';
import { checkAuthorTerritory, checkIdeaRules } from '../../functions/ideas/idea-rules.ts';
import { assertIdeasOpen, ideasWindow } from '../../functions/ideas/ideas-window.ts';
import { EditionConfig } from '../../shared/edition/edition-config.ts';
import type { DomainError } from '../../shared/errors/domain-error.ts';
import { IdeaListQuery, SubmitIdeaBody } from '../../shared/http/idea-schemas.ts';
import { listIdeas, searchable } from '../../shared/ideas/idea-list.ts';

const config = EditionConfig.parse(JSON.parse(await readFile('editions/loire-atlantique-demo.json', 'utf8')));

function refusal(run: () => void): DomainError {
  try {
    run();
  } catch (error) {
    return error as DomainError;
  }
  throw new Error('expected a refusal');
}

const idea = (overrides: Partial<Idea>): Idea => ({
  ideaId: 'i',
  authorId: 'a',
  authorIds: ['a'],
  status: 'published',
  title: 'Titre',
  description: 'Description',
  theme: 'sport',
  territory: 'nantes',
  commune: '44109',
  estimatedCost: 1000,
  proposer: { kind: 'individual' },
  submittedAt: '2023-03-01T10:00:00.000Z',
  updatedAt: '2023-03-01T10:00:00.000Z',
  publishedAt: '2023-03-01T10:00:00.000Z',
  pictures: [],
  mergedFrom: [],
  revision: 1,
  ...overrides,
});

describe('idea search and list', () => {
  it('compares French text without accents, case, ligatures or punctuation', () => {
    expect(searchable('Œuvre d’Été à l’ÉCOLE !')).toBe('oeuvre d ete a l ecole');
  });

  it('finds every word of the query in the title or the description, in any order', () => {
    const ideas = [
      idea({ ideaId: '1', title: 'Un théâtre de verdure', description: 'Près de l’école Jules-Verne' }),
      idea({ ideaId: '2', title: 'Une piste cyclable', description: 'Rue de Rennes' }),
    ];
    const query = IdeaListQuery.parse({ q: 'ECOLE theatre' });
    expect(listIdeas(ideas.map(publicIdea), query).items.map((i) => i.id)).toEqual(['1']);
  });

  it('filters, sorts with stable ties and pages', () => {
    const ideas = [
      idea({ ideaId: 'c', estimatedCost: 3000 }),
      idea({ ideaId: 'a', estimatedCost: 1000 }),
      idea({ ideaId: 'b', estimatedCost: 1000 }),
      idea({ ideaId: 'd', estimatedCost: 500, commune: '44184', territory: 'saint-nazaire' }),
    ];
    const page = listIdeas(
      ideas.map(publicIdea),
      IdeaListQuery.parse({ commune: '44109', sort: 'cost-asc', pageSize: '2' }),
    );
    expect(page).toMatchObject({ total: 3, pages: 2, page: 1 });
    expect(page.items.map((i) => i.id)).toEqual(['a', 'b']);
  });
});

describe('idea rules of the edition', () => {
  const placement = { theme: 'sport', territory: 'nantes', commune: '44109', estimatedCost: 5000 };

  it('accepts a commune of the territory and a cost within the bounds', () => {
    expect(() => checkIdeaRules(config, placement)).not.toThrow();
  });

  it('reports every broken rule at once, field by field', () => {
    const error = refusal(() =>
      checkIdeaRules(config, { ...placement, theme: 'inconnu', commune: '44184', estimatedCost: 60_000 }),
    );
    expect(error.status).toBe(422);
    expect(error.code).toBe('unknown_theme');
    expect(error.errors.map((e) => e.field)).toEqual(['body.theme', 'body.commune', 'body.estimatedCost']);
    expect(error.errors[2]?.message).toMatch(/entre 1\s000 € et 50\s000 €/);
  });

  it('lets a citizen propose for their territory or the whole Département only', () => {
    expect(() => checkAuthorTerritory(config, 'nantes', 'nantes')).not.toThrow();
    expect(() => checkAuthorTerritory(config, 'loire-atlantique', 'vignoble')).not.toThrow();
    expect(refusal(() => checkAuthorTerritory(config, 'nantes', 'vignoble')).code).toBe(
      'territory_not_yours',
    );
  });

  it('requires the name of an association or a collective', () => {
    const body = {
      title: 'Un titre',
      description: 'Une description assez longue.',
      theme: 'sport',
      territory: 'nantes',
      commune: '44109',
      estimatedCost: 5000,
    };
    expect(SubmitIdeaBody.safeParse({ ...body, proposer: { kind: 'collective' } }).success).toBe(false);
    expect(
      SubmitIdeaBody.safeParse({ ...body, proposer: { kind: 'collective', name: 'Quartier' } }).success,
    ).toBe(true);
  });
});

describe('ideas window', () => {
  const window = ideasWindow(config, undefined);
  const during = new Date(window.opensAt.getTime() + 1000);
  const after = new Date(window.closesAt.getTime() + 1000);

  it('needs both the stored phase and the clock', () => {
    expect(() => assertIdeasOpen(config, 'ideas', undefined, during)).not.toThrow();
    expect(refusal(() => assertIdeasOpen(config, 'ideas', undefined, after)).code).toBe('ideas_closed');
    expect(refusal(() => assertIdeasOpen(config, 'instruction', undefined, during)).code).toBe(
      'ideas_closed',
    );
    expect(refusal(() => assertIdeasOpen(config, 'setup', undefined, during)).code).toBe('ideas_not_open');
  });

  it('counts an admin extension, never a shortening', () => {
    const extended = { closesAtMs: after.getTime() + 60_000, version: 1 };
    expect(() => assertIdeasOpen(config, 'ideas', extended, after)).not.toThrow();
    const earlier = { closesAtMs: during.getTime(), version: 1 };
    expect(ideasWindow(config, earlier).closesAt).toEqual(window.closesAt);
  });
});
