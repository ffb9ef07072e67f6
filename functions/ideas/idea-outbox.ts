import * as z from 'zod/mini';
import {
  IdeaChangeRequested,
  IdeaEdited,
  IdeaHidden,
  IdeaPublished,
  IdeaSubmitted,
  IdeasMerged,
  IdeaWithdrawn,
} from '../../shared/events/catalogue.ts';
import type { DetailInput } from '../../shared/events/define-event.ts';
import type { EventPublisher } from '../../shared/events/event-publisher.ts';
import { pendingEvent, publishPending } from '../../shared/events/outbox.ts';

/** Every event the ideas context publishes, by detail-type: an outbox entry names its contract by it. */
export const IDEA_EVENTS = {
  IdeaSubmitted,
  IdeaPublished,
  IdeaChangeRequested,
  IdeaHidden,
  IdeasMerged,
  IdeaEdited,
  IdeaWithdrawn,
} as const;
export type IdeaEventName = keyof typeof IDEA_EVENTS;

/**
 * An event written in the same transaction as the change it reports, deleted once it is on the bus.
 * `eventId` is the change's own id (audit entry or moderation id), which consumers deduplicate on.
 */
export const OutboxEvent = z.object({
  eventId: z.string().check(z.minLength(1)),
  ideaId: z.string().check(z.minLength(1)),
  detailType: z.enum(Object.keys(IDEA_EVENTS) as [IdeaEventName, ...IdeaEventName[]]),
  /** The detail as the contract's publisher takes it (no `version`), as JSON. */
  detailJson: z.string(),
  at: z.iso.datetime(),
});
export type OutboxEvent = z.infer<typeof OutboxEvent>;

export function outboxEvent<N extends IdeaEventName>(
  name: N,
  detail: DetailInput<(typeof IDEA_EVENTS)[N]>,
  ids: { eventId: string; ideaId: string; at: string },
): OutboxEvent {
  return { ...pendingEvent(IDEA_EVENTS, name, detail, ids), ideaId: ids.ideaId };
}

export interface OutboxPort {
  /** Pending events: of one idea (strongly consistent), or of the whole edition (index, for the sweep). */
  listPending(ideaId?: string): Promise<OutboxEvent[]>;
  clearPending(event: OutboxEvent): Promise<void>;
}

/**
 * Publishes each event then clears it. A failed publication leaves the event pending (and is reported,
 * not thrown: the change itself is stored); a later request on the idea or the sweep schedule publishes
 * it again. Consumers deduplicate on the event's own id, so a publication twice is harmless.
 */
export async function publishOutbox(
  deps: {
    events: EventPublisher;
    outbox: OutboxPort;
    onPublishFailure?: (event: OutboxEvent, error: unknown) => void;
  },
  pending: readonly OutboxEvent[],
): Promise<{ published: number; failed: number }> {
  return publishPending(
    {
      events: deps.events,
      contracts: IDEA_EVENTS,
      clear: (event) => deps.outbox.clearPending(event),
      onPublishFailure: deps.onPublishFailure,
    },
    pending,
  );
}

/** Publishes what an earlier request on this idea (or, without `ideaId`, on any idea) left pending. */
export async function publishPendingEvents(
  deps: {
    events: EventPublisher;
    ideas: OutboxPort;
    onPublishFailure?: (event: OutboxEvent, error: unknown) => void;
  },
  ideaId?: string,
) {
  const pending = await deps.ideas.listPending(ideaId);
  return publishOutbox({ ...deps, outbox: deps.ideas }, pending);
}
