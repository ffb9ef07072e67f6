import { conflict, DomainError, notFound } from '../../shared/errors/domain-error.ts';
import type { PatchIdeaBody } from '../../shared/http/idea-schemas.ts';
import type { UploadPresigner } from '../../shared/site/upload-presigner.ts';
import { checkNewPictures } from './check-pictures.ts';
import { type Idea, picturePrefix } from './idea.ts';
import { outboxEvent, publishPendingEvents } from './idea-outbox.ts';
import { checkAuthorTerritory, checkIdeaRules } from './idea-rules.ts';
import { assertIdeasOpen, assertWithdrawalOpen } from './ideas-window.ts';
import { type IdeasDeps, normalizeProposer, publishWritten } from './submit-idea.ts';

export const ideaNotFound = (ideaId: string) =>
  notFound('idea_not_found', `Aucune idée « ${ideaId} » ne vous est accessible.`);

const EDITABLE: readonly Idea['status'][] = ['submitted', 'changes-requested', 'published'];

const notAuthor = () =>
  new DomainError({
    code: 'not_idea_author',
    status: 403,
    title: 'Modification réservée',
    detail: 'Seule la personne qui a déposé cette idée peut la modifier ou la retirer.',
  });

/** The idea, if `authorId` submitted it and may still edit it (call open, status editable). */
export async function editableIdea(deps: IdeasDeps, ideaId: string, authorId: string): Promise<Idea> {
  const idea = await deps.ideas.get(ideaId);
  if (!idea?.authorIds.includes(authorId)) throw ideaNotFound(ideaId);
  if (idea.authorId !== authorId) throw notAuthor();
  const config = await deps.editions.get();
  assertIdeasOpen(config, await deps.ideas.getPhase(), await deps.ideas.getWindow(), deps.now());
  if (!EDITABLE.includes(idea.status)) {
    throw conflict(
      'idea_not_editable',
      'Cette idée ne peut plus être modifiée (retirée, masquée ou regroupée).',
    );
  }
  return idea;
}

/**
 * The author edits their idea while the call for ideas is open (same rules as a submission), or withdraws
 * it while the call is open unless it was merged (after the call, it belongs to the instruction and the
 * vote: 409 `idea_withdrawal_closed`). An edited idea goes back to moderation (`submitted`):
 * the charter applies to the new text too, so a published idea leaves the public list until a moderator
 * publishes it again. A picture it refers to for the first time must be stored and really an image
 * (check-pictures.ts). Audited; emits `IdeaEdited` or `IdeaWithdrawn` through the outbox (the public list
 * is regenerated on them).
 */
export async function editIdea(
  deps: IdeasDeps & { uploads?: UploadPresigner | undefined },
  request: { ideaId: string; authorId: string; authorTerritory: string | undefined; patch: PatchIdeaBody },
): Promise<Idea> {
  await publishPendingEvents(deps, request.ideaId);
  const idea = await deps.ideas.get(request.ideaId);
  if (!idea?.authorIds.includes(request.authorId)) throw ideaNotFound(request.ideaId);
  if (idea.authorId !== request.authorId) throw notAuthor();
  const now = deps.now();
  const at = now.toISOString();
  const { patch } = request;

  if (patch.status === 'withdrawn') {
    const config = await deps.editions.get();
    assertWithdrawalOpen(config, await deps.ideas.getPhase(), await deps.ideas.getWindow(), now);
    if (idea.status === 'withdrawn' || idea.status === 'merged') {
      throw conflict(
        'idea_not_withdrawable',
        idea.status === 'withdrawn'
          ? 'Cette idée est déjà retirée.'
          : 'Cette idée a été regroupée avec une autre : elle ne peut plus être retirée.',
      );
    }
    const next: Idea = { ...idea, status: 'withdrawn', updatedAt: at, revision: idea.revision + 1 };
    const auditId = deps.newId();
    const withdrawn = outboxEvent(
      'IdeaWithdrawn',
      { edition: deps.edition, changeId: auditId, ideaId: idea.ideaId, withdrawnAt: at },
      { eventId: auditId, ideaId: idea.ideaId, at },
    );
    await deps.ideas.save(
      [
        {
          idea: next,
          expectedRevision: idea.revision,
          audit: { auditId, action: 'withdraw', actor: `citizen:${request.authorId}`, at },
        },
      ],
      { events: [withdrawn] },
    );
    await publishWritten(deps, [withdrawn]);
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
  const { commune, place, location, proposer, status: _status, ...fields } = patch;
  const next: Idea = {
    ...idea,
    ...Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)),
    status: 'submitted',
    updatedAt: at,
    revision: idea.revision + 1,
  };
  if (commune === null) delete next.commune;
  else if (commune !== undefined) next.commune = commune;
  if (place === null) delete next.place;
  else if (place !== undefined) next.place = place;
  if (location === null) delete next.location;
  else if (location !== undefined) next.location = location;
  if (proposer) next.proposer = normalizeProposer(proposer);
  const keys = (patch.pictures ?? []).map((picture) => picture.key);
  const foreign = keys.filter((key) => !key.startsWith(picturePrefix(deps.edition, idea.ideaId)));
  if (foreign.length > 0 || new Set(keys).size !== keys.length) {
    throw new DomainError({
      code: 'picture_not_of_this_idea',
      status: 422,
      title: 'Photo refusée',
      detail:
        'Une photo ne peut être ajoutée qu’une fois, et seulement à l’idée pour laquelle elle a été envoyée.',
      errors: [{ field: 'body.pictures', message: 'Photo d’une autre idée ou en double' }],
    });
  }
  const known = new Set(idea.pictures.map((picture) => picture.key));
  if (patch.pictures) await checkNewPictures(deps.uploads, patch.pictures, known);
  checkIdeaRules(config, next);
  if (next.territory !== idea.territory)
    checkAuthorTerritory(config, next.territory, request.authorTerritory);
  // Before the save: a failed save leaves a picture kept for nothing, never an idea whose picture expires.
  const fresh = keys.filter((key) => !known.has(key));
  if (fresh.length > 0) await deps.uploads?.markAttached(fresh);
  const changed = Object.keys(patch).join(',');
  const auditId = deps.newId();
  const edited = outboxEvent(
    'IdeaEdited',
    { edition: deps.edition, changeId: auditId, ideaId: idea.ideaId, editedAt: at },
    { eventId: auditId, ideaId: idea.ideaId, at },
  );
  await deps.ideas.save(
    [
      {
        idea: next,
        expectedRevision: idea.revision,
        audit: { auditId, action: 'edit', actor: `citizen:${request.authorId}`, at, detail: changed },
      },
    ],
    { events: [edited] },
  );
  await publishWritten(deps, [edited]);
  return next;
}
