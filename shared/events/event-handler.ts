import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import type { Logger } from '../logging/logger.ts';
import { type EventContract, EventEnvelope } from './define-event.ts';

export interface EventRoute<C extends EventContract = EventContract> {
  contract: C;
  handle: (detail: z.infer<C['detail']>, envelope: EventEnvelope) => Promise<void>;
}

/** Pairs a contract with its consumer so the detail's type follows the contract. */
export function on<C extends EventContract>(
  contract: C,
  handle: (detail: z.infer<C['detail']>, envelope: EventEnvelope) => Promise<void>,
): EventRoute {
  return { contract, handle: handle as EventRoute['handle'] };
}

/**
 * The middy stack of event consumers: parse the envelope and the detail with the contract, run the
 * consumer. Any error is rethrown so Lambda retries and, after the last retry, the event lands in
 * the dead-letter queue; consumers are idempotent so a retry never doubles an effect.
 */
export function eventHandler(options: { routes: readonly EventRoute[]; logger: Logger }) {
  return middy<unknown, void, Error, Context>().handler(async (raw) => {
    const envelope = EventEnvelope.parse(raw);
    const route = options.routes.find(
      ({ contract }) =>
        contract.source === envelope.source && contract.detailType === envelope['detail-type'],
    );
    if (!route) {
      // A rule that sends an event nobody here consumes is a wiring bug: fail loudly, into the DLQ.
      throw new Error(`No consumer for ${envelope.source}/${envelope['detail-type']}`);
    }
    const detail = route.contract.detail.parse(envelope.detail);
    options.logger.info('event received', { detailType: envelope['detail-type'], eventId: envelope.id });
    await route.handle(detail, envelope);
  });
}
