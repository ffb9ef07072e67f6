import { describe, expect, it } from 'vitest';
import { changePhase } from '../../functions/editions/change-phase.ts';
import type { PhaseChange, PhaseRepository, PhaseState } from '../../functions/editions/phase-repository.ts';
import { isClosedVotePhase, PHASES, type Phase, phaseMoveRefusal } from '../../shared/edition/phases.ts';
import { DomainError } from '../../shared/errors/domain-error.ts';
import type { EventPublisher } from '../../shared/events/event-publisher.ts';
import type { EnvelopeReview } from '../../shared/voting/ballot-list-review.ts';

/** In-memory twin of the phase repository, with the "vote closed" marker the close writes. */
function memoryPhases(current: Phase, closed = false) {
  const table = { state: { current, since: '2023-01-01T00:00:00Z', version: 1 } as PhaseState, closed };
  const changes: PhaseChange[] = [];
  const phases: PhaseRepository = {
    async getState() {
      return table.state;
    },
    async isVoteClosed() {
      return table.closed;
    },
    async recordChange(expected, change) {
      if (table.state.version !== expected) throw new Error('conflict');
      table.state = { current: change.to, since: change.at, version: expected + 1 };
      if (isClosedVotePhase(change.to)) table.closed = true;
      changes.unshift({ ...change });
      return table.state;
    },
    async history(limit) {
      return changes.slice(0, limit);
    },
    async markPublished(change) {
      const stored = changes.find((c) => c.changeId === change.changeId);
      if (stored) stored.published = true;
    },
  };
  return { phases, table };
}

function recorder() {
  const published: { type: string; detail: Record<string, unknown> }[] = [];
  const events: EventPublisher = {
    async publish(contract, detail) {
      published.push({ type: contract.detailType, detail: detail as Record<string, unknown> });
    },
  };
  return { events, published };
}

const votable: EnvelopeReview[] = [
  { id: 'nantes', name: 'Nantes', amount: 1000, projects: 3, totalCost: 1500 },
];
const unvotable: EnvelopeReview[] = [
  ...votable,
  {
    id: 'vignoble',
    name: 'Vignoble',
    amount: 1000,
    projects: 0,
    totalCost: 0,
    problem: {
      code: 'no_project',
      message: 'Aucun projet dans l’enveloppe « Vignoble » : personne ne pourrait y voter.',
    },
  },
];

let ids = 0;
const deps = (phases: PhaseRepository, events: EventPublisher, reviews = votable) => ({
  phases,
  events,
  reviewBallotList: async () => reviews,
  edition: 'demo',
  now: () => new Date('2023-03-27T10:00:00Z'),
  newId: () => `change-${++ids}`,
});
const admin = { kind: 'staff' as const, sub: 'admin-1', role: 'admin' };

describe('phaseMoveRefusal', () => {
  it('lets the phase move freely before the vote closes', () => {
    for (const from of PHASES.filter((p) => !isClosedVotePhase(p)))
      for (const to of PHASES) expect(phaseMoveRefusal(from, to, false)).toBeUndefined();
  });

  it('goes forward only once the vote has closed: never to the vote or before, never from results to counting', () => {
    expect(phaseMoveRefusal('counting', 'results', false)).toBeUndefined();
    expect(phaseMoveRefusal('counting', 'results', true)).toBeUndefined();
    for (const to of ['setup', 'ideas', 'instruction', 'ballot-preparation', 'vote'] as const) {
      expect(phaseMoveRefusal('counting', to, false)).toMatch(/Le vote est clos/);
      expect(phaseMoveRefusal('results', to, false)).toMatch(/Le vote est clos/);
    }
    expect(phaseMoveRefusal('results', 'counting', false)).toMatch(/ne revient pas/);
  });

  it('refuses a reopening whenever the marker says closed, whatever the phase item says', () => {
    expect(phaseMoveRefusal('ballot-preparation', 'vote', true)).toMatch(/Le vote est clos/);
    expect(phaseMoveRefusal('vote', 'ideas', true)).toMatch(/Le vote est clos/);
  });
});

describe('changePhase after the close', () => {
  it('refuses an admin’s move back to the vote with 409 vote_closed_for_good, nothing stored or published', async () => {
    // Prepare
    const { phases, table } = memoryPhases('results', true);
    const { events, published } = recorder();
    // Act
    const error = await changePhase(deps(phases, events), {
      to: 'vote',
      reason: 'Réouverture',
      actor: admin,
      forwardOnly: false,
    }).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ status: 409, code: 'vote_closed_for_good' });
    expect(table.state.current).toBe('results');
    expect(published).toEqual([]);
  });

  it('refuses a move back even when the phase item was put back before the vote, since the marker stays', async () => {
    const { phases } = memoryPhases('ballot-preparation', true);
    const { events } = recorder();
    await expect(
      changePhase(deps(phases, events), {
        to: 'vote',
        reason: 'Réouverture',
        actor: admin,
        forwardOnly: false,
      }),
    ).rejects.toMatchObject({ code: 'vote_closed_for_good' });
  });

  it('closes for good on the way to counting, then still moves forward to results', async () => {
    const { phases, table } = memoryPhases('vote');
    const { events, published } = recorder();
    await changePhase(deps(phases, events), {
      to: 'counting',
      actor: { kind: 'schedule' },
      forwardOnly: true,
    });
    expect(table.closed).toBe(true);
    const state = await changePhase(deps(phases, events), {
      to: 'results',
      actor: { kind: 'schedule' },
      forwardOnly: true,
    });
    expect(state.current).toBe('results');
    expect(published.map((p) => p.detail.to)).toEqual(['counting', 'results']);
  });
});

describe('changePhase to the vote on an unvotable ballot list', () => {
  it('refuses an admin with 409 ballot_list_unvotable, one field per envelope', async () => {
    const { phases, table } = memoryPhases('ballot-preparation');
    const { events, published } = recorder();
    const error = await changePhase(deps(phases, events, unvotable), {
      to: 'vote',
      reason: 'Ouverture',
      actor: admin,
      forwardOnly: false,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      status: 409,
      code: 'ballot_list_unvotable',
      errors: [{ field: 'envelopes.vignoble', message: expect.stringMatching(/^Aucun projet/) }],
    });
    expect(table.state.current).toBe('ballot-preparation');
    expect(published).toEqual([]);
  });

  it('keeps the phase on the schedule and emits VoteOpeningRefused with a stable id', async () => {
    const { phases, table } = memoryPhases('ballot-preparation');
    const { events, published } = recorder();
    const request = { to: 'vote' as const, actor: { kind: 'schedule' as const }, forwardOnly: true };
    await changePhase(deps(phases, events, unvotable), request);
    await changePhase(deps(phases, events, unvotable), request);
    expect(table.state.current).toBe('ballot-preparation');
    expect(published.map((p) => p.type)).toEqual(['VoteOpeningRefused', 'VoteOpeningRefused']);
    expect(published[0]?.detail).toMatchObject({
      phase: 'ballot-preparation',
      envelopes: [{ id: 'vignoble', problem: expect.stringMatching(/Vignoble/) }],
    });
    expect(published[0]?.detail.refusalId).toBe(published[1]?.detail.refusalId);
  });

  it('opens the vote on a votable list', async () => {
    const { phases } = memoryPhases('ballot-preparation');
    const { events, published } = recorder();
    const state = await changePhase(deps(phases, events), {
      to: 'vote',
      actor: { kind: 'schedule' },
      forwardOnly: true,
    });
    expect(state.current).toBe('vote');
    expect(published.map((p) => p.type)).toEqual(['PhaseChanged']);
  });
});
