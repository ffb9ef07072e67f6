import { DomainError, serviceUnavailable } from '../../shared/errors/domain-error.ts';
import { VoteWindowChanged } from '../../shared/events/catalogue.ts';
import type { EventPublisher } from '../../shared/events/event-publisher.ts';
import { voteNotOpen } from './vote-refusals.ts';
import type { PendingWindowChange, VoteWindow, VotingRepository } from './voting-repository.ts';

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
 * Pauses, resumes or extends the vote (admin, with a reason): the window item, its audit entry and the
 * change to announce are written together (an extension also checks that the phase is still `vote`, in the
 * same transaction), then `VoteWindowChanged` tells coordinators and committee (via notifications). A change
 * whose event did not make it stays pending on the window and is published by the next call (another
 * change, or the minute watch). The cast transaction checks the window item, so a pause applies at once.
 */
export async function changeVoteWindow(
  deps: ChangeWindowDeps,
  request: WindowAction & { actor: { sub: string; role: string } },
): Promise<VoteWindow> {
  const window = await deps.votes.getWindow();
  if (!window) throw voteNotOpen();
  if (window.pending) await publishWindowChange(deps, window.pending);
  const { pending: _published, ...current } = window;
  const next: VoteWindow = { ...current, version: window.version + 1 };
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
  const change: PendingWindowChange = {
    changeId,
    action: request.action,
    reason: request.reason,
    closesAt: new Date(next.closesAtMs).toISOString(),
    paused: next.paused,
    changedAt: at,
    actor: { kind: 'staff', sub: request.actor.sub, role: request.actor.role },
  };
  next.pending = change;
  await deps.votes.changeWindow(
    window.version,
    next,
    {
      auditId: changeId,
      action: request.action,
      reason: request.reason,
      at,
      actor: `${request.actor.role}:${request.actor.sub}`,
      detail: JSON.stringify({ paused: next.paused, closesAt: change.closesAt }),
    },
    { whileVoting: request.action === 'extend' },
  );
  await publishWindowChange(deps, change);
  const { pending: _done, ...stored } = next;
  return stored;
}

/** Publishes a stored window change, then forgets it; a failure leaves it pending for the next call. */
export async function publishWindowChange(
  deps: Pick<ChangeWindowDeps, 'edition' | 'votes' | 'events'>,
  change: PendingWindowChange,
): Promise<void> {
  try {
    await deps.events.publish(VoteWindowChanged, { edition: deps.edition, ...change });
  } catch {
    throw serviceUnavailable(
      'event_publish_pending',
      'Le changement de la fenêtre de vote est enregistré ; sa diffusion reprendra dans un instant.',
    );
  }
  await deps.votes.markWindowChangePublished(change.changeId);
}
