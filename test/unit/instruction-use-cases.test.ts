import { describe, expect, it } from 'vitest';
import { checkDeadlines } from '../../functions/instruction/check-deadlines.ts';
import type {
  Assignment,
  DossierState,
  IdeaRecord,
  RetainedProject,
} from '../../functions/instruction/dossier.ts';
import type { InstructionDeps } from '../../functions/instruction/instruction-deps.ts';
import type { InstructionOutboxEvent } from '../../functions/instruction/instruction-outbox.ts';
import type { InstructionRepository } from '../../functions/instruction/instruction-repository.ts';
import { recordDecision } from '../../functions/instruction/record-decision.ts';
import { recordVerdict } from '../../functions/instruction/record-verdict.ts';
import { EditionConfig } from '../../shared/edition/edition-config.ts';
import type { Phase } from '../../shared/edition/phases.ts';
import type { EventContract } from '../../shared/events/define-event.ts';
import fixture from '../fixtures/edition-minimal.json' with { type: 'json' };

/** In-memory twin of the repository: these tests are about the use cases' rules, not DynamoDB. */
function memoryRepository(phase: Phase) {
  const ideas = new Map<string, IdeaRecord>();
  const assignments = new Map<string, Assignment>();
  const dossiers = new Map<string, DossierState>();
  const markers = new Set<string>();
  const projects = new Map<string, RetainedProject>();
  const outbox = new Map<string, InstructionOutboxEvent>();
  const keep = (events: InstructionOutboxEvent[] = []) => {
    for (const event of events) outbox.set(event.eventId, event);
  };
  let list = { state: 'open' as 'open' | 'validated', listVersion: 0 };
  const repository: InstructionRepository = {
    getPhase: async () => phase,
    getIdea: async (id) => ideas.get(id),
    publishedIdeas: async () => [...ideas.values()],
    getDossier: async (ideaId) => ({
      state: dossiers.get(ideaId),
      assignments: [...assignments.values()].filter((a) => a.ideaId === ideaId),
      decisions: [],
      opinions: [],
      timeline: [],
    }),
    getAssignment: async ({ ideaId, serviceId }) => assignments.get(`${ideaId}.${serviceId}`),
    listAssignments: async () => [...assignments.values()],
    listDossierStates: async () => new Map(dossiers),
    createAssignment: async (a, _timeline, events) => {
      if (assignments.has(a.assignmentId)) return false;
      assignments.set(a.assignmentId, a);
      keep(events);
      return true;
    },
    saveAssignment: async (next, _expected, extra) => {
      assignments.set(next.assignmentId, next);
      if (extra.dossier) dossiers.set(next.ideaId, extra.dossier.next);
      keep(extra.events);
    },
    saveVerdict: async (write) => {
      if (write.changesList && list.state === 'validated') throw new Error('ballot_list_frozen');
      if (write.changesList) list = { ...list, listVersion: list.listVersion + 1 };
      dossiers.set(write.dossier.ideaId, write.dossier);
      if (write.putProject) projects.set(write.putProject.id, write.putProject);
      if (write.deleteProjectId) projects.delete(write.deleteProjectId);
      keep(write.events);
    },
    putCommitteeOpinion: async () => undefined,
    getBallotList: async () => list,
    listProjects: async () => [...projects.values()],
    saveBallotList: async (next, _expected, _audit, events) => {
      list = next as typeof list;
      keep(events);
      return true;
    },
    consumeActionLink: async () => true,
    claimMarker: async (key) => {
      if (markers.has(key)) return false;
      markers.add(key);
      return true;
    },
    releaseMarker: async (key) => {
      markers.delete(key);
    },
    listPending: async () => [...outbox.values()].sort((a, b) => a.at.localeCompare(b.at)),
    clearPending: async (event) => {
      outbox.delete(event.eventId);
    },
  };
  return { repository, ideas, assignments, dossiers, projects, markers, outbox };
}

const config = EditionConfig.parse(fixture);
const service = config.services[0]?.id ?? '';

function setup(phase: Phase = 'instruction') {
  const memory = memoryRepository(phase);
  const published: { type: string; detail: Record<string, unknown> }[] = [];
  let failNext = false;
  let n = 0;
  const deps: InstructionDeps = {
    edition: config.id,
    editions: { get: async () => config },
    repository: memory.repository,
    events: {
      async publish(contract: EventContract, detail: unknown) {
        if (failNext) {
          failNext = false;
          throw new Error('bus down');
        }
        published.push({ type: contract.detailType, detail: detail as Record<string, unknown> });
      },
    },
    now: () => new Date('2026-11-05T06:00:00Z'),
    newId: () => `id-${++n}`,
  };
  memory.ideas.set('idea-1', {
    ideaId: 'idea-1',
    authorIds: ['citizen-1'],
    status: 'published',
    title: 'Des bancs',
    description: 'Installer des bancs.',
    theme: config.themes[0]?.id ?? '',
    territory: config.territories[0]?.id ?? '',
    estimatedCost: 10_000,
    proposer: { kind: 'individual' },
  });
  const assign = (dueDate: string, serviceId = service) =>
    memory.assignments.set(`idea-1.${serviceId}`, {
      assignmentId: `idea-1.${serviceId}`,
      ideaId: 'idea-1',
      serviceId,
      status: 'assigned',
      dueDate,
      assignedAt: '2026-11-01T08:00:00.000Z',
      assignedBy: { role: 'coordinator', sub: 'c1' },
      opinions: {},
      revision: 1,
    });
  return { deps, memory, published, assign, failOnce: () => (failNext = true) };
}

