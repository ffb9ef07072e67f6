import { DomainError } from '../../shared/errors/domain-error.ts';
import { VoteWindowChanged } from '../../shared/events/catalogue.ts';
import type { EventPublisher } from '../../shared/events/event-publisher.ts';
import { voteNotOpen } from './vote-refusals.ts';
import type { VoteWindow, VotingRepository } from './voting-repository.ts';

export interface ChangeWindowDeps {
  edition: string;
  votes: VotingRepository;
  events: EventPublisher;
  now: () => Date;
  newId: () => string;
}

export type WindowAction =
  | { action: 'pause'; reason: string }
  | { action: 'resume'; reason: string }
  | { action: 'extend'; reason: string; until: Date };

/**
 * Pauses, resumes or extends the vote (admin, with a reason): the window item and its audit entry are
 * written together, then `VoteWindowChanged` tells coordinators and committee (via notifications). The
 * cast transaction checks the window item, so a pause applies to the very next ballot.
 */
export async function changeVoteWindow(
  deps: ChangeWindowDeps,
  request: WindowAction & { actor: { sub: string; role: string } },
): Promise<VoteWindow> {
  const window = await deps.votes.getWindow();
  if (!window) throw voteNotOpen();
  const next: VoteWindow = { ...window, version: window.version + 1 };
  if (request.action === 'pause') next.paused = true;
  if (request.action === 'resume') next.paused = false;
  if (request.action === 'extend') {
    if (request.until.getTime() <= window.closesAtMs) {
      throw new DomainError({
        code: 'extension_too_short',
        status: 400,
        title: 'Prolongation invalide',
        detail: 'La nouvelle clôture doit être postérieure à la clôture actuelle.',
        errors: [{ field: 'body.until', message: 'Doit être postérieure à la clôture actuelle' }],
      });
    }
    next.closesAtMs = request.until.getTime();
  }
  const changeId = deps.newId();
  const at = deps.now().toISOString();
  await deps.votes.changeWindow(window.version, next, {
    auditId: changeId,
    action: request.action,
    reason: request.reason,
    at,
    actor: `${request.actor.role}:${request.actor.sub}`,
    detail: JSON.stringify({ paused: next.paused, closesAt: new Date(next.closesAtMs).toISOString() }),
  });
  await deps.events.publish(VoteWindowChanged, {
    edition: deps.edition,
    changeId,
    action: request.action,
    reason: request.reason,
    closesAt: new Date(next.closesAtMs).toISOString(),
    paused: next.paused,
    changedAt: at,
    actor: { kind: 'staff', sub: request.actor.sub, role: request.actor.role },
  });
  return next;
}
