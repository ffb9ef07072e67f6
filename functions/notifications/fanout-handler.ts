import type { EditionStore } from '../../shared/edition/edition-store.ts';
import { ResultsMailBatchRequested, ResultsPublished } from '../../shared/events/catalogue.ts';
import { eventHandler, on } from '../../shared/events/event-handler.ts';
import type { EventPublisher } from '../../shared/events/event-publisher.ts';
import { lambdaEntry } from '../../shared/lambda/entry.ts';
import type { Logger } from '../../shared/logging/logger.ts';
import {
  type NotifyResultsDeps,
  planResultsMail,
  RESULTS_MAIL_BATCH_SIZE,
  sendResultsMailBatch,
} from './notify-results-published.ts';

export interface MailFanoutDeps extends NotifyResultsDeps {
  editions: EditionStore;
  logger: Logger;
  events: EventPublisher;
  /** The edition this function serves. */
  edition: string;
  /** @default RESULTS_MAIL_BATCH_SIZE */
  batchSize?: number;
  /** Sends a second per invocation (the account's SES rate divided by the function's reserved concurrency). */
  sendsPerSecond?: number | undefined;
}

/** Batch events published at a time (PutEvents calls in flight). */
const PUBLISH_PARALLEL = 10;

/**
 * The mail fan-out: batch work out of the HTTP functions. On `ResultsPublished` it plans the results emails (ids
 * only) and publishes one `ResultsMailBatchRequested` per batch; each batch then runs in its own invocation of
 * this same function, with its own timeout, the rule's retries and dead-letter queue. Both steps are idempotent:
 * a replayed plan publishes the batches again, and their emails are sent once (the email log's claims).
 */
export function makeFanoutHandler(deps: MailFanoutDeps) {
  const events = eventHandler({
    logger: deps.logger,
    routes: [
      on(ResultsPublished, async (detail) => {
        if (detail.edition !== deps.edition) return;
        const batches = await planResultsMail(
          deps,
          detail.resultsId,
          deps.batchSize ?? RESULTS_MAIL_BATCH_SIZE,
        );
        for (let i = 0; i < batches.length; i += PUBLISH_PARALLEL) {
          await Promise.all(
            batches.slice(i, i + PUBLISH_PARALLEL).map((recipients, j) =>
              deps.events.publish(ResultsMailBatchRequested, {
                edition: deps.edition,
                resultsId: detail.resultsId,
                batch: i + j + 1,
                batches: batches.length,
                recipients,
              }),
            ),
          );
        }
        deps.logger.info('results mail planned', {
          resultsId: detail.resultsId,
          batches: batches.length,
          recipients: batches.reduce((sum, batch) => sum + batch.length, 0),
        });
      }),
      on(ResultsMailBatchRequested, async (detail, envelope) => {
        if (detail.edition !== deps.edition) return;
        const outcomes = await sendResultsMailBatch(deps, await deps.editions.get(), detail, envelope.id);
        const counts: Record<string, number> = {};
        for (const outcome of outcomes) counts[outcome] = (counts[outcome] ?? 0) + 1;
        deps.logger.info('results mail batch sent', {
          resultsId: detail.resultsId,
          batch: detail.batch,
          batches: detail.batches,
          ...counts,
        });
      }),
    ],
  });
  return lambdaEntry({ events });
}