const instructor = { role: 'instructor', sub: 'agent-1', service };
const reason = { reasonCode: 'competence', reasonText: 'Relève du Département.' };

describe('instruction use cases', () => {
  it('publishes each reminder and the digest once when the daily run happens twice', async () => {
    // Prepare: Thursday 5 November 2026; due Tuesday 10 (third working day ahead)
    const { deps, published, assign } = setup();
    assign('2026-11-10');
    // Act
    const first = await checkDeadlines(deps, { day: '2026-11-05' });
    const second = await checkDeadlines(deps, { day: '2026-11-05' });
    // Assess
    expect(first).toEqual({ approaching: 1, missed: 0, digest: true });
    expect(second).toEqual({ approaching: 0, missed: 0, digest: false });
    expect(published.map((e) => e.type)).toEqual(['DeadlineApproaching', 'InstructionDigestReady']);
  });

  it('releases the marker when the bus refuses, so the retry publishes', async () => {
    const { deps, published, assign, failOnce, memory } = setup();
    assign('2026-11-01');
    failOnce();
    await expect(checkDeadlines(deps, { day: '2026-11-05' })).rejects.toThrow('bus down');
    expect(memory.markers.size).toBe(0);
    await checkDeadlines(deps, { day: '2026-11-05' });
    expect(published.map((e) => e.type)).toEqual(['DeadlineMissed', 'InstructionDigestReady']);
  });

  it('makes the only service’s opinion the verdict, but never retains by itself', async () => {
    const { deps, published, assign, memory } = setup();
    assign('2026-11-20');
    const result = await recordDecision(deps, config, {
      assignmentId: `idea-1.${service}`,
      body: { kind: 'admissibility', outcome: 'not-admissible', ...reason },
      staff: instructor,
    });
    expect(result.assignment.status).toBe('decided');
    expect(memory.dossiers.get('idea-1')?.verdict).toMatchObject({ outcome: 'not-admissible', final: false });
    expect(published.map((e) => [e.type, e.detail.scope, e.detail.outcome])).toEqual([
      ['DecisionRecorded', 'service', 'not-admissible'],
      ['DecisionRecorded', 'verdict', 'not-admissible'],
    ]);
  });

  it('gives no implied verdict when two services examine the idea, and no event for a bare cost estimate', async () => {
    const { deps, published, assign, memory } = setup();
    const second = config.services[1]?.id ?? 'autre-service';
    assign('2026-11-20');
    assign('2026-11-20', second);
    await recordDecision(deps, config, {
      assignmentId: `idea-1.${service}`,
      body: { kind: 'feasibility', outcome: 'feasible', ...reason },
      staff: instructor,
    });
    const cost = await recordDecision(deps, config, {
      assignmentId: `idea-1.${service}`,
      body: { kind: 'cost', costEstimate: 12_000, ...reason },
      staff: instructor,
    });
    expect(memory.dossiers.get('idea-1')).toBeUndefined();
    expect(cost.assignment.opinions.cost?.costEstimate).toBe(12_000);
    expect(published.map((e) => e.detail.scope)).toEqual(['service']);
  });

  it('refuses decisions outside the instruction phase, in French', async () => {
    const { deps, assign } = setup('vote');
    assign('2026-11-20');
    await expect(
      recordDecision(deps, config, {
        assignmentId: `idea-1.${service}`,
        body: { kind: 'admissibility', outcome: 'admissible', ...reason },
        staff: instructor,
      }),
    ).rejects.toMatchObject({
      code: 'phase_closed',
      status: 409,
      detail: expect.stringMatching(/phase « Vote »/),
    });
  });

  it('refuses another service’s instructor', async () => {
    const { deps, assign } = setup();
    assign('2026-11-20');
    await expect(
      recordDecision(deps, config, {
        assignmentId: `idea-1.${service}`,
        body: { kind: 'admissibility', outcome: 'admissible', ...reason },
        staff: { ...instructor, service: 'autre' },
      }),
    ).rejects.toMatchObject({ code: 'other_service', status: 403 });
  });

  it('retains an idea as a project within the cost bounds, and removes it when the verdict changes', async () => {
    const { deps, memory } = setup('ballot-preparation');
    const project = {
      title: 'Bancs du square',
      summary: 'Six bancs ombragés au square.',
      cost: config.ideaCost.min,
      envelope: config.territories[0]?.id ?? '',
      theme: config.themes[0]?.id ?? '',
    };
    await expect(
      recordVerdict(deps, config, {
        ideaId: 'idea-1',
        body: { outcome: 'retained', ...reason, project: { ...project, cost: config.ideaCost.max + 1 } },
        staff: { role: 'coordinator', sub: 'c1' },
      }),
    ).rejects.toMatchObject({ code: 'validation_failed' });
    await recordVerdict(deps, config, {
      ideaId: 'idea-1',
      body: { outcome: 'retained', ...reason, project },
      staff: { role: 'coordinator', sub: 'c1' },
    });
    expect([...memory.projects.values()].map((p) => p.ideaIds)).toEqual([['idea-1']]);
    await recordVerdict(deps, config, {
      ideaId: 'idea-1',
      body: { outcome: 'not-feasible', ...reason },
      staff: { role: 'coordinator', sub: 'c1' },
    });
    expect(memory.projects.size).toBe(0);
  });
});
