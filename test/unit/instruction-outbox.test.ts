import { describe, expect, it } from 'vitest';
import type { Assignment, DossierState, IdeaRecord } from '../../functions/instruction/dossier.ts';
import type { InstructionDeps } from '../../functions/instruction/instruction-deps.ts';
import {
  type InstructionOutboxEvent,
  sweepInstructionEvents,
} from '../../functions/instruction/instruction-outbox.ts';
import type { InstructionRepository } from '../../functions/instruction/instruction-repository.ts';
import { recordDecision } from '../../functions/instruction/record-decision.ts';
import { recordVerdict } from '../../functions/instruction/record-verdict.ts';
import { EditionConfig } from '../../shared/edition/edition-config.ts';
import type { EventContract } from '../../shared/events/define-event.ts';
import fixture from '../fixtures/edition-minimal.json' with { type: 'json' };

const config = EditionConfig.parse(fixture);
const service = config.services[0]?.id ?? '';
const reason = { reasonCode: 'competence', reasonText: 'Relève du Département.' };

/**
 * In-memory twin of what these tests touch: a write and its pending events are stored together (as the
 * DynamoDB repository's transaction does), so a bus failure afterwards leaves both.
 */
function memoryRepository() {
  const dossiers = new Map<string, DossierState>();
  const assignments = new Map<string, Assignment>();
  const outbox = new Map<string, InstructionOutboxEvent>();
  const keep = (events: InstructionOutboxEvent[] = []) => {
    for (const event of events) outbox.set(event.eventId, event);
  };
  const idea: IdeaRecord = {
    ideaId: 'idea-1',
    authorIds: ['citizen-1'],
    status: 'published',
    title: 'Des bancs',
    description: 'Installer des bancs.',
    theme: config.themes[0]?.id ?? '',
    territory: config.territories[0]?.id ?? '',
    estimatedCost: 10_000,
    proposer: { kind: 'individual' },
  };
  const repository = {
    getPhase: async () => 'instruction' as const,
    getIdea: async (ideaId: string) => (ideaId === idea.ideaId ? idea : undefined),
    getDossier: async (ideaId: string) => ({
      state: dossiers.get(ideaId),
      assignments: [...assignments.values()].filter((a) => a.ideaId === ideaId),
      decisions: [],
      opinions: [],
      timeline: [],
    }),
    getAssignment: async ({ ideaId, serviceId }: { ideaId: string; serviceId: string }) =>
      assignments.get(`${ideaId}.${serviceId}`),
    saveAssignment: async (
      next: Assignment,
      _expected: number,
      extra: Parameters<InstructionRepository['saveAssignment']>[2],
    ) => {
      assignments.set(next.assignmentId, next);
      if (extra.dossier) dossiers.set(next.ideaId, extra.dossier.next);
      keep(extra.events);
    },
    saveVerdict: async (write: Parameters<InstructionRepository['saveVerdict']>[0]) => {
      dossiers.set(write.dossier.ideaId, write.dossier);
      keep(write.events);
    },
    listPending: async () => [...outbox.values()].sort((a, b) => a.at.localeCompare(b.at)),
    clearPending: async (event: InstructionOutboxEvent) => {
      outbox.delete(event.eventId);
    },
  } satisfies Partial<InstructionRepository>;
  return { repository: repository as unknown as InstructionRepository, dossiers, assignments, outbox };
}

function setup() {
  const memory = memoryRepository();
  const published: { type: string; detail: Record<string, unknown> }[] = [];
  const failures: string[] = [];
  let busDown = false;
  let n = 0;
  const deps: InstructionDeps = {
    edition: config.id,
    editions: { get: async () => config },
    repository: memory.repository,
    events: {
      async publish(contract: EventContract, detail: unknown) {
        if (busDown) throw new Error('bus down');
        published.push({ type: contract.detailType, detail: detail as Record<string, unknown> });
      },
    },
    now: () => new Date('2026-11-05T06:00:00Z'),
    newId: () => `id-${++n}`,
    onPublishFailure: (event) => failures.push(event.eventId),
  };
  return { deps, memory, published, failures, setBusDown: (down: boolean) => (busDown = down) };
}

describe('instruction outbox', () => {
  it('keeps the verdict and its event when the bus refuses, and the sweep publishes it once', async () => {
    // Prepare
    const { deps, memory, published, failures, setBusDown } = setup();
    setBusDown(true);
    // Act: the request succeeds although the bus is down
    const { verdict } = await recordVerdict(deps, config, {
      ideaId: 'idea-1',
      body: { outcome: 'not-feasible', ...reason },
      staff: { role: 'coordinator', sub: 'c1' },
    });
    // Assess: the change is stored, the event pending, nothing on the bus
    expect(memory.dossiers.get('idea-1')?.verdict).toMatchObject({ outcome: 'not-feasible', final: true });
    expect(published).toEqual([]);
    expect(failures).toEqual([verdict.decisionId]);
    expect([...memory.outbox.values()].map((e) => e.detailType)).toEqual(['DecisionRecorded']);

    // Act: the bus is back; the sweep runs twice
    setBusDown(false);
    const first = await sweepInstructionEvents(deps);
    const second = await sweepInstructionEvents(deps);
    // Assess: published once, with the verdict's own id (what consumers deduplicate on)
    expect(first).toEqual({ published: 1, failed: 0 });
    expect(second).toEqual({ published: 0, failed: 0 });
    expect(memory.outbox.size).toBe(0);
    expect(published.map((e) => [e.type, e.detail.decisionId, e.detail.scope])).toEqual([
      ['DecisionRecorded', verdict.decisionId, 'verdict'],
    ]);
  });

  it('leaves both events of a decision pending while the bus is down, then publishes them in order', async () => {
    // Prepare: one service on the idea, so its admissibility opinion is also the verdict
    const { deps, memory, published, setBusDown } = setup();
    memory.assignments.set(`idea-1.${service}`, {
      assignmentId: `idea-1.${service}`,
      ideaId: 'idea-1',
      serviceId: service,
      status: 'accepted',
      dueDate: '2026-11-20',
      assignedAt: '2026-11-01T08:00:00.000Z',
      assignedBy: { role: 'coordinator', sub: 'c1' },
      opinions: {},
      revision: 2,
    });
    setBusDown(true);
    // Act
    const result = await recordDecision(deps, config, {
      assignmentId: `idea-1.${service}`,
      body: { kind: 'admissibility', outcome: 'admissible', ...reason },
      staff: { role: 'instructor', sub: 'agent-1', service },
    });
    const failedSweep = await sweepInstructionEvents(deps);
    setBusDown(false);
    const sweep = await sweepInstructionEvents(deps);
    // Assess
    expect(memory.assignments.get(`idea-1.${service}`)?.opinions.admissibility?.decisionId).toBe(
      result.decision.decisionId,
    );
    expect(failedSweep).toEqual({ published: 0, failed: 2 });
    expect(sweep).toEqual({ published: 2, failed: 0 });
    expect(published.map((e) => [e.detail.scope, e.detail.decisionId])).toEqual([
      ['service', result.decision.decisionId],
      ['verdict', result.verdict?.decisionId],
    ]);
  });

  it('publishes at once and leaves nothing pending when the bus is up', async () => {
    const { deps, memory, published } = setup();
    await recordVerdict(deps, config, {
      ideaId: 'idea-1',
      body: { outcome: 'not-admissible', ...reason },
      staff: { role: 'coordinator', sub: 'c1' },
    });
    expect(published).toHaveLength(1);
    expect(memory.outbox.size).toBe(0);
  });
});
