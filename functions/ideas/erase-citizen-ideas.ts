import type { CitizenErased } from '../../shared/events/catalogue.ts';
import type { DetailOf } from '../../shared/events/define-event.ts';
import type { Idea } from './idea.ts';
import type { IdeaRepository } from './idea-repository.ts';
import type { SupportRepository } from './support-repository.ts';

/** Who an idea is credited to once its only author erased their data (the count of authors stays). */
export const ERASED_AUTHOR = 'effacé';
/** The actor of an erased citizen's audit entries. */
const ERASED_ACTOR = `citizen:${ERASED_AUTHOR}`;

/** An idea without the person: no credit, and nothing of what the moderation hid as personal data. */
export function withoutPerson(idea: Idea, citizenId: string): Idea {
  const others = idea.authorIds.filter((id) => id !== citizenId);
  const next: Idea = {
    ...idea,
    authorId: idea.authorId === citizenId ? ERASED_AUTHOR : idea.authorId,
    authorIds: others.length > 0 ? others : [ERASED_AUTHOR],
  };
  if (idea.status !== 'hidden' || idea.moderation?.rule !== 'personal-data') return next;
  const { location: _location, commune: _commune, ...rest } = next;
  const { reason: _reason, ...moderation } = idea.moderation;
  return {
    ...rest,
    title: 'Idée effacée',
    description: 'Cette idée, masquée parce qu’elle contenait des données personnelles, a été effacée.',
    proposer: { kind: 'individual' },
    pictures: [],
    moderation,
  };
}

/**
 * Consumer of `CitizenErased` in the ideas context: the draft, the supports (counters follow), the
 * idempotency claims and the "my ideas" pointers go; ideas stay (they belong to the edition's record) with
 * no credit to the person, no audit entry naming them, and none of the personal details the moderation hid.
 * Idempotent: a redelivery finds nothing left to change (ideas are saved only when they change).
 */
export async function eraseCitizenIdeas(
  deps: { ideas: IdeaRepository; supports: SupportRepository; now: () => Date; newId: () => string },
  detail: DetailOf<typeof CitizenErased>,
): Promise<{ ideas: number; supports: number }> {
  const { citizenId } = detail;
  await deps.ideas.deleteDraft(citizenId);
  const supported = await deps.supports.supportedBy(citizenId);
  for (const ideaId of supported) await deps.supports.remove(ideaId, citizenId);
  const ideas = await deps.ideas.listByAuthor(citizenId);
  for (const idea of ideas) {
    const next = withoutPerson(idea, citizenId);
    if (JSON.stringify(next) !== JSON.stringify(idea)) {
      await deps.ideas.save([
        {
          idea: { ...next, revision: idea.revision + 1 },
          expectedRevision: idea.revision,
          audit: {
            auditId: deps.newId(),
            action: 'erase',
            actor: 'system',
            at: deps.now().toISOString(),
            detail: 'Données personnelles d’un auteur effacées à sa demande',
          },
        },
      ]);
    }
    await deps.ideas.replaceAuditActor(idea.ideaId, `citizen:${citizenId}`, ERASED_ACTOR);
  }
  await deps.ideas.forgetAuthor(citizenId);
  return { ideas: ideas.length, supports: supported.length };
}
