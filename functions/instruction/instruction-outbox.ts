import * as z from 'zod/mini';
import {
  BallotListReopened,
  BallotListValidated,
  DecisionRecorded,
  IdeaAssigned,
  ReassignmentRequested,
} from '../../shared/events/catalogue.ts';
import type { DetailInput } from '../../shared/events/define-event.ts';
import type { EventPublisher } from '../../shared/events/event-publisher.ts';
import { pendingEvent, publishPending } from '../../shared/events/outbox.ts';

/**
 * The events instruction requests publish through the outbox, by detail-type. The deadline events are
 * not here: the daily schedule guards them with once-only markers (check-deadlines.ts).
 */
export const INSTRUCTION_EVENTS = {
  IdeaAssigned,
  ReassignmentRequested,
  DecisionRecorded,
  BallotListValidated,
  BallotListReopened,
} as const;
export type InstructionEventName = keyof typeof INSTRUCTION_EVENTS;

/**
 * An event written in the same transaction as the change it reports, deleted once it is on the bus.
 * `eventId` is the change's own id (timeline entry, decision, validation or reopening); the detail keeps
 * the ids consumers deduplicate on (`assignmentId`, `decisionId`, `validationId`...) across republishing.
 */
export const InstructionOutboxEvent = z.object({
  eventId: z.string().check(z.minLength(1)),
  detailType: z.enum(Object.keys(INSTRUCTION_EVENTS) as [InstructionEventName, ...InstructionEventName[]]),
  detailJson: z.string(),
  at: z.iso.datetime(),
});
export type InstructionOutboxEvent = z.infer<typeof InstructionOutboxEvent>;

export function instructionEvent<N extends InstructionEventName>(
  name: N,
  detail: DetailInput<(typeof INSTRUCTION_EVENTS)[N]>,
  ids: { eventId: string; at: string },
): InstructionOutboxEvent {
  return pendingEvent(INSTRUCTION_EVENTS, name, detail, ids);
}

export interface InstructionOutboxPort {
  /** Every pending event of the edition, oldest first (strongly consistent). */
  listPending(): Promise<InstructionOutboxEvent[]>;
  clearPending(event: InstructionOutboxEvent): Promise<void>;
}

/**
 * Publishes events (just written with their change, or left pending) then clears each. Neither a refused
 * publication nor a failed clear is thrown: the change is stored, the event stays pending and the
 * `instruction-sweep` schedule publishes it again (consumers deduplicate on the detail's ids).
 */
export function publishInstructionEvents(
  deps: {
    events: EventPublisher;
    repository: InstructionOutboxPort;
    onPublishFailure?: ((event: InstructionOutboxEvent, error: unknown) => void) | undefined;
  },
  pending: readonly InstructionOutboxEvent[],
): Promise<{ published: number; failed: number }> {
  return publishPending(
    {
      events: deps.events,
      contracts: INSTRUCTION_EVENTS,
      clear: (event) =>
        deps.repository.clearPending(event).catch((error: unknown) => deps.onPublishFailure?.(event, error)),
      onPublishFailure: deps.onPublishFailure,
    },
    pending,
  );
}

/** What the `instruction-sweep` schedule runs: every event of the edition still pending. */
export async function sweepInstructionEvents(deps: {
  events: EventPublisher;
  repository: InstructionOutboxPort;
  onPublishFailure?: ((event: InstructionOutboxEvent, error: unknown) => void) | undefined;
}) {
  return publishInstructionEvents(deps, await deps.repository.listPending());
}
