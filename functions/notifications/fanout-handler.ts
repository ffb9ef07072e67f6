import type { EditionStore } from '../../shared/edition/edition-store.ts';
import {
  RealisationMailBatchRequested,
  RealisationUpdated,
  ResultsMailBatchRequested,
  ResultsPublished,
} from '../../shared/events/catalogue.ts';
import { eventHandler, on } from '../../shared/events/event-handler.ts';
import type { EventPublisher } from '../../shared/events/event-publisher.ts';
import { lambdaEntry } from '../../shared/lambda/entry.ts';
import type { Logger } from '../../shared/logging/logger.ts';
import {
  type NotifyFollowersDeps,
  planRealisationMail,
  REALISATION_MAIL_BATCH_SIZE,
  sendRealisationMailBatch,
} from './notify-realisation-updated.ts';
import {
  type NotifyResultsDeps,
  planResultsMail,
  RESULTS_MAIL_BATCH_SIZE,
  sendResultsMailBatch,
} from './notify-results-published.ts';

export interface MailFanoutDeps extends NotifyResultsDeps, NotifyFollowersDeps {
  editions: EditionStore;
  logger: Logger;
  events: EventPublisher;
  /** The edition this function serves. */
  edition: string;
  /**
   * Recipients per batch event, for the results emails and the followers' alike.
   * @default RESULTS_MAIL_BATCH_SIZE (and REALISATION_MAIL_BATCH_SIZE, the same)
   */
  batchSize?: number;
  /** Sends a second per invocation (the account's SES rate divided by the function's reserved concurrency). */
  sendsPerSecond?: number | undefined;
}

/** Batch events published at a time (PutEvents calls in flight). */
const PUBLISH_PARALLEL = 10;

/** Publishes `batches.length` batch events, `PUBLISH_PARALLEL` at a time; `publish` gets each batch's 1-based number. */
async function publishBatches<T>(
  batches: readonly T[],
  publish: (batch: T, number: number) => Promise<void>,
) {
  for (let i = 0; i < batches.length; i += PUBLISH_PARALLEL) {
    await Promise.all(batches.slice(i, i + PUBLISH_PARALLEL).map((batch, j) => publish(batch, i + j + 1)));
  }
}

const countOutcomes = (outcomes: readonly string[]) => {
  const counts: Record<string, number> = {};
  for (const outcome of outcomes) counts[outcome] = (counts[outcome] ?? 0) + 1;
  return counts;
};

/**
 * The mail fan-out: batch work out of the HTTP functions. On `ResultsPublished` it plans the results emails (ids
 * only) and publishes one `ResultsMailBatchRequested` per batch; on `RealisationUpdated`, the emails to the
 * project's followers, one `RealisationMailBatchRequested` per batch. Each batch then runs in its own invocation
 * of this same function, with its own timeout, the rule's retries and dead-letter queue. Both steps are
 * idempotent: a replayed plan publishes the batches again, and their emails are sent once (the email log's claims).
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
        await publishBatches(batches, (recipients, batch) =>
          deps.events.publish(ResultsMailBatchRequested, {
            edition: deps.edition,
            resultsId: detail.resultsId,
            batch,
            batches: batches.length,
            recipients,
          }),
        );
        deps.logger.info('results mail planned', {
          resultsId: detail.resultsId,
          batches: batches.length,
          recipients: batches.reduce((sum, batch) => sum + batch.length, 0),
        });
      }),
      on(ResultsMailBatchRequested, async (detail, envelope) => {
        if (detail.edition !== deps.edition) return;
        const outcomes = await sendResultsMailBatch(deps, await deps.editions.get(), detail, envelope.id);
        deps.logger.info('results mail batch sent', {
          resultsId: detail.resultsId,
          batch: detail.batch,
          batches: detail.batches,
          ...countOutcomes(outcomes),
        });
      }),
      on(RealisationUpdated, async (detail) => {
        if (detail.edition !== deps.edition) return;
        const { version: _version, edition: _edition, actor: _actor, ...change } = detail;
        const batches = await planRealisationMail(
          deps,
          detail.projectId,
          deps.batchSize ?? REALISATION_MAIL_BATCH_SIZE,
        );
        await publishBatches(batches, (followers, batch) =>
          deps.events.publish(RealisationMailBatchRequested, {
            ...change,
            edition: deps.edition,
            batch,
            batches: batches.length,
            followers,
          }),
        );
        deps.logger.info('realisation mail planned', {
          updateId: detail.updateId,
          batches: batches.length,
          followers: batches.reduce((sum, batch) => sum + batch.length, 0),
        });
      }),
      on(RealisationMailBatchRequested, async (detail, envelope) => {
        if (detail.edition !== deps.edition) return;
        const { version: _version, edition: _edition, batch, batches, followers, ...change } = detail;
        const outcomes = await sendRealisationMailBatch(
          deps,
          await deps.editions.get(),
          { change, followers },
          envelope.id,
        );
        deps.logger.info('realisation mail batch sent', {
          updateId: detail.updateId,
          batch,
          batches,
          ...countOutcomes(outcomes),
        });
      }),
    ],
  });
  return lambdaEntry({ events });
}
