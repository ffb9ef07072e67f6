import { conflict, DomainError, notFound } from '../../shared/errors/domain-error.ts';
import { RealisationUpdated } from '../../shared/events/catalogue.ts';
import type { EventPublisher } from '../../shared/events/event-publisher.ts';
import type { RealisationBody } from '../../shared/http/results-schemas.ts';
import type { FollowUpRepository, StoredRealisation } from './follow-up-repository.ts';
import type { ResultsRepository, StoredResults } from './results-repository.ts';

export interface RealisationDeps {
  edition: string;
  results: ResultsRepository;
  followUp: FollowUpRepository;
  events: EventPublisher;
  now: () => Date;
  newId: () => string;
}

/** Staff and citizen verbs of the follow-up need published results (the public ones answer 403 before). */
const notPublishedYet = () =>
  conflict('results_not_published', 'Le suivi des projets commence après la publication des résultats.');

const notAWinner = (projectId: string) =>
  notFound('project_not_winner', `Le projet « ${projectId} » ne fait pas partie des lauréats publiés.`);

/** The published winners, envelope by envelope, in their order of selection. */
export function winnersOf(stored: StoredResults) {
  return stored.results.envelopes.flatMap((envelope) =>
    envelope.selected.map((id) => {
      const line = envelope.projects.find((p) => p.id === id);
      return {
        id,
        title: line?.title ?? id,
        theme: line?.theme ?? '',
        cost: line?.cost ?? 0,
        envelope: { id: envelope.id, name: envelope.name },
      };
    }),
  );
}

async function publishedWinner(deps: Pick<RealisationDeps, 'results'>, projectId: string) {
  const stored = await deps.results.getResults();
  if (!stored?.publishedAt) throw notPublishedYet();
  const winner = winnersOf(stored).find((w) => w.id === projectId);
  if (!winner) throw notAWinner(projectId);
  return winner;
}

const sameContent = (a: StoredRealisation, b: RealisationBody) =>
  a.status === b.status &&
  (a.reason ?? '') === (b.reason ?? '') &&
  JSON.stringify(a.milestones) === JSON.stringify(b.milestones);

/** Milestones in the order of the works, whatever the order staff typed them in. */
const ORDER = { etudes: 0, travaux: 1, livre: 2 } as const;

/**
 * Staff (coordinator, admin) set the realisation of a published winner: status, public reason (required when
 * abandoned) and dated milestones. Each real change bumps the version, is audited and emits
 * `RealisationUpdated` (`updateId` = `<project>#<version>`); the same content again changes nothing and only
 * republishes an event that did not make it to the bus.
 */
export async function updateRealisation(
  deps: RealisationDeps,
  request: { projectId: string; body: RealisationBody; actor: { sub: string; role: string } },
): Promise<StoredRealisation> {
  const winner = await publishedWinner(deps, request.projectId);
  const body = {
    ...request.body,
    milestones: [...request.body.milestones].sort((a, b) => ORDER[a.kind] - ORDER[b.kind]),
  };
  const current = await deps.followUp.getRealisation(request.projectId);
  let stored = current;
  if (!current || !sameContent(current, body)) {
    const at = deps.now().toISOString();
    stored = {
      projectId: request.projectId,
      status: body.status,
      ...(body.reason ? { reason: body.reason } : {}),
      milestones: body.milestones,
      version: (current?.version ?? 0) + 1,
      updatedAt: at,
      updatedBy: request.actor.sub,
      eventPending: true,
    };
    await deps.followUp.putRealisation(stored, {
      auditId: deps.newId(),
      action: 'realisation-updated',
      at,
      actor: request.actor.sub,
      reason: `Suivi de ${request.projectId} : ${body.status}${body.reason ? ` (${body.reason})` : ''}`,
      detail: `${request.projectId}#${stored.version}`,
    });
  }
  if (!stored) throw new Error('unreachable: a realisation was just written');
  if (stored.eventPending) {
    await deps.events.publish(RealisationUpdated, {
      edition: deps.edition,
      updateId: `${stored.projectId}#${stored.version}`,
      projectId: stored.projectId,
      title: winner.title,
      status: stored.status,
      ...(stored.reason ? { reason: stored.reason } : {}),
      milestones: stored.milestones,
      updatedAt: stored.updatedAt,
      actor: { kind: 'staff', sub: stored.updatedBy, role: request.actor.role },
    });
    await deps.followUp.clearRealisationPending(stored.projectId, stored.version);
    stored = { ...stored, eventPending: false };
  }
  return stored;
}

/** The public follow-up: every published winner with its realisation (« à l’étude » until staff say more). */
export async function publicFollowUp(deps: Pick<RealisationDeps, 'followUp'>, stored: StoredResults) {
  const realisations = new Map((await deps.followUp.listRealisations()).map((r) => [r.projectId, r]));
  return {
    edition: stored.results.edition,
    projects: winnersOf(stored).map((winner) => {
      const realisation = realisations.get(winner.id);
      return {
        ...winner,
        status: realisation?.status ?? 'etude',
        ...(realisation?.reason ? { reason: realisation.reason } : {}),
        milestones: realisation?.milestones ?? [],
        ...(realisation ? { updatedAt: realisation.updatedAt } : {}),
      };
    }),
  };
}

/**
 * A verified citizen follows a published winner, once (a second call changes nothing): they are emailed at
 * each change of its realisation. Held, rejected or erased identities cannot follow.
 */
export async function followProject(
  deps: Pick<RealisationDeps, 'results' | 'followUp' | 'now'>,
  request: { citizenId: string; projectId: string },
): Promise<'created' | 'already'> {
  await publishedWinner(deps, request.projectId);
  const identity = await deps.followUp.identityOf(request.citizenId);
  if (identity?.status !== 'verified' || identity.erased)
    throw new DomainError({
      code: 'identity_not_verified',
      status: 403,
      title: 'Inscription non vérifiée',
      detail: 'Seule une personne à l’inscription vérifiée peut suivre un projet.',
    });
  return deps.followUp.follow(request.citizenId, request.projectId, deps.now().toISOString());
}
