import { describe, expect, it } from 'vitest';
import { changePhase } from '../../functions/editions/change-phase.ts';
import type { PhaseChange, PhaseRepository, PhaseState } from '../../functions/editions/phase-repository.ts';
import { changeVoteWindow } from '../../functions/voting/change-vote-window.ts';
import type { VoteWindow, VotingRepository } from '../../functions/voting/voting-repository.ts';
import { watchVoteWindow } from '../../functions/voting/watch-vote-window.ts';
import type { Phase } from '../../shared/edition/phases.ts';
import { DomainError } from '../../shared/errors/domain-error.ts';
import type { EventPublisher } from '../../shared/events/event-publisher.ts';
import type { VoteSnapshot } from '../../shared/voting/frozen-snapshot.ts';

const CONFIGURED_CLOSE = Date.parse('2023-03-26T20:00:00Z');
const now = new Date('2023-03-27T10:00:00Z');

/** The table as both functions see it: the phase item (editions) and the window item (voting). */
function memoryTable(phase: Phase, window: VoteWindow | undefined) {
  const table = { phase, window, changes: [] as PhaseChange[] };
  const phases: PhaseRepository = {
    async getState(): Promise<PhaseState> {
      return { current: table.phase, since: '2023-03-01T00:00:00Z', version: table.changes.length + 1 };
    },
    async isVoteClosed() {
      return false;
    },
    async recordChange(_expected, change, guard) {
      if (guard && table.window && table.window.closesAtMs > guard.voteEndedBy) return 'vote-extended';
      table.phase = change.to;
      table.changes.unshift({ ...change });
      return { current: change.to, since: change.at, version: table.changes.length + 1 };
    },
    async history(limit) {
      return table.changes.slice(0, limit);
    },
    async markPublished(change) {
      const stored = table.changes.find((c) => c.changeId === change.changeId);
      if (stored) stored.published = true;
    },
  };
  const votes = {
    async getWindow() {
      return table.window && structuredClone(table.window);
    },
    async getPhase() {
      return table.phase;
    },
    async changeWindow(
      expected: number,
      next: VoteWindow,
      _audit: unknown,
      options?: { whileVoting: boolean },
    ) {
      if (table.window?.version !== expected) throw new Error('conflict');
      if (options?.whileVoting && table.phase !== 'vote') throw new Error('closed');
      table.window = structuredClone(next);
    },
    async markWindowChangePublished(changeId: string) {
      if (table.window?.pending?.changeId === changeId) delete table.window.pending;
    },
  } as unknown as VotingRepository;
  return { table, phases, votes };
}

function recordingPublisher(failures = 0) {
  const published: Record<string, unknown>[] = [];
  let remaining = failures;
  const events: EventPublisher = {
    async publish(contract, detail) {
      if (remaining-- > 0) throw new Error('bus unavailable');
      published.push({ type: contract.detailType, ...detail });
    },
  };
  return { events, published };
}

const snapshot = async () => ({
  snapshot: { closesAt: new Date(CONFIGURED_CLOSE).toISOString() } as VoteSnapshot,
});
let ids = 0;
const newId = () => `id-${++ids}`;
const openWindow = (closesAtMs: number): VoteWindow => ({
  opensAtMs: CONFIGURED_CLOSE - 30 * 86_400_000,
  closesAtMs,
  paused: false,
  version: 3,
});

