import type { DetailInput, EventContract } from './define-event.ts';
import type { EventPublisher } from './event-publisher.ts';

/**
 * An event written in the same transaction as the change it reports, deleted once it is on the bus.
 * `detailType` names its contract in the context's catalogue; `detailJson` is the detail as the
 * contract's publisher takes it (no `version`). Each context adds its own keys (idea, edition...).
 */
export interface PendingEvent<Name extends string = string> {
  eventId: string;
  detailType: Name;
  detailJson: string;
  at: string;
}

/** The contracts a context publishes through its outbox, by detail-type. */
export type OutboxContracts = Record<string, EventContract>;

/**
 * The pending event of `name`, validated now so that a malformed event fails the request rather than
 * the later publication.
 */
export function pendingEvent<C extends OutboxContracts, N extends keyof C & string>(
  contracts: C,
  name: N,
  detail: DetailInput<C[N]>,
  ids: { eventId: string; at: string },
): PendingEvent<N> {
  const contract = contracts[name] as EventContract;
  contract.detail.parse({ ...detail, version: contract.version });
  return { ...ids, detailType: name, detailJson: JSON.stringify(detail) };
}

/**
 * Publishes each event then clears it. A failed publication leaves the event pending (and is reported,
 * not thrown: the change itself is stored); a later pass publishes it again. Consumers deduplicate on
 * the ids inside the detail, which a republication keeps, so a publication twice is harmless.
 */
export async function publishPending<E extends PendingEvent>(
  deps: {
    events: EventPublisher;
    contracts: OutboxContracts;
    clear: (event: E) => Promise<void>;
    onPublishFailure?: ((event: E, error: unknown) => void) | undefined;
  },
  pending: readonly E[],
): Promise<{ published: number; failed: number }> {
  let published = 0;
  let failed = 0;
  for (const event of pending) {
    try {
      const contract = deps.contracts[event.detailType];
      if (!contract) throw new Error(`No contract for pending ${event.detailType}`);
      await deps.events.publish(contract, JSON.parse(event.detailJson));
    } catch (error) {
      failed++;
      deps.onPublishFailure?.(event, error);
      continue;
    }
    await deps.clear(event);
    published++;
  }
  return { published, failed };
}
