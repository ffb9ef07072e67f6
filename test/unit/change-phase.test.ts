import { describe, expect, it } from 'vitest';
import { changePhase } from '../../functions/editions/change-phase.ts';
import type { PhaseChange, PhaseRepository, PhaseState } from '../../functions/editions/phase-repository.ts';
import { DomainError } from '../../shared/errors/domain-error.ts';
import type { EventPublisher } from '../../shared/events/event-publisher.ts';

/** In-memory twin of the phase repository: this test is about the use case's rules only. */
function memoryPhases(): PhaseRepository & { changes: PhaseChange[] } {
  let state: PhaseState | undefined;
  const changes: PhaseChange[] = [];
  return {
    changes,
    async getState() {
      return state;
    },
    async isVoteClosed() {
      return false;
    },
    async recordChange(expectedVersion, change) {
      if ((state?.version ?? 0) !== expectedVersion) throw new Error('conflict');
      state = { current: change.to, since: change.at, version: expectedVersion + 1 };
      changes.unshift({ ...change });
      return state;
    },
    async history(limit) {
      return changes.slice(0, limit);
    },
    async markPublished(change) {
      const stored = changes.find((candidate) => candidate.changeId === change.changeId);
      if (stored) stored.published = true;
    },
  };
}

function recordingPublisher(failures = 0) {
  const published: unknown[] = [];
  let remainingFailures = failures;
  const events: EventPublisher = {
    async publish(contract, detail) {
      if (remainingFailures-- > 0) throw new Error('bus unavailable');
      published.push({ type: contract.detailType, ...detail });
    },
  };
  return { events, published };
}

let ids = 0;
const deps = (phases: PhaseRepository, events: EventPublisher) => ({
  phases,
  events,
  reviewBallotList: async () => [],
  edition: 'demo',
  now: () => new Date('2023-02-27T08:00:00Z'),
  newId: () => `change-${++ids}`,
});

describe('changePhase', () => {
  it('stores the change and publishes PhaseChanged once', async () => {
    // Prepare
    const phases = memoryPhases();
    const { events, published } = recordingPublisher();
    // Act
    const state = await changePhase(deps(phases, events), {
      to: 'ideas',
      actor: { kind: 'schedule' },
      forwardOnly: true,
    });
    // Assess
    expect(state.current).toBe('ideas');
    expect(published).toEqual([
      expect.objectContaining({ type: 'PhaseChanged', from: 'setup', to: 'ideas' }),
    ]);
    expect(phases.changes[0]?.published).toBe(true);
  });

  it('does nothing when the edition is already in the requested phase', async () => {
    const phases = memoryPhases();
    const { events, published } = recordingPublisher();
    await changePhase(deps(phases, events), { to: 'ideas', actor: { kind: 'schedule' }, forwardOnly: true });
    await changePhase(deps(phases, events), { to: 'ideas', actor: { kind: 'schedule' }, forwardOnly: true });
    expect(published).toHaveLength(1);
    expect(phases.changes).toHaveLength(1);
  });

  it('never lets a schedule move the phase backwards, but lets an admin do it', async () => {
    const phases = memoryPhases();
    const { events } = recordingPublisher();
    await changePhase(deps(phases, events), { to: 'vote', actor: { kind: 'schedule' }, forwardOnly: true });
    const afterSchedule = await changePhase(deps(phases, events), {
      to: 'ideas',
      actor: { kind: 'schedule' },
      forwardOnly: true,
    });
    expect(afterSchedule.current).toBe('vote');
    const afterAdmin = await changePhase(deps(phases, events), {
      to: 'ideas',
      reason: 'Retour en arrière de démonstration',
      actor: { kind: 'staff', sub: 'admin-sub', role: 'admin' },
      forwardOnly: false,
    });
    expect(afterAdmin.current).toBe('ideas');
  });

  it('answers 503 when the bus fails, then publishes the stored change on the retry', async () => {
    const phases = memoryPhases();
    const { events, published } = recordingPublisher(1);
    const request = { to: 'ideas' as const, actor: { kind: 'schedule' as const }, forwardOnly: true };

    const failure = await changePhase(deps(phases, events), request).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DomainError);
    expect((failure as DomainError).status).toBe(503);
    expect(phases.changes[0]?.published).toBe(false);

    await changePhase(deps(phases, events), request);
    expect(published).toHaveLength(1);
    expect(phases.changes).toHaveLength(1);
    expect(phases.changes[0]?.published).toBe(true);
  });
});
