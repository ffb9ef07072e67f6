import { createHash } from 'node:crypto';
import type { EditionStore } from '../../shared/edition/edition-store.ts';
import { DomainError } from '../../shared/errors/domain-error.ts';
import type { EventPublisher } from '../../shared/events/event-publisher.ts';
import type { SubmitIdeaBody } from '../../shared/http/idea-schemas.ts';
import type { Idea } from './idea.ts';
import { type OutboxEvent, outboxEvent, publishOutbox, publishPendingEvents } from './idea-outbox.ts';
import type { IdeaRepository } from './idea-repository.ts';
import { checkAuthorTerritory, checkIdeaRules } from './idea-rules.ts';
import { assertIdeasOpen, ideasClosed } from './ideas-window.ts';

export interface IdeasDeps {
  edition: string;
  editions: EditionStore;
  ideas: IdeaRepository;
  events: EventPublisher;
  now: () => Date;
  newId: () => string;
  /** Told when an event stays pending (the change is stored; a later request or the sweep publishes it). */
  onPublishFailure?: (event: OutboxEvent, error: unknown) => void;
}

/** Publishes events just written with their change (see idea-outbox.ts). */
export function publishWritten(deps: IdeasDeps, events: OutboxEvent[]) {
  return publishOutbox({ ...deps, outbox: deps.ideas }, events);
}

/** The fields as stored: a name only for a collective or an association, no empty optional field. */
export function normalizeProposer(proposer: SubmitIdeaBody['proposer']): Idea['proposer'] {
  return proposer.kind === 'individual'
    ? { kind: 'individual' }
    : { kind: proposer.kind, name: proposer.name };
}

const keyReused = () =>
  new DomainError({
    code: 'idempotency_key_reused',
    status: 422,
    title: 'Clé d’idempotence déjà utilisée',
    detail: 'Cette clé Idempotency-Key a déjà servi pour une autre idée : générez-en une nouvelle.',
  });

/**
 * Submits an idea while the call for ideas is open (stored phase AND clock), within the edition's rules
 * and for the author's territory (or the whole Département). The same author and Idempotency-Key give
 * the same idea, however many times and however concurrently it is sent (a conditional claim item in
 * the creating transaction). Emits `IdeaSubmitted` through the outbox (written in the creating transaction;
 * a replay publishes it if it is still pending).
 */
export async function submitIdea(
  deps: IdeasDeps,
  request: {
    authorId: string;
    authorTerritory: string | undefined;
    idempotencyKey: string;
    body: SubmitIdeaBody;
  },
): Promise<{ idea: Idea; replayed: boolean }> {
  const { body } = request;
  const requestHash = createHash('sha256').update(JSON.stringify(body)).digest('base64url');
  const replay = async (ideaId: string, hash: string) => {
    if (hash !== requestHash) throw keyReused();
    const idea = await deps.ideas.get(ideaId);
    if (!idea) throw new Error(`Idempotency claim points to a missing idea ${ideaId}`);
    await publishPendingEvents(deps, ideaId);
    return { idea, replayed: true };
  };
  const previous = await deps.ideas.getClaim(request.authorId, request.idempotencyKey);
  if (previous) return replay(previous.ideaId, previous.requestHash);

  const config = await deps.editions.get();
  const now = deps.now();
  assertIdeasOpen(config, await deps.ideas.getPhase(), await deps.ideas.getWindow(), now);
  checkIdeaRules(config, body);
  checkAuthorTerritory(config, body.territory, request.authorTerritory);

  const at = now.toISOString();
  const idea: Idea = {
    ideaId: deps.newId(),
    authorId: request.authorId,
    authorIds: [request.authorId],
    status: 'submitted',
    title: body.title,
    description: body.description,
    theme: body.theme,
    territory: body.territory,
    ...(body.commune ? { commune: body.commune } : {}),
    estimatedCost: body.estimatedCost,
    proposer: normalizeProposer(body.proposer),
    ...(body.place ? { place: body.place } : {}),
    ...(body.location ? { location: body.location } : {}),
    submittedAt: at,
    updatedAt: at,
    pictures: [],
    mergedFrom: [],
    revision: 1,
  };
  const auditId = deps.newId();
  const submitted = outboxEvent(
    'IdeaSubmitted',
    {
      edition: deps.edition,
      ideaId: idea.ideaId,
      authorId: idea.authorId,
      territory: idea.territory,
      ...(idea.commune ? { commune: idea.commune } : {}),
      theme: idea.theme,
      submittedAt: idea.submittedAt,
    },
    { eventId: auditId, ideaId: idea.ideaId, at },
  );
  const outcome = await deps.ideas.create(
    idea,
    { authorId: request.authorId, key: request.idempotencyKey, requestHash },
    { auditId, action: 'submit', actor: `citizen:${request.authorId}`, at },
    [submitted],
  );
  if (outcome.kind === 'replay') return replay(outcome.ideaId, outcome.requestHash);
  if (outcome.kind === 'phase-closed') throw ideasClosed();
  await publishWritten(deps, [submitted]);
  return { idea, replayed: false };
}
