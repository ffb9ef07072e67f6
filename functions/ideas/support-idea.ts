import { conflict, DomainError } from '../../shared/errors/domain-error.ts';
import { ideaNotFound } from './edit-idea.ts';
import type { IdeasDeps } from './submit-idea.ts';
import type { SupportRepository } from './support-repository.ts';

export interface SupportDeps extends Pick<IdeasDeps, 'editions' | 'ideas' | 'now'> {
  supports: SupportRepository;
}

/** Phases in which published ideas may be supported: during the call and while they are examined. */
const SUPPORT_PHASES = ['ideas', 'instruction'] as const;

/**
 * A verified citizen supports a published idea, once: a second support (a retry, a double click) changes
 * nothing and answers the same; withdrawing a support that is not there is a no-op too. Only when the
 * edition enables supports. A held identity (probable duplicate under review) may support, as it may
 * propose: supports are a signal for the services, not votes (voting refuses held identities).
 * No event: nothing else in the platform reacts to a support.
 */
export async function setSupport(
  deps: SupportDeps,
  request: { ideaId: string; citizenId: string; supported: boolean },
): Promise<{ supported: boolean; supportsCount: number }> {
  const config = await deps.editions.get();
  if (!config.supports.enabled) {
    throw new DomainError({
      code: 'supports_disabled',
      // Not 403: the caller may support ideas; this edition has none.
      status: 409,
      title: 'Soutiens non ouverts',
      detail: 'Cette édition du budget participatif ne propose pas de soutenir les idées.',
    });
  }
  const idea = await deps.ideas.get(request.ideaId);
  if (idea?.status !== 'published') throw ideaNotFound(request.ideaId);
  const phase = await deps.ideas.getPhase();
  if (!phase || !(SUPPORT_PHASES as readonly string[]).includes(phase)) {
    throw conflict(
      'supports_closed',
      'Les soutiens sont possibles pendant l’appel à idées et l’instruction, pas en ce moment.',
    );
  }
  if (request.supported) await deps.supports.add(idea.ideaId, request.citizenId, deps.now().toISOString());
  else await deps.supports.remove(idea.ideaId, request.citizenId);
  return { supported: request.supported, supportsCount: await deps.supports.count(idea.ideaId) };
}
