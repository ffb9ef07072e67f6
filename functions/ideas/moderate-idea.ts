import { conflict, DomainError, notFound } from '../../shared/errors/domain-error.ts';
import type { ModerationBody } from '../../shared/http/idea-schemas.ts';
import type { Idea, IdeaStatus, Moderation } from './idea.ts';
import { type OutboxEvent, outboxEvent, publishPendingEvents } from './idea-outbox.ts';
import type { IdeaAudit } from './idea-repository.ts';
import { type IdeasDeps, publishWritten } from './submit-idea.ts';

/** From which statuses each moderation action may start. */
const FROM: Record<ModerationBody['action'], readonly IdeaStatus[]> = {
  publish: ['submitted', 'changes-requested', 'hidden'],
  'request-change': ['submitted', 'published'],
  hide: ['submitted', 'published', 'changes-requested'],
  merge: ['submitted', 'published', 'changes-requested'],
};
const MERGE_TARGET: readonly IdeaStatus[] = ['submitted', 'published', 'changes-requested'];

const notAllowed = (action: string, status: IdeaStatus) =>
  conflict(
    'moderation_not_allowed',
    `Action « ${action} » impossible sur une idée au statut « ${status} » : rechargez la file de modération.`,
  );

/**
 * A moderator publishes, asks for a change (reason), hides (charter rule + reason) or merges an idea
 * into another (reason; every author of both credited on the remaining idea). Each decision is stored
 * with its audit entry (who = staff `sub`, when, why) and its event (outbox) in one transaction, then the
 * event is published: `IdeaPublished`, `IdeaChangeRequested`, `IdeaHidden` or `IdeasMerged`. An event the
 * bus refused stays pending: the next request on the idea, or the sweep schedule, publishes it.
 */
export async function moderateIdea(
  deps: IdeasDeps,
  request: { ideaId: string; body: ModerationBody; actor: { sub: string; role: string } },
): Promise<Idea> {
  const { body, actor } = request;
  await publishPendingEvents(deps, request.ideaId);
  const idea = await deps.ideas.get(request.ideaId);
  if (!idea) throw notFound('idea_not_found', `L’idée « ${request.ideaId} » n’existe pas.`);
  if (!FROM[body.action].includes(idea.status)) throw notAllowed(body.action, idea.status);

  const at = deps.now().toISOString();
  const moderationId = deps.newId();
  const moderation: Moderation = {
    moderationId,
    action: body.action,
    by: actor.sub,
    at,
    ...(body.reason ? { reason: body.reason } : {}),
    ...(body.action === 'hide' ? { rule: body.rule } : {}),
  };
  const audit = (ideaId: string, detail?: string): IdeaAudit => ({
    auditId: ideaId === idea.ideaId ? moderationId : deps.newId(),
    action: body.action,
    actor: `${actor.role}:${actor.sub}`,
    at,
    ...(body.reason ? { reason: body.reason } : {}),
    ...(detail ? { detail } : {}),
  });
  const staff = { kind: 'staff' as const, sub: actor.sub, role: actor.role };
  const ids = { eventId: moderationId, ideaId: idea.ideaId, at };
  const bump = (status: IdeaStatus, extra: Partial<Idea> = {}): Idea => ({
    ...idea,
    ...extra,
    status,
    moderation,
    updatedAt: at,
    revision: idea.revision + 1,
  });
  /** Saves the moderated idea with its audit entry and its event (outbox), then publishes the event. */
  const saveOne = async (next: Idea, event: OutboxEvent, auditDetail?: string): Promise<Idea> => {
    await deps.ideas.save(
      [{ idea: next, expectedRevision: idea.revision, audit: audit(idea.ideaId, auditDetail) }],
      { events: [event] },
    );
    await publishWritten(deps, [event]);
    return next;
  };

  switch (body.action) {
    case 'publish': {
      const next = bump('published', { publishedAt: idea.publishedAt ?? at });
      const event = outboxEvent(
        'IdeaPublished',
        {
          edition: deps.edition,
          moderationId,
          ideaId: idea.ideaId,
          authorIds: idea.authorIds,
          publishedAt: at,
          actor: staff,
        },
        ids,
      );
      return saveOne(next, event);
    }
    case 'request-change': {
      const next = bump('changes-requested');
      const event = outboxEvent(
        'IdeaChangeRequested',
        {
          edition: deps.edition,
          moderationId,
          ideaId: idea.ideaId,
          authorIds: idea.authorIds,
          reason: body.reason,
          requestedAt: at,
          actor: staff,
        },
        ids,
      );
      return saveOne(next, event);
    }
    case 'hide': {
      const next = bump('hidden');
      const event = outboxEvent(
        'IdeaHidden',
        {
          edition: deps.edition,
          moderationId,
          ideaId: idea.ideaId,
          authorIds: idea.authorIds,
          rule: body.rule,
          reason: body.reason,
          hiddenAt: at,
          actor: staff,
        },
        ids,
      );
      return saveOne(next, event, `rule=${body.rule}`);
    }
    case 'merge': {
      if (body.into === idea.ideaId) {
        throw new DomainError({
          code: 'merge_into_itself',
          status: 400,
          title: 'Regroupement impossible',
          detail: 'Une idée ne peut pas être regroupée avec elle-même.',
          errors: [{ field: 'body.into', message: 'Choisissez une autre idée' }],
        });
      }
      const target = await deps.ideas.get(body.into);
      if (!target) {
        throw new DomainError({
          code: 'merge_target_not_found',
          status: 422,
          title: 'Regroupement impossible',
          detail: `L’idée « ${body.into} » n’existe pas.`,
          errors: [{ field: 'body.into', message: 'Idée introuvable' }],
        });
      }
      if (!MERGE_TARGET.includes(target.status)) throw notAllowed('merge', target.status);
      const newAuthors = idea.authorIds.filter((author) => !target.authorIds.includes(author));
      const merged = bump('merged', { mergedInto: target.ideaId });
      const into: Idea = {
        ...target,
        authorIds: [...target.authorIds, ...newAuthors],
        mergedFrom: [...target.mergedFrom, idea.ideaId],
        updatedAt: at,
        revision: target.revision + 1,
      };
      const event = outboxEvent(
        'IdeasMerged',
        {
          edition: deps.edition,
          moderationId,
          mergedIdeaId: idea.ideaId,
          intoIdeaId: target.ideaId,
          authorIds: into.authorIds,
          reason: body.reason,
          mergedAt: at,
          actor: staff,
        },
        ids,
      );
      await deps.ideas.save(
        [
          {
            idea: merged,
            expectedRevision: idea.revision,
            audit: audit(idea.ideaId, `into=${target.ideaId}`),
          },
          {
            idea: into,
            expectedRevision: target.revision,
            audit: audit(target.ideaId, `from=${idea.ideaId}`),
          },
        ],
        {
          newPointers: newAuthors.map((authorId) => ({ authorId, ideaId: target.ideaId })),
          events: [event],
        },
      );
      await publishWritten(deps, [event]);
      return merged;
    }
  }
}
