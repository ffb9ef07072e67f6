import { conflict, DomainError, notFound } from '../../shared/errors/domain-error.ts';
import type { PatchIdeaBody } from '../../shared/http/idea-schemas.ts';
import type { Idea } from './idea.ts';
import { checkAuthorTerritory, checkIdeaRules } from './idea-rules.ts';
import { assertIdeasOpen } from './ideas-window.ts';
import { type IdeasDeps, normalizeProposer } from './submit-idea.ts';

export const ideaNotFound = (ideaId: string) =>
  notFound('idea_not_found', `Aucune idée « ${ideaId} » ne vous est accessible.`);

const EDITABLE: readonly Idea['status'][] = ['submitted', 'changes-requested', 'published'];

/**
 * The author edits their idea while the call for ideas is open (same rules as a submission), or
 * withdraws it at any time unless it was merged. An edited idea goes back to moderation (`submitted`):
 * the charter applies to the new text too, so a published idea leaves the public list until a moderator
 * publishes it again. Audited; no event (none of the catalogue describes an edit yet).
 */
export async function editIdea(
  deps: IdeasDeps,
  request: { ideaId: string; authorId: string; authorTerritory: string | undefined; patch: PatchIdeaBody },
): Promise<Idea> {
  const idea = await deps.ideas.get(request.ideaId);
  if (!idea?.authorIds.includes(request.authorId)) throw ideaNotFound(request.ideaId);
  if (idea.authorId !== request.authorId) {
    throw new DomainError({
      code: 'not_idea_author',
      status: 403,
      title: 'Modification réservée',
      detail: 'Seule la personne qui a déposé cette idée peut la modifier ou la retirer.',
    });
  }
  const now = deps.now();
  const at = now.toISOString();
  const { patch } = request;

  if (patch.status === 'withdrawn') {
    if (idea.status === 'withdrawn' || idea.status === 'merged') {
      throw conflict(
        'idea_not_withdrawable',
        idea.status === 'withdrawn'
          ? 'Cette idée est déjà retirée.'
          : 'Cette idée a été regroupée avec une autre : elle ne peut plus être retirée.',
      );
    }
    const next: Idea = { ...idea, status: 'withdrawn', updatedAt: at, revision: idea.revision + 1 };
    await deps.ideas.save([
      {
        idea: next,
        expectedRevision: idea.revision,
        audit: { auditId: deps.newId(), action: 'withdraw', actor: `citizen:${request.authorId}`, at },
      },
    ]);
    return next;
  }

  const config = await deps.editions.get();
  assertIdeasOpen(config, await deps.ideas.getPhase(), await deps.ideas.getWindow(), now);
  if (!EDITABLE.includes(idea.status)) {
    throw conflict(
      'idea_not_editable',
      'Cette idée ne peut plus être modifiée (retirée, masquée ou regroupée).',
    );
  }
  const { commune, location, proposer, status: _status, ...fields } = patch;
  const next: Idea = {
    ...idea,
    ...Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)),
    status: 'submitted',
    updatedAt: at,
    revision: idea.revision + 1,
  };
  if (commune === null) delete next.commune;
  else if (commune !== undefined) next.commune = commune;
  if (location === null) delete next.location;
  else if (location !== undefined) next.location = location;
  if (proposer) next.proposer = normalizeProposer(proposer);
  checkIdeaRules(config, next);
  if (next.territory !== idea.territory)
    checkAuthorTerritory(config, next.territory, request.authorTerritory);
  const changed = Object.keys(patch).join(',');
  await deps.ideas.save([
    {
      idea: next,
      expectedRevision: idea.revision,
      audit: {
        auditId: deps.newId(),
        action: 'edit',
        actor: `citizen:${request.authorId}`,
        at,
        detail: changed,
      },
    },
  ]);
  return next;
}