describe('vote extension versus the phase schedules', () => {
  it('declines the scheduled switch to counting while an extension runs', async () => {
    // Prepare: an admin extended the vote by a day.
    const { table, phases } = memoryTable('vote', openWindow(now.getTime() + 86_400_000));
    const { events, published } = recordingPublisher();
    // Act
    const state = await changePhase(
      { phases, events, reviewBallotList: async () => [], edition: 'demo', now: () => now, newId },
      { to: 'counting', actor: { kind: 'schedule' }, forwardOnly: true, unlessVoteExtended: true },
    );
    // Assess
    expect(state.current).toBe('vote');
    expect(table.phase).toBe('vote');
    expect(published).toEqual([]);
  });

  it('declines a later phase schedule too (results) while the extension runs: the vote is never skipped', async () => {
    const { table, phases } = memoryTable('vote', openWindow(now.getTime() + 86_400_000));
    const { events, published } = recordingPublisher();
    await changePhase(
      { phases, events, reviewBallotList: async () => [], edition: 'demo', now: () => now, newId },
      { to: 'results', actor: { kind: 'schedule' }, forwardOnly: true, unlessVoteExtended: true },
    );
    expect(table.phase).toBe('vote');
    expect(published).toEqual([]);
  });

  it('switches to counting on schedule when the window is not extended, and an admin may always close', async () => {
    const { table, phases } = memoryTable('vote', openWindow(CONFIGURED_CLOSE));
    const { events, published } = recordingPublisher();
    await changePhase(
      { phases, events, reviewBallotList: async () => [], edition: 'demo', now: () => now, newId },
      { to: 'counting', actor: { kind: 'schedule' }, forwardOnly: true, unlessVoteExtended: true },
    );
    expect(table.phase).toBe('counting');
    expect(published).toEqual([expect.objectContaining({ type: 'PhaseChanged', to: 'counting' })]);

    const extended = memoryTable('vote', openWindow(now.getTime() + 86_400_000));
    await changePhase(
      {
        phases: extended.phases,
        events,
        reviewBallotList: async () => [],
        edition: 'demo',
        now: () => now,
        newId,
      },
      { to: 'counting', actor: { kind: 'staff', sub: 'a', role: 'admin' }, forwardOnly: false },
    );
    expect(extended.table.phase).toBe('counting');
  });

  it('asks for the close once an extended window has ended, again at each watch until the phase moves', async () => {
    // Prepare: extended to an hour ago, phase still `vote` (the configured schedule declined).
    const { table, votes } = memoryTable('vote', openWindow(now.getTime() - 3_600_000));
    const { events, published } = recordingPublisher();
    const deps = { edition: 'demo', votes, events, snapshot, now: () => now };
    // Act
    const first = await watchVoteWindow(deps);
    const second = await watchVoteWindow(deps);
    table.phase = 'counting';
    const third = await watchVoteWindow(deps);
    // Assess
    expect([first, second, third]).toEqual(['close-requested', 'close-requested', 'running']);
    expect(published).toHaveLength(2);
    expect(published[0]).toMatchObject({
      type: 'VoteWindowEnded',
      changeId: `vote-window-ended-${now.getTime() - 3_600_000}`,
      closedAt: new Date(now.getTime() - 3_600_000).toISOString(),
    });
    expect(published[1]).toEqual(published[0]);
  });

  it('asks nothing while the window runs, or when it closed at the configured time', async () => {
    const { events, published } = recordingPublisher();
    for (const closesAtMs of [now.getTime() + 60_000, CONFIGURED_CLOSE]) {
      const { votes } = memoryTable('vote', openWindow(closesAtMs));
      expect(await watchVoteWindow({ edition: 'demo', votes, events, snapshot, now: () => now })).toBe(
        'running',
      );
    }
    expect(published).toEqual([]);
  });
});

describe('VoteWindowChanged is stored with the window and published at least once', () => {
  const actor = { sub: 'admin-sub', role: 'admin' };

  it('keeps a change whose event failed pending, and the next change publishes it first', async () => {
    // Prepare
    const { table, votes } = memoryTable('vote', openWindow(now.getTime() + 3_600_000));
    const failing = recordingPublisher(1);
    const deps = { edition: 'demo', votes, events: failing.events, now: () => now, newId };
    // Act: the bus fails once.
    const refused = await changeVoteWindow(deps, {
      action: 'pause',
      reason: 'Incident en cours',
      actor,
    }).catch((error: unknown) => error);
    // Assess: stored (paused), announced later.
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).code).toBe('event_publish_pending');
    expect(table.window?.paused).toBe(true);
    expect(table.window?.pending).toMatchObject({ action: 'pause' });
    // Act: the next change.
    await changeVoteWindow(deps, { action: 'resume', reason: 'Incident résolu', actor });
    // Assess
    expect(failing.published.map((p) => p.action)).toEqual(['pause', 'resume']);
    expect(table.window?.pending).toBeUndefined();
    expect(table.window?.paused).toBe(false);
  });

  it('lets the minute watch publish a pending change', async () => {
    const { table, votes } = memoryTable('vote', openWindow(now.getTime() + 3_600_000));
    const failing = recordingPublisher(1);
    await changeVoteWindow(
      { edition: 'demo', votes, events: failing.events, now: () => now, newId },
      { action: 'extend', reason: 'Panne du site', until: new Date(now.getTime() + 7_200_000), actor },
    ).catch(() => undefined);
    expect(table.window?.pending).toBeDefined();
    await watchVoteWindow({ edition: 'demo', votes, events: failing.events, snapshot, now: () => now });
    expect(failing.published).toEqual([
      expect.objectContaining({ type: 'VoteWindowChanged', action: 'extend', edition: 'demo' }),
    ]);
    expect(table.window?.pending).toBeUndefined();
    expect(table.window?.closesAtMs).toBe(now.getTime() + 7_200_000);
  });
});
